#!/usr/bin/env node
/**
 * Public API reports, one per publishable workspace package, made by API Extractor from the
 * declarations `tsc -b` emitted (dist/index.d.ts) with the shared config/api-extractor.json.
 * The reports are committed as api/<unscoped package name>.api.md; a change to a package's public
 * API shows as a diff of its report, to be reviewed with the change.
 *
 *   node scripts/api-report.mjs check  [FOLDER|NAME ...]   exit 1 on a changed, missing or stale report
 *   node scripts/api-report.mjs update [FOLDER|NAME ...]   rewrite the reports (and delete stale ones)
 *
 * `npm run api:check` and `npm run api:update` build first (tsc -b). test/api-report.test.ts runs
 * the check for each package inside `npm test`.
 *
 * A package is publishable when it is a workspace (root package.json "workspaces") whose
 * package.json is not `"private": true`: new packages are picked up without any configuration.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_FILE = join(ROOT, 'config', 'api-extractor.json');
export const REPORT_DIR = join(ROOT, 'api');
export const REPORT_SUFFIX = '.api.md';
export const UPDATE_HINT =
  'If the change is intended, run `npm run api:update`, review the diff (`git diff api/`) and commit the report with the change.';

const posix = (p) => p.split('\\').join('/');
const rel = (p) => posix(relative(ROOT, p));
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const unscoped = (name) => name.replace(/^@[^/]+\//, '');

/**
 * Publishable workspace packages, sorted by folder:
 * `{ name, folder, dir, entry, report }` (entry: dist/index.d.ts; report: api/<name>.api.md).
 */
export function findPublicPackages(root = ROOT) {
  const patterns = readJson(join(root, 'package.json')).workspaces ?? [];
  const dirs = [];
  for (const pattern of Array.isArray(patterns) ? patterns : (patterns.packages ?? [])) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const f of readdirSync(parent, { withFileTypes: true })) if (f.isDirectory()) dirs.push(join(parent, f.name));
    } else if (!pattern.includes('*')) {
      dirs.push(join(root, pattern));
    } else {
      throw new Error(`api-report: workspace pattern ${JSON.stringify(pattern)} is not supported (use "dir/*" or a folder)`);
    }
  }
  const pkgs = [];
  for (const dir of dirs) {
    const pj = join(dir, 'package.json');
    if (!existsSync(pj)) continue; // a folder being written, not a package yet
    const pkg = readJson(pj);
    if (pkg.private === true) continue;
    if (typeof pkg.name !== 'string') throw new Error(`api-report: ${rel(pj)} has no "name"`);
    pkgs.push({
      name: pkg.name,
      folder: rel(dir),
      dir,
      entry: join(dir, 'dist', 'index.d.ts'),
      report: join(REPORT_DIR, unscoped(pkg.name) + REPORT_SUFFIX),
    });
  }
  pkgs.sort((a, b) => a.folder.localeCompare(b.folder));
  const byReport = new Map();
  for (const p of pkgs) {
    const other = byReport.get(p.report);
    if (other) throw new Error(`api-report: ${other.name} and ${p.name} would share the report ${rel(p.report)}`);
    byReport.set(p.report, p);
  }
  return pkgs;
}

/** Committed reports that belong to no publishable package (a package renamed, removed or made private). */
export function findStaleReports(pkgs = findPublicPackages()) {
  if (!existsSync(REPORT_DIR)) return [];
  const wanted = new Set(pkgs.map((p) => p.report));
  return readdirSync(REPORT_DIR)
    .filter((f) => f.endsWith(REPORT_SUFFIX))
    .map((f) => join(REPORT_DIR, f))
    .filter((f) => !wanted.has(f))
    .sort();
}

let baseConfig;
function loadBaseConfig() {
  baseConfig ??= ExtractorConfig.loadFile(CONFIG_FILE);
  return baseConfig;
}

/**
 * Runs API Extractor on one package. `update: false` compares with the committed report;
 * `update: true` rewrites it. Returns
 * `{ pkg, status, ok, ms, diff, errors, warnings }` where status is
 * 'same' | 'changed' | 'missing' (check) or 'same' | 'updated' | 'created' (update), or
 * 'no-build' (dist/index.d.ts missing) | 'crashed' (API Extractor threw); `ok` is false on a
 * changed or missing report (check) or any error (a declaration API Extractor's compiler rejects,
 * a name it cannot follow, a missing build).
 */
