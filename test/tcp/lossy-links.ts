/**
 * Lossy-link transfers for test/tcp/lossy.test.ts. The per-seed impairment derivation and the
 * checked transfer live in scripts/lib/lossy-links.mjs, the one source of truth that `npm run
 * soak` (scripts/soak.mjs) uses too; this module re-exports it and adds `replay`.
 *
 * Replay a failing seed from a test or a scratch file:
 *   import { replay } from './lossy-links.js';
 *   replay(1234, 1 << 20);          // prints the impairments, problems and counters
 * or from the shell, against the compiled packages:
 *   npx tsc -b && node scripts/soak.mjs --replay 1234 --size 1048576
 */
import { formatFailure, formatPass, runLossySeed, type LossyResult, type RunOptions } from '../../scripts/lib/lossy-links.mjs';

export * from '../../scripts/lib/lossy-links.mjs';

/** Run one seed again (same impairments, same virtual-time history) and print what happened. */
export function replay(seed: number, sizeBytes: number, options: RunOptions = {}): LossyResult {
  const r = runLossySeed(seed, sizeBytes, options);
  console.log(r.ok ? formatPass(r) : formatFailure(r));
  return r;
}
