/**
 * IPv4 addresses as unsigned 32-bit numbers in host order (10.0.0.1 = 0x0a000001): what
 * `InetAddrWords` holds in `w[0]` and what `Ipv4View.saddr` returns. Parsing and formatting are
 * control plane (they allocate strings); the classification helpers are branch-only and mirror
 * include/linux/in.h, whose functions take network-order `__be32` and test the same bits.
 */
import { NetError } from '@netstack/core';

/** 0.0.0.0 */
export const INADDR_ANY = 0x00000000;
/** 255.255.255.255 */
export const INADDR_BROADCAST = 0xffffffff;
/** 127.0.0.1 */
export const INADDR_LOOPBACK = 0x7f000001;

/**
 * Parse a dotted quad exactly as `inet_pton(AF_INET)` does: four decimal octets 0..255, no
 * leading zeros ("010" would be octal to inet_aton and is refused here), no spaces, no shorthand
 * ("10.1" is refused). Throws `NetError('EINVAL')` otherwise.
 */
export function parseIpv4(text: string): number {
  let value = 0;
  let octets = 0;
  let i = 0;
  const n = text.length;
  while (true) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      i++;
      if (i - start > 3) break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(start) === 0x30)) {
      throw new NetError('EINVAL', `invalid IPv4 address "${text}"`);
    }
    value = value * 256 + octet;
    octets++;
    if (octets === 4) break;
    if (i >= n || text.charCodeAt(i) !== 0x2e /* . */) throw new NetError('EINVAL', `invalid IPv4 address "${text}"`);
    i++;
  }
  if (i !== n) throw new NetError('EINVAL', `invalid IPv4 address "${text}"`);
  return value >>> 0;
}

/** Format as a dotted quad (`%pI4`). */
export function formatIpv4(addr: number): string {
  return `${(addr >>> 24) & 0xff}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** An address with a prefix length, as `ip addr add 10.0.0.1/24` takes it. */
export interface Ipv4Prefix {
  addr: number;
  len: number;
}

/**
 * Parse `a.b.c.d/len` (or `a.b.c.d`, which is `/32`, as iproute2's `get_prefix` does). The length
 * is decimal 0..32. Host bits are kept (`10.0.0.1/24` is an interface address, not an error);
 * use `addr & prefixMask(len)` for the network. Throws `NetError('EINVAL')` on anything else.
 */
export function parseIpv4Prefix(text: string): Ipv4Prefix {
  const slash = text.indexOf('/');
  if (slash < 0) return { addr: parseIpv4(text), len: 32 };
  const addr = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(lenText)) {
    throw new NetError('EINVAL', `invalid prefix length in "${text}"`);
  }
  return { addr, len: Number(lenText) };
}

/** Format `addr/len`. */
export function formatIpv4Prefix(p: Ipv4Prefix): string {
  return `${formatIpv4(p.addr)}/${p.len}`;
}

/** The netmask of a prefix length (`inet_make_mask`): 24 → 0xffffff00, 0 → 0. Throws EINVAL outside 0..32. */
export function prefixMask(len: number): number {
  if (!Number.isInteger(len) || len < 0 || len > 32) throw new NetError('EINVAL', `invalid prefix length ${len}`);
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/**
 * The prefix length of a contiguous netmask (`inet_mask_len`), or -1 when the mask has holes
 * (`bad_mask`), as `ifconfig ... netmask` would refuse.
 */
export function maskLen(mask: number): number {
  const host = ~mask >>> 0;
  // contiguous ⇔ the host part is 2^k - 1
  if (host !== 0xffffffff && (host & (host + 1)) !== 0) return -1;
  let len = 32;
  for (let h = host; h !== 0; h >>>= 1) len--;
  return len;
}

/** 224.0.0.0/4 (`ipv4_is_multicast`). */
export function ipv4IsMulticast(addr: number): boolean {
  return addr >>> 28 === 0xe;
}

/** 224.0.0.0/24, link-local multicast never forwarded (`ipv4_is_local_multicast`). */
export function ipv4IsLocalMulticast(addr: number): boolean {
  return addr >>> 8 === 0xe00000;
}

/** 255.255.255.255, the limited broadcast (`ipv4_is_lbcast`). */
export function ipv4IsLbcast(addr: number): boolean {
  return addr >>> 0 === INADDR_BROADCAST;
}

/** 127.0.0.0/8 (`ipv4_is_loopback`). */
export function ipv4IsLoopback(addr: number): boolean {
  return addr >>> 24 === 127;
}

/**
 * `ipv4_is_zeronet`: only 0.0.0.0 since Linux 5.3 (commit 96125bf9985a, "Allow 0.0.0.0/8 as a
 * valid address range"); before that it was all of 0.0.0.0/8. 6.18 behaviour: 0.1.2.3 is unicast.
 */
export function ipv4IsZeronet(addr: number): boolean {
  return addr >>> 0 === 0;
}

/** 169.254.0.0/16 (`ipv4_is_linklocal_169`). */
export function ipv4IsLinklocal169(addr: number): boolean {
  return addr >>> 16 === 0xa9fe;
}
