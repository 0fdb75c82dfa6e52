/**
 * Longest-prefix match over IPv4 prefixes: a path-compressed binary trie (PATRICIA, the shape
 * fib_trie starts from) kept in typed arrays, plus an adaptive direct-indexed first level.
 *
 * Why this and not DIR-24-8: a namespace usually holds a handful of routes, and a 16M-entry
 * table per FIB table (64 MiB) is out of the question; DIR-24-8 allocated lazily still costs
 * 256 entries per touched /24 and a rewrite of up to 2^(24-len) entries per short prefix. Why not
 * fib_trie's full level compression: its inflate/halve resizing is the most intricate code in
 * net/ipv4, and most of its gain comes from the wide nodes near the root. So only the root is
 * "inflated": once a table holds 64 prefixes or more, a first level of 2^k slots (about two
 * prefixes per slot, k <= 20: 2 MiB at 1M prefixes, nothing for small tables) jumps to the
 * deepest node covering the slot, and the rest of the descent is a few binary steps.
 *
 * Every node is one prefix (key/len, host bits zero). A node is a "route node" when it carries
 * a value; other nodes are branch points with exactly two children. Each route node keeps `up`,
 * its nearest covering route node, so after one descent finds the longest match, every shorter
 * matching prefix is reached by following `up` (what fib_trie's backtracking finds).
 *
 * Memory layout is for cache misses, which dominate large tables: a node's key, length and two
 * children sit together in one Int32Array record (one cache line per step), a slot's jump and
 * fallback together. Lookups read typed arrays only and allocate nothing.
 */

/** MASK[len]: the network mask of a prefix length, as an int32 (MASK[0] = 0). */
export const MASK = new Int32Array(33);
for (let l = 1; l <= 32; l++) MASK[l] = -1 << (32 - l);

/** Node record: [key, meta, child0, child1]. */
const STRIDE = 4;
const KEY = 0;
const META = 1;
const C0 = 2;
/** `meta` bit: the node carries a value. The low 6 bits hold the prefix length. */
const ROUTE = 0x80;
const LEN = 0x3f;
/** Below this many prefixes a table has no first level at all. */
const JUMP_MIN_PREFIXES = 64;
const JUMP_MAX_BITS = 20;
/**
 * The multibit level (see `match`) is built at this many prefixes and dropped below DIR_DROP.
 * Below it the jump table's descent is already a couple of cache-resident steps; above it the
 * descent's misses dominate, and the level's fixed 256 KiB root is a small part of the table.
 */
const DIR_MIN_PREFIXES = 1 << 15;
const DIR_DROP_PREFIXES = 1 << 13;
/** A chunk block: 8 [bitmap, base] word pairs, then its runs (rounded up to 8 words). */
const HDR = 16;

function jumpBitsFor(count: number): number {
  if (count < JUMP_MIN_PREFIXES) return 0;
  // About two prefixes per slot: log2(count) - 1, capped.
  const b = 31 - Math.clz32(count) - 1;
  return b > JUMP_MAX_BITS ? JUMP_MAX_BITS : b;
}

export class LpmTrie<T> {
  private node = new Int32Array(16 * STRIDE);
  private parent = new Int32Array(16);
  private upNode = new Int32Array(16);
  private readonly values: (T | null)[] = [];
  private readonly freeList: number[] = [];
  private used = 0;
  private root = -1;
  private routeCount = 0;
  /**
   * First level, 2^bits slots (the address's top `bits` bits), two words each: where the descent
   * starts (the deepest node of length <= bits covering the slot, or if none the first node
   * inside it, or -1), and the longest route node of length <= bits covering the slot (the match
   * to fall back on when the descent finds nothing longer, or -1).
   */
  private bits = 0;
  private slots: Int32Array | null = null;
  /** Scratch stack for subtree walks (control plane only). */
  private readonly walk: number[] = [];
  /** Set by insertNode: the highest node it created (-1: none), whose slots need refreshing. */
  private createdTop = -1;

