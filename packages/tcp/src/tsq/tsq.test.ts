import { describe, expect, it } from 'vitest';
import { World, consumeSkb, type NetDevice, type NetNamespace } from '@netstack/core';
import { createSimNicPair, loopback, simNicOf } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { SK_PACING_FQ, SK_PACING_NONE } from '../cong/index.js';
import { tcp } from '../plugin.js';
import { TcpSocket } from '../api/socket.js';
import { tcpGetInfo } from '../api/tcp-info.js';
import { formatSsTcpInfo } from '../config/index.js';
import { HostQueue } from './host-queue.js';
import { TCP_CHRONO_BUSY, TCP_CHRONO_RWND_LIMITED, TcpChrono } from './chrono.js';
import { tcpSmallQueueLimit } from './tsq.js';

describe('tcpSmallQueueLimit (tcp_small_queue_check as in 6.18)', () => {
  const LOB = 4194304; // tcp_limit_output_bytes on 6.18
  it('is two buffers at low pacing rates, ~1 ms (rate >> 10) at high ones', () => {
    expect(tcpSmallQueueLimit(2816, 1_000_000, 10, SK_PACING_NONE, LOB, 0)).toBe(2 * 2816);
    expect(tcpSmallQueueLimit(2816, 125_000_000, 10, SK_PACING_NONE, LOB, 0)).toBe(Math.floor(125_000_000 / 1024));
  });
  it('caps unpaced sockets at tcp_limit_output_bytes; fq-paced ones (SK_PACING_FQ) are exempt', () => {
    expect(tcpSmallQueueLimit(2816, 10_000_000_000, 10, SK_PACING_NONE, LOB, 0)).toBe(LOB);
    expect(tcpSmallQueueLimit(2816, 10_000_000_000, 10, SK_PACING_FQ, LOB, 0)).toBe(Math.floor(10_000_000_000 / 1024));
    // A pacing rate never set (~0UL) leaves only the sysctl.
    expect(tcpSmallQueueLimit(2816, 0, 10, SK_PACING_NONE, 131072, 0)).toBe(131072);
  });
  it('doubles for retransmissions (factor 1) and follows sk_pacing_shift', () => {
    expect(tcpSmallQueueLimit(2816, 125_000_000, 10, SK_PACING_NONE, LOB, 1)).toBe(2 * Math.floor(125_000_000 / 1024));
    expect(tcpSmallQueueLimit(2816, 125_000_000, 8, SK_PACING_NONE, LOB, 0)).toBe(Math.floor(125_000_000 / 256));
  });
});

describe('HostQueue (skb_fclone_busy for copies)', () => {
  it('tracks copies by the end of their data, completing out of order and growing', () => {
    const q = new HostQueue();
    for (let i = 1; i <= 40; i++) q.push(i * 1000);
    expect(q.live).toBe(40);
    expect(q.has(5000)).toBe(true);
    expect(q.remove(5000)).toBe(true);
    expect(q.has(5000)).toBe(false);
    expect(q.remove(5000)).toBe(false);
    for (let i = 1; i <= 40; i++) if (i !== 5) expect(q.remove(i * 1000)).toBe(true);
    expect(q.live).toBe(0);
    q.push(0xffffffff);
    expect(q.has(0xffffffff)).toBe(true);
  });
});

describe('TcpChrono (tcp_chrono_start/stop)', () => {
  it('the most interesting chrono runs; stopping it falls back to busy; tcp_info sums in µs', () => {
    const c = new TcpChrono();
    c.startChrono(TCP_CHRONO_BUSY, 100);
    c.startChrono(TCP_CHRONO_RWND_LIMITED, 110);
    c.startChrono(TCP_CHRONO_BUSY, 115); // lower priority: ignored
    c.stopChrono(TCP_CHRONO_RWND_LIMITED, false, 130);
    const info = { busy_time: 0, rwnd_limited: 0, sndbuf_limited: 0 };
    c.info(150, info);
    expect(info.rwnd_limited).toBe(20 * 4000);
    expect(info.busy_time).toBe(50 * 4000);
    expect(info.sndbuf_limited).toBe(0);
    c.stopChrono(TCP_CHRONO_BUSY, true, 160);
    c.info(1000, info);
    expect(info.busy_time).toBe(60 * 4000);
  });
});

/**
 * Hosts a = 10.0.0.1 and b = 10.0.0.2 over a pair of sim NICs joined by a line of `rateBps`,
 * `delayUs` each way, with the smallest TX ring (64; BQL keeps far fewer bytes in it).
 */
