import { NetError } from '../errors/net-error.js';
import { DropReason, SKB_CONSUMED } from './drop-reason.js';
import { NET_SKB_PAD, SKB_DESTRUCTOR_MAX, SKB_DESTRUCTOR_NONE, SKB_TRUESIZE_OVERHEAD } from './constants.js';
import { SkBuff } from './skbuff.js';
import type { NetNamespace } from '../ns/net-namespace.js';

/** Slot sizes of the slab's size classes: a full Ethernet frame, jumbo frames, GRO/TSO super-packets. */
export const SKB_SIZE_CLASSES = [2048, 16384, 65536 + 1024] as const;
const CHUNK_BYTES = 1 << 20;
const EMPTY = new Uint8Array(0);

/** Called with the freed buffer before its header returns to the pool. */
export type SkbDestructorFn = (skb: SkBuff) => void;
/** Observes every free (drops and consumes), e.g. to count drops per namespace. */
export type SkbFreeObserver = (skb: SkBuff, reason: number, net: NetNamespace | null) => void;

class SizeClass {
  readonly views: Uint8Array[] = [];
  readonly refs: number[] = [];
  readonly free: number[] = [];
  readonly chunks: SharedArrayBuffer[] = [];

  constructor(readonly slotSize: number) {}

  grow(): void {
    const perChunk = Math.max(4, Math.floor(CHUNK_BYTES / this.slotSize));
    const sab = new SharedArrayBuffer(perChunk * this.slotSize);
    this.chunks.push(sab);
    const first = this.views.length;
    for (let i = 0; i < perChunk; i++) {
      this.views.push(new Uint8Array(sab, i * this.slotSize, this.slotSize));
      this.refs.push(0);
    }
    // Hand out low slot numbers first: keeps the working set small and runs deterministic.
    for (let i = first + perChunk - 1; i >= first; i--) this.free.push(i);
  }
}

/**
 * Where every `SkBuff` comes from: headers are recycled objects, bytes live in fixed-size slots
 * of `SharedArrayBuffer` chunks (so a later shard-per-core design can pass buffers between
 * workers). The pool grows on demand and never shrinks. `live` and `liveSlots` let a test prove
 * that nothing leaked: after a scenario both are back to their baseline.
 */
export class SkBuffPool {
  private readonly classes = SKB_SIZE_CLASSES.map((size) => new SizeClass(size));
  private readonly freeHeaders: SkBuff[] = [];
  private readonly destructors: (SkbDestructorFn | null)[] = new Array(SKB_DESTRUCTOR_MAX).fill(null);
  private nextId = 1;
  private observer: SkbFreeObserver | null = null;

  /** Headers handed out and not yet freed. */
  live = 0;
  /** Data slots referenced by at least one live header. */
  liveSlots = 0;
  /** Buffers freed with a drop reason / consumed, since creation. */
  dropped = 0;
  consumed = 0;

  /** Largest `size + headroom` one buffer can hold. */
  get maxBufferSize(): number {
    return SKB_SIZE_CLASSES[SKB_SIZE_CLASSES.length - 1]!;
  }

  /** Install the function run for destructor kind `kind` (SKB_DESTRUCTOR_*). */
  setDestructor(kind: number, fn: SkbDestructorFn | null): void {
    if (!(kind > SKB_DESTRUCTOR_NONE && kind < SKB_DESTRUCTOR_MAX)) throw new NetError('EINVAL', `destructor kind ${kind} out of range`);
    this.destructors[kind] = fn;
  }

  /** @internal The World counts drops per namespace through this. */
  setFreeObserver(observer: SkbFreeObserver | null): void {
    this.observer = observer;
  }

  /**
   * A buffer with room for `size` bytes after `headroom` bytes (`alloc_skb` + `skb_reserve`).
   * `len` is 0; use `put()` to add data.
   */
  alloc(size: number, headroom: number = NET_SKB_PAD): SkBuff {
    const need = size + headroom;
    if (!(size >= 0 && headroom >= 0) || need > this.maxBufferSize) {
      throw new NetError('EMSGSIZE', `cannot allocate ${size} bytes + ${headroom} headroom (max ${this.maxBufferSize})`);
    }
    let c = 0;
    while (SKB_SIZE_CLASSES[c]! < need) c++;
    const skb = this.header();
    this.attachSlot(skb, c);
    skb.data = headroom;
    skb.tail = headroom;
    return skb;
  }

  /** A buffer holding a copy of `bytes` (tests, control plane, drivers receiving from outside). */
  allocFrom(bytes: Uint8Array, headroom: number = NET_SKB_PAD): SkBuff {
    const skb = this.alloc(bytes.length, headroom);
    skb.buf.set(bytes, skb.put(bytes.length));
    return skb;
  }

  /** Free a consumed buffer (`consume_skb`): delivered, not dropped. */
  consume(skb: SkBuff): void {
    this.release(skb, SKB_CONSUMED);
  }

  /**
   * Free a dropped buffer (`kfree_skb_reason`): every drop has a reason. It is counted in the
   * namespace of `skb.dev`, or in `net` when given (packets not yet on a device).
   */
  drop(skb: SkBuff, reason: DropReason, net: NetNamespace | null = null): void {
    this.release(skb, reason, net);
  }

