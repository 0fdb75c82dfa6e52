import { TCP_NUM_SACKS } from '../wire/index.js';
import { after, before } from './seq.js';

/** `MAX_TCP_OPTION_SPACE` (40), `TCPOLEN_TSTAMP_ALIGNED` (12), `TCPOLEN_SACK_BASE_ALIGNED` (4), `TCPOLEN_SACK_PERBLOCK` (8). */
const MAX_TCP_OPTION_SPACE = 40;
const TCPOLEN_TSTAMP_ALIGNED = 12;
const TCPOLEN_SACK_BASE_ALIGNED = 4;
const TCPOLEN_SACK_PERBLOCK = 8;

/**
 * The receiver's SACK state (`tp->selective_acks[4]`, `tp->duplicate_sack[1]`,
 * `tp->rx_opt.num_sacks`, `tp->rx_opt.dsack`): what the next ACK reports. Blocks are stored as
 * pairs in a preallocated Uint32Array, most recent first, exactly as tcp_input.c maintains them.
 */
export class SackState {
  /** `selective_acks[i]` = [start, end) at words 2i, 2i+1; index 0 is the most recent. */
  readonly blocks = new Uint32Array(TCP_NUM_SACKS * 2);
  numSacks = 0;
  /** A D-SACK block is pending (`rx_opt.dsack`). */
  dsack = false;
  /** `duplicate_sack[0]`. */
  dsackStart = 0;
  dsackEnd = 0;
  /** `tcp_is_sack(tp)`: the peer offered SACK-permitted. Without it no blocks are kept. */
  sackOk = true;
  /** `net.ipv4.tcp_dsack` (1). */
  dsackEnabled = true;

  start(i: number): number {
    return this.blocks[2 * i]!;
  }

  end(i: number): number {
    return this.blocks[2 * i + 1]!;
  }

  /** `tcp_sack_reset`. */
  reset(): void {
    this.dsack = false;
    this.numSacks = 0;
  }

  /**
   * `tcp_dsack_set`: report [seq, endSeq) as duplicate in the next ACK (RFC 2883). Replaces a
   * pending D-SACK block.
   */
  dsackSet(seq: number, endSeq: number): void {
    if (this.sackOk && this.dsackEnabled) {
      this.dsack = true;
      this.dsackStart = seq >>> 0;
      this.dsackEnd = endSeq >>> 0;
    }
  }

  /**
   * `tcp_dsack_extend`: without a pending D-SACK set one; with one, grow it when the new range
   * overlaps or touches it (`tcp_sack_extend`), otherwise keep it unchanged.
   */
  dsackExtend(seq: number, endSeq: number): void {
    if (!this.dsack) {
      this.dsackSet(seq, endSeq);
      return;
    }
    if (!after(seq, this.dsackEnd) && !after(this.dsackStart, endSeq)) {
      if (before(seq, this.dsackStart)) this.dsackStart = seq >>> 0;
      if (after(endSeq, this.dsackEnd)) this.dsackEnd = endSeq >>> 0;
    }
  }

  /** `tcp_sack_extend` on selective_acks[i]. */
  private extend(i: number, seq: number, endSeq: number): boolean {
    const b = this.blocks;
    const s = b[2 * i]!;
    const e = b[2 * i + 1]!;
    if (!after(seq, e) && !after(s, endSeq)) {
      if (before(seq, s)) b[2 * i] = seq;
      if (after(endSeq, e)) b[2 * i + 1] = endSeq;
      return true;
    }
    return false;
  }

  private swap(i: number, j: number): void {
    const b = this.blocks;
    let t = b[2 * i]!;
    b[2 * i] = b[2 * j]!;
    b[2 * j] = t;
    t = b[2 * i + 1]!;
    b[2 * i + 1] = b[2 * j + 1]!;
    b[2 * j + 1] = t;
  }

  private copy(dst: number, src: number): void {
    const b = this.blocks;
    b[2 * dst] = b[2 * src]!;
    b[2 * dst + 1] = b[2 * src + 1]!;
  }

  /**
   * `tcp_sack_maybe_coalesce`: the first block just changed; absorb any other block it now
   * overlaps or touches.
   */
  private maybeCoalesce(): void {
    let i = 1;
    while (i < this.numSacks) {
      if (this.extend(0, this.start(i), this.end(i))) {
        this.numSacks--;
        for (let j = i; j < this.numSacks; j++) this.copy(j, j + 1);
        continue;
      }
      i++;
    }
  }

  /**
   * `tcp_sack_new_ofo_skb`: an out-of-order segment [seq, endSeq) arrived. A block it extends
   * moves to the front (and swallows blocks it now reaches); otherwise a new block goes in front,
   * the oldest falling off when all four are in use (RFC 2018 §4: the first block reports the
   * most recently received segment).
   */
  newOfoSkb(seq: number, endSeq: number): void {
    if (!this.sackOk) return;
    seq >>>= 0;
    endSeq >>>= 0;
    const cur = this.numSacks;
    let i = 0;
    if (cur !== 0) {
      for (; i < cur; i++) {
        if (this.extend(i, seq, endSeq)) {
          for (; i > 0; i--) this.swap(i, i - 1);
          if (cur > 1) this.maybeCoalesce();
          return;
        }
      }
      if (i >= TCP_NUM_SACKS) {
        i--;
        this.numSacks--;
      }
      for (; i > 0; i--) this.copy(i, i - 1);
    }
    this.blocks[0] = seq;
    this.blocks[1] = endSeq;
    this.numSacks++;
  }

  /**
   * `tcp_sack_remove`: after rcv_nxt advanced, drop the blocks it now covers; with the
   * out-of-order queue empty, all of them.
   */
  remove(rcvNxt: number, ofoEmpty: boolean): void {
    if (ofoEmpty) {
      this.numSacks = 0;
      return;
    }
    let n = this.numSacks;
    let i = 0;
    while (i < n) {
      if (!before(rcvNxt, this.start(i))) {
        for (let j = i + 1; j < n; j++) this.copy(j - 1, j);
        n--;
        continue;
      }
      i++;
    }
    this.numSacks = n;
  }

  /**
   * The blocks the next ACK carries, as `tcp_established_options` + `tcp_options_write` choose
   * them: the D-SACK block first, then selective_acks most recent first, as many as fit in the
   * 40 option bytes (4 blocks, 3 beside timestamps). Writes [start, end] pairs into `out` and
   * returns the count; the pending D-SACK is reported once and cleared (`rx_opt.dsack = 0`).
   */
  writeBlocks(out: Uint32Array, timestamps: boolean): number {
    const eff = this.numSacks + (this.dsack ? 1 : 0);
    if (eff === 0) return 0;
    const remaining = MAX_TCP_OPTION_SPACE - (timestamps ? TCPOLEN_TSTAMP_ALIGNED : 0);
    const room = ((remaining - TCPOLEN_SACK_BASE_ALIGNED) / TCPOLEN_SACK_PERBLOCK) | 0;
    const n = Math.min(eff, room, out.length >> 1);
    let k = 0;
    if (this.dsack && k < n) {
      out[0] = this.dsackStart;
      out[1] = this.dsackEnd;
      k = 1;
    }
    for (let i = 0; k < n; i++, k++) {
      out[2 * k] = this.start(i);
      out[2 * k + 1] = this.end(i);
    }
    this.dsack = false;
    return n;
  }
}
