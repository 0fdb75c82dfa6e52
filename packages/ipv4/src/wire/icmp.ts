/**
 * ICMP for IPv4 (RFC 792, `struct icmphdr` in include/uapi/linux/icmp.h): an 8-byte header
 * (type, code, checksum, four "rest of header" bytes whose meaning depends on the type) and a
 * body: echo data, or the start of the packet an error is about. The checksum covers the whole
 * message. Constants keep their Linux names.
 */
import { ERRNO, internetChecksum, readU16, readU32, writeU16, writeU32, type ErrnoCode, WireView } from '@netstack/core';

export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_INFO_REQUEST = 15;
export const ICMP_INFO_REPLY = 16;
export const ICMP_ADDRESS = 17;
export const ICMP_ADDRESSREPLY = 18;
/** Highest type `icmp_rcv` dispatches; above it the packet is dropped (UNHANDLED_PROTO). */
export const NR_ICMP_TYPES = 18;
/** RFC 8335 PROBE (extended echo), handled before the NR_ICMP_TYPES check. */
export const ICMP_EXT_ECHO = 42;
export const ICMP_EXT_ECHOREPLY = 43;

/** Codes for ICMP_DEST_UNREACH. */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_NET_UNKNOWN = 6;
export const ICMP_HOST_UNKNOWN = 7;
export const ICMP_HOST_ISOLATED = 8;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_NET_UNR_TOS = 11;
export const ICMP_HOST_UNR_TOS = 12;
export const ICMP_PKT_FILTERED = 13;
export const ICMP_PREC_VIOLATION = 14;
export const ICMP_PREC_CUTOFF = 15;
/** Highest code in `icmp_err_convert[]`. */
export const NR_ICMP_UNREACH = 15;

/** Codes for ICMP_REDIRECT. */
export const ICMP_REDIR_NET = 0;
export const ICMP_REDIR_HOST = 1;
export const ICMP_REDIR_NETTOS = 2;
export const ICMP_REDIR_HOSTTOS = 3;

/** Codes for ICMP_TIME_EXCEEDED. */
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

/** Header length (`sizeof(struct icmphdr)`). */
export const ICMP_HLEN = 8;

/** A zero-copy view of one ICMP message: `len` is the message length (the IP payload). */
export class IcmpView extends WireView {
  /** The 8-byte header fits and the whole `len`-byte message lies inside the buffer. */
  checkLen(): boolean {
    return this.off >= 0 && this.len >= ICMP_HLEN && this.off + this.len <= this.buf.length;
  }

  get type(): number {
    return this.buf[this.off]!;
  }

  set type(v: number) {
    this.buf[this.off] = v & 0xff;
  }

  get code(): number {
    return this.buf[this.off + 1]!;
  }

  set code(v: number) {
    this.buf[this.off + 1] = v & 0xff;
  }

  get checksum(): number {
    return readU16(this.buf, this.off + 2);
  }

  set checksum(v: number) {
    writeU16(this.buf, this.off + 2, v);
  }

  /** The four rest-of-header bytes as one number (`un.gateway`, host order). */
  get rest(): number {
    return readU32(this.buf, this.off + 4);
  }

  set rest(v: number) {
    writeU32(this.buf, this.off + 4, v);
  }

  /** Echo identifier (`un.echo.id`). */
  get id(): number {
    return readU16(this.buf, this.off + 4);
  }

  set id(v: number) {
    writeU16(this.buf, this.off + 4, v);
  }

  /** Echo sequence (`un.echo.sequence`). */
  get seq(): number {
    return readU16(this.buf, this.off + 6);
  }

  set seq(v: number) {
    writeU16(this.buf, this.off + 6, v);
  }

  /** Next-hop MTU of a fragmentation-needed message (RFC 1191, `un.frag.mtu`). */
  get mtu(): number {
    return readU16(this.buf, this.off + 6);
  }

  set mtu(v: number) {
    writeU16(this.buf, this.off + 6, v);
  }

