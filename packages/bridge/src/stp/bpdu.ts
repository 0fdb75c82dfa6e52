/**
 * 802.1D configuration and topology change notification BPDUs (IEEE 802.1D-1998 clause 9.3),
 * as they follow the LLC header (42 42 03). Layout (offsets from the protocol identifier):
 *
 *   0 protocol id (2) = 0      4 flags (1): TC 0x01, TCA 0x80    17 bridge id (8)
 *   2 version (1)     = 0      5 root id (8)                     25 port id (2)
 *   3 type (1): 0x00 config,  13 root path cost (4)              27 message age (2)
 *               0x80 TCN                                         29 max age (2)
 *                                                                31 hello time (2)
 *                                                                33 forward delay (2)
 *
 * Times are in 1/256 s (9.2.8). A config BPDU is 35 bytes, a TCN 4 (9.3.1, 9.3.2).
 * `BpduCodec.parseInto` fills a caller-owned repr (no allocation) and never throws; bad input
 * gives a `BpduError` code, which the receiver counts.
 */
import { WireView } from '@netstack/core';
import { BRIDGE_ID_LEN } from './bridge-id.js';

export const BPDU_TYPE_CONFIG = 0x00;
export const BPDU_TYPE_TCN = 0x80;
export const BPDU_FLAG_TC = 0x01;
export const BPDU_FLAG_TCA = 0x80;
export const BPDU_CONFIG_LEN = 35;
export const BPDU_TCN_LEN = 4;
/** Wire time unit: 1/256 s (STP_HZ in br_private_stp.h). */
export const STP_HZ = 256;
/** One STP tick in ns: 10^9 / 256 = 3 906 250 exactly, so conversions are exact. */
export const NSEC_PER_STP_TICK = 3_906_250;

export function ticksToNs(ticks: number): number {
  return ticks * NSEC_PER_STP_TICK;
}

/** ns to 1/256 s, rounded down (br_set_ticks), clamped to 16 bits. */
export function nsToTicks(ns: number): number {
  const t = Math.floor(ns / NSEC_PER_STP_TICK);
  return t < 0 ? 0 : t > 0xffff ? 0xffff : t;
}

/** Why a BPDU was not accepted (receiver counters are indexed by these). */
export const BpduError = {
  NONE: 0,
  /** Fewer than the 4 bytes every BPDU has. */
  TOO_SHORT: 1,
  /** Protocol identifier not 0. */
  BAD_PROTOCOL: 2,
  /** Version not 0 (RSTP/MSTP BPDUs: Linux's kernel STP drops them too, br_stp_rcv). */
  BAD_VERSION: 3,
  /** Type neither config nor TCN. */
  UNKNOWN_TYPE: 4,
  /** A config BPDU shorter than 35 bytes. */
  CONFIG_TOO_SHORT: 5,
} as const;
export type BpduError = (typeof BpduError)[keyof typeof BpduError];
export const BPDU_ERROR_NAMES: readonly string[] = ['none', 'too_short', 'bad_protocol', 'bad_version', 'unknown_type', 'config_too_short'];

