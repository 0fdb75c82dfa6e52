/**
 * Byte-exact TCP over impaired links, in virtual time (issue #4): 200 seeds × 1 MB and 4 seeds
 * × 50 MB between two namespaces over a veth pair with netem on both ends. Each seed derives its
 * impairments (loss 0-5 %, reordering 0-10 % with a gap, duplication 0-2 %, delay 1-50 ms with
 * jitter, 0.5 % corruption for one seed in five, socket buffer sizes and a slow reader) and is
 * checked for: the bytes (length + sha256), completion within a virtual-time bound, memory within
 * sndbuf/rcvbuf at every sample, and no socket or buffer left once TIME_WAIT has run out.
 * See scripts/lib/lossy-links.mjs (shared with `npm run soak`) for the details.
 *
 * A failing seed prints its impairments, counters and replay command; replay it with
 * `replay(seed, size)` from ./lossy-links.ts or `node scripts/soak.mjs --replay SEED --size N`.
 */
import { describe, expect, it } from 'vitest';
import {
  CI_LARGE_SEEDS,
  CI_SMALL_SEEDS,
  MB,
  formatFailure,
  impairmentsFor,
  largeCiSeeds,
  payload,
  runLossySeed,
  sha256,
  type LossyResult,
} from './lossy-links.js';

/** One payload for every seed (the 1 MB one is its prefix: the generator is a stream). */
const LARGE = 50 * MB;
const SMALL = 1 * MB;
const data = payload(LARGE);
const smallSha = sha256(data.subarray(0, SMALL));
const largeSha = sha256(data);

/** The 200 small seeds run in this many `it` blocks (a loop each), so progress shows per block. */
const BLOCKS = 4;
const PER_BLOCK = CI_SMALL_SEEDS / BLOCKS;

const small: LossyResult[] = [];

function check(results: LossyResult[]): void {
  const failed = results.filter((r) => !r.ok);
  for (const r of failed) console.error(formatFailure(r));
  expect(failed.map((r) => formatFailure(r)), `${failed.length} of ${results.length} seeds failed`).toEqual([]);
}

describe('TCP byte-exact over lossy links (virtual time)', () => {
  it('derives the impairments from the seed, deterministically and within the ranges', () => {
    let corrupt = 0;
    for (let seed = 1; seed <= CI_SMALL_SEEDS; seed++) {
      const imp = impairmentsFor(seed);
      expect(impairmentsFor(seed)).toEqual(imp);
      for (const d of [imp.forward, imp.reverse]) {
        expect(d.delayMs).toBeGreaterThanOrEqual(1);
        expect(d.delayMs).toBeLessThanOrEqual(50);
        expect(d.jitterMs ?? 0).toBeLessThanOrEqual(d.delayMs);
        expect(d.lossPercent ?? 0).toBeLessThanOrEqual(5);
        expect(d.reorderPercent ?? 0).toBeLessThanOrEqual(10);
        expect(d.duplicatePercent ?? 0).toBeLessThanOrEqual(2);
        expect([0, 0.5]).toContain(d.corruptPercent ?? 0);
        if (d.reorderPercent !== undefined) expect(d.gap).toBeGreaterThanOrEqual(1);
        if (d.corruptPercent) corrupt++;
      }
    }
    expect(corrupt).toBeGreaterThan(20);
    expect(largeCiSeeds()).toHaveLength(CI_LARGE_SEEDS);
  });

  it('replays a seed identically (virtual time is deterministic)', () => {
    const seed = largeCiSeeds()[0]!;
    const r1 = runLossySeed(seed, SMALL, { data, expectedSha: smallSha });
    const r2 = runLossySeed(seed, SMALL, { data, expectedSha: smallSha });
    expect(r1.ok, formatFailure(r1)).toBe(true);
    expect({ t: r2.virtualMs, c: r2.counters, n: r2.netem, m: r2.memory }).toEqual({ t: r1.virtualMs, c: r1.counters, n: r1.netem, m: r1.memory });
  });

  for (let block = 0; block < BLOCKS; block++) {
    const first = 1 + block * PER_BLOCK;
    const last = first + PER_BLOCK - 1;
    it(`seeds ${first}-${last}: 1 MB each, sha256, memory bounds, no leaks, in time`, { timeout: 60_000 }, () => {
      const results: LossyResult[] = [];
      for (let seed = first; seed <= last; seed++) results.push(runLossySeed(seed, SMALL, { data, expectedSha: smallSha }));
      small.push(...results);
      check(results);
    });
  }

  it('the 200 seeds exercised what they should: loss, retransmits, timeouts, corruption dropped by checksum', () => {
    expect(small).toHaveLength(CI_SMALL_SEEDS);
    const sum = (f: (r: LossyResult) => number) => small.reduce((n, r) => n + f(r), 0);
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    expect(sum((r) => r.netem.forward.lost + r.netem.reverse.lost)).toBeGreaterThan(1000);
    expect(sum((r) => r.netem.forward.reordered + r.netem.reverse.reordered)).toBeGreaterThan(1000);
    expect(sum((r) => r.netem.forward.duplicated + r.netem.reverse.duplicated)).toBeGreaterThan(100);
    expect(sum((r) => r.netem.forward.corrupted + r.netem.reverse.corrupted)).toBeGreaterThan(100);
    expect(sum((r) => num(r.counters.a.TcpRetransSegs))).toBeGreaterThan(1000);
    expect(sum((r) => num(r.counters.a.TcpExtTCPTimeouts))).toBeGreaterThan(0);
    // Corrupted data segments reach b's TCP checksum (others die on the IP checksum or the MAC).
    expect(sum((r) => num(r.counters.b.TcpInCsumErrors))).toBeGreaterThan(0);
    // The memory bounds were sampled and reached: senders filled sndbuf, and receivers with a
    // small SO_RCVBUF or a slow reader filled at least half of rcvbuf.
    expect(Math.min(...small.map((r) => r.memory.samples))).toBeGreaterThan(10);
    expect(small.filter((r) => r.memory.maxWmemOverSndbuf >= 0).length).toBeGreaterThan(CI_SMALL_SEEDS / 2);
    expect(small.filter((r) => r.memory.maxRmem >= r.memory.rcvbuf / 2).length).toBeGreaterThan(10);
  });

  for (const seed of largeCiSeeds()) {
    it(`seed ${seed}: 50 MB, sha256, memory bounds, no leaks, in time`, { timeout: 60_000 }, () => {
      check([runLossySeed(seed, LARGE, { data, expectedSha: largeSha })]);
    });
  }
});
