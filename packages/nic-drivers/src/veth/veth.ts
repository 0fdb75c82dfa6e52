import {
  DropReason,
  IFF_NO_QUEUE,
  NETDEV_TX_OK,
  NET_XMIT_DROP,
  NETIF_F,
  NET_RX_SUCCESS,
  NetDevice,
  NetError,
  definePlugin,
  ethTypeTrans,
  kfreeSkb,
  netifRx,
  parseMac,
  randomEtherAddr,
  skbScrubPacket,
  ETH_HLEN,
  VLAN_HLEN,
  type LinkSpec,
  type MacAddress,
  type NetDeviceOps,
  type NetNamespace,
  type Plugin,
  type SkBuff,
} from '@netstack/core';

/** Driver-private state of one veth end. */
export interface VethPriv {
  peer: NetDevice | null;
  /** Removes the pair's NETDEV_UP listeners. */
  detach: () => void;
}

function peerOf(dev: NetDevice): NetDevice | null {
  return (dev.priv as VethPriv).peer;
}

function syncCarrier(dev: NetDevice): void {
  const peer = peerOf(dev);
  const on = peer !== null && dev.isUp && peer.isUp;
  dev.setCarrier(on);
  peer?.setCarrier(on);
}

const vethOps: NetDeviceOps = {
  // Carrier is on only while both ends are up: set on NETDEV_UP (see createVethPair), cleared here.
  stop(dev) {
    dev.setCarrier(false);
    peerOf(dev)?.setCarrier(false);
  },
  /**
   * veth_xmit: hand the frame to the peer, which receives it through `netif_rx` on this CPU's
   * backlog, so the whole receive path runs in the peer's namespace. The transmit completes here
   * (the buffer is orphaned), as in Linux.
   */
  startXmit(skb: SkBuff, dev: NetDevice, txq) {
    const peer = peerOf(dev);
    const len = skb.len;
    if (peer === null || !peer.isUp) {
      dev.stats.tx_dropped++;
      if (peer !== null) peer.stats.rx_dropped++;
      kfreeSkb(skb, DropReason.DEV_READY);
      return NET_XMIT_DROP;
    }
    // is_skb_forwardable: no larger than the peer's MTU plus link header (and a VLAN tag).
    if (skb.gsoSize === 0 && len > peer.mtu + ETH_HLEN + VLAN_HLEN) {
      dev.stats.tx_dropped++;
      peer.stats.rx_dropped++;
      kfreeSkb(skb, DropReason.PKT_TOO_BIG);
      return NET_XMIT_DROP;
    }
    skbScrubPacket(skb, dev.net !== peer.net);
    skb.priority = 0;
    const proto = ethTypeTrans(skb, peer);
    if (proto < 0) {
      dev.stats.tx_dropped++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      return NET_XMIT_DROP;
    }
    skb.protocol = proto;
    // veth_xmit: the peer's RX queue is the TX queue the stack picked (queue 0 past the peer's count).
    skb.queueMapping = txq.index < peer.rxQueues.length ? txq.index : 0;
    if (netifRx(skb) === NET_RX_SUCCESS) {
      dev.stats.tx_packets++;
      dev.stats.tx_bytes += len;
      peer.stats.rx_packets++;
      peer.stats.rx_bytes += len;
      return NETDEV_TX_OK;
    }
    dev.stats.tx_dropped++;
    return NET_XMIT_DROP;
  },
  uninit(dev) {
    const peer = peerOf(dev);
    (dev.priv as VethPriv).detach();
    (dev.priv as VethPriv).peer = null;
    if (peer !== null) {
      (peer.priv as VethPriv).peer = null;
      if (peer.registered) peer.net.unregisterNetdevice(peer);
    }
  },
};

/** One end of a pair, as `ip link add NAME type veth peer name PEER [netns NS]` takes it. */
export interface VethEndSpec {
  name: string;
  /** Namespace of this end (the peer's defaults to the first end's). */
  netns?: NetNamespace;
  address?: MacAddress | string;
  mtu?: number;
  /** `numrxqueues N` / `numtxqueues N` (default 1 each). */
  numRxQueues?: number;
  numTxQueues?: number;
}

