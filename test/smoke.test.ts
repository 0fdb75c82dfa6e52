import { describe, expect, it } from 'vitest';
import { World, ETH_P_802_EX1, devQueueXmit, consumeSkb, formatMac, TRACE_STAGE_NAMES } from '@netstack/core';
import { loopback, veth, createVethPair } from '@netstack/nic-drivers';

describe('smoke', () => {
  it('sends a frame across a veth pair', () => {
    const world = new World({ seed: 7 });
    const a = world.createNamespace('a', [loopback(), veth()]);
    const b = world.createNamespace('b', [loopback()]);
    const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
    va.open();
    vb.open();
    expect(va.isRunning).toBe(true);
    const got: number[] = [];
    b.devAddPack({ type: ETH_P_802_EX1, dev: null, data: null, owner: 'test', func: (skb) => { got.push(skb.len); consumeSkb(skb); return 0; } });
    b.trace.enable();
    const skb = world.pool.alloc(60);
    const o = skb.put(60);
    skb.buf.set(vb.addr, o);
    skb.buf.set(va.addr, o + 6);
    skb.buf[o + 12] = 0x88; skb.buf[o + 13] = 0xb5;
    skb.dev = va;
    expect(devQueueXmit(skb)).toBe(0);
    world.runUntilIdle();
    expect(got).toEqual([46]);
    expect(world.pool.live).toBe(0);
    console.log(b.trace.entries().map((e) => `${e.stageName} if${e.ifindex} v${e.verdict}`).join('\n'), formatMac(va.addr), TRACE_STAGE_NAMES[1]);
  });
});
