/**
 * A VXLAN device (RFC 7348; Linux's drivers/net/vxlan/vxlan_core.c): an Ethernet device whose
 * frames travel in UDP datagrams to remote VTEPs chosen by its FDB. The UDP socket is behind a
 * small interface (`VxlanUnderlay`): node:dgram for a real peer such as the Linux kernel's own
 * `vxlan` device, or a simulated network for VTEPs in virtual time.
 */
import {
  DropReason,
  ETH_HLEN,
  ETH_MAX_MTU,
  ETH_MIN_MTU,
  IFF_NO_QUEUE,
  NETDEV_TX_OK,
  NETIF_F,
  NET_SKB_PAD,
  NSEC_PER_SEC,
  NetDevice,
  NetError,
  SKB_NOT_DROPPED_YET,
  consumeSkb,
  copyBytes,
  definePlugin,
  etherAddrEqual,
  ethTypeTrans,
  formatIPv4,
  kfreeSkb,
  netifRx,
  parseIPv4,
  parseMac,
  randomEtherAddr,
  skbGetHash,
  type LinkSpec,
  type MacAddress,
  type NetDeviceOps,
  type NetNamespace,
  type Plugin,
  type SkBuff,
  type Timer,
} from '@netstack/core';
import { dgramUnderlay } from './dgram-underlay.js';
import { VxlanFdb } from './vxlan-fdb.js';
import { IANA_VXLAN_UDP_PORT, VXLAN_HEADROOM, VXLAN_HLEN, VXLAN_N_VID, VxlanView, writeVxlanHeader } from './vxlan-header.js';
import { DEFAULT_LOCAL_PORT_RANGE, udpFlowSrcPort } from './src-port.js';
import type { VxlanUnderlay, VxlanUnderlayFactory, VxlanUnderlayHandlers } from './underlay.js';

/** `FDB_AGE_DEFAULT`: learned entries live 300 s without traffic. */
export const VXLAN_FDB_AGE_DEFAULT = 300;
/** `FDB_AGE_INTERVAL`: the ageing scan runs every 10 s. */
const FDB_AGE_INTERVAL_NS = 10 * NSEC_PER_SEC;
/** The largest UDP payload in one IPv4 datagram (65535 - 20 - 8). */
const UDP_MAX_PAYLOAD = 65507;

/** `ip link add NAME type vxlan id VNI [dstport P] [local A] [remote A] [srcport MIN MAX] [nolearning] [ttl N] [ageing S] [maxaddress N]`. */
export interface VxlanSpec {
  /** Default `vxlan0`. */
  name?: string;
  /** VXLAN Network Identifier, 0 to 2^24-1 (`id`). */
  vni: number;
  /** UDP destination port, also the port the device listens on (`dstport`). Default 4789 (IANA). */
  dstPort?: number;
  /** Local IPv4 address the socket binds (`local`). Default any. */
  local?: string;
  /** Default remote VTEP (`remote`): the all-zeros FDB entry, for unknown and broadcast destinations. */
  remote?: string;
  /** Source port range (`srcport MIN MAX`); both 0 (default): `net.ipv4.ip_local_port_range`. */
  srcPortMin?: number;
  srcPortMax?: number;
  /** Learn remote VTEPs from received frames (`[no]learning`). Default true. */
  learning?: boolean;
  /** Seconds a learned entry lives without traffic (`ageing`). Default 300. */
  ageing?: number;
  /** Most FDB entries, 0 for no limit (`maxaddress`). */
  maxAddress?: number;
  /** Outer TTL 1-255, or 0 for the host's default (`ttl auto`, the default). */
  ttl?: number;
  /** MTU of the underlay path (plays the `dev` lower device's). Default 1500. */
  underlayMtu?: number;
  /** Device MTU. Default `underlayMtu` - 50 (outer IPv4 + UDP + VXLAN + inner Ethernet). */
  mtu?: number;
  address?: MacAddress | string;
  /** The UDP socket. Default `dgramUnderlay()` (node:dgram, real time). */
  underlay?: VxlanUnderlayFactory;
}

