/**
 * How iproute2 6.x prints a link (ip/ipaddress.c `print_linkinfo`, `print_link_flags`,
 * `print_link_stats64`): every value comes from the device, the qdisc and the namespaces.
 */
import {
  ARPHRD_ETHER,
  ARPHRD_LOOPBACK,
  ARPHRD_NONE,
  IFF_ALLMULTI,
  IFF_BROADCAST,
  IFF_DEBUG,
  IFF_DORMANT,
  IFF_LOOPBACK,
  IFF_LOWER_UP,
  IFF_MASTER,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_NOTRAILERS,
  IFF_POINTOPOINT,
  IFF_PROMISC,
  IFF_RUNNING,
  IFF_SLAVE,
  IFF_UP,
  formatMac,
  type NetDevice,
} from '@netstack/core';
import { vethPeer } from '@netstack/nic-drivers';
import type { Lab } from '../../lab/lab.js';

/** `print_link_flags`'s names in its order (include/uapi/linux/if.h values). */
const FLAG_NAMES: [number, string][] = [
  [IFF_LOOPBACK, 'LOOPBACK'],
  [IFF_BROADCAST, 'BROADCAST'],
  [IFF_POINTOPOINT, 'POINTOPOINT'],
  [IFF_MULTICAST, 'MULTICAST'],
  [IFF_NOARP, 'NOARP'],
  [IFF_ALLMULTI, 'ALLMULTI'],
  [IFF_PROMISC, 'PROMISC'],
  [IFF_MASTER, 'MASTER'],
  [IFF_SLAVE, 'SLAVE'],
  [IFF_DEBUG, 'DEBUG'],
  [0x4000, 'DYNAMIC'],
  [0x8000, 'AUTOMEDIA'],
  [0x2000, 'PORTSEL'],
  [IFF_NOTRAILERS, 'NOTRAILERS'],
  [IFF_UP, 'UP'],
  [IFF_LOWER_UP, 'LOWER_UP'],
  [IFF_DORMANT, 'DORMANT'],
  [0x40000, 'ECHO'],
];

/**
 * `dev->gflags`' IFF_PROMISC: the devices the user put in promiscuous mode (`ip link set promisc
 * on`). RTM_NEWLINK reports flags through dev_get_flags, where PROMISC comes from gflags only: a
 * bridge port, promiscuous for its bridge, does not show it.
 */
export const userPromisc = new WeakSet<NetDevice>();

/** The flags `ip link` shows for a device (dev_get_flags). */
export function shownFlags(dev: NetDevice): number {
  return (dev.flags & ~IFF_PROMISC) | (userPromisc.has(dev) ? IFF_PROMISC : 0);
}

/** `<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN>` as print_link_flags writes it (without the trailing blank). */
export function linkFlags(flags: number, mdown: boolean): string {
  let out = '<';
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) out += `NO-CARRIER${flags ? ',' : ''}`;
  let rest = flags & ~IFF_RUNNING;
  for (const [bit, name] of FLAG_NAMES) {
    if (rest & bit) {
      rest &= ~bit;
      out += name + (rest ? ',' : '');
    }
  }
  if (rest) out += rest.toString(16);
  if (mdown) out += ',M-DOWN';
  return out + '>';
}

/** What iproute2 learns from IFLA_LINK / IFLA_LINK_NETNSID: `@peer`, M-DOWN, `link-netns NAME`. */
export interface LinkPeer {
  /** `@if7` or `@eth0`, or '' when the device has no link. */
  suffix: string;
  mdown: boolean;
  /** The peer's namespace when it is another one. */
  netns: string | null;
}

export function linkPeer(dev: NetDevice): LinkPeer {
  if (dev.iflink === 0) return { suffix: '', mdown: false, netns: null };
  // A peer in another namespace always shows (its ifindex may equal ours); one here, unless it is us.
  const peer = dev.kind === 'veth' ? vethPeer(dev) : null;
  if (peer !== null && peer.net !== dev.net) return { suffix: `@if${dev.iflink}`, mdown: false, netns: peer.net.name };
  if (dev.iflink === dev.ifindex) return { suffix: '', mdown: false, netns: null };
  const link = dev.net.devByIndex(dev.iflink);
  if (link === undefined) return { suffix: `@if${dev.iflink}`, mdown: false, netns: null };
  return { suffix: `@${link.name}`, mdown: !link.isUp, netns: null };
}

/** The root qdisc `ip link` names: noop until the device was first opened, mq over several queues. */
export function qdiscName(dev: NetDevice): string {
  const kinds = dev.txQueues.map((q) => q.qdisc?.kind);
  if (kinds[0] === undefined) return 'noop';
  if (dev.txQueues.length > 1 && kinds[0] !== 'noqueue') return 'mq';
  return kinds[0];
}

function linkType(dev: NetDevice): string {
  switch (dev.type) {
    case ARPHRD_ETHER:
      return 'ether';
    case ARPHRD_LOOPBACK:
      return 'loopback';
    case ARPHRD_NONE:
      return 'none';
    default:
      return `[${dev.type}]`;
  }
}

/**
 * The first lines of a link as `ip link` (doLink) or `ip addr` prints them. With `family4`
 * (`ip -4 addr`) the link/ether line is left out and link-netns stays on the first line.
 */
