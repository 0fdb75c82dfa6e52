import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { NETDEV_TX_OK } from '../netdevice/flags.js';
import { NetDevice } from '../netdevice/net-device.js';
import { World } from '../ns/world.js';
import { Random } from '../random/random.js';
import { PACKET_OUTGOING } from '../skb/constants.js';
import { SkBuffPool, consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { BpfContext, bpfContextFromSkb } from './context.js';
import { BPF_A, BPF_ABS, BPF_B, BPF_K, BPF_LD, BPF_RET, BPF_W, SKF_AD_OFF, SKF_NET_OFF, bpfStmt, type SockFilter } from './insn.js';
import { SocketFilter, SocketFilterSlot } from './socket-filter.js';
import { parseDdd } from './testing/ddd.js';
import { eth, ipv4, udp } from './testing/packets.js';
import { TCPDUMP_FIXTURES } from './testing/tcpdump-fixtures.js';

const ret = (k: number): SockFilter[] => [bpfStmt(BPF_RET | BPF_K, k)];

function expectErrno(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe(code);
    if (message) expect((e as NetError).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

/** A received Ethernet frame: data at the link header, network header set, as a packet socket sees it. */
function received(pool: SkBuffPool, frame: Uint8Array): SkBuff {
  const skb = pool.allocFrom(frame);
  skb.macHeader = skb.data;
  skb.networkHeader = skb.data + 14;
  skb.protocol = 0x0800;
  return skb;
}

const DNS = eth(0x0800, ipv4({ proto: 17, src: 0xc0a80101 }, udp(5353, 53, [1, 2, 3, 4])));

describe('bpfContextFromSkb', () => {
  it('copies what ancillary loads read, from the skb and its device, without allocating a context', () => {
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h');
    const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', type: 772, ops: { startXmit: () => NETDEV_TX_OK } }));
    const pool = new SkBuffPool();
    const skb = received(pool, DNS);
    Object.assign(skb, { dev, pktType: PACKET_OUTGOING, mark: 0xabc, queueMapping: 3, hash: 0xdeadbeef, vlanProto: 0x8100, vlanTci: 0x2005 });
    const ctx = new BpfContext(new Random(1));
    expect(bpfContextFromSkb(ctx, skb, 2)).toBe(ctx);
    expect({ ...ctx, mem: undefined, random: undefined }).toEqual({
      protocol: 0x0800,
      pktType: PACKET_OUTGOING,
      ifindex: dev.ifindex,
      hatype: 772,
      mark: 0xabc,
      queue: 3,
      rxhash: 0xdeadbeef,
      cpu: 2,
      vlanTci: 0x2005,
      vlanPresent: true,
      vlanTpid: 0x8100,
      payOffset: -1,
      macHeader: skb.data,
      networkHeader: skb.data + 14,
      mem: undefined,
      random: undefined,
    });
    expect(dev.ifindex).toBeGreaterThan(0);
    skb.dev = null;
    skb.vlanProto = 0;
    bpfContextFromSkb(ctx, skb);
    expect([ctx.ifindex, ctx.hatype, ctx.vlanPresent, ctx.cpu]).toEqual([0, 0, false, 0]);
    consumeSkb(skb);
  });
});

describe('SocketFilter.run (sk_filter_trim_cap arithmetic)', () => {
  const pool = new SkBuffPool();

  it('returns 0 to drop, else max(cap, result)', () => {
    const skb = received(pool, DNS);
    expect(new SocketFilter(ret(0), new Random(1)).run(skb, 8)).toBe(0);
    expect(new SocketFilter(ret(4), new Random(1)).run(skb, 8)).toBe(8);
    expect(new SocketFilter(ret(30), new Random(1)).run(skb, 8)).toBe(30);
    expect(new SocketFilter(ret(0xffffffff), new Random(1)).run(skb, 0)).toBe(0xffffffff);
    consumeSkb(skb);
  });

  it('runs a tcpdump program on the skb data', () => {
    const f = new SocketFilter(parseDdd(TCPDUMP_FIXTURES.find((x) => x.expr === 'udp and dst port 53')!.ddd), new Random(1));
    const yes = received(pool, DNS);
    const no = received(pool, eth(0x0800, ipv4({ proto: 17 }, udp(53, 5353))));
    expect([f.run(yes, 0), f.run(no, 0), f.length]).toEqual([262144, 0, 16]);
    consumeSkb(yes);
    consumeSkb(no);
  });

  it('reaches the IP header from a UDP socket’s view (data at the UDP header) with SKF_NET_OFF', () => {
    // ldb [SKF_NET_OFF + 15]: the last byte of the IPv4 source address, 20 bytes before the data.
    const prog = [bpfStmt(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 15), bpfStmt(BPF_RET | BPF_A, 0)];
    const skb = received(pool, DNS);
    skb.pull(14 + 20);
    expect(new SocketFilter(prog, new Random(1)).run(skb, 8)).toBe(8); // source 192.168.1.1: last byte 1, cap 8
    consumeSkb(skb);
  });

  it('reads ancillary data from the skb; SKF_AD_RANDOM uses the injected generator', () => {
    const skb = received(pool, DNS);
    skb.mark = 1234;
    expect(new SocketFilter([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 20), bpfStmt(BPF_RET | BPF_A, 0)], new Random(1)).run(skb, 0)).toBe(1234);
    expect(new SocketFilter([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 36), bpfStmt(BPF_RET | BPF_A, 0)], new Random(1)).run(skb, 0, 3)).toBe(3);
    const rnd = new SocketFilter([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 56), bpfStmt(BPF_RET | BPF_A, 0)], new Random(9));
    const r = new Random(9);
    expect([rnd.run(skb, 0), rnd.run(skb, 0)]).toEqual([r.u32(), r.u32()]);
    consumeSkb(skb);
    expect(pool.live).toBe(0);
  });

  it('refuses an invalid program with EINVAL and keeps a private copy of a valid one', () => {
    expectErrno(() => new SocketFilter([bpfStmt(BPF_LD | BPF_W | BPF_ABS, 0)], new Random(1)), 'EINVAL', /last instruction/);
    const prog = ret(7);
    const f = new SocketFilter(prog, new Random(1));
    prog[0]!.k = 0;
    expect(f.prog).toEqual(ret(7));
  });
});