/** Zero-copy view over a BPDU; accessors are valid once `checkLen()` (or `checkConfigLen()`). */
export class BpduView extends WireView {
  private end(): number {
    return Math.min(this.off + this.len, this.buf.length);
  }
  checkLen(): boolean {
    return this.end() - this.off >= BPDU_TCN_LEN;
  }
  checkConfigLen(): boolean {
    return this.end() - this.off >= BPDU_CONFIG_LEN;
  }
  get protocolId(): number {
    return (this.buf[this.off]! << 8) | this.buf[this.off + 1]!;
  }
  get version(): number {
    return this.buf[this.off + 2]!;
  }
  get type(): number {
    return this.buf[this.off + 3]!;
  }
  get flags(): number {
    return this.buf[this.off + 4]!;
  }
  /** Offset of the 8-byte root id in `buf`. */
  get rootIdOff(): number {
    return this.off + 5;
  }
  get rootPathCost(): number {
    const b = this.buf;
    const o = this.off + 13;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  get bridgeIdOff(): number {
    return this.off + 17;
  }
  get portId(): number {
    return this.u16(25);
  }
  get messageAge(): number {
    return this.u16(27);
  }
  get maxAge(): number {
    return this.u16(29);
  }
  get helloTime(): number {
    return this.u16(31);
  }
  get forwardDelay(): number {
    return this.u16(33);
  }
  private u16(at: number): number {
    return (this.buf[this.off + at]! << 8) | this.buf[this.off + at + 1]!;
  }
}

/**
 * A parsed BPDU. For a TCN only `type` is meaningful. Times are in wire ticks (1/256 s).
 * `root` and `bridgeId` are owned 8-byte arrays, so one repr can be reused for every BPDU.
 */
export interface BpduRepr {
  type: number;
  topologyChange: boolean;
  topologyChangeAck: boolean;
  root: Uint8Array;
  rootPathCost: number;
  bridgeId: Uint8Array;
  portId: number;
  messageAge: number;
  maxAge: number;
  helloTime: number;
  forwardDelay: number;
}

export function newBpduRepr(): BpduRepr {
  return {
    type: BPDU_TYPE_CONFIG,
    topologyChange: false,
    topologyChangeAck: false,
    root: new Uint8Array(BRIDGE_ID_LEN),
    rootPathCost: 0,
    bridgeId: new Uint8Array(BRIDGE_ID_LEN),
    portId: 0,
    messageAge: 0,
    maxAge: 0,
    helloTime: 0,
    forwardDelay: 0,
  };
}

export const BpduCodec = {
  /**
   * Validate and copy `view` into `out` (br_stp_rcv's checks: protocol id and version 0, type
   * config or TCN, 35 bytes for a config). Trailing bytes are ignored (802.1D-1998 9.3.4).
   */
  parseInto(view: BpduView, out: BpduRepr): BpduError {
    if (!view.checkLen()) return BpduError.TOO_SHORT;
    if (view.protocolId !== 0) return BpduError.BAD_PROTOCOL;
    if (view.version !== 0) return BpduError.BAD_VERSION;
    const type = view.type;
    if (type === BPDU_TYPE_TCN) {
      out.type = type;
      return BpduError.NONE;
    }
    if (type !== BPDU_TYPE_CONFIG) return BpduError.UNKNOWN_TYPE;
    if (!view.checkConfigLen()) return BpduError.CONFIG_TOO_SHORT;
    const { buf } = view;
    out.type = type;
    const flags = view.flags;
    out.topologyChange = (flags & BPDU_FLAG_TC) !== 0;
    out.topologyChangeAck = (flags & BPDU_FLAG_TCA) !== 0;
    const r = view.rootIdOff;
    const b = view.bridgeIdOff;
    for (let i = 0; i < BRIDGE_ID_LEN; i++) {
      out.root[i] = buf[r + i]!;
      out.bridgeId[i] = buf[b + i]!;
    }
    out.rootPathCost = view.rootPathCost;
    out.portId = view.portId;
    out.messageAge = view.messageAge;
    out.maxAge = view.maxAge;
    out.helloTime = view.helloTime;
    out.forwardDelay = view.forwardDelay;
    return BpduError.NONE;
  },

  /** Parse into a fresh repr (tests, tools); null when invalid. */
  parse(view: BpduView): BpduRepr | null {
    const repr = newBpduRepr();
    return BpduCodec.parseInto(view, repr) === BpduError.NONE ? repr : null;
  },

  bufferLen(repr: BpduRepr): number {
    return repr.type === BPDU_TYPE_TCN ? BPDU_TCN_LEN : BPDU_CONFIG_LEN;
  },

  /** Write `repr` at `buf[off]`; the buffer must hold `bufferLen(repr)` bytes. */
  emit(repr: BpduRepr, buf: Uint8Array, off: number): void {
    buf[off] = 0;
    buf[off + 1] = 0;
    buf[off + 2] = 0;
    buf[off + 3] = repr.type;
    if (repr.type === BPDU_TYPE_TCN) return;
    buf[off + 4] = (repr.topologyChange ? BPDU_FLAG_TC : 0) | (repr.topologyChangeAck ? BPDU_FLAG_TCA : 0);
    for (let i = 0; i < BRIDGE_ID_LEN; i++) {
      buf[off + 5 + i] = repr.root[i]!;
      buf[off + 17 + i] = repr.bridgeId[i]!;
    }
    const c = repr.rootPathCost >>> 0;
    buf[off + 13] = c >>> 24;
    buf[off + 14] = (c >>> 16) & 0xff;
    buf[off + 15] = (c >>> 8) & 0xff;
    buf[off + 16] = c & 0xff;
    writeU16(buf, off + 25, repr.portId);
    writeU16(buf, off + 27, repr.messageAge);
    writeU16(buf, off + 29, repr.maxAge);
    writeU16(buf, off + 31, repr.helloTime);
    writeU16(buf, off + 33, repr.forwardDelay);
  },
};

function writeU16(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >>> 8) & 0xff;
  buf[at + 1] = v & 0xff;
}
