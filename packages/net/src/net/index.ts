/**
 * `node:net` over a netstack namespace: the module's exports, and `net`, the same under Node's
 * module shape. `isIP`, `isIPv4` and `isIPv6` are Node's own.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { connect, createConnection } from './connect.js';
import { Server, createServer } from './server.js';
import { Socket } from './socket.js';

export { connect, createConnection, createServer, Server, Socket, isIP, isIPv4, isIPv6 };
export { defaultNetns } from './default-netns.js';
export type { DropArgument, ListenOptions, ServerOpts } from './server.js';
export type { NetConnectOpts, SocketConstructorOpts, SocketReadyState, TcpSocketConnectOpts } from './socket.js';
export type { SockAddr } from './tcp-wrap.js';
export type { LookupFunction as NetLookupFunction, LookupOptions as NetLookupOptions } from './lookup.js';

export const net = { connect, createConnection, createServer, Server, Socket, Stream: Socket, isIP, isIPv4, isIPv6 } as const;
