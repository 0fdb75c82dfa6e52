/**
 * `hex_print` (-x) and `hex_and_ascii_print` (-X, and the default printer for unknown
 * payloads): lines of `indent` + `0x%04x: ` + eight ` xxxx` groups; -X pads the hex column to
 * 40 characters and adds two spaces and the bytes 0x21-0x7e as text, anything else as `.`.
 */
import { TRUNCATED, type PrintContext } from './context.js';
import { HEX2, hex4 } from './format.js';

/** The -X text column for each byte value: itself when 0x21-0x7e, else `.`. */
const TEXT: readonly string[] = Array.from({ length: 256 }, (_, c) => (c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.'));

/** Hex dump of `length` bytes at `off`; throws TRUNCATED after dumping if fewer were captured. */
export function hexPrint(ctx: PrintContext, indent: string, off: number, length: number): void {
  const avail = ctx.avail(off);
  let truncated = false;
  if (length > avail) {
    length = avail;
    truncated = true;
  }
  const b = ctx.buf;
  let s = '';
  let offset = 0;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    if ((i & 15) === 0) {
      s += indent + '0x' + hex4(offset) + ': ';
      offset += 16;
    }
    s += ' ' + HEX2[b[off + i]!]! + HEX2[b[off + i + 1]!]!;
  }
  if (length & 1) {
    if ((i & 15) === 0) s += indent + '0x' + hex4(offset) + ': ';
    s += ' ' + HEX2[b[off + i]!]!;
  }
  ctx.out += s;
  if (truncated) throw TRUNCATED;
}

/** Hex and ASCII dump of `length` bytes at `off`; throws TRUNCATED after dumping if fewer were captured. */
export function hexAsciiPrint(ctx: PrintContext, indent: string, off: number, length: number): void {
  const avail = ctx.avail(off);
  let truncated = false;
  if (length > avail) {
    length = avail;
    truncated = true;
  }
  const b = ctx.buf;
  let s = '';
  let offset = 0;
  for (let line = 0; line < length; line += 16) {
    const n = length - line < 16 ? length - line : 16;
    let h = '';
    let t = '';
    for (let i = 0; i < n; i++) {
      const c = b[off + line + i]!;
      h += (i & 1) === 0 ? ' ' + HEX2[c]! : HEX2[c]!;
      t += TEXT[c]!;
    }
    s += indent + '0x' + hex4(offset) + ': ' + h.padEnd(40, ' ') + '  ' + t;
    offset += 16;
  }
  ctx.out += s;
  if (truncated) throw TRUNCATED;
}

/** `ND_DEFAULTPRINT`: hex and ASCII on new tab-indented lines. */
export function defaultPrint(ctx: PrintContext, off: number, length: number): void {
  hexAsciiPrint(ctx, '\n\t', off, length);
}
