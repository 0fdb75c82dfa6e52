#!/usr/bin/env node
/**
 * `npm run bench`: build the packages quietly (`tsc -b`), discover packages/<pkg>/bench/*.bench.mjs
 * (each exports an array of definitions, see scripts/lib/discover.mjs), and measure each entry
 * against its reference in the same run. Prints a table, or with --json only a JSON array of
 * { name, value, unit, reference, ratio } on stdout (progress and pool checks go to stderr).
 * Exits 1 on any error: a failed build, a benchmark that throws, a path that lost or corrupted
 * frames, or a pool with live buffers after a benchmark. Speed alone never fails the run.
 * Note: `npm run` prints its own banner on stdout; use `npm run -s bench -- --json` for pure JSON.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matches, parseArgs } from './lib/args.mjs';
import { buildPackages } from './lib/build.mjs';
import { loadBenchmarks } from './lib/discover.mjs';
import { compare } from './lib/measure.mjs';
import { fmtNumber, fmtRatio, formatTable } from './lib/table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

async function main() {
  // `npm run bench -- --list | head`: a closed pipe ends the run quietly.
  process.stdout.on('error', (err) => (err.code === 'EPIPE' ? process.exit(0) : fail(err.message)));
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    fail(err.message);
  }
  if (opts.help) {
    process.stdout.write('usage: npm run bench -- [--json] [--filter NAME]... [--time MS] [--rounds N] [--warmup MS] [--no-build] [--list]\n');
    return;
  }
  if (opts.build) buildPackages(root, fail);
  const all = await loadBenchmarks(root);
  if (opts.list) {
    for (const d of all) process.stdout.write(`${d.name}\t${d.unit}\t${d.description ?? ''}\n`);
    return;
  }
  const chosen = all.filter((d) => matches(d.name, opts.filters));
  if (chosen.length === 0) fail(`no benchmark matches ${opts.filters.map((f) => JSON.stringify(f)).join(', ') || '(none defined)'}; have: ${all.map((d) => d.name).join(', ')}`);

  const log = (line) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  const results = [];
  const rows = [];
  const errors = [];
  for (const def of chosen) {
    let subject;
    let reference;
    try {
      if (def.measure !== undefined) {
        const m = await def.measure();
        const problems = [m.verify].filter((p) => p !== null && p !== undefined);
        const live = m.poolLive ?? 0;
        if (live !== 0) problems.push(`pool has ${live} live buffers after the run (leak)`);
        if (!(Number.isFinite(m.value) && Number.isFinite(m.reference) && m.reference !== 0)) problems.push(`not a measurement: value ${m.value}, reference ${m.reference}`);
        if (problems.length > 0) {
          errors.push(`${def.name}: ${problems.join('; ')}`);
          continue;
        }
        const ratio = m.value / m.reference;
        results.push({ name: def.name, value: m.value, unit: def.unit, reference: m.reference, ratio });
        rows.push({ unit: def.unit, once: true, cells: [def.name, fmtNumber(m.value), '-', fmtNumber(m.reference), '-', fmtRatio(ratio), String(live)] });
        continue;
      }
      subject = def.subject();
      reference = def.reference();
      const m = compare(subject, reference, opts);
      subject.close?.();
      reference.close?.();
      const problems = [subject.verify?.(), reference.verify?.()].filter((p) => p !== null && p !== undefined);
      const live = subject.poolLive?.() ?? 0;
      log(`${def.name}: pool live after run = ${live}`);
      if (live !== 0) problems.push(`pool has ${live} live buffers after the run (leak)`);
      if (problems.length > 0) {
        errors.push(`${def.name}: ${problems.join('; ')}`);
        continue;
      }
      const ratio = m.value / m.reference;
      results.push({ name: def.name, value: m.value, unit: def.unit, reference: m.reference, ratio });
      rows.push({ unit: def.unit, cells: [def.name, fmtNumber(m.value), fmtNumber(1e9 / m.value), fmtNumber(m.reference), fmtNumber(1e9 / m.reference), fmtRatio(ratio), String(live)] });
    } catch (err) {
      errors.push(`${def.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else if (rows.length > 0) {
    // One table per unit: "frames/s" gives the columns frames/s and ns/frame.
    for (const unit of [...new Set(rows.map((r) => r.unit))]) {
      const of = rows.filter((r) => r.unit === unit);
      const per = unit.endsWith('/s') ? singular(unit.slice(0, -2)) : unit;
      // Deterministic figures (measured once) have no per-operation time.
      const header = of.every((r) => r.once) ? ['benchmark', unit, '', `ref ${unit}`, '', 'ratio', 'pool live'] : ['benchmark', unit, `ns/${per}`, `ref ${unit}`, `ref ns/${per}`, 'ratio', 'pool live'];
      process.stdout.write('\n' + formatTable(header, of.map((r) => r.cells)) + '\n');
    }
    if (rows.some((r) => !r.once)) process.stdout.write(`\n${opts.rounds} rounds of ${fmtNumber(opts.timeMs / opts.rounds)} ms per side after ${opts.warmupMs} ms warm-up; median shown; ratio = value / reference (higher is better).\n`);
  }
  if (errors.length > 0) fail(`${errors.length} benchmark(s) failed:\n  ${errors.join('\n  ')}`);
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));

/** "frames" → "frame", "hashes" → "hash", "conn" → "conn": the unit of one operation. */
function singular(word) {
  if (/(sh|ch|ss|x)es$/.test(word)) return word.slice(0, -2);
  return word.replace(/s$/, '');
}
