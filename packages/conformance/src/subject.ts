/**
 * How a handler under test describes itself to the kit: how to attach it to a port, and what it
 * promises to do with each frame. Written so that a bridge, a bond, a macvlan, an OVS datapath
 * and a port mirror can all say what they do.
 */
import type { MacAddress, NetDevice, Plugin, RxHandlerResult } from '@netstack/core';
import type { KitContext } from './kit.js';

/** Undo `attach`: must unregister the rx_handler from the port and undo any upper/lower link. */
export type Detach = () => void;

/** A frame the kit sends into the port, as the subject's `expect` sees it. */
export interface ProbeFrame {
  /** The probe's name in failure messages (`unicast-to-port`, `broadcast`, or yours). */
  readonly name: string;
  /** The whole Ethernet frame as it arrives on the wire (tags included). */
  readonly bytes: Uint8Array;
  /** Destination and source MAC addresses (copies). */
  readonly dst: MacAddress;
  readonly src: MacAddress;
  /** Ethertype (or 802.3 length) after any in-band VLAN tags. */
  readonly type: number;
  /** VLAN ID of the outermost in-band tag, or null when untagged. */
  readonly vid: number | null;
}

/** A frame of your own for the kit to probe with (added to the kit's standard probes). */
export interface ProbeSpec {
  name: string;
  dst: MacAddress;
  /** Default: the kit's peer address KIT_PEER_MAC. */
  src?: MacAddress;
  /** Ethertype or 802.3 length; default the kit's probe ethertype 0x88B5. */
  type?: number;
  /** Payload bytes, or a length filled with `i & 0xff` (default 46). */
  payload?: Uint8Array | number;
  /** Put one 802.1Q tag with this VID in the frame. */
  vid?: number;
}

/**
 * What the handler promises for one frame received on the port, with every kit handler in place
 * (a namespace-wide tap, a tap on the port, a wildcard protocol handler and one bound to the port
 * for the frame's ethertype).
 */
export interface Expectation {
  /**
   * The result the handler returns on the port (`RxHandlerResult.*`). The kit reads it from the
   * packet trace, so the handler is called exactly as the receive path calls it.
   * - `Pass`: the wildcard and the port-bound protocol handlers each get the frame on the port.
   * - `Exact`: only the port-bound protocol handler gets it; with none, the port counts
   *   `rx_nohandler` and the frame is dropped `UNHANDLED_PROTO`.
   * - `Consumed`: no protocol handler gets it on the port; the handler forwarded, queued or freed it.
   * - `Another`: `skb.dev` moves to `to`, which must be an upper device of the port.
   */
  result: RxHandlerResult;
  /** With `Another`: the device the frame moves to (the bond, the macvlan, the bridge...). */
  to?: NetDevice;
  /**
   * With `Consumed`: the handler drops the frame, with this kernel drop reason name
   * (`'MAC_INVALID_SOURCE'`, ...). Omitted: the handler drops nothing (it consumes, forwards or
   * delivers). `NOT_SPECIFIED` is never accepted: a drop names its reason.
   */
  dropReason?: string;
  /**
   * Kit devices (from `ctx.addDevice`) that transmit exactly one copy of the frame, byte for
   * byte (a mirror's target, a bridge's other ports when flooding, an OVS output port). Every
   * other kit device must transmit nothing. Default: none transmits.
   */
  transmitsOn?: readonly NetDevice[];
}

/** The handler under test. */
export interface RxHandlerSubject {
  /** Plugins to install in the kit's namespace first (e.g. `() => [bridge()]`). Optional. */
  plugins?: () => readonly Plugin[];
  /**
   * Attach the handler to `port`: register it with `netdevRxHandlerRegister` (directly or by
   * what your package does, e.g. enslaving the port to a bridge), link upper devices with
   * `netdevUpperDevLink`, create any devices you need through `ctx`. When the port already has
   * an rx_handler, attach must throw the `NetError` EBUSY that registration raises and leave the
   * port as it was. Returns the function that undoes everything.
   */
  attach(port: NetDevice, ctx: KitContext): Detach;
  /**
   * What the handler does with `frame` (see `Expectation`). Called before each probe frame is
   * sent, after `attach`, so it may read the state `attach` built (devices, addresses). Random
   * frames of the robustness check are not matched against it, only against the invariants.
   */
  expect(frame: ProbeFrame, ctx: KitContext): Expectation;
  /**
   * Frames of your own to add to the standard probes (`unicast-to-port`, `unicast-other`,
   * `broadcast`, `multicast`, `vlan-tagged`): the address of a macvlan, a BPDU, an LACPDU...
   * Their destination addresses also seed the random frames.
   */
  probes?: (port: NetDevice, ctx: KitContext) => readonly ProbeSpec[];
}
