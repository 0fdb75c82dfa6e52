/**
 * @netstack/net — Node's socket APIs over a netstack namespace: `node:net` (TCP) and
 * `node:dgram` (UDP).
 *
 *     import { createServer, connect } from '@netstack/net';
 *     const server = createServer({ netns: ns }, (s) => s.pipe(s));   // an echo server in `ns`
 *     server.listen(7);
 *     const sock = connect({ port: 7, host: '127.0.0.1', netns: ns });
 *
 *     import { createSocket } from '@netstack/net';
 *     const udp = createSocket({ type: 'udp4', netns: ns });
 *     udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
 *     udp.bind(7);
 *
 * Without `netns`, the `node:net` functions use one default host (a real-time World with an
 * `init_net` namespace: lo with 127.0.0.1, IPv4, UDP, TCP), so they are a drop-in for
 * `node:net`. `net` and `dgram` group the exports under Node's module shapes.
 */
import { DgramSocket, createSocket } from './dgram/socket.js';

export { DgramSocket, createSocket };
export type { AddressInfo, BindOptions, LookupFunction, RemoteInfo, SendCallback, SendData, SocketOptions, SocketType } from './dgram/socket.js';

export const dgram = { createSocket, Socket: DgramSocket } as const;

export { connect, createConnection, createServer, Server, Socket, isIP, isIPv4, isIPv6, defaultNetns, net } from './net/index.js';
export type { DropArgument, ListenOptions, NetConnectOpts, NetLookupFunction, NetLookupOptions, ServerOpts, SockAddr, SocketConstructorOpts, SocketReadyState, TcpSocketConnectOpts } from './net/index.js';
