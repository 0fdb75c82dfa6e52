/**
 * TCP options: a receive-side walk that does what Linux's `tcp_parse_options`
 * (net/ipv4/tcp_input.c) does, into a caller-owned `TcpOptions` record (nothing is allocated per
 * segment), and `emitTcpOptions`, which writes the layouts and order of `tcp_options_write`
 * (net/ipv4/tcp_output.c), so that a segment we send looks on the wire like one Linux sends.
 *
 * Kinds: EOL 0, NOP 1, MSS 2 (RFC 9293 §3.2), window scale 3 and timestamps 8 (RFC 7323),
 * SACK-permitted 4 and SACK 5 (RFC 2018), MD5 signature 19 (RFC 2385), Fast Open 34 (RFC 7413)
 * and its experimental form 254 with magic 0xF989 (RFC 6994 experiment ids).
 */
import { NetError, readU16, readU32, writeU16, writeU32 } from '@netstack/core';
import { TCP_MAX_OPTLEN } from './tcp-header.js';

/** include/net/tcp.h option kinds. */
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
export const TCPOPT_MD5SIG = 19;
export const TCPOPT_FASTOPEN = 34;
export const TCPOPT_EXP = 254;
/** The 16-bit experiment id that marks a kind-254 option as Fast Open. */
export const TCPOPT_FASTOPEN_MAGIC = 0xf989;

/** include/net/tcp.h option lengths. */
export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_TIMESTAMP = 10;
export const TCPOLEN_MD5SIG = 18;
export const TCPOLEN_FASTOPEN_BASE = 2;
export const TCPOLEN_EXP_FASTOPEN_BASE = 4;
export const TCPOLEN_SACK_BASE = 2;
export const TCPOLEN_SACK_PERBLOCK = 8;
/** Aligned sizes Linux budgets with (`TCPOLEN_*_ALIGNED`). */
export const TCPOLEN_TSTAMP_ALIGNED = 12;
export const TCPOLEN_WSCALE_ALIGNED = 4;
export const TCPOLEN_SACKPERM_ALIGNED = 4;
export const TCPOLEN_SACK_BASE_ALIGNED = 4;
export const TCPOLEN_MD5SIG_ALIGNED = 20;
export const TCPOLEN_MSS_ALIGNED = 4;

/** Largest window shift (RFC 7323 §2.3, `TCP_MAX_WSCALE`). */
export const TCP_MAX_WSCALE = 14;
/** SACK blocks a receiver keeps (`TCP_NUM_SACKS`); also the most 40 option bytes can carry. */
export const TCP_NUM_SACKS = 4;
/** Fast Open cookie sizes (`TCP_FASTOPEN_COOKIE_MIN/MAX`, RFC 7413 §4.1.1). */
export const TCP_FASTOPEN_COOKIE_MIN = 4;
export const TCP_FASTOPEN_COOKIE_MAX = 16;
export const TCP_FASTOPEN_COOKIE_SIZE = 8;

/**
 * Context bits for `tcpParseOptions`, standing for `tcp_parse_options`'s `estab` argument and
 * what it consults. With `TCP_OPT_ESTAB` the segment belongs to a synchronized socket: MSS,
 * window scale and SACK-permitted are ignored, timestamps count only if `TCP_OPT_TSTAMP` (the
 * socket's `tstamp_ok`), SACK blocks only if `TCP_OPT_SACK` (its `sack_ok`). Without it (a
 * listener's SYN, a SYN-ACK in SYN_SENT) the bits are the sysctls `tcp_timestamps`, `tcp_sack`
 * and `tcp_window_scaling`, and SACK blocks count only after a SACK-permitted option earlier in
 * the same segment (the kernel's `opt_rx->sack_ok` starts cleared there).
 */
export const TCP_OPT_ESTAB = 1;
export const TCP_OPT_TSTAMP = 2;
export const TCP_OPT_SACK = 4;
export const TCP_OPT_WSCALE = 8;
/** Linux's defaults for a SYN: timestamps, SACK and window scaling all enabled (sysctls = 1). */
export const TCP_OPT_SYSCTL_DEFAULT = TCP_OPT_TSTAMP | TCP_OPT_SACK | TCP_OPT_WSCALE;
/** A synchronized socket that negotiated timestamps and SACK. */
export const TCP_OPT_ESTAB_ALL = TCP_OPT_ESTAB | TCP_OPT_TSTAMP | TCP_OPT_SACK;

