/**
 * The REJECT target's replies (net/ipv4/netfilter/ipt_REJECT.c, nf_reject_ipv4.c): the
 * `--reject-with` types, and `nf_send_unreach`'s rule for when an ICMP error may be sent at
 * all. The ICMP itself is sent by the IP core's `icmp_send`, injected into the firewall.
 */
import { CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY, IPPROTO_TCP, IPPROTO_UDP, internetChecksum, readU16, readU32, type SkBuff } from '@netstack/core';
import {
  ICMP_HOST_ANO,
  ICMP_HOST_UNREACH,
  ICMP_NET_ANO,
  ICMP_NET_UNREACH,
  ICMP_PKT_FILTERED,
  ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH,
} from '../wire/icmp.js';
import { ipv4PseudoHeaderSum } from '../wire/ipv4.js';

/** Sends an ICMP error about `skb` (the IP core's `icmp_send`); `skb` stays the caller's. */
export type RejectFn = (skb: SkBuff, type: number, code: number) => void;
/** Sends a TCP RST answering `skb` (`nf_send_reset`); `skb` stays the caller's. */
export type TcpResetFn = (skb: SkBuff, hook: number) => void;

export interface RejectType {
  readonly name: string;
  readonly alias: string;
  /** ICMP_DEST_UNREACH code, -1 for tcp-reset. */
  readonly code: number;
}

/** In `enum ipt_reject_with` order, without the deprecated echo-reply. */
export const REJECT_TYPES: readonly RejectType[] = [
  { name: 'icmp-net-unreachable', alias: 'net-unreach', code: ICMP_NET_UNREACH },
  { name: 'icmp-host-unreachable', alias: 'host-unreach', code: ICMP_HOST_UNREACH },
  { name: 'icmp-proto-unreachable', alias: 'proto-unreach', code: ICMP_PROT_UNREACH },
  { name: 'icmp-port-unreachable', alias: 'port-unreach', code: ICMP_PORT_UNREACH },
  { name: 'icmp-net-prohibited', alias: 'net-prohib', code: ICMP_NET_ANO },
  { name: 'icmp-host-prohibited', alias: 'host-prohib', code: ICMP_HOST_ANO },
  { name: 'tcp-reset', alias: 'tcp-rst', code: -1 },
  { name: 'icmp-admin-prohibited', alias: 'admin-prohib', code: ICMP_PKT_FILTERED },
];

/** The default, `icmp-port-unreachable`. */
export const REJECT_DEFAULT = 3;
export const REJECT_TCP_RESET = 6;

/**
 * Index of a `--reject-with` argument: as libipt_REJECT, the first type whose name or alias
 * starts with the argument, ignoring case. -1 when none does.
 */
export function findRejectType(arg: string): number {
  const a = arg.toLowerCase();
  if (a.length === 0) return -1;
  for (let i = 0; i < REJECT_TYPES.length; i++) {
    const r = REJECT_TYPES[i]!;
    if (r.name.startsWith(a) || r.alias.startsWith(a)) return i;
  }
  return -1;
}

/**
 * `nf_send_unreach`'s checks before `icmp_send`: never about a non-first fragment, and for
 * TCP and UDP only when the transport checksum is right (a UDP checksum of 0 is "none").
 * As `skb_csum_unnecessary`, a packet whose checksum is still to be filled in by the device
 * (CHECKSUM_PARTIAL: sent by this host, or by a neighbour over veth) needs no check: its
 * checksum field holds only the pseudo-header sum until then.
 * `off` is the IPv4 header in `skb.buf`, `thoff` the transport header.
 */
export function rejectMaySendUnreach(skb: SkBuff, off: number, thoff: number): boolean {
  const buf = skb.buf;
  if ((readU16(buf, off + 6) & 0x1fff) !== 0) return false;
  const proto = buf[off + 9]!;
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return true;
  if (skb.ipSummed === CHECKSUM_UNNECESSARY) return true;
  if (skb.ipSummed === CHECKSUM_PARTIAL && skb.csumStart >= skb.data) return true;
  const len = skb.data + skb.len - thoff;
  if (proto === IPPROTO_UDP) {
    if (len < 8) return false;
    if (readU16(buf, thoff + 6) === 0) return true;
  } else if (len < 20) {
    return false;
  }
  const pseudo = ipv4PseudoHeaderSum(readU32(buf, off + 12), readU32(buf, off + 16), proto, len);
  return internetChecksum(buf, thoff, len, pseudo) === 0;
}
