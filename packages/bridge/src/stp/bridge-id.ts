/**
 * Bridge and port identifiers (802.1D-1998 9.2.5, 9.2.7; net/bridge/br_private.h `bridge_id`,
 * `br_make_port_id`). A bridge id is 8 bytes: priority (2, big endian) then a MAC (6); ids order
 * as `memcmp` orders them, lower is better.
 */
import { BR_PORT_BITS } from './timers.js';

export const BRIDGE_ID_LEN = 8;

/** memcmp of two 8-byte ids: negative, 0 or positive. */
export function compareBridgeId(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < BRIDGE_ID_LEN; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

export function bridgeIdEqual(a: Uint8Array, b: Uint8Array): boolean {
  return compareBridgeId(a, b) === 0;
}

export function copyBridgeId(dst: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < BRIDGE_ID_LEN; i++) dst[i] = src[i]!;
}

export function setBridgeIdPriority(id: Uint8Array, priority: number): void {
  id[0] = (priority >>> 8) & 0xff;
  id[1] = priority & 0xff;
}

export function bridgeIdPriority(id: Uint8Array): number {
  return (id[0]! << 8) | id[1]!;
}

/** True when the MAC part (bytes 2..7) of `id` equals the 6 bytes of `mac`. */
export function bridgeIdMacEquals(id: Uint8Array, mac: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (id[2 + i] !== mac[i]) return false;
  return true;
}

export function setBridgeIdMac(id: Uint8Array, mac: Uint8Array): void {
  for (let i = 0; i < 6; i++) id[2 + i] = mac[i]!;
}

/** br_make_port_id: priority in the top 6 bits, port number in the low BR_PORT_BITS. */
export function makePortId(priority: number, portNo: number): number {
  return ((priority << BR_PORT_BITS) | (portNo & ((1 << BR_PORT_BITS) - 1))) & 0xffff;
}

/** As iproute2 prints a bridge id: `8000.2:0:0:0:a:1` (priority in hex, MAC bytes unpadded). */
export function formatBridgeId(id: Uint8Array): string {
  let s = id[0]!.toString(16).padStart(2, '0') + id[1]!.toString(16).padStart(2, '0') + '.';
  for (let i = 2; i < BRIDGE_ID_LEN; i++) s += (i > 2 ? ':' : '') + id[i]!.toString(16);
  return s;
}
