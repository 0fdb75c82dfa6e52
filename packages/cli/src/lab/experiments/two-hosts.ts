/**
 * The topology both TCP experiments use: hosts `sender` (10.0.0.1) and `receiver` (10.0.0.2)
 * joined by a pair of sim NICs with a line rate (nic-drivers' `createSimNicPair`: the TX ring
 * completes at the line rate, so bytes wait in the sender's qdisc and ring, below TCP), TSO, GSO
 * and GRO off so every queued packet is one MSS, TX completion right after serialisation
 * (`ethtool -C eth0 tx-usecs 0 tx-frames 1`), and helpers to keep a socket busy or drained in
 * virtual time.
 */
import { World, type NetDevice, type NetNamespace } from '@netstack/core';
import { createSimNicPair, loopback, simNicOf } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp } from '@netstack/tcp';

export interface WiredHosts {
  world: World;
  sender: NetNamespace;
  receiver: NetNamespace;
  /** The sender's NIC (its qdisc is the shared egress). */
  eth: NetDevice;
}

export interface WireOptions {
  seed: number;
  rateBps: number;
  delayUs: number;
  /** TX ring descriptors per NIC (the sim NIC's minimum, 64, is the smallest). */
  txRing: number;
  /** The sender's egress qdisc (`tc qdisc replace dev eth0 root ...`); default pfifo_fast. */
  qdisc?: string;
}

export function wiredHosts(o: WireOptions): WiredHosts {
  const world = new World({ seed: o.seed });
  const sender = world.createNamespace('sender', [loopback({ up: true }), ipv4(), tcp()]);
  const receiver = world.createNamespace('receiver', [loopback({ up: true }), ipv4(), tcp()]);
  const nic = { txRingSize: o.txRing };
  const [eth, peer] = createSimNicPair(sender, { name: 'eth0', ...nic, peer: { name: 'eth0', netns: receiver, ...nic }, rate: o.rateBps, delay: o.delayUs * 1000 });
  for (const dev of [eth, peer]) {
    // ethtool -K eth0 tso off gso off gro off: one MSS per packet in the qdisc, the ring and the receiver.
    dev.setFeatures({ tso: false, gso: false, gro: false });
    // ethtool -C eth0 tx-usecs 0 tx-frames 1: the TX completion (destructor, TSQ) follows each frame's last bit.
    simNicOf(dev).setCoalesce({ txUsecs: 0, txFrames: 1 });
  }
  eth.open();
  peer.open();
  if (o.qdisc !== undefined && o.qdisc !== 'pfifo_fast') eth.setQdisc(o.qdisc);
  getIpv4(sender).addAddress(eth, '10.0.0.1/24');
  getIpv4(receiver).addAddress(peer, '10.0.0.2/24');
  return { world, sender, receiver, eth };
}

/** `EAGAIN` from a non-blocking socket call. */
export function isEagain(e: unknown): boolean {
  return (e as { code?: string }).code === 'EAGAIN';
}

/** Read everything `s` has whenever it is readable; `onBytes(n)` after each read. */
export function drainOnReadable(s: TcpSocket, onBytes: (n: number) => void = () => {}): void {
  const buf = new Uint8Array(65536);
  s.onReadable = () => {
    for (let i = 0; i < 10_000; i++) {
      let n: number;
      try {
        n = s.recv(buf, 0);
      } catch (e) {
        if (isEagain(e)) return;
        throw e;
      }
      if (n <= 0) return;
      onBytes(n);
    }
  };
}

/** Keep `s`'s send buffer full (a bulk upload that never ends). */
export function keepSending(s: TcpSocket): void {
  const data = new Uint8Array(65536);
  s.onWritable = () => {
    for (let i = 0; i < 10_000; i++) {
      try {
        s.send(data);
      } catch (e) {
        if (isEagain(e)) return;
        throw e;
      }
    }
  };
}

/** A listener on `ns`:`port` that hands each accepted socket to `onAccept`. */
export function listenOn(ns: NetNamespace, port: number, backlog: number, onAccept: (s: TcpSocket) => void): TcpSocket {
  const l = TcpSocket.create(ns);
  l.bind('0.0.0.0', port);
  l.listen(backlog);
  l.onAcceptable = () => {
    for (let i = 0; i < 10_000; i++) {
      let s: TcpSocket;
      try {
        s = l.accept();
      } catch (e) {
        if (isEagain(e)) return;
        throw e;
      }
      onAccept(s);
    }
  };
  return l;
}

/** The `q`-quantile (0..1) of `xs` (nearest rank), NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** `x` rounded to `d` decimals, for tables. */
export function round(x: number, d = 1): number {
  return Math.round(x * 10 ** d) / 10 ** d;
}
