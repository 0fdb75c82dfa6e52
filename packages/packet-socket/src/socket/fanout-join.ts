/**
 * Joining and leaving fanout groups (`fanout_add`, `fanout_release`, PACKET_FANOUT_DATA), with
 * Linux's rules: the socket must be bound and receiving (EINVAL otherwise), not in a group yet
 * (EALREADY); a group id is per namespace; joiners must match the group's mode, flags, protocol
 * and device (EINVAL), and a group holds at most its maximum (ENOSPC, 256 by default).
 * FLAG_UNIQUEID picks a free id (the id given must be 0). FLAG_DEFRAG would need IP reassembly,
 * which this package cannot reach, and EBPF has no eBPF here: both are EINVAL, not ignored.
 */
import { NetError, SocketFilter, type BpfProgram } from '@netstack/core';
import {
  PACKET_FANOUT_CBPF,
  PACKET_FANOUT_EBPF,
  PACKET_FANOUT_FLAG_DEFRAG,
  PACKET_FANOUT_FLAG_IGNORE_OUTGOING,
  PACKET_FANOUT_FLAG_ROLLOVER,
  PACKET_FANOUT_FLAG_UNIQUEID,
  PACKET_FANOUT_MAX,
  PACKET_FANOUT_ROLLOVER,
} from './constants.js';
import { Fanout, Rollover } from './fanout.js';
import type { PacketSocket } from './packet-socket.js';

/** PACKET_FANOUT as parts (`struct fanout_args`). */
export interface FanoutArgs {
  id: number;
  /** PACKET_FANOUT_HASH, LB, CPU, ROLLOVER, RND, QM, CBPF. */
  type: number;
  /** PACKET_FANOUT_FLAG_ROLLOVER | UNIQUEID | IGNORE_OUTGOING. */
  flags?: number;
  /** Largest group (first joiner decides; 0: 256). */
  maxMembers?: number;
}

const KNOWN_FLAGS = PACKET_FANOUT_FLAG_ROLLOVER | PACKET_FANOUT_FLAG_UNIQUEID | PACKET_FANOUT_FLAG_IGNORE_OUTGOING | PACKET_FANOUT_FLAG_DEFRAG;

function args(arg: number | FanoutArgs): Required<FanoutArgs> {
  if (typeof arg === 'number') {
    const typeFlags = (arg >>> 16) & 0xffff;
    return { id: arg & 0xffff, type: typeFlags & 0xff, flags: typeFlags & 0xff00, maxMembers: 0 };
  }
  return { id: arg.id, type: arg.type, flags: arg.flags ?? 0, maxMembers: arg.maxMembers ?? 0 };
}

