import {
  CHECKSUM_UNNECESSARY,
  DropReason,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  consumeSkb,
  internetChecksum,
  kfreeSkb,
  type IcmpErrorInfo,
  type NetworkProtocol,
  type SkBuff,
} from '@netstack/core';
import { RTN_BROADCAST } from '../fib/types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { RTCF_BROADCAST, RTCF_MULTICAST, type Rtable } from '../route/rtable.js';
import {
  ICMP_ADDRESS,
  ICMP_ADDRESSREPLY,
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_EXC_FRAGTIME,
  ICMP_EXT_ECHO,
  ICMP_FRAG_NEEDED,
  ICMP_HLEN,
  ICMP_PARAMETERPROB,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
  ICMP_TIMESTAMP,
  ICMP_TIMESTAMPREPLY,
  ICMP_TIME_EXCEEDED,
  NR_ICMP_TYPES,
  NR_ICMP_UNREACH,
  icmpErrConvert,
} from '../wire/icmp.js';
import { ICMP_IN_SLOT_BY_TYPE, ICMP_MIB_CSUMERRORS, ICMP_MIB_INERRORS, ICMP_MIB_INMSGS } from './icmp-mib.js';

/** ms in a day: the range of an ICMP timestamp (RFC 792: milliseconds since midnight UT). */
const MS_PER_DAY = 86_400_000;

/**
 * Receiving ICMP (`icmp_rcv` and its handlers, net/ipv4/icmp.c): checksum, counters per type,
 * echo and timestamp answered, errors handed to the transport that sent the quoted packet
 * (`icmp_socket_deliver` → its `errHandler`), "fragmentation needed" lowering the path MTU,
 * echo replies to the ping socket of their identifier.
 */
export class IcmpRcv {
  /** Reused for every error handed to a transport. */
  private readonly info: IcmpErrorInfo = {
    type: 0,
    code: 0,
    info: 0,
    errno: 'EHOSTUNREACH',
    fatal: false,
    quotedNetworkHeader: 0,
    quotedTransportHeader: 0,
    quotedTransportLen: 0,
  };
  private readonly times = new Uint8Array(12);

  constructor(private readonly stack: Ipv4Stack) {}

  /** The InetProtocol handler: `skb.data` at the ICMP header. */
  rcv(skb: SkBuff, _l3: NetworkProtocol): number {
    const stack = this.stack;
    const icmp = stack.icmpMib.values;
    const rt = skb.dst as Rtable;
    icmp[ICMP_MIB_INMSGS]!++;
    const b = skb.buf;
    const at = skb.data;
    // skb_checksum_simple_validate: a looped-back packet is trusted.
    if (skb.ipSummed !== CHECKSUM_UNNECESSARY && internetChecksum(b, at, skb.len) !== 0) {
      icmp[ICMP_MIB_CSUMERRORS]!++;
      return this.error(skb, DropReason.ICMP_CSUM);
    }
    if (skb.len < ICMP_HLEN) return this.error(skb, DropReason.NOT_SPECIFIED);
    const type = b[at]!;
    stack.icmpMsgMib.values[type]!++;
    const slot = ICMP_IN_SLOT_BY_TYPE[type]!;
    if (slot >= 0) icmp[slot]!++;
    // PROBE (RFC 8335): answered only with icmp_echo_enable_probe, which is off.
    if (type === ICMP_EXT_ECHO) return this.consume(skb);
    // RFC 1122 3.2.2: unknown types are silently discarded.
    if (type > NR_ICMP_TYPES) return this.error(skb, DropReason.UNHANDLED_PROTO);
    if ((rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) !== 0) {
      // RFC 1122 3.2.2.6 / 3.2.2.8: echo and timestamp to a broadcast may be ignored (the sysctl says so).
      if ((type === ICMP_ECHO || type === ICMP_TIMESTAMP) && stack.conf.icmpEchoIgnoreBroadcasts !== 0) return this.error(skb, DropReason.INVALID_PROTO);
      if (type !== ICMP_ECHO && type !== ICMP_TIMESTAMP && type !== ICMP_ADDRESS && type !== ICMP_ADDRESSREPLY) return this.error(skb, DropReason.INVALID_PROTO);
    }
    skb.pull(ICMP_HLEN);
    let reason = 0;
    switch (type) {
      case ICMP_ECHOREPLY:
        reason = this.pingRcv(skb, at);
        break;
      case ICMP_ECHO:
        this.echo(skb, at);
        break;
      case ICMP_DEST_UNREACH:
      case ICMP_SOURCE_QUENCH:
      case ICMP_TIME_EXCEEDED:
      case ICMP_PARAMETERPROB:
        reason = this.unreach(skb, at, type);
        break;
      case ICMP_REDIRECT:
        reason = this.redirect(skb, at);
        break;
      case ICMP_TIMESTAMP:
        reason = this.timestamp(skb, at);
        break;
      default:
        // icmp_discard
        break;
    }
    if (reason !== 0) {
      kfreeSkb(skb, reason as DropReason);
      return NET_RX_DROP;
    }
    return this.consume(skb);
  }