  /**
   * Multibit level for large tables (null when off): a leaf-pushed 16-8 multibit trie whose
   * entries are the answer itself, the route node of the longest match, so a lookup in a full
   * BGP table is two or three array reads instead of a jump plus a chain of dependent node
   * misses (what fib_trie's level compression and DIR-24-8 both aim at).
   *
   * `dirRoot[addr >>> 16]`: >= 0 the matching route node, -1 no match, <= -2 the chunk block at
   * offset -2 - v in `dir`. A chunk resolves bits 16..23. Uncompressed it would be 256 entries
   * (1 KiB per /16: 64 MiB for a full table); instead it stores its runs of equal entries (a /16
   * of a BGP table has some 15 prefixes, about 30 runs) and where runs start as a 256-bit bitmap
   * split into 8 words, each paired with the index of the run in force just before the word, so
   * entry p is runs[base(p >> 5) + popcount(bitmap(p >> 5) up to bit p & 31)]: one pair read and
   * one run read, in two cache lines. A run entry is a route node, -1, or <= -2: a /24 holding
   * longer prefixes, index -2 - v into `deepStart`/`deepBest` (the topmost node inside that /24,
   * where a binary descent starts, and the best match of length <= 24 to fall back on).
   *
   * Kept in step with the trie: a change at length > 16 rebuilds its /16 (a few dozen nodes); a
   * route of length <= 16 appearing or going changes nothing structural, only which node is the
   * answer, so entries naming its `up` become it, or back (replaceInDir).
   */
  private dirRoot: Int32Array | null = null;
  private dir = new Int32Array(0);
  private dirUsed = 0;
  /** Free chunk blocks by size (words). */
  private readonly dirFree = new Map<number, number[]>();
  private deepStart = new Int32Array(0);
  private deepBest = new Int32Array(0);
  private deepUsed = 0;
  private readonly deepFree: number[] = [];
  /** Scratch for building one chunk (control plane). */
  private readonly paint = new Int32Array(256);

  /**
   * @param fixedJumpBits force the first level to this many bits whatever the size (tests use it
   *   to exercise the jump table on small sets); undefined = adaptive.
   * @param fixedDir force the multibit level on (true) or off (false) whatever the size (tests);
   *   undefined = adaptive.
   */
  constructor(
    private readonly fixedJumpBits?: number,
    private readonly fixedDir?: boolean,
  ) {
    if (fixedJumpBits !== undefined) this.rebuildJump(fixedJumpBits);
    if (fixedDir === true) this.buildDir();
  }

  /** Whether the multibit level is in use. */
  get multibit(): boolean {
    return this.dirRoot !== null;
  }

  /** Bytes held in typed arrays (memory reports). */
  get typedBytes(): number {
    return (
      this.node.byteLength + this.parent.byteLength + this.upNode.byteLength + (this.slots?.byteLength ?? 0) +
      (this.dirRoot?.byteLength ?? 0) + this.dir.byteLength + this.deepStart.byteLength + this.deepBest.byteLength
    );
  }

  /** Number of prefixes holding a value. */
  get size(): number {
    return this.routeCount;
  }

  /** Current width of the first level (0: none). */
  get jumpBits(): number {
    return this.bits;
  }

  /**
   * The route node of the longest prefix matching `addr`, or -1. Follow `up()` for the shorter
   * ones. Allocates nothing.
   */
  match(addr: number): number {
    const root = this.dirRoot;
    if (root !== null) {
      let v = root[addr >>> 16]!;
      if (v >= -1) return v;
      const p = (addr >>> 8) & 255;
      const h = -2 - v + ((p >>> 5) << 1);
      const dir = this.dir;
      // popcount of the run-start bits up to p (SWAR: JS has no popcnt).
      let x = dir[h]! & ((2 << (p & 31)) - 1);
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      x = (x + (x >>> 4)) & 0x0f0f0f0f;
      v = dir[dir[h + 1]! + (Math.imul(x, 0x01010101) >>> 24)]!;
      if (v >= -1) return v;
      return this.descend(addr, this.deepStart[-2 - v]!, this.deepBest[-2 - v]!);
    }
    const bits = this.bits;
    if (bits !== 0) {
      const s = (addr >>> (32 - bits)) << 1;
      const slots = this.slots!;
      return this.descend(addr, slots[s]!, slots[s + 1]!);
    }
    return this.descend(addr, this.root, -1);
  }

  /** Binary descent from node n, `best` being the match found so far. */
  private descend(addr: number, n: number, best: number): number {
    const node = this.node;
    while (n >= 0) {
      const at = n * STRIDE;
      const m = node[at + META]!;
      const l = m & LEN;
      if (((addr ^ node[at + KEY]!) & MASK[l]!) !== 0) break;
      if ((m & ROUTE) !== 0) best = n;
      if (l === 32) break;
      n = node[at + C0 + ((addr >>> (31 - l)) & 1)]!;
    }
    return best;
  }

