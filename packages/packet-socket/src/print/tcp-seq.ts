/**
 * The conversations tcpdump remembers to print relative sequence numbers (`tcp_seq_hash4/6` in
 * print-tcp.c), bounded: at most `capacity` entries in preallocated typed arrays, chained by
 * hash; when full, the entry created longest ago is reused. Keys are read straight from the
 * packet bytes, so a lookup allocates nothing.
 */

const KEY_WORDS = 9; // src address (4 words), dst address (4 words), ports

export class TcpSeqTable {
  /** Initial sequence numbers recorded for each entry (tcpdump's `th->seq`, `th->ack`). */
  readonly seq: Uint32Array;
  readonly ack: Uint32Array;
  private readonly keys: Uint32Array;
  private readonly ver: Uint8Array;
  private readonly hashOf: Uint32Array;
  private readonly next: Int32Array;
  private readonly heads: Int32Array;
  private readonly mask: number;
  private used = 0;
  /** Next entry to reuse once the table is full (creation order). */
  private victim = 0;

  constructor(readonly capacity: number) {
    this.seq = new Uint32Array(capacity);
    this.ack = new Uint32Array(capacity);
    this.keys = new Uint32Array(capacity * KEY_WORDS);
    this.ver = new Uint8Array(capacity);
    this.hashOf = new Uint32Array(capacity);
    this.next = new Int32Array(capacity);
    let nb = 1;
    while (nb < capacity * 2) nb <<= 1;
    this.heads = new Int32Array(nb).fill(-1);
    this.mask = nb - 1;
  }

  get size(): number {
    return this.used;
  }

  clear(): void {
    this.heads.fill(-1);
    this.used = 0;
    this.victim = 0;
  }

  private static word(b: Uint8Array, off: number, i: number, alen: number): number {
    if (alen === 4) return i === 0 ? ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0 : 0;
    const o = off + 4 * i;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }

  private hash(ver: number, b: Uint8Array, a: number, d: number, alen: number, port: number): number {
    let h = (0x811c9dc5 ^ ver) >>> 0;
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ TcpSeqTable.word(b, a, i, alen), 0x01000193) >>> 0;
      h = Math.imul(h ^ TcpSeqTable.word(b, d, i, alen), 0x01000193) >>> 0;
    }
    return Math.imul(h ^ port, 0x01000193) >>> 0;
  }

  /**
   * The entry for the conversation keyed by (`a`, `d`, `port`), addresses `alen` bytes long at
   * offsets `a` and `d` in `b`; -1 when unknown.
   */
  find(ver: number, b: Uint8Array, a: number, d: number, alen: number, port: number): number {
    const h = this.hash(ver, b, a, d, alen, port);
    for (let i = this.heads[h & this.mask]!; i >= 0; i = this.next[i]!) {
      if (this.hashOf[i] !== h || this.ver[i] !== ver) continue;
      const k = i * KEY_WORDS;
      let same = this.keys[k + 8] === port;
      for (let w = 0; same && w < 4; w++) {
        same = this.keys[k + w] === TcpSeqTable.word(b, a, w, alen) && this.keys[k + 4 + w] === TcpSeqTable.word(b, d, w, alen);
      }
      if (same) return i;
    }
    return -1;
  }

  /** Add the conversation (after `find` returned -1); returns its entry. */
  insert(ver: number, b: Uint8Array, a: number, d: number, alen: number, port: number): number {
    let i: number;
    if (this.used < this.capacity) i = this.used++;
    else {
      i = this.victim;
      this.victim = (this.victim + 1) % this.capacity;
      this.unlink(i);
    }
    const h = this.hash(ver, b, a, d, alen, port);
    const k = i * KEY_WORDS;
    for (let w = 0; w < 4; w++) {
      this.keys[k + w] = TcpSeqTable.word(b, a, w, alen);
      this.keys[k + 4 + w] = TcpSeqTable.word(b, d, w, alen);
    }
    this.keys[k + 8] = port;
    this.ver[i] = ver;
    this.hashOf[i] = h;
    const bucket = h & this.mask;
    this.next[i] = this.heads[bucket]!;
    this.heads[bucket] = i;
    return i;
  }

  private unlink(i: number): void {
    const bucket = this.hashOf[i]! & this.mask;
    let prev = -1;
    for (let j = this.heads[bucket]!; j >= 0; prev = j, j = this.next[j]!) {
      if (j !== i) continue;
      if (prev < 0) this.heads[bucket] = this.next[j]!;
      else this.next[prev] = this.next[j]!;
      return;
    }
  }
}
