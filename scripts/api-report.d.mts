// Types for scripts/api-report.mjs, as test/api-report.test.ts uses it.
export interface PublicPackage {
  /** package.json "name", e.g. @netstack/core */
  name: string;
  /** folder relative to the repository root, e.g. packages/core */
  folder: string;
  dir: string;
  /** absolute path of dist/index.d.ts */
  entry: string;
  /** absolute path of api/<unscoped name>.api.md */
  report: string;
}
export type ReportStatus = 'same' | 'changed' | 'missing' | 'updated' | 'created' | 'no-build' | 'crashed';
export interface PackageResult {
  pkg: PublicPackage;
  status: ReportStatus;
  ok: boolean;
  ms: number;
  /** unified diff committed report -> current API ('' when equal) */
  diff: string;
  errors: string[];
  warnings: string[];
}
export const ROOT: string;
export const CONFIG_FILE: string;
export const REPORT_DIR: string;
export const REPORT_SUFFIX: string;
export const UPDATE_HINT: string;
export function findPublicPackages(root?: string): PublicPackage[];
export function findStaleReports(pkgs?: PublicPackage[]): string[];
export function runPackage(pkg: PublicPackage, options?: { update?: boolean }): PackageResult;
export function describeFailure(result: PackageResult): string;
export function diffStat(diff: string): string;