/**
 * What the options say (`struct tcp_options_received` plus the Fast Open cookie and the SACK
 * blocks Linux reads later from `TCP_SKB_CB(skb)->sacked`). Reused across segments: parse
 * overwrites every field. For emit, the same record says what to write.
 */
export interface TcpOptions {
  /** MSS option value (`mss_clamp`); 0 = none (a zero MSS is ignored, as Linux does). */
  mss: number;
  /** A window scale option was seen (`wscale_ok`). */
  wscaleOk: boolean;
  /** Its shift (`snd_wscale`), clamped to 14. */
  wscale: number;
  /** SACK-permitted was seen (`sack_ok`). */
  sackOk: boolean;
  /** A timestamps option was seen (`saw_tstamp`). */
  sawTstamp: boolean;
  /** TSval (`rcv_tsval`). */
  tsVal: number;
  /** TSecr (`rcv_tsecr`). */
  tsEcr: number;
  /** SACK blocks in `sackBlocks` (0..4). */
  numSacks: number;
  /** Start/end pairs: block i is `[sackBlocks[2i], sackBlocks[2i+1])`. */
  sackBlocks: Uint32Array;
  /** Offset in the parsed buffer of the SACK option's kind byte (0 = none): `TCP_SKB_CB->sacked`. */
  sackOff: number;
  /**
   * Fast Open cookie length (`foc->len`): -1 = no (valid) option, 0 = a cookie request, 4..16 =
   * a cookie whose bytes are `fastopenBuf[fastopenOff .. + fastopenLen]`.
   */
  fastopenLen: number;
  /** Where the cookie bytes are: the parsed buffer (no copy); for emit, any buffer. */
  fastopenBuf: Uint8Array;
  fastopenOff: number;
  /** The cookie came (or goes) in the experimental kind-254 form (`foc->exp`). */
  fastopenExp: boolean;
  /** An MD5 signature option of the right length was seen (RFC 2385), or is to be reserved on emit. */
  md5: boolean;
  /** Offset of its 16-byte digest in the buffer (parse: the parsed one; emit: the written one). */
  md5Off: number;
  /** Some option kind this parser does not know was seen (`saw_unknown`). */
  sawUnknown: boolean;
}

const EMPTY = new Uint8Array(0);

/** A fresh, empty `TcpOptions` to reuse across segments. */
export function newTcpOptions(): TcpOptions {
  return {
    mss: 0,
    wscaleOk: false,
    wscale: 0,
    sackOk: false,
    sawTstamp: false,
    tsVal: 0,
    tsEcr: 0,
    numSacks: 0,
    sackBlocks: new Uint32Array(2 * TCP_NUM_SACKS),
    sackOff: 0,
    fastopenLen: -1,
    fastopenBuf: EMPTY,
    fastopenOff: 0,
    fastopenExp: false,
    md5: false,
    md5Off: 0,
    sawUnknown: false,
  };
}

/** Reset `o` to "no options". */
export function clearTcpOptions(o: TcpOptions): TcpOptions {
  o.mss = 0;
  o.wscaleOk = false;
  o.wscale = 0;
  o.sackOk = false;
  o.sawTstamp = false;
  o.tsVal = 0;
  o.tsEcr = 0;
  o.numSacks = 0;
  o.sackBlocks.fill(0);
  o.sackOff = 0;
  o.fastopenLen = -1;
  o.fastopenBuf = EMPTY;
  o.fastopenOff = 0;
  o.fastopenExp = false;
  o.md5 = false;
  o.md5Off = 0;
  o.sawUnknown = false;
  return o;
}

/**
 * `tcp_parse_fastopen_option`: valid only on a SYN (or SYN-ACK) with an even length; a length
 * of 0 is a request, 4..16 a cookie, anything else marks the option invalid (-1). An odd length
 * leaves what an earlier option recorded.
 */
function parseFastopen(o: TcpOptions, buf: Uint8Array, at: number, len: number, syn: boolean, exp: boolean): void {
  if (!syn || len < 0 || (len & 1) !== 0) return;
  if (len !== 0 && (len < TCP_FASTOPEN_COOKIE_MIN || len > TCP_FASTOPEN_COOKIE_MAX)) len = -1;
  o.fastopenLen = len;
  o.fastopenBuf = len > 0 ? buf : EMPTY;
  o.fastopenOff = len > 0 ? at : 0;
  o.fastopenExp = exp;
}

