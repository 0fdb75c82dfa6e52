/**
 * @netstack/net — Node's socket APIs over a netstack namespace. For now `node:dgram`:
 *
 *     import { createSocket } from '@netstack/net';
 *     const sock = createSocket({ type: 'udp4', netns: ns });
 *     sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
 *     sock.bind(7);
 *
 * `dgram` groups the same exports under Node's module shape (`dgram.createSocket`, `dgram.Socket`).
 */
import { DgramSocket, createSocket } from './dgram/socket.js';

export { DgramSocket, createSocket };
export type { AddressInfo, BindOptions, LookupFunction, RemoteInfo, SendCallback, SendData, SocketOptions, SocketType } from './dgram/socket.js';

export const dgram = { createSocket, Socket: DgramSocket } as const;
