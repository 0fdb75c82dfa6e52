/**
 * PACKET_FANOUT (`struct packet_fanout`, `packet_rcv_fanout`): sockets of one namespace that join
 * the same group id share one registration; each packet goes to one member, picked by the mode
 * (hash of the flow, round robin, CPU, random, RX queue, rollover, or a classic BPF program),
 * optionally rolling over to a member with room. The member then receives it as its own
 * `packet_rcv` would (filter, snap length, receive buffer), so the group costs one clone per
 * packet however many members it has.
 */
import { NetError, PACKET_OUTGOING, consumeSkb, reciprocalScale, type NetDevice, type NetNamespace, type PacketType, type SkBuff, type SocketFilter } from '@netstack/core';
import {
  PACKET_FANOUT_CBPF,
  PACKET_FANOUT_CPU,
  PACKET_FANOUT_FLAG_IGNORE_OUTGOING,
  PACKET_FANOUT_FLAG_ROLLOVER,
  PACKET_FANOUT_HASH,
  PACKET_FANOUT_LB,
  PACKET_FANOUT_QM,
  PACKET_FANOUT_RND,
  PACKET_FANOUT_ROLLOVER,
} from './constants.js';
import { flowHashSymmetric } from './flow-hash.js';
import type { PacketNet } from './packet-net.js';
import type { PacketSocket } from './packet-socket.js';

/** `packet_rcv_has_room` verdicts. */
export const ROOM_NONE = 0;
export const ROOM_LOW = 1;
export const ROOM_NORMAL = 2;

/** Entries of a socket's rollover history (ROLLOVER_HLEN). */
export const ROLLOVER_HLEN = 128;

/** PACKET_ROLLOVER_STATS (`tpacket_rollover_stats`). */
export class RolloverStats {
  num = 0;
  numHuge = 0;
  numFailed = 0;
}

/** Per-socket rollover state (`struct packet_rollover`). */
export class Rollover {
  sock = 0;
  readonly history = new Uint32Array(ROLLOVER_HLEN);
  readonly stats = new RolloverStats();
}

export class Fanout {
  /** Members receiving now (`arr[0 .. num_members)`). */
  readonly members: PacketSocket[] = [];
  /** Sockets that joined (`sk_ref`), receiving or not. */
  refs = 0;
  /** Round-robin counter (`rr_cur`). */
  rrCur = 0;
  /** PACKET_FANOUT_DATA program for PACKET_FANOUT_CBPF. */
  prog: SocketFilter | null = null;
  readonly pt: PacketType;
  readonly ignoreOutgoing: boolean;
  private readonly ns: NetNamespace;

  constructor(
    readonly net: PacketNet,
    readonly id: number,
    readonly type: number,
    /** Flags as the kernel stores them (`type_flags >> 8`, UNIQUEID dropped). */
    readonly flags: number,
    readonly maxMembers: number,
    readonly protType: number,
    readonly dev: NetDevice | null,
  ) {
    this.ns = net.ns;
    this.ignoreOutgoing = ((flags << 8) & PACKET_FANOUT_FLAG_IGNORE_OUTGOING) !== 0;
    this.pt = { type: protType, dev, func: fanoutRcv, data: this, owner: `packet fanout ${id}` };
  }

  hasFlag(flag: number): boolean {
    return ((this.flags << 8) & flag) !== 0;
  }

  /** `__fanout_link`: the first member registers the group's hook. */
  link(sk: PacketSocket): void {
    this.members.push(sk);
    if (this.members.length === 1) this.ns.devAddPack(this.pt);
  }

  /** `__fanout_unlink`: the last member out removes it. */
  unlink(sk: PacketSocket): void {
    const i = this.members.indexOf(sk);
    if (i < 0) return;
    this.members[i] = this.members[this.members.length - 1]!;
    this.members.pop();
    if (this.members.length === 0) removePack(this.ns, this.pt);
  }

  /** `packet_rcv_fanout`: pick a member and hand it the packet. */
  rcv(skb: SkBuff, dev: NetDevice, origDev: NetDevice): number {
    const num = this.members.length;
    if (dev.net !== this.ns || num === 0 || (this.ignoreOutgoing && skb.pktType === PACKET_OUTGOING)) {
      consumeSkb(skb);
      return 0;
    }
    let idx: number;
    switch (this.type) {
      case PACKET_FANOUT_LB:
        idx = ++this.rrCur % num;
        break;
      case PACKET_FANOUT_CPU:
        idx = this.ns.world.currentCpu % num;
        break;
      case PACKET_FANOUT_RND:
        idx = reciprocalScale(this.ns.random.u32(), num);
        break;
      case PACKET_FANOUT_QM:
        idx = skb.queueMapping % num;
        break;
      case PACKET_FANOUT_ROLLOVER:
        idx = this.rollover(skb, 0, false, num);
        break;
      case PACKET_FANOUT_CBPF:
        idx = this.prog === null ? 0 : this.prog.run(skb, 0, this.ns.world.currentCpu) % num;
        break;
      case PACKET_FANOUT_HASH:
      default:
        idx = reciprocalScale(flowHashSymmetric(skb, this.net.hashSeed), num);
        break;
    }
    if (this.hasFlag(PACKET_FANOUT_FLAG_ROLLOVER)) idx = this.rollover(skb, idx, true, num);
    return this.members[idx]!.rcv(skb, dev, origDev);
  }

  /** `fanout_demux_rollover`: stay on `idx` while it has room, else the next member with room. */
  private rollover(skb: SkBuff, idx: number, trySelf: boolean, num: number): number {
    const po = this.members[idx]!;
    const ro = po.rollover!;
    let room = ROOM_NONE;
    let skip: PacketSocket | null = null;
    if (trySelf) {
      room = po.roomFor(skb);
      if (room === ROOM_NORMAL || (room === ROOM_LOW && !this.flowIsHuge(po, skb))) return idx;
      skip = po;
    }
    let i = Math.min(ro.sock, num - 1);
    const j = i;
    do {
      const next = this.members[i]!;
      if (next !== skip && !next.pressure && next.roomFor(skb) === ROOM_NORMAL) {
        if (i !== j) ro.sock = i;
        ro.stats.num++;
        if (room === ROOM_LOW) ro.stats.numHuge++;
        return i;
      }
      if (++i === num) i = 0;
    } while (i !== j);
    ro.stats.numFailed++;
    return idx;
  }

  /** `fanout_flow_is_huge`: this flow holds more than half of the socket's recent history. */
  private flowIsHuge(po: PacketSocket, skb: SkBuff): boolean {
    const history = po.rollover!.history;
    const rxhash = flowHashSymmetric(skb, this.net.hashSeed);
    let count = 0;
    for (let i = 0; i < ROLLOVER_HLEN; i++) if (history[i] === rxhash) count++;
    history[reciprocalScale(this.ns.random.u32(), ROLLOVER_HLEN)] = rxhash;
    return count > ROLLOVER_HLEN >> 1;
  }
}

function fanoutRcv(skb: SkBuff, dev: NetDevice, pt: PacketType, origDev: NetDevice): number {
  return (pt.data as Fanout).rcv(skb, dev, origDev);
}

/** `dev_remove_pack`, tolerating a registration core already dropped with its device. */
export function removePack(ns: NetNamespace, pt: PacketType): void {
  try {
    ns.devRemovePack(pt);
  } catch (err) {
    if (!(err instanceof NetError && err.code === 'ENOENT')) throw err;
  }
}
