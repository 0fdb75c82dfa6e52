/**
 * @netstack/example-hello-proto — a complete, tiny protocol plugin written only against the
 * public API of `@netstack/core`. Read it as a template for your own plugin.
 *
 * The "hello" protocol rides directly on Ethernet, on the IEEE 802 local experimental ethertype
 * 1 (ETH_P_802_EX1, 0x88B5). Its header, in network byte order:
 *
 *     0        1        2        3        4
 *     +--------+--------+--------+--------+--------+----------------
 *     |  type  |    sequence     |  payload length |  payload ...
 *     +--------+--------+--------+--------+--------+----------------
 *
 * The length field lets a receiver ignore the padding a NIC adds to short frames (ETH_ZLEN).
 *
 * What the plugin does in a namespace, the way a kernel protocol would:
 * - claims the ethertype (a second plugin claiming 0x88B5 fails at composition);
 * - registers a wildcard `PacketType` (`dev_add_pack`), so `__netif_receive_skb_core` hands it
 *   every frame of that ethertype, on any device;
 * - parses with bounds checks and frees bad frames with a kernel drop reason, never throws;
 * - counts in its own SNMP group `Hello` (`nstat` shows `HelloInMsgs`, ...);
 * - keeps received messages in a bounded queue for the application;
 * - sends with `sendHello`, which builds the frame in a pool buffer and calls `dev_queue_xmit`.
 */
import {
  DropReason,
  ETH_ALEN,
  ETH_HLEN,
  ETH_P_802_EX1,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  NET_XMIT_SUCCESS,
  NetError,
  PACKET_OTHERHOST,
  consumeSkb,
  devQueueXmit,
  formatMac,
  kfreeSkb,
  parseMac,
  readU16,
  writeU16,
  type MacAddress,
  type NetDevice,
  type NetNamespace,
  type PacketType,
  type Plugin,
  type SkBuff,
} from '@netstack/core';

/** Bytes of the hello header: type, sequence, payload length. */
export const HELLO_HLEN = 5;

/** Message types. Anything else is dropped (UNHANDLED_PROTO, as `icmp_rcv` does for unknown ICMP types). */
export const HelloType = {
  Hello: 1,
  HelloAck: 2,
} as const;
export type HelloType = (typeof HelloType)[keyof typeof HelloType];

/** The plugin's MIB group name and counters, as `nstat` shows them (`HelloInMsgs`). */
export const HELLO_MIB_GROUP = 'Hello';
export const HELLO_MIB_FIELDS = [
  /** Every frame handed to the protocol handler for this host (as IpInReceives counts). */
  'InMsgs',
  /** Frames dropped by the handler: too short, truncated, unknown type, queue full. */
  'InErrors',
  /** The subset of InErrors with a type this protocol does not know. */
  'InUnknownTypes',
  /** The subset of InErrors dropped because the application's queue was full. */
  'RcvbufErrors',
  /** Messages handed to the device (`dev_queue_xmit` said NET_XMIT_SUCCESS). */
  'OutMsgs',
  /** Messages `dev_queue_xmit` refused (device down, qdisc drop). */
  'OutErrors',
] as const;

/** Default length of the receive queue, in messages. */
export const HELLO_DEFAULT_RCVQUEUE = 256;

/** A received message, copied out of the buffer (the buffer itself is consumed). */
export interface HelloMessage {
  type: HelloType;
  seq: number;
  payload: Uint8Array;
  /** Source MAC of the frame. */
  src: string;
  /** Device it arrived on (`orig_dev`) and its ifindex. */
  dev: string;
  ifindex: number;
  /** Virtual (or real) time of delivery, ns. */
  timeNs: number;
}

export interface HelloOptions {
  /** Messages kept for the application before new ones are dropped (SOCKET_RCVBUFF). Default 256. */
  rcvQueueLen?: number;
}

/** Per-namespace state, built in `setup`: counter slots resolved once, the receive queue. */
interface HelloState {
  readonly ns: NetNamespace;
  readonly mib: Float64Array;
  readonly inMsgs: number;
  readonly inErrors: number;
  readonly inUnknownTypes: number;
  readonly rcvbufErrors: number;
  readonly outMsgs: number;
  readonly outErrors: number;
  readonly queue: HelloMessage[];
  readonly rcvQueueLen: number;
}

/** The plugin value, plus the application-side calls of the protocol. */
export interface HelloPlugin extends Plugin {
  /**
   * Send one message from `dev` to `dstMac`. Returns what `dev_queue_xmit` returned
   * (NET_XMIT_SUCCESS is 0). Throws EPROTONOSUPPORT when the plugin is not installed in the
   * device's namespace, EINVAL for a bad sequence or type, EMSGSIZE when it does not fit the MTU.
   */
  sendHello(dev: NetDevice, dstMac: MacAddress | string, seq: number, payload?: Uint8Array | string, type?: HelloType): number;
  /** Take the oldest received message of `ns` off the queue (undefined when empty). */
  recv(ns: NetNamespace): HelloMessage | undefined;
  /** Messages waiting in `ns`, oldest first (a copy of the queue). */
  messages(ns: NetNamespace): HelloMessage[];
  /** The `Hello` counters of `ns` by nstat name. */
  counters(ns: NetNamespace): Record<string, number>;
}

const encoder = new TextEncoder();

