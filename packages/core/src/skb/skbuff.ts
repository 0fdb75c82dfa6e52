import { NetError } from '../errors/net-error.js';
import { CHECKSUM_NONE, PACKET_HOST, SKB_CB_WORDS, SKB_DESTRUCTOR_NONE } from './constants.js';
import type { SkBuffPool } from './pool.js';
import type { NetDevice } from '../netdevice/net-device.js';

/**
 * A packet: the kernel's `struct sk_buff`. Metadata lives in this object; bytes live in a slot
 * of the pool's shared slab (`buf`), addressed by offsets: `head` (0) ≤ `data` ≤ `tail` ≤ `end`.
 * `len` is `tail - data` (no paged data yet). Header offsets (`macHeader`, ...) index `buf`
 * directly, -1 when unset.
 *
 * Every field is initialised in the constructor and reset by `reset()`, so all SkBuffs share one
 * hidden class and the packet path stays monomorphic. Allocate with `pool.alloc()`, free with
 * `consumeSkb()` or `kfreeSkb(skb, reason)`; never construct one directly.
 */
export class SkBuff {
  /** Serial number, unique per allocation in a World; traces refer to packets by it. */
  id = 0;
  /** The slab slot holding the bytes (shared between clones). */
  buf: Uint8Array;
  /** Slot number in its size class, -1 for a header not holding data. */
  slot = -1;
  /** Size class of the slot. */
  sizeClass = 0;

  head = 0;
  data = 0;
  tail = 0;
  end = 0;
  len = 0;

  macHeader = -1;
  networkHeader = -1;
  transportHeader = -1;
  macLen = 0;

  /** Ethertype in host order (`skb->protocol`, ETH_P_*). */
  protocol = 0;
  /** PACKET_HOST, PACKET_BROADCAST, ... */
  pktType = PACKET_HOST;
  /** The device the packet is on now (changes as rx handlers move it up). */
  dev: NetDevice | null = null;
  /** ifindex the current receive round started on (`skb->skb_iif`). */
  skbIif = 0;

  queueMapping = 0;
  /** NAPI that received it (`skb->napi_id`, see napi/napi-hash.ts); 0 = none. */
  napiId = 0;
  /** The sender allows a new TX queue for its flow (`skb->ooo_okay`: nothing of it in flight). */
  oooOkay = false;
  priority = 0;
  /** Flow hash (`skb->hash`), valid when `hashValid`. */
  hash = 0;
  hashValid = false;
  /** The hash covers the L4 ports (`skb->l4_hash`). */
  l4Hash = false;

  ipSummed = CHECKSUM_NONE;
  /** With CHECKSUM_COMPLETE: ones'-complement sum of the data (16-bit, unfolded allowed). */
  csum = 0;
  /** With CHECKSUM_PARTIAL: offset in `buf` where summing starts, and where the result goes relative to it. */
  csumStart = 0;
  csumOffset = 0;
  csumLevel = 0;

  gsoSize = 0;
  gsoSegs = 0;
  gsoType = 0;

  /** Accelerated VLAN tag: `vlanProto` is 0 when none is present (ETH_P_8021Q/8021AD otherwise). */
  vlanProto = 0;
  vlanTci = 0;

  mark = 0;
  /** Timestamp in ns of the scheduler's clock (0: not stamped). */
  tstamp = 0;

  /** Owning socket, opaque to core; its accounting is released by the destructor. */
  sk: unknown = null;
  /** Route attached by the network layer (`skb_dst`), opaque to core. */
  dst: unknown = null;
  /** Destructor kind (SKB_DESTRUCTOR_*), dispatched through the pool's table. */
  destructor = SKB_DESTRUCTOR_NONE;
  /** Memory charged for this buffer (slot + bookkeeping), as `skb->truesize`. */
  truesize = 0;

  /** Control block private to the layer that owns the packet (TCP: seq, end_seq, flags, sacked). */
  readonly cb = new Uint32Array(SKB_CB_WORDS);

  /** Next in whatever queue holds the packet (intrusive lists, no allocation). */
  next: SkBuff | null = null;
  /** Chain of packets merged into this one (GRO, reassembly). */
  fragList: SkBuff | null = null;
  /** The data slot is shared with a clone. */
  cloned = false;
  /** Set while on the pool's free list: catches use after free and double free. */
  freed = false;

  constructor(
    readonly pool: SkBuffPool,
    buf: Uint8Array,
  ) {
    this.buf = buf;
  }

