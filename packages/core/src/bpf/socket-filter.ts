/**
 * Socket filters (`SO_ATTACH_FILTER`, `SO_DETACH_FILTER`, `SO_LOCK_FILTER`, `SO_GET_FILTER`):
 * `SocketFilter` is one attached program (the kernel's `struct sk_filter`), compiled once and
 * run per packet; `SocketFilterSlot` is the socket's `sk->sk_filter` pointer with its
 * `SOCK_FILTER_LOCKED` flag and the `sk_attach_filter()` / `sk_detach_filter()` /
 * `sk_filter_trim_cap()` rules. UDP, TCP and packet sockets each hold a slot; a filter belongs
 * to its socket, so it runs after the socket lookup, on the data the socket would queue (TCP
 * from the TCP header with `cap` = its length, UDP from the UDP header with `cap` = 8, packet
 * sockets from the link-layer header with `cap` = 0).
 */
import { NetError } from '../errors/net-error.js';
import type { SkBuff } from '../skb/skbuff.js';
import { BpfContext, bpfContextFromSkb, type BpfRandom } from './context.js';
import type { BpfProgram, SockFilter } from './insn.js';
import { bpfCompile, type BpfJitFn } from './jit.js';
import { bpfValidate } from './validate.js';

/** One attached classic BPF program, validated and compiled. */
export class SocketFilter {
  /** The program as attached (a private copy): what `SO_GET_FILTER` returns. */
  readonly prog: readonly SockFilter[];
  private readonly fn: BpfJitFn;
  /** Reused for every run: the packet path fills it, never allocates one. */
  private readonly ctx: BpfContext;

  /** Validates (NetError EINVAL) and compiles `prog`; `random` feeds SKF_AD_RANDOM. */
  constructor(prog: BpfProgram, random: BpfRandom) {
    bpfValidate(prog);
    // A private copy, as the kernel copies from user memory: later edits to the caller's array change nothing.
    this.prog = prog.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));
    this.fn = bpfCompile(this.prog);
    this.ctx = new BpfContext(random);
  }

  /** Instructions in the program. */
  get length(): number {
    return this.prog.length;
  }

  /**
   * Run the filter on `skb`'s data (from `skb.data`, `skb.len` bytes) and return how many bytes
   * to keep: 0 to drop, otherwise `max(cap, result)` as `sk_filter_trim_cap()` passes to
   * `pskb_trim()` — possibly more than `skb.len`, which then stays whole. `cpu` is what
   * SKF_AD_CPU reads.
   */
  run(skb: SkBuff, cap: number, cpu = 0): number {
    const res = this.fn(skb.buf, skb.data, skb.len, bpfContextFromSkb(this.ctx, skb, cpu));
    if (res === 0) return 0;
    return res > cap ? res : cap;
  }
}

/** A socket's filter pointer and lock flag, with the kernel's setsockopt/getsockopt rules. */
export class SocketFilterSlot {
  /** The attached filter (`sk->sk_filter`), null when none. */
  filter: SocketFilter | null = null;
  /** `SOCK_FILTER_LOCKED`: set by SO_LOCK_FILTER, never cleared. */
  locked = false;

  constructor(private readonly random: BpfRandom) {}

  /**
   * `SO_ATTACH_FILTER` (`sk_attach_filter()`): EPERM when locked, EINVAL when the program fails
   * validation; otherwise it replaces any filter attached before.
   */
  attach(prog: BpfProgram): void {
    if (this.locked) throw new NetError('EPERM', 'SO_ATTACH_FILTER: the socket filter is locked (SO_LOCK_FILTER)');
    this.filter = new SocketFilter(prog, this.random);
  }

  /** `SO_DETACH_FILTER` (`sk_detach_filter()`): EPERM when locked, ENOENT when nothing is attached. */
  detach(): void {
    if (this.locked) throw new NetError('EPERM', 'SO_DETACH_FILTER: the socket filter is locked (SO_LOCK_FILTER)');
    if (this.filter === null) throw new NetError('ENOENT', 'SO_DETACH_FILTER: no filter attached');
    this.filter = null;
  }

  /** `SO_LOCK_FILTER`: locking is one-way; asking to unlock a locked socket is EPERM. */
  lock(on: boolean): void {
    if (this.locked && !on) throw new NetError('EPERM', 'SO_LOCK_FILTER: a locked filter cannot be unlocked');
    this.locked = on;
  }

  /** `SO_GET_FILTER`: a copy of the attached program, or null (the kernel answers length 0). */
  get(): SockFilter[] | null {
    return this.filter === null ? null : this.filter.prog.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));
  }

  /**
   * `sk_filter_trim_cap()`: with no filter, keep the packet; with one, drop it (false) when the
   * program returns 0, else trim it to `max(cap, result)` bytes (never below `cap`, and a trim
   * never lengthens) and keep it (true). The caller frees a dropped packet with
   * SKB_DROP_REASON_SOCKET_FILTER.
   */
  trimCap(skb: SkBuff, cap: number, cpu = 0): boolean {
    const filter = this.filter;
    if (filter === null) return true;
    const keep = filter.run(skb, cap, cpu);
    if (keep === 0) return false;
    skb.trim(keep);
    return true;
  }
}
