/**
 * Three-way handshake as Linux 6.18 puts it on the wire (defaults: tcp_timestamps 1,
 * tcp_sack 1, tcp_window_scaling 1, tcp_rmem[1] 131072), passive and active, and the
 * simultaneous open of RFC 9293 figure 7.
 */
import { describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_SYN_RECV, TcpSocket } from '@netstack/tcp';
import { TcpScript } from '../script.js';

/**
 * SYN retransmission gaps in ms as this machine's 6.18 kernel sends them (tcpdump in a namespace,
 * SYNs at 0 1.03 2.05 3.08 4.10 5.12 7.14 11.20 19.40 35.52 68.80 s, the extra 1-3% being
 * timer-wheel slack, then ETIMEDOUT): tcp_syn_linear_timeouts 4 keeps the first five at the
 * initial 1 s RTO, then it doubles; tcp_syn_retries 6 is a time budget of 127 s from the first
 * SYN (tcp_model_timeout with a 1 s base), which these 11 SYNs fill.
 */
const SYN_GAPS = [0, 1000, 1000, 1000, 1000, 1000, 2000, 4000, 8000, 16000, 32000];

describe('handshake', () => {
  it('passive open: SYN-ACK with MSS 1460, SACK-permitted, timestamps, wscale 10, window 65160', () => {
    const s = new TcpScript();
    s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460, sackOk: true, ts: [100, 0], wscale: 7 } });
    // wscale follows tcp_rmem[2] (32 MiB on 6.18: 25 − 15 = 10); the window is 65535 rounded down to 45 × 1448.
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, opts: { mss: 1460, sackOk: true, wscale: 10 } });
    expect(synack.win).toBe(65160);
    expect(synack.opts.sawTstamp).toBe(true);
    expect(synack.opts.tsEcr).toBe(100);
    // The option layout Linux uses: MSS, SACK-permitted folded into the timestamp's NOPs, NOP + wscale.
    const tcpOpts = [...synack.bytes.subarray(40, 60)];
    expect(tcpOpts.slice(0, 4)).toEqual([2, 4, 0x05, 0xb4]);
    expect(tcpOpts.slice(4, 6)).toEqual([4, 2]);
    expect(tcpOpts.slice(6, 8)).toEqual([8, 10]);
    expect(tcpOpts.slice(16, 20)).toEqual([1, 3, 3, 10]);
  });

  it('passive open completes on the ACK and accept() returns the connection', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    expect(conn.sk.state).toBe(TCP_ESTABLISHED);
    expect(conn.sk.mss).toBe(1448);
    expect(conn.getpeername()).toEqual({ family: 2, address: '192.0.2.1', port: 40000 });
    expect(s.sut.snmp.get('TcpPassiveOpens')).toBe(1);
    expect(s.sut.snmp.get('TcpCurrEstab')).toBe(1);
    s.expectQuiet(1000);
  });

  it('active open: SYN with the Linux option layout, then ACK of the SYN-ACK', () => {
    const s = new TcpScript();
    const sock = s.activeOpen();
    expect(sock.sk.state).toBe(TCP_ESTABLISHED);
    expect(s.sut.snmp.get('TcpActiveOpens')).toBe(1);
    expect(sock.sk.sndWscale).toBe(7);
  });

  it('SYN without options: MSS 536 toward the peer, no timestamps or SACK on the SYN-ACK', () => {
    const s = new TcpScript();
    s.listen();
    s.inject({ flags: 'S', seq: 0, win: 8192 });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, opts: { mss: 1460, sackOk: false } });
    expect(synack.opts.sawTstamp).toBe(false);
    expect(synack.opts.wscaleOk).toBe(false);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 8192 });
  });

  it('SYN to a closed port gets RST|ACK acknowledging it', () => {
    const s = new TcpScript();
    s.inject({ flags: 'S', seq: 0, win: 65535 });
    s.expect({ flags: 'R.', seq: 0, ack: 1 });
    expect(s.sut.snmp.get('TcpOutRsts')).toBe(1);
  });

  it('SYN-ACK is retransmitted after 1 s, then 2 s, ... (tcp_synack_retries 5)', () => {
    const s = new TcpScript();
    s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460 } });
    const first = s.expect({ flags: 'S.', seq: 0, ack: 1 });
    const times = [first.at];
    for (let i = 0; i < 5; i++) times.push(s.expect({ flags: 'S.', seq: 0, ack: 1 }, 40_000).at);
    expect(times.map((t, i) => (i === 0 ? 0 : t - times[i - 1]!))).toEqual([0, 1000, 2000, 4000, 8000, 16000]);
    s.expectQuiet(64_000);
  });

  it('simultaneous open: SYN crosses SYN, our SYN-ACK, then ESTABLISHED on the ACK (RFC 9293 figure 7)', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    sock.connect('192.0.2.1', s.remotePort);
    s.world.drain();
    const syn = s.expect({ flags: 'S', seq: 0 });
    s.localPort = syn.sport;
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460, sackOk: true, ts: [500, 0], wscale: 7 } });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    expect(sock.sk.state).toBe(TCP_SYN_RECV);
    s.inject({ flags: 'S.', seq: 0, ack: 1, win: 65535, opts: { mss: 1460, sackOk: true, ts: s.ts(501), wscale: 7 } });
    expect(sock.sk.state).toBe(TCP_ESTABLISHED);
  });

  it('an unanswered SYN times out with ETIMEDOUT after tcp_syn_retries', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    let err: unknown = null;
    sock.onError = () => {
      err = sock.sk.err;
    };
    sock.connect('192.0.2.1', s.remotePort);
    s.world.drain();
    const times = [s.expect({ flags: 'S', seq: 0, win: 64240 }).at];
    for (let i = 0; i < SYN_GAPS.length - 1; i++) times.push(s.expect({ flags: 'S', seq: 0 }, 70_000).at);
    // The 11th SYN left at 67 s; the next expiry at 131 s finds the budget spent.
    s.run(63_999);
    expect(err).toBe(null);
    s.run(2);
    expect(s.out).toEqual([]);
    expect(err).toBe('ETIMEDOUT');
    expect(sock.sk.state).toBe(TCP_CLOSE);
    expect(s.sut.snmp.get('TcpAttemptFails')).toBe(1);
    expect(times.map((t, i) => (i === 0 ? 0 : t - times[i - 1]!))).toEqual(SYN_GAPS);
  });
});
