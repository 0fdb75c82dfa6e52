/**
 * What a VXLAN device needs from the IP network under it: one UDP socket bound to its port,
 * sending datagrams and handing received ones back. The device opens it on `ip link set up`
 * (`vxlan_open` → `vxlan_sock_add`) and closes it on down. `dgramUnderlay` is the real one
 * (node:dgram, the only real-time part of the driver); `VxlanUnderlayNetwork` joins simulated
 * VTEPs in virtual time.
 */

/** Callbacks the device gives its underlay. */
export interface VxlanUnderlayHandlers {
  /** One datagram arrived. `buf[off..off+len]` is only valid during the call. `srcAddr` is IPv4 as a number. */
  datagram(buf: Uint8Array, off: number, len: number, srcAddr: number, srcPort: number): void;
  /** A send failed after it was accepted (the device counts it in tx_errors). */
  sendError(err: Error): void;
}

export interface VxlanUnderlayOptions {
  /** Local address to bind (IPv4 as a number; 0: any). */
  local: number;
  /** UDP port to bind (the device's `dstport`). */
  port: number;
  /** Outer TTL (1-255), 0 for the host's default (`ttl auto`). */
  ttl: number;
  handlers: VxlanUnderlayHandlers;
}

export interface VxlanUnderlay {
  /**
   * Send `buf[off..off+len]` as one datagram from UDP source port `srcPort` to `dstAddr:dstPort`.
   * The bytes are only valid during the call: an implementation that sends later copies them.
   */
  send(buf: Uint8Array, off: number, len: number, srcPort: number, dstAddr: number, dstPort: number): void;
  /** Settles when the socket is bound (datagrams can arrive), or rejects with the bind error. */
  readonly ready: Promise<void>;
  close(): void;
}

/** Opens the underlay socket of a device going up. */
export type VxlanUnderlayFactory = (opts: VxlanUnderlayOptions) => VxlanUnderlay;
