import { ERRNO, NetError, type ErrnoCode } from '@netstack/core';

/** A NetError for a positive errno number (as the L3 returns them negated). */
export function errnoError(errno: number, message: string): NetError {
  for (const [code, n] of Object.entries(ERRNO)) if (n === errno) return new NetError(code as ErrnoCode, message);
  return new NetError('EIO', `${message} (errno ${errno})`);
}
