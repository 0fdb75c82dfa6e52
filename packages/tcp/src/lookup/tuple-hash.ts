/**
 * The numeric open-addressing table every TCP lookup table is built on: fixed-width keys of u32
 * words, linear probing over a power-of-two index, backward-shift deletion (no tombstones, so
 * probe chains never rot), growth at 3/4 load and shrinking at 1/8. Keys live in a dense entry
 * store (`keys`, `stride` words per entry) with a free list; the index holds entry ids and each
 * slot's full hash, so a probe compares one number before touching a key and resizing never
 * rehashes a key. Callers write the key to look up into the scratch `key` array, so nothing is
 * allocated on the lookup path and no string is ever built.
 */
import { hashWords } from './hash.js';

const EMPTY = -1;

export class TupleHash<V> {
  /** Scratch key: write the words here, then call `hash()` and `find`/`insert`. */
  readonly key: Uint32Array;
  /** Entry store: `stride` words per entry id. */
  keys: Uint32Array;
  /** Each entry's hash (for removal and resizing). */
  entryHash: Uint32Array;
  /** Each entry's value and one byte of tag (the caller's, e.g. the ehash entry kind). */
  values: (V | null)[];
  tags: Uint8Array;
  /** Index: slot → entry id or -1, and the slot's hash. */
  private idx: Int32Array;
  private hs: Uint32Array;
  private mask: number;
  private readonly minSlots: number;
  private free: Int32Array;
  private freeTop = 0;
  private nextEntry = 0;
  count = 0;

  constructor(
    readonly stride: number,
    /** Leading words that enter the hash (trailing ones only refine the match). */
    readonly hashedWords: number,
    readonly seed: number,
    minSlots = 16,
  ) {
    let slots = 16;
    while (slots < minSlots) slots <<= 1;
    this.minSlots = slots;
    this.key = new Uint32Array(stride);
    this.idx = new Int32Array(slots).fill(EMPTY);
    this.hs = new Uint32Array(slots);
    this.mask = slots - 1;
    const entries = slots >> 1;
    this.keys = new Uint32Array(entries * stride);
    this.entryHash = new Uint32Array(entries);
    this.values = new Array<V | null>(entries).fill(null);
    this.tags = new Uint8Array(entries);
    this.free = new Int32Array(entries);
  }

  /** Slots in the index (a power of two). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Hash of the scratch key. */
  hash(): number {
    return hashWords(this.key, 0, this.hashedWords, this.seed);
  }

  /**
   * The entry whose key equals the scratch key on its first `cmpWords` words and, when
   * `wildWord >= 0`, whose word `wildWord` is 0 or equal to the key's (a bound device of 0
   * matches any device). -1 when none. `h` is `hash()`.
   */
  find(h: number, cmpWords: number, wildWord: number): number {
    const idx = this.idx;
    const hs = this.hs;
    const keys = this.keys;
    const key = this.key;
    const stride = this.stride;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const e = idx[s]!;
      if (e === EMPTY) return -1;
      if (hs[s] === h) {
        const base = e * stride;
        let i = 0;
        while (i < cmpWords && keys[base + i] === key[i]) i++;
        if (i === cmpWords) {
          if (wildWord < 0) return e;
          const w = keys[base + wildWord]!;
          if (w === 0 || w === key[wildWord]) return e;
        }
      }
      s = (s + 1) & mask;
    }
  }

  /** Exact match on every word. */
  findExact(h: number): number {
    return this.find(h, this.stride, -1);
  }

  /** Add the scratch key (the caller has checked it is not there) with `value`; returns its entry id. */
  insert(h: number, value: V, tag: number): number {
    if ((this.count + 1) * 4 > this.capacity * 3) this.resize(this.capacity << 1);
    let e: number;
    if (this.freeTop > 0) e = this.free[--this.freeTop]!;
    else {
      if (this.nextEntry === this.entryHash.length) this.growEntries();
      e = this.nextEntry++;
    }
    this.keys.set(this.key, e * this.stride);
    this.entryHash[e] = h;
    this.values[e] = value;
    this.tags[e] = tag;
    let s = h & this.mask;
    while (this.idx[s] !== EMPTY) s = (s + 1) & this.mask;
    this.idx[s] = e;
    this.hs[s] = h;
    this.count++;
    return e;
  }

  /** Remove entry `e` (backward-shift delete); returns its value. */
  remove(e: number): V | null {
    const h = this.entryHash[e]!;
    const idx = this.idx;
    const hs = this.hs;
    const mask = this.mask;
    let s = h & mask;
    while (idx[s] !== e) {
      if (idx[s] === EMPTY) return null;
      s = (s + 1) & mask;
    }
    // Pull later members of the cluster back over the hole unless their home lies in (hole, j].
    let j = s;
    for (;;) {
      j = (j + 1) & mask;
      const ej = idx[j]!;
      if (ej === EMPTY) break;
      const home = hs[j]! & mask;
      if (((j - home) & mask) >= ((j - s) & mask)) {
        idx[s] = ej;
        hs[s] = hs[j]!;
        s = j;
      }
    }
    idx[s] = EMPTY;
    const v = this.values[e]!;
    this.values[e] = null;
    this.free[this.freeTop++] = e;
    this.count--;
    if (this.capacity > this.minSlots && this.count * 8 < this.capacity) this.resize(this.capacity >> 1);
    return v;
  }

  /** Live entry ids (for iteration; allocates an array, not for the packet path). */
  entries(): number[] {
    const out: number[] = [];
    for (let s = 0; s <= this.mask; s++) if (this.idx[s] !== EMPTY) out.push(this.idx[s]!);
    return out;
  }

  private resize(slots: number): void {
    const oldIdx = this.idx;
    const oldHs = this.hs;
    const idx = new Int32Array(slots).fill(EMPTY);
    const hs = new Uint32Array(slots);
    const mask = slots - 1;
    for (let o = 0; o < oldIdx.length; o++) {
      const e = oldIdx[o]!;
      if (e === EMPTY) continue;
      const h = oldHs[o]!;
      let s = h & mask;
      while (idx[s] !== EMPTY) s = (s + 1) & mask;
      idx[s] = e;
      hs[s] = h;
    }
    this.idx = idx;
    this.hs = hs;
    this.mask = mask;
  }

  private growEntries(): void {
    const n = this.entryHash.length << 1;
    const keys = new Uint32Array(n * this.stride);
    keys.set(this.keys);
    this.keys = keys;
    const eh = new Uint32Array(n);
    eh.set(this.entryHash);
    this.entryHash = eh;
    const tags = new Uint8Array(n);
    tags.set(this.tags);
    this.tags = tags;
    const free = new Int32Array(n);
    free.set(this.free);
    this.free = free;
    const old = this.values.length;
    this.values.length = n;
    this.values.fill(null, old);
  }
}
