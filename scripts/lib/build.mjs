/**
 * The build the scripts run before they import the compiled packages (packages/<pkg>/dist):
 * `tsc -b` at the repository root, quiet unless it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Run `tsc -b` in `root`. On failure, copy tsc's output to stderr and call `fail(message)` (the
 * caller's: it prints its own prefix and exits).
 */
export function buildPackages(root, fail) {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  if (!existsSync(tsc)) fail(`${relative(root, tsc)} not found: run npm install first`);
  const r = spawnSync(tsc, ['-b'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (r.error !== undefined || r.status !== 0) {
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    fail(`build (tsc -b) failed${r.error ? `: ${r.error.message}` : ` with exit code ${r.status}`}`);
  }
}
