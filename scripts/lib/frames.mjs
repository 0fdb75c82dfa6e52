/**
 * Shared by frame benchmarks: the test frame, and the per-frame minimal work that both the
 * measured path (in its protocol handler) and the reference loop do, so that the ratio isolates
 * what the stack adds on top of touching the bytes.
 */

import { NET_RX_DROP, NET_RX_SUCCESS, consumeSkb, devQueueXmit } from '@netstack/core';

/** Ethertype of the frames (IEEE local experimental 1, as core's ETH_P_802_EX1). */
export const BENCH_ETHERTYPE = 0x88b5;

/** A whole Ethernet frame of `size` bytes (no FCS): dst, src, ethertype, patterned payload. */
export function makeFrame(size, dst, src, ethertype = BENCH_ETHERTYPE) {
  if (!(Number.isInteger(size) && size >= 14)) throw new Error(`frame size ${size} < 14`);
  const f = new Uint8Array(size);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  for (let i = 14; i < size; i++) f[i] = (i * 7 + 3) & 0xff;
  return f;
}

/** Sum of `buf[start, end)`: reads every byte once. */
export function sumBytes(buf, start, end) {
  let s = 0;
  for (let i = start; i < end; i++) s += buf[i];
  return s;
}

/** The ethertype at `off + 12` (the header read every path must do). */
export function readEthertype(buf, off) {
  return (buf[off + 12] << 8) | buf[off + 13];
}

/**
 * The reference floor for frames of `frame.length` bytes: copy the frame into one reused buffer
 * (a SharedArrayBuffer, as the pool's slab), read its header and sum its bytes, `batch` frames
 * per step. `verify()` reports frames whose header or sum came out wrong.
 */
export function frameFloor(frame, batch, ethertype = BENCH_ETHERTYPE) {
  const size = frame.length;
  const buf = new Uint8Array(new SharedArrayBuffer(2048 > size ? 2048 : size));
  const expected = sumBytes(frame, 0, size);
  let frames = 0;
  let bad = 0;
  return {
    step() {
      for (let i = 0; i < batch; i++) {
        buf.set(frame, 0);
        if (readEthertype(buf, 0) !== ethertype || sumBytes(buf, 0, size) !== expected) bad++;
        frames++;
      }
      return batch;
    },
    verify() {
      return bad === 0 ? null : `${bad} of ${frames} reference frames came out wrong`;
    },
    poolLive: () => 0,
  };
}

/**
 * Sends `frame` on `dev` in bursts of `batch` (pool buffer, devQueueXmit), then runs the softirqs
 * (`world.drain()`): the `step()` of every frame benchmark. Counts frames sent and devQueueXmit
 * calls that did not return NET_XMIT_SUCCESS, for the benchmark's `verify()`.
 */
export function frameInjector(world, dev, frame, batch) {
  const pool = world.pool;
  const size = frame.length;
  const inj = {
    sent: 0,
    xmitErrors: 0,
    step() {
      for (let i = 0; i < batch; i++) {
        const skb = pool.alloc(size);
        skb.buf.set(frame, skb.put(size));
        skb.dev = dev;
        if (devQueueXmit(skb) !== 0) inj.xmitErrors++;
      }
      inj.sent += batch;
      world.drain();
      return batch;
    },
  };
  return inj;
}

/**
 * A protocol handler for BENCH_ETHERTYPE in `ns` that checks each frame arrived whole (header
 * read, every byte summed against `expectedSum`), consumes it and counts it as delivered or bad.
 */
export function frameChecker(ns, expectedSum) {
  const chk = { delivered: 0, bad: 0 };
  ns.devAddPack({
    type: BENCH_ETHERTYPE,
    dev: null,
    data: null,
    owner: 'bench',
    func(skb) {
      const buf = skb.buf;
      const mac = skb.macHeader;
      const ok = readEthertype(buf, mac) === BENCH_ETHERTYPE && sumBytes(buf, mac, skb.tail) === expectedSum;
      consumeSkb(skb);
      if (!ok) {
        chk.bad++;
        return NET_RX_DROP;
      }
      chk.delivered++;
      return NET_RX_SUCCESS;
    },
  });
  return chk;
}