  /** Return every metadata field to its initial value (same order as the declarations). */
  reset(buf: Uint8Array): void {
    this.id = 0;
    this.buf = buf;
    this.slot = -1;
    this.sizeClass = 0;
    this.head = 0;
    this.data = 0;
    this.tail = 0;
    this.end = 0;
    this.len = 0;
    this.macHeader = -1;
    this.networkHeader = -1;
    this.transportHeader = -1;
    this.macLen = 0;
    this.protocol = 0;
    this.pktType = PACKET_HOST;
    this.dev = null;
    this.skbIif = 0;
    this.queueMapping = 0;
    this.napiId = 0;
    this.oooOkay = false;
    this.priority = 0;
    this.hash = 0;
    this.hashValid = false;
    this.l4Hash = false;
    this.ipSummed = CHECKSUM_NONE;
    this.csum = 0;
    this.csumStart = 0;
    this.csumOffset = 0;
    this.csumLevel = 0;
    this.gsoSize = 0;
    this.gsoSegs = 0;
    this.gsoType = 0;
    this.vlanProto = 0;
    this.vlanTci = 0;
    this.mark = 0;
    this.tstamp = 0;
    this.sk = null;
    this.dst = null;
    this.destructor = SKB_DESTRUCTOR_NONE;
    this.truesize = 0;
    this.cb.fill(0);
    this.next = null;
    this.fragList = null;
    this.cloned = false;
    this.freed = false;
  }

  /** Copy metadata (not bytes, not ownership) from `src`; used by clone and copy. */
  copyMetadataFrom(src: SkBuff): void {
    this.head = src.head;
    this.data = src.data;
    this.tail = src.tail;
    this.end = src.end;
    this.len = src.len;
    this.macHeader = src.macHeader;
    this.networkHeader = src.networkHeader;
    this.transportHeader = src.transportHeader;
    this.macLen = src.macLen;
    this.protocol = src.protocol;
    this.pktType = src.pktType;
    this.dev = src.dev;
    this.skbIif = src.skbIif;
    this.queueMapping = src.queueMapping;
    this.napiId = src.napiId;
    this.oooOkay = src.oooOkay;
    this.priority = src.priority;
    this.hash = src.hash;
    this.hashValid = src.hashValid;
    this.l4Hash = src.l4Hash;
    this.ipSummed = src.ipSummed;
    this.csum = src.csum;
    this.csumStart = src.csumStart;
    this.csumOffset = src.csumOffset;
    this.csumLevel = src.csumLevel;
    this.gsoSize = src.gsoSize;
    this.gsoSegs = src.gsoSegs;
    this.gsoType = src.gsoType;
    this.vlanProto = src.vlanProto;
    this.vlanTci = src.vlanTci;
    this.mark = src.mark;
    this.tstamp = src.tstamp;
    this.dst = src.dst;
    this.cb.set(src.cb);
  }

  headroom(): number {
    return this.data - this.head;
  }

  tailroom(): number {
    return this.end - this.tail;
  }

  /** Extend the data at the tail by `n` bytes (`skb_put`); returns the offset of the new bytes. */
  put(n: number): number {
    const at = this.tail;
    if (n < 0 || at + n > this.end) throw new NetError('EINVAL', `skb_put over end: tail ${at} + ${n} > end ${this.end}`);
    this.tail = at + n;
    this.len += n;
    return at;
  }

  /** Prepend `n` bytes into the headroom (`skb_push`); returns the new `data` offset. */
  push(n: number): number {
    if (n < 0 || n > this.data - this.head) throw new NetError('EINVAL', `skb_push under head: headroom ${this.data - this.head} < ${n}`);
    this.data -= n;
    this.len += n;
    return this.data;
  }

  /** Remove `n` bytes from the front (`skb_pull`); false (nothing changed) when fewer than `n` remain. */
  pull(n: number): boolean {
    if (n > this.len) return false;
    this.data += n;
    this.len -= n;
    return true;
  }

  /** Make `n` bytes of headroom on an empty buffer (`skb_reserve`). */
  reserve(n: number): void {
    if (this.len !== 0 || this.data + n > this.end) throw new NetError('EINVAL', 'skb_reserve on a non-empty buffer or past end');
    this.data += n;
    this.tail += n;
  }

  /** Cut the data to `len` bytes (`skb_trim`). */
  trim(len: number): void {
    if (len < this.len) {
      this.len = len;
      this.tail = this.data + len;
    }
  }

  resetMacHeader(): void {
    this.macHeader = this.data;
  }

  resetNetworkHeader(): void {
    this.networkHeader = this.data;
  }

  resetTransportHeader(): void {
    this.transportHeader = this.data;
  }

  /** A new header sharing these bytes (`skb_clone`): for taps and other readers. Writers `unshare()` first. */
  clone(): SkBuff {
    return this.pool.clone(this);
  }

  /** Give this buffer its own copy of the bytes if they are shared (`skb_unshare`, in place). */
  unshare(): SkBuff {
    if (this.cloned) this.pool.unshareData(this);
    return this;
  }

  /** A full private copy, header and bytes (`skb_copy`). */
  copy(): SkBuff {
    return this.pool.copy(this);
  }

  /** The packet's bytes as a view (allocates a view: for tests and control plane, not the packet path). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.tail);
  }
}