  /** The nearest route node whose prefix covers `node`'s (the next shorter match), or -1. */
  up(node: number): number {
    return this.upNode[node]!;
  }

  nodeLen(node: number): number {
    return this.node[node * STRIDE + META]! & LEN;
  }

  /** The prefix of `node`, unsigned. */
  nodeKey(node: number): number {
    return this.node[node * STRIDE + KEY]! >>> 0;
  }

  value(node: number): T {
    return this.values[node] as T;
  }

  /** The route node of exactly key/len, or -1. */
  find(key: number, len: number): number {
    const k = key | 0;
    let n = this.start(k, len);
    while (n >= 0) {
      const l = this.lenOf(n);
      if (l > len || ((k ^ this.keyOf(n)) & MASK[l]!) !== 0) return -1;
      if (l === len) return this.isRoute(n) ? n : -1;
      n = this.childOf(n, (k >>> (31 - l)) & 1);
    }
    return -1;
  }

  get(key: number, len: number): T | undefined {
    const n = this.find(key, len);
    return n < 0 ? undefined : (this.values[n] as T);
  }

  /** Store `value` at key/len (host bits must be zero). Returns the node. */
  set(key: number, len: number, value: T): number {
    const n = this.insertNode(key | 0, len);
    this.values[n] = value;
    if (!this.isRoute(n)) {
      this.node[n * STRIDE + META]! |= ROUTE;
      this.routeCount++;
      this.becameRoute(n);
      const top = this.createdTop >= 0 ? this.createdTop : n;
      if (!this.resize()) this.refreshSlots(this.keyOf(top), this.lenOf(top));
      if (this.dirRoot !== null) {
        if (len > 16) this.rebuildDirSlot((key >>> 16) & 0xffff);
        else this.replaceInDir(key | 0, len, this.upNode[n]!, n);
      }
      this.resizeDir();
    }
    return n;
  }

  /** Remove the value at key/len; false if there was none. */
  delete(key: number, len: number): boolean {
    const n = this.find(key, len);
    if (n < 0) return false;
    this.values[n] = null;
    this.node[n * STRIDE + META]! &= ~ROUTE;
    this.routeCount--;
    const up = this.upNode[n]!;
    this.lostRoute(n);
    // The slots to refresh are those of the highest node removed (or of n, still a branch).
    const [topKey, topLen] = this.prune(n, key | 0, len);
    if (!this.resize()) this.refreshSlots(topKey, topLen);
    if (this.dirRoot !== null) {
      // After the prune, so that a rebuilt /16 sees the final shape (n's id may be free now).
      if (len > 16) this.rebuildDirSlot((key >>> 16) & 0xffff);
      else this.replaceInDir(key | 0, len, n, up);
    }
    this.resizeDir();
    return true;
  }

