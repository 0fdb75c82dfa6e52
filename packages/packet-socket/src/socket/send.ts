/**
 * `packet_snd`: a frame (SOCK_RAW: link header included) or a payload (SOCK_DGRAM: the header is
 * built from `sockaddr_ll`) goes to `dev_queue_xmit` on the bound device or the one named in
 * the destination. Errors as Linux: ENXIO without a device, ENETDOWN when it is down, EINVAL for
 * a frame shorter than the link header or a missing/short destination address, EMSGSIZE above
 * the MTU (a VLAN-tagged frame may carry 4 more bytes), ENOBUFS when the qdisc drops it.
 */
import {
  ETH_ALEN,
  ETH_HLEN,
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_ALL,
  NET_XMIT_CN,
  NET_XMIT_SUCCESS,
  NetError,
  XMIT_ENETDOWN,
  copyBytes,
  devQueueXmit,
  ethHeaderPush,
  type NetDevice,
} from '@netstack/core';
import { SOCK_DGRAM } from './constants.js';
import type { PacketDest } from './record.js';
import type { PacketSocket } from './packet-socket.js';

/** LL_RESERVED_SPACE for an Ethernet device: room for the header, rounded to 16, and more for encapsulation. */
const HEADROOM = 128;
const VLAN_HLEN = 4;

export function packetSnd(sk: PacketSocket, data: Uint8Array, offset: number, length: number, dest: PacketDest | null): number {
  sk.checkOpen();
  if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= data.length)) {
    throw new NetError('EFAULT', `bytes ${offset}..${offset + length} outside a buffer of ${data.length}`);
  }
  let dev: NetDevice | undefined;
  let proto: number;
  let addr: Uint8Array | null = null;
  if (dest === null) {
    dev = sk.ifindex > 0 ? sk.ns.devByIndex(sk.ifindex) : undefined;
    proto = sk.num;
  } else {
    if (dest.addr !== undefined && dest.addr.length > 8) throw new NetError('EINVAL', `sll_halen ${dest.addr.length} is longer than sll_addr`);
    dev = sk.ns.devByIndex(dest.ifindex);
    proto = dest.protocol ?? sk.num;
    if (sk.type === SOCK_DGRAM) {
      if (dev !== undefined && dest.addr !== undefined && dest.addr.length < ETH_ALEN) throw new NetError('EINVAL', `destination address of ${dest.addr.length} bytes is shorter than the device's ${ETH_ALEN}`);
      addr = dest.addr ?? null;
    }
  }
  if (dev === undefined) throw new NetError('ENXIO', 'no device to send on: bind the socket to one or name it in the destination');
  if (!dev.isUp) throw new NetError('ENETDOWN', `device ${dev.name} is down`);
  const reserve = sk.type === SOCK_DGRAM ? 0 : ETH_HLEN;
  if (length > dev.mtu + reserve + VLAN_HLEN) throw new NetError('EMSGSIZE', `${length} bytes exceed the MTU ${dev.mtu}${reserve ? ' plus the link header' : ''} of ${dev.name}`);
  if (sk.type === SOCK_DGRAM) {
    if (addr === null) throw new NetError('EINVAL', 'SOCK_DGRAM send needs a destination link-layer address (sll_addr)');
  } else if (length < ETH_HLEN) {
    throw new NetError('EINVAL', `a ${length}-byte frame is shorter than the ${ETH_HLEN}-byte link header (dev_validate_header)`);
  }
  if (length > dev.mtu + reserve && !vlanTagged(sk, data, offset)) {
    throw new NetError('EMSGSIZE', `${length} bytes exceed the MTU ${dev.mtu}${reserve ? ' plus the link header' : ''} of ${dev.name}`);
  }

  const skb = sk.ns.world.pool.alloc(length, HEADROOM);
  const at = skb.put(length);
  copyBytes(skb.buf, at, data, offset, length);
  skb.dev = dev;
  skb.priority = sk.priority;
  skb.mark = sk.mark;
  if (sk.type === SOCK_DGRAM) {
    skb.networkHeader = skb.data;
    ethHeaderPush(skb, proto, addr!, 0, dev.addr);
  } else {
    skb.macHeader = skb.data;
    skb.macLen = ETH_HLEN;
    skb.networkHeader = skb.data + ETH_HLEN;
    // packet_parse_headers: an ETH_P_ALL (or 0) socket's frame says what it carries.
    if (proto === 0 || proto === ETH_P_ALL) proto = (data[offset + 12]! << 8) | data[offset + 13]!;
  }
  skb.protocol = proto;
  sk.noteSent(skb);
  const rc = devQueueXmit(skb);
  if (rc === NET_XMIT_SUCCESS || rc === NET_XMIT_CN) return length;
  if (rc === XMIT_ENETDOWN) throw new NetError('ENETDOWN', `device ${dev.name} went down`);
  throw new NetError('ENOBUFS', `the qdisc of ${dev.name} dropped the frame`);
}

/** `packet_extra_vlan_len_allowed`: a SOCK_RAW frame tagged 802.1Q/802.1ad may be 4 bytes over the MTU. */
function vlanTagged(sk: PacketSocket, data: Uint8Array, offset: number): boolean {
  if (sk.type === SOCK_DGRAM) return false;
  const type = (data[offset + 12]! << 8) | data[offset + 13]!;
  return type === ETH_P_8021Q || type === ETH_P_8021AD;
}