  /** @internal */
  clone(src: SkBuff): SkBuff {
    if (src.freed) throw new NetError('EINVAL', `clone of freed skb ${src.id}`);
    const skb = this.header();
    skb.copyMetadataFrom(src);
    skb.buf = src.buf;
    skb.slot = src.slot;
    skb.sizeClass = src.sizeClass;
    skb.truesize = src.truesize;
    this.classes[src.sizeClass]!.refs[src.slot]!++;
    skb.cloned = true;
    src.cloned = true;
    return skb;
  }

  /** @internal */
  copy(src: SkBuff): SkBuff {
    if (src.freed) throw new NetError('EINVAL', `copy of freed skb ${src.id}`);
    const skb = this.header();
    this.attachSlot(skb, src.sizeClass);
    skb.copyMetadataFrom(src);
    skb.buf.set(src.buf.subarray(src.head, src.tail), src.head);
    return skb;
  }

  /** @internal Give `skb` a private copy of its bytes when its slot is shared. */
  unshareData(skb: SkBuff): void {
    const cls = this.classes[skb.sizeClass]!;
    if (cls.refs[skb.slot] === 1) {
      skb.cloned = false;
      return;
    }
    const oldBuf = skb.buf;
    const oldSlot = skb.slot;
    this.attachSlot(skb, skb.sizeClass);
    skb.buf.set(oldBuf.subarray(skb.head, skb.tail), skb.head);
    this.releaseSlot(skb.sizeClass, oldSlot);
    skb.cloned = false;
  }

  /** Bytes of slab allocated so far, all classes. */
  get slabBytes(): number {
    let total = 0;
    for (const cls of this.classes) total += cls.views.length * cls.slotSize;
    return total;
  }

  private header(): SkBuff {
    const skb = this.freeHeaders.pop() ?? new SkBuff(this, EMPTY);
    skb.reset(EMPTY);
    skb.id = this.nextId++;
    this.live++;
    return skb;
  }

  private attachSlot(skb: SkBuff, c: number): void {
    const cls = this.classes[c]!;
    if (cls.free.length === 0) cls.grow();
    const slot = cls.free.pop()!;
    cls.refs[slot] = 1;
    this.liveSlots++;
    skb.buf = cls.views[slot]!;
    skb.slot = slot;
    skb.sizeClass = c;
    skb.head = 0;
    skb.end = cls.slotSize;
    skb.truesize = cls.slotSize + SKB_TRUESIZE_OVERHEAD;
  }

  private releaseSlot(c: number, slot: number): void {
    const cls = this.classes[c]!;
    if (--cls.refs[slot]! === 0) {
      cls.free.push(slot);
      this.liveSlots--;
    }
  }

  /** @internal Run the destructor now and detach the owning socket (`skb_orphan`). */
  orphan(skb: SkBuff): void {
    if (skb.destructor !== SKB_DESTRUCTOR_NONE) {
      const fn = this.destructors[skb.destructor];
      skb.destructor = SKB_DESTRUCTOR_NONE;
      if (fn !== null && fn !== undefined) fn(skb);
    }
    skb.sk = null;
  }

  private release(skb: SkBuff, reason: number, net: NetNamespace | null = null): void {
    if (skb.freed) throw new NetError('EINVAL', `double free of skb ${skb.id}`);
    let frag = skb.fragList;
    skb.fragList = null;
    while (frag !== null) {
      const next = frag.next;
      frag.next = null;
      this.release(frag, reason, net);
      frag = next;
    }
    this.orphan(skb);
    if (reason === SKB_CONSUMED) this.consumed++;
    else this.dropped++;
    if (this.observer !== null) this.observer(skb, reason, net);
    if (skb.slot >= 0) this.releaseSlot(skb.sizeClass, skb.slot);
    skb.freed = true;
    skb.sk = null;
    skb.dst = null;
    skb.dev = null;
    skb.next = null;
    skb.buf = EMPTY;
    skb.slot = -1;
    this.live--;
    this.freeHeaders.push(skb);
  }
}

/**
 * `skb_orphan`: release the owning socket's accounting now (drivers that hand a buffer to another
 * device, as veth and lo do, complete the transmit at that moment).
 */
export function skbOrphan(skb: SkBuff): void {
  skb.pool.orphan(skb);
}

/**
 * `skb_scrub_packet`: clear state that must not cross into another device's receive path (the
 * route included);
 * `xnet` (crossing namespaces) also clears the mark. The socket reference stays (kernels since
 * 4.19), so a sender's memory accounting and TSQ see the buffer until the receiver frees it.
 */
export function skbScrubPacket(skb: SkBuff, xnet: boolean): void {
  skb.dst = null;
  skb.tstamp = 0;
  skb.pktType = 0;
  skb.skbIif = 0;
  if (xnet) skb.mark = 0;
}

/** Free a buffer that was delivered (`consume_skb`). */
export function consumeSkb(skb: SkBuff): void {
  skb.pool.consume(skb);
}

/**
 * Free a buffer that was dropped, with the kernel's reason (`kfree_skb_reason`). The drop is
 * counted in the namespace of `skb.dev`, or in `net` for a packet not on a device yet.
 */
export function kfreeSkb(skb: SkBuff, reason: DropReason, net: NetNamespace | null = null): void {
  skb.pool.drop(skb, reason, net);
}

export { DropReason };
