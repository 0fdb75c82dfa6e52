/**
 * tcpdump's hex dumps (print-ascii.c): `hex_print_with_offset` for -x/-xx and
 * `hex_and_ascii_print_with_offset` for -X/-XX, each line led by "\n\t0xOFFS: ".
 */

const hex2 = (b: number): string => (b < 16 ? '0' : '') + b.toString(16);
/** ND_ASCII_ISGRAPH: '!' to '~'. */
const graph = (b: number): string => (b > 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.');
const offset = (o: number): string => `\n\t0x${o.toString(16).padStart(4, '0')}: `;

/** -x / -xx: 16 bytes a line, in 16-bit groups. */
export function hexDump(b: Uint8Array, from: number, length: number): string {
  let out = '';
  let i = 0;
  let oset = 0;
  let p = from;
  for (let n = length >>> 1; n > 0; n--) {
    if (i++ % 8 === 0) {
      out += offset(oset);
      oset += 16;
    }
    out += ' ' + hex2(b[p]!) + hex2(b[p + 1]!);
    p += 2;
  }
  if ((length & 1) !== 0) {
    if (i % 8 === 0) out += offset(oset);
    out += ' ' + hex2(b[p]!);
  }
  return out;
}

/** -X / -XX: the same groups padded to 40 columns, then the printable characters. */
export function hexAsciiDump(b: Uint8Array, from: number, length: number): string {
  let out = '';
  let hex = '';
  let ascii = '';
  let oset = 0;
  let p = from;
  let i = 0;
  for (let n = length >>> 1; n > 0; n--) {
    hex += ' ' + hex2(b[p]!) + hex2(b[p + 1]!);
    ascii += graph(b[p]!) + graph(b[p + 1]!);
    p += 2;
    if (++i >= 8) {
      out += `${offset(oset)}${hex.padEnd(40)}  ${ascii}`;
      hex = '';
      ascii = '';
      i = 0;
      oset += 16;
    }
  }
  if ((length & 1) !== 0) {
    hex += ' ' + hex2(b[p]!);
    ascii += graph(b[p]!);
    i++;
  }
  if (i > 0) out += `${offset(oset)}${hex.padEnd(40)}  ${ascii}`;
  return out;
}
