/**
 * Socket memory: SO_RCVBUF (truesize accounting, drops with SOCKET_RCVBUFF), SO_SNDBUF through
 * the SOCK_WFREE destructor (EAGAIN when full, write space when freed), udp_mem (PROTO_MEM), and
 * the doubling/clamping of setsockopt values.
 */
import { describe, expect, it } from 'vitest';
import { NetError, SKB_TRUESIZE_OVERHEAD, SKB_SIZE_CLASSES } from '@netstack/core';
import { SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, UdpSocket } from './index.js';
import { loopHost } from './testing/host.js';

const TRUESIZE = SKB_SIZE_CLASSES[0] + SKB_TRUESIZE_OVERHEAD; // a small datagram's buffer

function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('SO_RCVBUF', () => {
  it('starts at net.core.rmem_default and is set doubled, capped by rmem_max, floored at SOCK_MIN_RCVBUF', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    expect(s.rcvbuf).toBe(212992);
    s.setRcvbuf(10000);
    expect(s.rcvbuf).toBe(20000);
    s.setRcvbuf(1);
    expect(s.rcvbuf).toBe(SOCK_MIN_RCVBUF);
    s.setRcvbuf(10_000_000);
    expect(s.rcvbuf).toBe(2 * 212992);
    h.ns.sysctl.set('net.core.rmem_max', 4194304);
    s.setRcvbuf(10_000_000);
    expect(s.rcvbuf).toBe(2 * 4194304);
    h.ns.sysctl.set('net.core.rmem_default', 65536);
    expect(new UdpSocket(h.ns).rcvbuf).toBe(65536);
  });

  it('drops with SOCKET_RCVBUFF once the queue holds data and the next datagram would overflow it', () => {
    const h = loopHost();
    const rx = new UdpSocket(h.ns);
    rx.bind('127.0.0.1', 5000);
    rx.setRcvbuf(3 * TRUESIZE / 2); // rcvbuf = 3 buffers' truesize
    expect(rx.rcvbuf).toBe(3 * TRUESIZE);
    const tx = new UdpSocket(h.ns);
    for (let i = 0; i < 5; i++) tx.sendTo(new Uint8Array([i]), '127.0.0.1', 5000);
    h.world.drain();
    expect(rx.receiveQueue.length).toBe(3);
    expect(rx.rmemAlloc).toBe(3 * TRUESIZE);
    expect(rx.drops).toBe(2);
    expect(h.mib('RcvbufErrors')).toBe(2);
    expect(h.mib('InErrors')).toBe(2);
    expect(h.ns.dropCounts()).toEqual({ SOCKET_RCVBUFF: 2 });
    // The first three arrived, in order; reading frees room and counts InDatagrams.
    const out = new Uint8Array(4);
    const got: number[] = [];
    while (rx.nextLength >= 0) {
      rx.recvFrom(out);
      got.push(out[0]!);
    }
    expect(got).toEqual([0, 1, 2]);
    expect(rx.rmemAlloc).toBe(0);
    expect(h.mib('InDatagrams')).toBe(3);
    tx.sendTo(new Uint8Array([9]), '127.0.0.1', 5000);
    h.world.drain();
    expect(rx.receiveQueue.length).toBe(1);
    rx.close();
    tx.close();
    expect(h.world.pool.live).toBe(0);
  });

  it('accepts one datagram larger than the whole buffer into an empty queue (6.18)', () => {
    const h = loopHost();
    const rx = new UdpSocket(h.ns);
    rx.bind('127.0.0.1', 5001);
    rx.setRcvbuf(0);
    expect(rx.rcvbuf).toBe(SOCK_MIN_RCVBUF);
    const tx = new UdpSocket(h.ns);
    tx.sendTo(new Uint8Array(3000), '127.0.0.1', 5001);
    tx.sendTo(new Uint8Array(10), '127.0.0.1', 5001);
    h.world.drain();
    expect(rx.receiveQueue.length).toBe(1);
    expect(rx.nextLength).toBe(3000);
    expect(h.mib('RcvbufErrors')).toBe(1);
  });

  it('keeps its charge while queued and releases it on close; the pool gets every buffer back', () => {
    const h = loopHost();
    const rx = new UdpSocket(h.ns);
    rx.bind('127.0.0.1', 5002);
    const tx = new UdpSocket(h.ns);
    for (let i = 0; i < 4; i++) tx.sendTo(new Uint8Array(100), '127.0.0.1', 5002);
    h.world.drain();
    expect(h.world.pool.live).toBe(4);
    rx.close();
    expect(rx.rmemAlloc).toBe(0);
    expect(h.world.pool.live).toBe(0);
  });
});

