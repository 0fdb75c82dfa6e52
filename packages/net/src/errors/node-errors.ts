/**
 * The errors `node:net` and `node:dgram` share, shaped as Node 20 builds them
 * (lib/internal/errors.js): the `ERR_*` argument errors (message, class, `code`), and system
 * errors as `ErrnoException` (`"read ECONNRESET"`) and `ExceptionWithHostPort`
 * (`"connect ECONNREFUSED 127.0.0.1:5001"`) build them (`errno` negative as libuv reports it,
 * `code`, `syscall`, then `address`/`port`), so code written for Node can switch on the same
 * fields. Each protocol's own errors (`ERR_SOCKET_DGRAM_*`, `ERR_SERVER_*`, ...) live with it.
 */
import { inspect } from 'node:util';
import { ERRNO, type ErrnoCode } from '@netstack/core';

/** A system error as Node gives it to 'error' listeners and callbacks. */
export type SystemError = Error & { errno: number; code: string; syscall: string; address?: string; port?: number };

/** Error codes libuv has that core's errno table does not. */
const EXTRA_ERRNO: Record<string, number> = { ECANCELED: 125 };

/** uv_strerror() for the codes a TCP or UDP socket can produce. */
const UV_MESSAGE: Record<string, string> = {
  EACCES: 'permission denied',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  EAFNOSUPPORT: 'address family not supported',
  EALREADY: 'connection already in progress',
  EBADF: 'bad file descriptor',
  ECANCELED: 'operation canceled',
  ECONNABORTED: 'software caused connection abort',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'host is unreachable',
  EINVAL: 'invalid argument',
  EISCONN: 'socket is already connected',
  ENETDOWN: 'network is down',
  ENETUNREACH: 'network is unreachable',
  ENOBUFS: 'no buffer space available',
  ENOPROTOOPT: 'protocol not available',
  ENOTCONN: 'socket is not connected',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
};

/** libuv's negative errno for a code. */
export function uvErrno(code: string): number {
  return -((ERRNO as Record<string, number>)[code] ?? EXTRA_ERRNO[code] ?? 0);
}

/** uv_strerror() of a code, if it is one a socket can produce. */
export function uvMessage(code: string): string | undefined {
  return UV_MESSAGE[code];
}

export type NodeErrorCtor = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

/** An `ERR_*` error: its class, `code`, message; `name` and stack as Node shows them (`Error [CODE]: ...`). */
export function nodeError(Base: NodeErrorCtor, code: string, message: string): Error & { code: string } {
  const err = new Base(message) as Error & { code: string };
  err.code = code;
  err.stack = `${err.name} [${code}]: ${message}\n${(err.stack ?? '').split('\n').slice(1).join('\n')}`;
  return err;
}

/** Node's `determineSpecificType`, for "Received ..." in argument errors. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${value.name}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `an instance of ${name}` : inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

/**
 * ERR_INVALID_ARG_TYPE for an argument or an options property: `The "<name>" <kind> must be of
 * type <types>. Received ...`, `kind` being "property" for a dotted name (`"options.port"`)
 * unless the caller says otherwise.
 */
export function errInvalidArgType(name: string, types: string, actual: unknown, kind: 'argument' | 'property' = name.includes('.') ? 'property' : 'argument'): Error {
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${kind} must be of type ${types}. Received ${describeValue(actual)}`);
}

export function errInvalidArgValue(name: string, value: unknown, reason: string): Error {
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${inspect(value, { depth: 0 })}`);
}

export function errOutOfRange(name: string, range: string, value: unknown): Error {
  return nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`);
}

/** `ErrnoException(err, syscall[, original])`: `"<syscall> <CODE>[ <original>]"`, with errno, code, syscall. */
export function errnoException(code: ErrnoCode | string, syscall: string, original?: string): SystemError {
  const err = new Error(original ? `${syscall} ${code} ${original}` : `${syscall} ${code}`) as SystemError;
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  return err;
}

/**
 * `ExceptionWithHostPort(err, syscall, address, port[, additional])`:
 * `"<syscall> <CODE> <address>:<port>[ - Local (<additional>)]"` (the address alone without a
 * port), with errno, code, syscall, address, and port when there is one.
 */
export function exceptionWithHostPort(code: ErrnoCode | string, syscall: string, address: string | undefined, port: number | undefined, additional?: string): SystemError {
  let details = '';
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  if (additional) details += ` - Local (${additional})`;
  const err = new Error(`${syscall} ${code}${details}`) as SystemError;
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

/** The DNS error `dns.lookup` gives for a name it cannot resolve. */
export function errNotFound(hostname: string): Error {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as Error & { errno: number; code: string; syscall: string; hostname: string };
  err.errno = -3008;
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}
