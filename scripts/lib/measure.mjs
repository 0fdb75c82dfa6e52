import { performance } from 'node:perf_hooks';

/** Median of a non-empty list of numbers. */
export function median(values) {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Call `step()` (which does some work and returns how many units it did) for `ms` milliseconds
 * of wall-clock time, bounded also by `maxCalls`; return units per second. The clock is read
 * once per step, so a step should batch enough work (tens of frames) to make that negligible.
 */
export function sampleRate(step, ms, maxCalls = 1e9) {
  const t0 = performance.now();
  const deadline = t0 + ms;
  let units = 0;
  let calls = 0;
  let now = t0;
  do {
    units += step();
    calls++;
    now = performance.now();
  } while (now < deadline && calls < maxCalls);
  const seconds = (now - t0) / 1000;
  if (units <= 0) throw new Error('a step did no work (returned 0 units)');
  return units / seconds;
}

/**
 * Measure a subject against its reference in the same process and run: warm both up, then
 * alternate them round by round (so drift in machine speed hits both alike) and report the
 * median rate of each over `rounds` rounds of `timeMs / rounds`.
 */
export function compare(subject, reference, { timeMs, rounds, warmupMs }) {
  sampleRate(reference.step, warmupMs);
  sampleRate(subject.step, warmupMs);
  const per = timeMs / rounds;
  const subj = [];
  const ref = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ref.push(sampleRate(reference.step, per));
      subj.push(sampleRate(subject.step, per));
    } else {
      subj.push(sampleRate(subject.step, per));
      ref.push(sampleRate(reference.step, per));
    }
  }
  return { value: median(subj), reference: median(ref), samples: subj, referenceSamples: ref };
}
