import {
  ARPHRD_LOOPBACK,
  DropReason,
  IFF_LIVE_ADDR_CHANGE,
  IFF_LOOPBACK,
  IFF_NO_QUEUE,
  NETDEV_TX_OK,
  NETIF_F,
  NET_RX_SUCCESS,
  NetDevice,
  definePlugin,
  ethTypeTrans,
  kfreeSkb,
  netifRx,
  skbOrphan,
  type NetNamespace,
  type NetDeviceOps,
  type Plugin,
  type SkBuff,
} from '@netstack/core';

/** The loopback MTU (drivers/net/loopback.c: 64 KiB). */
export const LOOPBACK_MTU = 65536;

const loopbackOps: NetDeviceOps = {
  // loopback_xmit: the packet is "sent" and "received" at once, through this CPU's backlog.
  startXmit(skb: SkBuff, dev: NetDevice) {
    skbOrphan(skb);
    const proto = ethTypeTrans(skb, dev);
    if (proto < 0) {
      dev.stats.tx_dropped++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      return NETDEV_TX_OK;
    }
    skb.protocol = proto;
    // As loopback_xmit: the length is taken after eth_type_trans, so lo's bytes exclude the 14-byte header.
    const len = skb.len;
    if (netifRx(skb) === NET_RX_SUCCESS) {
      dev.stats.tx_packets++;
      dev.stats.tx_bytes += len;
      dev.stats.rx_packets++;
      dev.stats.rx_bytes += len;
    }
    return NETDEV_TX_OK;
  },
};

export interface LoopbackOptions {
  /** Bring `lo` up at setup. Default false: in a new Linux namespace `lo` starts down. */
  up?: boolean;
}

/** Create the loopback device `lo` (ifindex 1) in `ns`. */
export function createLoopback(ns: NetNamespace): NetDevice {
  const f = NETIF_F;
  const dev = new NetDevice({
    name: 'lo',
    kind: 'loopback',
    ops: loopbackOps,
    type: ARPHRD_LOOPBACK,
    mtu: LOOPBACK_MTU,
    maxMtu: LOOPBACK_MTU,
    flags: IFF_LOOPBACK,
    broadcast: new Uint8Array(6),
    privFlags: IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE,
    txQueueLen: 1000,
    operStateUnknown: true,
    features: [f.SG, f.FRAGLIST, f.GSO, f.HW_CSUM, f.RXCSUM, f.HIGHDMA, f.LLTX, f.NETNS_LOCAL, f.LOOPBACK, f.TSO, f.TSO_ECN, f.TSO6, f.GRO],
    hwFeatures: [f.GRO],
  });
  return ns.registerNetdevice(dev);
}

/** Plugin: the loopback device. */
export function loopback(options: LoopbackOptions = {}): Plugin {
  return definePlugin({
    name: 'loopback',
    setup(ns) {
      const lo = createLoopback(ns);
      if (options.up) lo.open();
    },
  });
}
