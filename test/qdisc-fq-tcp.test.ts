/**
 * fq under a real TCP sender: the socket's `sk_pacing_rate` (TCP sets it from cwnd and srtt)
 * spaces the segments on the wire, fq marks the socket SK_PACING_FQ, and the transfer stays
 * byte-exact with nothing leaked. Without fq (veth's noqueue) the same transfer leaves in
 * ACK-clocked bursts of a whole window at one instant.
 */
import { describe, expect, it } from 'vitest';
import { ETH_P_ALL, ETH_P_IP, Fq, NET_RX_SUCCESS, PACKET_OUTGOING, attachNetem, consumeSkb, type NetNamespace } from '@netstack/core';
import { TcpSocket } from '@netstack/tcp';
import { payload, sha256, tcpPair, type TcpPair } from './tcp/helpers.js';

interface Departure {
  at: number;
  len: number;
  /** The sender's sk_pacing_rate when the frame left (what fq read for it). */
  rate: number;
}

/** Data frames a's eth0 sends (outgoing taps see what the driver gets), with their time. */
function departures(p: TcpPair, ns: NetNamespace, rate: () => number): Departure[] {
  const out: Departure[] = [];
  ns.devAddPack({
    type: ETH_P_ALL,
    dev: null,
    data: null,
    owner: 'qdisc-fq-tcp',
    func(skb) {
      if (skb.pktType === PACKET_OUTGOING && skb.protocol === ETH_P_IP && skb.len > 200) out.push({ at: p.world.scheduler.now(), len: skb.len, rate: rate() });
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    },
  });
  return out;
}

/** The most bytes that left at one virtual instant. */
function largestBurst(d: Departure[]): number {
  const at = new Map<number, number>();
  for (const x of d) at.set(x.at, (at.get(x.at) ?? 0) + x.len);
  return Math.max(...at.values());
}

function run(withFq: boolean) {
  const p = tcpPair(7);
  // Segments of one MSS on the wire (ethtool -K eth0 tso off gso off), so pacing shows per frame.
  p.devA.setFeatures({ tso: false, gso: false });
  p.devB.setFeatures({ tso: false, gso: false });
  // 20 ms of delay on the ACK path gives TCP an RTT, hence a finite pacing rate.
  attachNetem(p.devB, { delayMs: 20 });
  if (withFq) p.devA.setQdisc('fq');
  const box: { rate: () => number } = { rate: () => 0 };
  const sent = departures(p, p.a, () => box.rate());
  const data = payload(400_000);
  const t = send(p, data, (client) => (box.rate = () => client.sk.tp.cc.sk_pacing_rate));
  return { p, t, data, sent };
}

/** Send `data` from a to b:5001 and read it to EOF (test/tcp/helpers.ts's transfer, with a hook on the client). */
function send(p: TcpPair, data: Uint8Array, onClient: (c: TcpSocket) => void) {
  const lsock = TcpSocket.create(p.b);
  lsock.bind('0.0.0.0', 5001);
  lsock.listen(16);
  const client = TcpSocket.create(p.a);
  onClient(client);
  const t = { received: new Uint8Array(data.length + 1), receivedLen: 0, eof: false, client };
  let sent = 0;
  const again = (e: unknown): boolean => (e as { code?: string }).code === 'EAGAIN';
  client.onWritable = () => {
    while (sent < data.length) {
      try {
        sent += client.send(data, sent, Math.min(data.length - sent, 65536));
      } catch (e) {
        if (again(e)) return;
        throw e;
      }
    }
    client.close();
    client.onWritable = null;
  };
  lsock.onAcceptable = () => {
    const s = lsock.accept();
    s.onReadable = () => {
      for (;;) {
        let n: number;
        try {
          n = s.recv(t.received, t.receivedLen, t.received.length - t.receivedLen);
        } catch (e) {
          if (again(e)) return;
          throw e;
        }
        if (n === 0) {
          t.eof = true;
          s.close();
          return;
        }
        t.receivedLen += n;
      }
    };
  };
  client.connect('10.0.0.2', 5001);
  for (let ms = 0; ms < 60_000 && !t.eof; ms += 10) p.world.runFor(10);
  lsock.close();
  return t;
}

describe('fq pacing a TCP sender (sk_pacing_rate, SK_PACING_FQ)', () => {
  it('spreads the window over the RTT instead of sending it in one burst, byte-exact and without leaks', () => {
    const paced = run(true);
    const q = paced.p.devA.txQueues[0]!.qdisc as Fq;
    expect(paced.t.eof).toBe(true);
    expect(sha256(paced.t.received.subarray(0, paced.t.receivedLen))).toBe(sha256(paced.data));
    const cc = paced.t.client.sk.tp.cc;
    expect(cc.sk_pacing_rate).toBeGreaterThan(0);
    expect(cc.sk_pacing_status).toBe(2); // SK_PACING_FQ
    expect(q.statThrottled).toBeGreaterThan(10);
    expect(q.xstats().flows).toBeGreaterThanOrEqual(1);

    const bursty = run(false);
    expect(bursty.t.eof).toBe(true);
    const pacedBurst = largestBurst(paced.sent);
    const burstyBurst = largestBurst(bursty.sent);
    // fq lets out initial_quantum (10 frames) at once, then quantum (2 frames) per quantum / rate.
    expect(pacedBurst).toBeLessThanOrEqual(15140);
    expect(burstyBurst).toBeGreaterThan(4 * pacedBurst);
    // Over any stretch, the bytes sent stay within rate * time plus the credit fq starts a flow with.
    const d = paced.sent;
    for (let j = 0; j < d.length; j++) {
      let bytes = 0;
      let rmax = 0;
      for (let k = j + 1; k < d.length; k++) {
        bytes += d[k - 1]!.len;
        rmax = Math.max(rmax, d[k - 1]!.rate);
        expect(bytes).toBeLessThanOrEqual((rmax * (d[k]!.at - d[j]!.at)) / 1e9 + 15140 + 3028);
      }
    }

    for (const r of [paced, bursty]) {
      r.p.world.runUntilIdle(200_000);
      expect(r.p.world.pool.live).toBe(0);
    }
  });
});
