import { IFF_LOOPBACK, IPPROTO_ICMP, PACKET_HOST, internetChecksum, type SkBuff } from '@netstack/core';
import { RT_SCOPE_LINK } from '../fib/types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { IP_PMTUDISC_DONT } from '../ip/ip-output.js';
import { CB_IP_IIF } from '../ip/ipcb.js';
import { selectAddr } from '../devinet/select-addr.js';
import { Flowi4 } from '../route/flowi4.js';
import { RTCF_BROADCAST, RTCF_LOCAL, RTCF_MULTICAST, Rtable, rtMtu } from '../route/rtable.js';
import { ICMP_HLEN, NR_ICMP_TYPES, icmpTypeBlocksErrorReply } from '../wire/icmp.js';
import { ipv4IsLbcast, ipv4IsMulticast, ipv4IsZeronet } from '../wire/inet-addr.js';
import { ICMPMSG_OUT_BASE, ICMP_MIB_OUTMSGS, ICMP_OUT_SLOT_BY_TYPE } from './icmp-mib.js';
import { IcmpRatelimit } from './icmp-ratelimit.js';

/** 192.0.0.8 (RFC 7600): the source of last resort for an ICMP error when no address fits. */
const INADDR_DUMMY = 0xc0000008;
/** RFC 1812 4.3.2.3: an error carries as much of the offending packet as fits in 576 bytes. */
const ICMP_ERROR_MAX = 576;
const IPTOS_TOS_MASK = 0x1e;
const IPTOS_PREC_INTERNETCONTROL = 0xc0;
/** Room for a link header in front of what we build. */
const HEADROOM = 64;

/**
 * Sending ICMP (net/ipv4/icmp.c): errors about a received or sent packet (`__icmp_send`) and
 * replies (`icmp_reply`), through the rate limits, routed like any locally generated datagram
 * (the ICMP socket does no PMTU discovery: no DF). Nothing here throws; a message that may not
 * or cannot be sent is silently not sent, as in the kernel.
 */
export class IcmpSender {
  readonly ratelimit: IcmpRatelimit;
  private readonly fl = new Flowi4();

  constructor(private readonly stack: Ipv4Stack) {
    this.ratelimit = new IcmpRatelimit(stack);
  }

  /** `__icmp_send`: an ICMP error about `skbIn` (its IP header at `networkHeader`); `skbIn` stays the caller's. */
  sendError(skbIn: SkBuff, type: number, code: number, info: number): void {
    const stack = this.stack;
    const rt = skbIn.dst;
    if (!(rt instanceof Rtable)) return;
    const nh = skbIn.networkHeader;
    if (nh < skbIn.head || nh + 20 > skbIn.tail) return;
    // No replies to physical multicast/broadcast, nor to IP broadcast/multicast.
    if (skbIn.pktType !== PACKET_HOST) return;
    if ((rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST)) !== 0) return;
    const b = skbIn.buf;
    // Only about fragment 0.
    if ((((b[nh + 6]! << 8) | b[nh + 7]!) & 0x1fff) !== 0) return;
    const ihl = (b[nh]! & 0x0f) << 2;
    const isError = icmpTypeBlocksErrorReply(type) && type <= NR_ICMP_TYPES;
    if (isError && b[nh + 9] === IPPROTO_ICMP) {
      // Never an error about an ICMP error (RFC 1122 3.2.2); unknown types count as errors.
      if (nh + ihl + 1 > skbIn.tail) return;
      if (icmpTypeBlocksErrorReply(b[nh + ihl]!)) return;
    }
    const isaddr = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    const idaddr = ((b[nh + 16]! << 24) | (b[nh + 17]! << 16) | (b[nh + 18]! << 8) | b[nh + 19]!) >>> 0;
    // RFC 1812 4.3.2.7: never to an address that does not name one host.
    if (ipv4IsZeronet(isaddr) || ipv4IsLbcast(isaddr) || ipv4IsMulticast(isaddr)) return;
    // The global bucket, except for what came in through loopback.
    const inLoopback = skbIn.dev !== null && (skbIn.dev.flags & IFF_LOOPBACK) !== 0;
    if (!inLoopback && !this.ratelimit.globalAllow(type, code)) return;
    if (inLoopback) this.ratelimit.applyRatelimit = false;

