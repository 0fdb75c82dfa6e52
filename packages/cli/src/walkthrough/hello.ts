/**
 * The protocol handler the walkthrough delivers to: a minimal "hello" protocol on ethertype
 * 0x88B5 (ETH_P_802_EX1), written only against `@netstack/core`'s public API.
 *
 * It speaks the wire format of `examples/hello-proto` (type u8, sequence u16, payload length
 * u16, payload) but lives here so the published `@netstack/cli` depends on published packages
 * only (the example is a private workspace package). The example is the annotated template for
 * plugin authors; this module is the smallest handler that shows the protocol-handler stage.
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
  consumeSkb,
  devQueueXmit,
  kfreeSkb,
  readU16,
  writeU16,
  type NetDevice,
  type NetNamespace,
  type PacketType,
  type Plugin,
  type SkBuff,
} from '@netstack/core';

export const HELLO_HLEN = 5;
export const HELLO_TYPE_HELLO = 1;
export const HELLO_MIB_GROUP = 'Hello';
export const HELLO_MIB_FIELDS = ['InMsgs', 'InErrors', 'OutMsgs'] as const;

export interface HelloReceived {
  seq: number;
  payload: string;
  dev: string;
}

interface HelloState {
  mib: Float64Array;
  inMsgs: number;
  inErrors: number;
  outMsgs: number;
  received: HelloReceived[];
}

/** The plugin, with the messages it delivered and a sender. */
export interface WalkthroughHello extends Plugin {
  /** Messages delivered in `ns`, oldest first. */
  received(ns: NetNamespace): readonly HelloReceived[];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function helloRcv(skb: SkBuff, _dev: NetDevice, pt: PacketType, origDev: NetDevice): number {
  const st = pt.data as HelloState;
  st.mib[st.inMsgs]!++;
  if (skb.len < HELLO_HLEN) {
    st.mib[st.inErrors]!++;
    kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
    return NET_RX_DROP;
  }
  const b = skb.buf;
  const at = skb.data;
  const plen = readU16(b, at + 3);
  if (plen > skb.len - HELLO_HLEN) {
    st.mib[st.inErrors]!++;
    kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
    return NET_RX_DROP;
  }
  if (b[at] !== HELLO_TYPE_HELLO) {
    st.mib[st.inErrors]!++;
    kfreeSkb(skb, DropReason.UNHANDLED_PROTO);
    return NET_RX_DROP;
  }
  st.received.push({ seq: readU16(b, at + 1), payload: decoder.decode(b.slice(at + HELLO_HLEN, at + HELLO_HLEN + plen)), dev: origDev.name });
  consumeSkb(skb);
  return NET_RX_SUCCESS;
}

/** The hello protocol as a plugin: claims 0x88B5, registers its handler, counts in `Hello`. */
export function walkthroughHello(): WalkthroughHello {
  const states = new WeakMap<NetNamespace, HelloState>();
  return {
    name: 'hello',
    setup(ns) {
      ns.claim('ethertype', ETH_P_802_EX1);
      const group = ns.snmp.register(HELLO_MIB_GROUP, HELLO_MIB_FIELDS);
      const st: HelloState = {
        mib: group.values,
        inMsgs: group.slot('InMsgs'),
        inErrors: group.slot('InErrors'),
        outMsgs: group.slot('OutMsgs'),
        received: [],
      };
      ns.devAddPack({ type: ETH_P_802_EX1, dev: null, func: helloRcv, data: st, owner: 'hello' });
      states.set(ns, st);
    },
    received(ns) {
      return states.get(ns)?.received ?? [];
    },
  };
}

/**
 * Build a hello frame in a pool buffer and hand it to `dev_queue_xmit` on `dev`, as an
 * AF_PACKET socket would (`packet_snd`). Counts HelloOutMsgs when the namespace runs the plugin.
 * Returns `dev_queue_xmit`'s result.
 */
export function sendHello(dev: NetDevice, dst: Uint8Array, seq: number, payload: string): number {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new NetError('EINVAL', `hello sequence must be in [0, 65535], got ${seq}`);
  const body = encoder.encode(payload);
  if (HELLO_HLEN + body.length > dev.mtu) throw new NetError('EMSGSIZE', `hello payload of ${body.length} bytes exceeds ${dev.name}'s MTU ${dev.mtu}`);
  const len = ETH_HLEN + HELLO_HLEN + body.length;
  const skb = dev.net.world.pool.alloc(len);
  const at = skb.put(len);
  const b = skb.buf;
  b.set(dst.subarray(0, ETH_ALEN), at);
  b.set(dev.addr, at + ETH_ALEN);
  writeU16(b, at + 12, ETH_P_802_EX1);
  b[at + ETH_HLEN] = HELLO_TYPE_HELLO;
  writeU16(b, at + ETH_HLEN + 1, seq);
  writeU16(b, at + ETH_HLEN + 3, body.length);
  b.set(body, at + ETH_HLEN + HELLO_HLEN);
  skb.dev = dev;
  skb.protocol = ETH_P_802_EX1;
  skb.macHeader = at;
  skb.networkHeader = at + ETH_HLEN;
  const rc = devQueueXmit(skb);
  const group = dev.net.snmp.group(HELLO_MIB_GROUP);
  if (group !== undefined && rc === NET_XMIT_SUCCESS) group.values[group.slot('OutMsgs')]!++;
  return rc;
}