/**
 * Walk `len` option bytes at `off` in `buf` (the bytes after the 20-byte header, `doff*4 - 20`)
 * of a segment whose SYN bit is `syn`, and fill `out`, as `tcp_parse_options` does:
 * - EOL ends the walk; NOP is one byte;
 * - any other kind needs a length byte (else stop), a length ≥ 2 ("silly options": stop) and
 *   ≤ the bytes left (partial option: stop). Stopping is silent: what was parsed stays;
 * - MSS (len 4, non-zero), window scale (len 3, shift clamped to 14 as Linux does, which logs
 *   "Illegal window scaling value") and SACK-permitted (len 2) count only on a SYN of a
 *   non-synchronized socket (see `TCP_OPT_*` for the sysctl/negotiation bits);
 * - timestamps (len 10) count when negotiated (estab) or enabled (SYN time);
 * - SACK (len 2 + 8n, n ≥ 1) counts when SACK is on (see `TCP_OPT_ESTAB`); the last such option
 *   wins, its first 4 blocks are kept (`tcp_sacktag_write_queue` reads at most `TCP_NUM_SACKS`);
 * - MD5 (kind 19, len 18) is flagged with its digest offset (`tcp_parse_md5sig_option`);
 * - Fast Open (kind 34, or 254 with magic 0xF989) only on a SYN, see `parseFastopen`;
 * - anything else is skipped by its length and sets `sawUnknown`.
 * `ctx` defaults to Linux's defaults: a SYN meets `TCP_OPT_SYSCTL_DEFAULT`, any other segment
 * a socket that negotiated timestamps and SACK (`TCP_OPT_ESTAB_ALL`).
 * The caller guarantees the `len` bytes exist (`TcpView.checkLen()`); nothing else is read.
 * Never throws, never allocates.
 */
