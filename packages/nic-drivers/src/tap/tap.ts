/**
 * The TAP driver: a netstack device whose wire is a Linux TUN/TAP device, so a namespace of this
 * process talks to the kernel's stack (or anything bridged to it) in real time. One
 * `/dev/net/tun` fd per queue (IFF_MULTI_QUEUE): RX queue i reads fd i through its NAPI, TX queue
 * i writes fd i. With IFF_VNET_HDR (the default) checksum offload and 64 KiB GSO packets cross
 * the boundary both ways, so the device offers TSO and checksum offload to the stack.
 * Needs a World on the real clock (`new World({ clock: 'real' })`).
 */
import {
  NETIF_F,
  NetDevice,
  NetError,
  definePlugin,
  parseMac,
  randomEtherAddr,
  validDevName,
  type LinkSpec,
  type MacAddress,
  type NetDeviceOps,
  type NetNamespace,
  type NetifFeature,
  type Plugin,
  type SkBuff,
} from '@netstack/core';
import { tunNative } from './native.js';
import { MAX_TAP_QUEUES, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN, tapAttach } from './tap-attach.js';
import { TapQueue, tapXmit } from './tap-queue.js';

/** How to attach: `ip tuntap add NAME mode tap [multi_queue] [vnet_hdr]`, seen from our side. */
export interface TapSpec {
  /** The kernel's TAP device to attach to (created, non-persistent, when it does not exist). */
  name: string;
  /** Our device's name in the namespace (default: `name`). */
  ifname?: string;
  /** IFF_MULTI_QUEUE with `queues` fds (default: false, one queue). */
  multiQueue?: boolean;
  /** Queues when `multiQueue` (default 2, at most 256). */
  queues?: number;
  /** IFF_VNET_HDR: checksum and GSO offloads across the boundary (default true). */
  vnetHdr?: boolean;
  /** Our MAC address (default: a random one from the World's seed). */
  address?: MacAddress | string;
  mtu?: number;
  /** Keep the process alive while the device is up (as an open socket does). Default false. */
  keepAlive?: boolean;
  /** Also set the kernel's side up (as `ip link set NAME up`). Default false. */
  kernelLinkUp?: boolean;
}

/** Driver-private state of a TAP device. */
export interface TapPriv {
  /** The kernel's device name. */
  readonly kernelName: string;
  /** netstack created the kernel device (it disappears with the device). */
  readonly created: boolean;
  readonly vnetHdr: boolean;
  readonly queues: TapQueue[];
  readonly keepAlive: boolean;
}

function privOf(dev: NetDevice): TapPriv {
  return dev.priv as TapPriv;
}

const tapOps: NetDeviceOps = {
  open(dev) {
    const p = privOf(dev);
    for (const q of p.queues) q.start(p.keepAlive);
    dev.setCarrier(true);
  },
  stop(dev) {
    for (const q of privOf(dev).queues) q.stop();
    dev.setCarrier(false);
  },
  startXmit(skb: SkBuff, dev, txq) {
    return tapXmit(privOf(dev).queues[txq.index]!, skb);
  },
  uninit(dev) {
    for (const q of privOf(dev).queues) q.close();
  },
};

/** The feature set: offloads only with the vnet header (else the stack checksums and segments). */
function tapFeatures(vnetHdr: boolean): { features: NetifFeature[]; hwFeatures: NetifFeature[] } {
  const f = NETIF_F;
  const offloads: NetifFeature[] = vnetHdr ? [f.HW_CSUM, f.RXCSUM, f.TSO, f.TSO6, f.TSO_ECN] : [];
  return {
    features: [f.SG, f.HIGHDMA, f.GSO, f.GRO, ...offloads],
    hwFeatures: [f.SG, f.GSO, f.GRO, ...offloads],
  };
}

/**
 * Attach to (or create) the kernel's TAP `spec.name` and register our end of it in `ns`, down
 * (`dev.open()` starts the queues). Throws NetError: ENOENT without /dev/net/tun, EPERM/EACCES
 * without CAP_NET_ADMIN, EBUSY/EINVAL when the device is taken or its flags differ.
 */
export function createTap(ns: NetNamespace, spec: TapSpec): NetDevice {
  if (ns.world.scheduler.virtual) throw new NetError('EINVAL', 'a TAP device needs a World on the real clock (new World({ clock: "real" }))');
  if (typeof spec.name !== 'string' || !validDevName(spec.name)) throw new NetError('EINVAL', `invalid TAP device name ${JSON.stringify(spec.name)}`);
  const multiQueue = spec.multiQueue ?? false;
  const queues = multiQueue ? (spec.queues ?? 2) : 1;
  if (!Number.isInteger(queues) || queues < 1 || queues > MAX_TAP_QUEUES) throw new NetError('EINVAL', `queues must be an integer in [1, ${MAX_TAP_QUEUES}], got ${spec.queues}`);
  if (spec.queues !== undefined && !multiQueue && spec.queues !== 1) throw new NetError('EINVAL', 'more than one queue needs multiQueue: true');
  const vnetHdr = spec.vnetHdr ?? true;
  const native = tunNative();
  const att = tapAttach(native, spec.name, queues, multiQueue, vnetHdr, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN);
  let dev: NetDevice;
  try {
    if (spec.kernelLinkUp === true) {
      const rc = native.linkUp(att.ifname);
      if (rc < 0) throw new NetError('EPERM', `cannot set ${att.ifname} up in the kernel (errno ${-rc})`);
    }
    const addr = typeof spec.address === 'string' ? parseMac(spec.address) : (spec.address ?? randomEtherAddr((b) => ns.random.fill(b)));
    const priv: TapPriv = { kernelName: att.ifname, created: att.created, vnetHdr, queues: [], keepAlive: spec.keepAlive ?? false };
    dev = new NetDevice({
      name: spec.ifname ?? att.ifname,
      kind: 'tun',
      ops: tapOps,
      mtu: spec.mtu ?? 1500,
      addr,
      txQueueLen: 1000,
      numTxQueues: queues,
      numRxQueues: queues,
      ...tapFeatures(vnetHdr),
      priv,
    });
    ns.registerNetdevice(dev);
    for (let i = 0; i < queues; i++) priv.queues.push(new TapQueue(dev, i, att.fds[i]!, native, vnetHdr));
  } catch (err) {
    for (const fd of att.fds) native.close(fd);
    throw err;
  }
  dev.setCarrier(false);
  return dev;
}

/** The driver state of a TAP device (kernel name, whether netstack created it, queues). */
export function tapInfo(dev: NetDevice): TapPriv {
  if (dev.kind !== 'tun') throw new NetError('EINVAL', `${dev.name} is not a TAP device`);
  return privOf(dev);
}

/**
 * Plugin: the `tap` link kind (`ns.addLink({ kind: 'tap', name, multiQueue, vnetHdr })`); with a
 * spec, also attaches that device at setup.
 */
export function tap(spec?: TapSpec): Plugin {
  return definePlugin({
    name: 'tap',
    setup(ns) {
      ns.registerLinkKind('tap', (target, link: LinkSpec) => createTap(target, link as unknown as TapSpec));
      if (spec !== undefined) createTap(ns, spec);
    },
  });
}
