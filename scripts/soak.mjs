#!/usr/bin/env node
/**
 * `npm run soak`: byte-exact TCP transfers over lossy links, 200 seeds × 50 MB by default, in
 * virtual time, against the compiled packages (built first with `tsc -b`). Each seed derives its
 * impairments and is checked exactly as test/tcp/lossy.test.ts checks its seeds (both use
 * scripts/lib/lossy-links.mjs): sha256 of the bytes, completion within a virtual-time bound,
 * sndbuf/rcvbuf memory bounds, no socket or buffer left after TIME_WAIT.
 *
 * Prints one line per seed as it finishes, then every failing seed with its impairments,
 * counters and replay command, and exits 1 if any seed failed (or did not run).
 *
 *   npm run soak                                  200 seeds × 50 MB, on every core
 *   npm run soak -- --seeds 20 --size 1048576     seeds 1..20, 1 MB each
 *   npm run soak -- --from 101 --to 150 --jobs 1  a range, one worker
 *   node scripts/soak.mjs --replay 17 --size 52428800   one seed, its full report
 *   node scripts/soak.mjs --replay 17 --size 52428800 --trace 1000   ... and its state every 1 s
 *
 * Options: --seeds N (seeds 1..N), --from A --to B, --size BYTES, --jobs N (worker threads,
 * default the number of CPUs), --max-minutes M (stop starting seeds after M minutes, default 120;
 * the seeds not run count as failures), --no-build, --verbose (counters for every seed), and
 * with --replay, --trace MS (sender/receiver state every MS of virtual time).
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { buildPackages } from './lib/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SEEDS = 200;
const DEFAULT_SIZE = 50 * (1 << 20);

function fail(message) {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { from: 1, to: DEFAULT_SEEDS, size: DEFAULT_SIZE, jobs: Math.max(1, availableParallelism()), maxMinutes: 120, build: true, replay: null, verbose: false, traceMs: 0 };
  const int = (name, raw, min, max) => {
    const v = Number(raw);
    if (raw === undefined || !Number.isInteger(v) || v < min || v > max) fail(`${name} needs an integer in [${min}, ${max}], got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const key = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (key) {
      case '--seeds': o.from = 1; o.to = int(key, value(), 1, 1_000_000); break;
      case '--from': o.from = int(key, value(), 0, 0xffffffff); break;
      case '--to': o.to = int(key, value(), 0, 0xffffffff); break;
      case '--size': o.size = int(key, value(), 1, 1 << 30); break;
      case '--jobs': o.jobs = int(key, value(), 1, 64); break;
      case '--max-minutes': o.maxMinutes = int(key, value(), 1, 24 * 60); break;
      case '--replay': o.replay = int(key, value(), 0, 0xffffffff); break;
      case '--no-build': o.build = false; break;
      case '--verbose': o.verbose = true; break;
      case '--trace': o.traceMs = int(key, value(), 10, 3_600_000); break;
      case '-h':
      case '--help':
        process.stdout.write('usage: npm run soak -- [--seeds N | --from A --to B] [--size BYTES] [--jobs N] [--max-minutes M] [--no-build] [--verbose] | --replay SEED [--size BYTES] [--trace MS]\n');
        process.exit(0);
        break;
      default: fail(`unknown option ${arg} (try --help)`);
    }
  }
  if (o.to < o.from) fail(`--to ${o.to} < --from ${o.from}`);
  if (o.to - o.from >= 1_000_000) fail('at most 1,000,000 seeds per run');
  return o;
}

const fmtS = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Worker: run the seeds it is handed, one message per seed, until told to stop. */
async function workerMain() {
  const lib = await import('./lib/lossy-links.mjs');
  const { size } = workerData;
  const data = lib.payload(size);
  const expectedSha = lib.sha256(data);
  parentPort.on('message', (msg) => {
    if (msg.stop) {
      parentPort.close();
      return;
    }
    let result;
    try {
      result = lib.runLossySeed(msg.seed, size, { data, expectedSha });
    } catch (err) {
      result = { seed: msg.seed, crashed: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    parentPort.postMessage(result);
  });
  parentPort.postMessage({ ready: true });
}

async function replayMain(opts, lib) {
  process.stdout.write(`replaying seed ${opts.replay}, ${opts.size} bytes: ${lib.describeImpairments(lib.impairmentsFor(opts.replay))}\n`);
  const r = lib.runLossySeed(opts.replay, opts.size, { traceEveryMs: opts.traceMs });
  if (r.ok) {
    process.stdout.write(`PASS ${lib.formatPass(r)}\n`);
    process.stdout.write(`  counters a: ${JSON.stringify(r.counters.a)}\n  counters b: ${JSON.stringify(r.counters.b)}\n  netem: ${JSON.stringify(r.netem)}\n  memory: ${JSON.stringify(r.memory)}\n`);
  } else {
    process.stdout.write(`${lib.formatFailure(r)}\n`);
  }
  process.stdout.write(`  virtual ${fmtS(r.virtualMs)} of ${fmtS(r.virtualLimitMs)} allowed, wall ${fmtS(r.wallMs)}\n`);
  process.exit(r.ok ? 0 : 1);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) buildPackages(root, fail);
  const lib = await import('./lib/lossy-links.mjs');
  if (opts.replay !== null) return replayMain(opts, lib);

  const seeds = [];
  for (let s = opts.from; s <= opts.to; s++) seeds.push(s);
  const jobs = Math.min(opts.jobs, seeds.length);
  const total = seeds.length;
  const t0 = performance.now();
  const deadline = t0 + opts.maxMinutes * 60_000;
  process.stdout.write(`soak: ${total} seeds (${opts.from}..${opts.to}) × ${opts.size} bytes, ${jobs} worker(s), stop starting seeds after ${opts.maxMinutes} min\n`);

  const results = [];
  const failures = [];
  let next = 0;
  let done = 0;
  let passedBytes = 0;

  const onResult = (r) => {
    done++;
    const elapsed = performance.now() - t0;
    const eta = done < total ? ` eta ${fmtS((elapsed / done) * (total - done))}` : '';
    const head = `[${String(done).padStart(String(total).length)}/${total} ${fmtS(elapsed)}${eta}]`;
    if (r.crashed !== undefined) {
      failures.push(r);
      process.stdout.write(`${head} seed ${r.seed} CRASHED: ${r.crashed.split('\n')[0]}\n  impairments: ${lib.describeImpairments(lib.impairmentsFor(r.seed))}\n  replay: ${lib.replayCommand(r.seed, opts.size)}\n`);
      return;
    }
    results.push(r);
    if (r.ok) {
      passedBytes += r.sizeBytes;
      process.stdout.write(`${head} ok   ${lib.formatPass(r)}\n`);
      if (opts.verbose) process.stdout.write(`  counters a: ${JSON.stringify(r.counters.a)}\n  counters b: ${JSON.stringify(r.counters.b)}\n`);
    } else {
      failures.push(r);
      process.stdout.write(`${head} FAIL ${lib.formatFailure(r)}\n`);
    }
  };

  const notRun = [];
  await Promise.all(
    Array.from({ length: jobs }, () =>
      new Promise((resolve) => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: { size: opts.size } });
        let current = null;
        const feed = () => {
          if (next < seeds.length && performance.now() < deadline) {
            current = seeds[next++];
            w.postMessage({ seed: current });
          } else {
            current = null;
            w.postMessage({ stop: true });
          }
        };
        w.on('message', (msg) => {
          if (msg.ready) return feed();
          onResult(msg);
          feed();
        });
        w.on('error', (err) => {
          if (current !== null) onResult({ seed: current, crashed: err instanceof Error ? (err.stack ?? err.message) : String(err) });
          current = null;
        });
        w.on('exit', () => resolve());
      }),
    ),
  );
  while (next < seeds.length) notRun.push(seeds[next++]);

  const wall = performance.now() - t0;
  process.stdout.write(`\nsoak: ${results.filter((r) => r.ok).length} passed, ${failures.length} failed, ${notRun.length} not run (time limit) of ${total} seeds × ${opts.size} bytes in ${fmtS(wall)} wall (${(passedBytes / (1 << 20) / (wall / 1000)).toFixed(1)} MB/s of verified transfer)\n`);
  if (results.length > 0) {
    const byRatio = [...results].sort((x, y) => y.virtualMs / y.virtualLimitMs - x.virtualMs / x.virtualLimitMs);
    const worst = byRatio[0];
    const slowest = results.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    const vt = results.map((r) => r.virtualMs).sort((x, y) => x - y);
    process.stdout.write(`  virtual time: median ${fmtS(vt[vt.length >> 1])}, max ${fmtS(vt[vt.length - 1])}; closest to its limit: seed ${worst.seed} (${fmtS(worst.virtualMs)} of ${fmtS(worst.virtualLimitMs)})\n`);
    process.stdout.write(`  closest to their limits: ${byRatio.slice(0, 5).map((r) => `seed ${r.seed} ${((100 * r.virtualMs) / r.virtualLimitMs).toFixed(0)}%`).join(', ')}\n`);
    process.stdout.write(`  slowest seed in wall time: ${slowest.seed} (${fmtS(slowest.wallMs)})\n`);
    process.stdout.write(`  memory: max wmemQueued - sndbuf ${Math.max(...results.map((r) => r.memory.maxWmemOverSndbuf))} B, max rmemAlloc - rcvbuf ${Math.max(...results.map((r) => r.memory.maxRmemOverRcvbuf))} B\n`);
    const tot = (f) => results.reduce((n, r) => n + (typeof f(r) === 'number' ? f(r) : 0), 0);
    process.stdout.write(`  totals: netem lost ${tot((r) => r.netem.forward.lost + r.netem.reverse.lost)}, corrupted ${tot((r) => r.netem.forward.corrupted + r.netem.reverse.corrupted)}, retransmits ${tot((r) => r.counters.a.TcpRetransSegs)}, RTOs ${tot((r) => r.counters.a.TcpExtTCPTimeouts)}, b TcpInCsumErrors ${tot((r) => r.counters.b.TcpInCsumErrors)}\n`);
  }
  if (failures.length > 0) {
    process.stdout.write(`\nFAILING SEEDS (${failures.length}):\n`);
    for (const r of failures) {
      if (r.crashed !== undefined) process.stdout.write(`seed ${r.seed} CRASHED\n  impairments: ${lib.describeImpairments(lib.impairmentsFor(r.seed))}\n  replay: ${lib.replayCommand(r.seed, opts.size)}\n  ${r.crashed}\n`);
      else process.stdout.write(`${lib.formatFailure(r)}\n`);
    }
  }
  if (notRun.length > 0) process.stdout.write(`\nNOT RUN (time limit): seeds ${notRun[0]}..${notRun[notRun.length - 1]}\n`);
  process.exit(failures.length > 0 || notRun.length > 0 ? 1 : 0);
}

if (isMainThread) main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
else workerMain().catch((err) => {
  throw err;
});