describe('udp_mem', () => {
  it('over the hard limit, drops with PROTO_MEM (MemErrors) except into a queue below udp_rmem_min', () => {
    const h = loopHost();
    h.ns.sysctl.set('net.ipv4.udp_mem', '1 1 1');
    const rx = new UdpSocket(h.ns);
    rx.bind('127.0.0.1', 5003);
    const tx = new UdpSocket(h.ns);
    for (let i = 0; i < 4; i++) tx.sendTo(new Uint8Array(10), '127.0.0.1', 5003);
    h.world.drain();
    // Pages are raised as the forward allocation runs out (truesize 2624): the 1st takes the one
    // page allowed; the 2nd needs a 2nd page, over the limit, but the queue (2624 B) is below
    // udp_rmem_min (4096) so it is granted; the 3rd fits in what is left of those two pages; the
    // 4th needs a 3rd page with 7872 B queued: refused.
    expect(rx.receiveQueue.length).toBe(3);
    expect(h.mib('MemErrors')).toBe(1);
    expect(h.mib('InErrors')).toBe(1);
    expect(h.ns.dropCounts()).toEqual({ PROTO_MEM: 1 });
    h.ns.sysctl.set('net.ipv4.udp_rmem_min', 8192);
    tx.sendTo(new Uint8Array(10), '127.0.0.1', 5003);
    h.world.drain();
    expect(rx.receiveQueue.length).toBe(4);
    // Reading returns the pages: the next datagram fits again.
    while (rx.nextLength >= 0) rx.recvFrom(new Uint8Array(16));
    h.ns.sysctl.set('net.ipv4.udp_rmem_min', 4096);
    tx.sendTo(new Uint8Array(10), '127.0.0.1', 5003);
    h.world.drain();
    expect(rx.receiveQueue.length).toBe(1);
    expect(h.mib('MemErrors')).toBe(1);
  });
});

describe('SO_SNDBUF', () => {
  it('charges truesize until the buffer is freed; a full buffer is EAGAIN (SndbufErrors) until write space', () => {
    const h = loopHost();
    h.l3.hold = true; // buffers stay "in the driver"
    const tx = new UdpSocket(h.ns);
    expect(tx.sndbuf).toBe(212992);
    tx.setSndbuf(2 * TRUESIZE); // sndbuf = 4 buffers
    expect(tx.sndbuf).toBe(4 * TRUESIZE);
    let writable = 0;
    tx.onWritable = () => writable++;
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) sent.push(errCode(() => tx.sendTo(new Uint8Array(10), '127.0.0.1', 9)));
    expect(sent).toEqual(['ok', 'ok', 'ok', 'ok', 'EAGAIN', 'EAGAIN']);
    expect(tx.wmemAlloc).toBe(4 * TRUESIZE);
    expect(tx.outq).toBe(4 * TRUESIZE);
    expect(h.mib('SndbufErrors')).toBe(2);
    expect(h.mib('OutDatagrams')).toBe(4);
    // Freeing the buffers runs SOCK_WFREE: the charge goes back and the writer is woken once.
    h.l3.release();
    expect(tx.wmemAlloc).toBe(0);
    expect(writable).toBe(1);
    expect(errCode(() => tx.sendTo(new Uint8Array(10), '127.0.0.1', 9))).toBe('ok');
    h.l3.release();
  });

  it('is doubled, capped by wmem_max and floored at SOCK_MIN_SNDBUF', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.setSndbuf(1);
    expect(s.sndbuf).toBe(SOCK_MIN_SNDBUF);
    s.setSndbuf(1 << 30);
    expect(s.sndbuf).toBe(2 * 212992);
  });

  it('a qdisc drop (ENOBUFS) counts SndbufErrors and still reports the datagram as sent', () => {
    const h = loopHost();
    h.l3.xmitResult = -105; // -ENOBUFS
    const tx = new UdpSocket(h.ns);
    expect(tx.sendTo(new Uint8Array(10), '127.0.0.1', 9)).toBe(10);
    expect(h.mib('SndbufErrors')).toBe(1);
    expect(h.mib('OutDatagrams')).toBe(0);
    expect(tx.wmemAlloc).toBe(0);
    h.l3.xmitResult = -101; // -ENETUNREACH from the L3: an error
    expect(errCode(() => tx.sendTo(new Uint8Array(10), '127.0.0.1', 9))).toBe('ENETUNREACH');
    expect(h.world.pool.live).toBe(0);
  });
});