  private consume(skb: SkBuff): number {
    consumeSkb(skb);
    return NET_RX_SUCCESS;
  }

  private error(skb: SkBuff, reason: DropReason): number {
    this.stack.icmpMib.values[ICMP_MIB_INERRORS]!++;
    kfreeSkb(skb, reason);
    return NET_RX_DROP;
  }

  /** `icmp_echo`: the reply copies id, sequence, code and data (icmp_echo_ignore_all: consumed unanswered). */
  private echo(skb: SkBuff, at: number): void {
    const stack = this.stack;
    if (stack.conf.icmpEchoIgnoreAll !== 0) return;
    const b = skb.buf;
    const rest = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
    stack.icmpSender.reply(skb, ICMP_ECHOREPLY, b[at + 1]!, rest, b, skb.data, skb.len);
  }

  /** `icmp_timestamp`: originate copied, receive and transmit the time of day in ms. */
  private timestamp(skb: SkBuff, at: number): number {
    const stack = this.stack;
    if (skb.len < 4) {
      stack.icmpMib.values[ICMP_MIB_INERRORS]!++;
      return DropReason.PKT_TOO_SMALL;
    }
    const b = skb.buf;
    const t = this.times;
    for (let i = 0; i < 4; i++) t[i] = b[skb.data + i]!;
    // inet_current_timestamp: the scheduler's clock stands in for the time of day.
    const ms = Math.floor(stack.now() / 1_000_000) % MS_PER_DAY;
    t[4] = t[8] = ms >>> 24;
    t[5] = t[9] = (ms >>> 16) & 0xff;
    t[6] = t[10] = (ms >>> 8) & 0xff;
    t[7] = t[11] = ms & 0xff;
    const rest = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
    stack.icmpSender.reply(skb, ICMP_TIMESTAMPREPLY, 0, rest, t, 0, 12);
    return 0;
  }

  /** `ping_rcv`: the ping socket bound to the reply's identifier, else NO_SOCKET. */
  private pingRcv(skb: SkBuff, at: number): number {
    const id = (skb.buf[at + 4]! << 8) | skb.buf[at + 5]!;
    const sock = this.stack.pingSockets.lookup(id);
    if (sock === undefined) return DropReason.NO_SOCKET;
    skb.push(ICMP_HLEN);
    sock.echoReply(skb);
    return 0;
  }

  /** `icmp_unreach`. */
  private unreach(skb: SkBuff, at: number, type: number): number {
    const stack = this.stack;
    const b = skb.buf;
    if (skb.len < 20) {
      stack.icmpMib.values[ICMP_MIB_INERRORS]!++;
      return DropReason.NOT_SPECIFIED;
    }
    const q = skb.data;
    if ((b[q]! & 0x0f) < 5) {
      stack.icmpMib.values[ICMP_MIB_INERRORS]!++;
      return DropReason.IP_INHDR;
    }
    const code = b[at + 1]!;
    let info = 0;
    if (type === ICMP_DEST_UNREACH) {
      if ((code & 15) === ICMP_FRAG_NEEDED) {
        // ip_no_pmtu_disc 0: use the MTU; 2: ignore the message; 3: only for protocols that validate it (not modelled: ignored).
        const mode = stack.conf.noPmtuDisc;
        if (mode === 2 || mode === 3) return 0;
        if (mode === 0) info = (b[at + 6]! << 8) | b[at + 7]!;
      }
      if (code > NR_ICMP_UNREACH) return 0;
    } else if (type === ICMP_PARAMETERPROB) {
      info = b[at + 4]!;
    } else if (type === ICMP_TIME_EXCEEDED && code === ICMP_EXC_FRAGTIME) {
      return 0;
    }
    const qdaddr = ((b[q + 16]! << 24) | (b[q + 17]! << 16) | (b[q + 18]! << 8) | b[q + 19]!) >>> 0;
    // RFC 1122: errors about a broadcast are bogus (icmp_ignore_bogus_error_responses 0 drops them too;
    // the kernel only skips the warning otherwise).
    if (stack.conf.icmpIgnoreBogusErrorResponses === 0 && stack.addrType(qdaddr, skb.dev) === RTN_BROADCAST) return 0;
    return this.socketDeliver(skb, at, type, code, info);
  }