  /** Parameter-problem pointer: the offending byte's offset in the quoted header (byte 4). */
  get pointer(): number {
    return this.buf[this.off + 4]!;
  }

  set pointer(v: number) {
    this.buf[this.off + 4] = v & 0xff;
  }

  /** Redirect gateway address (`un.gateway`). */
  get gateway(): number {
    return readU32(this.buf, this.off + 4);
  }

  set gateway(v: number) {
    writeU32(this.buf, this.off + 4, v);
  }

  /** Where the body starts (echo data, or the quoted IP header of an error). */
  get payloadOffset(): number {
    return this.off + ICMP_HLEN;
  }

  get payloadLen(): number {
    return this.len - ICMP_HLEN;
  }

  /** The checksum over the whole message is right. */
  verifyChecksum(): boolean {
    return internetChecksum(this.buf, this.off, this.len) === 0;
  }

  /** Compute and store the checksum over the whole message. */
  fillChecksum(): void {
    writeU16(this.buf, this.off + 2, 0);
    writeU16(this.buf, this.off + 2, internetChecksum(this.buf, this.off, this.len));
  }
}

/** An echo request (type 8) or reply (type 0). */
export interface IcmpEchoRepr {
  kind: 'echo';
  type: typeof ICMP_ECHO | typeof ICMP_ECHOREPLY;
  code: number;
  id: number;
  seq: number;
  data: Uint8Array;
}

/** Destination unreachable; `data` is the quoted packet (its IP header and at least 8 bytes more). */
export interface IcmpDestUnreachRepr {
  kind: 'dest-unreach';
  code: number;
  /** Next-hop MTU (code 4, ICMP_FRAG_NEEDED); 0 otherwise. */
  nextHopMtu: number;
  data: Uint8Array;
}

export interface IcmpTimeExceededRepr {
  kind: 'time-exceeded';
  code: number;
  data: Uint8Array;
}

export interface IcmpParamProbRepr {
  kind: 'param-problem';
  code: number;
  /** Offset of the offending byte in the quoted IP header. */
  pointer: number;
  data: Uint8Array;
}

export interface IcmpRedirectRepr {
  kind: 'redirect';
  code: number;
  gateway: number;
  data: Uint8Array;
}

/** Any other type (source quench, timestamp, address mask, PROBE, unassigned) kept as it is. */
export interface IcmpOtherRepr {
  kind: 'other';
  type: number;
  code: number;
  /** The four rest-of-header bytes as a number. */
  rest: number;
  data: Uint8Array;
}

/**
 * A parsed ICMP message. The error kinds carry only their defined rest-of-header field: bytes
 * RFC 792 calls unused (and an RFC 4884 length) are ignored by parse and written as 0 by emit.
 */
export type IcmpRepr = IcmpEchoRepr | IcmpDestUnreachRepr | IcmpTimeExceededRepr | IcmpParamProbRepr | IcmpRedirectRepr | IcmpOtherRepr;

/**
 * Why parse refused a message, by kernel drop-reason name: `ICMP_CSUM` (checksum over the whole
 * message wrong, ICMP_MIB_CSUMERRORS) or `PKT_TOO_SMALL` (a correct checksum but under 8 bytes,
 * which `icmp_rcv` counts in InErrors).
 */
export type IcmpParseError = 'ICMP_CSUM' | 'PKT_TOO_SMALL';

/** The type number a repr is emitted with. */
export function icmpReprType(repr: IcmpRepr): number {
  switch (repr.kind) {
    case 'echo':
      return repr.type;
    case 'dest-unreach':
      return ICMP_DEST_UNREACH;
    case 'time-exceeded':
      return ICMP_TIME_EXCEEDED;
    case 'param-problem':
      return ICMP_PARAMETERPROB;
    case 'redirect':
      return ICMP_REDIRECT;
    case 'other':
      return repr.type;
  }
}

