import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  TCP_HLEN,
  TCPHDR_ACE,
  TCPHDR_ACK,
  TCPHDR_AE,
  TCPHDR_CWR,
  TCPHDR_ECE,
  TCPHDR_FIN,
  TCPHDR_PSH,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCPHDR_SYN_ECN,
  TCPHDR_URG,
  TcpView,
} from './tcp-header.js';
import { A, B, SYN, SYN_TFO_DATA, ACK_TS, pseudo } from './test-vectors.js';

describe('TcpView on captured Linux segments', () => {
  it('reads the 40-byte SYN', () => {
    const buf = SYN();
    const v = new TcpView().wrap(buf, 0, buf.length);
    expect(v.checkLen()).toBe(true);
    expect(v.sport).toBe(52674);
    expect(v.dport).toBe(5001);
    expect(v.seq).toBe(896390106);
    expect(v.ack).toBe(0);
    expect(v.dataOffset).toBe(10);
    expect(v.headerLen).toBe(40);
    expect(v.flags).toBe(TCPHDR_SYN);
    expect([v.syn, v.ackFlag, v.fin, v.rst, v.psh, v.urg, v.ece, v.cwr, v.ae]).toEqual([true, false, false, false, false, false, false, false, false]);
    expect(v.window).toBe(64240);
    expect(v.checksum).toBe(0xc0f4);
    expect(v.urgPtr).toBe(0);
    expect(v.optionsOffset).toBe(20);
    expect(v.optionsLen).toBe(20);
    expect(v.payloadOffset).toBe(40);
    expect(v.payloadLen).toBe(0);
    expect(v.verifyChecksum(pseudo(A, B, 40))).toBe(true);
    expect(v.verifyChecksum(pseudo(A, B + 1, 40))).toBe(false);
  });

  it('reads an ACK (seq/ack above 2^31 stay unsigned) and a SYN carrying data', () => {
    const v = new TcpView().wrap(ACK_TS(), 0, 32);
    expect(v.ack).toBe(3678073328);
    expect(v.flags).toBe(TCPHDR_ACK);
    expect(v.window).toBe(63);
    const d = SYN_TFO_DATA();
    v.wrap(d, 0, d.length);
    expect(v.checkLen()).toBe(true);
    expect(v.headerLen).toBe(52);
    expect(v.payloadLen).toBe(5);
    expect(String.fromCharCode(...d.subarray(v.payloadOffset))).toBe('hello');
    expect(v.verifyChecksum(pseudo(A, B, 57))).toBe(true);
  });

  it('fillChecksum reproduces the kernel checksum; setters write in place at an offset', () => {
    const seg = SYN();
    const buf = new Uint8Array(14 + seg.length + 4).fill(0xee);
    buf.set(seg, 14);
    const v = new TcpView().wrap(buf, 14, seg.length);
    v.checksum = 0x1234;
    v.fillChecksum(pseudo(A, B, 40));
    expect(v.checksum).toBe(0xc0f4);
    v.sport = 1;
    v.dport = 0xffff;
    v.seq = 0xfedcba98;
    v.ack = 0x80000001;
    v.window = 0xabcd;
    v.urgPtr = 7;
    v.dataOffset = 5;
    v.flags = TCPHDR_FIN | TCPHDR_PSH | TCPHDR_AE;
    expect([...buf.subarray(14, 34)]).toEqual([0, 1, 0xff, 0xff, 0xfe, 0xdc, 0xba, 0x98, 0x80, 0, 0, 1, 0x51, 0x09, 0xab, 0xcd, 0xc0, 0xf4, 0, 7]);
    expect(v.seq).toBe(0xfedcba98);
    expect(v.flags).toBe(TCPHDR_FIN | TCPHDR_PSH | TCPHDR_AE);
    expect(v.ae).toBe(true);
    expect(buf.subarray(0, 14).every((b) => b === 0xee)).toBe(true);
    expect(buf.subarray(54).every((b) => b === 0xee)).toBe(true);
  });

  it('flags setter keeps doff and the reserved bits; reserved bits read back', () => {
    const buf = new Uint8Array(20);
    buf[12] = 0x5e; // doff 5, reserved 0b111, AE 0
    const v = new TcpView().wrap(buf, 0, 20);
    expect(v.reserved).toBe(7);
    v.flags = TCPHDR_ACE | TCPHDR_SYN;
    expect(buf[12]).toBe(0x5f);
    expect(buf[13]).toBe(0xc2);
    v.flags = 0;
    expect(buf[12]).toBe(0x5e);
    expect(v.dataOffset).toBe(5);
  });

  it('TCPHDR_* are include/net/tcp.h values', () => {
    expect([TCPHDR_FIN, TCPHDR_SYN, TCPHDR_RST, TCPHDR_PSH, TCPHDR_ACK, TCPHDR_URG, TCPHDR_ECE, TCPHDR_CWR, TCPHDR_AE]).toEqual([1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80, 0x100]);
    expect(TCPHDR_ACE).toBe(0x1c0);
    expect(TCPHDR_SYN_ECN).toBe(0xc2);
  });

  it('checkLen: 20-byte minimum, doff ≥ 5, doff*4 within len and the buffer', () => {
    const v = new TcpView();
    expect(v.checkLen()).toBe(false);
    const s = SYN();
    expect(v.wrap(s, 0, 40).checkLen()).toBe(true);
    expect(v.wrap(s, 0, 39).checkLen()).toBe(false); // doff says 40
    expect(v.wrap(s.subarray(0, 39), 0, 40).checkLen()).toBe(false);
    expect(v.wrap(s, 0, 19).checkLen()).toBe(false);
    expect(v.wrap(s, -1, 40).checkLen()).toBe(false);
    const h = new Uint8Array(20);
    h[12] = 0x40; // doff 4
    expect(v.wrap(h, 0, 20).checkLen()).toBe(false);
    h[12] = 0x50;
    expect(v.wrap(h, 0, 20).checkLen()).toBe(true);
    expect(TCP_HLEN).toBe(20);
  });

  it('once checkLen passes, options and payload lie inside the view (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.nat(8), fc.nat(90), (buf, off, len) => {
        const v = new TcpView().wrap(buf, off, len);
        if (!v.checkLen()) return;
        const end = Math.min(off + len, buf.length);
        expect(v.optionsOffset + v.optionsLen).toBeLessThanOrEqual(end);
        expect(v.payloadOffset + v.payloadLen).toBe(end);
        expect(v.payloadLen).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });
});
