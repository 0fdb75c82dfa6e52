/**
 * Shared by frame benchmarks: the test frame, and the per-frame minimal work that both the
 * measured path (in its protocol handler) and the reference loop do, so that the ratio isolates
 * what the stack adds on top of touching the bytes.
 */

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
