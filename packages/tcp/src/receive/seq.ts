/**
 * Sequence-number arithmetic modulo 2^32, as include/net/tcp.h defines it:
 *
 *   static inline bool before(__u32 seq1, __u32 seq2) { return (__s32)(seq1-seq2) < 0; }
 *   #define after(seq2, seq1)  before(seq1, seq2)
 *   static inline bool between(__u32 seq1, __u32 seq2, __u32 seq3) { return seq3 - seq2 >= seq1 - seq2; }
 *
 * Sequence numbers are plain JS numbers holding u32 values (0 .. 2^32-1); every helper returns a
 * u32 (`>>> 0`) so values never drift into negatives or past 2^32. `packages/tcp/src/wire` does not
 * export these (cubic.ts and rtt-estimator.ts keep private copies), so the receive path has its own.
 */

/** `before(seq1, seq2)`: seq1 precedes seq2 (mod 2^32). */
export function before(seq1: number, seq2: number): boolean {
  return ((seq1 - seq2) | 0) < 0;
}

/** `after(seq1, seq2)`: seq1 follows seq2 (mod 2^32). */
export function after(seq1: number, seq2: number): boolean {
  return ((seq2 - seq1) | 0) < 0;
}

/** `between(seq1, seq2, seq3)`: seq2 <= seq1 <= seq3 (mod 2^32, the window starting at seq2). */
export function between(seq1: number, seq2: number, seq3: number): boolean {
  return ((seq3 - seq2) >>> 0) >= ((seq1 - seq2) >>> 0);
}

/** `seq + n` as u32. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) >>> 0;
}

/** Distance `a - b` as u32 (the number of sequence numbers from b up to a). */
export function seqSub(a: number, b: number): number {
  return (a - b) >>> 0;
}

/** Signed distance `a - b` as s32 (what the kernel gets from `(s32)(a - b)`). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** The later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return after(a, b) ? a : b;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return before(a, b) ? a : b;
}
