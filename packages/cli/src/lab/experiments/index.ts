/**
 * The experiments `netstack lab run <name>` knows, by name, each loaded only when run. Add one
 * line per experiment.
 */
import type { Experiment } from './experiment.js';

type Loader = () => Promise<Experiment>;

export const EXPERIMENTS: Readonly<Record<string, Loader>> = {
  gro: async () => (await import('./gro.js')).experiment,
  rps: async () => (await import('./rps.js')).experiment,
  rss: async () => (await import('./rss.js')).experiment,
  latency: async () => (await import('./latency.js')).experiment,
  tfo: async () => (await import('./tfo.js')).tfoExperiment,
  tsq: async () => (await import('./tsq.js')).tsqExperiment,
  synflood: async () => (await import('./synflood.js')).synfloodExperiment,
};

export function experimentNames(): string[] {
  return Object.keys(EXPERIMENTS);
}

/** The experiment called `name`, or null when there is none (then `lab run` takes a lab file). */
export async function loadExperiment(name: string): Promise<Experiment | null> {
  const load = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
  return load === undefined ? null : load();
}
