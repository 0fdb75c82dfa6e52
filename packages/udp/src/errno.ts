/**
 * Negative errno numbers (what the L3 contract returns) back to the names `NetError` carries.
 */
import { ERRNO, NetError, type ErrnoCode } from '@netstack/core';

const BY_NUMBER: ReadonlyMap<number, ErrnoCode> = new Map(Object.entries(ERRNO).map(([name, n]) => [n, name as ErrnoCode]));

/** The errno name of `-n` or `n`; EINVAL for a number core does not know. */
export function errnoName(n: number): ErrnoCode {
  return BY_NUMBER.get(Math.abs(n)) ?? 'EINVAL';
}

/** A NetError for a negative errno returned by the L3. */
export function errnoError(n: number, message: string): NetError {
  return new NetError(errnoName(n), message);
}

/** ENOBUFS: what a qdisc drop looks like to the sender (`net_xmit_errno`). */
export const ERRNO_ENOBUFS: number = ERRNO.ENOBUFS;