export function linkLines(dev: NetDevice, opts: { doLink: boolean; family4?: boolean }): string {
  const peer = linkPeer(dev);
  let s = `${dev.ifindex}: ${dev.name}${peer.suffix}: ${linkFlags(shownFlags(dev), peer.mdown)} mtu ${dev.mtu} qdisc ${qdiscName(dev)} `;
  if (dev.master !== null) s += `master ${dev.master.name} `;
  s += `state ${dev.operState} `;
  if (opts.doLink) s += 'mode DEFAULT ';
  s += 'group default ';
  if (dev.txQueueLen !== 0) s += `qlen ${dev.txQueueLen}`;
  if (opts.family4 !== true) {
    s += '\n    link/' + linkType(dev);
    if (dev.type !== ARPHRD_NONE) s += ` ${formatMac(dev.addr)} brd ${formatMac(dev.broadcast)}`;
  }
  if (peer.netns !== null) s += ` link-netns ${peer.netns}`;
  return s + '\n';
}

/** `ip -br link`: name, state, address, flags. */
export function briefLink(dev: NetDevice): string {
  const peer = linkPeer(dev);
  const addr = dev.type === ARPHRD_NONE ? '' : `${formatMac(dev.addr)} `;
  return `${(dev.name + peer.suffix).padEnd(16)} ${dev.operState.padEnd(14)} ${addr}${linkFlags(shownFlags(dev), peer.mdown)} \n`;
}

/** `ip -br addr`'s first two columns. */
export function briefName(dev: NetDevice): string {
  return `${(dev.name + linkPeer(dev).suffix).padEnd(16)} ${dev.operState.padEnd(14)} `;
}

/**
 * `print_link_stats64` (iproute2 6.x): column widths grow to fit the numbers (`size_columns`),
 * `-s -s` adds the error rows; `transns` is IFLA_CARRIER_CHANGES.
 */
export function statsLines(dev: NetDevice, lab: Lab, level: number): string {
  const s = dev.stats;
  const carrierChanges = lab.carrierChanges(dev);
  // strlen("*X errors:"), "packets", "errors", "dropped", "heartbt", "overrun", "compressed", "otherhost"
  const cols = [10, 7, 6, 7, 7, 7, 10, 9];
  const size = (...values: number[]): void => {
    values.forEach((v, i) => {
      const len = String(v).length;
      if (len > cols[i]!) cols[i] = len;
    });
  };
  size(s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, s.rx_missed_errors, s.multicast, s.rx_compressed);
  if (level > 1) size(0, s.rx_length_errors, s.rx_crc_errors, s.rx_frame_errors, s.rx_fifo_errors, s.rx_over_errors, s.rx_nohandler, s.rx_otherhost_dropped);
  size(s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_carrier_errors, s.collisions, s.tx_compressed);
  if (level > 1) size(0, s.tx_aborted_errors, s.tx_fifo_errors, s.tx_window_errors, s.tx_heartbeat_errors, carrierChanges);
  const w = (i: number, text: string): string => text.padStart(cols[i]!);
  const num = (i: number, v: number): string => `${String(v).padStart(cols[i]!)} `;
  let out = '';
  out += `    RX: ${'bytes'.padStart(cols[0]! - 4)} ${w(1, 'packets')} ${w(2, 'errors')} ${w(3, 'dropped')} ${w(4, 'missed')} ${w(5, 'mcast')} ${w(6, s.rx_compressed ? 'compressed' : '')}\n`;
  out += `    ${num(0, s.rx_bytes)}${num(1, s.rx_packets)}${num(2, s.rx_errors)}${num(3, s.rx_dropped)}${num(4, s.rx_missed_errors)}${num(5, s.multicast)}`;
  if (s.rx_compressed) out += num(6, s.rx_compressed);
  if (level > 1) {
    out += '\n';
    out += `    RX errors:${''.padStart(cols[0]! - 10)} ${w(1, 'length')} ${w(2, 'crc')} ${w(3, 'frame')} ${w(4, 'fifo')} ${w(5, 'overrun')}`;
    if (s.rx_nohandler) out += ' nohandler'.padStart(cols[6]! + 1);
    if (s.rx_otherhost_dropped) out += ' otherhost'.padStart(cols[7]! + 1);
    out += '\n';
    out += ''.padStart(cols[0]! + 5);
    out += `${num(1, s.rx_length_errors)}${num(2, s.rx_crc_errors)}${num(3, s.rx_frame_errors)}${num(4, s.rx_fifo_errors)}${num(5, s.rx_over_errors)}`;
    if (s.rx_nohandler) out += num(6, s.rx_nohandler);
    if (s.rx_otherhost_dropped) out += num(7, s.rx_otherhost_dropped);
  }
  out += '\n';
  out += `    TX: ${'bytes'.padStart(cols[0]! - 4)} ${w(1, 'packets')} ${w(2, 'errors')} ${w(3, 'dropped')} ${w(4, 'carrier')} ${w(5, 'collsns')} ${w(6, s.tx_compressed ? 'compressed' : '')}\n`;
  out += `    ${num(0, s.tx_bytes)}${num(1, s.tx_packets)}${num(2, s.tx_errors)}${num(3, s.tx_dropped)}${num(4, s.tx_carrier_errors)}${num(5, s.collisions)}`;
  if (s.tx_compressed) out += num(6, s.tx_compressed);
  if (level > 1) {
    out += '\n';
    out += `    TX errors:${''.padStart(cols[0]! - 10)} ${w(1, 'aborted')} ${w(2, 'fifo')} ${w(3, 'window')} ${w(4, 'heartbt')} ${w(5, 'transns')}\n`;
    out += ''.padStart(cols[0]! + 5);
    out += `${num(1, s.tx_aborted_errors)}${num(2, s.tx_fifo_errors)}${num(3, s.tx_window_errors)}${num(4, s.tx_heartbeat_errors)}${num(5, carrierChanges)}`;
  }
  return out + '\n';
}
