/**
 * One namespace's TCP (`struct netns_ipv4`'s TCP part plus the global hash tables Linux keeps
 * per namespace in effect): sysctls (`TcpConf`), the `Tcp`/`TcpExt` MIB slots, the established,
 * listening and bind tables, congestion-control modules, ISN and SYN-cookie secrets, and the
 * scratch records the packet path reuses. The plugin builds it; sockets keep a reference.
 */
import {
  NetError,
  SKB_DESTRUCTOR_TCP_WFREE,
  inetAddrWords,
  type InetAddrWords,
  type NetNamespace,
  type NetworkProtocol,
  type Scheduler,
  type SkBuff,
  type SkBuffPool,
} from '@netstack/core';
import { NsCongestion, worldCongestionRegistry } from './congestion.js';
import { TCPEXT_MIB_FIELDS, TCPEXT_MIB_GROUP, TCP_MIB_CONSTANTS, TCP_MIB_FIELDS, TCP_MIB_GROUP, registerTcpSysctls, type TcpConf } from '../config/index.js';
import { TcpSecureSeq } from '../isn/index.js';
import { BindTable, EstablishedTable, ListenTable } from '../lookup/index.js';
import { SynCookies } from '../syncookies/index.js';
import { TcpFastopenNet } from '../fastopen/state.js';
import { newTcpOptions, type TcpOptions } from '../wire/index.js';
import { NETSTACK_TCP_MIB_FIELDS, NETSTACK_TCP_MIB_GROUP, tcpWfree, tsqTasklets, type TsqTasklets } from '../tsq/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import type { TcpEndpoint } from './endpoint.js';

/** Token of a namespace's `TcpNet` in its container. */
export const TCP_NET = Symbol.for('netstack.tcp.TcpNet');

/** A received segment's header fields, parsed once per packet into this reused record. */
export class TcpSegment {
  skb: SkBuff | null = null;
  l3: NetworkProtocol | null = null;
  readonly saddr: InetAddrWords = inetAddrWords();
  readonly daddr: InetAddrWords = inetAddrWords();
  sport = 0;
  dport = 0;
  seq = 0;
  endSeq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  /** Header length (doff × 4) and payload bytes. */
  hlen = 0;
  payloadLen = 0;
  /** ECN bits of the IP header (for CE marks), 0 when unknown. */
  ecn = 0;
  readonly opts: TcpOptions = newTcpOptions();
}

/** Whatever can sit in the established table: a full socket, a request sock or a TIME_WAIT sock. */
export type EhEntry = TcpEndpoint;

export class TcpNet {
  readonly conf: TcpConf;
  /** `Tcp` and `TcpExt` counters by slot (TCP_MIB_* / TCPEXT.*). */
  readonly mib: Float64Array;
  readonly ext: Float64Array;
  /** `NetstackTcp` counters (NETSTACK_TSQ_*): what netstack counts beyond the kernel's MIBs. */
  readonly netstack: Float64Array;
  /** The World's per-CPU TSQ tasklets. */
  readonly tsqTasklets: TsqTasklets;
  readonly ehash: EstablishedTable<EhEntry>;
  readonly listeners: ListenTable<EhEntry>;
  readonly bhash: BindTable<EhEntry>;
  /** Congestion-control modules (World-wide) and this namespace's default. */
  readonly cc: NsCongestion;
  readonly isn: TcpSecureSeq;
  readonly cookies: SynCookies;
  /** Fast Open: server keys, the client's cookie cache, the blackhole pause. */
  readonly fastopen: TcpFastopenNet;
  readonly pool: SkBuffPool;
  readonly scheduler: Scheduler;
  /** Every socket not yet destroyed (ss, teardown). */
  readonly sockets = new Set<TcpEndpoint>();
  /** Input scratch. */
  readonly seg = new TcpSegment();
  /** `tcp_orphan_count`. */
  orphans = 0;
  /** TIME_WAIT socks alive (`tw_count`), against tcp_max_tw_buckets. */
  timeWaitCount = 0;
  /** RFC 5961 challenge-ACK budget: the second it was refilled and what is left (`net->ipv4.tcp_challenge_*`). */
  challengeStamp = 0;
  challengeCount = 0;
  /** What TCP printed to the kernel log (`net_info_ratelimited`: "Possible SYN flooding ..."), newest last. */
  readonly kernelLog: string[] = [];

