import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, NetError, Random, type ErrnoCode } from '@netstack/core';
import { BindTable, OWNER_TIME_WAIT, type BindOptions } from './bind-table.js';
import { EstablishedTable } from './established-table.js';

const v4 = (a: number): Uint32Array => new Uint32Array([a, 0, 0, 0]);
const ANY = new Uint32Array(4);
const A1 = v4(0x0a000001);
const A2 = v4(0x0a000002);
const V6 = new Uint32Array([0x20010db8, 0, 0, 1]);

function tables(seed: number, range?: [number, number]): { bt: BindTable<string>; eh: EstablishedTable<string> } {
  const rnd = new Random(seed);
  const eh = new EstablishedTable<string>(rnd.fork());
  const bt = new BindTable<string>(rnd.fork(), eh, range === undefined ? {} : { localPortRange: range });
  return { bt, eh };
}

function errnoOf(fn: () => unknown): ErrnoCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof NetError) return e.code;
    throw e;
  }
}

interface Side {
  family?: number;
  addr?: Uint32Array;
  opts?: BindOptions;
  listen?: boolean;
  timeWait?: boolean;
}

/** Each row: a first socket bound (and maybe listening / in TIME_WAIT) on port 80, then the second one's bind. */
const rows: [string, Side, Side, ErrnoCode | 'ok'][] = [
  ['two wildcard binds', {}, {}, 'EADDRINUSE'],
  ['specific after wildcard', {}, { addr: A1 }, 'EADDRINUSE'],
  ['wildcard after specific', { addr: A1 }, {}, 'EADDRINUSE'],
  ['the same specific address', { addr: A1 }, { addr: A1 }, 'EADDRINUSE'],
  ['two different specific addresses', { addr: A1 }, { addr: A2 }, 'ok'],
  ['SO_REUSEADDR on both, first not listening', { opts: { reuseAddr: true } }, { opts: { reuseAddr: true } }, 'ok'],
  ['SO_REUSEADDR on both, first listening', { opts: { reuseAddr: true }, listen: true }, { opts: { reuseAddr: true } }, 'EADDRINUSE'],
  ['SO_REUSEADDR on the second only', {}, { opts: { reuseAddr: true } }, 'EADDRINUSE'],
  ['SO_REUSEADDR on the first only', { opts: { reuseAddr: true } }, {}, 'EADDRINUSE'],
  ['SO_REUSEADDR on both, first in TIME_WAIT', { opts: { reuseAddr: true }, timeWait: true }, { opts: { reuseAddr: true } }, 'ok'],
  ['SO_REUSEPORT on both, same uid', { opts: { reusePort: true, uid: 1000 } }, { opts: { reusePort: true, uid: 1000 } }, 'ok'],
  ['SO_REUSEPORT on both, same uid, first listening', { opts: { reusePort: true, uid: 1000 }, listen: true }, { opts: { reusePort: true, uid: 1000 } }, 'ok'],
  ['SO_REUSEPORT on both, different uids', { opts: { reusePort: true, uid: 1000 } }, { opts: { reusePort: true, uid: 1001 } }, 'EADDRINUSE'],
  ['SO_REUSEPORT, different uids, first in TIME_WAIT', { opts: { reusePort: true, uid: 1000 }, timeWait: true }, { opts: { reusePort: true, uid: 1001 } }, 'ok'],
  ['SO_REUSEPORT on the first only', { opts: { reusePort: true } }, {}, 'EADDRINUSE'],
  ['SO_REUSEPORT on the second only', {}, { opts: { reusePort: true } }, 'EADDRINUSE'],
  ['bound to different devices', { opts: { boundDevIf: 2 } }, { opts: { boundDevIf: 3 } }, 'ok'],
  ['bound to the same device', { opts: { boundDevIf: 2 } }, { opts: { boundDevIf: 2 } }, 'EADDRINUSE'],
  ['one bound to a device, one not', { opts: { boundDevIf: 2 } }, {}, 'EADDRINUSE'],
  ['IPv6 :: (dual-stack) then IPv4 0.0.0.0', { family: AF_INET6 }, {}, 'EADDRINUSE'],
  ['IPv4 0.0.0.0 then IPv6 :: (dual-stack)', {}, { family: AF_INET6 }, 'EADDRINUSE'],
  ['IPv6 :: with IPV6_V6ONLY then IPv4 0.0.0.0', { family: AF_INET6, opts: { v6only: true } }, {}, 'ok'],
  ['IPv4 0.0.0.0 then IPv6 :: with IPV6_V6ONLY', {}, { family: AF_INET6, opts: { v6only: true } }, 'ok'],
  ['IPv6 :: dual-stack then IPv4 specific', { family: AF_INET6 }, { addr: A1 }, 'EADDRINUSE'],
  ['IPv6 specific then IPv4 0.0.0.0', { family: AF_INET6, addr: V6 }, {}, 'ok'],
  ['two IPv6 :: with IPV6_V6ONLY', { family: AF_INET6, opts: { v6only: true } }, { family: AF_INET6, opts: { v6only: true } }, 'EADDRINUSE'],
  ['IPv6 specific then IPv6 ::', { family: AF_INET6, addr: V6 }, { family: AF_INET6 }, 'EADDRINUSE'],
];

