/**
 * Test rig for the qdisc tests (not built: test-*.ts): a namespace with one device `eth0` whose
 * driver either takes every frame at once (`linkBps` 0) or serialises frames at `linkBps`, one at
 * a time, stopping its queue meanwhile and waking it on completion, as a NIC with a one-slot ring.
 * Frames are Ethernet + IPv4 + UDP, so flow hashing and ECN marking have headers to read.
 */
import { World } from '../ns/world.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETDEV_TX_OK, type NetdevTx } from '../netdevice/flags.js';
import { consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { devQueueXmit } from '../tx/dev-queue-xmit.js';
import { ETH_P_IP } from '../wire/ethernet.js';
import { internetChecksum, writeU16, writeU32, readU32 } from '../wire/checksum.js';
import type { Timer } from '../time/scheduler.js';

export const MS = 1_000_000;
export const US = 1_000;

export interface SentFrame {
  tag: number;
  at: number;
  len: number;
  sk: unknown;
  tos: number;
  /** IPv4 header checksum valid when the driver got the frame. */
  csumOk: boolean;
}

export interface FrameSpec {
  /** Owning socket (a fake with `tp.cc.sk_pacing_rate`), or null. */
  sk?: unknown;
  /** Frame length (≥ 46). */
  len?: number;
  /** A number carried in the payload, to recognise the frame. */
  tag?: number;
  priority?: number;
  /** EDT time (`skb.tstamp`). */
  tstamp?: number;
  sport?: number;
  dport?: number;
  saddr?: number;
  daddr?: number;
  /** TOS byte: its two low bits are the ECN field. */
  tos?: number;
}

/** A TCP-like socket as fq sees it through sock-pacing.ts: `tp.cc.sk_pacing_rate` in bytes/s (0: none). */
export function fakeSocket(pacingRate = 0): { tp: { cc: { sk_pacing_rate: number; sk_pacing_status: number } }; state: number } {
  return { tp: { cc: { sk_pacing_rate: pacingRate, sk_pacing_status: 0 } }, state: 1 };
}

export interface QdiscRig {
  world: World;
  ns: NetNamespace;
  dev: NetDevice;
  sent: SentFrame[];
  /** Build and `devQueueXmit` one frame; returns the NET_XMIT_* code. */
  send(spec?: FrameSpec): number;
  frame(spec?: FrameSpec): SkBuff;
}

export function qdiscRig(opts: { linkBps?: number; seed?: number; mtu?: number } = {}): QdiscRig {
  const world = new World({ seed: opts.seed ?? 1 });
  const ns = world.createNamespace('h');
  const sent: SentFrame[] = [];
  const linkBps = opts.linkBps ?? 0;
  let inFlight: SkBuff | null = null;
  let timer: Timer | null = null;
  const record = (skb: SkBuff): void => {
    const b = skb.buf;
    const nh = skb.data + 14;
    sent.push({
      tag: readU32(b, nh + 28),
      at: world.scheduler.now(),
      len: skb.len,
      sk: skb.sk,
      tos: b[nh + 1]!,
      csumOk: internetChecksum(b, nh, 20) === 0,
    });
  };
  const dev = new NetDevice({
    name: 'eth0',
    kind: 'dummy',
    mtu: opts.mtu ?? 1500,
    addr: Uint8Array.from([2, 0, 0, 0, 0, 1]),
    ops: {
      startXmit(skb: SkBuff, d: NetDevice): NetdevTx {
        record(skb);
        if (linkBps === 0) {
          consumeSkb(skb);
          return NETDEV_TX_OK;
        }
        inFlight = skb;
        d.stopQueue();
        timer!.arm(Math.ceil((skb.len * 8 * 1e9) / linkBps));
        return NETDEV_TX_OK;
      },
    },
  });
  timer = world.scheduler.createTimer(() => {
    const skb = inFlight!;
    inFlight = null;
    consumeSkb(skb);
    dev.wakeQueue();
  });
  ns.registerNetdevice(dev);
  dev.open();
  const frame = (spec: FrameSpec = {}): SkBuff => {
    const len = Math.max(spec.len ?? 100, 46);
    const skb = world.pool.alloc(len);
    const o = skb.put(len);
    const b = skb.buf;
    b.fill(0, o, o + len);
    b.set([2, 0, 0, 0, 0, 2], o);
    b.set(dev.addr, o + 6);
    writeU16(b, o + 12, ETH_P_IP);
    const nh = o + 14;
    b[nh] = 0x45;
    b[nh + 1] = spec.tos ?? 0;
    writeU16(b, nh + 2, len - 14);
    b[nh + 8] = 64;
    b[nh + 9] = 17;
    writeU32(b, nh + 12, spec.saddr ?? 0x0a000001);
    writeU32(b, nh + 16, spec.daddr ?? 0x0a000002);
    writeU16(b, nh + 10, internetChecksum(b, nh, 20));
    writeU16(b, nh + 20, spec.sport ?? 1000);
    writeU16(b, nh + 22, spec.dport ?? 2000);
    writeU16(b, nh + 24, len - 34);
    writeU32(b, nh + 28, spec.tag ?? 0);
    skb.protocol = ETH_P_IP;
    skb.macHeader = o;
    skb.networkHeader = nh;
    skb.priority = spec.priority ?? 0;
    skb.tstamp = spec.tstamp ?? 0;
    skb.sk = spec.sk ?? null;
    skb.dev = dev;
    return skb;
  };
  return { world, ns, dev, sent, frame, send: (spec) => devQueueXmit(frame(spec)) };
}

/** Nothing leaked: every buffer allocated was freed. */
export function leaks(world: World): { live: number; slots: number } {
  return { live: world.pool.live, slots: world.pool.liveSlots };
}
