/**
 * Addresses as the socket layer handles them: `InetAddrWords` (IPv4 in word 0, IPv6 in four
 * big-endian words), compared and classified without allocating. Text conversion is for the API
 * (`bind('10.0.0.1', ...)`), never for the packet path.
 */
import { AF_INET, type InetAddrWords } from '@netstack/core';

export function addrIsAny(a: InetAddrWords): boolean {
  return (a[0]! | a[1]! | a[2]! | a[3]!) === 0;
}

export function addrEqual(a: InetAddrWords, b: InetAddrWords): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

export function addrCopy(dst: InetAddrWords, src: InetAddrWords): void {
  dst[0] = src[0]!;
  dst[1] = src[1]!;
  dst[2] = src[2]!;
  dst[3] = src[3]!;
}

export function addrClear(a: InetAddrWords): void {
  a[0] = 0;
  a[1] = 0;
  a[2] = 0;
  a[3] = 0;
}

/** Multicast: 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291). */
export function addrIsMulticast(family: number, a: InetAddrWords): boolean {
  return family === AF_INET ? a[0]! >>> 28 === 0xe : a[0]! >>> 24 === 0xff;
}

/** The IPv4 limited broadcast 255.255.255.255 (RFC 919); IPv6 has none. */
export function addrIsLimitedBroadcast(family: number, a: InetAddrWords): boolean {
  return family === AF_INET && a[0] === 0xffffffff;
}

export { parseIPv4, formatIPv4, parseInetAddr, formatInetAddr } from '@netstack/core';
