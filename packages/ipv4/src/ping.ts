import { DropReason, IPPROTO_ICMP, NetError, kfreeSkb, internetChecksum, type IcmpErrorInfo, type NetNamespace, type SkBuff, type Timer } from '@netstack/core';
import { IP_PMTUDISC_DO, IP_PMTUDISC_WANT } from './ip/ip-output.js';
import { getIpv4 } from './plugin.js';
import type { Ipv4Stack } from './ipv4-stack.js';
import { ICMPMSG_OUT_BASE, ICMP_MIB_OUTMSGS, ICMP_OUT_SLOT_BY_TYPE } from './icmp/icmp-mib.js';
import { Flowi4 } from './route/flowi4.js';
import { RTCF_BROADCAST, rtMtu } from './route/rtable.js';
import type { PingSocket } from './icmp/ping-sockets.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_FRAG_NEEDED,
  ICMP_PARAMETERPROB,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
  ICMP_TIME_EXCEEDED,
} from './wire/icmp.js';
import { formatIpv4, parseIpv4 } from './wire/inet-addr.js';

export interface PingOptions {
  /** Echo requests to send (`-c`). Default 1. */
  count?: number;
  /** Gap between requests in ms (`-i`). Default 1000. */
  intervalMs?: number;
  /** Data bytes after the ICMP header (`-s`). Default 56. */
  size?: number;
  /** IP TTL (`-t`). Default: net.ipv4.ip_default_ttl. */
  ttl?: number;
  /** Echo identifier. Default: a free one, chosen at random. */
  id?: number;
  /** `-M do`: DF always, EMSGSIZE when larger than the path MTU. Default: DF when it fits (`-M want`). */
  dontFragment?: boolean;
  /** ms to wait for replies after the last request (`-W`). Default 10000, as iputils' linger. */
  waitMs?: number;
  /** Source address (`-I addr`). */
  source?: string;
  /** `-b`: allow pinging a broadcast address (SO_BROADCAST); without it such a send fails with EACCES. */
  broadcast?: boolean;
}

export interface PingReply {
  seq: number;
  ttl: number;
  /** Round-trip time in ms (virtual time). */
  rttMs: number;
  from: string;
  /** ICMP bytes received (header and data), as ping prints "64 bytes from". */
  bytes: number;
  /** A second reply for a sequence already answered. */
  dup: boolean;
}

export interface PingError {
  seq: number;
  type: number;
  code: number;
  /** Who sent the error: a router on the way, or this host. */
  from: string;
  /** iputils' wording: "Time to live exceeded", "Destination Host Unreachable", ... */
  message: string;
}

export interface PingResult {
  transmitted: number;
  received: number;
  replies: PingReply[];
  errors: PingError[];
  /** Requests that could not be sent (`ping: sendmsg: ...`), with the errno name. */
  sendErrors: { seq: number; code: string }[];
}

const UNREACH_TEXT = [
  'Destination Net Unreachable',
  'Destination Host Unreachable',
  'Destination Protocol Unreachable',
  'Destination Port Unreachable',
  'Frag needed and DF set',
  'Source Route Failed',
  'Destination Net Unknown',
  'Destination Host Unknown',
  'Source Host Isolated',
  'Destination Net Prohibited',
  'Destination Host Prohibited',
  'Destination Net Unreachable for Type of Service',
  'Destination Host Unreachable for Type of Service',
  'Packet filtered',
  'Precedence Violation',
  'Precedence Cutoff',
];

/** iputils' text for an ICMP error. */
export function pingErrorText(type: number, code: number, info: number): string {
  switch (type) {
    case ICMP_DEST_UNREACH:
      if (code === ICMP_FRAG_NEEDED) return `Frag needed and DF set (mtu = ${info})`;
      return UNREACH_TEXT[code] ?? `Dest Unreachable, Bad Code: ${code}`;
    case ICMP_TIME_EXCEEDED:
      return code === 0 ? 'Time to live exceeded' : code === 1 ? 'Frag reassembly time exceeded' : `Time exceeded, Bad Code: ${code}`;
    case ICMP_PARAMETERPROB:
      return `Parameter problem: pointer = ${info}`;
    case ICMP_SOURCE_QUENCH:
      return 'Source Quench';
    case ICMP_REDIRECT:
      return `Redirect Host(New nexthop: ${formatIpv4(info)})`;
    default:
      return `Bad ICMP type: ${type}`;
  }
}

