/**
 * The bridge device (net/bridge/br_device.c): `br_dev_xmit` switches what the host sends on
 * br0; open/stop enable and disable the ports; the MAC and MTU follow the ports unless set.
 */
import {
  DropReason,
  ETH_HLEN,
  IFF_EBRIDGE,
  IFF_NO_QUEUE,
  NETDEV_TX_OK,
  NETIF_F,
  NetDevice,
  NetError,
  kfreeSkb,
  parseMac,
  randomEtherAddr,
  type MacAddress,
  type NetDeviceOps,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { BR_PKT_BROADCAST, BR_PKT_MULTICAST, BR_PKT_UNICAST } from './constants.js';
import { brFlood, brForward } from './br-forward.js';
import { allowedIngress } from './br-vlan.js';
import { Bridge } from './bridge.js';
import { onNetdevEvent } from './br-if.js';
import { makeStpContext } from './stp-glue.js';
import { BridgeStp } from './stp/stp.js';
import type { BridgeStpCtor } from './stp-contract.js';

export function bridgeOf(dev: NetDevice): Bridge {
  if ((dev.privFlags & IFF_EBRIDGE) === 0) throw new NetError('EINVAL', `${dev.name} is not a bridge`);
  return dev.priv as Bridge;
}

/** `br_dev_xmit`: the host sends on the bridge; deliver like a frame arriving on a port of its own. */
function brDevXmit(skb: SkBuff, dev: NetDevice): typeof NETDEV_TX_OK {
  const br = dev.priv as Bridge;
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += skb.len;
  if (skb.len < ETH_HLEN) {
    kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
    return NETDEV_TX_OK;
  }
  skb.macHeader = skb.data;
  skb.pull(ETH_HLEN);
  let vid = 0;
  if (br.vlanEnabled) {
    vid = allowedIngress(br.vlans, skb);
    if (vid < 0) {
      kfreeSkb(skb, DropReason.INVALID_PROTO);
      return NETDEV_TX_OK;
    }
  }
  br.srcIsolated = false;
  const buf = skb.buf;
  const mac = skb.macHeader;
  if ((buf[mac]! & 1) !== 0) {
    const bcast = (buf[mac]! & buf[mac + 1]! & buf[mac + 2]! & buf[mac + 3]! & buf[mac + 4]! & buf[mac + 5]!) === 0xff;
    brFlood(br, skb, bcast ? BR_PKT_BROADCAST : BR_PKT_MULTICAST, false);
    return NETDEV_TX_OK;
  }
  const t = br.fdb.table;
  const slot = t.find(buf, mac, vid);
  if (slot >= 0) brForward(br.ports[t.port[slot]!] ?? null, skb, false);
  else brFlood(br, skb, BR_PKT_UNICAST, false);
  return NETDEV_TX_OK;
}

const brDevOps: NetDeviceOps = {
  startXmit: brDevXmit,
  // br_dev_open's port enabling runs on NETDEV_UP (br-if.ts), once IFF_UP is set.
  // br_dev_stop → br_stp_disable_bridge: every port disabled.
  stop(dev) {
    const br = dev.priv as Bridge;
    for (const p of br.portList) br.disablePort(p);
  },
  changeMtu(dev) {
    const br = dev.priv as Bridge;
    if (!br.adjustingMtu) br.mtuSetByUser = true;
  },
  setMacAddress(dev, addr) {
    const br = dev.priv as Bridge;
    if (!br.changingAddr) br.addrFixed = true;
    br.fdbChangeMacAddress(addr);
  },
  uninit(dev) {
    const br = dev.priv as Bridge;
    br.fdb.stop();
    br.detach();
  },
};

export interface BridgeOptions {
  name: string;
  /** Seconds (default 300). */
  ageingTime?: number;
  vlanFiltering?: boolean | 0 | 1;
  stpState?: 0 | 1;
  forwardDelay?: number;
  groupFwdMask?: number;
  address?: MacAddress | string;
  mtu?: number;
  /** The STP implementation: 802.1D (src/stp) by default; null: none (ports wait in BLOCKING when stp_state is 1). */
  stp?: BridgeStpCtor | null;
}

/** `ip link add NAME type bridge [ageing_time N] [vlan_filtering 0|1] [stp_state 0|1]`. */
export function createBridge(ns: NetNamespace, opts: BridgeOptions): NetDevice {
  const f = NETIF_F;
  const fixed = opts.address !== undefined;
  const addr = typeof opts.address === 'string' ? parseMac(opts.address) : (opts.address ?? randomEtherAddr((b) => ns.random.fill(b)));
  const dev = new NetDevice({
    name: opts.name,
    kind: 'bridge',
    ops: brDevOps,
    mtu: opts.mtu ?? 1500,
    addr,
    privFlags: IFF_EBRIDGE | IFF_NO_QUEUE,
    txQueueLen: 1000,
    features: [f.SG, f.FRAGLIST, f.HW_CSUM, f.HIGHDMA, f.LLTX, f.GSO, f.TSO, f.TSO6, f.TSO_ECN, f.HW_VLAN_CTAG_TX, f.HW_VLAN_STAG_TX],
    hwFeatures: [f.SG, f.FRAGLIST, f.HW_CSUM, f.GSO, f.TSO, f.TSO6, f.TSO_ECN, f.HW_VLAN_CTAG_TX, f.HW_VLAN_STAG_TX],
  });
  // 802.1D STP (src/stp) unless the caller brings another implementation, or null for none.
  const br = new Bridge(ns, dev, opts.stp === undefined ? BridgeStp : opts.stp);
  // netdev_priv: the device is created first, as alloc_netdev does.
  (dev as { priv: unknown }).priv = br;
  br.stpContext = () => makeStpContext(br);
  br.addrFixed = fixed;
  br.mtuSetByUser = opts.mtu !== undefined;
  if (opts.ageingTime !== undefined) br.setAgeingTime(opts.ageingTime);
  if (opts.forwardDelay !== undefined) br.setForwardDelay(opts.forwardDelay);
  if (opts.groupFwdMask !== undefined) br.setGroupFwdMask(opts.groupFwdMask);
  ns.registerNetdevice(dev);
  // br_vlan_bridge_event(NETDEV_REGISTER): the bridge gets the default PVID, with a local entry.
  br.vlans.add(br.defaultPvid, true, true);
  br.fdb.addLocal(0, dev.addr, br.defaultPvid);
  const listener = (event: string, d: NetDevice): void => onNetdevEvent(br, event, d);
  ns.events.on('netdev', listener);
  br.detach = () => ns.events.off('netdev', listener);
  if (opts.vlanFiltering) br.setVlanFiltering(true);
  if (opts.stpState !== undefined) br.setStpState(opts.stpState);
  return dev;
}
