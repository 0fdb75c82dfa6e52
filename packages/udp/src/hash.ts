/**
 * The hashes of the UDP socket table, seeded per namespace from `ns.random` (Linux seeds
 * `udp_ehash_secret` and `net_hash_mix` at boot). All arithmetic is on unsigned 32-bit integers;
 * nothing allocates.
 */
import { jhash3, type InetAddrWords } from '@netstack/core';

/** One word standing for an address: the IPv4 address itself, or the four IPv6 words mixed. */
export function addrKey(addr: InetAddrWords, words: 1 | 4, seed: number): number {
  if (words === 1) return addr[0]!;
  return jhash3(addr[0]! ^ addr[1]!, addr[2]!, addr[3]!, seed);
}

/**
 * `udp_ehashfn` / `__inet_ehashfn`: the flow hash of (local address, local port, remote address,
 * remote port). It picks the 4-tuple slot of a connected socket and the member of a
 * SO_REUSEPORT group.
 */
export function ehash(laddr: number, lport: number, faddr: number, fport: number, secret: number): number {
  return jhash3(laddr, faddr, ((lport << 16) | fport) >>> 0, secret);
}

/** `reciprocal_scale`: map a 32-bit hash onto [0, n) without a division. */
export function reciprocalScale(hash: number, n: number): number {
  return Math.floor((hash * n) / 0x1_0000_0000);
}
