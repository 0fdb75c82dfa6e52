/**
 * Socket-buffer accounting as the seed's "socket buffers & flow control" slide has it: SO_RCVBUF
 * and SO_SNDBUF store twice the value, rmem overlimit shrinks the advertised window to zero and
 * then drops (counted), wmem overlimit makes send() return EAGAIN until ACKs free room, and
 * poll() readiness follows.
 */
import { describe, expect, it } from 'vitest';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP } from '@netstack/tcp';
import { TcpScript } from '../script.js';

describe('socket buffers', () => {
  it('SO_RCVBUF / SO_SNDBUF store twice the value, capped by rmem_max / wmem_max, with the kernel floors', () => {
    const s = new TcpScript();
    const l = s.listen();
    l.setsockopt('SO_RCVBUF', 10000);
    expect(l.getsockopt('SO_RCVBUF')).toBe(20000);
    l.setsockopt('SO_RCVBUF', 100);
    expect(l.getsockopt('SO_RCVBUF')).toBe(2304);
    l.setsockopt('SO_SNDBUF', 1 << 30);
    expect(l.getsockopt('SO_SNDBUF')).toBe(2 * 4194304);
    l.setsockopt('SO_SNDBUF', 1);
    expect(l.getsockopt('SO_SNDBUF')).toBe(4608);
    expect(() => l.setsockopt('SO_RCVBUF', -1)).toThrow(/EINVAL/);
  });

  it('a receiver that does not read: the window closes (TCPToZeroWindowAdv), data beyond it is dropped and counted (BeyondWindow)', () => {
    const s = new TcpScript();
    const l = s.listen();
    l.setsockopt('SO_RCVBUF', 16384);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1000, sackOk: true, ts: [100, 0], wscale: 7 } });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1 });
    expect(synack.opts.wscale).toBe(0);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    const conn = l.accept();
    let seq = 1;
    let lastWin = synack.win;
    for (let i = 0; i < 60 && lastWin > 0; i++) {
      s.inject({ flags: '.', seq, ack: 1, len: 1000, opts: { ts: s.ts(200 + i) } });
      s.run(300);
      for (const c of s.out.splice(0)) {
        lastWin = c.win;
        seq = c.ack;
      }
    }
    expect(lastWin).toBe(0);
    expect(seq).toBe(1 + conn.sk.rx.receiveQueue.bytes);
    expect(s.sut.snmp.get('TcpExtTCPToZeroWindowAdv')).toBe(1);
    const queued = conn.sk.rx.receiveQueue.bytes;
    expect(conn.sk.rx.rmemAlloc).toBeLessThanOrEqual(conn.sk.rx.win.rcvbuf + 2 * 1024 * 4);
    // One more segment into the zero window, with data still queued, fails the sequence check
    // (6.18's tcp_sequence: TCP_INVALID_END_SEQUENCE, counted as BeyondWindow) and is re-ACKed.
    const dropsBefore = s.sut.snmp.get('TcpExtBeyondWindow');
    s.inject({ flags: '.', seq, ack: 1, len: 1000, opts: { ts: s.ts(300) } });
    s.expect({ flags: '.', ack: seq, win: 0 });
    expect(conn.sk.rx.receiveQueue.bytes).toBe(queued);
    expect(s.sut.snmp.get('TcpExtBeyondWindow')).toBe(dropsBefore + 1);
    // Reading opens the window again with an update (TCPFromZeroWindowAdv).
    const buf = new Uint8Array(1 << 16);
    expect(conn.recv(buf)).toBe(queued);
    const update = s.expect({ flags: '.', ack: seq });
    expect(update.win).toBeGreaterThan(0);
    expect(s.sut.snmp.get('TcpExtTCPFromZeroWindowAdv')).toBe(1);
  });

  it('a sender whose peer does not ACK: send() fills sk_sndbuf then returns EAGAIN; POLLOUT comes back with the ACKs', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen({ mss: 1000, sackOk: true, ts: [100, 0], wscale: 7 }, 502, 10);
    const chunk = new Uint8Array(65536);
    let total = 0;
    for (let i = 0; i < 1000; i++) {
      const n = conn.trySend(chunk);
      if (n < 0) break;
      total += n;
    }
    expect(conn.trySend(chunk)).toBe(-11);
    expect(() => conn.send(chunk)).toThrow(/EAGAIN/);
    expect(conn.sk.wmemQueued).toBeGreaterThanOrEqual(conn.sk.sndbuf);
    expect(conn.poll() & POLLOUT).toBe(0);
    let writable = 0;
    conn.onWritable = () => writable++;
    // ACK everything sent, round after round, until a third of the buffer is free again
    // (sk_stream_write_space): then, and only then, the writer is woken.
    let acked = 1;
    for (let round = 0; round < 100 && writable === 0; round++) {
      for (const c of s.out.splice(0)) if (c.len > 0) acked = Math.max(acked, c.seq + c.len);
      s.inject({ flags: '.', seq: 1, ack: acked, win: 4000, opts: { ts: s.ts(300 + round) } });
      if (writable === 0) expect(conn.poll() & POLLOUT).toBe(0);
    }
    expect(writable).toBe(1);
    expect(conn.sk.sndbuf - conn.sk.wmemQueued).toBeGreaterThanOrEqual(conn.sk.wmemQueued >>> 1);
    expect(conn.poll() & POLLOUT).toBe(POLLOUT);
    expect(total).toBeGreaterThan(0);
  });

  it('poll(): POLLIN with data, POLLIN|POLLRDHUP after the FIN, POLLHUP|POLLERR after a reset', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    expect(conn.poll() & (POLLIN | POLLHUP)).toBe(0);
    expect(conn.poll() & POLLOUT).toBe(POLLOUT);
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 10, opts: { ts: s.ts(200) } });
    expect(conn.poll() & POLLIN).toBe(POLLIN);
    s.inject({ flags: 'F.', seq: 11, ack: 1, opts: { ts: s.ts(201) } });
    expect(conn.poll() & (POLLIN | POLLRDHUP)).toBe(POLLIN | POLLRDHUP);
    s.inject({ flags: 'R', seq: 12 });
    expect(conn.poll() & (POLLHUP | POLLERR)).toBe(POLLHUP | POLLERR);
  });

  it('segments that waste their buffers: the receive queue is collapsed into compact buffers (PruneCalled, TCPRcvCollapsed), data intact', () => {
    const s = new TcpScript();
    const l = s.listen();
    l.setsockopt('SO_RCVBUF', 32768);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1000, sackOk: true, ts: [100, 0], wscale: 7 } });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    const conn = l.accept();
    // 1000-byte segments that do not coalesce: each holds a 2 KiB slot (truesize 2624).
    let seq = 1;
    for (let i = 0; i < 30; i++) {
      s.inject({ flags: 'P.', seq, ack: 1, len: 1000, opts: { ts: s.ts(200 + i) } });
      seq += 1000;
    }
    expect(s.sut.snmp.get('TcpExtPruneCalled')).toBeGreaterThan(0);
    expect(s.sut.snmp.get('TcpExtTCPRcvCollapsed')).toBeGreaterThan(0);
    expect(conn.sk.rx.rmemAlloc).toBeLessThanOrEqual(conn.sk.rx.win.rcvbuf + 20_000);
    const buf = new Uint8Array(40000);
    const n = conn.recv(buf);
    expect(n).toBe(30000);
    // The script's payload bytes are (seq + i) & 0xff for relative seq: check every byte.
    for (let i = 0; i < n; i++) expect(buf[i]).toBe((1 + i) & 0xff);
  });
});
