/**
 * Fast Open segments against a tcpdump capture of this machine's 6.18 kernel: two namespaces over
 * veth (10.9.0.1 client, 10.9.0.2 server with tcp_fastopen 3, TCP_FASTOPEN 16 and
 * tcp_fastopen_key 00112233-44556677-8899aabb-ccddeeff), two Python clients sending "GET /x"
 * with sendto(MSG_FASTOPEN). The TCP option bytes the kernel sent (TS values and cookie aside):
 *
 *   SYN, no cookie:  02 04 05b4 | 04 02 08 0a TSval 00000000 | 01 03 03 0a | 22 02 01 01
 *   SYN-ACK:         02 04 05b4 | 04 02 08 0a TSval TSecr    | 01 03 03 0a | 22 0a <cookie 8> 01 01
 *   SYN with data:   02 04 05b4 | 04 02 08 0a TSval 00000000 | 01 03 03 0a | 22 0a <cookie 8> 01 01, 6 bytes
 *   SYN-ACK of it:   02 04 05b4 | 04 02 08 0a TSval TSecr    | 01 03 03 0a, ack = ISN + 1 + 6
 *
 * (the cookie itself, 6685320021b3a8a5, is checked in packages/tcp/src/fastopen/cookie.test.ts).
 * Our stack, with the same settings, must put the same layout on the wire in both roles.
 */
import { describe, expect, it } from 'vitest';
import { MSG_FASTOPEN, TcpSocket } from '@netstack/tcp';
import { TcpScript, type Captured } from '../script.js';

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** The TCP options of a captured segment with TSval/TSecr and the cookie masked as the kernel's are. */
function layout(c: Captured): string {
  const hl = (c.bytes[32]! >> 4) * 4;
  const o = Uint8Array.from(c.bytes.subarray(40, 20 + hl));
  o.fill(0xee, 8, 16); // TSval, TSecr
  if (c.opts.fastopenLen > 0) o.fill(0xcc, 22, 30);
  return hexOf(o);
}

const KERNEL = {
  synReq: '020405b4' + '0402080a' + 'ee'.repeat(8) + '0103030a' + '22020101',
  synackCookie: '020405b4' + '0402080a' + 'ee'.repeat(8) + '0103030a' + '220a' + 'cc'.repeat(8) + '0101',
  synData: '020405b4' + '0402080a' + 'ee'.repeat(8) + '0103030a' + '220a' + 'cc'.repeat(8) + '0101',
  synackData: '020405b4' + '0402080a' + 'ee'.repeat(8) + '0103030a',
};

describe('Fast Open against a capture of Linux 6.18', () => {
  it('server: SYN-ACK to a cookie request, then to SYN data with the cookie', () => {
    const s = new TcpScript();
    s.sut.sysctl.set('net.ipv4.tcp_fastopen', 3);
    s.sut.sysctl.set('net.ipv4.tcp_fastopen_key', '00112233-44556677-8899aabb-ccddeeff');
    s.listen().setsockopt('TCP_FASTOPEN', 16);
    s.inject({ flags: 'S', seq: 0, win: 64240, opts: { mss: 1460, sackOk: true, ts: [490277390, 0], wscale: 10 }, fastopen: 'request' });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, win: 65160 });
    expect(layout(synack)).toBe(KERNEL.synackCookie);
    const cookie = synack.opts.fastopenBuf.slice(synack.opts.fastopenOff, synack.opts.fastopenOff + 8);
    s.remotePort = 40001;
    s.inject({ flags: 'S', seq: 0, win: 64240, opts: { mss: 1460, sackOk: true, ts: [3257985158, 0], wscale: 10 }, fastopen: cookie }, new TextEncoder().encode('GET /x'));
    const synack2 = s.expect({ flags: 'S.', seq: 0, ack: 7, win: 65160 });
    expect(layout(synack2)).toBe(KERNEL.synackData);
  });

  it('client: SYN with a cookie request, then SYN with cookie and data', () => {
    const s = new TcpScript();
    const c1 = TcpSocket.create(s.sut);
    expect(() => c1.sendto(new TextEncoder().encode('GET /x'), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toThrow(/EINPROGRESS/);
    const syn = s.expect({ flags: 'S', seq: 0, len: 0, win: 64240 });
    expect(layout(syn)).toBe(KERNEL.synReq);
    s.localPort = syn.sport;
    s.inject({ flags: 'S.', seq: 0, ack: 1, win: 65160, opts: { mss: 1460, sackOk: true, ts: [1894936715, syn.opts.tsVal], wscale: 10 }, fastopen: Uint8Array.from(Buffer.from('6685320021b3a8a5', 'hex')) });
    s.expect({ flags: '.', seq: 1, ack: 1 });
    s.remotePort = 40001;
    const c2 = TcpSocket.create(s.sut);
    expect(c2.sendto(new TextEncoder().encode('GET /x'), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toBe(6);
    const syn2 = s.expect({ flags: 'S', seq: 0, len: 6, win: 64240 });
    expect(layout(syn2)).toBe(KERNEL.synData);
    expect(hexOf(syn2.opts.fastopenBuf.subarray(syn2.opts.fastopenOff, syn2.opts.fastopenOff + 8))).toBe('6685320021b3a8a5');
  });
});
