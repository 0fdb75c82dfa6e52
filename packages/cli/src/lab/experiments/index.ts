/**
 * The experiments `netstack lab run <name>` knows, by name, each loaded only when run. Add one
 * line per experiment (a module exporting an `Experiment` as `experiment`).
 */
import type { Experiment } from './experiment.js';

type Loader = () => Promise<{ experiment: Experiment }>;

export const EXPERIMENTS: Readonly<Record<string, Loader>> = {
  gro: () => import('./gro.js'),
  rps: () => import('./rps.js'),
};

export function experimentNames(): string[] {
  return Object.keys(EXPERIMENTS);
}

/** The experiment called `name`, or null when there is none (then `lab run` takes a lab file). */
export async function loadExperiment(name: string): Promise<Experiment | null> {
  const load = Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
  return load === undefined ? null : (await load()).experiment;
}