  constructor(readonly ns: NetNamespace) {
    this.cc = new NsCongestion(worldCongestionRegistry(ns.world));
    this.conf = registerTcpSysctls({ sysctl: ns.sysctl, world: { sysctl: ns.world.sysctl } }, this.cc);
    this.mib = ns.snmp.register(TCP_MIB_GROUP, TCP_MIB_FIELDS).values;
    this.ext = ns.snmp.register(TCPEXT_MIB_GROUP, TCPEXT_MIB_FIELDS).values;
    this.netstack = ns.snmp.register(NETSTACK_TCP_MIB_GROUP, NETSTACK_TCP_MIB_FIELDS).values;
    this.tsqTasklets = tsqTasklets(ns.world);
    this.mib[0] = TCP_MIB_CONSTANTS.RtoAlgorithm;
    this.mib[1] = TCP_MIB_CONSTANTS.RtoMin;
    this.mib[2] = TCP_MIB_CONSTANTS.RtoMax;
    this.mib[3] = TCP_MIB_CONSTANTS.MaxConn;
    this.ehash = new EstablishedTable<EhEntry>(ns.random);
    this.listeners = new ListenTable<EhEntry>(ns.random);
    this.bhash = new BindTable<EhEntry>(ns.random, this.ehash, { localPortRange: [32768, 60999] });
    this.isn = new TcpSecureSeq(ns.random);
    this.cookies = new SynCookies(ns.random);
    this.fastopen = new TcpFastopenNet(ns, this.conf);
    this.pool = ns.world.pool;
    this.scheduler = ns.world.scheduler;
    ns.world.pool.setDestructor(SKB_DESTRUCTOR_TCP_WFREE, tcpWfreeSkb);
  }

  /** The L3 of `family`, or EAFNOSUPPORT when its plugin is not installed. */
  network(family: number): NetworkProtocol {
    const l3 = this.ns.inet.network(family);
    if (l3 === undefined) throw new NetError('EAFNOSUPPORT', `no network protocol for address family ${family} in namespace "${this.ns.name}" (is its plugin installed?)`);
    return l3;
  }

  /** `net.ipv4.ip_local_port_range` when the IPv4 plugin registered it. */
  localPortRange(): [number, number] {
    const name = 'net.ipv4.ip_local_port_range';
    if (!this.ns.sysctl.has(name)) return [32768, 60999];
    const v = this.ns.sysctl.get(name) as readonly number[];
    return [v[0]!, v[1]!];
  }

  /** Microseconds on the World's clock (`tcp_clock_us`). */
  nowUs(): number {
    return Math.floor(this.scheduler.now() / 1000);
  }

  /** Milliseconds, the TCP timestamp clock (`tcp_time_stamp_ms`, TCP_TS_HZ 1000), u32. */
  nowMs(): number {
    return Math.floor(this.scheduler.now() / 1e6) >>> 0;
  }
}

/**
 * TCP_WFREE (`tcp_wfree`): a transmitted copy left the host (or was dropped); give its truesize
 * back to the socket's `sk_wmem_alloc` and let TCP Small Queues send more.
 */
function tcpWfreeSkb(skb: SkBuff): void {
  const sk = skb.sk as TcpSock | null;
  if (sk !== null) tcpWfree(sk, skb);
}

/** The TcpNet of a namespace; EPROTONOSUPPORT when the tcp plugin is not installed there. */
export function tcpNet(ns: NetNamespace): TcpNet {
  if (!ns.container.isRegistered(TCP_NET)) {
    throw new NetError('EPROTONOSUPPORT', `TCP is not installed in namespace "${ns.name}" (add the tcp() plugin)`);
  }
  return ns.container.resolve<TcpNet>(TCP_NET);
}
