import { NetError } from '../errors/net-error.js';

export const ETH_ALEN = 6;

/** A MAC address as 6 bytes. */
export type MacAddress = Uint8Array;

/** Parse `aa:bb:cc:dd:ee:ff` (also `-` separated); throws EINVAL on anything else. */
export function parseMac(text: string): MacAddress {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new NetError('EINVAL', `invalid MAC address "${text}"`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** Format 6 bytes at `off` as `aa:bb:cc:dd:ee:ff` (control plane and display only). */
export function formatMac(buf: Uint8Array, off = 0): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    if (i > 0) s += ':';
    s += buf[off + i]!.toString(16).padStart(2, '0');
  }
  return s;
}

export function isBroadcastEtherAddr(buf: Uint8Array, off = 0): boolean {
  return (buf[off]! & buf[off + 1]! & buf[off + 2]! & buf[off + 3]! & buf[off + 4]! & buf[off + 5]!) === 0xff;
}

/** Group bit set (multicast or broadcast). */
export function isMulticastEtherAddr(buf: Uint8Array, off = 0): boolean {
  return (buf[off]! & 0x01) !== 0;
}

export function isZeroEtherAddr(buf: Uint8Array, off = 0): boolean {
  return (buf[off]! | buf[off + 1]! | buf[off + 2]! | buf[off + 3]! | buf[off + 4]! | buf[off + 5]!) === 0;
}

/** A unicast, non-zero address (`is_valid_ether_addr`). */
export function isValidEtherAddr(buf: Uint8Array, off = 0): boolean {
  return !isMulticastEtherAddr(buf, off) && !isZeroEtherAddr(buf, off);
}

export function etherAddrEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  return (
    a[aOff] === b[bOff] &&
    a[aOff + 1] === b[bOff + 1] &&
    a[aOff + 2] === b[bOff + 2] &&
    a[aOff + 3] === b[bOff + 3] &&
    a[aOff + 4] === b[bOff + 4] &&
    a[aOff + 5] === b[bOff + 5]
  );
}

/** A random locally administered unicast address (`eth_random_addr`), from the given bytes source. */
export function randomEtherAddr(fill: (bytes: Uint8Array) => Uint8Array): MacAddress {
  const mac = fill(new Uint8Array(6));
  mac[0] = (mac[0]! & 0xfe) | 0x02;
  return mac;
}
