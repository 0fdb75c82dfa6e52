/**
 * Address helpers over `InetAddrWords` (four u32 words; IPv4 in word 0). The bind table compares
 * addresses across families as Linux's `inet_rcv_saddr_equal`/`__inet6_rcv_saddr_equal` do, so
 * IPv4 addresses are held there in their IPv4-mapped IPv6 form (::ffff:a.b.c.d), as the kernel
 * keeps `sk_v6_rcv_saddr` for an IPv4 socket.
 */
import { AF_INET, type InetAddrWords } from '@netstack/core';

export function addrIsAny(a: ArrayLike<number>): boolean {
  return a[0] === 0 && a[1] === 0 && a[2] === 0 && a[3] === 0;
}

export function addrEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** Copy `addr` of `family` into `out` as an IPv6 address (IPv4 → ::ffff:a.b.c.d, 0.0.0.0 included). */
export function toV6Form(family: number, addr: InetAddrWords, out: Uint32Array): Uint32Array {
  if (family === AF_INET) {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0xffff;
    out[3] = addr[0]!;
  } else {
    out[0] = addr[0]!;
    out[1] = addr[1]!;
    out[2] = addr[2]!;
    out[3] = addr[3]!;
  }
  return out;
}

/** ::ffff:0:0/96. */
export function v6IsMapped(a: ArrayLike<number>): boolean {
  return a[0] === 0 && a[1] === 0 && a[2] === 0xffff;
}
