/**
 * Text helpers shared by the printers: addresses as tcpdump formats them (`addrtostr`,
 * `addrtostr6`, `etheraddr_string`), fixed-width hex, and `fn_print_char`. Lookup tables are
 * built once at module load; formatting a field costs string concatenation only.
 */

/** `%02x` of every byte value. */
export const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Decimal of every byte value. */
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** `%02x`. */
export function hex2(v: number): string {
  return HEX2[v & 0xff]!;
}

/** `%04x`. */
export function hex4(v: number): string {
  return HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
}

/** `%08x`. */
export function hex8(v: number): string {
  return hex4((v >>> 16) & 0xffff) + hex4(v & 0xffff);
}

/** `%x`. */
export function hex(v: number): string {
  return (v >>> 0).toString(16);
}

/** Dotted quad of the 4 bytes at `off` (caller checked they were captured). */
export function ipv4At(b: Uint8Array, off: number): string {
  return DEC[b[off]!]! + '.' + DEC[b[off + 1]!]! + '.' + DEC[b[off + 2]!]! + '.' + DEC[b[off + 3]!]!;
}

/** `aa:bb:cc:dd:ee:ff` of the 6 bytes at `off`. */
export function macAt(b: Uint8Array, off: number): string {
  return (
    HEX2[b[off]!]! + ':' + HEX2[b[off + 1]!]! + ':' + HEX2[b[off + 2]!]! + ':' +
    HEX2[b[off + 3]!]! + ':' + HEX2[b[off + 4]!]! + ':' + HEX2[b[off + 5]!]!
  );
}

/** `linkaddr_string` for a hardware address of any length (6 bytes: a MAC). */
export function linkAddrAt(b: Uint8Array, off: number, len: number): string {
  if (len === 0) return '<empty>';
  if (len === 6) return macAt(b, off);
  let s = HEX2[b[off]!]!;
  for (let i = 1; i < len; i++) s += ':' + HEX2[b[off + i]!]!;
  return s;
}

/**
 * tcpdump's `addrtostr6`: the longest run (first on ties) of two or more zero words becomes
 * `::`; `::a.b.c.d` and `::ffff:a.b.c.d` keep the IPv4 tail in dotted form.
 */
export function ipv6At(b: Uint8Array, off: number): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    const w = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
    if (w === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    const w5 = (b[off + 10]! << 8) | b[off + 11]!;
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w5 === 0xffff))) {
      s += ipv4At(b, off + 12);
      return s;
    }
    s += ((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}

/** `fn_print_char`: `M-` for bytes above 0x7f, `^X` for control characters. */
export function printChar(c: number): string {
  let s = '';
  if (c > 0x7f) {
    c &= 0x7f;
    s = 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    s += '^';
  }
  return s + String.fromCharCode(c);
}

/** `bittok2str`: names of the set bits joined by `sep`, or `none`-style fallback. */
export function bitTok(table: readonly (readonly [number, string])[], v: number, sep: string, none: string): string {
  let s = '';
  let first = true;
  for (const [bit, name] of table) {
    if (bit !== 0 && (v & bit) >>> 0 === bit >>> 0) {
      s += first ? name : sep + name;
      first = false;
    }
  }
  return first ? none : s;
}
