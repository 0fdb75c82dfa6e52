/**
 * The errors `node:net` raises, shaped as Node 20 builds them (lib/internal/errors.js): system
 * errors as `ErrnoException` (`"read ECONNRESET"`), `ExceptionWithHostPort`
 * (`"connect ECONNREFUSED 127.0.0.1:5001"`, fields errno, code, syscall, address, port) and
 * `UVExceptionWithHostPort` (`"listen EADDRINUSE: address already in use 0.0.0.0:80"`, fields
 * code, errno, syscall, address, port), with libuv's negative errno; and the `ERR_*` errors of
 * lib/net.js with their classes and messages. The shared helpers live with the dgram layer.
 */
import { inspect } from 'node:util';
import { describeValue, errInvalidArgValue, errNotFound, nodeError, uvErrno } from '../dgram/errors.js';

export { errInvalidArgValue, errNotFound, uvErrno };

/** A system error as Node gives it to 'error' listeners and callbacks. */
export type SystemError = Error & { errno: number; code: string; syscall: string; address?: string; port?: number };

/** uv_strerror() for the codes a TCP socket can produce. */
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

/** `ErrnoException(err, syscall[, original])`: `"<syscall> <CODE>[ <original>]"`. */
export function errnoException(code: string, syscall: string, original?: string): SystemError {
  const err = new Error(original ? `${syscall} ${code} ${original}` : `${syscall} ${code}`) as SystemError;
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  return err;
}

/** `ExceptionWithHostPort(err, syscall, address, port[, additional])`. */
export function exceptionWithHostPort(code: string, syscall: string, address: string, port: number, additional?: string): SystemError {
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

/** `UVExceptionWithHostPort(err, syscall, address, port)`: what a failed listen() emits. */
export function uvExceptionWithHostPort(code: string, syscall: string, address: string, port: number): SystemError {
  let details = '';
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const err = new Error(`${syscall} ${code}: ${UV_MESSAGE[code] ?? 'unknown error'}${details}`) as SystemError;
  err.code = code;
  err.errno = uvErrno(code);
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

export function errServerAlreadyListen(): Error {
  return nodeError(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
}

export function errServerNotRunning(): Error {
  return nodeError(Error, 'ERR_SERVER_NOT_RUNNING', 'Server is not running.');
}

export function errSocketClosed(): Error {
  return nodeError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed');
}

export function errSocketClosedBeforeConnection(): Error {
  return nodeError(Error, 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established');
}

export function errMissingArgs(): Error {
  return nodeError(TypeError, 'ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified');
}

export function errInvalidIpAddress(ip: unknown): Error {
  return nodeError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${String(ip)}`);
}

/** ERR_INVALID_ARG_TYPE for an argument or an options property (`"options.port"`). */
export function errInvalidArgType(name: string, types: string, actual: unknown): Error {
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${kind} must be of type ${types}. Received ${describeValue(actual)}`);
}

export function errOutOfRange(name: string, range: string, value: unknown): Error {
  return nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`);
}

/** `writeAfterFIN`: a write after the peer ended a socket that does not allow half-open. */
export function errEndedByOtherParty(): Error {
  const err = new Error('This socket has been ended by the other party') as Error & { code: string };
  err.code = 'EPIPE';
  return err;
}

/** What Node says about an IPC path: netstack has TCP only. */
export function errPipesUnsupported(what: string, value: unknown): Error {
  return errInvalidArgValue(what, value, 'is not supported by netstack (no IPC pipes or file descriptors: use a port)');
}
