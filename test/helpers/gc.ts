import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

/**
 * Minor GCs (scavenges) that start while `fn` runs. A scavenge happens only when the young
 * generation fills, so a hot loop that allocates nothing per iteration shows none. GC entries
 * arrive from the event loop, hence the yields around the measured call.
 */
export async function scavengesDuring(fn: () => void): Promise<number> {
  const starts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) starts.push(e.startTime);
  });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  obs.observe({ entryTypes: ['gc'] });
  await settle();
  const t0 = performance.now();
  fn();
  const t1 = performance.now();
  await settle();
  obs.disconnect();
  return starts.filter((t) => t >= t0 && t <= t1).length;
}