/** Driver-private state of a VXLAN device. */
export interface VxlanPriv {
  readonly vni: number;
  readonly dstPort: number;
  /** Local address, IPv4 as a number (0: any). */
  readonly local: number;
  /** Default remote as a number (0: none). */
  readonly remote: number;
  readonly srcPortMin: number;
  readonly srcPortMax: number;
  readonly learning: boolean;
  readonly ageing: number;
  readonly maxAddress: number;
  readonly ttl: number;
  readonly underlayMtu: number;
  readonly fdb: VxlanFdb;
  /** The open socket while the device is up. */
  underlay: VxlanUnderlay | null;
  /** Settles when the socket of the last `open()` is bound. */
  ready: Promise<void>;
  /** @internal */
  readonly factory: VxlanUnderlayFactory;
  /** @internal `hashrnd` of the flow hash that picks source ports. */
  readonly hashSeed: number;
  /** @internal Port range in use (`srcport`, or the local port range read at open). */
  portLo: number;
  portHi: number;
  /** @internal */
  readonly ageTimer: Timer;
  /** @internal */
  readonly view: VxlanView;
  /** @internal */
  readonly handlers: VxlanUnderlayHandlers;
}

function privOf(dev: NetDevice): VxlanPriv {
  return dev.priv as VxlanPriv;
}

/** Frames from a VTEP to the stack (`vxlan_rcv`): validate, learn, deliver; drops carry reasons, never throw. */
function vxlanRcv(dev: NetDevice, buf: Uint8Array, off: number, len: number, saddr: number): void {
  const priv = privOf(dev);
  const net = dev.net;
  const pool = net.world.pool;
  if (len + NET_SKB_PAD > pool.maxBufferSize) {
    net.countDrop(DropReason.PKT_TOO_BIG);
    return;
  }
  const skb = pool.alloc(len, NET_SKB_PAD);
  copyBytes(skb.buf, skb.put(len), buf, off, len);
  skb.dev = dev;
  const b = skb.buf;
  const v = priv.view.wrap(b, skb.data, skb.len);
  if (!v.checkLen()) return kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
  // The I flag is required before the VNI means anything (no device stats: none was found yet).
  if (!v.vniValid) return kfreeSkb(skb, DropReason.VXLAN_INVALID_HDR);
  if (v.vni !== priv.vni) return kfreeSkb(skb, DropReason.VXLAN_VNI_NOT_FOUND);
  if (v.reservedBitsSet) {
    dev.stats.rx_frame_errors++;
    dev.stats.rx_errors++;
    return kfreeSkb(skb, DropReason.VXLAN_INVALID_HDR);
  }
  skb.pull(VXLAN_HLEN);
  if (skb.len < ETH_HLEN) {
    dev.stats.rx_length_errors++;
    dev.stats.rx_errors++;
    return kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
  }
  const src = skb.data + 6;
  // vxlan_set_mac: our own frames coming back (a loop) are ignored.
  if (etherAddrEqual(b, src, dev.addr, 0)) return kfreeSkb(skb, DropReason.LOCAL_MAC);
  if (priv.learning) {
    const reason = priv.fdb.snoop(b, src, saddr, net.world.scheduler.now());
    if (reason !== SKB_NOT_DROPPED_YET) return kfreeSkb(skb, reason as DropReason);
  }
  skb.protocol = ethTypeTrans(skb, dev);
  // Counted after the Ethernet header is pulled, as the kernel's dev_dstats_rx_add(skb->len).
  dev.stats.rx_packets++;
  dev.stats.rx_bytes += skb.len;
  netifRx(skb);
}

/** Make room for the VXLAN header in front of the frame (a copy only when the headroom is short). */
function withHeadroom(skb: SkBuff): SkBuff {
  if (skb.headroom() >= VXLAN_HLEN) return skb;
  const copy = skb.pool.alloc(skb.len, NET_SKB_PAD);
  copyBytes(copy.buf, copy.put(skb.len), skb.buf, skb.data, skb.len);
  copy.dev = skb.dev;
  consumeSkb(skb);
  return copy;
}

