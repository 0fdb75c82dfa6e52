/**
 * `net.connect()` / `net.createConnection()`: a new `Socket` with the options, its idle timeout
 * when `timeout` is given, then `socket.connect()` with the same normalised arguments.
 */
import { normalizeArgs } from './normalize.js';
import { Socket, type NetConnectOpts } from './socket.js';

export function connect(options: NetConnectOpts, connectionListener?: () => void): Socket;
export function connect(port: number, host?: string, connectionListener?: () => void): Socket;
export function connect(port: number, connectionListener?: () => void): Socket;
export function connect(...args: unknown[]): Socket {
  const normalized = normalizeArgs(args);
  const options = normalized[0] as NetConnectOpts;
  const socket = new Socket(options);
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect(normalized as never);
}

export const createConnection = connect;