export interface VethSpec extends VethEndSpec {
  peer: VethEndSpec;
}

function vethDevice(ns: NetNamespace, spec: VethEndSpec): NetDevice {
  const f = NETIF_F;
  const addr = typeof spec.address === 'string' ? parseMac(spec.address) : (spec.address ?? randomEtherAddr((b) => ns.random.fill(b)));
  return new NetDevice({
    name: spec.name,
    kind: 'veth',
    ops: vethOps,
    mtu: spec.mtu ?? 1500,
    addr,
    privFlags: IFF_NO_QUEUE,
    txQueueLen: 1000,
    numRxQueues: spec.numRxQueues,
    numTxQueues: spec.numTxQueues,
    // GRO is off until the user asks (`ethtool -K veth0 gro on`), as Linux's veth since 5.13.
    features: [f.SG, f.FRAGLIST, f.HW_CSUM, f.HIGHDMA, f.RXCSUM, f.LLTX, f.GSO, f.TSO, f.TSO_ECN, f.TSO6, f.TSO_MANGLEID, f.HW_VLAN_CTAG_TX, f.HW_VLAN_STAG_TX, f.HW_VLAN_CTAG_RX, f.HW_VLAN_STAG_RX],
    hwFeatures: [f.SG, f.FRAGLIST, f.HW_CSUM, f.RXCSUM, f.GSO, f.GRO, f.TSO, f.TSO_ECN, f.TSO6, f.TSO_MANGLEID, f.HW_VLAN_CTAG_TX, f.HW_VLAN_STAG_TX, f.HW_VLAN_CTAG_RX, f.HW_VLAN_STAG_RX],
    priv: { peer: null, detach: () => {} } satisfies VethPriv,
  });
}

/**
 * Create a veth pair: `name` in `ns` (or `spec.netns`) and `spec.peer.name` in the peer's
 * namespace. Both ends start down; carrier comes on when both are up.
 */
export function createVethPair(ns: NetNamespace, spec: VethSpec): [NetDevice, NetDevice] {
  const nsA = spec.netns ?? ns;
  const nsB = spec.peer.netns ?? ns;
  if (nsA === nsB && spec.name === spec.peer.name) throw new NetError('EEXIST', `veth ends cannot share the name ${spec.name}`);
  const a = vethDevice(nsA, spec);
  const b = vethDevice(nsB, spec.peer);
  nsA.registerNetdevice(a);
  try {
    nsB.registerNetdevice(b);
  } catch (err) {
    nsA.unregisterNetdevice(a);
    throw err;
  }
  (a.priv as VethPriv).peer = b;
  (b.priv as VethPriv).peer = a;
  a.iflink = b.ifindex;
  b.iflink = a.ifindex;
  a.setCarrier(false);
  b.setCarrier(false);
  const onUp = (event: string, dev: NetDevice): void => {
    if (event === 'NETDEV_UP' && (dev === a || dev === b)) syncCarrier(dev);
  };
  nsA.events.on('netdev', onUp);
  if (nsB !== nsA) nsB.events.on('netdev', onUp);
  const detach = (): void => {
    nsA.events.off('netdev', onUp);
    nsB.events.off('netdev', onUp);
  };
  (a.priv as VethPriv).detach = detach;
  (b.priv as VethPriv).detach = detach;
  return [a, b];
}

/** The peer of a veth end. */
export function vethPeer(dev: NetDevice): NetDevice | null {
  if (dev.kind !== 'veth') throw new NetError('EINVAL', `${dev.name} is not a veth device`);
  return peerOf(dev);
}

/** Plugin: the `veth` link kind (`ns.addLink({ kind: 'veth', name, peer: { name, netns } })`). */
export function veth(): Plugin {
  return definePlugin({
    name: 'veth',
    setup(ns) {
      ns.registerLinkKind('veth', (target, spec: LinkSpec) => {
        const peer = spec.peer as VethEndSpec | undefined;
        if (typeof spec.name !== 'string' || peer === undefined || typeof peer.name !== 'string') {
          throw new NetError('EINVAL', 'veth needs { name, peer: { name } }');
        }
        return createVethPair(target, spec as unknown as VethSpec)[0];
      });
    },
  });
}