describe('SocketFilterSlot (SO_ATTACH_FILTER / SO_DETACH_FILTER / SO_LOCK_FILTER / SO_GET_FILTER)', () => {
  it('attach replaces, detach removes, a second detach is ENOENT', () => {
    const slot = new SocketFilterSlot(new Random(1));
    expect(slot.get()).toBeNull();
    expectErrno(() => slot.detach(), 'ENOENT');
    slot.attach(ret(1));
    slot.attach(ret(2));
    expect(slot.get()).toEqual(ret(2));
    slot.get()![0]!.k = 99; // a copy
    expect(slot.get()).toEqual(ret(2));
    slot.detach();
    expect(slot.filter).toBeNull();
    expectErrno(() => slot.detach(), 'ENOENT');
  });

  it('an invalid program is EINVAL and leaves the attached filter in place', () => {
    const slot = new SocketFilterSlot(new Random(1));
    slot.attach(ret(5));
    expectErrno(() => slot.attach([]), 'EINVAL');
    expectErrno(() => slot.attach([{ code: 0x0e, jt: 0, jf: 0, k: 0 }]), 'EINVAL', /insn 0: unknown opcode 0x0e/);
    expect(slot.get()).toEqual(ret(5));
  });

  it('SO_LOCK_FILTER makes attach and detach EPERM and cannot be undone', () => {
    const slot = new SocketFilterSlot(new Random(1));
    slot.attach(ret(5));
    slot.lock(false); // unlocking an unlocked socket is fine
    slot.lock(true);
    expectErrno(() => slot.attach(ret(6)), 'EPERM');
    expectErrno(() => slot.detach(), 'EPERM');
    expectErrno(() => slot.lock(false), 'EPERM');
    slot.lock(true);
    expect([slot.locked, slot.get()]).toEqual([true, ret(5)]);
    // Locking with no filter attached also forbids attaching one later.
    const empty = new SocketFilterSlot(new Random(1));
    empty.lock(true);
    expectErrno(() => empty.attach(ret(1)), 'EPERM');
    expectErrno(() => empty.detach(), 'EPERM');
  });

  it('trimCap keeps, trims to max(cap, result) or drops, like sk_filter_trim_cap', () => {
    const pool = new SkBuffPool();
    const slot = new SocketFilterSlot(new Random(1));
    const len = (keep: number, cap: number): [boolean, number] => {
      slot.filter = keep < 0 ? null : new SocketFilter(ret(keep), new Random(1));
      const skb = received(pool, DNS);
      const verdict = slot.trimCap(skb, cap);
      const out: [boolean, number] = [verdict, skb.len];
      consumeSkb(skb);
      return out;
    };
    expect(DNS.length).toBe(60);
    expect(len(-1, 8)).toEqual([true, 60]); // no filter
    expect(len(30, 8)).toEqual([true, 30]);
    expect(len(4, 8)).toEqual([true, 8]); // never below cap
    expect(len(1000, 8)).toEqual([true, 60]); // a trim never lengthens
    expect(len(0, 8)).toEqual([false, 60]);
    expect(pool.live).toBe(0);
  });
});