function wired(rateBps: number, delayUs = 1000): { world: World; a: NetNamespace; b: NetNamespace; devA: NetDevice } {
  const world = new World({ seed: 3 });
  const a = world.createNamespace('a', [loopback({ up: true }), ipv4(), tcp()]);
  const b = world.createNamespace('b', [loopback({ up: true }), ipv4(), tcp()]);
  const [devA, devB] = createSimNicPair(a, { name: 'eth0', ringSize: 64, peer: { name: 'eth0', netns: b, ringSize: 64 }, rate: rateBps, delay: delayUs * 1000 });
  for (const dev of [devA, devB]) {
    // ethtool -K eth0 tso off gso off gro off: one MSS per buffer, so every queued packet is a copy TSQ charged.
    dev.setFeatures({ tso: false, gso: false, gro: false });
    // ethtool -C eth0 tx-usecs 0 tx-frames 1: the TX completion (TSQ's destructor) follows each frame's last bit.
    simNicOf(dev).setCoalesce({ txUsecs: 0, txFrames: 1 });
  }
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA };
}

/** An established a → b:5001 connection, b reading everything. */
function connect(w: ReturnType<typeof wired>, rcvbuf = 0): { client: TcpSocket; read: () => number } {
  const l = TcpSocket.create(w.b);
  if (rcvbuf !== 0) l.setsockopt('SO_RCVBUF', rcvbuf);
  l.bind('0.0.0.0', 5001);
  l.listen(16);
  let server: TcpSocket | null = null;
  let got = 0;
  const buf = new Uint8Array(1 << 16);
  const drain = (): void => {
    for (let i = 0; i < 1000; i++) {
      try {
        const n = server!.recv(buf, 0);
        if (n <= 0) return;
        got += n;
      } catch {
        return;
      }
    }
  };
  l.onAcceptable = () => {
    server = l.accept();
    server.onReadable = drain;
  };
  const client = TcpSocket.create(w.a);
  client.connect('10.0.0.2', 5001);
  for (let i = 0; i < 100 && server === null; i++) w.world.runFor(10);
  expect(server).not.toBeNull();
  return { client, read: () => got };
}

/** Keep `client`'s send buffer full with `total` bytes. */
function bulk(client: TcpSocket, total: number): void {
  const data = new Uint8Array(65536);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      try {
        sent += client.send(data, 0, Math.min(data.length, total - sent));
      } catch {
        return;
      }
    }
  };
  client.onWritable = pump;
  pump();
}

/** A bulk sender over a 10 Mbit/s line, run until TSQ throttled it with packets in the qdisc. */
function throttledBulk() {
  const w = wired(10_000_000);
  const { client } = connect(w);
  bulk(client, 1_000_000);
  const sk = client.sk;
  const qdisc = w.devA.txQueues[0]!.qdisc;
  for (let i = 0; i < 200 && !(sk.tsq.throttled && qdisc.qlen > 0); i++) w.world.runFor(1);
  return { w, sk, qdisc };
}

describe('TSQ throttle and resume over a 10 Mbit/s line', () => {
  it('keeps about two buffers below TCP, counts throttles and resumes from the tasklet', () => {
    const w = wired(10_000_000);
    const { client, read } = connect(w);
    bulk(client, 2_000_000);
    const sk = client.sk;
    const qdisc = w.devA.txQueues[0]!.qdisc;
    let maxBelow = 0;
    let maxQlen = 0;
    for (let ms = 0; ms < 1000; ms += 5) {
      w.world.runFor(5);
      maxBelow = Math.max(maxBelow, sk.wmemAlloc);
      maxQlen = Math.max(maxQlen, qdisc.qlen);
    }
    // The pacing rate (cwnd × mss / srtt, doubled in slow start) is far above the 1.25 MB/s line,
    // yet what sits below TCP stays at max(2 buffers, rate >> 10) plus the buffer that crossed it.
    const limit = tcpSmallQueueLimit(sk.tp.q.head!.truesize, sk.tp.cc.sk_pacing_rate, 10, SK_PACING_NONE, 4194304, 0);
    expect(maxBelow).toBeLessThanOrEqual(limit + 3 * 65536);
    expect(maxBelow).toBeLessThan(400_000);
    expect(w.a.snmp.get('NetstackTcpTSQThrottled')).toBeGreaterThan(10);
    expect(w.a.snmp.get('NetstackTcpTSQTaskletQueued')).toBeGreaterThan(10);
    // The line ran at its rate: ~1.25 MB/s for a second, minus the start.
    expect(read()).toBeGreaterThan(900_000);
    // Without TSQ (tcp_limit_output_bytes huge and no pacing cap), the qdisc fills far more.
    const w2 = wired(10_000_000);
    w2.a.sysctl.set('net.ipv4.tcp_limit_output_bytes', 1 << 30);
    const c2 = connect(w2);
    c2.client.sk.tsq.pacingShift = 0; // rate >> 0: a whole second at the pacing rate
    bulk(c2.client, 2_000_000);
    let maxQlen2 = 0;
    for (let ms = 0; ms < 1000; ms += 5) {
      w2.world.runFor(5);
      maxQlen2 = Math.max(maxQlen2, w2.devA.txQueues[0]!.qdisc.qlen);
    }
    expect(maxQlen2).toBeGreaterThan(4 * Math.max(maxQlen, 1));
  });

  it('a TX completion queues the socket on the tsq tasklet; it sends when the tasklet runs, not in the destructor', () => {
    const { w, sk, qdisc } = throttledBulk();
    expect(sk.tsq.throttled).toBe(true);
    const segs = sk.segsOut;
    // Free a queued copy as a completion would: the destructor only queues the socket.
    const copy = qdisc.dequeue()!;
    expect(copy.sk).toBe(sk);
    consumeSkb(copy);
    expect(sk.tsq.throttled).toBe(false);
    expect(sk.tsq.queued).toBe(true);
    expect(sk.segsOut).toBe(segs);
    w.world.drain();
    expect(sk.tsq.queued).toBe(false);
    expect(sk.segsOut).toBeGreaterThan(segs);
  });

  it('a socket owned by the user when the tasklet runs sends from release_sock (TCP_TSQ_DEFERRED)', () => {
    const { w, sk, qdisc } = throttledBulk();
    sk.lock();
    const segs = sk.segsOut;
    consumeSkb(qdisc.dequeue()!);
    w.world.drain();
    expect(sk.tsq.deferred).toBe(true);
    expect(sk.segsOut).toBe(segs);
    expect(w.a.snmp.get('NetstackTcpTSQDeferred')).toBe(1);
    sk.release();
    expect(sk.tsq.deferred).toBe(false);
    expect(sk.segsOut).toBeGreaterThan(segs);
  });
});

