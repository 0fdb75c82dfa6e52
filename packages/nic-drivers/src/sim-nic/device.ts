import {
  NETIF_F,
  NetDevice,
  NetError,
  NetdevRssKey,
  definePlugin,
  parseMac,
  randomEtherAddr,
  type LinkSpec,
  type MacAddress,
  type NetDeviceOps,
  type NetNamespace,
  type Plugin,
} from '@netstack/core';
import { SimNic, SIM_NIC_MAX_RING, SIM_NIC_MIN_RING } from './sim-nic.js';
import { SimWire, type SimWireOptions } from './wire.js';
import type { SimNicCoalesce } from './vector.js';
import type { RxCsumMode } from './hw-frame.js';

/** One sim NIC, as `simNic()` / `createSimNic` take it. */
export interface SimNicSpec {
  name: string;
  /** Namespace of the device (default: the one creating it). */
  netns?: NetNamespace;
  address?: MacAddress | string;
  mtu?: number;
  /** RX queues (RSS spreads over them), default 1. */
  rxQueues?: number;
  /** TX queues, default `rxQueues`. */
  txQueues?: number;
  /** RX and TX descriptors per ring, default 512 (64..4096). */
  ringSize?: number;
  rxRingSize?: number;
  txRingSize?: number;
  /** Pre-set maximum of channels (`ethtool -l`), default max(queues, CPUs). */
  maxChannels?: number;
  /** Interrupt coalescing; defaults rx-usecs 8, rx-frames 128, tx-usecs 16, tx-frames 32 (mlx5's). */
  coalesce?: Partial<SimNicCoalesce>;
  /** RX checksum reporting: 'unnecessary' (validated, default) or 'complete' (full sum). */
  rxCsum?: RxCsumMode;
  /** IRQ CPU per queue vector (default queue i → CPU i mod ncpus). */
  irqAffinity?: number[];
  /** RSS key (40 bytes); default the namespace's `netdev_rss_key`. */
  rssKey?: Uint8Array;
}

/** Two sim NICs joined by a wire (`ns.addLink({ kind: 'simnic', name, peer: { name, netns }, rate, delay })`). */
export interface SimNicLinkSpec extends SimNicSpec, SimWireOptions {
  peer: SimNicSpec;
}

export const DEFAULT_SIM_NIC_COALESCE: Readonly<SimNicCoalesce> = { rxUsecs: 8, rxFrames: 128, txUsecs: 16, txFrames: 32 };

/** The host key every sim NIC of a namespace copies (`netdev_rss_key_fill`), kept in its container. */
const RSS_KEY = Symbol.for('netstack.nic-drivers.netdev_rss_key');

function hostRssKey(ns: NetNamespace): NetdevRssKey {
  if (!ns.container.isRegistered(RSS_KEY)) ns.container.register(RSS_KEY, { useValue: new NetdevRssKey(ns.random) });
  return ns.container.resolve<NetdevRssKey>(RSS_KEY);
}

/** Driver-private state behind a sim NIC: the NIC and the carrier listener of its link. */
interface SimNicPriv {
  nic: SimNic | null;
  peer: NetDevice | null;
  detach: () => void;
}

function privOf(dev: NetDevice): SimNicPriv {
  return dev.priv as SimNicPriv;
}

/** The `SimNic` behind a sim NIC device (rings, RSS, coalescing, channels, IRQ affinity, stats). */
export function simNicOf(dev: NetDevice): SimNic {
  const nic = dev.kind === 'simnic' ? privOf(dev).nic : null;
  if (nic === null) throw new NetError('EOPNOTSUPP', `${dev.name} is not a sim NIC`);
  return nic;
}

function syncCarrier(dev: NetDevice): void {
  const peer = privOf(dev).peer;
  const on = peer !== null && dev.isUp && peer.isUp;
  dev.setCarrier(on);
  peer?.setCarrier(on);
}

