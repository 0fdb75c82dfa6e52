/**
 * IPv4 reassembly: `ip_defrag` and `ip_frag_queue` (net/ipv4/ip_fragment.c) over the shared
 * queue machinery of net/ipv4/inet_fragment.c, with Linux 6.18's rules:
 * - queues keyed by (saddr, daddr, id, protocol) in a seeded hash table;
 * - memory (each queue's size plus its fragments' truesize) capped by `ipfrag_high_thresh`:
 *   once full, new fragments are refused and counted as ReasmFails (no eviction since 4.17);
 * - a queue lives `ipfrag_time` seconds from its creation; on expiry the offset-0 fragment, if
 *   it came, goes to `onTimeout` (the IP layer answers ICMP time exceeded, code 1);
 * - duplicates are dropped (DUP_FRAG), any other overlap discards the whole datagram (since
 *   4.19, RFC 5722's rule applied to IPv4), as do an inconsistent end and a zero-length fragment;
 * - `ipfrag_max_dist`: a queue whose source sent more than that many fragments since the
 *   queue's previous one is restarted, its fragments dropped as FRAG_TOO_FAR;
 * - a datagram longer than 65535 bytes is found when it completes, and dropped.
 */
import {
  CHECKSUM_COMPLETE,
  CHECKSUM_NONE,
  CHECKSUM_UNNECESSARY,
  DropReason,
  NSEC_PER_SEC,
  SKB_CONSUMED,
  consumeSkb,
  kfreeSkb,
  readU16,
  readU32,
  skbOrphan,
  type MibGroup,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { IPV4_HLEN, IP_DF, IP_MF, IP_MAX_MTU, IP_OFFSET } from '../wire/ipv4.js';
import { FragPeerTable } from './frag-peer.js';
import { resolveIpFragSlots, type IpFragSlots } from './frag-mib.js';
import { IPFRAG_ECN_INVALID, buildReassembled, fragMaxSize, ipFragEcn, reasmLength } from './frag-reasm.js';
import { registerFragSysctls, type FragConf } from './frag-sysctl.js';
import { FragTable } from './frag-table.js';
import {
  INET_FRAG_FIRST_IN,
  INET_FRAG_LAST_IN,
  IPFRAG_DUP,
  IPFRAG_OK,
  IPQ_QSIZE,
  fragPullHead,
  fragQueueInsert,
  type Ipq,
} from './ipq.js';

export class Ipv4Defrag {
  /** The `net.ipv4.ipfrag_*` values in force. */
  readonly conf: FragConf;
  /** Bytes held: queue sizes plus fragment truesize (`frag_mem_limit`, sockstat "FRAG memory"). */
  memory = 0;
  /**
   * Of the datagram `defrag` last returned: the largest fragment's size (`IPCB->frag_max_size`),
   * and whether that fragment had DF (`IPSKB_FRAG_PMTU`; the header then has DF set), which a
   * forwarder needs to refragment no larger than the sender did.
   */
  fragMaxSize = 0;
  fragPmtu = false;

  private readonly mib: Float64Array;
  private readonly slots: IpFragSlots;
  private readonly extMib: Float64Array | null;
  private readonly overlapSlot: number;
  private readonly table: FragTable;
  private readonly peers: FragPeerTable;

  /**
   * @param ipMib the namespace's `Ip` group (ReasmReqds, ReasmOKs, ReasmFails, ReasmTimeout, ...)
   * @param onTimeout gets the first fragment (data at its IPv4 header, `dev` set to the device of
   *   the latest fragment) of a queue that timed out, before it is freed: the IP layer routes it
   *   and, as a local destination, sends ICMP time exceeded / fragment reassembly time exceeded.
   *   It must not keep the buffer (clone or copy it). Not called when no fragment had a device.
   * @param ipExtMib the `IpExt` group, if it has `ReasmOverlaps` (counted on each overlap).
   */
  constructor(
    private readonly ns: NetNamespace,
    ipMib: MibGroup,
    private readonly onTimeout: (skb: SkBuff) => void,
    ipExtMib?: MibGroup,
  ) {
    this.conf = registerFragSysctls(ns.sysctl);
    this.mib = ipMib.values;
    this.slots = resolveIpFragSlots(ipMib);
    const hasOverlaps = ipExtMib !== undefined && ipExtMib.fields.includes('ReasmOverlaps');
    this.extMib = hasOverlaps ? ipExtMib.values : null;
    this.overlapSlot = hasOverlaps ? ipExtMib.slot('ReasmOverlaps') : -1;
    const scheduler = ns.world.scheduler;
    this.table = new FragTable(
      ns.random.u32(),
      (callback) => scheduler.createTimer(callback),
      (q) => this.expire(q),
    );
    this.peers = new FragPeerTable(ns.random.u32());
  }

  /** Queues waiting for fragments (sockstat "FRAG inuse"). */
  get queueCount(): number {
    return this.table.count;
  }

  /**
   * `ip_defrag`: take a fragment (data at its IPv4 header, header already validated by input)
   * and return the reassembled datagram when this fragment completes it, else null: the fragment
   * is then queued, or freed with its drop reason. The caller no longer owns `skb` either way.
   */
  defrag(skb: SkBuff): SkBuff | null {
    const mib = this.mib;
    const slots = this.slots;
    mib[slots.reasmReqds]!++;

    // ip_rcv has checked all this; a direct caller may not have, and a bad header must not throw.
    const buf = skb.buf;
    const nh = skb.data;
    if (skb.len < IPV4_HLEN) return this.refuse(skb, DropReason.PKT_TOO_SMALL);
    const ihl = (buf[nh]! & 0x0f) << 2;
    const totLen = readU16(buf, nh + 2);
    if (ihl < IPV4_HLEN || totLen < ihl) return this.refuse(skb, DropReason.IP_INHDR);
    if (totLen > skb.len) return this.refuse(skb, DropReason.PKT_TOO_SMALL);
    // A buffer with a chain of its own (GRO) is not something input hands to reassembly.
    if (skb.fragList !== null) return this.refuse(skb, DropReason.NOT_SPECIFIED);
    if (skb.len > totLen) {
      skb.trim(totLen); // link-layer padding, as ip_rcv's pskb_trim_rcsum
      if (skb.ipSummed === CHECKSUM_COMPLETE) skb.ipSummed = CHECKSUM_NONE;
    }
    skb.networkHeader = nh;

    const saddr = readU32(buf, nh + 12);
    const daddr = readU32(buf, nh + 16);
    const id = readU16(buf, nh + 4);
    const protocol = buf[nh + 9]!;
    const hash = this.table.hash(saddr, daddr, id, protocol);
    let q = this.table.lookup(hash, saddr, daddr, id, protocol);

    // inet_frag_find refuses once memory is over high_thresh. We refuse a fragment whose
    // admission would take it over, so the bound holds exactly (the kernel may overshoot by
    // one fragment); high_thresh 0 refuses everything, as in the kernel.
    const high = this.conf.highThresh;
    const need = skb.truesize + (q === null ? IPQ_QSIZE : 0);
    if (high === 0 || this.memory + need > high) return this.refuse(skb, DropReason.NOT_SPECIFIED);
    if (q === null) q = this.createQueue(hash, saddr, daddr, id, protocol);
    return this.queue(q, skb, ihl);
  }

  /**
   * Drop every queue without counting (`fqdir_pre_exit` on namespace teardown: fragments freed
   * as FRAG_REASM_TIMEOUT, no ICMP).
   */
  flush(): void {
    for (const q of this.table.all()) this.destroy(q, DropReason.FRAG_REASM_TIMEOUT);
  }

  /** `inet_frag_create` + `ip4_frag_init`. */
  private createQueue(hash: number, saddr: number, daddr: number, id: number, protocol: number): Ipq {
    const q = this.table.insert(hash, saddr, daddr, id, protocol);
    if (this.conf.maxDist !== 0) q.peer = this.peers.acquire(saddr);
    this.memory += IPQ_QSIZE;
    q.timer.arm(this.conf.timeSec * NSEC_PER_SEC);
    return q;
  }

  /** `ip_frag_queue`. */
  private queue(q: Ipq, skb: SkBuff, ihl: number): SkBuff | null {
    if (this.tooFar(q)) this.reinit(q);

    const buf = skb.buf;
    const nh = skb.data;
    const ecn = 1 << (buf[nh + 1]! & 0x03);
    const fragOff = readU16(buf, nh + 6);
    const offset = (fragOff & IP_OFFSET) << 3;
    let end = offset + skb.len - ihl;

    if ((fragOff & IP_MF) === 0) {
      // The last fragment: no data may lie beyond it, and there is only one end.
      if (end < q.len || ((q.flags & INET_FRAG_LAST_IN) !== 0 && end !== q.len)) return this.discardQueue(q, skb);
      q.flags |= INET_FRAG_LAST_IN;
      q.len = end;
    } else {
      // RFC 791: every fragment but the last carries a multiple of 8 bytes; the rest is cut.
      if ((end & 7) !== 0) {
        end &= ~7;
        if (skb.ipSummed !== CHECKSUM_UNNECESSARY) skb.ipSummed = CHECKSUM_NONE;
      }
      if (end > q.len) {
        if ((q.flags & INET_FRAG_LAST_IN) !== 0) return this.discardQueue(q, skb);
        q.len = end;
      }
    }
    // Nothing in it (an empty fragment, or fewer than 8 bytes with MF): the datagram is bad.
    if (end === offset) return this.discardQueue(q, skb);

    skb.pull(ihl);
    skb.trim(end - offset);
    const res = fragQueueInsert(q, skb, offset, end);
    if (res !== IPFRAG_OK) {
      if (res === IPFRAG_DUP) {
        kfreeSkb(skb, DropReason.DUP_FRAG, this.ns);
        return null;
      }
      if (this.extMib !== null) this.extMib[this.overlapSlot]!++;
      return this.discardQueue(q, skb);
    }

    if (skb.dev !== null) q.iif = skb.dev.ifindex;
    q.stamp = skb.tstamp;
    q.meat += skb.len;
    q.ecn |= ecn;
    q.truesize += skb.truesize;
    this.memory += skb.truesize;
    if (offset === 0) q.flags |= INET_FRAG_FIRST_IN;
    const fragsize = skb.len + ihl;
    if (fragsize > q.maxSize) q.maxSize = fragsize;
    if ((fragOff & IP_DF) !== 0 && fragsize > q.maxDfSize) q.maxDfSize = fragsize;

    if (q.flags === (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) && q.meat === q.len) return this.reasm(q, skb);

    // Held for later: no route, no socket accounting while queued (skb_dst_drop, skb_orphan).
    skb.dst = null;
    skbOrphan(skb);
    return null;
  }

  /** `ip_frag_reasm`: the queue is complete. */
  private reasm(q: Ipq, completing: SkBuff): SkBuff | null {
    this.table.unlink(q);
    q.timer.cancel();
    const ecn = ipFragEcn(q.ecn);
    if (ecn === IPFRAG_ECN_INVALID) return this.failReasm(q, DropReason.NOT_SPECIFIED);
    // RFC 791: a datagram is at most 65535 bytes; fragments offset near 64 KiB can claim more
    // (the "ping of death"). Only visible once every piece is in.
    if (reasmLength(q) > IP_MAX_MTU) return this.failReasm(q, DropReason.PKT_TOO_BIG);
    const out = buildReassembled(q, completing, ecn);
    this.fragMaxSize = fragMaxSize(q);
    this.fragPmtu = q.maxDfSize === q.maxSize;
    this.mib[this.slots.reasmOKs]!++;
    this.destroy(q, SKB_CONSUMED);
    return out;
  }

  private failReasm(q: Ipq, reason: DropReason): null {
    this.mib[this.slots.reasmFails]!++;
    this.destroy(q, reason);
    return null;
  }

  /** `ip_frag_too_far`: more than max_dist fragments from this source since the queue's last one. */
  private tooFar(q: Ipq): boolean {
    const peer = q.peer;
    const max = this.conf.maxDist;
    if (peer === null || max === 0) return false;
    const start = q.rid;
    const end = (peer.rid + 1) >>> 0;
    peer.rid = end;
    q.rid = end;
    if (q.tail === null || ((end - start) >>> 0) <= max) return false;
    this.mib[this.slots.reasmFails]!++;
    return true;
  }

  /** `ip_frag_reinit`: start the queue over, with a fresh timer. */
  private reinit(q: Ipq): void {
    q.timer.arm(this.conf.timeSec * NSEC_PER_SEC);
    this.memory -= q.truesize;
    freeRuns(q.runs, DropReason.FRAG_TOO_FAR, this.ns);
    q.clearFragments();
  }

  /** `discard_qp`: the datagram cannot be rebuilt; it and this fragment go. */
  private discardQueue(q: Ipq, skb: SkBuff): null {
    this.destroy(q, DropReason.NOT_SPECIFIED);
    this.mib[this.slots.reasmFails]!++;
    kfreeSkb(skb, DropReason.NOT_SPECIFIED, this.ns);
    return null;
  }

  /** No queue for this fragment (`ip_defrag` when `ip_find` fails, and bad headers). */
  private refuse(skb: SkBuff, reason: DropReason): null {
    this.mib[this.slots.reasmFails]!++;
    kfreeSkb(skb, reason, this.ns);
    return null;
  }

  /** `ip_expire`: the queue's time is up. */
  private expire(q: Ipq): void {
    this.table.unlink(q);
    this.mib[this.slots.reasmFails]!++;
    this.mib[this.slots.reasmTimeout]!++;
    let head: SkBuff | null = null;
    if ((q.flags & INET_FRAG_FIRST_IN) !== 0) {
      head = fragPullHead(q);
      if (head !== null) this.memory -= head.truesize;
    }
    try {
      const dev = head !== null && q.iif !== 0 ? (this.ns.devByIndex(q.iif) ?? null) : null;
      if (head !== null && dev !== null) {
        head.dev = dev;
        head.push(head.data - head.networkHeader);
        this.onTimeout(head);
      }
    } finally {
      if (head !== null) kfreeSkb(head, DropReason.FRAG_REASM_TIMEOUT, this.ns);
      this.destroy(q, DropReason.FRAG_REASM_TIMEOUT);
    }
  }

  /** `inet_frag_kill` + `inet_frag_destroy`: unhash, stop the timer, free what is held. */
  private destroy(q: Ipq, reason: number): void {
    this.table.unlink(q);
    q.timer.cancel();
    this.memory -= q.truesize + IPQ_QSIZE;
    freeRuns(q.runs, reason, this.ns);
    if (q.peer !== null) this.peers.release(q.peer);
    this.table.recycle(q);
  }
}

/** `inet_frag_rbtree_purge`: free every fragment of every run (a run head frees its chain). */
function freeRuns(run: SkBuff | null, reason: number, ns: NetNamespace): void {
  while (run !== null) {
    const next = run.next;
    run.next = null;
    if (reason === SKB_CONSUMED) consumeSkb(run);
    else kfreeSkb(run, reason as DropReason, ns);
    run = next;
  }
}
