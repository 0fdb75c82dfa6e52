import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scavengesDuring } from '../../../../test/helpers/gc.js';
import { AF_INET, AF_INET6, NetError, Random } from '@netstack/core';
import { EH_FULL, EH_REQUEST, EH_TIME_WAIT, EstablishedTable, type EhKind } from './established-table.js';

const w = (a: number, b = 0, c = 0, d = 0): Uint32Array => new Uint32Array([a, b, c, d]);

describe('EstablishedTable', () => {
  it('finds a socket by the packet orientation (remote = packet source), with its kind', () => {
    const t = new EstablishedTable<string>(new Random(1));
    const local = w(0x0a000001);
    const remote = w(0x0a000002);
    t.insert('full', EH_FULL, AF_INET, local, 80, remote, 40000);
    t.insert('tw', EH_TIME_WAIT, AF_INET, local, 80, remote, 40001);
    t.insert('req', EH_REQUEST, AF_INET, local, 80, remote, 40002);
    expect(t.lookup(AF_INET, remote, 40000, local, 80, 1)).toBe('full');
    // The reverse orientation is a different 4-tuple.
    expect(t.lookup(AF_INET, local, 80, remote, 40000, 1)).toBeNull();
    const e = t.lookupEntry(AF_INET, remote, 40001, local, 80, 1);
    expect(t.kindOf(e)).toBe(EH_TIME_WAIT);
    expect(t.kindOf(t.lookupEntry(AF_INET, remote, 40002, local, 80, 1))).toBe(EH_REQUEST);
    // The same words under another family are another key.
    expect(t.lookup(AF_INET6, remote, 40000, local, 80, 1)).toBeNull();
    // A request socket becomes the child in place.
    const r = t.lookupEntry(AF_INET, remote, 40002, local, 80, 1);
    t.replace(r, 'child', EH_FULL);
    expect(t.lookup(AF_INET, remote, 40002, local, 80, 1)).toBe('child');
    expect(t.kindOf(r)).toBe(EH_FULL);
    expect(t.remove(AF_INET, local, 80, remote, 40000)).toBe('full');
    expect(t.lookup(AF_INET, remote, 40000, local, 80, 1)).toBeNull();
    expect(t.size).toBe(2);
  });

  it('matches the bound device as INET_MATCH does and refuses an overlapping 4-tuple with EADDRINUSE', () => {
    const t = new EstablishedTable<string>(new Random(2));
    const l = w(1);
    const r = w(2);
    t.insert('dev3', EH_FULL, AF_INET, l, 1, r, 2, 3);
    expect(t.lookup(AF_INET, r, 2, l, 1, 3)).toBe('dev3');
    expect(t.lookup(AF_INET, r, 2, l, 1, 4)).toBeNull();
    t.insert('dev4', EH_FULL, AF_INET, l, 1, r, 2, 4);
    expect(t.lookup(AF_INET, r, 2, l, 1, 4)).toBe('dev4');
    const err = (() => {
      try {
        t.insert('any', EH_FULL, AF_INET, l, 1, r, 2, 0);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('EADDRINUSE');
    expect(() => t.insert('again', EH_FULL, AF_INET, l, 1, r, 2, 3)).toThrow(/EADDRINUSE/);
    t.remove(AF_INET, l, 1, r, 2, 3);
    t.remove(AF_INET, l, 1, r, 2, 4);
    t.insert('any', EH_FULL, AF_INET, l, 1, r, 2, 0);
    expect(t.lookup(AF_INET, r, 2, l, 1, 9)).toBe('any');
    expect(t.isFree(AF_INET, l, 1, r, 2, 5)).toBe(false);
    expect(t.isFree(AF_INET, l, 1, r, 3, 5)).toBe(true);
  });

  it('agrees with a naive reference over random insert/remove/lookup sequences (growing and shrinking)', () => {
    type Key = { family: number; l: number; r: number; lport: number; rport: number; dif: number };
    const keyArb = fc.record({
      family: fc.constantFrom(AF_INET, AF_INET6),
      l: fc.integer({ min: 0, max: 3 }),
      r: fc.integer({ min: 0, max: 3 }),
      lport: fc.integer({ min: 1, max: 3 }),
      rport: fc.integer({ min: 1, max: 3 }),
      dif: fc.integer({ min: 0, max: 2 }),
    });
    const op = fc.oneof(
      fc.record({ op: fc.constant('insert' as const), k: keyArb, kind: fc.constantFrom<EhKind>(EH_FULL, EH_TIME_WAIT, EH_REQUEST) }),
      fc.record({ op: fc.constant('remove' as const), k: keyArb }),
      fc.record({ op: fc.constant('lookup' as const), k: keyArb }),
    );
    // IPv6 addresses use all four words, IPv4 only the first.
    const addr = (family: number, n: number): Uint32Array => (family === AF_INET ? w(0x0a000000 + n) : w(0x20010db8, n, 0xffff0000 ^ n, n * 7));
    fc.assert(
      fc.property(fc.integer(), fc.array(op, { minLength: 50, maxLength: 400, size: 'max' }), (seed, ops) => {
        const t = new EstablishedTable<number>(new Random(seed));
        const ref: { k: Key; id: number; kind: EhKind }[] = [];
        const sameTuple = (a: Key, b: Key): boolean => a.family === b.family && a.l === b.l && a.r === b.r && a.lport === b.lport && a.rport === b.rport;
        let next = 0;
        for (const o of ops) {
          const k = o.k;
          const la = addr(k.family, k.l);
          const ra = addr(k.family, k.r);
          if (o.op === 'insert') {
            const clash = ref.some((e) => sameTuple(e.k, k) && (e.k.dif === 0 || k.dif === 0 || e.k.dif === k.dif));
            const id = next++;
            if (clash) expect(() => t.insert(id, o.kind, k.family, la, k.lport, ra, k.rport, k.dif)).toThrow(/EADDRINUSE/);
            else {
              t.insert(id, o.kind, k.family, la, k.lport, ra, k.rport, k.dif);
              ref.push({ k, id, kind: o.kind });
            }
          } else if (o.op === 'remove') {
            const i = ref.findIndex((e) => sameTuple(e.k, k) && e.k.dif === k.dif);
            expect(t.remove(k.family, la, k.lport, ra, k.rport, k.dif)).toBe(i < 0 ? null : ref[i]!.id);
            if (i >= 0) ref.splice(i, 1);
          } else {
            // A packet arriving on device k.dif (0 stands for some device no socket is bound to).
            const dev = k.dif === 0 ? 99 : k.dif;
            const hit = ref.find((e) => sameTuple(e.k, k) && (e.k.dif === 0 || e.k.dif === dev));
            const entry = t.lookupEntry(k.family, ra, k.rport, la, k.lport, dev);
            expect(entry < 0 ? null : t.socketOf(entry)).toBe(hit === undefined ? null : hit.id);
            if (hit !== undefined) expect(t.kindOf(entry)).toBe(hit.kind);
          }
          expect(t.size).toBe(ref.length);
        }
        // Everything left is still found.
        for (const e of ref) {
          const dev = e.k.dif === 0 ? 77 : e.k.dif;
          expect(t.lookup(e.k.family, addr(e.k.family, e.k.r), e.k.rport, addr(e.k.family, e.k.l), e.k.lport, dev)).toBe(e.id);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('grows and shrinks its index with the load', () => {
    const t = new EstablishedTable<number>(new Random(3));
    const l = w(1);
    const r = w(0);
    const start = t.capacity;
    for (let i = 0; i < 10_000; i++) {
      r[0] = i;
      t.insert(i, EH_FULL, AF_INET, l, 80, r, 1000);
    }
    expect(t.capacity).toBeGreaterThanOrEqual(16384);
    for (let i = 0; i < 10_000; i++) {
      r[0] = i;
      expect(t.remove(AF_INET, l, 80, r, 1000)).toBe(i);
    }
    expect(t.size).toBe(0);
    expect(t.capacity).toBe(start);
  });
});

describe('EstablishedTable at 1,000,000 sockets', () => {
  it('inserts 1M random 4-tuples, finds every one, misses absent ones, and allocates nothing per lookup', async () => {
    const N = 1_000_000;
    const rnd = new Random(0xc0ffee);
    // Random (local address, remote address, ports) tuples; duplicates of a 4-tuple are skipped.
    const la = new Uint32Array(N);
    const ra = new Uint32Array(N);
    const ports = new Uint32Array(N);
    const t = new EstablishedTable<number>(new Random(42));
    const l = new Uint32Array(4);
    const r = new Uint32Array(4);
    let n = 0;
    let dups = 0;
    while (n < N) {
      la[n] = 0x0a000000 | rnd.below(256);
      ra[n] = rnd.u32();
      ports[n] = rnd.u32();
      l[0] = la[n]!;
      r[0] = ra[n]!;
      const lport = ports[n]! >>> 16;
      const rport = ports[n]! & 0xffff;
      if (!t.isFree(AF_INET, l, lport, r, rport, 0)) {
        dups++;
        continue;
      }
      t.insert(n, EH_FULL, AF_INET, l, lport, r, rport, 0);
      n++;
    }
    expect(t.size).toBe(N);
    expect(dups).toBeLessThan(10);

    let wrong = 0;
    const lookupAll = (): void => {
      for (let i = 0; i < N; i++) {
        r[0] = ra[i]!;
        l[0] = la[i]!;
        const p = ports[i]!;
        if (t.lookup(AF_INET, r, p & 0xffff, l, p >>> 16, 1) !== i) wrong++;
      }
    };
    lookupAll(); // warm up (JIT), and the correctness pass
    expect(wrong).toBe(0);
    const gcs = await scavengesDuring(lookupAll);
    expect(wrong).toBe(0);
    expect(gcs).toBeLessThanOrEqual(1);

    // Swapped ports (another 4-tuple) are misses, and misses allocate nothing either.
    let found = 0;
    const missAll = (): void => {
      for (let i = 0; i < 200_000; i++) {
        r[0] = ra[i]!;
        l[0] = la[i]!;
        const p = ports[i]!;
        if (t.lookup(AF_INET, r, (p >>> 16) ^ 0x5a5a, l, p >>> 16, 1) !== null) found++;
      }
    };
    missAll();
    expect(await scavengesDuring(missAll)).toBeLessThanOrEqual(1);
    expect(found).toBeLessThan(5);
  }, 30_000);
});