export function tcpParseOptions(buf: Uint8Array, off: number, len: number, syn: boolean, out: TcpOptions, ctx: number = syn ? TCP_OPT_SYSCTL_DEFAULT : TCP_OPT_ESTAB_ALL): TcpOptions {
  clearTcpOptions(out);
  const estab = (ctx & TCP_OPT_ESTAB) !== 0;
  // Established: the socket's negotiated sack_ok; otherwise only SACK_PERM in this very segment.
  let sackOn = estab && (ctx & TCP_OPT_SACK) !== 0;
  let p = off;
  let length = len;
  while (length > 0) {
    const opcode = buf[p]!;
    if (opcode === TCPOPT_EOL) break;
    if (opcode === TCPOPT_NOP) {
      p++;
      length--;
      continue;
    }
    if (length < 2) break;
    const opsize = buf[p + 1]!;
    if (opsize < 2 || opsize > length) break;
    const v = p + 2;
    switch (opcode) {
      case TCPOPT_MSS:
        if (opsize === TCPOLEN_MSS && syn && !estab) {
          const mss = readU16(buf, v);
          if (mss !== 0) out.mss = mss;
        }
        break;
      case TCPOPT_WINDOW:
        if (opsize === TCPOLEN_WINDOW && syn && !estab && (ctx & TCP_OPT_WSCALE) !== 0) {
          out.wscaleOk = true;
          // RFC 7323 §2.3: a shift over 14 is used as 14 (Linux logs it and clamps).
          const ws = buf[v]!;
          out.wscale = ws > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : ws;
        }
        break;
      case TCPOPT_TIMESTAMP:
        if (opsize === TCPOLEN_TIMESTAMP && (ctx & TCP_OPT_TSTAMP) !== 0) {
          out.sawTstamp = true;
          out.tsVal = readU32(buf, v);
          out.tsEcr = readU32(buf, v + 4);
        }
        break;
      case TCPOPT_SACK_PERM:
        if (opsize === TCPOLEN_SACK_PERM && syn && !estab && (ctx & TCP_OPT_SACK) !== 0) {
          out.sackOk = true;
          sackOn = true;
        }
        break;
      case TCPOPT_SACK:
        if (opsize >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK && (opsize - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK === 0 && sackOn) {
          out.sackOff = p;
          let n = (opsize - TCPOLEN_SACK_BASE) >>> 3;
          if (n > TCP_NUM_SACKS) n = TCP_NUM_SACKS;
          out.numSacks = n;
          for (let i = 0; i < n; i++) {
            out.sackBlocks[2 * i] = readU32(buf, v + 8 * i);
            out.sackBlocks[2 * i + 1] = readU32(buf, v + 8 * i + 4);
          }
        }
        break;
      case TCPOPT_MD5SIG:
        // tcp_v4_rcv checked the digest already; tcp_parse_options only steps over it.
        if (opsize === TCPOLEN_MD5SIG) {
          out.md5 = true;
          out.md5Off = v;
        }
        break;
      case TCPOPT_FASTOPEN:
        parseFastopen(out, buf, v, opsize - TCPOLEN_FASTOPEN_BASE, syn, false);
        break;
      case TCPOPT_EXP:
        // Kind 254 is shared by experiments (RFC 6994); Fast Open's carries magic 0xF989.
        if (opsize >= TCPOLEN_EXP_FASTOPEN_BASE && readU16(buf, v) === TCPOPT_FASTOPEN_MAGIC) {
          parseFastopen(out, buf, v + 2, opsize - TCPOLEN_EXP_FASTOPEN_BASE, syn, true);
        }
        // Other experiments (SMC's magic) are not ours: skipped.
        break;
      default:
        out.sawUnknown = true;
        break;
    }
    p += opsize;
    length -= opsize;
  }
  return out;
}

/**
 * Bytes `emitTcpOptions` writes for `o` (always a multiple of 4): Linux's aligned budgets
 * (`tcp_syn_options`, `tcp_synack_options`, `tcp_established_options`).
 */
export function tcpOptionsLen(o: TcpOptions): number {
  let n = 0;
  if (o.md5) n += TCPOLEN_MD5SIG_ALIGNED;
  if (o.mss > 0) n += TCPOLEN_MSS_ALIGNED;
  if (o.sawTstamp) n += TCPOLEN_TSTAMP_ALIGNED; // SACK_PERM rides in its NOP NOP slot
  else if (o.sackOk) n += TCPOLEN_SACKPERM_ALIGNED;
  if (o.wscaleOk) n += TCPOLEN_WSCALE_ALIGNED;
  if (o.numSacks > 0) n += TCPOLEN_SACK_BASE_ALIGNED + o.numSacks * TCPOLEN_SACK_PERBLOCK;
  if (o.fastopenLen >= 0) {
    const l = (o.fastopenExp ? TCPOLEN_EXP_FASTOPEN_BASE : TCPOLEN_FASTOPEN_BASE) + o.fastopenLen;
    n += (l + 3) & ~3;
  }
  return n;
}

/**
 * How many SACK blocks fit after `used` option bytes (`tcp_established_options`): with
 * timestamps (12 bytes) that is 3, without 4.
 */
export function tcpSackBlocksThatFit(used: number): number {
  const n = Math.floor((TCP_MAX_OPTLEN - used - TCPOLEN_SACK_BASE_ALIGNED) / TCPOLEN_SACK_PERBLOCK);
  return n < 0 ? 0 : n > TCP_NUM_SACKS ? TCP_NUM_SACKS : n;
}

/**
 * Write the options `o` describes at `off` in `buf`, in `tcp_options_write`'s order and 32-bit
 * words, and return their length (a multiple of 4, ≤ 40):
 * 1. MD5: `NOP NOP 19 18` + 16 digest bytes (zeroed here; `md5Off` is set to them);
 * 2. MSS: `2 4 mss`;
 * 3. timestamps: `4 2 8 10` when SACK-permitted goes too (Linux folds it into the NOPs),
 *    else `NOP NOP 8 10`, then TSval, TSecr;
 * 4. SACK-permitted without timestamps: `NOP NOP 4 2`;
 * 5. window scale: `NOP 3 3 shift`;
 * 6. SACK blocks: `NOP NOP 5 (2+8n)` + n start/end pairs;
 * 7. Fast Open: `34 (2+len) cookie` or `254 (4+len) F9 89 cookie`, followed by `NOP NOP` when
 *    the option's length is 2 mod 4 (an empty request is `34 2 NOP NOP`).
 * A SYN from Linux 6.x is thus `2 4 05b4 | 4 2 8 10 TSval TSecr | 1 3 3 ws` (20 bytes); an
 * established segment `1 1 8 10 TSval TSecr`. Which options a segment carries (MSS/WS/
 * SACK-permitted only on SYNs, ≤ 3 SACK blocks with timestamps) is the sender's choice.
 * Throws `NetError('EINVAL')` if the options exceed 40 bytes or a field is out of range.
 */
export function emitTcpOptions(o: TcpOptions, buf: Uint8Array, off: number): number {
  const total = tcpOptionsLen(o);
  if (total > TCP_MAX_OPTLEN) throw new NetError('EINVAL', `TCP options of ${total} bytes (max ${TCP_MAX_OPTLEN})`);
  if (o.numSacks < 0 || o.numSacks > TCP_NUM_SACKS) throw new NetError('EINVAL', `${o.numSacks} SACK blocks`);
  if (o.fastopenLen > 0 && (o.fastopenLen < TCP_FASTOPEN_COOKIE_MIN || o.fastopenLen > TCP_FASTOPEN_COOKIE_MAX || (o.fastopenLen & 1) !== 0 || o.fastopenOff + o.fastopenLen > o.fastopenBuf.length)) {
    throw new NetError('EINVAL', `Fast Open cookie of ${o.fastopenLen} bytes`);
  }
  let p = off;
  if (o.md5) {
    buf[p] = TCPOPT_NOP;
    buf[p + 1] = TCPOPT_NOP;
    buf[p + 2] = TCPOPT_MD5SIG;
    buf[p + 3] = TCPOLEN_MD5SIG;
    buf.fill(0, p + 4, p + 20);
    o.md5Off = p + 4;
    p += TCPOLEN_MD5SIG_ALIGNED;
  }
  if (o.mss > 0) {
    buf[p] = TCPOPT_MSS;
    buf[p + 1] = TCPOLEN_MSS;
    writeU16(buf, p + 2, o.mss);
    p += 4;
  }
  if (o.sawTstamp) {
    if (o.sackOk) {
      buf[p] = TCPOPT_SACK_PERM;
      buf[p + 1] = TCPOLEN_SACK_PERM;
    } else {
      buf[p] = TCPOPT_NOP;
      buf[p + 1] = TCPOPT_NOP;
    }
    buf[p + 2] = TCPOPT_TIMESTAMP;
    buf[p + 3] = TCPOLEN_TIMESTAMP;
    writeU32(buf, p + 4, o.tsVal);
    writeU32(buf, p + 8, o.tsEcr);
    p += TCPOLEN_TSTAMP_ALIGNED;
  } else if (o.sackOk) {
    buf[p] = TCPOPT_NOP;
    buf[p + 1] = TCPOPT_NOP;
    buf[p + 2] = TCPOPT_SACK_PERM;
    buf[p + 3] = TCPOLEN_SACK_PERM;
    p += 4;
  }
  if (o.wscaleOk) {
    buf[p] = TCPOPT_NOP;
    buf[p + 1] = TCPOPT_WINDOW;
    buf[p + 2] = TCPOLEN_WINDOW;
    buf[p + 3] = o.wscale;
    p += 4;
  }
  if (o.numSacks > 0) {
    buf[p] = TCPOPT_NOP;
    buf[p + 1] = TCPOPT_NOP;
    buf[p + 2] = TCPOPT_SACK;
    buf[p + 3] = TCPOLEN_SACK_BASE + o.numSacks * TCPOLEN_SACK_PERBLOCK;
    p += 4;
    for (let i = 0; i < o.numSacks; i++) {
      writeU32(buf, p, o.sackBlocks[2 * i]!);
      writeU32(buf, p + 4, o.sackBlocks[2 * i + 1]!);
      p += 8;
    }
  }
  if (o.fastopenLen >= 0) {
    const clen = o.fastopenLen;
    let l: number;
    if (o.fastopenExp) {
      l = TCPOLEN_EXP_FASTOPEN_BASE + clen;
      buf[p] = TCPOPT_EXP;
      buf[p + 1] = l;
      writeU16(buf, p + 2, TCPOPT_FASTOPEN_MAGIC);
    } else {
      l = TCPOLEN_FASTOPEN_BASE + clen;
      buf[p] = TCPOPT_FASTOPEN;
      buf[p + 1] = l;
    }
    const dst = p + l - clen;
    // TypedArray.set copes with a cookie read from this very buffer (a segment re-emitted in place).
    if (clen > 0) buf.set(o.fastopenBuf.subarray(o.fastopenOff, o.fastopenOff + clen), dst);
    if ((l & 3) === 2) {
      buf[p + l] = TCPOPT_NOP;
      buf[p + l + 1] = TCPOPT_NOP;
    }
    p += (l + 3) & ~3;
  }
  return p - off;
}