/**
 * A ping (iputils `ping` over an ICMP socket): echo requests from `seq` 1 every `intervalMs` on
 * the namespace's scheduler, replies matched by identifier. Works in virtual and real time;
 * `ping()` below runs it to completion in virtual time.
 */
export class PingSession implements PingSocket {
  readonly id: number;
  readonly result: PingResult = { transmitted: 0, received: 0, replies: [], errors: [], sendErrors: [] };
  private readonly stack: Ipv4Stack;
  private readonly daddr: number;
  private readonly saddr: number;
  private readonly count: number;
  private readonly interval: number;
  private readonly size: number;
  private readonly ttl: number;
  private readonly pmtudisc: number;
  private readonly broadcast: boolean;
  private readonly sentAt = new Map<number, number>();
  /** Sequences answered by a reply or an error. */
  private readonly answered = new Set<number>();
  private readonly timer: Timer;
  private readonly fl = new Flowi4();
  private seq = 0;
  private closed = false;

  constructor(
    readonly ns: NetNamespace,
    dst: string,
    opts: PingOptions = {},
  ) {
    this.stack = getIpv4(ns);
    this.daddr = parseIpv4(dst);
    this.saddr = opts.source !== undefined ? parseIpv4(opts.source) : 0;
    this.count = opts.count ?? 1;
    this.interval = opts.intervalMs ?? 1000;
    this.size = opts.size ?? 56;
    this.ttl = opts.ttl ?? this.stack.conf.defaultTtl;
    this.pmtudisc = opts.dontFragment ? IP_PMTUDISC_DO : IP_PMTUDISC_WANT;
    this.broadcast = opts.broadcast ?? false;
    if (!Number.isInteger(this.count) || this.count < 1) throw new NetError('EINVAL', `bad number of packets to transmit: ${this.count}`);
    if (!(this.interval >= 0)) throw new NetError('EINVAL', `bad timing interval: ${this.interval}`);
    if (!Number.isInteger(this.size) || this.size < 0 || this.size > 65507) throw new NetError('EINVAL', `invalid packet size ${this.size}`);
    if (!Number.isInteger(this.ttl) || this.ttl < 1 || this.ttl > 255) throw new NetError('EINVAL', `ttl ${this.ttl} out of range`);
    this.id = opts.id ?? this.stack.pingSockets.freeId(ns.random.below(0x10000));
    this.stack.pingSockets.bind(this);
    this.timer = ns.world.scheduler.createTimer(() => this.tick());
  }

  /** Send the first request now and the others every interval. */
  start(): void {
    this.tick();
  }

  /** Every request sent and answered (or failed). */
  get done(): boolean {
    return this.seq >= this.count && this.answered.size >= this.result.transmitted;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.cancel();
    this.stack.pingSockets.unbind(this);
  }

  private tick(): void {
    if (this.closed || this.seq >= this.count) return;
    this.send(++this.seq);
    if (this.seq < this.count) this.timer.arm(this.interval * 1_000_000);
  }

