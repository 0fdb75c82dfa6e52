import { describe, expect, it } from 'vitest';
import { CHECKSUM_PARTIAL, ETH_P_8021Q, NET_SKB_PAD, World, type SkBuff } from '@netstack/core';
import { rxDmaSwap } from './hw-frame.js';

/** The metadata a receiver can see, bytes included. */
function view(skb: SkBuff) {
  return {
    bytes: [...skb.bytes()],
    headroom: skb.headroom(),
    tailroom: skb.tailroom(),
    truesize: skb.truesize,
    headers: [skb.macHeader, skb.networkHeader, skb.transportHeader, skb.macLen],
    proto: [skb.protocol, skb.pktType, skb.dev, skb.skbIif, skb.queueMapping, skb.napiId, skb.oooOkay, skb.priority],
    hash: [skb.hash, skb.hashValid, skb.l4Hash],
    csum: [skb.ipSummed, skb.csum, skb.csumStart, skb.csumOffset, skb.csumLevel],
    gso: [skb.gsoSize, skb.gsoSegs, skb.gsoType],
    vlan: [skb.vlanProto, skb.vlanTci],
    other: [skb.mark, skb.tstamp, skb.dst, skb.cloned, skb.next, [...skb.cb]],
  };
}

/** A frame as a sender leaves it: `bytes` at NET_SKB_PAD headroom, with the sender's metadata all over it. */
function senderFrame(world: World, bytes: number[]): SkBuff {
  const f = world.pool.alloc(bytes.length);
  f.buf.set(bytes, f.put(bytes.length));
  f.macHeader = f.data;
  f.networkHeader = f.data + 14;
  f.transportHeader = f.data + 34;
  f.protocol = 0x0800;
  f.priority = 6;
  f.mark = 0x77;
  f.hash = 1234;
  f.hashValid = true;
  f.ipSummed = CHECKSUM_PARTIAL;
  f.csumStart = f.data + 34;
  f.csumOffset = 16;
  f.gsoSize = 1448;
  f.tstamp = 99;
  f.queueMapping = 3;
  f.cb[0] = 0xdeadbeef;
  return f;
}

/** What a copying RX DMA gives: a fresh posted buffer with the bytes put. */
function copied(world: World, bytes: number[]): SkBuff {
  const skb = world.pool.alloc(1518 + 4);
  skb.buf.set(bytes, skb.put(bytes.length));
  return skb;
}

const frameBytes = (n: number, tag = false): number[] => {
  const b = Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
  if (tag) [b[12], b[13], b[14], b[15]] = [0x81, 0x00, 0x20, 0x0a];
  return b;
};

describe('sim NIC RX DMA by buffer swap', () => {
  it('the frame becomes a received buffer identical to a copied one: bytes, headroom, truesize, no sender metadata', () => {
    const world = new World({ seed: 1 });
    const bytes = frameBytes(1514);
    const posted = world.pool.alloc(1518 + 4);
    const frame = senderFrame(world, bytes);
    expect(rxDmaSwap(frame, posted, true)).toBe(true);
    const ref = copied(world, bytes);
    expect(view(frame)).toEqual(view(ref));
    expect(frame.headroom()).toBe(NET_SKB_PAD);
    // The posted buffer is untouched: still empty, ready for the refill.
    expect([posted.len, posted.headroom()]).toEqual([0, NET_SKB_PAD]);
    for (const s of [frame, posted, ref]) world.pool.consume(s);
    expect(world.pool.live).toBe(0);
  });

  it('strips an 802.1Q tag as the copying DMA does (tag into vlanProto/vlanTci, addresses moved up)', () => {
    const world = new World({ seed: 1 });
    const tagged = frameBytes(1000, true);
    const posted = world.pool.alloc(1518 + 4);
    const frame = senderFrame(world, tagged);
    expect(rxDmaSwap(frame, posted, true)).toBe(true);
    expect([...frame.bytes()]).toEqual([...tagged.slice(0, 12), ...tagged.slice(16)]);
    expect([frame.vlanProto, frame.vlanTci, frame.len]).toEqual([ETH_P_8021Q, 0x200a, 996]);
    // Without stripping the tag stays in the bytes.
    const kept = senderFrame(world, tagged);
    expect(rxDmaSwap(kept, posted, false)).toBe(true);
    expect([...kept.bytes()]).toEqual(tagged);
    expect(kept.vlanProto).toBe(0);
    for (const s of [frame, kept, posted]) world.pool.consume(s);
    expect(world.pool.live).toBe(0);
  });

  it('refuses a buffer that is not interchangeable with the posted one (shared, other size class or headroom, owned)', () => {
    const world = new World({ seed: 1 });
    const pool = world.pool;
    const posted = pool.alloc(1518 + 4);
    const shared = senderFrame(world, frameBytes(100));
    const clone = shared.clone();
    const jumbo = pool.alloc(4000);
    jumbo.put(100);
    const noHeadroom = pool.alloc(100, 0);
    noHeadroom.put(100);
    const owned = senderFrame(world, frameBytes(100));
    owned.sk = {};
    const refused = [shared, jumbo, noHeadroom, owned];
    const before = refused.map((s) => view(s));
    expect(refused.map((s) => rxDmaSwap(s, posted, true))).toEqual([false, false, false, false]);
    // Nothing was changed: the caller copies from them as before.
    expect(refused.map((s) => view(s))).toEqual(before);
    owned.sk = null;
    for (const s of [...refused, clone, posted]) pool.consume(s);
    expect(pool.live).toBe(0);
  });
});