describe('BindTable: inet_csk_bind_conflict', () => {
  for (const [name, first, second, expected] of rows) {
    it(`${name}: ${expected}`, () => {
      const { bt } = tables(1);
      const o = bt.bind('a', first.family ?? AF_INET, first.addr ?? ANY, 80, first.opts);
      if (first.listen === true) bt.listen(o);
      if (first.timeWait === true) bt.setState(o, OWNER_TIME_WAIT);
      expect(errnoOf(() => bt.bind('b', second.family ?? AF_INET, second.addr ?? ANY, 80, second.opts))).toBe(expected);
      // Another port is always free, and releasing the first owner frees this one.
      expect(errnoOf(() => bt.bind('c', second.family ?? AF_INET, second.addr ?? ANY, 81, second.opts))).toBe('ok');
      bt.release(o);
      if (expected !== 'ok') expect(errnoOf(() => bt.bind('b', second.family ?? AF_INET, second.addr ?? ANY, 80, second.opts))).toBe('ok');
    });
  }

  it('listen() re-checks: of two SO_REUSEADDR sockets sharing a port, only the first may listen', () => {
    const { bt } = tables(2);
    const a = bt.bind('a', AF_INET, ANY, 80, { reuseAddr: true });
    const b = bt.bind('b', AF_INET, ANY, 80, { reuseAddr: true });
    bt.listen(a);
    expect(errnoOf(() => bt.listen(b))).toBe('EADDRINUSE');
    // With SO_REUSEPORT too (same uid) both listen.
    const { bt: bt2 } = tables(2);
    const c = bt2.bind('c', AF_INET, ANY, 80, { reuseAddr: true, reusePort: true });
    const d = bt2.bind('d', AF_INET, ANY, 80, { reuseAddr: true, reusePort: true });
    bt2.listen(c);
    expect(errnoOf(() => bt2.listen(d))).toBe('ok');
  });

  it('rejects bad ports and families with EINVAL', () => {
    const { bt } = tables(3);
    expect(errnoOf(() => bt.bind('a', AF_INET, ANY, 65536))).toBe('EINVAL');
    expect(errnoOf(() => bt.bind('a', AF_INET, ANY, -1))).toBe('EINVAL');
    expect(errnoOf(() => bt.bind('a', AF_INET, ANY, 1.5))).toBe('EINVAL');
    expect(errnoOf(() => bt.bind('a', 99, ANY, 80))).toBe('EINVAL');
    expect(errnoOf(() => bt.setLocalPortRange(100, 50))).toBe('EINVAL');
    expect(errnoOf(() => bt.connectPort('a', 99, A1, A2, 80))).toBe('EINVAL');
  });
});

describe('BindTable: bind(port 0) as inet_csk_find_open_port', () => {
  it('picks odd ports of the range first, the lower half first for SO_REUSEADDR, and never a taken one', () => {
    const { bt } = tables(4);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const o = bt.bind(`s${i}`, AF_INET, ANY, 0);
      expect(o.port).toBeGreaterThanOrEqual(32768);
      expect(o.port).toBeLessThanOrEqual(60999);
      expect(o.port % 2).toBe(1);
      expect(seen.has(o.port)).toBe(false);
      seen.add(o.port);
    }
    const half = 32768 + (((61000 - 32768) >> 2) << 1);
    for (let i = 0; i < 200; i++) {
      const o = bt.bind(`r${i}`, AF_INET, ANY, 0, { reuseAddr: true });
      expect(o.port).toBeLessThan(half);
    }
  });

  it('falls back to even ports when the odd ones are taken, and fails with EADDRINUSE when all are', () => {
    const { bt } = tables(5, [40000, 40009]);
    const ports: number[] = [];
    for (let i = 0; i < 10; i++) ports.push(bt.bind(`s${i}`, AF_INET, ANY, 0).port);
    expect(ports.slice(0, 5).every((p) => p % 2 === 1)).toBe(true);
    expect(ports.slice(5).every((p) => p % 2 === 0)).toBe(true);
    expect(new Set(ports).size).toBe(10);
    expect(errnoOf(() => bt.bind('x', AF_INET, ANY, 0))).toBe('EADDRINUSE');
    // A different specific address does not help: a wildcard owner covers it.
    expect(errnoOf(() => bt.bind('x', AF_INET, A1, 0))).toBe('EADDRINUSE');
  });

  it('is deterministic per seed', () => {
    const run = (seed: number): number[] => {
      const { bt } = tables(seed);
      return Array.from({ length: 50 }, (_, i) => bt.bind(`s${i}`, AF_INET, ANY, 0).port);
    };
    expect(run(6)).toEqual(run(6));
    expect(run(6)).not.toEqual(run(7));
  });
});

