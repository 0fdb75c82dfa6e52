/**
 * Address text in the forms `ip` prints and accepts: dotted-quad IPv4 (no leading zeros, no
 * shortened forms) and RFC 5952 IPv6. Shared by every transport and the CLI.
 */
import { AF_INET, AF_INET6 } from './constants.js';
import { NetError } from '../errors/net-error.js';
import { inetAddrWords, type InetAddrWords } from './network-protocol.js';

function addrClear(a: InetAddrWords): void {
  a[0] = 0;
  a[1] = 0;
  a[2] = 0;
  a[3] = 0;
}

/** Dotted quad to a number; NaN when `text` is not one. */
export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return NaN;
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return NaN;
    const n = Number(p);
    if (n > 255) return NaN;
    v = v * 256 + n;
  }
  return v;
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** RFC 4291 2.2 text (with at most one `::`, no embedded IPv4) to four words; false if malformed. */
function parseIPv6(text: string, out: InetAddrWords): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return false;
  const groups = [...head, ...new Array<string>(missing).fill('0'), ...tail];
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    const v = parseInt(g, 16);
    const w = i >> 1;
    out[w] = i % 2 === 0 ? (v << 16) >>> 0 : (out[w]! | v) >>> 0;
  }
  return true;
}

/** RFC 5952 text for four words: lower case, the longest run of zero groups as `::`. */
function formatIPv6(a: InetAddrWords): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(a[i]! >>> 16, a[i]! & 0xffff);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

/** Parse an address of `family` into `out` (a new holder when omitted); EINVAL when malformed. */
export function parseInetAddr(family: number, text: string, out: InetAddrWords = inetAddrWords()): InetAddrWords {
  addrClear(out);
  if (family === AF_INET) {
    const v = parseIPv4(text);
    if (Number.isNaN(v)) throw new NetError('EINVAL', `"${text}" is not an IPv4 address`);
    out[0] = v;
    return out;
  }
  if (family === AF_INET6 && parseIPv6(text, out)) return out;
  if (family === AF_INET6) throw new NetError('EINVAL', `"${text}" is not an IPv6 address`);
  throw new NetError('EAFNOSUPPORT', `address family ${family}`);
}

export function formatInetAddr(family: number, a: InetAddrWords): string {
  return family === AF_INET ? formatIPv4(a[0]!) : formatIPv6(a);
}
