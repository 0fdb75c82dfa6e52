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
   * @param fixedJumpBits force the first level to this many bits whatever the size (tests use it
   *   to exercise the jump table on small sets); undefined = adaptive.
   */
  constructor(private readonly fixedJumpBits?: number) {
    if (fixedJumpBits !== undefined) this.rebuildJump(fixedJumpBits);
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
    const node = this.node;
    let n: number;
    let best = -1;
    const bits = this.bits;
    if (bits !== 0) {
      const s = (addr >>> (32 - bits)) << 1;
      const slots = this.slots!;
      n = slots[s]!;
      best = slots[s + 1]!;
    } else {
      n = this.root;
    }
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
    this.lostRoute(n);
    // The slots to refresh are those of the highest node removed (or of n, still a branch).
    const [topKey, topLen] = this.prune(n, key | 0, len);
    if (!this.resize()) this.refreshSlots(topKey, topLen);
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
}
