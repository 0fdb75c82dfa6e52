/**
 * `ip_options_fragment` (net/ipv4/ip_options.c): after the first fragment of a datagram is built,
 * options whose "copied" flag is clear (RFC 791 section 3.1: the high bit of the type; record
 * route and timestamp are the common ones) are overwritten with NOPs, so every later fragment
 * carries only the copied options (source routes, security, router alert) while the header keeps
 * its length (the IHL of all fragments stays the same; RFC 791 allows either, Linux pads).
 *
 * A local helper: wire/ipv4-options.ts validates options on receive but does not rewrite them.
 * Like the kernel it stops at EOL and at a malformed length without touching the rest.
 */
import { IPOPT_END, IPOPT_NOOP } from '../wire/ipv4-options.js';
import { IPV4_HLEN } from '../wire/ipv4.js';

/** `IPOPT_COPIED(o)`: the option must be copied into every fragment. */
export const IPOPT_COPY = 0x80;

/** NOP out the non-copied options of the header at `hdrOff` (`hdrLen` = ihl*4 bytes) in place. */
export function ipOptionsFragment(buf: Uint8Array, hdrOff: number, hdrLen: number): void {
  let p = hdrOff + IPV4_HLEN;
  let l = hdrLen - IPV4_HLEN;
  while (l > 0) {
    const type = buf[p]!;
    if (type === IPOPT_END) return;
    if (type === IPOPT_NOOP) {
      p++;
      l--;
      continue;
    }
    if (l < 2) return;
    const optlen = buf[p + 1]!;
    if (optlen < 2 || optlen > l) return;
    if ((type & IPOPT_COPY) === 0) buf.fill(IPOPT_NOOP, p, p + optlen);
    p += optlen;
    l -= optlen;
  }
}
