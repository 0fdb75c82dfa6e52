/**
 * The public API of every publishable package (a workspace not marked "private") matches its
 * committed report api/<name>.api.md, made by API Extractor from dist/index.d.ts (so this needs the
 * build: `npm test` runs tsc -b first). A change fails here with the report's diff; if it is
 * intended, `npm run api:update` rewrites the reports for review and commit. All packages run in
 * this one worker, one test each (about 1-3 s per package).
 */
import { describe, expect, it } from 'vitest';
import { relative } from 'node:path';
import {
  ROOT,
  describeFailure,
  findPublicPackages,
  findStaleReports,
  runPackage,
} from '../scripts/api-report.mjs';

const TIMEOUT = 120_000;
const packages = findPublicPackages();

describe('public API reports (api/*.api.md, `npm run api:update` to rewrite)', () => {
  it('finds the publishable packages', () => {
    const names = packages.map((p) => p.name);
    expect(names).toContain('@netstack/core');
    expect(names).toContain('@netstack/example-hello-proto');
  });

  for (const pkg of packages) {
    it(`${pkg.name} (${pkg.folder}) matches ${relative(ROOT, pkg.report)}`, () => {
      const r = runPackage(pkg, { update: false });
      if (!r.ok) expect.fail(describeFailure(r));
      expect(r.status).toBe('same');
    }, TIMEOUT);
  }

  it('every committed report belongs to a publishable package', () => {
    const stale = findStaleReports(packages).map((f) => relative(ROOT, f));
    if (stale.length > 0) {
      expect.fail(
        `${stale.join(', ')}: no publishable package has this report (renamed, removed or made private?). ` +
          'Run `npm run api:update` to delete it and commit the removal.',
      );
    }
  });
});
