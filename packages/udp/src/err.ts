/**
 * ICMP errors about datagrams we sent (`__udp4_lib_err`, `__udp6_lib_err`). RFC 1122 4.1.3.3:
 * UDP must pass ICMP errors up to the application. Linux does so, without IP_RECVERR, only for
 * "hard" errors on connected sockets: the error becomes `sk_err` and the next send or receive
 * fails with it (ECONNREFUSED after a port unreachable). Errors for unconnected sockets, and
 * soft errors (time exceeded, ...), are not reported.
 */
import { AF_INET, readU16, type ErrnoCode, type IcmpErrorInfo, type NetworkProtocol, type SkBuff } from '@netstack/core';
import type { UdpNet } from './udp-net.js';

/** ICMP (RFC 792) and ICMPv6 (RFC 4443) types UDP treats specially. */
const ICMP_DEST_UNREACH = 3;
const ICMP_SOURCE_QUENCH = 4;
const ICMP_REDIRECT = 5;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_PARAMETERPROB = 12;
const ICMP_FRAG_NEEDED = 4;
const ICMPV6_PKT_TOOBIG = 2;
const NDISC_REDIRECT = 137;

/**
 * The errno a UDP socket gets for an ICMP error, or null when UDP ignores it (source quench,
 * redirect). IPv4 as `__udp4_lib_err`'s switch; IPv6 trusts the L3's conversion
 * (`icmpv6_err_convert`) except "packet too big" (EMSGSIZE for a socket doing PMTU discovery,
 * the default). Allocation-free: this runs per ICMP error.
 */
export function udpErrno(family: number, info: IcmpErrorInfo): ErrnoCode | null {
  if (family === AF_INET) {
    switch (info.type) {
      case ICMP_SOURCE_QUENCH:
      case ICMP_REDIRECT:
        return null;
      case ICMP_TIME_EXCEEDED:
        return 'EHOSTUNREACH';
      case ICMP_PARAMETERPROB:
        return 'EPROTO';
      case ICMP_DEST_UNREACH:
        // Fragmentation needed: the L3 updated the PMTU; with IP_PMTUDISC_WANT it is EMSGSIZE.
        return info.code === ICMP_FRAG_NEEDED ? 'EMSGSIZE' : info.errno;
      default:
        return 'EHOSTUNREACH';
    }
  }
  if (info.type === NDISC_REDIRECT) return null;
  return info.type === ICMPV6_PKT_TOOBIG ? 'EMSGSIZE' : info.errno;
}

/** The error is "hard" (`harderr`): reported to a connected socket even without IP_RECVERR. */
export function udpErrIsHard(family: number, info: IcmpErrorInfo): boolean {
  if (family === AF_INET) {
    if (info.type === ICMP_PARAMETERPROB) return true;
    if (info.type !== ICMP_DEST_UNREACH) return false;
    return info.code === ICMP_FRAG_NEEDED || info.fatal;
  }
  return info.type === ICMPV6_PKT_TOOBIG || info.fatal;
}

/** Both answers at once (tests, diagnostics; allocates). */
export function udpErrnoOf(family: number, info: IcmpErrorInfo): { errno: ErrnoCode; hard: boolean } | null {
  const errno = udpErrno(family, info);
  return errno === null ? null : { errno, hard: udpErrIsHard(family, info) };
}

/**
 * Find the socket that sent the quoted datagram (the lookup of a reply: quoted destination as
 * source, quoted source as destination) and record the error on it when Linux would.
 */
export function udpErr(net: UdpNet, skb: SkBuff, info: IcmpErrorInfo, l3: NetworkProtocol): void {
  if (info.quotedTransportLen < 4) return;
  const local = net.errScratch[0]!;
  const remote = net.errScratch[1]!;
  // The L3 reads addresses at `skb.networkHeader`: point it at the quoted header for the call.
  const nh = skb.networkHeader;
  skb.networkHeader = info.quotedNetworkHeader;
  l3.saddr(skb, local);
  l3.daddr(skb, remote);
  skb.networkHeader = nh;
  const th = info.quotedTransportHeader;
  const lport = readU16(skb.buf, th);
  const rport = readU16(skb.buf, th + 2);
  const sk = net.table.lookup(l3.family, l3.addrWords, remote, rport, local, lport, skb.dev?.ifindex ?? 0);
  if (sk === null) return;
  const errno = udpErrno(l3.family, info);
  if (errno === null) return;
  // Without IP_RECVERR: only hard errors, and only on a connected socket.
  if (!udpErrIsHard(l3.family, info) || !sk.connected) return;
  sk.reportError(errno);
}