function restOf(repr: IcmpRepr): number {
  switch (repr.kind) {
    case 'echo':
      return (((repr.id & 0xffff) << 16) | (repr.seq & 0xffff)) >>> 0;
    case 'dest-unreach':
      return repr.nextHopMtu & 0xffff;
    case 'time-exceeded':
      return 0;
    case 'param-problem':
      return ((repr.pointer & 0xff) << 24) >>> 0;
    case 'redirect':
      return repr.gateway >>> 0;
    case 'other':
      return repr.rest >>> 0;
  }
}

export const IcmpReprCodec = {
  /**
   * Verify the checksum over `view.len` bytes (capped at the buffer), then the 8-byte header, in
   * `icmp_rcv`'s order, and copy the message out. Types above NR_ICMP_TYPES parse as `other`:
   * dropping them (UNHANDLED_PROTO) is the receive path's decision, not the wire's. Never throws.
   */
  parse(view: IcmpView): IcmpRepr | IcmpParseError {
    const { buf, off } = view;
    if (off < 0) return 'PKT_TOO_SMALL';
    const len = Math.max(0, Math.min(view.len, buf.length - off));
    // skb_checksum_simple_validate first: an empty or short message with a bad sum is a csum error.
    if (internetChecksum(buf, off, len) !== 0) return 'ICMP_CSUM';
    if (len < ICMP_HLEN) return 'PKT_TOO_SMALL';
    const type = buf[off]!;
    const code = buf[off + 1]!;
    const data = buf.slice(off + ICMP_HLEN, off + len);
    switch (type) {
      case ICMP_ECHO:
      case ICMP_ECHOREPLY:
        return { kind: 'echo', type, code, id: readU16(buf, off + 4), seq: readU16(buf, off + 6), data };
      case ICMP_DEST_UNREACH:
        return { kind: 'dest-unreach', code, nextHopMtu: readU16(buf, off + 6), data };
      case ICMP_TIME_EXCEEDED:
        return { kind: 'time-exceeded', code, data };
      case ICMP_PARAMETERPROB:
        return { kind: 'param-problem', code, pointer: buf[off + 4]!, data };
      case ICMP_REDIRECT:
        return { kind: 'redirect', code, gateway: readU32(buf, off + 4), data };
      default:
        return { kind: 'other', type, code, rest: readU32(buf, off + 4), data };
    }
  },

  bufferLen(repr: IcmpRepr): number {
    return ICMP_HLEN + repr.data.length;
  },

  /** Write header and body at `off` and fill the checksum over both. */
  emit(repr: IcmpRepr, buf: Uint8Array, off: number): void {
    buf[off] = icmpReprType(repr) & 0xff;
    buf[off + 1] = repr.code & 0xff;
    writeU16(buf, off + 2, 0);
    writeU32(buf, off + 4, restOf(repr));
    buf.set(repr.data, off + ICMP_HLEN);
    writeU16(buf, off + 2, internetChecksum(buf, off, ICMP_HLEN + repr.data.length));
  },
};

/**
 * `icmp_is_err()` (include/linux/icmp.h): the types that report an error about another packet
 * and are passed to the transport's err handler: dest unreachable, source quench, redirect,
 * time exceeded, parameter problem.
 */
export function isIcmpError(type: number): boolean {
  return (
    type === ICMP_DEST_UNREACH ||
    type === ICMP_SOURCE_QUENCH ||
    type === ICMP_REDIRECT ||
    type === ICMP_TIME_EXCEEDED ||
    type === ICMP_PARAMETERPROB
  );
}

/**
 * Whether `__icmp_send` refuses to answer a packet carrying this ICMP type with an ICMP error
 * (never an error about an error, RFC 1122 3.2.2): types above NR_ICMP_TYPES, and those marked
 * `.error` in `icmp_pointers[]`, which adds the unassigned 1, 2, 6, 7, 9, 10 to `isIcmpError`.
 */