  /** `icmp_redirect`: the route update, then the transports (which ignore it, or report it like ping). */
  private redirect(skb: SkBuff, at: number): number {
    if (skb.len < 20) {
      this.stack.icmpMib.values[ICMP_MIB_INERRORS]!++;
      return DropReason.PKT_TOO_SMALL;
    }
    const b = skb.buf;
    const gw = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
    return this.socketDeliver(skb, at, ICMP_REDIRECT, b[at + 1]!, gw);
  }

  /**
   * `icmp_socket_deliver`: the quoted header and 8 bytes of its transport must be there; the
   * path MTU is lowered for "fragmentation needed" and a redirect taken (the kernel's transports
   * do both for their sockets; here the L3 does it for all of them); then the transport
   * registered for the quoted protocol gets the error.
   */
  private socketDeliver(skb: SkBuff, at: number, type: number, code: number, info: number): number {
    const stack = this.stack;
    const b = skb.buf;
    const q = skb.data;
    const qihl = (b[q]! & 0x0f) << 2;
    if (skb.len < qihl + 8) {
      stack.icmpMib.values[ICMP_MIB_INERRORS]!++;
      return DropReason.PKT_TOO_SMALL;
    }
    const protocol = b[q + 9]!;
    const qsaddr = ((b[q + 12]! << 24) | (b[q + 13]! << 16) | (b[q + 14]! << 8) | b[q + 15]!) >>> 0;
    const qdaddr = ((b[q + 16]! << 24) | (b[q + 17]! << 16) | (b[q + 18]! << 8) | b[q + 19]!) >>> 0;
    if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED && stack.conf.noPmtuDisc === 0) {
      stack.pmtu.update(qdaddr, qsaddr, b[q + 1]!, protocol, 0, info);
    } else if (type === ICMP_REDIRECT) {
      const nh = skb.networkHeader;
      const from = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
      stack.redirects.apply(skb.dev!, from, info, code, qdaddr, qsaddr, b[q + 1]!, protocol);
    }
    const conv = icmpErrConvert(type, code);
    const e = this.info;
    e.type = type;
    e.code = code;
    e.info = info;
    // Redirect and source quench carry no errno of their own: transports ignore them or, like
    // ping, report them as they please.
    e.errno = conv === null ? 'EHOSTUNREACH' : conv.code;
    e.fatal = conv !== null && conv.fatal;
    e.quotedNetworkHeader = q;
    e.quotedTransportHeader = q + qihl;
    e.quotedTransportLen = skb.len - qihl;
    void at;
    const ipprot = stack.ns.inet.protocols[protocol];
    if (ipprot !== null && ipprot !== undefined) ipprot.errHandler(skb, e, stack.l3);
    return 0;
  }

  /**
   * `icmp_err` (ICMP's own errHandler): an error quoting one of our echo requests goes to the
   * ping socket of its identifier (`ping_err`).
   */
  err(skb: SkBuff, info: IcmpErrorInfo): void {
    const b = skb.buf;
    const t = info.quotedTransportHeader;
    if (b[t] !== ICMP_ECHO) return;
    const sock = this.stack.pingSockets.lookup((b[t + 4]! << 8) | b[t + 5]!);
    if (sock !== undefined) sock.error(skb, info);
  }
}
