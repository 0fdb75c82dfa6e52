import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { World } from '../ns/world.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETDEV_TX_OK } from '../netdevice/flags.js';
import { NET_SKB_PAD, SKB_DESTRUCTOR_SOCK_RFREE, SKB_DESTRUCTOR_SOCK_WFREE, SKB_DESTRUCTOR_TCP_WFREE, SKB_TRUESIZE_OVERHEAD, SKB_DESTRUCTOR_NONE, SKB_DESTRUCTOR_MAX } from './constants.js';
import { DropReason, SKB_SIZE_CLASSES, SkBuffPool, consumeSkb, kfreeSkb, skbOrphan, skbScrubPacket } from './pool.js';
import type { SkBuff } from './skbuff.js';

function expectErrno(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

const filled = (pool: SkBuffPool, bytes: number[]): SkBuff => pool.allocFrom(Uint8Array.from(bytes));

describe('SkBuff data pointers', () => {
  it('alloc leaves NET_SKB_PAD of headroom and an empty data area', () => {
    const pool = new SkBuffPool();
    const skb = pool.alloc(100);
    expect([skb.head, skb.data, skb.tail, skb.len]).toEqual([0, NET_SKB_PAD, NET_SKB_PAD, 0]);
    expect(skb.headroom()).toBe(NET_SKB_PAD);
    expect(skb.end).toBe(2048);
    expect(skb.tailroom()).toBe(2048 - NET_SKB_PAD);
    expect(skb.buf.buffer).toBeInstanceOf(SharedArrayBuffer);
    consumeSkb(skb);
    expect(pool.live).toBe(0);
  });

  it('put/push/pull/trim move data and tail and keep len = tail - data', () => {
    const pool = new SkBuffPool();
    const skb = pool.alloc(100, 32);
    const at = skb.put(20);
    expect(at).toBe(32);
    expect([skb.data, skb.tail, skb.len]).toEqual([32, 52, 20]);
    expect(skb.push(14)).toBe(18);
    expect([skb.data, skb.len, skb.headroom()]).toEqual([18, 34, 18]);
    expect(skb.pull(14)).toBe(true);
    expect([skb.data, skb.len]).toEqual([32, 20]);
    expect(skb.pull(21)).toBe(false); // more than len: nothing changes
    expect([skb.data, skb.len]).toEqual([32, 20]);
    skb.trim(8);
    expect([skb.tail, skb.len]).toEqual([40, 8]);
    skb.trim(100); // longer than len: no-op
    expect([skb.tail, skb.len]).toEqual([40, 8]);
    expect(skb.bytes()).toHaveLength(8);
    expect(skb.tail - skb.data).toBe(skb.len);
    consumeSkb(skb);
  });

  it('EINVAL on put past end, push past head, negative sizes, and reserve on data', () => {
    const pool = new SkBuffPool();
    const skb = pool.alloc(100, 16);
    const room = skb.tailroom();
    expectErrno(() => skb.put(room + 1), 'EINVAL');
    expect(skb.len).toBe(0);
    skb.put(room);
    expect(skb.tail).toBe(skb.end);
    expectErrno(() => skb.put(1), 'EINVAL');
    expectErrno(() => skb.push(17), 'EINVAL');
    expectErrno(() => skb.put(-1), 'EINVAL');
    expectErrno(() => skb.push(-1), 'EINVAL');
    expect(skb.push(16)).toBe(0);
    expectErrno(() => skb.push(1), 'EINVAL');
    expectErrno(() => skb.reserve(4), 'EINVAL');
    consumeSkb(skb);

    const empty = pool.alloc(10, 0);
    empty.reserve(64);
    expect([empty.data, empty.tail, empty.headroom()]).toEqual([64, 64, 64]);
    expectErrno(() => empty.reserve(4096), 'EINVAL');
    consumeSkb(empty);
    expect(pool.live).toBe(0);
  });

  it('picks the size class from size + headroom: 1500 -> 2048, 9000 -> 16384, 64 KiB -> the large class', () => {
    const pool = new SkBuffPool();
    expect([...SKB_SIZE_CLASSES]).toEqual([2048, 16384, 66560]);
    const cases: [number, number, number][] = [
      [1500, NET_SKB_PAD, 2048],
      [2048 - NET_SKB_PAD, NET_SKB_PAD, 2048],
      [2048 - NET_SKB_PAD + 1, NET_SKB_PAD, 16384],
      [9000, NET_SKB_PAD, 16384],
      [65535, NET_SKB_PAD, 66560],
      [65536, 0, 66560],
    ];
    for (const [size, headroom, slot] of cases) {
      const skb = pool.alloc(size, headroom);
      expect(skb.end).toBe(slot);
      expect(skb.buf.length).toBe(slot);
      expect(skb.truesize).toBe(slot + SKB_TRUESIZE_OVERHEAD);
      expect(skb.tailroom()).toBeGreaterThanOrEqual(size);
      consumeSkb(skb);
    }
    expectErrno(() => pool.alloc(66560 - NET_SKB_PAD + 1), 'EMSGSIZE');
    expectErrno(() => pool.alloc(-1), 'EMSGSIZE');
    expect(pool.live).toBe(0);
    expect(pool.liveSlots).toBe(0);
  });

  it('allocFrom copies the bytes in after the headroom', () => {
    const pool = new SkBuffPool();
    const src = Uint8Array.from([1, 2, 3, 4, 5]);
    const skb = pool.allocFrom(src);
    src[0] = 99;
    expect([...skb.bytes()]).toEqual([1, 2, 3, 4, 5]);
    expect(skb.data).toBe(NET_SKB_PAD);
    consumeSkb(skb);
  });
});

describe('clone, unshare, copy', () => {
  it('clone shares the bytes and counts a reference: liveSlots unchanged, live +1', () => {
    const pool = new SkBuffPool();
    const skb = filled(pool, [1, 2, 3, 4]);
    skb.priority = 6;
    skb.mark = 0x42;
    skb.protocol = 0x0800;
    expect([pool.live, pool.liveSlots]).toEqual([1, 1]);
    const c = skb.clone();
    expect([pool.live, pool.liveSlots]).toEqual([2, 1]);
    expect(c).not.toBe(skb);
    expect(c.buf).toBe(skb.buf);
    expect(c.id).not.toBe(skb.id);
    expect([c.data, c.tail, c.len, c.priority, c.mark, c.protocol]).toEqual([skb.data, skb.tail, skb.len, 6, 0x42, 0x0800]);
    expect(skb.cloned && c.cloned).toBe(true);
    skb.buf[skb.data] = 0xaa;
    expect(c.bytes()[0]).toBe(0xaa);
    // The clone's own pointers are its own.
    c.pull(2);
    expect(skb.len).toBe(4);
    // Freeing one keeps the slot for the other.
    consumeSkb(skb);
    expect([pool.live, pool.liveSlots]).toEqual([1, 1]);
    expect([...c.bytes()]).toEqual([3, 4]);
    consumeSkb(c);
    expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
  });

  it('unshare gives a writer a private copy; the other reader keeps the original bytes', () => {
    const pool = new SkBuffPool();
    const skb = filled(pool, [1, 2, 3, 4]);
    const c = skb.clone();
    const shared = skb.buf;
    expect(c.unshare()).toBe(c);
    expect(c.buf).not.toBe(shared);
    expect(c.cloned).toBe(false);
    expect(pool.liveSlots).toBe(2);
    expect([...c.bytes()]).toEqual([1, 2, 3, 4]);
    expect(c.data).toBe(skb.data);
    c.buf[c.data] = 0xee;
    expect(skb.bytes()[0]).toBe(1);
    // The original is now the slot's only user: unshare keeps its bytes in place.
    skb.unshare();
    expect(skb.buf).toBe(shared);
    expect(skb.cloned).toBe(false);
    expect(pool.liveSlots).toBe(2);
    consumeSkb(skb);
    consumeSkb(c);
    expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
  });

  it('unshare on a buffer never cloned copies nothing', () => {
    const pool = new SkBuffPool();
    const skb = filled(pool, [7]);
    const buf = skb.buf;
    skb.unshare();
    expect(skb.buf).toBe(buf);
    expect(pool.liveSlots).toBe(1);
    consumeSkb(skb);
  });

  it('copy is a full, independent buffer with the same metadata and headroom', () => {
    const pool = new SkBuffPool();
    const skb = filled(pool, [1, 2, 3]);
    skb.push(2);
    skb.buf.set([9, 8], skb.data);
    skb.macHeader = skb.data;
    skb.vlanTci = 100;
    skb.cb[0] = 1234;
    const cp = skb.copy();
    expect(cp.buf).not.toBe(skb.buf);
    expect(pool.liveSlots).toBe(2);
    expect(cp.cloned || skb.cloned).toBe(false);
    expect([...cp.bytes()]).toEqual([9, 8, 1, 2, 3]);
    expect([cp.data, cp.macHeader, cp.vlanTci, cp.cb[0]]).toEqual([skb.data, skb.macHeader, 100, 1234]);
    cp.buf[cp.data] = 0;
    cp.cb[0] = 0;
    expect(skb.bytes()[0]).toBe(9);
    expect(skb.cb[0]).toBe(1234);
    consumeSkb(skb);
    expect([...cp.bytes()]).toEqual([0, 8, 1, 2, 3]);
    consumeSkb(cp);
    expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
  });
});

describe('freeing', () => {
  it('a double free throws EINVAL and does not corrupt the counters; so do clone/copy of a freed buffer', () => {
    const pool = new SkBuffPool();
    const skb = pool.alloc(10);
    consumeSkb(skb);
    expect(skb.freed).toBe(true);
    expectErrno(() => consumeSkb(skb), 'EINVAL');
    expectErrno(() => kfreeSkb(skb, DropReason.NOT_SPECIFIED), 'EINVAL');
    expectErrno(() => skb.clone(), 'EINVAL');
    expectErrno(() => skb.copy(), 'EINVAL');
    expect([pool.live, pool.liveSlots, pool.consumed, pool.dropped]).toEqual([0, 0, 1, 0]);
  });

  it('counts consumes and drops separately', () => {
    const pool = new SkBuffPool();
    consumeSkb(pool.alloc(1));
    kfreeSkb(pool.alloc(1), DropReason.PKT_TOO_SMALL);
    kfreeSkb(pool.alloc(1), DropReason.QDISC_DROP);
    expect([pool.consumed, pool.dropped]).toEqual([1, 2]);
  });

  it('a recycled header comes back with every field reset', () => {
    const pool = new SkBuffPool();
    const skb = pool.alloc(10);
    const firstId = skb.id;
    skb.put(4);
    skb.priority = 7;
    skb.mark = 9;
    skb.vlanTci = 5;
    skb.cb.fill(3);
    skb.hashValid = true;
    skb.macHeader = 12;
    consumeSkb(skb);
    const again = pool.alloc(10);
    expect(again).toBe(skb); // the header is reused
    expect(again.id).toBeGreaterThan(firstId);
    expect([again.len, again.priority, again.mark, again.vlanTci, again.hashValid, again.macHeader, again.freed, again.cloned]).toEqual([
      0, 0, 0, 0, false, -1, false, false,
    ]);
    expect([...again.cb].every((w) => w === 0)).toBe(true);
    consumeSkb(again);
  });

  it('destructor kinds dispatch to their own function exactly once on free', () => {
    const pool = new SkBuffPool();
    const calls: string[] = [];
    pool.setDestructor(SKB_DESTRUCTOR_SOCK_WFREE, (s) => calls.push(`wfree:${String(s.sk)}`));
    pool.setDestructor(SKB_DESTRUCTOR_TCP_WFREE, (s) => calls.push(`tcp_wfree:${String(s.sk)}`));
    const a = pool.alloc(10);
    a.sk = 'udp-sock';
    a.destructor = SKB_DESTRUCTOR_SOCK_WFREE;
    const b = pool.alloc(10);
    b.sk = 'tcp-sock';
    b.destructor = SKB_DESTRUCTOR_TCP_WFREE;
    const c = pool.alloc(10);
    c.sk = 'no-fn';
    c.destructor = SKB_DESTRUCTOR_SOCK_RFREE; // nothing registered for this kind
    consumeSkb(a);
    kfreeSkb(b, DropReason.NOT_SPECIFIED);
    consumeSkb(c);
    expect(calls).toEqual(['wfree:udp-sock', 'tcp_wfree:tcp-sock']);
    expect(a.sk).toBeNull();
  });

  it('skbOrphan runs the destructor now and detaches the socket; the later free runs nothing', () => {
    const pool = new SkBuffPool();
    let runs = 0;
    pool.setDestructor(SKB_DESTRUCTOR_SOCK_WFREE, () => runs++);
    const skb = pool.alloc(10);
    skb.sk = {};
    skb.destructor = SKB_DESTRUCTOR_SOCK_WFREE;
    skbOrphan(skb);
    expect(runs).toBe(1);
    expect(skb.sk).toBeNull();
    expect(skb.destructor).toBe(SKB_DESTRUCTOR_NONE);
    skbOrphan(skb);
    consumeSkb(skb);
    expect(runs).toBe(1);
  });

  it('a clone does not inherit the socket or destructor: only the original’s free runs it', () => {
    const pool = new SkBuffPool();
    let runs = 0;
    pool.setDestructor(SKB_DESTRUCTOR_TCP_WFREE, () => runs++);
    const skb = pool.alloc(10);
    skb.sk = {};
    skb.destructor = SKB_DESTRUCTOR_TCP_WFREE;
    const c = skb.clone();
    expect(c.sk).toBeNull();
    expect(c.destructor).toBe(SKB_DESTRUCTOR_NONE);
    consumeSkb(c);
    expect(runs).toBe(0);
    consumeSkb(skb);
    expect(runs).toBe(1);
  });

  it('setDestructor rejects NONE and out-of-range kinds', () => {
    const pool = new SkBuffPool();
    expectErrno(() => pool.setDestructor(SKB_DESTRUCTOR_NONE, () => {}), 'EINVAL');
    expectErrno(() => pool.setDestructor(SKB_DESTRUCTOR_MAX, () => {}), 'EINVAL');
    expectErrno(() => pool.setDestructor(-1, () => {}), 'EINVAL');
  });

  it('frees the fragment list with the head, with the head’s reason', () => {
    const pool = new SkBuffPool();
    const head = pool.alloc(100);
    const f1 = pool.alloc(100);
    const f2 = pool.alloc(9000);
    const shared = f2.clone(); // a tap still holds one fragment's bytes
    head.fragList = f1;
    f1.next = f2;
    expect([pool.live, pool.liveSlots]).toEqual([4, 3]);
    kfreeSkb(head, DropReason.FRAG_REASM_TIMEOUT);
    expect(f1.freed && f2.freed && head.freed).toBe(true);
    expect(pool.dropped).toBe(3);
    expect([pool.live, pool.liveSlots]).toEqual([1, 1]);
    consumeSkb(shared);
    expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
  });

  it('grows on demand and returns to zero live buffers after a burst', () => {
    const pool = new SkBuffPool();
    const many = Array.from({ length: 1200 }, (_, i) => pool.alloc(i % 3 === 0 ? 9000 : 1500));
    expect(pool.live).toBe(1200);
    expect(pool.liveSlots).toBe(1200);
    expect(new Set(many.map((s) => s.id)).size).toBe(1200);
    // Distinct buffers never overlap.
    many.forEach((s, i) => s.buf.fill(i & 0xff));
    expect(many.every((s, i) => s.buf[0] === (i & 0xff) && s.buf[s.end - 1] === (i & 0xff))).toBe(true);
    for (const s of many) consumeSkb(s);
    expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
    const before = pool.slabBytes;
    for (const s of Array.from({ length: 100 }, () => pool.alloc(1500))) consumeSkb(s);
    expect(pool.slabBytes).toBe(before);
  });
});

describe('with a World', () => {
  it('drops are counted per namespace by reason; consumes are not drops', () => {
    const world = new World();
    const ns = world.createNamespace('h');
    const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
    const a = world.pool.alloc(10);
    a.dev = dev;
    kfreeSkb(a, DropReason.PKT_TOO_SMALL);
    const b = world.pool.alloc(10);
    b.dev = dev;
    consumeSkb(b);
    kfreeSkb(world.pool.alloc(10), DropReason.NOMEM); // no device: no namespace to charge
    expect(ns.dropCounts()).toEqual({ PKT_TOO_SMALL: 1 });
    expect(world.pool.live).toBe(0);
  });

  it('skbScrubPacket clears what must not cross devices, the mark only across namespaces, and keeps the socket', () => {
    const pool = new SkBuffPool();
    let runs = 0;
    pool.setDestructor(SKB_DESTRUCTOR_SOCK_WFREE, () => runs++);
    const skb = pool.alloc(10);
    skb.tstamp = 5;
    skb.pktType = 3;
    skb.skbIif = 2;
    skb.mark = 7;
    skb.sk = {};
    skb.destructor = SKB_DESTRUCTOR_SOCK_WFREE;
    skbScrubPacket(skb, false);
    expect([skb.tstamp, skb.pktType, skb.skbIif, skb.mark, runs]).toEqual([0, 0, 0, 7, 0]);
    const sk = skb.sk;
    skbScrubPacket(skb, true);
    // Since 4.19 the socket reference survives the scrub: TSQ and wmem see the buffer until it is freed.
    expect([skb.mark, runs, skb.sk]).toEqual([0, 0, sk]);
    consumeSkb(skb);
    expect(runs).toBe(1);
  });
});