export function fanoutAdd(sk: PacketSocket, arg: number | FanoutArgs): void {
  const a = args(arg);
  if (!Number.isInteger(a.id) || a.id < 0 || a.id > 0xffff) throw new NetError('EINVAL', `fanout group id ${a.id} is not a u16`);
  if ((a.flags & ~KNOWN_FLAGS) !== 0) throw new NetError('EINVAL', `unknown fanout flags 0x${a.flags.toString(16)}`);
  if (a.type === PACKET_FANOUT_ROLLOVER && (a.flags & PACKET_FANOUT_FLAG_ROLLOVER) !== 0) throw new NetError('EINVAL', 'PACKET_FANOUT_ROLLOVER with FLAG_ROLLOVER');
  if (a.type > PACKET_FANOUT_EBPF || a.type < 0) throw new NetError('EINVAL', `unknown fanout mode ${a.type}`);
  if (a.type === PACKET_FANOUT_EBPF) throw new NetError('EINVAL', 'PACKET_FANOUT_EBPF: there is no eBPF in netstack');
  if ((a.flags & PACKET_FANOUT_FLAG_DEFRAG) !== 0) throw new NetError('EINVAL', 'PACKET_FANOUT_FLAG_DEFRAG needs IP reassembly, which packet sockets cannot reach here');
  if (sk.fanout !== null) throw new NetError('EALREADY', 'the socket is already in a fanout group');
  const net = sk.net;
  let id = a.id;
  let flags = a.flags;
  if ((flags & PACKET_FANOUT_FLAG_UNIQUEID) !== 0) {
    if (id !== 0) throw new NetError('EINVAL', 'PACKET_FANOUT_FLAG_UNIQUEID needs group id 0');
    id = findNewId(sk);
    flags &= ~PACKET_FANOUT_FLAG_UNIQUEID;
  }
  const stored = flags >>> 8;
  let f = net.fanouts.get(id);
  if (f !== undefined) {
    if (f.flags !== stored) throw new NetError('EINVAL', `fanout group ${id} has other flags`);
    if (a.maxMembers !== 0 && a.maxMembers !== f.maxMembers) throw new NetError('EINVAL', `fanout group ${id} has another maximum`);
  } else {
    if (a.maxMembers > PACKET_FANOUT_MAX) throw new NetError('EINVAL', `fanout maximum ${a.maxMembers} above ${PACKET_FANOUT_MAX}`);
    f = new Fanout(net, id, a.type, stored, a.maxMembers || PACKET_FANOUT_MAX, sk.num, sk.device);
    net.fanouts.set(id, f);
  }
  const wantsRollover = a.type === PACKET_FANOUT_ROLLOVER || (a.flags & PACKET_FANOUT_FLAG_ROLLOVER) !== 0;
  let err: NetError | null = new NetError('EINVAL', sk.running ? `fanout group ${id} uses another mode, protocol or device` : 'the socket must be bound and receiving to join a fanout group');
  if (sk.running && f.type === a.type && f.protType === sk.num && f.dev === sk.device) {
    err = new NetError('ENOSPC', `fanout group ${id} is full (${f.maxMembers} members)`);
    if (f.refs < f.maxMembers) {
      sk.unregisterHook();
      sk.fanout = f;
      sk.rollover = wantsRollover ? new Rollover() : null;
      f.refs++;
      sk.registerHook();
      err = null;
    }
  }
  if (err !== null) {
    if (f.refs === 0) net.fanouts.delete(id);
    throw err;
  }
}

/** `fanout_find_new_id`: the next id no group of the namespace uses. */
function findNewId(sk: PacketSocket): number {
  const net = sk.net;
  const start = net.nextFanoutId & 0xffff;
  let id = start;
  do {
    if (!net.fanouts.has(id)) {
      net.nextFanoutId = (id + 1) & 0xffff;
      return id;
    }
    id = (id + 1) & 0xffff;
  } while (id !== start);
  throw new NetError('ENOMEM', 'no free fanout group id');
}

export function fanoutGet(sk: PacketSocket): number {
  const f = sk.fanout;
  return f === null ? 0 : (f.id | (f.type << 16) | (f.flags << 24)) >>> 0;
}

/** `fanout_release` (close): the last socket out removes the group. */
export function fanoutRelease(sk: PacketSocket): void {
  const f = sk.fanout;
  if (f === null) return;
  sk.fanout = null;
  sk.rollover = null;
  if (--f.refs === 0) sk.net.fanouts.delete(f.id);
}

/** PACKET_FANOUT_DATA: a classic BPF program whose result picks the member of a CBPF group. */
export function fanoutSetData(sk: PacketSocket, prog: BpfProgram): void {
  const f = sk.fanout;
  if (f === null) throw new NetError('EINVAL', 'PACKET_FANOUT_DATA: the socket is not in a fanout group');
  if (f.type !== PACKET_FANOUT_CBPF) throw new NetError('EINVAL', `PACKET_FANOUT_DATA: group ${f.id} is not PACKET_FANOUT_CBPF`);
  f.prog = new SocketFilter(prog, sk.ns.random);
}
