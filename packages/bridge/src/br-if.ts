/**
 * Ports (net/bridge/br_if.c): `br_add_if` / `br_del_if` (`ip link set dev X master br0` /
 * `nomaster`), the bridge address and MTU that follow the ports, and the netdev notifier
 * (br_device_event in net/bridge/br.c) keeping port states in step with links.
 */
import { ARPHRD_ETHER, ETH_DATA_LEN, IFF_EBRIDGE, IFF_LOOPBACK, IFF_SLAVE, NetError, isValidEtherAddr, netdevRxHandlerRegister, netdevRxHandlerUnregister, netdevUpperDevLink, netdevUpperDevUnlink, type NetDevice } from '@netstack/core';
import { brHandleFrame } from './br-input.js';
import type { Bridge } from './bridge.js';
import { BridgePort } from './port.js';
import { BR_NO_STP } from './stp-contract.js';

function bridgeOfDev(br: NetDevice): Bridge {
  if ((br.privFlags & IFF_EBRIDGE) === 0) throw new NetError('EINVAL', `${br.name} is not a bridge`);
  return br.priv as Bridge;
}

/** `br_add_if`: enslave `dev` to bridge device `brDev`. */
export function brAddIf(brDev: NetDevice, dev: NetDevice): BridgePort {
  const br = bridgeOfDev(brDev);
  if (dev.master === brDev) return br.port(dev); // `ip link set X master br0` again: nothing to do
  if (dev.net !== brDev.net) throw new NetError('EINVAL', `${dev.name} is not in the namespace of ${brDev.name}`);
  if ((dev.flags & IFF_LOOPBACK) !== 0 || dev.type !== ARPHRD_ETHER || !isValidEtherAddr(dev.addr)) {
    throw new NetError('EINVAL', `${dev.name} cannot be a bridge port (loopback, not Ethernet, or no valid address)`);
  }
  // No bridging of bridges.
  if ((dev.privFlags & IFF_EBRIDGE) !== 0) throw new NetError('ELOOP', `Can not enslave a bridge to a bridge (${dev.name})`);
  if (dev.master !== null) throw new NetError('EBUSY', `${dev.name} already has master ${dev.master.name}`);
  const p = new BridgePort(br, dev, br.freePortNo());
  netdevRxHandlerRegister(dev, brHandleFrame, p); // EBUSY when another handler holds the device
  try {
    netdevUpperDevLink(dev, brDev, { master: true });
  } catch (err) {
    netdevRxHandlerUnregister(dev);
    throw err;
  }
  // Bridge ports are not IFF_SLAVE (only bonding sets it): `ip link` shows "master br0" alone.
  dev.flags &= ~IFF_SLAVE;
  dev.setPromiscuity(1);
  br.ports[p.portNo] = p;
  br.portList = [p, ...br.portList];
  br.fdb.addLocal(p.portNo, dev.addr, 0);
  // nbp_vlan_init: the default PVID, egress untagged, with its local entry.
  if (br.defaultPvid !== 0) {
    p.vlans.add(br.defaultPvid, true, true);
    br.fdb.addLocal(p.portNo, dev.addr, br.defaultPvid);
  }
  recalculateBridgeId(br);
  if (br.stp !== null && br.stpState !== BR_NO_STP) br.stp.portAdded(p);
  br.portCarrierCheck(p);
  mtuAutoAdjust(br);
  return p;
}

/** `br_del_if`: release `dev` from its bridge. */
export function brDelIf(brDev: NetDevice, dev: NetDevice): void {
  const br = bridgeOfDev(brDev);
  if (dev.master !== brDev) throw new NetError('EINVAL', `${dev.name} is not a port of ${brDev.name}`);
  const p = br.port(dev);
  br.disablePort(p);
  if (br.stp !== null && br.stpState !== BR_NO_STP) br.stp.portRemoved(p);
  br.portList = br.portList.filter((q) => q !== p);
  br.fdb.removePort(p.portNo);
  br.ports[p.portNo] = null;
  netdevRxHandlerUnregister(dev);
  netdevUpperDevUnlink(dev, brDev);
  dev.setPromiscuity(-1);
  recalculateBridgeId(br);
  br.updateCarrier();
  mtuAutoAdjust(br);
}

/**
 * `br_stp_recalculate_bridge_id`: unless the user set it, the bridge's address is the lowest
 * port address (all zeros when no port is left, as Linux shows).
 */
export function recalculateBridgeId(br: Bridge): void {
  if (br.addrFixed) return;
  let best: Uint8Array | null = null;
  for (const p of br.portList) if (best === null || compareMac(p.dev.addr, best) < 0) best = p.dev.addr;
  const addr = best ?? new Uint8Array(6);
  if (compareMac(addr, br.dev.addr) === 0) return;
  br.changingAddr = true;
  try {
    if (best === null) {
      // br_stp_change_bridge_id with br_mac_zero bypasses the unicast check of setAddress.
      br.fdbChangeMacAddress(addr);
      br.dev.addr.set(addr);
      br.ns.events.emit('netdev', 'NETDEV_CHANGEADDR', br.dev);
    } else br.dev.setAddress(addr);
  } finally {
    br.changingAddr = false;
  }
  br.stp?.bridgeAddrChanged?.();
}

/** `br_mtu_auto_adjust`: the smallest port MTU (1500 without ports), unless the user set one. */
export function mtuAutoAdjust(br: Bridge): void {
  if (br.mtuSetByUser) return;
  let mtu = Infinity;
  for (const p of br.portList) if (p.dev.mtu < mtu) mtu = p.dev.mtu;
  if (mtu === Infinity) mtu = ETH_DATA_LEN;
  if (mtu === br.dev.mtu) return;
  br.adjustingMtu = true;
  try {
    br.dev.setMtu(mtu);
  } finally {
    br.adjustingMtu = false;
  }
}

function compareMac(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** br_device_event and the bridge's own up/down: keep ports, address and MTU in step. */
export function onNetdevEvent(br: Bridge, event: string, dev: NetDevice): void {
  if (dev === br.dev) {
    if (event === 'NETDEV_UP') for (const p of br.portList) br.portCarrierCheck(p);
    else if (event === 'NETDEV_UNREGISTER') for (const p of [...br.portList]) brDelIf(br.dev, p.dev);
    return;
  }
  if (dev.master !== br.dev) return;
  const p = br.portList.find((q) => q.dev === dev);
  if (p === undefined) return;
  switch (event) {
    case 'NETDEV_UP':
    case 'NETDEV_DOWN':
    case 'NETDEV_CHANGE':
      br.portCarrierCheck(p);
      break;
    case 'NETDEV_CHANGEMTU':
      mtuAutoAdjust(br);
      break;
    case 'NETDEV_CHANGEADDR':
      // br_fdb_changeaddr: the port's local entries follow its new address.
      br.fdb.removePort(p.portNo);
      br.fdb.addLocal(p.portNo, dev.addr, 0);
      for (const vid of p.vlans.vids()) br.fdb.addLocal(p.portNo, dev.addr, vid);
      recalculateBridgeId(br);
      break;
    case 'NETDEV_UNREGISTER':
      brDelIf(br.dev, dev);
      break;
  }
}
