/**
 * Errors thrown across the public API carry the kernel's errno name, so callers can switch on
 * `err.code` exactly as they would on a syscall's `errno` (and as Node's own `err.code` works).
 * Packet-path failures are never thrown: they are drops with a reason (see `DropReason`).
 */

/** errno values from include/uapi/asm-generic/errno-base.h and errno.h (x86_64). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOSPC: 28,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  ENODATA: 61,
  ENONET: 64,
  EPROTO: 71,
  EMLINK: 31,
  EOVERFLOW: 75,
  EBADMSG: 74,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  EREMOTEIO: 121,
} as const;

export type ErrnoCode = keyof typeof ERRNO;

/** An API error with the kernel's errno name (`code`) and number (`errno`, positive as in errno(3)). */
export class NetError extends Error {
  readonly code: ErrnoCode;
  readonly errno: number;

  constructor(code: ErrnoCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'NetError';
    this.code = code;
    this.errno = ERRNO[code];
  }
}

/** A stack could not be composed: a plugin's dependency is missing, or two plugins claim the same thing. */
export class CompositionError extends NetError {
  /** The plugins involved, by name: the one that failed first. */
  readonly plugins: readonly string[];

  constructor(code: ErrnoCode, message: string, plugins: readonly string[]) {
    super(code, message);
    this.name = 'CompositionError';
    this.plugins = plugins;
  }
}

const BY_NUMBER: ReadonlyMap<number, ErrnoCode> = new Map(Object.entries(ERRNO).map(([name, n]) => [n, name as ErrnoCode]));

/** The errno name of `n` or `-n` (the L3 contract returns negated numbers); EINVAL for one core does not know. */
export function errnoName(n: number): ErrnoCode {
  return BY_NUMBER.get(Math.abs(n)) ?? 'EINVAL';
}

/** A NetError for an errno number, negated (as the L3 returns them) or not. */
export function errnoError(n: number, message: string): NetError {
  return new NetError(errnoName(n), message);
}