export function icmpTypeBlocksErrorReply(type: number): boolean {
  if (type > NR_ICMP_TYPES) return true;
  return isIcmpError(type) || type === 1 || type === 2 || type === 6 || type === 7 || type === 9 || type === 10;
}

/** What an ICMP error means to a socket: the errno and whether it is a hard error. */
export interface IcmpErr {
  /** errno name. */
  readonly code: ErrnoCode;
  /** errno number (positive, x86_64). */
  readonly errno: number;
  /** Hard error (`harderr`): reported to the socket even without IP_RECVERR. */
  readonly fatal: boolean;
}

function err(code: ErrnoCode, fatal: boolean): IcmpErr {
  return Object.freeze({ code, errno: ERRNO[code], fatal });
}

/**
 * `icmp_err_convert[]` (net/ipv4/icmp.c), indexed by ICMP_DEST_UNREACH code. RFC 1122 3.2.2.1:
 * net/host unreachable and source-route failed are transient.
 */
export const ICMP_ERR_CONVERT: readonly IcmpErr[] = Object.freeze([
  err('ENETUNREACH', false), // ICMP_NET_UNREACH
  err('EHOSTUNREACH', false), // ICMP_HOST_UNREACH
  err('ENOPROTOOPT', true), // ICMP_PROT_UNREACH
  err('ECONNREFUSED', true), // ICMP_PORT_UNREACH
  err('EMSGSIZE', false), // ICMP_FRAG_NEEDED
  err('EOPNOTSUPP', false), // ICMP_SR_FAILED
  err('ENETUNREACH', true), // ICMP_NET_UNKNOWN
  err('EHOSTDOWN', true), // ICMP_HOST_UNKNOWN
  err('ENONET', true), // ICMP_HOST_ISOLATED
  err('ENETUNREACH', true), // ICMP_NET_ANO
  err('EHOSTUNREACH', true), // ICMP_HOST_ANO
  err('ENETUNREACH', false), // ICMP_NET_UNR_TOS
  err('EHOSTUNREACH', false), // ICMP_HOST_UNR_TOS
  err('EHOSTUNREACH', true), // ICMP_PKT_FILTERED
  err('EHOSTUNREACH', true), // ICMP_PREC_VIOLATION
  err('EHOSTUNREACH', true), // ICMP_PREC_CUTOFF
]);

const ERR_HOSTUNREACH_SOFT = err('EHOSTUNREACH', false);
const ERR_PROTO_HARD = err('EPROTO', true);

/**
 * The socket error an ICMP error becomes, as the transports' err handlers (`__udp4_lib_err`,
 * `raw_err`, `ping_err`; `tcp_v4_err` takes the same errnos) compute it, or null when the
 * message is not reported to the socket:
 * - DEST_UNREACH: `icmp_err_convert[code]`; a code above 15 gives EHOSTUNREACH, not fatal.
 *   FRAG_NEEDED is the table's EMSGSIZE, not fatal: the transport applies its own PMTU policy
 *   (UDP with IP_PMTUDISC_DO reports it as a hard error, with IP_PMTUDISC_DONT ignores it);
 * - TIME_EXCEEDED: EHOSTUNREACH, not fatal;
 * - PARAMETERPROB: EPROTO, fatal;
 * - SOURCE_QUENCH and REDIRECT (route updates only), and anything that is not an error: null.
 * The returned objects are shared and frozen (nothing allocated per call).
 */
export function icmpErrConvert(type: number, code: number): IcmpErr | null {
  switch (type) {
    case ICMP_DEST_UNREACH:
      return code >= 0 && code <= NR_ICMP_UNREACH ? ICMP_ERR_CONVERT[code]! : ERR_HOSTUNREACH_SOFT;
    case ICMP_TIME_EXCEEDED:
      return ERR_HOSTUNREACH_SOFT;
    case ICMP_PARAMETERPROB:
      return ERR_PROTO_HARD;
    default:
      return null;
  }
}
