import { SkbQueue, type SkBuff } from '@netstack/core';

/**
 * One RX descriptor ring: `size` descriptors, each with a posted buffer the NIC "DMAs" a frame
 * into. The hardware writes at `hw`, the driver cleans at `ntc` and refills the descriptor at once.
 * When the NIC takes the wire frame's own buffer instead of copying into the posted one (see
 * `rxDmaSwap`), the posted buffer waits in `spare` and refills the next cleaned descriptor, so
 * the ring holds `size` buffers either way. As on Intel NICs (`ixgbe_desc_unused`), one descriptor always
 * stays unused so a full ring and an empty one differ: at most `size - 1` frames wait.
 */
export class RxRing {
  readonly bufs: (SkBuff | null)[];
  /** Posted buffers displaced by a swapped-in wire frame, kept for the refill (empty, as posted). */
  readonly spare = new SkbQueue();
  /** Next descriptor the hardware fills. */
  hw = 0;
  /** Next descriptor the driver cleans (`next_to_clean`). */
  ntc = 0;
  /** Filled descriptors not yet cleaned. */
  done = 0;
  /** Frames lost because no descriptor was free (this queue's share of `rx_missed_errors`). */
  missed = 0;
  packets = 0;
  bytes = 0;

  constructor(
    readonly index: number,
    readonly size: number,
  ) {
    this.bufs = new Array<SkBuff | null>(size).fill(null);
  }

  /** No free descriptor: the next frame overruns the ring. */
  get full(): boolean {
    return this.done >= this.size - 1;
  }
}

/**
 * One TX descriptor ring. The driver posts at `ntu`; the MAC takes descriptors in order at `hw`
 * and marks them done once the frame (all segments of a TSO frame) left on the wire; the driver
 * cleans done descriptors at `ntc` in NAPI poll, completing the buffers (destructor → TSQ, BQL).
 * One descriptor per packet (linear buffers), `size - 1` usable as on the RX side.
 */
export class TxRing {
  readonly skbs: (SkBuff | null)[];
  /** Length of each posted packet, for BQL and stats at completion. */
  readonly lens: Float64Array;
  ntu = 0;
  hw = 0;
  ntc = 0;
  /** Posted, not yet taken by the MAC. */
  pending = 0;
  /** Sent, not yet cleaned. */
  done = 0;
  packets = 0;
  bytes = 0;
  /** Queue restarts after the ring was full (`tx_restart_queue`). */
  restarts = 0;

  constructor(
    readonly index: number,
    readonly size: number,
  ) {
    this.skbs = new Array<SkBuff | null>(size).fill(null);
    this.lens = new Float64Array(size);
  }

  /** Descriptors in use (posted or done, not cleaned). */
  get used(): number {
    return this.pending + this.done;
  }

  get free(): number {
    return this.size - 1 - this.used;
  }
}
