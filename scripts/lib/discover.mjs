import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `packages/<pkg>/bench/*.bench.mjs`, sorted by path. */
export function findBenchFiles(root) {
  const pkgs = join(root, 'packages');
  const files = [];
  for (const pkg of readdirSync(pkgs).sort()) {
    const dir = join(pkgs, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.mjs')) files.push(join(dir, f));
  }
  return files;
}

/**
 * A benchmark definition, as each `*.bench.mjs` file exports them (default export: an array):
 *   { name, unit, description?,
 *     subject():   BenchCase   // the path being measured
 *     reference(): BenchCase } // the floor measured in the same run; ratio = subject / reference
 * A BenchCase is { step(): units done, verify?(): string | null (an error), poolLive?(): number,
 * close?(): void }. `poolLive` is read after the last step (and after `close`); it must be 0.
 *
 * A deterministic figure (virtual time: a latency, a ratio of two runs) is instead
 *   { name, unit, description?, measure(): { value, reference, verify?: string | null, poolLive?: number } }
 * measured once; ratio = value / reference as for rates.
 */
export function validateDefinition(def, file) {
  const where = `${file}: benchmark ${JSON.stringify(def?.name)}`;
  if (def === null || typeof def !== 'object') throw new Error(`${file}: an entry is not an object`);
  if (typeof def.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(def.name)) throw new Error(`${where}: name must be lower-case [a-z0-9._-]`);
  if (typeof def.unit !== 'string' || def.unit === '') throw new Error(`${where}: needs a unit`);
  const rate = typeof def.subject === 'function' && typeof def.reference === 'function';
  const once = typeof def.measure === 'function';
  if (rate === once) throw new Error(`${where}: needs either subject() and reference(), or measure()`);
  return def;
}

export async function loadBenchmarks(root) {
  const defs = [];
  const seen = new Map();
  for (const file of findBenchFiles(root)) {
    const mod = await import(pathToFileURL(file).href);
    const list = mod.default ?? mod.benchmarks;
    if (!Array.isArray(list)) throw new Error(`${file}: export default an array of benchmark definitions`);
    for (const def of list) {
      validateDefinition(def, file);
      if (seen.has(def.name)) throw new Error(`benchmark ${def.name} defined twice (${seen.get(def.name)} and ${file})`);
      seen.set(def.name, file);
      defs.push({ ...def, file });
    }
  }
  return defs;
}
