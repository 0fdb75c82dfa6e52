/**
 * What `netstack host` serves: UDP and TCP echo, and an HTTP server — Node's own `node:http`
 * over netstack sockets — with `GET /bytes/N` (N bytes of deterministic content, see bytes.ts)
 * and `POST /echo` (the body back).
 */
import http from 'node:http';
import type { NetNamespace } from '@netstack/core';
import { createServer, createSocket, type Server } from '@netstack/net';
import { hostBytesChunks } from './bytes.js';

/** Something to stop at shutdown. */
export interface Service {
  readonly what: string;
  close(): Promise<void>;
}

/** Largest body `GET /bytes/N` serves (1 GiB): bounds what one request can make us send. */
export const MAX_BYTES = 1 << 30;

export function udpEcho(ns: NetNamespace, port: number): Service {
  const sock = createSocket({ type: 'udp4', netns: ns });
  sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
  sock.bind(port);
  return { what: `udp echo on port ${port}`, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

/**
 * `listen(port)`, then TCP_FASTOPEN `tfoQlen` on the listener when above 0 — what a server such
 * as nginx (`listen ... fastopen=N`) does: with tcp_fastopen 0x2 alone, Linux accepts SYN data
 * only on listeners that set it. Returns the listener's Fast Open queue as read back (capped by
 * somaxconn; the backlog with tcp_fastopen 0x400|0x2) for the banner, empty when it has none.
 */
function listenTcp(server: Server, port: number, tfoQlen: number): string {
  server.listen(port);
  const sock = server._handle?.sock;
  if (tfoQlen > 0) sock?.setsockopt('TCP_FASTOPEN', tfoQlen);
  const qlen = Number(sock?.getsockopt('TCP_FASTOPEN') ?? 0);
  return qlen > 0 ? `, TCP_FASTOPEN ${qlen}` : '';
}

export function tcpEcho(ns: NetNamespace, port: number, tfoQlen = 0): Service {
  const server = createServer({ netns: ns }, (s) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  const tfo = listenTcp(server, port, tfoQlen);
  return { what: `tcp echo on port ${port}${tfo}`, close: () => closeServer(server) };
}

function closeServer(server: { close(cb?: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** `GET /bytes/N`: stream N bytes, honouring back-pressure. */
function sendBytes(res: http.ServerResponse, n: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
  const chunks = hostBytesChunks(n);
  const pump = (): void => {
    for (;;) {
      const next = chunks.next();
      if (next.done === true) {
        res.end();
        return;
      }
      if (!res.write(next.value)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  const bytes = /^\/bytes\/([0-9]{1,10})$/.exec(url);
  if (req.method === 'GET' && bytes !== null) {
    const n = Number(bytes[1]);
    if (n > MAX_BYTES) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`at most ${MAX_BYTES} bytes\n`);
      return;
    }
    sendBytes(res, n);
    return;
  }
  if (req.method === 'POST' && url === '/echo') {
    const len = req.headers['content-length'];
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...(len !== undefined ? { 'content-length': len } : {}) });
    req.pipe(res);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /bytes/N or POST /echo\n');
}

export function httpServer(ns: NetNamespace, port: number, tfoQlen = 0): Service {
  const server = http.createServer(handle);
  const listener = createServer({ netns: ns }, (s) => server.emit('connection', s));
  const tfo = listenTcp(listener, port, tfoQlen);
  return {
    what: `http on port ${port} (GET /bytes/N, POST /echo)${tfo}`,
    close: async () => {
      server.closeAllConnections();
      await closeServer(listener);
    },
  };
}
