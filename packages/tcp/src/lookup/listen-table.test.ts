import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, Random } from '@netstack/core';
import { ListenTable } from './listen-table.js';

const v4 = (a: number): Uint32Array => new Uint32Array([a, 0, 0, 0]);
const ANY = new Uint32Array(4);
const V6 = new Uint32Array([0x20010db8, 0, 0, 1]);
const DST = v4(0x0a000001);
const SRC = v4(0x0a000063);

describe('ListenTable (lhash2 with compute_score)', () => {
  it('finds nothing on a port nobody listens on, and a wildcard listener otherwise', () => {
    const t = new ListenTable<string>(new Random(1));
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBeNull();
    t.add('any', AF_INET, ANY, 80);
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBe('any');
    expect(t.lookup(AF_INET, SRC, 5000, DST, 81, 1)).toBeNull();
  });

  it('an exact local address beats the wildcard, whatever the insertion order', () => {
    for (const order of [0, 1]) {
      const t = new ListenTable<string>(new Random(2));
      if (order === 0) {
        t.add('any', AF_INET, ANY, 80);
        t.add('exact', AF_INET, DST, 80);
      } else {
        t.add('exact', AF_INET, DST, 80);
        t.add('any', AF_INET, ANY, 80);
      }
      expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBe('exact');
      // Another local address falls to the wildcard.
      expect(t.lookup(AF_INET, SRC, 5000, v4(0x0a000002), 80, 1)).toBe('any');
    }
  });

  it('a listener bound to the arriving device beats an unbound one; bound elsewhere it does not match', () => {
    const t = new ListenTable<string>(new Random(3));
    t.add('unbound', AF_INET, ANY, 80);
    t.add('eth2', AF_INET, ANY, 80, { boundDevIf: 2 });
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 2)).toBe('eth2');
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 3)).toBe('unbound');
    const only = new ListenTable<string>(new Random(3));
    only.add('eth2', AF_INET, ANY, 80, { boundDevIf: 2 });
    expect(only.lookup(AF_INET, SRC, 5000, DST, 80, 3)).toBeNull();
  });

  it('an exact address bound to another device yields to the wildcard (the first pass finds no candidate)', () => {
    const t = new ListenTable<string>(new Random(4));
    t.add('exact-eth5', AF_INET, DST, 80, { boundDevIf: 5 });
    t.add('any', AF_INET, ANY, 80);
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBe('any');
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 5)).toBe('exact-eth5');
  });

  it('family: an IPv4 listener beats an IPv6 dual-stack one for IPv4; v6only and IPv6-specific ones never take IPv4', () => {
    const t = new ListenTable<string>(new Random(5));
    t.add('v6any', AF_INET6, ANY, 80);
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBe('v6any');
    t.add('v4any', AF_INET, ANY, 80);
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBe('v4any');
    // An IPv6 packet never goes to an IPv4 listener.
    expect(t.lookup(AF_INET6, V6, 5000, V6, 80, 1)).toBe('v6any');

    const only = new ListenTable<string>(new Random(5));
    only.add('v6only', AF_INET6, ANY, 80, { v6only: true });
    expect(only.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBeNull();
    expect(only.lookup(AF_INET6, V6, 5000, V6, 80, 1)).toBe('v6only');
    only.add('v4', AF_INET, ANY, 80);
    expect(only.lookup(AF_INET6, V6, 5000, V6, 80, 1)).toBe('v6only');
  });

  it('IPv6 exact addresses and IPv4 addresses with equal first words are different buckets', () => {
    const t = new ListenTable<string>(new Random(6));
    t.add('v6', AF_INET6, new Uint32Array([0x0a000001, 0, 0, 0]), 80);
    expect(t.lookup(AF_INET, SRC, 5000, DST, 80, 1)).toBeNull();
    expect(t.lookup(AF_INET6, V6, 5000, new Uint32Array([0x0a000001, 0, 0, 0]), 80, 1)).toBe('v6');
  });

  it('a SO_REUSEPORT group spreads flows by hash, keeps a flow on one member, and shrinks on removal', () => {
    const t = new ListenTable<number>(new Random(7));
    const ls = [0, 1, 2, 3].map((i) => t.add(i, AF_INET, ANY, 80, { reusePort: true, uid: 1000 }));
    expect(ls[0]!.group).toBe(ls[3]!.group);
    const counts = [0, 0, 0, 0];
    const src = v4(0);
    for (let i = 0; i < 4000; i++) {
      src[0] = 0xc0a80000 + i;
      const a = t.lookup(AF_INET, src, 1024 + (i % 7), DST, 80, 1)!;
      expect(t.lookup(AF_INET, src, 1024 + (i % 7), DST, 80, 1)).toBe(a);
      counts[a]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
    t.remove(ls[1]!);
    for (let i = 0; i < 500; i++) {
      src[0] = 0xc0a80000 + i;
      expect(t.lookup(AF_INET, src, 1024, DST, 80, 1)).not.toBe(1);
    }
    // A different uid does not join the group.
    const other = t.add(9, AF_INET, ANY, 80, { reusePort: true, uid: 0 });
    expect(other.group).not.toBe(ls[0]!.group);
  });

  it('removing the last listener of a port empties its bucket', () => {
    const t = new ListenTable<string>(new Random(8));
    const a = t.add('a', AF_INET, DST, 80);
    const b = t.add('b', AF_INET, ANY, 80);
    t.remove(a);
    expect(t.lookup(AF_INET, SRC, 1, DST, 80, 1)).toBe('b');
    t.remove(b);
    t.remove(b);
    expect(t.lookup(AF_INET, SRC, 1, DST, 80, 1)).toBeNull();
    expect(t.count).toBe(0);
    expect(() => t.add('x', AF_INET, ANY, 0)).toThrow(/EINVAL/);
  });
});
