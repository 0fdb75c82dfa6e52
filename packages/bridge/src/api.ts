/**
 * The `bridge` command's operations on a bridge: `bridge fdb add/del`, `bridge vlan add/del`,
 * `bridge link set`, and the bridge options of `ip link set br0 type bridge ...`.
 */
import { IFF_EBRIDGE, NetError, VLAN_N_VID, type NetDevice } from '@netstack/core';
import { BR_BCAST_FLOOD, BR_FLOOD, BR_GROUPFWD_RESTRICTED, BR_HAIRPIN_MODE, BR_ISOLATED, BR_LEARNING, BR_MCAST_FLOOD } from './constants.js';
import { bridgeOf } from './br-device.js';
import type { Bridge } from './bridge.js';
import type { FdbState } from './fdb.js';
import type { BridgePort } from './port.js';
import type { BrPortState } from './stp-contract.js';

/** The bridge a device belongs to: the bridge itself, or the master of a port. */
function resolve(dev: NetDevice): { br: Bridge; port: BridgePort | null } {
  if (dev.master !== null && (dev.master.privFlags & IFF_EBRIDGE) !== 0) {
    const br = bridgeOf(dev.master);
    return { br, port: br.port(dev) };
  }
  return { br: bridgeOf(dev), port: null };
}

export interface FdbAddOptions {
  vlan?: number;
  /** Default `permanent`, as iproute2's `bridge fdb add` (NUD_PERMANENT). */
  state?: FdbState;
}

/** `bridge fdb add MAC dev DEV master [vlan VID] [permanent|static|dynamic]`; DEV is a port or the bridge. */
export function fdbAdd(dev: NetDevice, mac: string, opts: FdbAddOptions = {}): void {
  const { br, port } = resolve(dev);
  const vid = checkVid(opts.vlan ?? 0, true);
  br.fdb.add(mac, port?.portNo ?? 0, vid, opts.state ?? 'permanent');
}

/** `bridge fdb del MAC dev DEV master [vlan VID]`. */
export function fdbDel(dev: NetDevice, mac: string, opts: { vlan?: number } = {}): void {
  const { br, port } = resolve(dev);
  br.fdb.del(mac, port?.portNo ?? 0, checkVid(opts.vlan ?? 0, true));
}

/** `bridge fdb flush dev DEV` (dynamic entries). */
export function fdbFlush(dev: NetDevice): number {
  const { br, port } = resolve(dev);
  return br.fdb.flushPort(port === null ? null : port.portNo);
}

export interface VlanAddOptions {
  pvid?: boolean;
  untagged?: boolean;
}

/** `bridge vlan add dev DEV vid VID [pvid] [untagged] [self]`; DEV a port, or the bridge (self). */
export function vlanAdd(dev: NetDevice, vid: number, opts: VlanAddOptions = {}): void {
  const { br, port } = resolve(dev);
  checkVid(vid, false);
  const vg = port === null ? br.vlans : port.vlans;
  const fresh = vg.add(vid, opts.pvid ?? false, opts.untagged ?? false);
  // br_vlan_add / nbp_vlan_add: a local entry for the device's address in the new VLAN.
  if (fresh) br.fdb.addLocal(port?.portNo ?? 0, dev.addr, vid);
}

/** `bridge vlan del dev DEV vid VID [self]`. */
export function vlanDel(dev: NetDevice, vid: number): void {
  const { br, port } = resolve(dev);
  checkVid(vid, false);
  const vg = port === null ? br.vlans : port.vlans;
  if (!vg.delete(vid)) throw new NetError('ENOENT', `VLAN ${vid} is not configured on ${dev.name}`);
  br.fdb.deleteLocal(port?.portNo ?? 0, dev.addr, vid);
  // br_fdb_delete_by_port for that VLAN's dynamic entries is what the kernel does with `vlan del`.
  const portNo = port?.portNo ?? 0;
  br.fdb.flushWhere((t, s) => t.vidOf(s) === vid && t.port[s] === portNo && t.flags[s] === 0);
}

