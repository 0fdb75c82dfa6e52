/**
 * The deterministic content `GET /bytes/N` serves: byte i is `i % 251`. The period is a prime, so
 * it never lines up with segment, buffer or page sizes: a lost, duplicated or shifted block of
 * any power-of-two size changes the SHA-256.
 */
const PERIOD = 251;
/** 261 periods: just under 64 KiB, so every chunk starts at a multiple of the period. */
const BLOCK = Buffer.from(Uint8Array.from({ length: PERIOD * 261 }, (_, i) => i % PERIOD));

/** Byte `i` of the content. */
export function hostByte(i: number): number {
  return i % PERIOD;
}

/** The first `n` bytes of the content, as chunks of at most 64 KiB (shared, do not modify). */
export function* hostBytesChunks(n: number): Generator<Buffer> {
  for (let left = n; left > 0; left -= BLOCK.length) yield left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
}
