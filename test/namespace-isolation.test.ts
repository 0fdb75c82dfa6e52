/**
 * Namespaces share no service instance (each has its own child container, nothing lands in the
 * root container), and the container is for composition only: no `resolve()` while packets flow.
 */
import 'reflect-metadata';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lifecycle, container as rootContainer, inject, injectable } from 'tsyringe';
import {
  ETH_P_802_EX1,
  ETH_P_ALL,
  NET_EVENTS,
  NET_NAMESPACE,
  PACKET_TRACE,
  RANDOM,
  RxHandlerResult,
  SCHEDULER,
  SKB_POOL,
  SNMP,
  SYSCTL,
  WORLD,
  consumeSkb,
  devQueueXmit,
  netdevRxHandlerRegister,
  type NetNamespace,
  type Plugin,
  type Sysctl,
} from '@netstack/core';
import { MAC_A, MAC_B, buildFrame, expectPoolBaseline, vethTopology } from './helpers/frames.js';

/** A per-namespace service a plugin registers (a flow table, say), injected by token. */
class FlowTable {
  readonly flows = new Map<number, number>();
  constructor(
    readonly ns: NetNamespace,
    readonly sysctl: Sysctl,
  ) {}
}
// What `@injectable()` and `@inject(TOKEN)` on each constructor parameter compile to.
inject(NET_NAMESPACE)(FlowTable, undefined, 0);
inject(SYSCTL)(FlowTable, undefined, 1);
injectable()(FlowTable);

