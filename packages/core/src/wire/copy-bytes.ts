import { Buffer } from 'node:buffer';

const nativeCopy = Buffer.prototype.copy;

/**
 * Copy `len` bytes from `src[srcOff..]` to `dst[dstOff..]` (the buffers may be pool slots of
 * different slabs). Short copies use a loop; longer ones the native copy of `Buffer`, which
 * takes plain Uint8Arrays and allocates no view. Measured on Node 20 for 1480 bytes between
 * SharedArrayBuffer slots: native ~0.5 µs, a JS byte loop ~4 µs (copies out of a
 * SharedArrayBuffer are several times slower than out of an ArrayBuffer, whatever the method).
 */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, len: number): void {
  if (len <= 32) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i]!;
    return;
  }
  nativeCopy.call(src, dst, dstOff, srcOff, srcOff + len);
}