export function runPackage(pkg, { update = false } = {}) {
  const t0 = performance.now();
  const done = (r) => ({ pkg, diff: '', errors: [], warnings: [], ...r, ms: Math.round(performance.now() - t0) });
  if (!existsSync(pkg.entry)) {
    return done({
      status: 'no-build',
      ok: false,
      errors: [
        `${rel(pkg.entry)} does not exist: build first (\`npm run build\`, i.e. tsc -b). ` +
          `A new package also needs a reference in the root tsconfig.json so that tsc -b builds it.`,
      ],
    });
  }
  const existed = existsSync(pkg.report);
  const config = ExtractorConfig.prepare({
    configObject: { ...loadBaseConfig(), projectFolder: pkg.dir },
    configObjectFullPath: CONFIG_FILE,
    packageJsonFullPath: join(pkg.dir, 'package.json'),
  });
  if (posix(config.mainEntryPointFilePath) !== posix(pkg.entry)) {
    throw new Error(`api-report: ${CONFIG_FILE} names ${config.mainEntryPointFilePath} as the entry point; this script expects ${pkg.entry}`);
  }
  const errors = [];
  const warnings = [];
  let diff = '';
  let result;
  try {
    result = Extractor.invoke(config, {
      localBuild: update,
      printApiReportDiff: true,
      messageCallback(msg) {
        msg.handled = true;
        const where = msg.sourceFilePath ? `${rel(msg.sourceFilePath)}:${msg.sourceFileLine}:${msg.sourceFileColumn}: ` : '';
        const text = `${where}(${msg.messageId}) ${msg.text}`;
        if (msg.messageId === 'console-api-report-diff') {
          // committed report -> the one generated now, with repository-relative file names
          diff = msg.text
            .replace(/^Changes to the API report:\s*/, '')
            .replace(/^=+\n/, '')
            .replace(/^(---|\+\+\+) (.*)$/gm, (_, sign, file) => `${sign} ${rel(resolve(ROOT, file.trim()))}`);
        } else if (msg.logLevel === 'error') {
          errors.push(text);
        } else if (msg.logLevel === 'warning' && !msg.messageId.startsWith('console-api-report-')) {
          warnings.push(text);
        }
      },
    });
  } catch (err) {
    // API Extractor throws (InternalError) on declarations it cannot follow, e.g. an unresolved name.
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return done({ status: 'crashed', ok: false, errors: [...errors, `API Extractor failed on ${rel(pkg.entry)}: ${message}`], warnings });
  }
  let status;
  if (!result.apiReportChanged) status = 'same';
  else if (update) status = existed ? 'updated' : 'created';
  else status = existed ? 'changed' : 'missing';
  const ok = errors.length === 0 && result.errorCount === 0 && (update || status === 'same');
  return done({ status, ok, diff, errors, warnings });
}

/** The text a failed check shows for one package. */
export function describeFailure(r) {
  const { pkg } = r;
  const lines = [];
  if (r.status === 'no-build') {
    lines.push(`${pkg.name} (${pkg.folder}) is publishable but not built:`, ...r.errors.map((e) => `  ${e}`));
  } else if (r.errors.length > 0) {
    lines.push(`${pkg.name} (${pkg.folder}): API Extractor reported ${r.errors.length} error(s):`, ...r.errors.map((e) => `  ${e}`));
  }
  if (r.status === 'changed') {
    lines.push(
      `${pkg.name}: the public API in ${rel(pkg.entry)} differs from the committed report ${rel(pkg.report)}.`,
      UPDATE_HINT,
      '',
      r.diff.trimEnd(),
    );
  } else if (r.status === 'missing') {
    lines.push(
      `${pkg.name} (${pkg.folder}) is publishable but has no committed API report ${rel(pkg.report)}.`,
      'Run `npm run api:update`, review the new report and commit it (or mark the package "private": true).',
    );
  }
  return lines.join('\n');
}

/** `+N -M` from a unified diff. */
export function diffStat(diff) {
  let add = 0;
  let del = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) add++;
    else if (line.startsWith('-') && !line.startsWith('---')) del++;
  }
  return `+${add} -${del}`;
}

function selectPackages(all, args) {
  if (args.length === 0) return all;
  return args.map((a) => {
    const p = all.find((x) => x.name === a || x.folder === posix(a).replace(/\/$/, '') || unscoped(x.name) === a);
    if (!p) throw new Error(`api-report: no publishable package ${JSON.stringify(a)} (have: ${all.map((x) => x.folder).join(', ')})`);
    return p;
  });
}

function main(argv) {
  const [mode, ...args] = argv;
  if (mode !== 'check' && mode !== 'update') {
    console.error('usage: node scripts/api-report.mjs check|update [FOLDER|NAME ...]');
    return 2;
  }
  const update = mode === 'update';
  const t0 = performance.now();
  const all = findPublicPackages();
  const pkgs = selectPackages(all, args);
  const results = [];
  for (const pkg of pkgs) {
    const r = runPackage(pkg, { update });
    results.push(r);
    const extra = r.diff ? ` (${diffStat(r.diff)} lines)` : '';
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${pkg.name.padEnd(32)} ${r.status}${extra}  ${r.ms} ms`);
    for (const w of r.warnings) console.log(`       warning: ${w}`);
    if (update && r.diff) console.log(r.diff.replace(/^/gm, '       '));
  }
  const stale = args.length === 0 ? findStaleReports(all) : [];
  for (const f of stale) {
    if (update) {
      rmSync(f);
      console.log(`removed ${rel(f)}: no publishable package has this report any more`);
    } else {
      console.log(`FAIL ${rel(f)}: no publishable package has this report (renamed, removed or made private?)`);
    }
  }
  const failed = results.filter((r) => !r.ok);
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (failed.length === 0 && (update || stale.length === 0)) {
    console.log(`api-report: ${update ? 'wrote' : 'checked'} ${results.length} report(s) in ${rel(REPORT_DIR)}/ in ${secs} s`);
    return 0;
  }
  console.error('');
  for (const r of failed) console.error(describeFailure(r) + '\n');
  const summary = [
    ...failed.map((r) => `  ${r.pkg.name}: ${r.status}${r.diff ? ` (${diffStat(r.diff)} lines)` : ''}${r.errors.length ? `, ${r.errors.length} error(s)` : ''}`),
    ...(update ? [] : stale.map((f) => `  ${rel(f)}: stale`)),
  ];
  console.error(`api-report: ${summary.length} problem(s) in ${secs} s:\n${summary.join('\n')}`);
  if (!update) console.error(UPDATE_HINT);
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error && err.message.startsWith('api-report:') ? err.message : err);
    process.exitCode = 2;
  }
}