/** Close the socket, stop ageing and flush the FDB (only dynamic entries unless `all`). */
function shutdown(priv: VxlanPriv, all: boolean): void {
  priv.underlay?.close();
  priv.underlay = null;
  priv.ageTimer.cancel();
  priv.fdb.flush(all);
}

const vxlanOps: NetDeviceOps = {
  /** `vxlan_open`: open the socket (`vxlan_sock_add`) and start the ageing scan. */
  open(dev) {
    const priv = privOf(dev);
    if (priv.srcPortMin >= priv.srcPortMax) {
      const name = 'net.ipv4.ip_local_port_range';
      const range = dev.net.sysctl.has(name) ? (dev.net.sysctl.get(name) as readonly number[]) : DEFAULT_LOCAL_PORT_RANGE;
      priv.portLo = range[0]!;
      priv.portHi = range[1]!;
    } else {
      priv.portLo = priv.srcPortMin;
      priv.portHi = priv.srcPortMax;
    }
    const underlay = priv.factory({ local: priv.local, port: priv.dstPort, ttl: priv.ttl, handlers: priv.handlers });
    priv.underlay = underlay;
    priv.ready = underlay.ready;
    if (priv.fdb.hasDynamic()) priv.ageTimer.arm(FDB_AGE_INTERVAL_NS);
  },
  /** `vxlan_stop`: close the socket, stop ageing, forget learned entries (`vxlan_flush(vxlan, false)`). */
  stop(dev) {
    shutdown(privOf(dev), false);
  },
  /** `vxlan_change_mtu`: no larger than the underlay's MTU minus the 50 bytes of encapsulation. */
  changeMtu(dev, mtu) {
    const max = privOf(dev).underlayMtu - VXLAN_HEADROOM;
    if (mtu > max) throw new NetError('EINVAL', `mtu ${mtu} greater than the underlay's ${max} (${privOf(dev).underlayMtu} - ${VXLAN_HEADROOM})`);
  },
  /**
   * `vxlan_xmit` + `vxlan_xmit_one`: pick the FDB entry of the destination MAC (else the
   * all-zeros default), put the VXLAN header in front, send one datagram per remote. The source
   * port comes from the inner flow's hash. A frame larger than the underlay path leaves as one
   * datagram the host fragments (the kernel's default `df unset`); it is not dropped.
   */
  startXmit(orig: SkBuff, dev: NetDevice) {
    const priv = privOf(dev);
    const underlay = priv.underlay;
    const len = orig.len;
    if (underlay === null || len < ETH_HLEN) {
      dev.stats.tx_dropped++;
      kfreeSkb(orig, underlay === null ? DropReason.DEV_READY : DropReason.PKT_TOO_SMALL);
      return NETDEV_TX_OK;
    }
    const f = priv.fdb.lookupTx(orig.buf, orig.data, dev.net.world.scheduler.now());
    if (f === null) {
      dev.stats.tx_dropped++;
      kfreeSkb(orig, DropReason.VXLAN_NO_REMOTE);
      return NETDEV_TX_OK;
    }
    if (len + VXLAN_HLEN > UDP_MAX_PAYLOAD) {
      dev.stats.tx_dropped++;
      kfreeSkb(orig, DropReason.PKT_TOO_BIG);
      return NETDEV_TX_OK;
    }
    const sport = udpFlowSrcPort(skbGetHash(orig, priv.hashSeed), priv.portLo, priv.portHi);
    const skb = withHeadroom(orig);
    const at = skb.push(VXLAN_HLEN);
    let sent = 0;
    let unsent = 0;
    for (const rd of f.remotes) {
      // A remote of 0.0.0.0 (an entry added without `dst`) has nowhere to go.
      if (rd.ip === 0) {
        dev.stats.tx_dropped++;
        unsent++;
        continue;
      }
      writeVxlanHeader(skb.buf, at, rd.vni);
      underlay.send(skb.buf, at, len + VXLAN_HLEN, sport, rd.ip, rd.port);
      dev.stats.tx_packets++;
      dev.stats.tx_bytes += len;
      sent++;
    }
    // One drop per remote that got nothing (the kernel frees one clone per remote).
    const net = dev.net;
    if (sent > 0) consumeSkb(skb);
    else {
      unsent--;
      kfreeSkb(skb, DropReason.VXLAN_NO_REMOTE);
    }
    for (; unsent > 0; unsent--) net.countDrop(DropReason.VXLAN_NO_REMOTE);
    return NETDEV_TX_OK;
  },
  /** `vxlan_uninit`: the permanent entries (the default remote included) go too. */
  uninit(dev) {
    shutdown(privOf(dev), true);
  },
};