/** Create the hello plugin. One value may be installed in many namespaces; each gets its own state. */
export function helloProto(options: HelloOptions = {}): HelloPlugin {
  const rcvQueueLen = options.rcvQueueLen ?? HELLO_DEFAULT_RCVQUEUE;
  if (!Number.isInteger(rcvQueueLen) || rcvQueueLen < 0) throw new NetError('EINVAL', `rcvQueueLen must be a non-negative integer, got ${rcvQueueLen}`);
  const states = new WeakMap<NetNamespace, HelloState>();

  const stateOf = (ns: NetNamespace): HelloState => {
    const st = states.get(ns);
    if (st === undefined) throw new NetError('EPROTONOSUPPORT', `the hello plugin is not installed in namespace "${ns.name}"`);
    return st;
  };

  /** The protocol handler (`packet_type.func`): owns `skb`, must consume or free it. */
  const helloRcv = (skb: SkBuff, dev: NetDevice, pt: PacketType, origDev: NetDevice): number => {
    const st = pt.data as HelloState;
    const mib = st.mib;
    // Not addressed to us (seen only in promiscuous mode): not ours to count, as ip_rcv does.
    if (skb.pktType === PACKET_OTHERHOST) {
      dev.stats.rx_otherhost_dropped++;
      kfreeSkb(skb, DropReason.OTHERHOST);
      return NET_RX_DROP;
    }
    mib[st.inMsgs]!++;
    // eth_type_trans pulled the MAC header: data points at the hello header.
    if (skb.len < HELLO_HLEN) {
      mib[st.inErrors]!++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      return NET_RX_DROP;
    }
    const b = skb.buf;
    const at = skb.data;
    const type = b[at]!;
    const seq = readU16(b, at + 1);
    const plen = readU16(b, at + 3);
    if (plen > skb.len - HELLO_HLEN) {
      mib[st.inErrors]!++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      return NET_RX_DROP;
    }
    if (type !== HelloType.Hello && type !== HelloType.HelloAck) {
      mib[st.inErrors]!++;
      mib[st.inUnknownTypes]!++;
      kfreeSkb(skb, DropReason.UNHANDLED_PROTO);
      return NET_RX_DROP;
    }
    if (st.queue.length >= st.rcvQueueLen) {
      mib[st.inErrors]!++;
      mib[st.rcvbufErrors]!++;
      kfreeSkb(skb, DropReason.SOCKET_RCVBUFF);
      return NET_RX_DROP;
    }
    st.queue.push({
      type,
      seq,
      payload: b.slice(at + HELLO_HLEN, at + HELLO_HLEN + plen),
      src: skb.macHeader >= 0 ? formatMac(b, skb.macHeader + ETH_ALEN) : '',
      dev: origDev.name,
      ifindex: origDev.ifindex,
      timeNs: st.ns.world.scheduler.now(),
    });
    consumeSkb(skb);
    return NET_RX_SUCCESS;
  };

  return {
    name: 'hello',
    setup(ns: NetNamespace) {
      ns.claim('ethertype', ETH_P_802_EX1);
      const group = ns.snmp.register(HELLO_MIB_GROUP, HELLO_MIB_FIELDS);
      const st: HelloState = {
        ns,
        mib: group.values,
        inMsgs: group.slot('InMsgs'),
        inErrors: group.slot('InErrors'),
        inUnknownTypes: group.slot('InUnknownTypes'),
        rcvbufErrors: group.slot('RcvbufErrors'),
        outMsgs: group.slot('OutMsgs'),
        outErrors: group.slot('OutErrors'),
        queue: [],
        rcvQueueLen,
      };
      // The registration carries the state as its data: the handler needs no lookup per packet.
      ns.devAddPack({ type: ETH_P_802_EX1, dev: null, func: helloRcv, data: st, owner: 'hello' });
      states.set(ns, st);
    },

    sendHello(dev, dstMac, seq, payload = new Uint8Array(0), type = HelloType.Hello) {
      const st = stateOf(dev.net);
      if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new NetError('EINVAL', `hello sequence must be an integer in [0, 65535], got ${seq}`);
      if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new NetError('EINVAL', `hello type must be a byte, got ${type}`);
      const dst = typeof dstMac === 'string' ? parseMac(dstMac) : dstMac;
      if (dst.length !== ETH_ALEN) throw new NetError('EINVAL', `destination MAC must be ${ETH_ALEN} bytes`);
      const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
      if (HELLO_HLEN + body.length > dev.mtu || body.length > 0xffff) {
        throw new NetError('EMSGSIZE', `hello payload of ${body.length} bytes does not fit ${dev.name}'s MTU ${dev.mtu}`);
      }
      const len = ETH_HLEN + HELLO_HLEN + body.length;
      const skb = dev.net.world.pool.alloc(len);
      const at = skb.put(len);
      const b = skb.buf;
      b.set(dst, at);
      b.set(dev.addr, at + ETH_ALEN);
      writeU16(b, at + 12, ETH_P_802_EX1);
      b[at + ETH_HLEN] = type;
      writeU16(b, at + ETH_HLEN + 1, seq);
      writeU16(b, at + ETH_HLEN + 3, body.length);
      b.set(body, at + ETH_HLEN + HELLO_HLEN);
      skb.dev = dev;
      skb.protocol = ETH_P_802_EX1;
      skb.macHeader = at;
      skb.networkHeader = at + ETH_HLEN;
      const rc = devQueueXmit(skb);
      st.mib[rc === NET_XMIT_SUCCESS ? st.outMsgs : st.outErrors]!++;
      return rc;
    },

    recv(ns) {
      return stateOf(ns).queue.shift();
    },

    messages(ns) {
      return [...stateOf(ns).queue];
    },

    counters(ns) {
      stateOf(ns);
      const out: Record<string, number> = {};
      for (const f of HELLO_MIB_FIELDS) out[HELLO_MIB_GROUP + f] = ns.snmp.get(HELLO_MIB_GROUP + f);
      return out;
    },
  };
}