describe('BindTable: connect() ports as __inet_hash_connect', () => {
  const dst = v4(0);

  it('spreads ports over the range with even ports first, hashes the socket into ehash, and is deterministic per seed', () => {
    const run = (seed: number): number[] => {
      const { bt, eh } = tables(seed);
      const ports: number[] = [];
      for (let i = 0; i < 4000; i++) {
        dst[0] = 0xc6336400 + i;
        const o = bt.connectPort(`c${i}`, AF_INET, A1, dst, 443);
        ports.push(o.port);
        expect(eh.lookup(AF_INET, dst, 443, A1, o.port, 1)).toBe(`c${i}`);
      }
      return ports;
    };
    const ports = run(8);
    expect(run(8)).toEqual(ports);
    expect(run(9)).not.toEqual(ports);
    const bins = new Array<number>(8).fill(0);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(32768);
      expect(p).toBeLessThanOrEqual(60999);
      expect(p % 2).toBe(0);
      bins[Math.floor(((p - 32768) * 8) / (61000 - 32768))]!++;
    }
    // Uniform would be 500 per bin.
    for (const b of bins) expect(b).toBeGreaterThan(350);
  });

  it('gives one destination distinct ports, shares a port across destinations, and fails with EADDRNOTAVAIL when exhausted', () => {
    const { bt, eh } = tables(10, [40000, 40009]);
    const mine: number[] = [];
    for (let i = 0; i < 10; i++) mine.push(bt.connectPort(`a${i}`, AF_INET, A1, A2, 80).port);
    expect(new Set(mine).size).toBe(10);
    expect(mine.slice(0, 5).every((p) => p % 2 === 0)).toBe(true);
    expect(errnoOf(() => bt.connectPort('x', AF_INET, A1, A2, 80))).toBe('EADDRNOTAVAIL');
    // Another destination port (or address) reuses the connect-only ports.
    const o = bt.connectPort('b', AF_INET, A1, A2, 81);
    expect(o.port).toBeGreaterThanOrEqual(40000);
    expect(bt.bucket(o.port)!.owners.length).toBe(2);
    expect(eh.lookup(AF_INET, A2, 81, A1, o.port, 1)).toBe('b');
    // bind(0) and an overlapping explicit bind keep away from ports connect() holds.
    expect(errnoOf(() => bt.bind('y', AF_INET, ANY, 0))).toBe('EADDRINUSE');
    expect(errnoOf(() => bt.bind('y', AF_INET, A1, 40000))).toBe('EADDRINUSE');
    expect(errnoOf(() => bt.bind('y', AF_INET, A2, 40000))).toBe('ok');
  });

  it('skips ports held by bind(), even when the 4-tuple would be unique', () => {
    const { bt } = tables(11, [40000, 40009]);
    for (let p = 40000; p <= 40009; p++) if (p !== 40003) bt.bind(`b${p}`, AF_INET, A2, p);
    for (let i = 0; i < 5; i++) {
      dst[0] = 0x0b000000 + i;
      expect(bt.connectPort(`c${i}`, AF_INET, A1, dst, 80).port).toBe(40003);
    }
  });

  it('a port freed by its last owner becomes an ordinary free port again', () => {
    const { bt, eh } = tables(12, [40000, 40001]);
    const a = bt.connectPort('a', AF_INET, A1, A2, 80);
    const b = bt.connectPort('b', AF_INET, A1, A2, 80);
    expect(errnoOf(() => bt.connectPort('c', AF_INET, A1, A2, 80))).toBe('EADDRNOTAVAIL');
    eh.removeEntry(a.ehEntry);
    bt.release(a);
    expect(bt.bucket(a.port)).toBeNull();
    expect(bt.bind('d', AF_INET, ANY, a.port).port).toBe(a.port);
    expect(bt.bucket(b.port)!.owners).toEqual([b]);
  });

  it('connectBound: a bound socket connects when its 4-tuple is unique, EADDRNOTAVAIL otherwise', () => {
    const { bt, eh } = tables(13);
    const a = bt.bind('a', AF_INET, A1, 5000, { reuseAddr: true });
    const b = bt.bind('b', AF_INET, A1, 5000, { reuseAddr: true });
    bt.connectBound(a, A1, A2, 80);
    expect(eh.lookup(AF_INET, A2, 80, A1, 5000, 1)).toBe('a');
    expect(errnoOf(() => bt.connectBound(b, A1, A2, 80))).toBe('EADDRNOTAVAIL');
    bt.connectBound(b, A1, A2, 81);
    expect(eh.lookup(AF_INET, A2, 81, A1, 5000, 1)).toBe('b');
  });
});