function checkInt(what: string, v: number, min: number, max: number, code: 'EINVAL' | 'ERANGE' = 'EINVAL'): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new NetError(code, `${what} ${v} out of range [${min}, ${max}]`);
  return v;
}

function parseUnicast(what: string, text: string | undefined): number {
  if (text === undefined) return 0;
  const a = parseIPv4(text);
  if (Number.isNaN(a)) throw new NetError('EAFNOSUPPORT', `${what} ${text} is not an IPv4 address (IPv6 underlays are not supported)`);
  if (a >= 0xe000_0000 && a < 0xf000_0000) throw new NetError('EOPNOTSUPP', `${what} ${text}: multicast groups are not supported`);
  return a;
}

/**
 * Create a VXLAN device in `ns` (down; `dev.open()` binds its UDP socket). The MAC is random
 * from the namespace's seeded generator unless given.
 */
export function createVxlan(ns: NetNamespace, spec: VxlanSpec): NetDevice {
  const vni = checkInt('VXLAN ID', spec.vni, 0, VXLAN_N_VID - 1, 'ERANGE');
  const dstPort = checkInt('dstport', spec.dstPort ?? IANA_VXLAN_UDP_PORT, 1, 0xffff);
  const srcPortMin = checkInt('srcport', spec.srcPortMin ?? 0, 0, 0xffff);
  const srcPortMax = checkInt('srcport', spec.srcPortMax ?? 0, 0, 0xffff);
  if (srcPortMax < srcPortMin) throw new NetError('EINVAL', `invalid source port range ${srcPortMin}-${srcPortMax}`);
  const ttl = checkInt('ttl', spec.ttl ?? 0, 0, 255);
  const ageing = checkInt('ageing', spec.ageing ?? VXLAN_FDB_AGE_DEFAULT, 0, 0xffff_ffff);
  const maxAddress = checkInt('maxaddress', spec.maxAddress ?? 0, 0, 0xffff_ffff);
  const underlayMtu = checkInt('underlay mtu', spec.underlayMtu ?? 1500, ETH_MIN_MTU + VXLAN_HEADROOM, ETH_MAX_MTU);
  const mtu = checkInt('mtu', spec.mtu ?? underlayMtu - VXLAN_HEADROOM, ETH_MIN_MTU, underlayMtu - VXLAN_HEADROOM);
  const local = parseUnicast('local', spec.local);
  const remote = parseUnicast('remote', spec.remote);
  const addr = typeof spec.address === 'string' ? parseMac(spec.address) : (spec.address ?? randomEtherAddr((b) => ns.random.fill(b)));
  const scheduler = ns.world.scheduler;
  let dev: NetDevice | null = null;
  // vxlan_cleanup every 10 s, but only while some entry can age out: an idle device has no timer
  // pending (so virtual time can go idle), which changes nothing a user can see.
  const ageTimer = scheduler.createTimer(() => {
    if (dev === null || !dev.isUp) return;
    fdb.age(scheduler.now(), ageing * NSEC_PER_SEC);
    if (fdb.hasDynamic()) ageTimer.arm(FDB_AGE_INTERVAL_NS);
  });
  const armAgeing = (): void => {
    if (dev !== null && dev.isUp && !ageTimer.pending) ageTimer.arm(FDB_AGE_INTERVAL_NS);
  };
  const fdb = new VxlanFdb({ vni, port: dstPort, maxAddress, now: () => scheduler.now(), dynamicAdded: armAgeing });
  if (remote !== 0) fdb.addDefaultRemote(remote);

  const priv: VxlanPriv = {
    vni,
    dstPort,
    local,
    remote,
    srcPortMin,
    srcPortMax,
    learning: spec.learning ?? true,
    ageing,
    maxAddress,
    ttl,
    underlayMtu,
    fdb,
    underlay: null,
    ready: Promise.resolve(),
    factory: spec.underlay ?? dgramUnderlay(),
    hashSeed: ns.random.u32(),
    portLo: DEFAULT_LOCAL_PORT_RANGE[0],
    portHi: DEFAULT_LOCAL_PORT_RANGE[1],
    ageTimer,
    view: new VxlanView(),
    handlers: {
      datagram: (buf, off, len, saddr) => {
        if (dev !== null && dev.isUp) vxlanRcv(dev, buf, off, len, saddr);
      },
      sendError: () => {
        if (dev !== null) dev.stats.tx_errors++;
      },
    },
  };
  const f = NETIF_F;
  dev = new NetDevice({
    name: spec.name ?? 'vxlan0',
    kind: 'vxlan',
    ops: vxlanOps,
    mtu,
    maxMtu: ETH_MAX_MTU,
    addr,
    privFlags: IFF_NO_QUEUE,
    txQueueLen: 1000,
    // No checksum or segmentation offload: the stack hands over finished frames (software GSO and
    // checksums in validate_xmit_skb), which is what goes into the datagrams.
    features: [f.SG, f.HIGHDMA, f.LLTX, f.GSO, f.GRO],
    hwFeatures: [f.SG, f.GSO, f.GRO],
    operStateUnknown: true,
    priv,
  });
  ns.registerNetdevice(dev);
  return dev;
}

