/**
 * What every zero-copy wire view shares: the bytes it looks at (`buf`, from `off`, `len` bytes
 * long) and `wrap()` to point one reused view at another packet without allocating. Subclasses
 * add accessors at fixed offsets and `checkLen()`; once `checkLen()` is true no accessor fails.
 */
export abstract class WireView {
  buf: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;

  wrap(buf: Uint8Array, off: number, len: number): this {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** The fixed part of the header fits in `len` and in `buf`. */
  abstract checkLen(): boolean;
}
