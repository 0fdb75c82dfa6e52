/**
 * Send-buffer autotuning (tcp_input.c `tcp_sndbuf_expand`, `tcp_should_expand_sndbuf`,
 * `tcp_new_space`): unless SO_SNDBUF locked it, sk_sndbuf grows to hold two congestion windows
 * of MSS-sized buffers (CUBIC's 1.7 factor rounded up to 2, RFC 5681 3.2), at most tcp_wmem[2].
 */
import { SKB_SIZE_CLASSES, SKB_TRUESIZE_OVERHEAD } from '@netstack/core';
import { TCP_INIT_CWND } from '../cong/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { TCP_MAX_HEADER } from '../sock/tcp-sock.js';

/** Truesize of one buffer holding an MSS (the slab class it lands in, plus bookkeeping). */
function perMssTruesize(mss: number): number {
  const need = mss + TCP_MAX_HEADER;
  for (const size of SKB_SIZE_CLASSES) if (size >= need) return size + SKB_TRUESIZE_OVERHEAD;
  return SKB_SIZE_CLASSES[SKB_SIZE_CLASSES.length - 1]! + SKB_TRUESIZE_OVERHEAD;
}

export function tcpSndbufExpand(sk: TcpSock): void {
  if (sk.sndbufLocked) return;
  const cc = sk.tp.cc;
  const perMss = perMssTruesize(Math.max(sk.mssClamp === 0xffff ? 0 : sk.mssClamp, cc.mss_cache));
  let nrSegs = Math.max(TCP_INIT_CWND, cc.snd_cwnd);
  nrSegs = Math.max(nrSegs, sk.tp.reordering + 1);
  const sndmem = 2 * nrSegs * perMss;
  if (sk.sndbuf < sndmem) sk.sndbuf = Math.min(sndmem, sk.net.conf.wmem[2]);
}

/** `tcp_should_expand_sndbuf` + expand, after an ACK freed send-buffer space. */
export function tcpNewSpace(sk: TcpSock): void {
  if (sk.sndbufLocked) return;
  if (sk.tp.packetsInFlight() >= sk.tp.cc.snd_cwnd) return;
  tcpSndbufExpand(sk);
}
