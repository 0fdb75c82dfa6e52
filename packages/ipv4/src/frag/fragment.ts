/**
 * IPv4 fragmentation on output: the slow path of `ip_do_fragment` (net/ipv4/ip_output.c, with
 * `ip_frag_init`, `ip_frag_next`, `ip_copy_metadata` and `ip_frag_ipcb`). The datagram is copied
 * piece by piece into new pool buffers, each a complete IPv4 packet (RFC 791 section 2.3,
 * "Fragmentation and reassembly"); the frag_list fast path does not apply since our buffers are
 * linear.
 */
import {
  CHECKSUM_PARTIAL,
  DropReason,
  consumeSkb,
  internetChecksum,
  kfreeSkb,
  readU16,
  skbChecksumHelp,
  writeU16,
  type MibGroup,
  type SkBuff,
} from '@netstack/core';
import { IPV4_HLEN, IP_DF, IP_MF, IP_OFFSET } from '../wire/ipv4.js';
import { ipOptionsFragment } from './ip-options-fragment.js';
import { copyBytes } from '@netstack/core';
import { ipFragSlots } from './frag-mib.js';

const EINVAL = -22;
const EMSGSIZE = -90;

/**
 * Fragment the IPv4 datagram at `skb.data` for a link of `mtu` bytes and hand each fragment to
 * `output`, which owns it from then on (as `ip_do_fragment`'s `output` callback does).
 *
 * - Every fragment is at most `mtu` bytes; the payload of each but the last is a multiple of 8
 *   and the offset field counts 8-byte units. ID, TOS, TTL, protocol and addresses are kept;
 *   MF is set on all but the last, and on the last too when the datagram was itself a
 *   non-final fragment (refragmenting keeps its offset and MF: `ip_frag_init`).
 * - Options: the first fragment carries them all; when the datagram starts at offset 0, later
 *   fragments carry only the copied ones, the others replaced by NOPs (`ip_options_fragment`).
 * - Metadata copied as `ip_copy_metadata` does: pktType, priority, protocol, skbIif, dst, dev,
 *   mark, hash, plus the timestamp (`skb_set_delivery_time`); each fragment is a new pool buffer
 *   with the datagram's headroom.
 * - Counters: FragCreates per fragment handed to `output` successfully, then FragOKs once and the
 *   original is consumed. On failure the original is freed, FragFails counted, and the error
 *   returned: -EMSGSIZE for DF set (`ip_fragment`: the caller sends ICMP frag-needed before) or
 *   an MTU with room for fewer than 8 payload bytes, -EINVAL for a header that does not parse
 *   or a partial checksum that cannot be resolved, or `output`'s own non-zero result, which
 *   stops the loop as in the kernel (fragments already sent stay sent).
 *
 * Returns 0 on success.
 */
export function ipFragment(skb: SkBuff, mtu: number, ipMib: MibGroup, output: (frag: SkBuff) => number): number {
  const slots = ipFragSlots(ipMib);
  const mib = ipMib.values;
  // Offloaded checksums are resolved first: each fragment carries part of the transport data.
  // (This may give the buffer its own copy of the bytes, so `buf` is read after it.)
  if (skb.ipSummed === CHECKSUM_PARTIAL && !skbChecksumHelp(skb)) return fail(skb, mib, slots.fragFails, DropReason.NOT_SPECIFIED, EINVAL);
  const buf = skb.buf;
  const nh = skb.data;

  if (skb.len < IPV4_HLEN) return fail(skb, mib, slots.fragFails, DropReason.IP_INHDR, EINVAL);
  const hlen = (buf[nh]! & 0x0f) << 2;
  const totLen = readU16(buf, nh + 2);
  if (hlen < IPV4_HLEN || totLen < hlen || totLen > skb.len) return fail(skb, mib, slots.fragFails, DropReason.IP_INHDR, EINVAL);
  const fragOff = readU16(buf, nh + 6);
  // ip_fragment(): DF without ignore_df is the caller's ICMP_FRAG_NEEDED case.
  if ((fragOff & IP_DF) !== 0) return fail(skb, mib, slots.fragFails, DropReason.NOT_SPECIFIED, EMSGSIZE);
  // Data space per fragment (`mtu - hlen`); fewer than 8 bytes cannot carry a non-final fragment.
  // The kernel never checks: IPv4 devices have mtu >= 68 = 60 + 8 (RFC 791's minimum).
  const space = mtu - hlen;
  if (!(space >= 8) && totLen - hlen > space) return fail(skb, mib, slots.fragFails, DropReason.PKT_TOO_BIG, EMSGSIZE);

  const pool = skb.pool;
  const headroom = skb.data - skb.head;
  const notLastFrag = (fragOff & IP_MF) !== 0;
  const optionsLater = hlen > IPV4_HLEN && (fragOff & IP_OFFSET) === 0;
  let offset = (fragOff & IP_OFFSET) << 3;
  let ptr = nh + hlen;
  let left = totLen - hlen;
  let first = true;

  while (left > 0) {
    // ip_frag_next: as much as fits; all but the last end on an 8-byte boundary.
    let len = left > space ? space : left;
    if (len < left) len &= ~7;
    const size = len + hlen;
    const room = Math.min(headroom, pool.maxBufferSize - size);
    const frag = pool.alloc(size, room);
    copyMetadata(frag, skb);
    const fnh = frag.put(size);
    frag.networkHeader = fnh;
    frag.transportHeader = fnh + hlen;
    const fbuf = frag.buf;
    copyBytes(fbuf, fnh, buf, nh, hlen);
    if (!first && optionsLater) ipOptionsFragment(fbuf, fnh, hlen);
    copyBytes(fbuf, fnh + hlen, buf, ptr, len);
    left -= len;
    let fo = offset >>> 3;
    if (left > 0 || notLastFrag) fo |= IP_MF;
    writeU16(fbuf, fnh + 6, fo);
    writeU16(fbuf, fnh + 2, size);
    writeU16(fbuf, fnh + 10, 0);
    writeU16(fbuf, fnh + 10, internetChecksum(fbuf, fnh, hlen));
    ptr += len;
    offset += len;
    first = false;

    const err = output(frag);
    if (err !== 0) return fail(skb, mib, slots.fragFails, DropReason.NOT_SPECIFIED, err);
    mib[slots.fragCreates]!++;
  }
  consumeSkb(skb);
  mib[slots.fragOKs]!++;
  return 0;
}

/**
 * `ip_copy_metadata` + `skb_set_delivery_time`. The owning socket is not attached: the kernel
 * charges each fragment to it (`skb_set_owner_w`), but that charge belongs to the transport's
 * accounting, which this layer cannot reach; the original keeps its destructor until consumed.
 */
function copyMetadata(to: SkBuff, from: SkBuff): void {
  to.pktType = from.pktType;
  to.priority = from.priority;
  to.protocol = from.protocol;
  to.skbIif = from.skbIif;
  to.dst = from.dst;
  to.dev = from.dev;
  to.mark = from.mark;
  to.hash = from.hash;
  to.hashValid = from.hashValid;
  to.l4Hash = from.l4Hash;
  to.tstamp = from.tstamp;
}

function fail(skb: SkBuff, mib: Float64Array, slot: number, reason: DropReason, err: number): number {
  kfreeSkb(skb, reason);
  mib[slot]!++;
  return err;
}
