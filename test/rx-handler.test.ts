/**
 * The rx_handler contract (reference/receive-path.md §2) as a third-party handler sees it:
 * Consumed / Another / Exact / Pass, buffer replacement through `ctx.skb`, one handler per
 * device (EBUSY), unregister, and the MAX_NEST_DEV bound that makes `Another` terminate.
 */
import { describe, expect, it } from 'vitest';
import {
  ETH_P_802_EX1,
  ETH_P_ALL,
  MAX_NEST_DEV,
  NETDEV_TX_OK,
  NetDevice,
  NetError,
  PACKET_HOST,
  RxHandlerResult,
  consumeSkb,
  etherAddrEqual,
  netdevIsRxHandlerBusy,
  netdevRxHandlerRegister,
  netdevRxHandlerUnregister,
  netdevUpperDevLink,
  parseMac,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { MAC_A, MAC_B, expectPoolBaseline, payloadOf, recordingHandler, vethTopology, type FrameSpec, type Seen } from './helpers/frames.js';

const MAC_MV = parseMac('02:00:00:00:01:01');
const toB = (over: Partial<FrameSpec> = {}): FrameSpec => ({ dst: MAC_B, src: MAC_A, type: ETH_P_802_EX1, payload: 46, ...over });

/** A device that does nothing but exist (an upper device for stacking tests). */
function stubDevice(ns: NetNamespace, name: string, addr?: Uint8Array): NetDevice {
  const dev = new NetDevice({
    name,
    kind: 'stub',
    addr,
    ops: {
      startXmit(skb) {
        consumeSkb(skb);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  dev.open();
  return dev;
}

function expectNetError(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(NetError);
  expect((caught as NetError).code).toBe(code);
}

describe('RxHandlerResult', () => {
  it('Consumed: nothing after the handler runs, and the buffer is the handler’s to free', () => {
    const t = vethTopology();
    const taps: Seen[] = [];
    const log: Seen[] = [];
    recordingHandler(t.b, 'tap', ETH_P_ALL, null, taps);
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    recordingHandler(t.b, 'ex1-bound', ETH_P_802_EX1, t.vb, log);
    const held: SkBuff[] = [];
    netdevRxHandlerRegister(t.vb, (skb) => {
      held.push(skb);
      return RxHandlerResult.Consumed;
    });
    t.deliver(toB());

    expect(taps).toHaveLength(1);
    expect(log).toHaveLength(0);
    expect(t.b.dropCounts()).toEqual({});
    expect(t.vb.stats.rx_dropped + t.vb.stats.rx_nohandler).toBe(0);
    // The receive path did not free it: the handler still holds a live buffer.
    expect(held).toHaveLength(1);
    expect(held[0]!.freed).toBe(false);
    expect(t.world.pool.live).toBe(1);
    consumeSkb(held[0]!);
    expectPoolBaseline(t.world);
  });

  it('Another: the packet re-enters on the upper device, whose taps and rx_handler run', () => {
    const t = vethTopology();
    const mv = stubDevice(t.b, 'mv0', MAC_MV);
    netdevUpperDevLink(t.vb, mv);
    const order: string[] = [];
    const tap = (name: string) => (skb: SkBuff, dev: NetDevice) => {
      order.push(`${name}@${dev.name}`);
      consumeSkb(skb);
      return 0;
    };
    t.b.devAddPack({ type: ETH_P_ALL, dev: null, data: null, owner: 'ns-tap', func: tap('tap:ns') });
    t.b.devAddPack({ type: ETH_P_ALL, dev: t.vb, data: null, owner: 'vb-tap', func: tap('tap:dev') });
    t.b.devAddPack({ type: ETH_P_ALL, dev: mv, data: null, owner: 'mv-tap', func: tap('tap:dev') });
    // A tiny macvlan: frames for the upper device's address move up; others pass.
    let ctxSeen: { dev: string; data: unknown } | null = null;
    netdevRxHandlerRegister(
      t.vb,
      (skb, ctx) => {
        order.push(`rx_handler@${ctx.dev.name}`);
        ctxSeen = { dev: ctx.dev.name, data: ctx.data };
        const upper = ctx.data as NetDevice;
        if (!etherAddrEqual(skb.buf, skb.macHeader, upper.addr, 0)) return RxHandlerResult.Pass;
        skb.dev = upper;
        skb.pktType = PACKET_HOST;
        return RxHandlerResult.Another;
      },
      mv,
    );
    netdevRxHandlerRegister(mv, (_skb, ctx) => {
      order.push(`rx_handler@${ctx.dev.name}`);
      return RxHandlerResult.Pass;
    });
    const log: Seen[] = [];
    const iif: number[] = [];
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, log);
    recordingHandler(t.b, 'bound-lower', ETH_P_802_EX1, t.vb, log);
    t.b.devAddPack({
      type: ETH_P_802_EX1,
      dev: mv,
      data: null,
      owner: 'bound-upper',
      func: (skb, dev, _pt, orig) => {
        iif.push(skb.skbIif);
        log.push({ name: 'bound-upper', dev: dev.name, origDev: orig.name } as Seen);
        consumeSkb(skb);
        return 0;
      },
    });

    t.deliver(toB({ dst: MAC_MV }));
    expect(order).toEqual(['tap:ns@veth1', 'tap:dev@veth1', 'rx_handler@veth1', 'tap:ns@mv0', 'tap:dev@mv0', 'rx_handler@mv0']);
    expect(ctxSeen).toEqual({ dev: 'veth1', data: mv });
    // ptype_base, then orig_dev's ptype_specific, then skb->dev's.
    expect(log.map((s) => [s.name, s.dev, s.origDev])).toEqual([
      ['wild', 'mv0', 'veth1'],
      ['bound-lower', 'mv0', 'veth1'],
      ['bound-upper', 'mv0', 'veth1'],
    ]);
    expect(iif).toEqual([mv.ifindex]);
    // softnet "processed" counts each pass, another_round included.
    expect(t.world.cpus[0]!.processed).toBe(2);

    // A frame for the lower device's own address stays there.
    order.length = 0;
    log.length = 0;
    t.deliver(toB());
    expect(order).toEqual(['tap:ns@veth1', 'tap:dev@veth1', 'rx_handler@veth1']);
    expect(log.map((s) => [s.name, s.dev])).toEqual([
      ['wild', 'veth1'],
      ['bound-lower', 'veth1'],
    ]);
    expectPoolBaseline(t.world);
  });

  it('Exact: wildcard handlers are skipped, handlers bound to the device still get it; with none, rx_nohandler', () => {
    const t = vethTopology();
    const wild: Seen[] = [];
    const bound: Seen[] = [];
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, wild);
    const pt = recordingHandler(t.b, 'bound', ETH_P_802_EX1, t.vb, bound);
    netdevRxHandlerRegister(t.vb, () => RxHandlerResult.Exact);

    t.deliver(toB());
    expect(bound.map((s) => s.dev)).toEqual(['veth1']);
    expect(wild).toHaveLength(0);

    t.b.devRemovePack(pt);
    t.deliver(toB());
    expect(wild).toHaveLength(0);
    expect(bound).toHaveLength(1);
    expect(t.vb.stats.rx_nohandler).toBe(1);
    expect(t.vb.stats.rx_dropped).toBe(0);
    expect(t.b.dropCounts()).toEqual({ UNHANDLED_PROTO: 1 });
    expectPoolBaseline(t.world);
  });

  it('Pass: delivery goes on as if there were no handler', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, log);
    let runs = 0;
    netdevRxHandlerRegister(t.vb, () => {
      runs++;
      return RxHandlerResult.Pass;
    });
    const spec = toB();
    t.deliver(spec);
    expect(runs).toBe(1);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ dev: 'veth1', origDev: 'veth1', pktType: PACKET_HOST });
    expect(log[0]!.bytes).toEqual(payloadOf(spec));
    expectPoolBaseline(t.world);
  });

  it('a handler may replace the buffer through ctx.skb; the new one walks on', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, log);
    let replacementId = 0;
    netdevRxHandlerRegister(t.vb, (skb, ctx) => {
      const copy = skb.copy();
      copy.buf[copy.data] = 0x42;
      replacementId = copy.id;
      ctx.skb = copy;
      consumeSkb(skb);
      return RxHandlerResult.Pass;
    });
    const spec = toB();
    t.deliver(spec);
    expect(log).toHaveLength(1);
    expect(log[0]!.skbId).toBe(replacementId);
    const expected = payloadOf(spec);
    expected[0] = 0x42;
    expect(log[0]!.bytes).toEqual(expected);
    expectPoolBaseline(t.world);
  });
});

