/**
 * Turning trace records and counters into text: names for numbers (drop reasons, rx_handler
 * results, xmit codes, ethertypes), each derived from core's exported constants, and aligned
 * tables. Nothing here decides what happened; it only names what was recorded.
 */
import {
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_ALL,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  ETH_P_LLDP,
  NET_XMIT_CN,
  NET_XMIT_DROP,
  NET_XMIT_SUCCESS,
  RxHandlerResult,
  TC_ACT_OK,
  TC_ACT_REDIRECT,
  TC_ACT_SHOT,
  TC_ACT_STOLEN,
  XMIT_ENETDOWN,
  dropReasonName,
} from '@netstack/core';

/** `enum rx_handler_result` names, from core's RxHandlerResult (`Pass` → `RX_HANDLER_PASS`). */
const RX_HANDLER_NAMES = new Map<number, string>(Object.entries(RxHandlerResult).map(([k, v]) => [v, `RX_HANDLER_${k.toUpperCase()}`]));

export function rxHandlerResultName(result: number): string {
  return RX_HANDLER_NAMES.get(result) ?? `rx_handler result ${result}`;
}

const XMIT_NAMES = new Map<number, string>([
  [NET_XMIT_SUCCESS, 'NET_XMIT_SUCCESS'],
  [NET_XMIT_DROP, 'NET_XMIT_DROP'],
  [NET_XMIT_CN, 'NET_XMIT_CN'],
  [XMIT_ENETDOWN, '-ENETDOWN'],
]);

export function xmitResultName(rc: number): string {
  return XMIT_NAMES.get(rc) ?? String(rc);
}

const TC_NAMES = new Map<number, string>([
  [TC_ACT_OK, 'TC_ACT_OK'],
  [TC_ACT_SHOT, 'TC_ACT_SHOT'],
  [TC_ACT_STOLEN, 'TC_ACT_STOLEN'],
  [TC_ACT_REDIRECT, 'TC_ACT_REDIRECT'],
]);

export function tcActName(verdict: number): string {
  return TC_NAMES.get(verdict) ?? `tc verdict ${verdict}`;
}

/** Ethertype names as tcpdump prints them (`ethertype IPv4 (0x0800)`); others are "Unknown". */
const ETHERTYPE_NAMES = new Map<number, string>([
  [ETH_P_IP, 'IPv4'],
  [ETH_P_ARP, 'ARP'],
  [ETH_P_IPV6, 'IPv6'],
  [ETH_P_8021Q, '802.1Q'],
  [ETH_P_8021AD, '802.1Q-QinQ'],
  [ETH_P_LLDP, 'LLDP'],
]);

export function hex4(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(4, '0');
}

export function ethertypeName(type: number): string {
  return ETHERTYPE_NAMES.get(type) ?? 'Unknown';
}

/** How a packet_type registration's type reads: ETH_P_ALL for taps, else the ethertype. */
export function ptypeName(type: number): string {
  return type === ETH_P_ALL ? `ETH_P_ALL (${hex4(type)})` : `ethertype ${hex4(type)}`;
}

export { dropReasonName };

/** Virtual nanoseconds as microseconds with three decimals. */
export function usec(ns: number): string {
  return (ns / 1000).toFixed(3);
}

/** Virtual nanoseconds as tcpdump -tt seconds (`0.001000`). */
export function tcpdumpTime(ns: number): string {
  return (Math.floor(ns / 1000) / 1e6).toFixed(6);
}

export type Align = 'l' | 'r';

/**
 * Rows as aligned columns separated by two spaces, each line prefixed by `indent`. The last
 * column is never padded (no trailing blanks).
 */
export function table(rows: readonly (readonly string[])[], align: readonly Align[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      const last = i === row.length - 1;
      if ((align[i] ?? 'l') === 'r') return cell.padStart(widths[i]!);
      return last ? cell : cell.padEnd(widths[i]!);
    });
    return (indent + cells.join('  ')).trimEnd();
  });
}
