/**
 * IPv4 options (RFC 791), validated the way a receiving Linux host does in `ip_options_compile`
 * (net/ipv4/ip_options.c, called with an skb): EOL ends the list, NOP is one byte, every other
 * option is a length-checked TLV. The walk fills a caller-owned `IpOptions` (no allocation on
 * success) whose offsets are relative to the IP header, like `struct ip_options`. A malformed
 * option yields `IP_INHDR` and the parameter-problem pointer the kernel would put in its
 * ICMP_PARAMETERPROB reply (`icmp_send(skb, ICMP_PARAMETERPROB, 0, htonl(pointer << 24))`).
 *
 * This walk only reads. What the kernel does to the options of a packet it forwards or answers
 * (filling the record-route slot, stamping timestamps, bumping the timestamp overflow counter,
 * rewriting bytes after EOL to EOL) belongs to the forwarding code, which uses the offsets
 * and the `*NeedAddr`/`tsNeedTime` flags recorded here.
 */
import { IPV4_HLEN } from './ipv4.js';

/** include/uapi/linux/ip.h option types. */
export const IPOPT_END = 0;
export const IPOPT_NOOP = 1;
export const IPOPT_RR = 7;
export const IPOPT_TIMESTAMP = 68;
export const IPOPT_SEC = 130;
export const IPOPT_LSRR = 131;
export const IPOPT_CIPSO = 134;
export const IPOPT_SID = 136;
export const IPOPT_SSRR = 137;
export const IPOPT_RA = 148;
/** Timestamp flags (low nibble of the 4th byte). */
export const IPOPT_TS_TSONLY = 0;
export const IPOPT_TS_TSANDADDR = 1;
export const IPOPT_TS_PRESPEC = 3;

/**
 * What `ipOptionsCompile` found (`struct ip_options`). Offsets are from the start of the IP
 * header (so the first option is at 20); 0 means absent.
 */
export interface IpOptions {
  /** Options bytes (ihl*4 - 20). */
  optlen: number;
  /** Offset of LSRR/SSRR. */
  srr: number;
  /** The source route is strict (SSRR). */
  isStrictroute: boolean;
  /** Offset of record route. */
  rr: number;
  /** Record route has a free slot: a forwarder must write its address. */
  rrNeedaddr: boolean;
  /** Offset of the timestamp option. */
  ts: number;
  /** Timestamp has a free slot for a time. */
  tsNeedtime: boolean;
  /** Timestamp (TSANDADDR) has a free slot for an address too. */
  tsNeedaddr: boolean;
  /** Offset of router alert with value 0 (the only value Linux acts on). */
  routerAlert: number;
}

/** A fresh, empty `IpOptions` to reuse across packets. */
export function newIpOptions(): IpOptions {
  return { optlen: 0, srr: 0, isStrictroute: false, rr: 0, rrNeedaddr: false, ts: 0, tsNeedtime: false, tsNeedaddr: false, routerAlert: 0 };
}

/** A malformed option: the header error and where it is (offset from the IP header start). */
export interface IpOptionsError {
  reason: 'IP_INHDR';
  /** The ICMP parameter-problem pointer: offset of the offending byte from the IP header. */
  pointer: number;
}

function fail(pointer: number): IpOptionsError {
  return { reason: 'IP_INHDR', pointer };
}

/**
 * Walk the options of the IPv4 header at `hdrOff` in `buf`, whose header is `hdrLen` (= ihl*4)
 * bytes, and fill `out`. Returns null when they are well formed, else the error and pointer.
 * The caller guarantees `hdrLen` bytes are present (e.g. after `Ipv4ReprCodec.parse` or
 * `Ipv4View.checkLen()`); the walk never reads past them. Never throws.
 *
 * Receive-side rules, as the kernel applies them to a packet from the wire:
 * - a TLV with no room for its length byte, or a length < 2 or past the end: pointer at its type;
 * - LSRR/SSRR: length < 3 → pointer at length; pointer < 4 → at pointer; a second source route → at type;
 * - RR: a second RR → type; length < 3 → length; pointer < 4 → pointer; pointer ≤ length but
 *   pointer + 3 > length (a partial slot) → pointer;
 * - timestamp: a second one → type; length < 4 → length; pointer < 5 → pointer; a partial slot
 *   (pointer + 3 > length, or + 7 for TSANDADDR/PRESPEC) → pointer; a full option whose overflow
 *   counter is already 15 → the flags byte;
 * - router alert: length < 4 → length (recorded only when its value is 0);
 * - anything else (security, stream id, CIPSO, unknown types) is skipped by its length, as a
 *   receiver does. (CIPSO's own validation lives in netlabel and is not done here.)
 */