function vxlanPriv(dev: NetDevice): VxlanPriv {
  if (dev.kind !== 'vxlan') throw new NetError('EINVAL', `${dev.name} is not a vxlan device`);
  return privOf(dev);
}

/** The FDB of a VXLAN device: `bridge fdb add/append/replace/del/show ... dev DEV`. */
export function vxlanFdb(dev: NetDevice): VxlanFdb {
  return vxlanPriv(dev).fdb;
}

/** Settles when the device's UDP socket is bound (after `dev.open()`), or rejects with the bind error (EADDRINUSE, ...). */
export function vxlanReady(dev: NetDevice): Promise<void> {
  const priv = vxlanPriv(dev);
  if (!dev.isUp) return Promise.reject(new NetError('ENETDOWN', `${dev.name} is down: no socket to wait for`));
  return priv.ready;
}

/** The `vxlan ...` line of `ip -d link show DEV`, as iproute2 prints it. */
export function vxlanLinkInfo(dev: NetDevice): string {
  const p = vxlanPriv(dev);
  let s = `vxlan id ${p.vni} `;
  if (p.remote !== 0) s += `remote ${formatIPv4(p.remote)} `;
  if (p.local !== 0) s += `local ${formatIPv4(p.local)} `;
  s += `srcport ${p.srcPortMin} ${p.srcPortMax} dstport ${p.dstPort} `;
  if (!p.learning) s += 'nolearning ';
  s += p.ttl === 0 ? 'ttl auto ' : `ttl ${p.ttl} `;
  s += `ageing ${p.ageing} `;
  if (p.maxAddress !== 0) s += `maxaddr ${p.maxAddress} `;
  return `${s}udpcsum noudp6zerocsumtx noudp6zerocsumrx`;
}

/** Plugin: the `vxlan` link kind (`ns.addLink({ kind: 'vxlan', name, vni, remote, local, dstPort, ... })`). */
export function vxlan(): Plugin {
  return definePlugin({
    name: 'vxlan',
    setup(ns) {
      ns.registerLinkKind('vxlan', (target, spec: LinkSpec) => {
        if (typeof spec.vni !== 'number') throw new NetError('EINVAL', 'vxlan needs { vni }');
        return createVxlan(target, spec as unknown as VxlanSpec);
      });
    },
  });
}
