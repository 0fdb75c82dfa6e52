/**
 * The CLI's one door to the IPv4 stack of a namespace (`@netstack/ipv4`, loaded with the lab).
 * Also the names iproute2 gives to scopes, tables, protocols and route types.
 */
import type { NetNamespace } from '@netstack/core';
import type { Ipv4Stack } from '@netstack/ipv4';
import type { Lab } from '../lab/lab.js';
import { ToolExit } from './io.js';

/** The namespace's IPv4 stack, or null without the ipv4 plugin. */
export function ipv4Of(lab: Lab, ns: NetNamespace): Ipv4Stack | null {
  if (lab.modules.ipv4 === null || !ns.hasPlugin('ipv4')) return null;
  return lab.modules.ipv4.getIpv4(ns);
}

/** The stack, or the error a command that needs IPv4 ends with. */
export function needIpv4(lab: Lab, ns: NetNamespace, what: string): Ipv4Stack {
  const stack = ipv4Of(lab, ns);
  if (stack === null) throw new ToolExit(2, `netstack: ${what}: namespace "${ns.name}" has no ipv4 plugin (add ipv4 to its plugins in the lab file)`);
  return stack;
}

/** rtnl_rtscope_n2a. */
export function scopeName(scope: number): string {
  switch (scope) {
    case 0:
      return 'global';
    case 200:
      return 'site';
    case 253:
      return 'link';
    case 254:
      return 'host';
    case 255:
      return 'nowhere';
    default:
      return String(scope);
  }
}

/** rtnl_rtscope_a2n: null when invalid. */
export function scopeNumber(text: string): number | null {
  const named: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
  if (text in named) return named[text]!;
  return /^[0-9]+$/.test(text) && Number(text) <= 255 ? Number(text) : null;
}

/** rtnl_rttable_n2a. */
export function tableName(id: number): string {
  switch (id) {
    case 253:
      return 'default';
    case 254:
      return 'main';
    case 255:
      return 'local';
    default:
      return String(id);
  }
}

/** rtnl_rttable_a2n: `all` is 0 (every table); null when invalid. */
export function tableNumber(text: string): number | null {
  const named: Record<string, number> = { default: 253, main: 254, local: 255, all: 0, unspec: 0 };
  if (text in named) return named[text]!;
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffff_ffff ? n : null;
}

/** rtnl_rtprot_n2a (/etc/iproute2/rt_protos as shipped). */
const PROTOS: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

export function protoName(p: number): string {
  return PROTOS[p] ?? String(p);
}

export function protoNumber(text: string): number | null {
  for (const [n, name] of Object.entries(PROTOS)) if (name === text) return Number(n);
  return /^[0-9]+$/.test(text) && Number(text) <= 255 ? Number(text) : null;
}

/** IP protocol names for `ip rule ... ipproto` (/etc/protocols). */
const IPPROTOS: Record<number, string> = { 1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 132: 'sctp' };

export function ipprotoName(p: number): string {
  return IPPROTOS[p] ?? `ipproto-${p}`;
}

export function ipprotoNumber(text: string): number | null {
  for (const [n, name] of Object.entries(IPPROTOS)) if (name === text) return Number(n);
  return /^[0-9]+$/.test(text) && Number(text) <= 255 ? Number(text) : null;
}
