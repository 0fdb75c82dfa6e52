/**
 * UDP constants: sysctl names and defaults, socket-memory bounds, flags. Values are Linux 6.18's
 * (x86_64, 4 KiB pages); the file says where each comes from.
 */
import { AF_INET, AF_INET6 } from '@netstack/core';
import { UDP_HLEN } from './wire/udp.js';

/** `net.core.{r,w}mem_{default,max}`: 212992 on a stock kernel (SK_RMEM_MAX / SK_WMEM_MAX). */
export const SK_MEM_DEFAULT = 212992;

/** `net.ipv4.udp_rmem_min` / `udp_wmem_min`: PAGE_SIZE (udp_sysctl_init). */
export const UDP_MEM_MIN_DEFAULT = 4096;

/** `net.ipv4.ip_local_port_range` default (inet_init_net). */
export const LOCAL_PORT_LOW = 32768;
export const LOCAL_PORT_HIGH = 60999;

/**
 * `SOCK_MIN_RCVBUF` = 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)) = 2304 and `SOCK_MIN_SNDBUF`
 * = 2 * SOCK_MIN_RCVBUF (include/net/sock.h): the floor of SO_RCVBUF / SO_SNDBUF after doubling.
 */
export const SOCK_MIN_RCVBUF = 2304;
export const SOCK_MIN_SNDBUF = 4608;

/**
 * Largest payload `udp_sendmsg` accepts: the IP datagram must fit the 16-bit total length.
 * IPv4: 65535 - 20 (header) - 8 = 65507 (`ip_append_data`: `length > 0xFFFF - fragheaderlen`);
 * IPv6: the payload length excludes the fixed header, so 65535 - 8 = 65527.
 */
export function udpMaxPayload(family: number): number {
  return family === AF_INET6 ? 0xffff - UDP_HLEN : 0xffff - 20 - UDP_HLEN;
}

/** Families UDP sockets may be created for. */
export const UDP_FAMILIES: readonly number[] = [AF_INET, AF_INET6];

/** `sk_userlocks` bits (include/net/sock.h): what the user fixed with bind(). */
export const SOCK_BINDADDR_LOCK = 4;
export const SOCK_BINDPORT_LOCK = 8;

/** `recvmsg`/`sendmsg` flags (include/linux/socket.h). */
export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;

/**
 * log2 of the slots of a namespace's port hash and 4-tuple hash (`udp_table`). Linux sizes the
 * table from memory (`net.ipv4.udp_hash_entries` is 16384 on the 24 GiB 6.18 machines we compare
 * with); ports sharing a slot are scanned together by the ephemeral port search.
 */
export const UDP_HTABLE_LOG = 14;

/**
 * `net.ipv4.udp_mem` (pages: below min no pressure, above max allocation fails). Linux computes it
 * at boot from `nr_free_buffer_pages() / 8`; these are the values of the 24 GiB 6.18 machines.
 */
export const UDP_MEM_DEFAULT: readonly number[] = [575799, 767734, 1151598];
export const PAGE_SIZE = 4096;

/** Sysctl names this package reads or registers. */
export const SYSCTL = {
  rmemDefault: 'net.core.rmem_default',
  rmemMax: 'net.core.rmem_max',
  wmemDefault: 'net.core.wmem_default',
  wmemMax: 'net.core.wmem_max',
  udpRmemMin: 'net.ipv4.udp_rmem_min',
  udpWmemMin: 'net.ipv4.udp_wmem_min',
  udpMem: 'net.ipv4.udp_mem',
  localPortRange: 'net.ipv4.ip_local_port_range',
} as const;
