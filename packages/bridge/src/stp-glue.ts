/**
 * Where the bridge meets its STP module (net/bridge/br_stp_bpdu.c): BPDUs in (`br_stp_rcv`,
 * after the LLC header) and out (`br_send_bpdu`: 802.3 frame to 01:80:C2:00:00:00 with LLC
 * 42 42 03), and the `StpContext` handed to `new BridgeStp(ctx)`.
 */
import { ETH_HLEN, ETH_P_802_2, RxHandlerResult, consumeSkb, devQueueXmit, readU16, type SkBuff } from '@netstack/core';
import type { Bridge } from './bridge.js';
import type { BridgePort } from './port.js';
import { BR_STATE_DISABLED, type BrPortState, type StpContext, type StpPort } from './stp-contract.js';

/** The bridge group address (br->group_addr default). */
export const BR_GROUP_ADDRESS = new Uint8Array([0x01, 0x80, 0xc2, 0x00, 0x00, 0x00]);
const LLC_SAP_BSPAN = 0x42;
const LLC_PDU_TYPE_U_UI = 0x03;
/** TC_PRIO_CONTROL. */
const TC_PRIO_CONTROL = 7;

/**
 * A BPDU reached a port with STP on (br_handle_frame passed it up; br_stp_rcv takes it from the
 * LLC layer): check LLC and state, hand the bytes after LLC to the STP module. Control plane:
 * one frame every hello time, so the view it allocates is fine.
 */
export function stpRcv(p: BridgePort, skb: SkBuff): RxHandlerResult {
  const stp = p.br.stp;
  if (stp === null) return RxHandlerResult.Pass;
  const buf = skb.buf;
  const at = skb.data;
  // 802.3 length field: the LLC PDU may be shorter than the (padded) frame.
  const lenField = readU16(buf, skb.macHeader + 12);
  const pduLen = lenField < 0x600 ? Math.min(lenField, skb.len) : skb.len;
  if (pduLen >= 3 + 4 && buf[at] === LLC_SAP_BSPAN && buf[at + 1] === LLC_SAP_BSPAN && buf[at + 2] === LLC_PDU_TYPE_U_UI && p.state !== BR_STATE_DISABLED) {
    stp.rcvBpdu(p, buf.slice(at + 3, at + pduLen));
  }
  consumeSkb(skb);
  return RxHandlerResult.Consumed;
}

/** `br_send_bpdu`: LLC-encapsulate `bytes` and send them out of `port`. */
export function sendBpdu(br: Bridge, port: StpPort, bytes: Uint8Array): void {
  const dev = port.dev;
  if (!dev.isUp || br.ports[port.portNo] !== port) return;
  const pduLen = 3 + bytes.length;
  const skb = br.ns.world.pool.alloc(ETH_HLEN + pduLen);
  const at = skb.put(ETH_HLEN + pduLen);
  const b = skb.buf;
  b.set(BR_GROUP_ADDRESS, at);
  b.set(dev.addr, at + 6);
  b[at + 12] = pduLen >> 8;
  b[at + 13] = pduLen & 0xff;
  b[at + 14] = LLC_SAP_BSPAN;
  b[at + 15] = LLC_SAP_BSPAN;
  b[at + 16] = LLC_PDU_TYPE_U_UI;
  b.set(bytes, at + 17);
  skb.macHeader = at;
  skb.networkHeader = at + ETH_HLEN;
  skb.protocol = ETH_P_802_2;
  skb.priority = TC_PRIO_CONTROL;
  skb.dev = dev;
  devQueueXmit(skb);
}

/** The context a `BridgeStp` gets. */
export function makeStpContext(br: Bridge): StpContext {
  return {
    get bridgeAddr() {
      return br.dev.addr;
    },
    get name() {
      return br.dev.name;
    },
    ports: () => [...br.portList].sort((a, b) => a.portNo - b.portNo),
    scheduler: br.ns.world.scheduler,
    random: br.ns.random,
    sendBpdu: (port, bytes) => sendBpdu(br, port, bytes),
    setPortState: (port: StpPort, state: BrPortState) => br.setPortState(port as BridgePort, state),
    flushFdb: (port) => void br.fdb.flushPort(port === null ? null : port.portNo),
    setAgeingFast: (on) => br.setAgeingFast(on),
  };
}