    // The source: the address the packet was sent to when it was ours, else what routing picks
    // (or, with icmp_errors_use_inbound_ifaddr, the incoming device's address).
    let saddr = idaddr;
    if ((rt.flags & RTCF_LOCAL) === 0) {
      saddr = 0;
      if (rt.isInput && stack.conf.icmpErrorsUseInboundIfaddr !== 0) {
        const dev = stack.ns.devByIndex(skbIn.cb[CB_IP_IIF]! !== 0 ? skbIn.cb[CB_IP_IIF]! : skbIn.skbIif);
        if (dev !== undefined) saddr = selectAddr(stack.devinet, stack.ns, dev, isaddr, RT_SCOPE_LINK);
      }
    }
    const itos = b[nh + 1]!;
    const tos = isError ? (itos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL : itos;
    const fl = this.fl.reset(isaddr, saddr, 0, tos, 0, IPPROTO_ICMP);
    const out = stack.routeOutput.route(fl);
    if (typeof out === 'number') return;
    if (!this.ratelimit.xrlimAllow(out.dev, fl.daddr)) return;
    let room = Math.min(rtMtu(out, stack.now()), ICMP_ERROR_MAX);
    room -= 20 + ICMP_HLEN;
    // Guard against a tiny MTU: at least one IP header must fit for the message to make sense.
    if (room <= 20) return;
    let dataLen = skbIn.tail - nh;
    if (dataLen > room) dataLen = room;
    const src = fl.saddr !== 0 ? fl.saddr : INADDR_DUMMY;
    this.push(type, code, info, b, nh, dataLen, out, src, fl.daddr, tos);
  }

  /**
   * `icmp_reply` to the request in `skbIn`: `hdr4` is the four bytes after type/code/checksum
   * (id and sequence), the body `dataLen` bytes at `dataOff` in `data`.
   */
  reply(skbIn: SkBuff, type: number, code: number, hdr4: number, data: Uint8Array, dataOff: number, dataLen: number): void {
    const stack = this.stack;
    if (!this.ratelimit.globalAllow(type, code)) return;
    const nh = skbIn.networkHeader;
    const b = skbIn.buf;
    const daddr = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    const tos = b[nh + 1]!;
    const saddr = stack.specDst(skbIn);
    const fl = this.fl.reset(daddr, saddr, 0, tos, 0, IPPROTO_ICMP);
    const out = stack.routeOutput.route(fl);
    if (typeof out === 'number') return;
    if (!this.ratelimit.xrlimAllow(out.dev, fl.daddr)) return;
    this.push(type, code, hdr4, data, dataOff, dataLen, out, fl.saddr, fl.daddr, tos);
  }

  /** `icmp_push_reply`: build the message, count it (`icmp_out_count`), send it. */
  private push(type: number, code: number, rest: number, src: Uint8Array, srcOff: number, dataLen: number, rt: Rtable, saddr: number, daddr: number, tos: number): void {
    const stack = this.stack;
    const skb = stack.ns.world.pool.alloc(ICMP_HLEN + dataLen, HEADROOM);
    const at = skb.put(ICMP_HLEN + dataLen);
    const b = skb.buf;
    b[at] = type;
    b[at + 1] = code;
    b[at + 2] = 0;
    b[at + 3] = 0;
    b[at + 4] = rest >>> 24;
    b[at + 5] = (rest >>> 16) & 0xff;
    b[at + 6] = (rest >>> 8) & 0xff;
    b[at + 7] = rest & 0xff;
    for (let i = 0, o = at + ICMP_HLEN; i < dataLen; i++) b[o + i] = src[srcOff + i]!;
    const check = internetChecksum(b, at, ICMP_HLEN + dataLen);
    b[at + 2] = check >>> 8;
    b[at + 3] = check & 0xff;
    skb.transportHeader = at;
    const icmp = stack.icmpMib.values;
    icmp[ICMP_MIB_OUTMSGS]!++;
    const slot = ICMP_OUT_SLOT_BY_TYPE[type]!;
    if (slot >= 0) icmp[slot]!++;
    stack.icmpMsgMib.values[ICMPMSG_OUT_BASE + type]!++;
    stack.output.send(skb, rt, saddr, daddr, IPPROTO_ICMP, stack.conf.defaultTtl, tos, IP_PMTUDISC_DONT);
  }
}