const simNicOps: NetDeviceOps = {
  open(dev) {
    simNicOf(dev).start();
  },
  stop(dev) {
    simNicOf(dev).stop();
    dev.setCarrier(false);
    privOf(dev).peer?.setCarrier(false);
  },
  startXmit(skb, dev, txq) {
    return simNicOf(dev).xmit(skb, txq) as ReturnType<NetDeviceOps['startXmit']>;
  },
  changeMtu(dev, mtu) {
    const nic = simNicOf(dev);
    // The RX buffers are sized from the MTU: repost them.
    if (nic.running) {
      nic.stop();
      dev.mtu = mtu;
      nic.start();
    }
  },
  vlanRxAddVid(dev, _proto, vid) {
    simNicOf(dev).vlanRxAddVid(vid);
  },
  vlanRxKillVid(dev, _proto, vid) {
    simNicOf(dev).vlanRxKillVid(vid);
  },
  uninit(dev) {
    const priv = privOf(dev);
    simNicUnlink(dev);
    priv.nic = null;
  },
};

function checkCount(what: string, n: number, max: number): number {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new NetError('EINVAL', `${what} ${n} must be an integer in [1, ${max}]`);
  return n;
}

/**
 * Create a sim NIC in `ns` (or `spec.netns`), registered and down, without a link (no carrier)
 * until `simNicLink` joins it to another.
 */
export function createSimNic(ns: NetNamespace, spec: SimNicSpec): NetDevice {
  const target = spec.netns ?? ns;
  const f = NETIF_F;
  const ncpus = target.world.cpus.length;
  const rxQueues = checkCount('rxQueues', spec.rxQueues ?? 1, 256);
  const txQueues = checkCount('txQueues', spec.txQueues ?? rxQueues, 256);
  const maxChannels = checkCount('maxChannels', spec.maxChannels ?? Math.max(rxQueues, txQueues, ncpus), 256);
  if (rxQueues > maxChannels || txQueues > maxChannels) throw new NetError('EINVAL', `queues exceed maxChannels ${maxChannels}`);
  const ring = (n: number | undefined): number => {
    const v = n ?? spec.ringSize ?? 512;
    if (!Number.isInteger(v) || v < SIM_NIC_MIN_RING || v > SIM_NIC_MAX_RING) throw new NetError('EINVAL', `ring size ${v} outside [${SIM_NIC_MIN_RING}, ${SIM_NIC_MAX_RING}]`);
    return v;
  };
  const rxCsum = spec.rxCsum ?? 'unnecessary';
  if (rxCsum !== 'unnecessary' && rxCsum !== 'complete') throw new NetError('EINVAL', `rxCsum must be "unnecessary" or "complete", got ${String(rxCsum)}`);
  const affinity = spec.irqAffinity ?? [];
  for (const cpu of affinity) if (!Number.isInteger(cpu) || cpu < 0 || cpu >= ncpus) throw new NetError('EINVAL', `no CPU ${cpu} (have ${ncpus})`);
  const addr = typeof spec.address === 'string' ? parseMac(spec.address) : (spec.address ?? randomEtherAddr((b) => target.random.fill(b)));
  const priv: SimNicPriv = { nic: null, peer: null, detach: () => {} };
  const dev = new NetDevice({
    name: spec.name,
    kind: 'simnic',
    ops: simNicOps,
    mtu: spec.mtu ?? 1500,
    maxMtu: 9600,
    addr,
    txQueueLen: 1000,
    numRxQueues: rxQueues,
    numTxQueues: txQueues,
    features: [f.SG, f.IP_CSUM, f.IPV6_CSUM, f.HIGHDMA, f.GSO, f.GRO, f.TSO, f.TSO_ECN, f.TSO6, f.RXCSUM, f.RXHASH, f.HW_VLAN_CTAG_TX, f.HW_VLAN_CTAG_RX, f.HW_VLAN_CTAG_FILTER],
    hwFeatures: [f.SG, f.IP_CSUM, f.IPV6_CSUM, f.GSO, f.GRO, f.TSO, f.TSO_ECN, f.TSO6, f.RXCSUM, f.RXHASH, f.HW_VLAN_CTAG_TX, f.HW_VLAN_CTAG_RX, f.HW_VLAN_CTAG_FILTER],
    priv,
  });
  target.registerNetdevice(dev);
  try {
    priv.nic = new SimNic(dev, {
      rxQueues,
      txQueues,
      rxRingSize: ring(spec.rxRingSize),
      txRingSize: ring(spec.txRingSize),
      maxChannels,
      coalesce: { ...DEFAULT_SIM_NIC_COALESCE, ...spec.coalesce },
      rxCsum,
      rssKey: spec.rssKey ?? hostRssKey(target).fill(new Uint8Array(40)),
      irqAffinity: affinity,
    });
    // VID 0 (priority tags) always passes the filter, as the 8021q module adds it on NETDEV_UP.
    priv.nic.vlanRxAddVid(0);
  } catch (err) {
    target.unregisterNetdevice(dev);
    throw err;
  }
  dev.setCarrier(false);
  return dev;
}