  /** One echo request: iputils' payload (a timeval, then bytes counting up), through a raw-like send. */
  private send(seq: number): void {
    const stack = this.stack;
    const len = 8 + this.size;
    const fl = this.fl.reset(this.daddr, this.saddr, 0, 0, 0, IPPROTO_ICMP);
    const rt = stack.routeOutput.route(fl);
    if (typeof rt === 'number') {
      this.result.sendErrors.push({ seq, code: errnoName(-rt) });
      return;
    }
    // raw_sendmsg / ping_v4_sendmsg: a broadcast route needs SO_BROADCAST.
    if ((rt.flags & RTCF_BROADCAST) !== 0 && !this.broadcast) {
      this.result.sendErrors.push({ seq, code: 'EACCES' });
      return;
    }
    const skb = this.ns.world.pool.alloc(len, stack.l3.maxHeaderLen);
    const at = skb.put(len);
    const b = skb.buf;
    b[at] = ICMP_ECHO;
    b[at + 1] = 0;
    b[at + 2] = 0;
    b[at + 3] = 0;
    b[at + 4] = this.id >>> 8;
    b[at + 5] = this.id & 0xff;
    b[at + 6] = seq >>> 8;
    b[at + 7] = seq & 0xff;
    const now = stack.now();
    const usec = Math.floor(now / 1000);
    for (let i = 0; i < this.size; i++) b[at + 8 + i] = i < 16 ? (i < 8 ? (Math.floor(usec / 1_000_000) >>> (8 * i)) & 0xff : ((usec % 1_000_000) >>> (8 * (i - 8))) & 0xff) : i & 0xff;
    const check = internetChecksum(b, at, len);
    b[at + 2] = check >>> 8;
    b[at + 3] = check & 0xff;
    // icmp_out_count, as for any ICMP datagram built by a socket.
    stack.icmpMib.values[ICMP_MIB_OUTMSGS]!++;
    stack.icmpMib.values[ICMP_OUT_SLOT_BY_TYPE[ICMP_ECHO]!]!++;
    stack.icmpMsgMib.values[ICMPMSG_OUT_BASE + ICMP_ECHO]!++;
    if (this.pmtudisc === IP_PMTUDISC_DO && len + 20 > rtMtu(rt, now)) {
      kfreeSkb(skb, DropReason.PKT_TOO_BIG, this.ns);
      this.result.sendErrors.push({ seq, code: 'EMSGSIZE' });
      return;
    }
    this.sentAt.set(seq, now);
    this.result.transmitted++;
    const rc = stack.output.send(skb, rt, fl.saddr, fl.daddr, IPPROTO_ICMP, this.ttl, 0, this.pmtudisc);
    if (rc < 0) this.result.sendErrors.push({ seq, code: errnoName(-rc) });
  }

  echoReply(skb: SkBuff): void {
    const b = skb.buf;
    const at = skb.data;
    const seq = (b[at + 6]! << 8) | b[at + 7]!;
    const sent = this.sentAt.get(seq);
    if (sent === undefined) return;
    const nh = skb.networkHeader;
    const from = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    const dup = this.result.replies.some((r) => r.seq === seq);
    if (!dup) this.result.received++;
    this.answered.add(seq);
    this.result.replies.push({ seq, ttl: b[nh + 8]!, rttMs: (this.stack.now() - sent) / 1_000_000, from: formatIpv4(from), bytes: skb.len, dup });
  }

  error(skb: SkBuff, info: IcmpErrorInfo): void {
    const b = skb.buf;
    const t = info.quotedTransportHeader;
    const seq = (b[t + 6]! << 8) | b[t + 7]!;
    if (!this.sentAt.has(seq)) return;
    const nh = skb.networkHeader;
    const from = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    this.answered.add(seq);
    this.result.errors.push({ seq, type: info.type, code: info.code, from: formatIpv4(from), message: pingErrorText(info.type, info.code, info.info) });
  }
}

function errnoName(errno: number): string {
  switch (errno) {
    case 101:
      return 'ENETUNREACH';
    case 113:
      return 'EHOSTUNREACH';
    case 13:
      return 'EACCES';
    case 22:
      return 'EINVAL';
    case 90:
      return 'EMSGSIZE';
    case 1:
      return 'EPERM';
    case 105:
      return 'ENOBUFS';
    default:
      return `errno ${errno}`;
  }
}

/**
 * `ping -c COUNT -i INTERVAL -s SIZE -t TTL DST` from namespace `ns`, run to the end in virtual
 * time (the World's clock advances): requests every interval, then up to `waitMs` for the last
 * replies. Returns replies (seq, ttl, rtt, from) and errors (unreachable, time exceeded, with the
 * router that sent them).
 */
export function ping(ns: NetNamespace, dst: string, opts: PingOptions = {}): PingResult {
  const session = new PingSession(ns, dst, opts);
  const world = ns.world;
  const wait = opts.waitMs ?? 10_000;
  try {
    session.start();
    const step = Math.max(1, Math.min(opts.intervalMs ?? 1000, 10));
    const sendSpan = ((opts.count ?? 1) - 1) * (opts.intervalMs ?? 1000);
    let elapsed = 0;
    while (elapsed < sendSpan + wait) {
      world.runFor(step);
      elapsed += step;
      if (session.done) break;
    }
    return session.result;
  } finally {
    session.close();
  }
}