/** Registers FlowTable container-scoped, resolves it once at setup, keeps it in a plain field. */
function flowsPlugin(): Plugin & { table: FlowTable | null } {
  const plugin = {
    name: 'flows',
    table: null as FlowTable | null,
    setup(ns: NetNamespace) {
      ns.container.register(FlowTable, { useClass: FlowTable }, { lifecycle: Lifecycle.ContainerScoped });
      ns.sysctl.register({ name: 'net.flows.max', default: 4096, min: 1 });
      plugin.table = ns.container.resolve(FlowTable);
    },
  };
  return plugin;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('namespace isolation', () => {
  it('resolves a distinct instance of every per-namespace service token in each namespace', () => {
    const pa = flowsPlugin();
    const pb = flowsPlugin();
    const t = vethTopology({ pluginsA: [pa], pluginsB: [pb] });
    const { a, b } = t;
    const perNamespace = [
      [SYSCTL, (ns: NetNamespace) => ns.sysctl],
      [RANDOM, (ns: NetNamespace) => ns.random],
      [SNMP, (ns: NetNamespace) => ns.snmp],
      [PACKET_TRACE, (ns: NetNamespace) => ns.trace],
      [NET_NAMESPACE, (ns: NetNamespace) => ns],
      [NET_EVENTS, (ns: NetNamespace) => ns.events],
    ] as const;
    for (const [token, own] of perNamespace) {
      const ra = a.container.resolve(token as symbol);
      const rb = b.container.resolve(token as symbol);
      expect(ra, String(token)).not.toBe(rb);
      expect(ra).toBe(own(a));
      expect(rb).toBe(own(b));
    }
    // World-wide services are one instance, seen from both.
    for (const token of [WORLD, SCHEDULER, SKB_POOL]) {
      expect(a.container.resolve(token as symbol)).toBe(b.container.resolve(token as symbol));
    }
    expect(a.container.resolve(WORLD)).toBe(t.world);
  });

  it('gives a ContainerScoped class registered by a plugin one instance per namespace, wired to that namespace', () => {
    const pa = flowsPlugin();
    const pb = flowsPlugin();
    const t = vethTopology({ pluginsA: [pa], pluginsB: [pb] });
    const fa = t.a.container.resolve(FlowTable);
    const fb = t.b.container.resolve(FlowTable);
    expect(fa).toBe(pa.table);
    expect(fb).toBe(pb.table);
    expect(fa).not.toBe(fb);
    expect(fa.ns).toBe(t.a);
    expect(fb.ns).toBe(t.b);
    expect(fa.sysctl).toBe(t.a.sysctl);
    // State really is separate: a sysctl and a table entry written in one namespace only.
    t.a.sysctl.set('net.flows.max', 16);
    fa.flows.set(1, 1);
    expect(t.b.sysctl.get('net.flows.max')).toBe(4096);
    expect(fb.flows.size).toBe(0);
    // Nothing leaked into tsyringe's root container.
    expect(rootContainer.isRegistered(FlowTable, true)).toBe(false);
    expect(rootContainer.isRegistered(SYSCTL, true)).toBe(false);
    expect(rootContainer.isRegistered(WORLD, true)).toBe(false);
  });

  it('keeps drop counters and traces per namespace', () => {
    const t = vethTopology();
    t.a.trace.enable();
    t.b.trace.enable();
    t.deliver({ dst: MAC_B, src: MAC_A, type: 0x88b6 });
    expect(t.b.dropCounts()).toEqual({ UNHANDLED_PROTO: 1 });
    expect(t.a.dropCounts()).toEqual({});
    const ifindexesB = new Set(t.b.trace.entries().map((e) => e.ifindex));
    const ifindexesA = new Set(t.a.trace.entries().map((e) => e.ifindex));
    expect([...ifindexesA]).toEqual([t.va.ifindex]);
    expect([...ifindexesB]).toEqual([t.vb.ifindex]);
    expectPoolBaseline(t.world);
  });
});

describe('the container is for composition only', () => {
  it('makes no resolve() call, in either namespace or the world, while 100 frames flow both ways', () => {
    const t = vethTopology({ pluginsA: [flowsPlugin()], pluginsB: [flowsPlugin()] });
    const { world, a, b, va, vb } = t;
    let echoed = 0;
    let returned = 0;
    let tapped = 0;
    // b echoes every frame back; a counts the echoes. Taps and an rx_handler in the way.
    b.devAddPack({
      type: ETH_P_802_EX1,
      dev: null,
      data: null,
      owner: 'echo',
      func: (skb) => {
        echoed++;
        consumeSkb(skb);
        devQueueXmit(buildFrame(world.pool, { dst: MAC_A, src: MAC_B, type: ETH_P_802_EX1, payload: 20 }, vb));
        return 0;
      },
    });
    a.devAddPack({
      type: ETH_P_802_EX1,
      dev: va,
      data: null,
      owner: 'count',
      func: (skb) => {
        returned++;
        consumeSkb(skb);
        return 0;
      },
    });
    for (const ns of [a, b]) {
      ns.devAddPack({
        type: ETH_P_ALL,
        dev: null,
        data: null,
        owner: 'tap',
        func: (skb) => {
          tapped++;
          consumeSkb(skb);
          return 0;
        },
      });
    }
    netdevRxHandlerRegister(vb, () => RxHandlerResult.Pass);
    a.trace.enable();
    b.trace.enable();

    const spies = [vi.spyOn(a.container, 'resolve'), vi.spyOn(b.container, 'resolve'), vi.spyOn(world.container, 'resolve'), vi.spyOn(rootContainer, 'resolve')];
    for (let i = 0; i < 100; i++) {
      devQueueXmit(buildFrame(world.pool, { dst: MAC_B, src: MAC_A, type: ETH_P_802_EX1, payload: 46 }, va));
      if (i % 10 === 9) world.runFor(1);
    }
    world.runUntilIdle();

    expect([echoed, returned]).toEqual([100, 100]);
    // Each namespace's tap sees both directions: outgoing and incoming.
    expect(tapped).toBe(400);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    // The spies are live: a resolve now is seen, so their silence above means something.
    b.container.resolve(SYSCTL);
    expect(spies[1]).toHaveBeenCalledTimes(1);
    expectPoolBaseline(world);
  });
});
