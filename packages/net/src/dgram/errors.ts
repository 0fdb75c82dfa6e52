/**
 * The errors of `node:dgram` that `node:net` does not share, shaped as Node 20's: its `ERR_*`
 * codes of lib/internal/errors.js (message, class, `code`), and `ERR_SOCKET_BUFFER_SIZE`, a
 * SystemError. The builders it shares with `node:net` (argument errors, `ErrnoException`,
 * `ExceptionWithHostPort`, the DNS error) are in ../errors/node-errors.ts.
 */
import { describeValue, nodeError, uvErrno, uvMessage } from '../errors/node-errors.js';

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

/** Node's class for system errors with an ERR_ code (`makeSystemErrorWithCode`); `name` is 'SystemError'. */
class NodeError extends Error {}

/** `ERR_SOCKET_BUFFER_SIZE`, a SystemError carrying what libuv said. */
export function errSocketBufferSize(code: string, syscall: string): Error {
  const info = { errno: uvErrno(code), code, message: uvMessage(code) ?? code.toLowerCase(), syscall };
  const err = new NodeError(`Could not get or set buffer size: ${syscall} returned ${code} (${info.message})`) as Error & { code: string; info: typeof info };
  Object.defineProperty(err, 'name', { value: 'SystemError', enumerable: false, writable: true, configurable: true });
  err.code = 'ERR_SOCKET_BUFFER_SIZE';
  Object.defineProperty(err, 'info', { value: info, enumerable: true });
  Object.defineProperty(err, 'errno', { get: () => info.errno, enumerable: true });
  Object.defineProperty(err, 'syscall', { get: () => info.syscall, enumerable: true });
  return err;
}
