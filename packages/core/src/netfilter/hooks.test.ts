import { describe, expect, it } from 'vitest';
import { World, NetError } from '../index.js';
import {
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_DROP,
  NF_INET_FORWARD,
  NF_INET_LOCAL_IN,
  NF_REPEAT,
  NF_STOLEN,
  NF_STOP,
  type NfHookOps,
} from './hooks.js';

function setup() {
  const world = new World();
  const ns = world.createNamespace('n');
  const skb = world.pool.alloc(64);
  skb.put(64);
  return { world, ns, skb };
}

const hook = (priority: number, fn: NfHookOps['hook'], hooknum = NF_INET_LOCAL_IN): NfHookOps => ({
  pf: NFPROTO_IPV4,
  hooknum,
  priority,
  hook: fn,
  owner: `p${priority}`,
});

describe('netfilter hook registry', () => {
  it('runs hooks by priority, ties in registration order, and only at their hook point', () => {
    const { ns, skb, world } = setup();
    const order: string[] = [];
    ns.netfilter.register(hook(0, () => (order.push('filter'), NF_ACCEPT)));
    ns.netfilter.register(hook(-150, () => (order.push('mangle'), NF_ACCEPT)));
    ns.netfilter.register(hook(0, () => (order.push('filter2'), NF_ACCEPT)));
    ns.netfilter.register(hook(-300, () => (order.push('raw'), NF_ACCEPT)));
    ns.netfilter.register(hook(0, () => (order.push('forward'), NF_ACCEPT), NF_INET_FORWARD));
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_ACCEPT);
    expect(order).toEqual(['raw', 'mangle', 'filter', 'filter2']);
    skb.pool.consume(skb);
    expect(world.pool.live).toBe(0);
  });

  it('DROP frees the packet with NETFILTER_DROP and stops the chain', () => {
    const { ns, skb, world } = setup();
    let later = 0;
    ns.netfilter.register(hook(0, () => NF_DROP));
    ns.netfilter.register(hook(10, () => (later++, NF_ACCEPT)));
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_DROP);
    expect(later).toBe(0);
    expect(ns.dropCounts()).toEqual({ NETFILTER_DROP: 1 });
    expect(world.pool.live).toBe(0);
  });

  it('STOP accepts and skips the rest; STOLEN hands the packet to the hook', () => {
    const { ns, skb, world } = setup();
    let later = 0;
    const stop = hook(0, () => NF_STOP);
    ns.netfilter.register(stop);
    ns.netfilter.register(hook(10, () => (later++, NF_ACCEPT)));
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_ACCEPT);
    expect(later).toBe(0);
    ns.netfilter.unregister(stop);
    const stolen = hook(-1, (s) => (s.pool.consume(s), NF_STOLEN));
    ns.netfilter.register(stolen);
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_STOLEN);
    expect(later).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('REPEAT re-runs a hook, bounded: a hook repeating forever ends in a drop', () => {
    const { ns, skb, world } = setup();
    let calls = 0;
    ns.netfilter.register(hook(0, () => (++calls < 3 ? NF_REPEAT : NF_ACCEPT)));
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_ACCEPT);
    expect(calls).toBe(3);
    const { ns: ns2, skb: skb2, world: world2 } = setup();
    ns2.netfilter.register(hook(0, () => NF_REPEAT));
    expect(ns2.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb2, null, null)).toBe(NF_DROP);
    skb.pool.consume(skb);
    expect(world.pool.live + world2.pool.live).toBe(0);
  });

  it('passes the hook state and rejects bad registrations', () => {
    const { ns, skb } = setup();
    let seen = '';
    const ops = hook(0, (_s, state) => ((seen = `${state.pf}/${state.hook}/${state.net.name}`), NF_ACCEPT), NF_INET_FORWARD);
    ns.netfilter.register(ops);
    ns.netfilter.run(NFPROTO_IPV4, NF_INET_FORWARD, skb, null, null);
    expect(seen).toBe('2/2/n');
    expect(() => ns.netfilter.register(ops)).toThrow(NetError);
    expect(() => ns.netfilter.register({ ...ops, hooknum: 9 })).toThrowError(/EINVAL/);
    ns.netfilter.unregister(ops);
    expect(() => ns.netfilter.unregister(ops)).toThrowError(/ENOENT/);
    skb.pool.consume(skb);
  });
});

describe('nested hook runs', () => {
  it('a hook that sends a packet through another hook does not disturb the outer walk', () => {
    const { ns, skb, world } = setup();
    const seen: string[] = [];
    ns.netfilter.register({
      pf: NFPROTO_IPV4,
      hooknum: NF_INET_LOCAL_IN,
      priority: 0,
      owner: 'rejecter',
      hook: (_s, state) => {
        const reply = world.pool.alloc(20);
        ns.netfilter.run(NFPROTO_IPV4, NF_INET_FORWARD, reply, null, null);
        reply.pool.consume(reply);
        seen.push(`outer hook=${state.hook}`);
        return NF_ACCEPT;
      },
    });
    ns.netfilter.register(hook(0, (_s, state) => (seen.push(`inner hook=${state.hook}`), NF_ACCEPT), NF_INET_FORWARD));
    ns.netfilter.register(hook(10, (_s, state) => (seen.push(`after hook=${state.hook}`), NF_ACCEPT)));
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_ACCEPT);
    expect(seen).toEqual([`inner hook=${NF_INET_FORWARD}`, `outer hook=${NF_INET_LOCAL_IN}`, `after hook=${NF_INET_LOCAL_IN}`]);
    skb.pool.consume(skb);
    expect(world.pool.live).toBe(0);
  });
});

describe('NF_QUEUE', () => {
  it('without a queue handler the packet is dropped; with --queue-bypass it goes on', async () => {
    const { nfQueueNr } = await import('./hooks.js');
    const { ns, skb, world } = setup();
    const q = hook(0, () => nfQueueNr(3));
    ns.netfilter.register(q);
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_DROP);
    expect(ns.dropCounts()).toEqual({ NETFILTER_DROP: 1 });
    ns.netfilter.unregister(q);
    let later = 0;
    ns.netfilter.register(hook(0, () => nfQueueNr(3, true)));
    ns.netfilter.register(hook(5, () => (later++, NF_ACCEPT)));
    const skb2 = world.pool.alloc(10);
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb2, null, null)).toBe(NF_ACCEPT);
    expect(later).toBe(1);
    skb2.pool.consume(skb2);
    expect(world.pool.live).toBe(0);
  });

  it('a queue handler gets the packet, the state and the queue number', async () => {
    const { nfQueueNr, NF_QUEUE } = await import('./hooks.js');
    const { ns, skb, world } = setup();
    const got: string[] = [];
    ns.netfilter.queueHandler = (s, state, queue) => {
      got.push(`${state.hook}/${queue}`);
      s.pool.consume(s);
    };
    ns.netfilter.register(hook(0, () => nfQueueNr(7)));
    expect(ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, null, null)).toBe(NF_QUEUE);
    expect(got).toEqual([`${NF_INET_LOCAL_IN}/7`]);
    expect(world.pool.live).toBe(0);
  });
});
