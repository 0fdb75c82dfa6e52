/**
 * Helpers the interpreter and the JIT share, so both give the same answer by construction for the
 * rare paths: packet loads at negative offsets (`bpf_internal_load_pointer_neg_helper()`), and
 * the netlink attribute lookups behind SKF_AD_NLATTR / SKF_AD_NLATTR_NEST
 * (`bpf_skb_get_nlattr()`, `bpf_skb_get_nlattr_nest()`). None of them allocates.
 *
 * Coordinates: `pkt` is the whole buffer (the SkBuff's `buf`, whose index 0 is `skb->head`), the
 * packet's data is `pkt[off .. off + len)`, and header offsets in the context index `pkt`.
 */
import type { BpfContext } from './context.js';

/** `SKF_NET_OFF` and `SKF_LL_OFF` as the signed 32-bit values the kernel compares against. */
const NET_OFF = -0x100000;
const LL_OFF = -0x200000;

/** Big-endian read of `size` (1, 2, 4) bytes at `at`; the caller has checked bounds. */
function readBe(pkt: Uint8Array, at: number, size: number): number {
  if (size === 1) return pkt[at]!;
  if (size === 2) return (pkt[at]! << 8) | pkt[at + 1]!;
  return ((pkt[at]! << 24) | (pkt[at + 1]! << 16) | (pkt[at + 2]! << 8) | pkt[at + 3]!) >>> 0;
}

/**
 * A load at a negative offset `k` (signed 32-bit): `SKF_NET_OFF + n` reads `n` bytes past the
 * network header, `SKF_LL_OFF + n` past the link-layer header; both may reach back before the
 * data (a UDP socket's filter reading the IP header) but not before the buffer's head nor past
 * the data's end (`ptr >= skb->head && ptr + size <= skb_tail_pointer(skb)`). Anything else,
 * or an unset header, fails. Returns the value, or -1 when the load fails (the program then
 * returns 0, as the kernel's converted program does on the helper's -EFAULT).
 */
export function bpfLoadNeg(pkt: Uint8Array, off: number, len: number, ctx: BpfContext, k: number, size: number): number {
  let ptr: number;
  if (k >= NET_OFF) {
    if (ctx.networkHeader < 0) return -1;
    ptr = ctx.networkHeader + (k - NET_OFF);
  } else if (k >= LL_OFF) {
    if (ctx.macHeader < 0) return -1; // skb_mac_header_was_set() is false
    ptr = ctx.macHeader + (k - LL_OFF);
  } else {
    return -1;
  }
  if (ptr < 0 || ptr + size > off + len) return -1;
  return readBe(pkt, ptr, size);
}

/**
 * A packet load of `size` bytes at signed offset `k` from the data (`bpf_skb_load_helper_*`):
 * the value, or -1 when out of bounds. Used by the interpreter; the JIT inlines the `k >= 0`
 * branch and calls `bpfLoadNeg` for the other.
 */
export function bpfLoad(pkt: Uint8Array, off: number, len: number, ctx: BpfContext, k: number, size: number): number {
  if (k >= 0) {
    if (k > len - size) return -1;
    return readBe(pkt, off + k, size);
  }
  return bpfLoadNeg(pkt, off, len, ctx, k, size);
}

/** `NLA_TYPE_MASK`: the attribute type without NLA_F_NESTED / NLA_F_NET_BYTEORDER. */
const NLA_TYPE_MASK = 0x3fff;
/** `NLA_HDRLEN`: `struct nlattr { u16 nla_len; u16 nla_type; }`, host order (little-endian here, as on x86). */
const NLA_HDRLEN = 4;

/**
 * `nla_find()` over `pkt[start .. start + rem)`: the absolute offset of the first attribute of
 * type `attr`, or -1. Walks while `nla_ok()` holds (`rem >= 4`, `4 <= nla_len <= rem`), stepping
 * by `NLA_ALIGN(nla_len)`.
 */
function nlaFind(pkt: Uint8Array, start: number, rem: number, attr: number): number {
  let pos = start;
  while (rem >= NLA_HDRLEN) {
    const nlaLen = pkt[pos]! | (pkt[pos + 1]! << 8);
    if (nlaLen < NLA_HDRLEN || nlaLen > rem) return -1;
    if (((pkt[pos + 2]! | (pkt[pos + 3]! << 8)) & NLA_TYPE_MASK) === attr) return pos;
    const step = (nlaLen + 3) & ~3;
    pos += step;
    rem -= step;
  }
  return -1;
}

/** SKF_AD_NLATTR: `A = offset of attribute X in the attributes at data + A`, 0 when absent. */
export function bpfNlattr(pkt: Uint8Array, off: number, len: number, a: number, x: number): number {
  if (len < NLA_HDRLEN || a > len - NLA_HDRLEN) return 0;
  const pos = nlaFind(pkt, off + a, len - a, x);
  return pos < 0 ? 0 : pos - off;
}

/** SKF_AD_NLATTR_NEST: the same, searching inside the nested attribute at data + A. */
export function bpfNlattrNest(pkt: Uint8Array, off: number, len: number, a: number, x: number): number {
  if (len < NLA_HDRLEN || a > len - NLA_HDRLEN) return 0;
  const nla = off + a;
  const nlaLen = pkt[nla]! | (pkt[nla + 1]! << 8);
  if (nlaLen > len - a) return 0;
  // nla_find_nested(): search nla_data() for nla_len() = nla_len - NLA_HDRLEN bytes (may be negative: nothing found).
  const pos = nlaFind(pkt, nla + NLA_HDRLEN, nlaLen - NLA_HDRLEN, x);
  return pos < 0 ? 0 : pos - off;
}
