import {
  ETH_P_8021AD,
  ETH_P_8021Q,
  IFF_802_1Q_VLAN,
  IFF_BROADCAST,
  IFF_MULTICAST,
  IFF_NO_QUEUE,
  NETDEV_TX_OK,
  NETIF_F,
  NET_XMIT_CN,
  NET_XMIT_SUCCESS,
  NetDevice,
  NetError,
  VLAN_N_VID,
  VlanGroup,
  definePlugin,
  devQueueXmit,
  netdevUpperDevLink,
  netdevUpperDevUnlink,
  type LinkSpec,
  type NetDeviceOps,
  type NetNamespace,
  type Plugin,
  type SkBuff,
} from '@netstack/core';

/** Driver-private state of a VLAN device. */
export interface VlanPriv {
  realDev: NetDevice;
  proto: number;
  vid: number;
  /** Cleanup of the carrier listener on the real device. */
  detach: () => void;
}

function privOf(dev: NetDevice): VlanPriv {
  return dev.priv as VlanPriv;
}

const vlanOps: NetDeviceOps = {
  // vlan_dev_open: a VLAN cannot come up while its real device is down.
  open(dev) {
    const real = privOf(dev).realDev;
    if (!real.isUp) throw new NetError('ENETDOWN', `${real.name} (the real device of ${dev.name}) is down`);
  },
  /**
   * vlan_dev_hard_start_xmit: put the tag on as metadata (the real device's validate step inserts
   * it into the frame if that device cannot) and send on the real device.
   */
  startXmit(skb: SkBuff, dev: NetDevice) {
    const priv = privOf(dev);
    const len = skb.len;
    skb.vlanProto = priv.proto;
    skb.vlanTci = priv.vid;
    skb.dev = priv.realDev;
    const rc = devQueueXmit(skb);
    if (rc === NET_XMIT_SUCCESS || rc === NET_XMIT_CN) {
      dev.stats.tx_packets++;
      dev.stats.tx_bytes += len;
    } else {
      dev.stats.tx_dropped++;
    }
    return NETDEV_TX_OK;
  },
  uninit(dev) {
    const priv = privOf(dev);
    priv.realDev.vlanGroup?.remove(priv.proto, priv.vid);
    priv.realDev.ops.vlanRxKillVid?.(priv.realDev, priv.proto, priv.vid);
    netdevUpperDevUnlink(priv.realDev, dev);
    priv.detach();
  },
};

export type VlanProtocol = '802.1Q' | '802.1ad';

/** `ip link add link REAL name NAME type vlan id VID [protocol 802.1Q|802.1ad]`. */
export interface VlanSpec {
  name: string;
  /** The real device (or its name in the same namespace). */
  link: NetDevice | string;
  id: number;
  protocol?: VlanProtocol;
}

/** Create a VLAN device on `spec.link`. EEXIST if that VID exists there; ERANGE for a bad VID. */
export function createVlan(ns: NetNamespace, spec: VlanSpec): NetDevice {
  const real = typeof spec.link === 'string' ? ns.dev(spec.link) : spec.link;
  if (real.net !== ns) throw new NetError('EINVAL', `${real.name} is not in namespace "${ns.name}"`);
  if (!Number.isInteger(spec.id) || spec.id < 0 || spec.id >= VLAN_N_VID - 1) throw new NetError('ERANGE', `VLAN id ${spec.id} out of range 0-4094`);
  const protocol = spec.protocol ?? '802.1Q';
  if (protocol !== '802.1Q' && protocol !== '802.1ad') throw new NetError('EPROTONOSUPPORT', `VLAN protocol ${String(protocol)} unknown`);
  const proto = protocol === '802.1Q' ? ETH_P_8021Q : ETH_P_8021AD;
  if (real.vlanGroup?.find(proto, spec.id)) throw new NetError('EEXIST', `VLAN ${spec.id} already exists on ${real.name}`);
  if (real.features.has(NETIF_F.VLAN_CHALLENGED)) throw new NetError('EOPNOTSUPP', `${real.name} cannot carry VLANs`);

  const f = NETIF_F;
  const priv: VlanPriv = { realDev: real, proto, vid: spec.id, detach: () => {} };
  const dev = new NetDevice({
    name: spec.name,
    kind: 'vlan',
    ops: vlanOps,
    mtu: real.mtu,
    maxMtu: real.mtu,
    addr: real.addr,
    flags: real.flags & (IFF_BROADCAST | IFF_MULTICAST),
    privFlags: IFF_802_1Q_VLAN | IFF_NO_QUEUE,
    txQueueLen: 0,
    features: [f.SG, f.FRAGLIST, f.HW_CSUM, f.HIGHDMA, f.GSO, f.GRO, f.LLTX],
    hwFeatures: [f.SG, f.FRAGLIST, f.HW_CSUM, f.GSO, f.GRO],
    priv,
  });
  ns.registerNetdevice(dev);
  dev.iflink = real.ifindex;
  netdevUpperDevLink(real, dev);
  (real.vlanGroup ??= new VlanGroup()).add(proto, spec.id, dev);
  // vlan_vid_add: a NIC with a VLAN filter lets this VID in from now on.
  real.ops.vlanRxAddVid?.(real, proto, spec.id);
  // netif_stacked_transfer_operstate: the VLAN device's carrier follows the real device.
  dev.setCarrier(real.isRunning);
  // vlan_device_event: admin state, carrier and MTU follow the real device; it takes its VLANs with it.
  const follow = (event: string, changed: NetDevice): void => {
    if (changed !== real) return;
    if (event === 'NETDEV_DOWN') dev.close();
    if (event === 'NETDEV_UP' && dev.registered) dev.open();
    if (event === 'NETDEV_CHANGE' || event === 'NETDEV_UP' || event === 'NETDEV_DOWN') dev.setCarrier(real.isRunning);
    if (event === 'NETDEV_CHANGEMTU' && dev.mtu > real.mtu) dev.setMtu(real.mtu);
    if (event === 'NETDEV_UNREGISTER' && dev.registered) ns.unregisterNetdevice(dev);
  };
  ns.events.on('netdev', follow);
  priv.detach = () => ns.events.off('netdev', follow);
  return dev;
}

/** Plugin: the `vlan` link kind (`ns.addLink({ kind: 'vlan', name, link, id, protocol })`). */
export function vlan(): Plugin {
  return definePlugin({
    name: 'vlan',
    setup(ns) {
      ns.registerLinkKind('vlan', (target, spec: LinkSpec) => {
        if (typeof spec.name !== 'string' || spec.link === undefined || typeof spec.id !== 'number') {
          throw new NetError('EINVAL', 'vlan needs { name, link, id }');
        }
        return createVlan(target, spec as unknown as VlanSpec);
      });
    },
  });
}