export function ipOptionsCompile(buf: Uint8Array, hdrOff: number, hdrLen: number, out: IpOptions): IpOptionsError | null {
  out.optlen = hdrLen > IPV4_HLEN ? hdrLen - IPV4_HLEN : 0;
  out.srr = 0;
  out.isStrictroute = false;
  out.rr = 0;
  out.rrNeedaddr = false;
  out.ts = 0;
  out.tsNeedtime = false;
  out.tsNeedaddr = false;
  out.routerAlert = 0;

  let at = IPV4_HLEN; // offset from the header start
  let l = out.optlen;
  while (l > 0) {
    const p = hdrOff + at;
    const type = buf[p]!;
    if (type === IPOPT_END) break;
    if (type === IPOPT_NOOP) {
      at++;
      l--;
      continue;
    }
    if (l < 2) return fail(at);
    const optlen = buf[p + 1]!;
    if (optlen < 2 || optlen > l) return fail(at);
    switch (type) {
      case IPOPT_SSRR:
      case IPOPT_LSRR: {
        if (optlen < 3) return fail(at + 1);
        if (buf[p + 2]! < 4) return fail(at + 2);
        // RFC 1812 5.2.4.1: only one source route.
        if (out.srr !== 0) return fail(at);
        out.isStrictroute = type === IPOPT_SSRR;
        out.srr = at;
        break;
      }
      case IPOPT_RR: {
        if (out.rr !== 0) return fail(at);
        if (optlen < 3) return fail(at + 1);
        const ptr = buf[p + 2]!;
        if (ptr < 4) return fail(at + 2);
        if (ptr <= optlen) {
          if (ptr + 3 > optlen) return fail(at + 2);
          out.rrNeedaddr = true;
        }
        out.rr = at;
        break;
      }
      case IPOPT_TIMESTAMP: {
        if (out.ts !== 0) return fail(at);
        if (optlen < 4) return fail(at + 1);
        const ptr = buf[p + 2]!;
        if (ptr < 5) return fail(at + 2);
        const flags = buf[p + 3]!;
        if (ptr <= optlen) {
          if (ptr + 3 > optlen) return fail(at + 2);
          switch (flags & 0x0f) {
            case IPOPT_TS_TSONLY:
              out.tsNeedtime = true;
              break;
            case IPOPT_TS_TSANDADDR:
              if (ptr + 7 > optlen) return fail(at + 2);
              out.tsNeedaddr = true;
              out.tsNeedtime = true;
              break;
            case IPOPT_TS_PRESPEC:
              // Whether the prespecified address is ours (and so whether a time is due) needs
              // the local address table: the caller checks it at `ts + ptr - 1`.
              if (ptr + 7 > optlen) return fail(at + 2);
              break;
            default:
              // Unknown flags: tolerated from the wire (only a local sender without
              // CAP_NET_RAW is refused).
              break;
          }
        } else if ((flags & 0x0f) !== IPOPT_TS_PRESPEC) {
          // Full: the kernel counts the overflow in the high nibble; 15 cannot grow.
          if (flags >>> 4 === 15) return fail(at + 3);
        }
        out.ts = at;
        break;
      }
      case IPOPT_RA: {
        if (optlen < 4) return fail(at + 1);
        if (buf[p + 2] === 0 && buf[p + 3] === 0) out.routerAlert = at;
        break;
      }
      default:
        break;
    }
    at += optlen;
    l -= optlen;
  }
  return null;
}
