/**
 * The errors of `node:net` that `node:dgram` does not share, shaped as Node 20 builds them
 * (lib/internal/errors.js, lib/net.js): `UVExceptionWithHostPort`
 * (`"listen EADDRINUSE: address already in use 0.0.0.0:80"`, fields code, errno, syscall,
 * address, port, with libuv's negative errno) and the `ERR_*` errors of lib/net.js with their
 * classes and messages. The builders it shares with `node:dgram` (argument errors,
 * `ErrnoException` such as `"read ECONNRESET"`, `ExceptionWithHostPort` such as
 * `"connect ECONNREFUSED 127.0.0.1:5001"`, the DNS error) are in ../errors/node-errors.ts.
 */
import { errInvalidArgValue, nodeError, uvErrno, uvMessage, type SystemError } from '../errors/node-errors.js';

/** `UVExceptionWithHostPort(err, syscall, address, port)`: what a failed listen() emits. */
export function uvExceptionWithHostPort(code: string, syscall: string, address: string, port: number): SystemError {
  let details = '';
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const err = new Error(`${syscall} ${code}: ${uvMessage(code) ?? 'unknown error'}${details}`) as SystemError;
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