function checkVid(vid: number, allowZero: boolean): number {
  if (!Number.isInteger(vid) || vid < (allowZero ? 0 : 1) || vid >= VLAN_N_VID - 1) throw new NetError('EINVAL', `invalid VLAN id ${vid}`);
  return vid;
}

/** `bridge link set dev DEV ...` options. */
export interface PortOptions {
  learning?: boolean;
  flood?: boolean;
  mcastFlood?: boolean;
  bcastFlood?: boolean;
  hairpin?: boolean;
  isolated?: boolean;
  priority?: number;
  cost?: number;
  /** `state 0..4`: only without STP, as br_setport (EBUSY when kernel STP runs). */
  state?: BrPortState;
  groupFwdMask?: number;
}

const FLAG_OPTIONS: [keyof PortOptions, number][] = [
  ['learning', BR_LEARNING],
  ['flood', BR_FLOOD],
  ['mcastFlood', BR_MCAST_FLOOD],
  ['bcastFlood', BR_BCAST_FLOOD],
  ['hairpin', BR_HAIRPIN_MODE],
  ['isolated', BR_ISOLATED],
];

export function brPortSet(dev: NetDevice, opts: PortOptions): void {
  const { br, port } = resolve(dev);
  if (port === null) throw new NetError('EOPNOTSUPP', `${dev.name} is not a bridge port`);
  for (const [key, bit] of FLAG_OPTIONS) {
    const v = opts[key];
    if (v === undefined) continue;
    port.flags = v ? port.flags | bit : port.flags & ~bit;
  }
  if (opts.priority !== undefined) {
    if (!(Number.isInteger(opts.priority) && opts.priority >= 0 && opts.priority <= 63)) throw new NetError('ERANGE', `port priority ${opts.priority} outside [0, 63]`);
    port.priority = opts.priority;
  }
  if (opts.cost !== undefined) {
    if (!(Number.isInteger(opts.cost) && opts.cost >= 1 && opts.cost <= 65535)) throw new NetError('ERANGE', `path cost ${opts.cost} outside [1, 65535]`);
    port.pathCost = opts.cost;
  }
  if (opts.groupFwdMask !== undefined) {
    if ((opts.groupFwdMask & BR_GROUPFWD_RESTRICTED) !== 0 || opts.groupFwdMask < 0 || opts.groupFwdMask > 0xffff) {
      throw new NetError('EINVAL', `group_fwd_mask 0x${opts.groupFwdMask.toString(16)} sets restricted bits`);
    }
    port.groupFwdMask = opts.groupFwdMask;
  }
  if (opts.state !== undefined) {
    if (br.stpState !== 0) throw new NetError('EBUSY', 'port state is managed by STP');
    if (!(opts.state >= 0 && opts.state <= 4)) throw new NetError('EINVAL', `port state ${opts.state} outside [0, 4]`);
    br.setPortState(port, opts.state);
  }
}

/** Bridge options (`ip link set br0 type bridge ...`). */
export interface BridgeSetOptions {
  ageingTime?: number;
  forwardDelay?: number;
  vlanFiltering?: boolean | 0 | 1;
  stpState?: 0 | 1;
  groupFwdMask?: number;
  defaultPvid?: number;
}

export function bridgeSet(brDev: NetDevice, opts: BridgeSetOptions): void {
  const br = bridgeOf(brDev);
  if (opts.ageingTime !== undefined) br.setAgeingTime(opts.ageingTime);
  if (opts.forwardDelay !== undefined) br.setForwardDelay(opts.forwardDelay);
  if (opts.groupFwdMask !== undefined) br.setGroupFwdMask(opts.groupFwdMask);
  if (opts.vlanFiltering !== undefined) br.setVlanFiltering(Boolean(opts.vlanFiltering));
  if (opts.stpState !== undefined) br.setStpState(opts.stpState);
  if (opts.defaultPvid !== undefined) br.defaultPvid = checkVid(opts.defaultPvid, true);
}
