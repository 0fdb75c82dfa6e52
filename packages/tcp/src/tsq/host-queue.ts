/**
 * Which of a socket's transmitted data copies are still below TCP (qdisc, driver ring): what
 * Linux learns from `skb_fclone_busy` (the fast clone of a retransmit-queue skb is still alive).
 * Our transmit path copies instead of cloning, and software GSO moves the copy's ownership to its
 * last segment, so a copy is known by the end of the data it carries (`seq + payload`), which the
 * last segment shares: TX completion (TCP_WFREE) reads it back from the TCP header and forgets
 * the entry. Completions come in transmission order almost always, so the match is at the head;
 * the ring grows by doubling and is bounded by what TSQ lets sit in host queues.
 */
export class HostQueue {
  private ends = new Uint32Array(16);
  private used = new Uint8Array(16);
  private head = 0;
  private count = 0;

  /** Copies still in a host queue. */
  live = 0;

  /** A data copy ending at `endSeq` was handed to the L3. */
  push(endSeq: number): void {
    if (this.count === this.ends.length) this.grow();
    const i = (this.head + this.count) & (this.ends.length - 1);
    this.ends[i] = endSeq;
    this.used[i] = 1;
    this.count++;
    this.live++;
  }

  /** A copy ending at `endSeq` completed (or was dropped); false when none was tracked. */
  remove(endSeq: number): boolean {
    const mask = this.ends.length - 1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & mask;
      if (this.used[i] === 1 && this.ends[i] === endSeq >>> 0) {
        this.used[i] = 0;
        this.live--;
        // Drop completed entries from the head.
        while (this.count !== 0 && this.used[this.head] === 0) {
          this.head = (this.head + 1) & mask;
          this.count--;
        }
        return true;
      }
    }
    return false;
  }

  /** Is a copy ending at `endSeq` still in a host queue? */
  has(endSeq: number): boolean {
    const mask = this.ends.length - 1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & mask;
      if (this.used[i] === 1 && this.ends[i] === endSeq >>> 0) return true;
    }
    return false;
  }

  private grow(): void {
    const n = this.ends.length;
    const ends = new Uint32Array(n * 2);
    const used = new Uint8Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (n - 1);
      ends[k] = this.ends[i]!;
      used[k] = this.used[i]!;
    }
    this.ends = ends;
    this.used = used;
    this.head = 0;
  }
}
