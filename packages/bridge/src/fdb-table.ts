/**
 * The FDB's storage (net/bridge/br_fdb.c keeps an rhashtable keyed by {addr, vlan_id}): a
 * numeric open-addressing hash with linear probing and backward-shift deletion. A key is the MAC
 * as two numbers plus the VID: `hi` = bytes 0-1 and the VID (28 bits), `lo` = bytes 2-5. The
 * hash is seeded per bridge from the namespace's RANDOM. Lookups and updates allocate nothing;
 * only growth (when half full) allocates.
 */
const EMPTY = -1;

export class FdbTable {
  /** Key high part per slot, EMPTY when free. */
  hi: Int32Array;
  lo: Uint32Array;
  /** Port number of the entry (0: the bridge device itself, `dst == NULL`). */
  port: Int32Array;
  flags: Uint8Array;
  /** Last time the source was seen (ns), and the last time it was used as a destination. */
  updated: Float64Array;
  used: Float64Array;
  /** Creation serial: `bridge fdb show` lists the newest first, as hlist_add_head does. */
  seq: Float64Array;
  size = 0;
  private mask: number;
  private nextSeq = 1;

  constructor(
    private readonly seed1: number,
    private readonly seed2: number,
    capacity = 256,
  ) {
    this.mask = capacity - 1;
    this.hi = new Int32Array(capacity).fill(EMPTY);
    this.lo = new Uint32Array(capacity);
    this.port = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.updated = new Float64Array(capacity);
    this.used = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  private slotOf(hi: number, lo: number): number {
    let h = Math.imul(hi ^ this.seed1, 0x9e3779b1) ^ Math.imul(lo ^ this.seed2, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h & this.mask;
  }

  /** Slot of (mac at buf[off], vid), or -1. */
  find(buf: Uint8Array, off: number, vid: number): number {
    const hi = (((buf[off]! << 8) | buf[off + 1]!) << 12) | vid;
    const lo = ((buf[off + 2]! << 24) | (buf[off + 3]! << 16) | (buf[off + 4]! << 8) | buf[off + 5]!) >>> 0;
    return this.findKey(hi, lo);
  }

  findKey(hi: number, lo: number): number {
    const keys = this.hi;
    const mask = this.mask;
    let i = this.slotOf(hi, lo);
    for (;;) {
      const k = keys[i]!;
      if (k === EMPTY) return -1;
      if (k === hi && this.lo[i] === lo) return i;
      i = (i + 1) & mask;
    }
  }

  /** Insert a new entry (the key must be absent); returns its slot. */
  insert(buf: Uint8Array, off: number, vid: number, port: number, flags: number, now: number): number {
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    const hi = (((buf[off]! << 8) | buf[off + 1]!) << 12) | vid;
    const lo = ((buf[off + 2]! << 24) | (buf[off + 3]! << 16) | (buf[off + 4]! << 8) | buf[off + 5]!) >>> 0;
    let i = this.slotOf(hi, lo);
    while (this.hi[i] !== EMPTY) i = (i + 1) & this.mask;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.port[i] = port;
    this.flags[i] = flags;
    this.updated[i] = now;
    this.used[i] = now;
    this.seq[i] = this.nextSeq++;
    this.size++;
    return i;
  }

  /** Remove the entry in `slot` (backward-shift: no tombstones, probes stay short). */
  remove(slot: number): void {
    const mask = this.mask;
    let hole = slot;
    let i = (slot + 1) & mask;
    for (;;) {
      const k = this.hi[i]!;
      if (k === EMPTY) break;
      const home = this.slotOf(k, this.lo[i]!);
      // Move i into the hole when its home is not cyclically within (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        this.moveSlot(i, hole);
        hole = i;
      }
      i = (i + 1) & mask;
    }
    this.hi[hole] = EMPTY;
    this.size--;
  }

  private moveSlot(from: number, to: number): void {
    this.hi[to] = this.hi[from]!;
    this.lo[to] = this.lo[from]!;
    this.port[to] = this.port[from]!;
    this.flags[to] = this.flags[from]!;
    this.updated[to] = this.updated[from]!;
    this.used[to] = this.used[from]!;
    this.seq[to] = this.seq[from]!;
  }

  occupied(slot: number): boolean {
    return this.hi[slot] !== EMPTY;
  }

  vidOf(slot: number): number {
    return this.hi[slot]! & 0xfff;
  }

  /** Write the MAC of `slot` into `out` at `off`. */
  macOf(slot: number, out: Uint8Array, off = 0): Uint8Array {
    const hi = this.hi[slot]! >>> 12;
    const lo = this.lo[slot]!;
    out[off] = hi >>> 8;
    out[off + 1] = hi & 0xff;
    out[off + 2] = lo >>> 24;
    out[off + 3] = (lo >>> 16) & 0xff;
    out[off + 4] = (lo >>> 8) & 0xff;
    out[off + 5] = lo & 0xff;
    return out;
  }

  /** Occupied slots (control plane: show, flush, gc). */
  slots(): number[] {
    const out: number[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.hi[i] !== EMPTY) out.push(i);
    return out;
  }

  private grow(): void {
    const old = { hi: this.hi, lo: this.lo, port: this.port, flags: this.flags, updated: this.updated, used: this.used, seq: this.seq };
    const cap = this.capacity * 2;
    this.mask = cap - 1;
    this.hi = new Int32Array(cap).fill(EMPTY);
    this.lo = new Uint32Array(cap);
    this.port = new Int32Array(cap);
    this.flags = new Uint8Array(cap);
    this.updated = new Float64Array(cap);
    this.used = new Float64Array(cap);
    this.seq = new Float64Array(cap);
    for (let j = 0; j < old.hi.length; j++) {
      const k = old.hi[j]!;
      if (k === EMPTY) continue;
      let i = this.slotOf(k, old.lo[j]!);
      while (this.hi[i] !== EMPTY) i = (i + 1) & this.mask;
      this.hi[i] = k;
      this.lo[i] = old.lo[j]!;
      this.port[i] = old.port[j]!;
      this.flags[i] = old.flags[j]!;
      this.updated[i] = old.updated[j]!;
      this.used[i] = old.used[j]!;
      this.seq[i] = old.seq[j]!;
    }
  }
}
