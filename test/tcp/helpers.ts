/**
 * Two hosts with ipv4 + tcp over a veth pair (10.0.0.1 — 10.0.0.2), and helpers to move bytes
 * through `TcpSocket`s in virtual time. The hosts, `payload` and `sha256` are those of
 * scripts/lib/lossy-links.mjs (the lossy-link tests and `npm run soak` use them too).
 */
import { TcpSocket } from '@netstack/tcp';
import { twoHosts, type TwoHosts } from '../../scripts/lib/lossy-links.mjs';

export { payload, sha256 } from '../../scripts/lib/lossy-links.mjs';

export type TcpPair = TwoHosts;

/** A World of `seed` with hosts a = 10.0.0.1 and b = 10.0.0.2 joined by a veth pair of `mtu`. */
export function tcpPair(seed = 1, mtu = 1500): TcpPair {
  return twoHosts(seed, { mtu });
}

export interface Transfer {
  received: Uint8Array;
  receivedLen: number;
  eof: boolean;
  client: TcpSocket;
  server: TcpSocket | null;
}

/**
 * Listen on b:port, connect from a, send `data` from a (then close), read everything on b until
 * EOF. Runs the World in virtual time for at most `limitMs`. `onEstablished` runs once the
 * handshake is done, before the first byte is sent.
 */
export function transfer(p: TcpPair, data: Uint8Array, limitMs = 600_000, port = 5001, onEstablished?: () => void): Transfer {
  const lsock = TcpSocket.create(p.b);
  lsock.bind('0.0.0.0', port);
  lsock.listen(16);
  const client = TcpSocket.create(p.a);
  const t: Transfer = { received: new Uint8Array(data.length + 1), receivedLen: 0, eof: false, client, server: null };
  let sent = 0;
  let started = false;
  let closed = false;
  const pump = (): void => {
    if (!started) {
      started = true;
      onEstablished?.();
    }
    while (sent < data.length) {
      let n: number;
      try {
        n = client.send(data, sent, Math.min(data.length - sent, 65536));
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') return;
        throw e;
      }
      sent += n;
    }
    if (!closed) {
      closed = true;
      client.close();
    }
  };
  const drain = (): void => {
    const s = t.server!;
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = s.recv(t.received, t.receivedLen, t.received.length - t.receivedLen);
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') return;
        throw e;
      }
      if (n === 0) {
        t.eof = true;
        return;
      }
      t.receivedLen += n;
    }
  };
  lsock.onAcceptable = () => {
    t.server = lsock.accept();
    t.server.onReadable = drain;
    drain();
  };
  client.onWritable = pump;
  client.connect('10.0.0.2', port);
  const step = 10;
  for (let ms = 0; ms < limitMs && !t.eof; ms += step) p.world.runFor(step);
  lsock.close();
  return t;
}