describe('autocorking (tcp_should_autocork)', () => {
  it('small TCP_NODELAY writes wait while earlier copies are in the host queue, then leave coalesced', () => {
    const w = wired(1_000_000);
    const { client, read } = connect(w);
    client.setsockopt('TCP_NODELAY', 1);
    const sk = client.sk;
    const before = sk.dataSegsOut;
    const msg = new Uint8Array(100);
    for (let i = 0; i < 20; i++) client.send(msg);
    expect(w.a.snmp.get('TcpExtTCPAutoCorking')).toBe(1);
    const sentAtOnce = sk.dataSegsOut - before;
    expect(sentAtOnce).toBeLessThan(20);
    w.world.runFor(200);
    expect(read()).toBe(2000);
    // The held writes left as one coalesced segment after the completions, not 20 segments.
    expect(sk.dataSegsOut - before).toBeLessThanOrEqual(sentAtOnce + 2);
    // With tcp_autocorking 0 every write is its own segment.
    const w2 = wired(1_000_000);
    w2.a.sysctl.set('net.ipv4.tcp_autocorking', 0);
    const c2 = connect(w2);
    c2.client.setsockopt('TCP_NODELAY', 1);
    const b2 = c2.client.sk.dataSegsOut;
    for (let i = 0; i < 20; i++) c2.client.send(msg);
    // Only TSQ holds them now, and later: more small segments leave at once.
    expect(c2.client.sk.dataSegsOut - b2).toBeGreaterThan(sentAtOnce);
    expect(w2.a.snmp.get('TcpExtTCPAutoCorking')).toBe(0);
  });
});

describe('TCPSpuriousRtxHostQueues (skb_still_in_host_queue)', () => {
  it('an RTO while the original is still queued below TCP does not retransmit it', () => {
    // 100 kbit/s and no TSQ: a window of segments takes seconds to drain, longer than the RTO.
    const w = wired(100_000);
    w.a.sysctl.set('net.ipv4.tcp_limit_output_bytes', 1 << 30);
    const { client } = connect(w);
    client.sk.tsq.pacingShift = 0;
    bulk(client, 200_000);
    w.world.runFor(3000);
    expect(w.a.snmp.get('TcpExtTCPSpuriousRtxHostQueues')).toBeGreaterThan(0);
  });
});

describe('tcp_info chronos (ss -ti busy:/rwnd_limited:/sndbuf_limited:)', () => {
  it('a bulk sender is busy the whole time and sndbuf-limited once its buffer is the bottleneck', () => {
    // 40 ms RTT at 10 Mbit/s: a 50 KB path for a 32 KB buffer (SO_SNDBUF 16384, doubled).
    const w = wired(10_000_000, 20_000);
    const { client } = connect(w);
    client.setsockopt('SO_SNDBUF', 16384);
    bulk(client, 10_000_000);
    w.world.runFor(1000);
    const info = tcpGetInfo(client.sk);
    expect(info.busy_time).toBeGreaterThanOrEqual(900_000);
    expect(info.busy_time).toBeLessThanOrEqual(1_010_000);
    expect(info.sndbuf_limited).toBeGreaterThan(0);
    expect(info.sndbuf_limited).toBeLessThanOrEqual(info.busy_time);
    expect(info.sndbuf_limited).toBeGreaterThan(info.busy_time / 4);
    // A receiver with a small window makes it rwnd-limited instead.
    const w2 = wired(10_000_000, 20_000);
    const c2 = connect(w2, 4096);
    bulk(c2.client, 10_000_000);
    w2.world.runFor(1000);
    const i2 = tcpGetInfo(c2.client.sk);
    expect(i2.rwnd_limited).toBeGreaterThan(i2.busy_time / 2);
    expect(formatSsTcpInfo(i2, 'cubic')).toMatch(/ busy:\d+ms rwnd_limited:\d+ms\(\d+\.\d%\)/);
  });
});