describe('registration', () => {
  it('refuses a second rx_handler on a device with EBUSY, keeping the first', () => {
    const t = vethTopology();
    const calls: string[] = [];
    netdevRxHandlerRegister(t.vb, () => {
      calls.push('first');
      return RxHandlerResult.Pass;
    });
    expectNetError(
      () =>
        netdevRxHandlerRegister(t.vb, () => {
          calls.push('second');
          return RxHandlerResult.Pass;
        }),
      'EBUSY',
    );
    expect(netdevIsRxHandlerBusy(t.vb)).toBe(true);
    t.deliver(toB({ type: 0x88b6 }));
    expect(calls).toEqual(['first']);
    expectPoolBaseline(t.world);
  });

  it('unregister restores plain delivery (and frees the slot for another handler)', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, log);
    let eaten = 0;
    netdevRxHandlerRegister(t.vb, (skb) => {
      eaten++;
      consumeSkb(skb);
      return RxHandlerResult.Consumed;
    });
    t.deliver(toB());
    expect([eaten, log.length]).toEqual([1, 0]);

    netdevRxHandlerUnregister(t.vb);
    expect(netdevIsRxHandlerBusy(t.vb)).toBe(false);
    t.deliver(toB());
    expect([eaten, log.length]).toEqual([1, 1]);
    expect(() => netdevRxHandlerRegister(t.vb, () => RxHandlerResult.Pass)).not.toThrow();
    expectPoolBaseline(t.world);
  });
});

