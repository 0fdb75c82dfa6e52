/**
 * A short exchange replayed against a tcpdump capture of this machine's 6.18 kernel (two network
 * namespaces over veth; the server a Python socket: accept, recv 100, sleep 0.5 s, send 10,
 * sleep 1 s, close). The client side is injected with the kernel client's segments; the server's
 * answers must be the kernel server's, field by field:
 *
 *   0.0000 C > S  [S]  win 64240 [mss 1460,sackOK,TS val 979046691 ecr 0,nop,wscale 10]
 *   0.0000 S > C  [S.] win 65160 [mss 1460,sackOK,TS val … ecr 979046691,nop,wscale 10]
 *   0.0000 C > S  [.]  ack 1, win 63
 *   0.0001 C > S  [P.] seq 1:101, ack 1, win 63
 *   0.0001 S > C  [.]  ack 101, win 64                      (quick-ack: at once)
 *   0.5004 S > C  [P.] seq 1:11, ack 101, win 64
 *   0.5005 C > S  [.]  ack 11, win 63
 *   1.0004 C > S  [F.] seq 101, ack 11, win 63
 *   1.0416 S > C  [.]  ack 102, win 64                      (delayed ACK: ato 40 ms + timer slack)
 *   1.5007 S > C  [F.] seq 11, ack 102, win 64
 */
import { describe, expect, it } from 'vitest';
import { TcpScript } from '../script.js';

describe('against a capture of Linux 6.18', () => {
  it('handshake, request, reply, FIN: the same segments, windows and delays', () => {
    const s = new TcpScript();
    const l = s.listen(5);
    s.inject({ flags: 'S', seq: 0, win: 64240, opts: { mss: 1460, sackOk: true, ts: [979046691, 0], wscale: 10 } });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, win: 65160, opts: { mss: 1460, sackOk: true, wscale: 10 } });
    expect(synack.opts.tsEcr).toBe(979046691);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 63, opts: { ts: s.ts(979046691) } });
    const conn = l.accept();
    s.inject({ flags: 'P.', seq: 1, ack: 1, win: 63, len: 100, opts: { ts: s.ts(979046691) } });
    expect(s.expect({ flags: '.', seq: 1, ack: 101, win: 64 }).at).toBe(0);
    s.run(500);
    const buf = new Uint8Array(100);
    expect(conn.recv(buf)).toBe(100);
    conn.send(new Uint8Array(10));
    expect(s.expect({ flags: 'P.', seq: 1, ack: 101, win: 64, len: 10 }).at).toBe(500);
    s.inject({ flags: '.', seq: 101, ack: 11, win: 63, opts: { ts: s.ts(979047191) } });
    s.run(500);
    s.inject({ flags: 'F.', seq: 101, ack: 11, win: 63, opts: { ts: s.ts(979047691) } });
    // The kernel's ACK came 41.2 ms later: ato 40 ms, rounded up by the timer wheel.
    expect(s.expect({ flags: '.', seq: 11, ack: 102, win: 64 }, 100).at).toBe(1041);
    s.run(459);
    conn.close();
    expect(s.expect({ flags: 'F.', seq: 11, ack: 102, win: 64 }).at).toBe(1500);
  });
});
