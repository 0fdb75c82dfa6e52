/**
 * Errors shaped as Node 20's: the `ERR_*` codes of lib/internal/errors.js (message, class,
 * `code`), and system errors as `ErrnoException` / `ExceptionWithHostPort` build them (`errno`
 * negative as libuv reports it, `code`, `syscall`, then `address`/`port`), so code written for
 * `node:dgram` can switch on the same fields.
 */
import { inspect } from 'node:util';
import { ERRNO, type ErrnoCode } from '@netstack/core';

/** Error codes libuv has that core's errno table does not. */
const EXTRA_ERRNO: Record<string, number> = { ECANCELED: 125 };

/** strerror text as libuv prints it (uv_strerror), for the errors dgram can produce. */
const UV_MESSAGE: Record<string, string> = {
  EBADF: 'bad file descriptor',
  EINVAL: 'invalid argument',
  ENOBUFS: 'no buffer space available',
};

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

export function errNotRunning(): Error {
  return nodeError(Error, 'ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
}

export function errAlreadyBound(): Error {
  return nodeError(Error, 'ERR_SOCKET_ALREADY_BOUND', 'Socket is already bound');
}

export function errIsConnected(): Error {
  return nodeError(Error, 'ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
}

export function errNotConnected(): Error {
  return nodeError(Error, 'ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
}

export function errBadType(): Error {
  return nodeError(TypeError, 'ERR_SOCKET_BAD_TYPE', 'Bad socket type specified. Valid types are: udp4, udp6');
}

export function errBadPort(name: string, port: unknown, allowZero: boolean): Error {
  return nodeError(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be ${allowZero ? '>=' : '>'} 0 and < 65536. Received ${describeValue(port)}.`);
}

export function errBadBufferSize(): Error {
  return nodeError(TypeError, 'ERR_SOCKET_BAD_BUFFER_SIZE', 'Buffer size must be a positive integer');
}

export function errOutOfBounds(name: string): Error {
  return nodeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS', `"${name}" is outside of buffer bounds`);
}

export function errInvalidArgType(name: string, expected: string, actual: unknown): Error {
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. Received ${describeValue(actual)}`);
}

export function errInvalidArgValue(name: string, value: unknown, reason: string): Error {
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${inspect(value, { depth: 0 })}`);
}

export function errOutOfRange(name: string, range: string, value: unknown): Error {
  return nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`);
}

/** libuv's negative errno for a code. */
export function uvErrno(code: string): number {
  return -((ERRNO as Record<string, number>)[code] ?? EXTRA_ERRNO[code] ?? 0);
}

/** `ErrnoException(err, syscall)`: `"<syscall> <CODE>"`, with errno, code, syscall. */
export function errnoException(code: ErrnoCode | string, syscall: string): Error {
  const err = new Error(`${syscall} ${code}`) as Error & { errno: number; code: string; syscall: string };
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  return err;
}

/** `ExceptionWithHostPort(err, syscall, address, port)`: `"<syscall> <CODE> <address>:<port>"`. */
export function exceptionWithHostPort(code: ErrnoCode | string, syscall: string, address: string | undefined, port: number | undefined): Error {
  let details = '';
  if (port !== undefined && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const err = new Error(`${syscall} ${code}${details}`) as Error & { errno: number; code: string; syscall: string; address?: string; port?: number };
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

/** Node's class for system errors with an ERR_ code (`makeSystemErrorWithCode`); `name` is 'SystemError'. */
class NodeError extends Error {}

/** `ERR_SOCKET_BUFFER_SIZE`, a SystemError carrying what libuv said. */
export function errSocketBufferSize(code: string, syscall: string): Error {
  const info = { errno: uvErrno(code), code, message: UV_MESSAGE[code] ?? code.toLowerCase(), syscall };
  const err = new NodeError(`Could not get or set buffer size: ${syscall} returned ${code} (${info.message})`) as Error & { code: string; info: typeof info };
  Object.defineProperty(err, 'name', { value: 'SystemError', enumerable: false, writable: true, configurable: true });
  err.code = 'ERR_SOCKET_BUFFER_SIZE';
  Object.defineProperty(err, 'info', { value: info, enumerable: true });
  Object.defineProperty(err, 'errno', { get: () => info.errno, enumerable: true });
  Object.defineProperty(err, 'syscall', { get: () => info.syscall, enumerable: true });
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