describe('bounded Another (MAX_NEST_DEV)', () => {
  it('netdevUpperDevLink rejects cycles with EBUSY', () => {
    const t = vethTopology();
    const [d0, d1, d2] = ['s0', 's1', 's2'].map((n) => stubDevice(t.b, n));
    netdevUpperDevLink(d0!, d1!);
    netdevUpperDevLink(d1!, d2!);
    expectNetError(() => netdevUpperDevLink(d2!, d0!), 'EBUSY');
    expectNetError(() => netdevUpperDevLink(d1!, d0!), 'EBUSY');
    expectNetError(() => netdevUpperDevLink(d1!, d1!), 'EBUSY');
    expect(d2!.upperDevs).toEqual([]);
    expect(d0!.lowerDevs).toEqual([]);
  });

  it('netdevUpperDevLink rejects chains deeper than MAX_NEST_DEV = 8 with EMLINK', () => {
    expect(MAX_NEST_DEV).toBe(8);
    const t = vethTopology();
    const chain = Array.from({ length: 8 }, (_, i) => stubDevice(t.b, `c${i}`));
    for (let i = 0; i < 7; i++) netdevUpperDevLink(chain[i]!, chain[i + 1]!);
    expect(chain[0]!.upperLevel).toBe(8);
    expect(chain[7]!.lowerLevel).toBe(8);
    // One more above the top, or below the bottom, makes nine.
    expectNetError(() => netdevUpperDevLink(chain[7]!, stubDevice(t.b, 'top')), 'EMLINK');
    expectNetError(() => netdevUpperDevLink(stubDevice(t.b, 'bottom'), chain[0]!), 'EMLINK');
    expect(chain[7]!.upperDevs).toEqual([]);
    // Joining two chains counts both: 4 + 4 fits, 4 + 5 does not.
    const p = Array.from({ length: 4 }, (_, i) => stubDevice(t.b, `p${i}`));
    const q = Array.from({ length: 5 }, (_, i) => stubDevice(t.b, `q${i}`));
    for (let i = 0; i < 3; i++) netdevUpperDevLink(p[i]!, p[i + 1]!);
    for (let i = 0; i < 4; i++) netdevUpperDevLink(q[i]!, q[i + 1]!);
    expectNetError(() => netdevUpperDevLink(p[3]!, q[0]!), 'EMLINK');
    netdevUpperDevLink(p[3]!, q[1]!);
    expect(p[0]!.upperLevel).toBe(8);
  });

  it('a handler that always answers Another on a legal 8-deep stack terminates, and the packet is freed with a reason', () => {
    const t = vethTopology();
    const chain: NetDevice[] = [t.vb];
    for (let i = 1; i < MAX_NEST_DEV; i++) {
      const up = stubDevice(t.b, `up${i}`);
      netdevUpperDevLink(chain[i - 1]!, up);
      chain.push(up);
    }
    expect(t.vb.upperLevel).toBe(MAX_NEST_DEV);
    const visits: string[] = [];
    const climb = (skb: SkBuff, ctx: { dev: NetDevice }) => {
      visits.push(ctx.dev.name);
      const up = ctx.dev.upperDevs[0];
      if (up !== undefined) skb.dev = up;
      return RxHandlerResult.Another;
    };
    for (const dev of chain) netdevRxHandlerRegister(dev, climb);
    const log: Seen[] = [];
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, log);

    t.deliver(toB());
    expect(visits.slice(0, MAX_NEST_DEV)).toEqual(chain.map((d) => d.name));
    expect(visits.length).toBeLessThanOrEqual(MAX_NEST_DEV + 1);
    expect(log).toHaveLength(0);
    const drops = Object.values(t.b.dropCounts()).reduce((x, y) => x + y, 0);
    expect(drops).toBe(1);
    expectPoolBaseline(t.world);
  });
});
