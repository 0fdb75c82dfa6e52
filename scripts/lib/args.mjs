/**
 * Command-line options of `npm run bench` (scripts/bench.mjs).
 *
 *   --json            print only a JSON array of { name, value, unit, reference, ratio } on stdout
 *   --filter NAME     run only entries whose name contains NAME (repeatable; a /regex/ works too)
 *   --time MS         measured time per side (subject and reference) per benchmark, default 1000
 *   --rounds N        rounds the measured time is split into; the median is reported, default 5
 *   --warmup MS       warm-up time per side before measuring, default 250
 *   --no-build        skip `tsc -b` (the benchmarks import the compiled packages)
 *   --list            list the benchmark names and exit
 */
export const DEFAULTS = Object.freeze({ json: false, filters: [], timeMs: 1000, rounds: 5, warmupMs: 250, build: true, list: false });

function positive(name, raw, { integer = false, max }) {
  const v = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)) || v > max) {
    throw new Error(`${name} needs a ${integer ? 'positive integer' : 'positive number'} up to ${max}, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`);
  }
  return v;
}

/** Parse argv (without node and the script). Throws on unknown options. */
export function parseArgs(argv) {
  const o = { ...DEFAULTS, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const key = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]);
    switch (key) {
      case '--json': o.json = true; break;
      case '--list': o.list = true; break;
      case '--no-build': o.build = false; break;
      case '--filter': {
        const f = value();
        if (f === undefined || f === '') throw new Error('--filter needs a name');
        o.filters.push(f);
        break;
      }
      case '--time': o.timeMs = positive('--time', value(), { max: 600_000 }); break;
      case '--rounds': o.rounds = positive('--rounds', value(), { integer: true, max: 101 }); break;
      case '--warmup': o.warmupMs = positive('--warmup', value(), { max: 600_000 }); break;
      case '-h':
      case '--help': o.help = true; break;
      default: throw new Error(`unknown option ${arg} (try --help)`);
    }
  }
  return o;
}

/** Does `name` match one of the filters (no filter: everything)? */
export function matches(name, filters) {
  if (filters.length === 0) return true;
  return filters.some((f) => {
    if (f.length > 2 && f.startsWith('/') && f.endsWith('/')) return new RegExp(f.slice(1, -1)).test(name);
    return name.includes(f);
  });
}
