/**
 * TCP segments captured from Linux 6.18 between two network namespaces over veth with tx
 * checksum offload off (so the kernel computed every checksum), 10.0.0.1 ↔ 10.0.0.2, and
 * 10.0.0.3 ↔ 10.0.0.2 for the SACK run (10.0.0.3 was a raw-socket peer that skipped bytes
 * 101..200 to make Linux send SACK blocks). Only the TCP segment (IPv4 header removed);
 * tcpdump's decode is quoted above each. Test data only: excluded from the build (`test-*.ts`).
 */
export const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** IPv4 pseudo-header sum (RFC 9293 §3.1): source, destination, zero + protocol 6, TCP length. */
export const pseudo = (saddr: number, daddr: number, len: number): number =>
  (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + 6 + len;

export const A = 0x0a000001;
export const B = 0x0a000002;
export const C = 0x0a000003;

/** 10.0.0.1.52674 > 10.0.0.2.5001: [S], cksum 0xc0f4, seq 896390106, win 64240, options [mss 1460,sackOK,TS val 2483485050 ecr 0,nop,wscale 10] */
export const SYN = () =>
  hex(`cd c2 13 89 35 6d d3 da 00 00 00 00 a0 02 fa f0 c0 f4 00 00 02 04 05 b4 04 02 08 0a 94 06 f9 7a 00 00 00 00 01 03 03 0a`);
/** 10.0.0.2.5001 > 10.0.0.1.52674: [S.], cksum 0xf8de, seq 3678073327, ack 896390107, win 65160, options [mss 1460,sackOK,TS val 3570999912 ecr 2483485050,nop,wscale 10] */
export const SYN_ACK = () =>
  hex(`13 89 cd c2 db 3a f1 ef 35 6d d3 db a0 12 fe 88 f8 de 00 00 02 04 05 b4 04 02 08 0a d4 d9 22 68 94 06 f9 7a 01 03 03 0a`);
/** 10.0.0.1.52674 > 10.0.0.2.5001: [.], cksum 0x25f8, seq 1, ack 1, win 63, options [nop,nop,TS val 2483485050 ecr 3570999912] */
export const ACK_TS = () => hex(`cd c2 13 89 35 6d d3 db db 3a f1 f0 80 10 00 3f 25 f8 00 00 01 01 08 0a 94 06 f9 7a d4 d9 22 68`);
/** 10.0.0.1.52690 > 10.0.0.2.5001: [S], cksum 0xf84d, seq 923065638, options [mss 1460,sackOK,TS val 3341897980 ecr 0,nop,wscale 10,tfo cookiereq,nop,nop] */
export const SYN_TFO_REQ = () =>
  hex(`cd d2 13 89 37 04 dd 26 00 00 00 00 b0 02 fa f0 f8 4d 00 00 02 04 05 b4 04 02 08 0a c7 31 50 fc 00 00 00 00 01 03 03 0a 22 02 01 01`);
/** 10.0.0.2.5001 > 10.0.0.1.52690: [S.], cksum 0xec53, options [mss 1460,sackOK,TS val 599013604 ecr 3341897980,nop,wscale 10,tfo cookie abf26ec905d378ee,nop,nop] */
export const SYN_ACK_TFO_COOKIE = () =>
  hex(`13 89 cd d2 a6 f5 4b 35 37 04 dd 27 d0 12 fe 88 ec 53 00 00 02 04 05 b4 04 02 08 0a 23 b4 38 e4 c7 31 50 fc 01 03 03 0a 22 0a ab f2 6e c9 05 d3 78 ee 01 01`);
/** 10.0.0.1.52694 > 10.0.0.2.5001: [S], cksum 0x864d, seq 302132193:302132198, options [mss 1460,sackOK,TS val 3942676492 ecr 0,nop,wscale 10,tfo cookie abf26ec905d378ee,nop,nop], length 5 ("hello") */
export const SYN_TFO_DATA = () =>
  hex(`cd d6 13 89 12 02 2b e1 00 00 00 00 d0 02 fa f0 86 4d 00 00 02 04 05 b4 04 02 08 0a eb 00 78 0c 00 00 00 00 01 03 03 0a 22 0a ab f2 6e c9 05 d3 78 ee 01 01 68 65 6c 6c 6f`);
/** 10.0.0.2.5002 > 10.0.0.3.40000: [.], cksum 0x5879, ack 101, win 64, options [nop,nop,TS val 817649661 ecr 5002,nop,nop,sack 1 {201:301}] (relative to ISN 1000) */
export const ACK_SACK1 = () =>
  hex(`13 8a 9c 40 e3 fb 95 cb 00 00 04 4d b0 10 00 40 58 79 00 00 01 01 08 0a 30 bc 57 fd 00 00 13 8a 01 01 05 0a 00 00 04 b1 00 00 05 15`);
/** 10.0.0.2.5002 > 10.0.0.3.40001: [.], cksum 0xa9e8, ack 101, win 64, options [nop,nop,TS val 1484964640 ecr 5002,nop,nop,sack 3 {601:701}{401:501}{201:301}] (relative to ISN 7000) */
export const ACK_SACK3 = () =>
  hex(`13 8a 9c 41 32 e2 66 1e 00 00 1b bd f0 10 00 40 a9 e8 00 00 01 01 08 0a 58 82 c3 20 00 00 13 8a 01 01 05 1a 00 00 1d b1 00 00 1e 15 00 00 1c e9 00 00 1d 4d 00 00 1c 21 00 00 1c 85`);
/** 10.0.0.2.5002 > 10.0.0.3.40000: [F.], cksum 0x0fc8, ack 1101, win 64, options [nop,nop,TS val 817657159 ecr 5002,nop,nop,sack 2 {301:401}{101:201}] (tcpdump lost the ISN: absolute blocks 1401:1501 and 1201:1301, ack 1101 = relative 101; the third data segment of that run arrived after the RST so this FIN still SACKs the holes)*/
export const FIN_SACK2 = () =>
  hex(`13 8a 9c 40 e3 fb 95 cb 00 00 04 4d d0 11 00 40 0f c8 00 00 01 01 08 0a 30 bc 75 47 00 00 13 8a 01 01 05 12 00 00 05 79 00 00 05 dd 00 00 04 b1 00 00 05 15`);
