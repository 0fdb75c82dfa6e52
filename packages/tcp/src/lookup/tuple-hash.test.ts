import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TupleHash } from './tuple-hash.js';

describe('TupleHash (linear probing, backward-shift delete, resizing)', () => {
  it('agrees with a Map over random insert/remove/find sequences', () => {
    const op = fc.record({ insert: fc.boolean(), k: fc.integer({ min: 0, max: 40 }), k2: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(fc.integer(), fc.array(op, { minLength: 50, maxLength: 300, size: 'max' }), (seed, ops) => {
        const t = new TupleHash<number>(2, 2, seed);
        const ref = new Map<number, number>();
        const find = (k: number, k2: number): number => {
          t.key[0] = k;
          t.key[1] = k2;
          return t.findExact(t.hash());
        };
        let n = 0;
        for (const o of ops) {
          const id = o.k * 3 + o.k2;
          const e = find(o.k, o.k2);
          expect(e >= 0 ? t.values[e] : undefined).toBe(ref.get(id));
          if (o.insert && e < 0) {
            t.insert(t.hash(), n, n & 0xff);
            ref.set(id, n++);
          } else if (!o.insert && e >= 0) {
            expect(t.remove(e)).toBe(ref.get(id));
            ref.delete(id);
          }
          expect(t.count).toBe(ref.size);
          // Every present key is still reachable after each step (a broken shift loses one).
          let lost = 0;
          for (const [rid, v] of ref) {
            const f = find(Math.floor(rid / 3), rid % 3);
            if (f < 0 || t.values[f] !== v || t.tags[f] !== (v & 0xff)) lost++;
          }
          expect(lost).toBe(0);
        }
        expect(t.entries().length).toBe(ref.size);
      }),
      { numRuns: 100 },
    );
  });
});
