/**
 * PACKET_ADD_MEMBERSHIP / PACKET_DROP_MEMBERSHIP (`packet_mc_add`, `packet_mc_drop`,
 * `packet_dev_mc`, `packet_flush_mclist`): a socket's list of device memberships. An entry is
 * counted (adding the same one again only counts up) and holds one reference on the device:
 * PACKET_MR_PROMISC its promiscuity counter, PACKET_MR_ALLMULTI its allmulti counter. Closing
 * the socket drops every entry; a device that goes away takes its entries with it.
 * PACKET_MR_MULTICAST / PACKET_MR_UNICAST need device address lists, which core does not keep:
 * EOPNOTSUPP rather than a silent success.
 */
import { IFF_ALLMULTI, NetError, type NetDevice, type NetNamespace } from '@netstack/core';
import { PACKET_MR_ALLMULTI, PACKET_MR_MULTICAST, PACKET_MR_PROMISC, PACKET_MR_UNICAST, SLL_ADDR_LEN } from './constants.js';

/** `struct packet_mreq`. */
export interface PacketMreq {
  /** Device: ifindex, name, or the device. */
  ifindex: number | string | NetDevice;
  /** PACKET_MR_PROMISC, PACKET_MR_ALLMULTI (PACKET_MR_MULTICAST / UNICAST: EOPNOTSUPP). */
  type: number;
  /** `mr_address[0 .. mr_alen)`. */
  address?: Uint8Array;
}

/** One entry of `po->mclist`. */
export interface PacketMclist {
  ifindex: number;
  type: number;
  count: number;
  addr: Uint8Array;
}

/** `dev_set_allmulti`: core's NetDevice has the counter but no setter; same rules as promiscuity. */
function devSetAllmulti(dev: NetDevice, inc: number): void {
  const next = dev.allmulti + inc;
  if (next < 0) throw new NetError('EINVAL', `allmulti of ${dev.name} would go below zero`);
  dev.allmulti = next;
  const was = dev.flags & IFF_ALLMULTI;
  dev.flags = next > 0 ? dev.flags | IFF_ALLMULTI : dev.flags & ~IFF_ALLMULTI;
  if ((dev.flags & IFF_ALLMULTI) !== was) dev.ops.setRxMode?.(dev);
}

/** `packet_dev_mc`: take (+1) or give back (-1) the device reference an entry stands for. */
function devMc(dev: NetDevice, type: number, what: 1 | -1): void {
  if (type === PACKET_MR_PROMISC) dev.setPromiscuity(what);
  else if (type === PACKET_MR_ALLMULTI) devSetAllmulti(dev, what);
}

export function resolveDev(ns: NetNamespace, d: number | string | NetDevice): NetDevice {
  const dev = typeof d === 'number' ? ns.devByIndex(d) : typeof d === 'string' ? ns.dev(d) : d;
  if (dev === undefined || !dev.registered || dev.net !== ns) throw new NetError('ENODEV', `no such device ${typeof d === 'object' ? d.name : String(d)} in namespace "${ns.name}"`);
  return dev;
}

function sameEntry(ml: PacketMclist, ifindex: number, type: number, addr: Uint8Array): boolean {
  if (ml.ifindex !== ifindex || ml.type !== type || ml.addr.length !== addr.length) return false;
  for (let i = 0; i < addr.length; i++) if (ml.addr[i] !== addr[i]) return false;
  return true;
}

export function mcAdd(ns: NetNamespace, list: PacketMclist[], mreq: PacketMreq): void {
  const dev = resolveDev(ns, mreq.ifindex);
  const addr = mreq.address ?? new Uint8Array(0);
  if (addr.length > SLL_ADDR_LEN || addr.length > dev.addr.length) throw new NetError('EINVAL', `mr_alen ${addr.length} is longer than the address of ${dev.name}`);
  const type = mreq.type;
  if (type === PACKET_MR_MULTICAST || type === PACKET_MR_UNICAST) {
    throw new NetError('EOPNOTSUPP', `PACKET_MR_${type === PACKET_MR_MULTICAST ? 'MULTICAST' : 'UNICAST'}: device address lists are not modelled`);
  }
  if (type !== PACKET_MR_PROMISC && type !== PACKET_MR_ALLMULTI) throw new NetError('EINVAL', `unknown membership type ${type}`);
  for (const ml of list) {
    if (sameEntry(ml, dev.ifindex, type, addr)) {
      ml.count++;
      return;
    }
  }
  devMc(dev, type, 1);
  list.unshift({ ifindex: dev.ifindex, type, count: 1, addr: Uint8Array.from(addr) });
}

export function mcDrop(ns: NetNamespace, list: PacketMclist[], mreq: PacketMreq): void {
  const d = mreq.ifindex;
  const ifindex = typeof d === 'number' ? d : resolveDev(ns, d).ifindex;
  const addr = mreq.address ?? new Uint8Array(0);
  for (let i = 0; i < list.length; i++) {
    const ml = list[i]!;
    if (!sameEntry(ml, ifindex, mreq.type, addr)) continue;
    if (--ml.count === 0) {
      list.splice(i, 1);
      const dev = ns.devByIndex(ifindex);
      if (dev !== undefined) devMc(dev, ml.type, -1);
    }
    return;
  }
  throw new NetError('EADDRNOTAVAIL', `no membership of type ${mreq.type} on ifindex ${ifindex}`);
}

/** `packet_flush_mclist` (close): every entry gives its device reference back once. */
export function mcFlush(ns: NetNamespace, list: PacketMclist[]): void {
  while (list.length > 0) {
    const ml = list.shift()!;
    const dev = ns.devByIndex(ml.ifindex);
    if (dev !== undefined) devMc(dev, ml.type, -1);
  }
}

/** `packet_dev_mclist_delete` (NETDEV_UNREGISTER): entries of a vanished device are forgotten. */
export function mcForgetDevice(list: PacketMclist[], ifindex: number): void {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.ifindex === ifindex) list.splice(i, 1);
}
