import { describe, expect, it } from 'vitest';
import {
  DropReason,
  ETH_P_802_EX1,
  ETH_P_ALL,
  NETDEV_TX_OK,
  NET_RX_SUCCESS,
  NetDevice,
  NetError,
  RxHandlerResult,
  TC_ACT_OK,
  World,
  consumeSkb,
  ethTypeTrans,
  kfreeSkb,
  netdevIsRxHandlerBusy,
  netdevRxHandlerRegister,
  netifRx,
  parseMac,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { rxHandlerConformance } from '@netstack/conformance';
import { mirrorPort } from '@netstack/example-rx-handler-port-mirror';

// The kit: every check of the rx_handler contract, on a port the kit builds.
rxHandlerConformance('port-mirror', {
  attach(port, ctx) {
    const m = mirrorPort(port, ctx.addDevice('mirror0'));
    return () => m.detach();
  },
  // Every frame passes, and one byte-identical copy leaves mirror0.
  expect: (_frame, ctx) => ({ result: RxHandlerResult.Pass, transmitsOn: [ctx.addDevice('mirror0')] }),
});

// Behaviour tests on a small bench of our own: a wire device that receives what we inject and
// records what it transmits.
interface Wire {
  dev: NetDevice;
  sent: Uint8Array[];
}

function wire(ns: NetNamespace, name: string, mac: string): Wire {
  const sent: Uint8Array[] = [];
  const dev = new NetDevice({
    name,
    kind: 'wire',
    addr: parseMac(mac),
    txQueueLen: 0,
    ops: {
      startXmit(skb, d) {
        sent.push(Uint8Array.from(skb.bytes()));
        d.stats.tx_packets++;
        consumeSkb(skb);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  dev.open();
  return { dev, sent };
}

/** Receive `frame` on `dev` as a driver would, then run the softirq. */
function receive(world: World, dev: NetDevice, frame: Uint8Array): void {
  const skb = world.pool.allocFrom(frame);
  skb.dev = dev;
  const proto = ethTypeTrans(skb, dev);
  if (proto < 0) {
    kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
    return;
  }
  skb.protocol = proto;
  if (netifRx(skb) === NET_RX_SUCCESS) dev.stats.rx_packets++;
  world.runUntilIdle();
}

const PORT_MAC = '02:00:00:00:aa:01';
function frame(opts: { tag?: number; payload?: number[] } = {}): Uint8Array {
  const head = [...parseMac(PORT_MAC), ...parseMac('02:00:00:00:aa:fe')];
  const tag = opts.tag === undefined ? [] : [0x81, 0x00, opts.tag >> 8, opts.tag & 0xff];
  const payload = opts.payload ?? Array.from({ length: 46 }, (_, i) => i);
  return Uint8Array.from([...head, ...tag, ETH_P_802_EX1 >> 8, ETH_P_802_EX1 & 0xff, ...payload]);
}

function bench() {
  const world = new World({ seed: 3 });
  const ns = world.createNamespace('h', []);
  const port = wire(ns, 'eth0', PORT_MAC);
  const span = wire(ns, 'span0', '02:00:00:00:aa:02');
  const local: { dev: string; payload: number[]; vlanTci: number }[] = [];
  ns.devAddPack({
    type: ETH_P_802_EX1,
    dev: null,
    data: null,
    owner: 'test',
    func(skb: SkBuff, dev: NetDevice) {
      local.push({ dev: dev.name, payload: [...skb.bytes()], vlanTci: skb.vlanTci });
      consumeSkb(skb);
      return 0;
    },
  });
  const baseline = () => [world.pool.live, world.pool.liveSlots];
  return { world, ns, port, span, local, baseline };
}

describe('mirrorPort', () => {
  it('sends a byte-identical copy of each received frame out of the target, and passes the original up', () => {
    const b = bench();
    const m = mirrorPort(b.port.dev, b.span.dev);
    const f1 = frame();
    const f2 = frame({ payload: [9, 8, 7, ...Array.from({ length: 60 }, () => 1)] });
    receive(b.world, b.port.dev, f1);
    receive(b.world, b.port.dev, f2);
    expect(b.span.sent).toEqual([f1, f2]);
    expect(b.local.map((l) => [l.dev, l.payload])).toEqual([
      ['eth0', [...f1.subarray(14)]],
      ['eth0', [...f2.subarray(14)]],
    ]);
    expect(m.stats).toEqual({ mirrored: 2, txDropped: 0, skipped: 0 });
    expect(b.span.dev.stats.tx_packets).toBe(2);
    expect(b.port.dev.stats.rx_packets).toBe(2);
    expect(b.ns.dropCounts()).toEqual({});
    expect(b.baseline()).toEqual([0, 0]);
  });

  it('mirrors a tagged frame with its tag, while local delivery sees it untagged with vlanTci', () => {
    const b = bench();
    mirrorPort(b.port.dev, b.span.dev);
    const f = frame({ tag: 0x2005 });
    receive(b.world, b.port.dev, f);
    expect(b.span.sent).toEqual([f]);
    expect(b.local).toHaveLength(1);
    expect(b.local[0]!.payload).toEqual([...f.subarray(18)]);
    expect(b.baseline()).toEqual([0, 0]);
  });

  it('never changes the bytes a tap holds (it only reads the shared buffer)', () => {
    const b = bench();
    const held: SkBuff[] = [];
    b.ns.devAddPack({ type: ETH_P_ALL, dev: b.port.dev, data: null, owner: 'tap', func: (skb) => (held.push(skb), 0) });
    mirrorPort(b.port.dev, b.span.dev);
    const f = frame({ tag: 7 });
    receive(b.world, b.port.dev, f);
    expect(held).toHaveLength(1);
    const tap = held[0]!;
    // The tap's clone starts at the MAC header the receive path restored after untagging.
    const untagged = [...f.subarray(0, 12), ...f.subarray(16)];
    expect([...tap.buf.subarray(tap.macHeader, tap.tail)]).toEqual(untagged);
    consumeSkb(tap);
    expect(b.baseline()).toEqual([0, 0]);
  });

  it('with the target down, the frame still passes; the copy is dropped DEV_READY and counted', () => {
    const b = bench();
    const m = mirrorPort(b.port.dev, b.span.dev);
    b.span.dev.close();
    receive(b.world, b.port.dev, frame());
    expect(b.local).toHaveLength(1);
    expect(b.span.sent).toEqual([]);
    expect(m.stats).toEqual({ mirrored: 0, txDropped: 1, skipped: 0 });
    expect(b.ns.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(b.baseline()).toEqual([0, 0]);
  });

  it('refuses a port that already has an rx_handler (EBUSY) and mirroring a port to itself (EINVAL)', () => {
    const b = bench();
    const first = mirrorPort(b.port.dev, b.span.dev);
    const err = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return null;
    };
    const busy = err(() => mirrorPort(b.port.dev, b.span.dev));
    expect(busy).toBeInstanceOf(NetError);
    expect((busy as NetError).code).toBe('EBUSY');
    const self = err(() => mirrorPort(b.span.dev, b.span.dev));
    expect((self as NetError).code).toBe('EINVAL');
    expect(netdevIsRxHandlerBusy(b.span.dev)).toBe(false);
    // The first mirror still works.
    receive(b.world, b.port.dev, frame());
    expect(first.stats.mirrored).toBe(1);
  });

  it('detach stops mirroring and frees the slot; a second detach does not remove a newer handler', () => {
    const b = bench();
    const m = mirrorPort(b.port.dev, b.span.dev);
    m.detach();
    expect(netdevIsRxHandlerBusy(b.port.dev)).toBe(false);
    receive(b.world, b.port.dev, frame());
    expect(b.span.sent).toEqual([]);
    expect(b.local).toHaveLength(1);
    const other = () => RxHandlerResult.Pass;
    netdevRxHandlerRegister(b.port.dev, other);
    m.detach();
    expect(b.port.dev.rxHandler).toBe(other);
  });

  it('scrubs copies that cross into another namespace (the mark does not leak)', () => {
    const b = bench();
    const other = b.world.createNamespace('collector', []);
    const span = wire(other, 'span1', '02:00:00:00:bb:01');
    const marks: number[] = [];
    // tc ingress marks the frame before the rx_handler runs; tc egress on the target reads it.
    b.port.dev.tcIngress = (skb) => {
      skb.mark = 0x42;
      return TC_ACT_OK;
    };
    span.dev.tcEgress = (skb) => {
      marks.push(skb.mark);
      return TC_ACT_OK;
    };
    const sameNs = wire(b.ns, 'span2', '02:00:00:00:bb:02');
    const sameNsMirror = { marks: [] as number[] };
    sameNs.dev.tcEgress = (skb) => {
      sameNsMirror.marks.push(skb.mark);
      return TC_ACT_OK;
    };
    const m = mirrorPort(b.port.dev, span.dev);
    receive(b.world, b.port.dev, frame());
    expect(span.sent).toHaveLength(1);
    expect(marks).toEqual([0]);
    // Within one namespace the mark stays, as skb_scrub_packet(skb, xnet=false) keeps it.
    m.detach();
    mirrorPort(b.port.dev, sameNs.dev);
    receive(b.world, b.port.dev, frame());
    expect(sameNsMirror.marks).toEqual([0x42]);
    expect(b.baseline()).toEqual([0, 0]);
  });
});
