/**
 * lib/net.js's `normalizeArgs`: `(options[, cb])`, `(port[, host][, cb])` and `(path[, cb])`
 * all become `[options, cb | null]`, marked so that `Socket#connect` does not normalise twice.
 */

export const normalizedArgsSymbol = Symbol('normalizedArgs');

/** The options `connect()` / `listen()` end up with. */
export interface NormalizedOptions {
  port?: unknown;
  host?: unknown;
  path?: unknown;
  [key: string]: unknown;
}

export type NormalizedArgs = [NormalizedOptions, ((...args: unknown[]) => void) | null] & { [normalizedArgsSymbol]?: true };

/** Node's `toNumber`: a non-negative number, or false. */
export function toNumber(x: unknown): number | false {
  const n = Number(x);
  return n >= 0 ? n : false;
}

/** A string that is not a number names a pipe (`isPipeName`). */
export function isPipeName(s: unknown): boolean {
  return typeof s === 'string' && toNumber(s) === false;
}

export function normalizeArgs(args: readonly unknown[]): NormalizedArgs {
  let arr: NormalizedArgs;
  if (args.length === 0) {
    arr = [{}, null];
    arr[normalizedArgsSymbol] = true;
    return arr;
  }
  const arg0 = args[0];
  let options: NormalizedOptions = {};
  if (typeof arg0 === 'object' && arg0 !== null) {
    options = arg0 as NormalizedOptions;
  } else if (isPipeName(arg0)) {
    options.path = arg0;
  } else {
    options.port = arg0;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const cb = args[args.length - 1];
  arr = [options, typeof cb === 'function' ? (cb as (...a: unknown[]) => void) : null];
  arr[normalizedArgsSymbol] = true;
  return arr;
}

export function isNormalized(x: unknown): x is NormalizedArgs {
  return Array.isArray(x) && (x as NormalizedArgs)[normalizedArgsSymbol] === true;
}
