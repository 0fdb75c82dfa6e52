/**
 * The dissection context: one per printer, reused for every packet (netdissect's `ndo`).
 *
 * It holds the packet bytes, the end of the captured data the current layer may read
 * (`snapend`, cut down by IP to the datagram's end as tcpdump does), the name of the protocol
 * being printed (for the ` [|proto]` truncation marker) and the output being built.
 *
 * tcpdump has two ways of stopping on a short capture, and the output differs between them:
 * `GET_*` macros longjmp to the top (the marker is printed there and the link-layer length is
 * forgotten, so `-x` dumps the whole frame), while `ND_TCHECK*` in most printers jumps to a
 * local `trunc:` label, prints the marker and returns normally. `u8()/u16()/u32()` here are the
 * `GET_*` kind: they throw the preallocated {@link TRUNCATED} sentinel, caught once per packet.
 * `has()` is the `ND_TTEST*` kind, for the printers to write their own local handling.
 */
import { EthernetView, VlanTagView } from '@netstack/core';
import type { NormalizedOptions } from './options.js';
import { TcpSeqTable } from './tcp-seq.js';

/** Thrown (never constructed per packet) when a `GET_*`-style read runs past `snapend`. */
export const TRUNCATED: { readonly truncated: true } = Object.freeze({ truncated: true as const });

/** What the IPv6 printer learns from a Jumbo Payload option (reused, one per context). */
export interface Ip6State {
  jumbo: boolean;
  payloadLen: number;
}

export class PrintContext {
  buf: Uint8Array = new Uint8Array(0);
  /** First byte of the link-layer frame in `buf`. */
  base = 0;
  /** One past the last captured byte the current printer may read. */
  snapend = 0;
  /** The protocol named by ` [|proto]` when truncated. */
  protocol = '';
  /** Bytes of link-layer header consumed (for `-x`/`-X`, which dump what follows it). */
  llHdrLen = 0;
  out = '';
  /**
   * Set when the packet reached a protocol tcpdump 4.99 decodes but these printers do not, so
   * the text differs from tcpdump's there.
   */
  undecoded = false;
  /** Conversations seen, for relative TCP sequence numbers (bounded). */
  readonly tcpSeqs: TcpSeqTable;
  /** Zero-copy views rebound to each packet. */
  readonly eth = new EthernetView();
  readonly vlan = new VlanTagView();
  readonly ip6: Ip6State = { jumbo: false, payloadLen: 0 };

  constructor(readonly o: NormalizedOptions) {
    this.tcpSeqs = new TcpSeqTable(o.maxTcpFlows);
  }

  reset(buf: Uint8Array, base: number, caplen: number): void {
    this.buf = buf;
    this.base = base;
    this.snapend = base + caplen;
    this.protocol = '';
    this.llHdrLen = 0;
    this.out = '';
    this.undecoded = false;
  }

  /** `ND_TTEST_LEN`: `n` bytes at `off` were captured. */
  has(off: number, n: number): boolean {
    return n >= 0 && off >= 0 && off + n <= this.snapend;
  }

  /** Bytes captured from `off` to `snapend` (`ND_BYTES_AVAILABLE_AFTER`). */
  avail(off: number): number {
    return off < this.snapend ? this.snapend - off : 0;
  }

  /** `GET_U_1`. */
  u8(off: number): number {
    if (off + 1 > this.snapend || off < 0) throw TRUNCATED;
    return this.buf[off]!;
  }

  /** `GET_BE_U_2`. */
  u16(off: number): number {
    if (off + 2 > this.snapend || off < 0) throw TRUNCATED;
    const b = this.buf;
    return (b[off]! << 8) | b[off + 1]!;
  }

  /** `GET_BE_U_4`, unsigned. */
  u32(off: number): number {
    if (off + 4 > this.snapend || off < 0) throw TRUNCATED;
    const b = this.buf;
    return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
  }

  /** `ND_TCHECK_LEN` in a printer built with `ND_LONGJMP_FROM_TCHECK`. */
  need(off: number, n: number): void {
    if (!this.has(off, n)) throw TRUNCATED;
  }

  /** `nd_print_trunc`: ` [|proto]`. */
  trunc(): void {
    this.out += ' [|' + this.protocol + ']';
  }

  /** `nd_print_invalid`. */
  invalid(): void {
    this.out += ' (invalid)';
  }
}