/**
 * Plug a wire between two sim NICs (each at most one link). Carrier comes on while both are up.
 * Returns the wire (rate and delay can be changed later with `configure`).
 */
export function simNicLink(a: NetDevice, b: NetDevice, opts: SimWireOptions = {}): SimWire {
  const na = simNicOf(a);
  const nb = simNicOf(b);
  if (a === b) throw new NetError('EINVAL', 'a sim NIC cannot be linked to itself');
  if (na.wire !== null || nb.wire !== null) throw new NetError('EBUSY', `${na.wire !== null ? a.name : b.name} is already linked`);
  const wire = new SimWire(a.net.world, na, nb, opts);
  na.wire = wire;
  nb.wire = wire;
  privOf(a).peer = b;
  privOf(b).peer = a;
  a.iflink = b.ifindex;
  b.iflink = a.ifindex;
  const onUp = (event: string, dev: NetDevice): void => {
    if (event === 'NETDEV_UP' && (dev === a || dev === b)) syncCarrier(dev);
  };
  a.net.events.on('netdev', onUp);
  if (b.net !== a.net) b.net.events.on('netdev', onUp);
  const detach = (): void => {
    a.net.events.off('netdev', onUp);
    b.net.events.off('netdev', onUp);
  };
  privOf(a).detach = detach;
  privOf(b).detach = detach;
  syncCarrier(a);
  return wire;
}

/** Pull the wire out of `dev` (and its peer): frames in flight are lost, carrier goes off. */
export function simNicUnlink(dev: NetDevice): void {
  const priv = privOf(dev);
  const peer = priv.peer;
  if (peer === null) return;
  priv.detach();
  simNicOf(dev).wire?.flush();
  for (const d of [dev, peer]) {
    const p = privOf(d);
    if (p.nic !== null) p.nic.wire = null;
    p.peer = null;
    p.detach = () => {};
    d.iflink = 0;
    d.setCarrier(false);
  }
}

/** Two sim NICs joined by a wire: `name` in `ns` (or `spec.netns`), `spec.peer.name` in its namespace. */
export function createSimNicPair(ns: NetNamespace, spec: SimNicLinkSpec, defaults: Partial<SimNicSpec> = {}): [NetDevice, NetDevice] {
  const { peer, rate, delay, ...self } = spec;
  const a = createSimNic(ns, { ...defaults, ...self });
  let b: NetDevice;
  try {
    b = createSimNic(spec.netns ?? ns, { ...defaults, ...peer });
  } catch (err) {
    a.net.unregisterNetdevice(a);
    throw err;
  }
  simNicLink(a, b, { rate, delay });
  return [a, b];
}

/**
 * Plugin: the `simnic` link kind, two sim NICs and a wire
 * (`ns.addLink({ kind: 'simnic', name: 'eth0', peer: { name: 'eth0', netns }, rate: 1e9, delay: 50_000 })`).
 * `defaults` apply to every NIC created through it (`simNic({ rxQueues: 4, ringSize: 256 })`).
 */
export function simNic(defaults: Partial<SimNicSpec> = {}): Plugin {
  return definePlugin({
    name: 'simnic',
    setup(ns) {
      ns.registerLinkKind('simnic', (target, spec: LinkSpec) => {
        const peer = spec.peer as SimNicSpec | undefined;
        if (typeof spec.name !== 'string' || peer === undefined || typeof peer.name !== 'string') {
          throw new NetError('EINVAL', 'simnic needs { name, peer: { name } }');
        }
        return createSimNicPair(target, spec as unknown as SimNicLinkSpec, defaults)[0];
      });
    },
  });
}
