/** `dev->flags` (include/uapi/linux/if.h), as `ip link` shows them. */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_DEBUG = 0x4;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_NOTRAILERS = 0x20;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MASTER = 0x400;
export const IFF_SLAVE = 0x800;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000;

/** `dev->priv_flags` we model (include/linux/netdevice.h). */
export const IFF_802_1Q_VLAN = 1 << 0;
export const IFF_EBRIDGE = 1 << 1;
export const IFF_BONDING = 1 << 5;
export const IFF_NO_QUEUE = 1 << 21;
export const IFF_LIVE_ADDR_CHANGE = 1 << 15;

/** ARPHRD_* link types (include/uapi/linux/if_arp.h). */
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_NONE = 0xfffe;

/** RFC 2863 operational state, as `ip link` prints it. */
export type OperState = 'UNKNOWN' | 'NOTPRESENT' | 'DOWN' | 'LOWERLAYERDOWN' | 'TESTING' | 'DORMANT' | 'UP';

/** `ndo_start_xmit` return values. */
export const NETDEV_TX_OK = 0x00;
export const NETDEV_TX_BUSY = 0x10;
/**
 * What `startXmit` returns: OK (taken), BUSY (not taken, retry after wake), or, like veth, a
 * NET_XMIT_DROP/NET_XMIT_CN code for a packet it took and dropped (the caller sees that code).
 */
export type NetdevTx = typeof NETDEV_TX_OK | typeof NETDEV_TX_BUSY | typeof NET_XMIT_DROP | typeof NET_XMIT_CN;

/** `dev_queue_xmit` / qdisc enqueue results (include/linux/netdevice.h). */
export const NET_XMIT_SUCCESS = 0x00;
export const NET_XMIT_DROP = 0x01;
export const NET_XMIT_CN = 0x02;

/** Receive results. */
export const NET_RX_SUCCESS = 0;
export const NET_RX_DROP = 1;

/** Name flags in the order `ip link` prints them inside `<...>`. */
export function formatIfFlags(flags: number): string {
  const names: string[] = [];
  if (flags & IFF_LOOPBACK) names.push('LOOPBACK');
  if (flags & IFF_BROADCAST) names.push('BROADCAST');
  if (flags & IFF_POINTOPOINT) names.push('POINTOPOINT');
  if (flags & IFF_MULTICAST) names.push('MULTICAST');
  if (flags & IFF_NOARP) names.push('NOARP');
  if (flags & IFF_ALLMULTI) names.push('ALLMULTI');
  if (flags & IFF_PROMISC) names.push('PROMISC');
  if (flags & IFF_MASTER) names.push('MASTER');
  if (flags & IFF_SLAVE) names.push('SLAVE');
  if (flags & IFF_DEBUG) names.push('DEBUG');
  if (flags & IFF_DORMANT) names.push('DORMANT');
  if (flags & IFF_UP) names.push('UP');
  if (flags & IFF_LOWER_UP) names.push('LOWER_UP');
  return names.join(',');
}