  /** Route nodes in the order `ip route show` lists prefixes: ascending address, longer first. */
  nodes(): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.used; n++) if (this.isRoute(n)) out.push(n);
    return out.sort((a, b) => this.nodeKey(a) - this.nodeKey(b) || this.lenOf(b) - this.lenOf(a));
  }

  /**
   * Where a search for key/len may start: for a prefix longer than the first level, the slot's
   * start node (the deepest node covering the slot, whose subtree holds the prefix; or the root
   * itself when nothing covers the slot), else the root.
   */
  private start(key: number, len: number): number {
    const bits = this.bits;
    if (bits === 0 || len <= bits) return this.root;
    const at = this.slots![(key >>> (32 - bits)) << 1]!;
    return at >= 0 ? at : this.root;
  }

  // ---- node records ----

  private keyOf(n: number): number {
    return this.node[n * STRIDE + KEY]!;
  }

  private lenOf(n: number): number {
    return this.node[n * STRIDE + META]! & LEN;
  }

  private isRoute(n: number): boolean {
    return (this.node[n * STRIDE + META]! & ROUTE) !== 0;
  }

  private childOf(n: number, bit: number): number {
    return this.node[n * STRIDE + C0 + bit]!;
  }

  private setChild(n: number, bit: number, c: number): void {
    this.node[n * STRIDE + C0 + bit] = c;
  }

  private alloc(key: number, len: number): number {
    let n = this.freeList.pop();
    if (n === undefined) {
      n = this.used++;
      if (n >= this.parent.length) this.grow();
    }
    const at = n * STRIDE;
    this.node[at + KEY] = key;
    this.node[at + META] = len;
    this.node[at + C0] = -1;
    this.node[at + C0 + 1] = -1;
    this.parent[n] = -1;
    this.upNode[n] = -1;
    this.values[n] = null;
    return n;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const node = new Int32Array(cap * STRIDE);
    node.set(this.node);
    this.node = node;
    const parent = new Int32Array(cap);
    parent.set(this.parent);
    this.parent = parent;
    const up = new Int32Array(cap);
    up.set(this.upNode);
    this.upNode = up;
  }

  /** Hang n under p (the root when p is -1), on the side n's key gives at p's length. */
  private link(p: number, n: number): void {
    if (p < 0) this.root = n;
    else this.setChild(p, (this.keyOf(n) >>> (31 - this.lenOf(p))) & 1, n);
    this.parent[n] = p;
  }

  /** Find or create the node for key/len (PATRICIA insert); new branch nodes as needed. */
  private insertNode(key: number, len: number): number {
    let n = this.start(key, len);
    let p = n >= 0 ? this.parent[n]! : -1;
    this.createdTop = -1;
    for (;;) {
      if (n < 0) {
        const fresh = this.alloc(key, len);
        this.link(p, fresh);
        this.createdTop = fresh;
        return fresh;
      }
      const nl = this.lenOf(n);
      const diff = Math.clz32(key ^ this.keyOf(n));
      let common = nl < len ? nl : len;
      if (diff < common) common = diff;
      if (common === nl) {
        if (nl === len) return n;
        p = n;
        n = this.childOf(n, (key >>> (31 - nl)) & 1);
        continue;
      }
      if (common === len) {
        // The new prefix covers n: it goes between p and n.
        const fresh = this.alloc(key, len);
        this.link(p, fresh);
        this.link(fresh, n);
        this.createdTop = fresh;
        return fresh;
      }
      // They diverge below both: a branch node at the common prefix takes both.
      const branch = this.alloc(key & MASK[common]!, common);
      const fresh = this.alloc(key, len);
      this.link(p, branch);
      this.link(branch, n);
      this.link(branch, fresh);
      this.createdTop = branch;
      return fresh;
    }
  }

  /**
   * Remove `n` (no longer a route node) if it is not needed as a branch point, then its parent
   * likewise. Returns the prefix of the highest node removed (key/len given when none was).
   */
  private prune(n: number, key: number, len: number): [number, number] {
    while (n >= 0 && !this.isRoute(n)) {
      const c0 = this.childOf(n, 0);
      const c1 = this.childOf(n, 1);
      if (c0 >= 0 && c1 >= 0) break;
      const p = this.parent[n]!;
      const c = c0 >= 0 ? c0 : c1;
      if (c >= 0) this.link(p, c);
      else if (p < 0) this.root = -1;
      else this.setChild(p, this.childOf(p, 0) === n ? 0 : 1, -1);
      key = this.keyOf(n);
      len = this.lenOf(n);
      this.values[n] = null;
      this.node[n * STRIDE + META] = 0;
      this.freeList.push(n);
      // A childless removal may leave the parent branch with one child.
      n = c >= 0 ? -1 : p;
    }
    return [key, len];
  }

  // ---- `up` links ----

  /** Route nodes below n with no route node in between. */
  private forFrontier(n: number, fn: (d: number) => void): void {
    const stack = this.walk;
    stack.length = 0;
    stack.push(this.childOf(n, 0), this.childOf(n, 1));
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d < 0) continue;
      if (this.isRoute(d)) fn(d);
      else stack.push(this.childOf(d, 0), this.childOf(d, 1));
    }
  }

  private becameRoute(n: number): void {
    let up = this.parent[n]!;
    while (up >= 0 && !this.isRoute(up)) up = this.parent[up]!;
    this.upNode[n] = up;
    this.forFrontier(n, (d) => {
      this.upNode[d] = n;
    });
  }

  private lostRoute(n: number): void {
    const up = this.upNode[n]!;
    this.forFrontier(n, (d) => {
      this.upNode[d] = up;
    });
    this.upNode[n] = -1;
  }

  // ---- first level ----

  /** Recompute the slots a change at key/len can affect: its slot, or every slot it covers. */
  private refreshSlots(key: number, len: number): void {
    const bits = this.bits;
    if (bits === 0) return;
    if (len > bits) {
      this.refreshSlot(key >>> (32 - bits));
      return;
    }
    const first = len === 0 ? 0 : key >>> (32 - bits);
    const end = first + (1 << (bits - len));
    for (let s = first; s < end; s++) this.refreshSlot(s);
  }

  /** A slot's start node and fallback match, by a descent from the root. */
  private refreshSlot(s: number): void {
    const bits = this.bits;
    const base = (s << (32 - bits)) | 0;
    let n = this.root;
    let at = -1;
    let best = -1;
    while (n >= 0) {
      const l = this.lenOf(n);
      if (l > bits) {
        // Nothing of length <= bits covers the slot: start at the first node inside it, if any.
        if (at < 0 && ((this.keyOf(n) ^ base) & MASK[bits]!) === 0) at = n;
        break;
      }
      if (((base ^ this.keyOf(n)) & MASK[l]!) !== 0) break;
      at = n;
      if (this.isRoute(n)) best = n;
      if (l === bits) break;
      n = this.childOf(n, (base >>> (31 - l)) & 1);
    }
    this.slots![s << 1] = at;
    this.slots![(s << 1) | 1] = best;
  }

  /** Rebuild the first level if the prefix count calls for another width; true if rebuilt. */
  private resize(): boolean {
    if (this.fixedJumpBits !== undefined) return false;
    const want = jumpBitsFor(this.routeCount);
    // Grow at once; shrink only well below, so a table hovering at a boundary does not rebuild.
    if (want <= this.bits && want >= this.bits - 2) return false;
    this.rebuildJump(want);
    return true;
  }

  private rebuildJump(bits: number): void {
    this.bits = bits;
    if (bits === 0) {
      this.slots = null;
      return;
    }
    this.slots = new Int32Array(2 << bits);
    for (let s = 0; s < 1 << bits; s++) this.refreshSlot(s);
  }

  // ---- multibit level ----

  private resizeDir(): void {
    if (this.fixedDir !== undefined) return;
    if (this.dirRoot === null) {
      if (this.routeCount >= DIR_MIN_PREFIXES) this.buildDir();
    } else if (this.routeCount < DIR_DROP_PREFIXES) {
      this.dropDir();
    }
  }

  private dropDir(): void {
    this.dirRoot = null;
    this.dir = new Int32Array(0);
    this.dirUsed = 0;
    this.dirFree.clear();
    this.deepStart = new Int32Array(0);
    this.deepBest = new Int32Array(0);
    this.deepUsed = 0;
    this.deepFree.length = 0;
  }

  private buildDir(): void {
    this.dropDir();
    this.dirRoot = new Int32Array(1 << 16).fill(-1);
    this.dir = new Int32Array(1024);
    this.deepStart = new Int32Array(64);
    this.deepBest = new Int32Array(64);
    if (this.root < 0) return;
    for (let s = 0; s < 1 << 16; s++) this.rebuildDirSlot(s);
  }

  /** Recompute the root entry of /16 number s, and its chunk if prefixes longer than 16 lie in it. */
  private rebuildDirSlot(s: number): void {
    const root = this.dirRoot!;
    const old = root[s]!;
    if (old < -1) this.freeBlock(-2 - old);
    const base = (s << 16) | 0;
    // The longest route of length <= 16 covering the /16, and the subtree of the nodes inside it.
    let n = this.root;
    let best = -1;
    let sub = -1;
    while (n >= 0) {
      const l = this.lenOf(n);
      if (l > 16) {
        if (((this.keyOf(n) ^ base) & MASK[16]!) === 0) sub = n;
        break;
      }
      if (((base ^ this.keyOf(n)) & MASK[l]!) !== 0) break;
      if (this.isRoute(n)) best = n;
      if (l === 16) {
        if (this.childOf(n, 0) >= 0 || this.childOf(n, 1) >= 0) sub = n;
        break;
      }
      n = this.childOf(n, (base >>> (31 - l)) & 1);
    }
    if (sub < 0) {
      root[s] = best;
      return;
    }
    // Paint the 256 /24s: ancestors come off the stack before their descendants, so a longer
    // prefix overwrites the shorter one it lies in; and any route of length <= 24 covering a /24
    // is an ancestor of the nodes inside it, so `paint[p]` is final when a deep /24 is met.
    const paint = this.paint;
    paint.fill(best);
    const stack = this.walk;
    stack.length = 0;
    stack.push(sub);
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (d < 0) continue;
      const l = this.lenOf(d);
      // A /24 node with children is itself the top of its /24's subtree (the descent takes it
      // whether it is a route or a branch).
      if (l > 24 || (l === 24 && (this.childOf(d, 0) >= 0 || this.childOf(d, 1) >= 0))) {
        const p = (this.keyOf(d) >>> 8) & 255;
        paint[p] = -2 - this.allocDeep(d, paint[p]!);
        continue;
      }
      if (l > 16 && this.isRoute(d)) {
        const first = (this.keyOf(d) >>> 8) & 255;
        paint.fill(d, first, first + (1 << (24 - l)));
      }
      stack.push(this.childOf(d, 0), this.childOf(d, 1));
    }
    let runs = 1;
    for (let p = 1; p < 256; p++) if (paint[p] !== paint[p - 1]) runs++;
    const off = this.allocBlock(HDR + ((runs + 7) & ~7));
    const dir = this.dir;
    let r = off + HDR - 1;
    for (let w = 0; w < 8; w++) {
      dir[off + 2 * w + 1] = r;
      let bm = 0;
      for (let i = 0; i < 32; i++) {
        const p = (w << 5) | i;
        if (p === 0 || paint[p] !== paint[p - 1]) {
          bm |= 1 << i;
          dir[++r] = paint[p]!;
        }
      }
      dir[off + 2 * w] = bm;
    }
    root[s] = -2 - off;
  }

  /** Runs in the chunk block at `off`. */
  private runsOf(off: number): number {
    let runs = 0;
    for (let w = 0; w < 8; w++) {
      let x = this.dir[off + 2 * w]!;
      while (x !== 0) {
        x &= x - 1;
        runs++;
      }
    }
    return runs;
  }

  /**
   * A route of length <= 16 at key/len appeared (from = its up, to = it) or went (the reverse):
   * in its range, every entry whose answer was `from` now answers `to`. Entries answering other
   * nodes name longer prefixes, unaffected: a shorter one than `from` would not be the best.
   */
  private replaceInDir(key: number, len: number, from: number, to: number): void {
    const root = this.dirRoot!;
    const dir = this.dir;
    const first = len === 0 ? 0 : (key >>> 16) & 0xffff;
    const end = first + (1 << (16 - len));
    for (let s = first; s < end; s++) {
      const v = root[s]!;
      if (v >= -1) {
        if (v === from) root[s] = to;
        continue;
      }
      const off = -2 - v;
      const runs = this.runsOf(off);
      for (let r = off + HDR; r < off + HDR + runs; r++) {
        const x = dir[r]!;
        if (x === from) dir[r] = to;
        else if (x < -1 && this.deepBest[-2 - x] === from) this.deepBest[-2 - x] = to;
      }
    }
  }

  private allocBlock(size: number): number {
    const free = this.dirFree.get(size);
    if (free !== undefined && free.length > 0) return free.pop()!;
    const off = this.dirUsed;
    this.dirUsed += size;
    if (this.dirUsed > this.dir.length) {
      let cap = this.dir.length * 2;
      while (cap < this.dirUsed) cap *= 2;
      const dir = new Int32Array(cap);
      dir.set(this.dir);
      this.dir = dir;
    }
    return off;
  }

  private freeBlock(off: number): void {
    const runs = this.runsOf(off);
    for (let r = off + HDR; r < off + HDR + runs; r++) {
      const x = this.dir[r]!;
      if (x < -1) this.deepFree.push(-2 - x);
    }
    const size = HDR + ((runs + 7) & ~7);
    let free = this.dirFree.get(size);
    if (free === undefined) this.dirFree.set(size, (free = []));
    free.push(off);
  }

  private allocDeep(start: number, best: number): number {
    let d = this.deepFree.pop();
    if (d === undefined) {
      d = this.deepUsed++;
      if (d >= this.deepStart.length) {
        const s = new Int32Array(this.deepStart.length * 2);
        s.set(this.deepStart);
        this.deepStart = s;
        const b = new Int32Array(this.deepBest.length * 2);
        b.set(this.deepBest);
        this.deepBest = b;
      }
    }
    this.deepStart[d] = start;
    this.deepBest[d] = best;
    return d;
  }
}
