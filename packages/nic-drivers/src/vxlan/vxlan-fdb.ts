/**
 * The VXLAN forwarding database (drivers/net/vxlan/vxlan_core.c): inner MAC → remote VTEPs.
 * Filled by `bridge fdb add/append/replace/del ... dev vxlan0 dst IP`, by the device's `remote`
 * (the all-zeros default entry), and by learning from received frames (`vxlan_snoop`). Lookups
 * on the packet path key on the MAC as a number: no strings, no allocation.
 */
import {
  DropReason,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_REACHABLE,
  NetError,
  SKB_NOT_DROPPED_YET,
  formatIPv4,
  formatMac,
  isValidEtherAddr,
  isZeroEtherAddr,
  parseIPv4,
  parseMac,
} from '@netstack/core';

/** `ndm_flags`: the entry belongs to the device itself (include/uapi/linux/neighbour.h). */
export const NTF_SELF = 0x02;

/** One remote VTEP of an entry (`struct vxlan_rdst`). */
export interface VxlanRdst {
  /** IPv4 address as a number; 0 is "any" (an entry added without `dst`). */
  ip: number;
  port: number;
  vni: number;
}

/** One FDB entry (`struct vxlan_fdb`). */
export interface VxlanFdbEntry {
  readonly mac: Uint8Array;
  /** NUD_PERMANENT, NUD_NOARP ("static") or NUD_REACHABLE (dynamic, ages out). */
  state: number;
  flags: number;
  /** Remotes in order: frames go to each (`bridge fdb append` adds more, for BUM entries). */
  readonly remotes: VxlanRdst[];
  /** Last refresh (learning, update), ns on the World's clock. */
  updated: number;
  /** Last use for transmit, ns. */
  used: number;
}

/** `bridge fdb add|append|replace|del LLADDR dev DEV [dst IP] [port N] [vni N] [permanent|static|dynamic]`. */
export interface VxlanFdbRequest {
  mac: string;
  /** Remote VTEP (IPv4). Default 0.0.0.0 ("any"), as the kernel takes a request without NDA_DST. */
  dst?: string;
  /** UDP port of that VTEP. Default: the device's `dstport`. */
  port?: number;
  /** VNI to send with. Default: the device's. */
  vni?: number;
  /** iproute2's states: `permanent` (default), `static`, `dynamic` (ages out). */
  state?: 'permanent' | 'static' | 'dynamic';
}

/** A MAC as a 48-bit number (exact in a double), read from 6 bytes at `off`. */
export function macKey(buf: Uint8Array, off: number): number {
  const low = ((buf[off + 2]! << 24) | (buf[off + 3]! << 16) | (buf[off + 4]! << 8) | buf[off + 5]!) >>> 0;
  return (buf[off]! * 0x100 + buf[off + 1]!) * 0x1_0000_0000 + low;
}

const ZERO_MAC_KEY = 0;

/** iproute2's request states (bridge/fdb.c: the request starts NUD_NOARP). */
function requestState(state: VxlanFdbRequest['state']): number {
  switch (state ?? 'permanent') {
    case 'permanent':
      return NUD_NOARP | NUD_PERMANENT;
    case 'static':
      return NUD_NOARP | NUD_REACHABLE;
    case 'dynamic':
      return NUD_REACHABLE;
    default:
      throw new NetError('EINVAL', `fdb state "${String(state)}" unknown (permanent, static, dynamic)`);
  }
}

/** iproute2's `state_n2a` as `bridge fdb show` prints it. */
function stateText(state: number): string {
  if ((state & NUD_PERMANENT) !== 0) return 'permanent';
  if ((state & NUD_NOARP) !== 0) return 'static';
  return '';
}

function isBumMac(mac: Uint8Array): boolean {
  return (mac[0]! & 1) !== 0 || isZeroEtherAddr(mac);
}

/** Settings of the owning device the FDB needs. */
export interface VxlanFdbConfig {
  vni: number;
  port: number;
  /** `maxaddress`: most entries (0: no limit). */
  maxAddress: number;
  now: () => number;
  /** Called when an entry that can age out appears (the device then runs its ageing scan). */
  dynamicAdded?: () => void;
}

export class VxlanFdb {
  private readonly entries = new Map<number, VxlanFdbEntry>();

  constructor(private readonly cfg: VxlanFdbConfig) {}

  get size(): number {
    return this.entries.size;
  }

  /** Entries, newest first (the order `bridge fdb show` lists them in). */
  list(): VxlanFdbEntry[] {
    return [...this.entries.values()].reverse();
  }

  /** Some entry can age out (neither permanent nor static). */
  hasDynamic(): boolean {
    for (const f of this.entries.values()) if ((f.state & (NUD_PERMANENT | NUD_NOARP)) === 0) return true;
    return false;
  }

  /** The entry for a MAC in text form, if any. */
  get(mac: string): VxlanFdbEntry | undefined {
    return this.entries.get(macKey(parseMac(mac), 0));
  }

  /** `bridge fdb add`: NLM_F_CREATE | NLM_F_EXCL — EEXIST when the MAC has an entry. */
  add(req: VxlanFdbRequest): void {
    this.update(req, 'add');
  }

  /**
   * `bridge fdb append`: NLM_F_CREATE | NLM_F_APPEND — one more remote for an all-zeros or
   * multicast entry (flooding to several VTEPs). On an existing unicast entry it changes nothing,
   * as in Linux (`vxlan_fdb_update_existing` appends only to those).
   */
  append(req: VxlanFdbRequest): void {
    this.update(req, 'append');
  }

  /** `bridge fdb replace`: NLM_F_CREATE | NLM_F_REPLACE — point a unicast entry elsewhere (EOPNOTSUPP for BUM entries). */
  replace(req: VxlanFdbRequest): void {
    this.update(req, 'replace');
  }

  /** `bridge fdb del MAC [dst IP]`: one remote when `dst` is given, else the whole entry. ENOENT when absent. */
  del(req: Pick<VxlanFdbRequest, 'mac' | 'dst' | 'port' | 'vni'>): void {
    const mac = parseMac(req.mac);
    const key = macKey(mac, 0);
    const f = this.entries.get(key);
    if (f === undefined) throw new NetError('ENOENT', `no fdb entry for ${req.mac}`);
    const rd = this.parseRemote(req);
    if (rd.ip !== 0) {
      const i = f.remotes.findIndex((r) => r.ip === rd.ip && r.port === rd.port && r.vni === rd.vni);
      if (i < 0) throw new NetError('ENOENT', `${req.mac} has no remote ${req.dst}`);
      // __vxlan_fdb_delete: drop just that remote unless it is the last one.
      if (f.remotes.length > 1) {
        f.remotes.splice(i, 1);
        return;
      }
    }
    this.entries.delete(key);
  }

  /** Delete every entry (`bridge fdb flush dev vxlan0`), or only the dynamic ones (`vxlan_flush(vxlan, false)` when the device stops). */
  flush(all: boolean): void {
    for (const [key, f] of this.entries) {
      if (all || (f.state & (NUD_PERMANENT | NUD_NOARP)) === 0) this.entries.delete(key);
    }
  }

  /**
   * The entry frames to `buf[off..off+6]` go by (`vxlan_xmit`): the MAC's own, else the all-zeros
   * default; null when neither exists. Marks it used.
   */
  lookupTx(buf: Uint8Array, off: number, now: number): VxlanFdbEntry | null {
    const f = this.entries.get(macKey(buf, off)) ?? this.entries.get(ZERO_MAC_KEY) ?? null;
    if (f !== null) f.used = now;
    return f;
  }

  /**
   * `vxlan_snoop`: learn (or refresh, or move) the entry of a received frame's source MAC at
   * `buf[off]`, seen from outer source address `ip`. Returns SKB_NOT_DROPPED_YET or why the frame
   * must be dropped: MAC_INVALID_SOURCE (multicast or zero source) or VXLAN_ENTRY_EXISTS (a
   * permanent/static entry points elsewhere: static entries never migrate).
   */
  snoop(buf: Uint8Array, off: number, ip: number, now: number): number {
    if (!isValidEtherAddr(buf, off)) return DropReason.MAC_INVALID_SOURCE;
    const key = macKey(buf, off);
    const f = this.entries.get(key);
    if (f !== undefined) {
      f.updated = now;
      const rd = f.remotes[0];
      if (rd !== undefined && rd.ip === ip) return SKB_NOT_DROPPED_YET;
      if ((f.state & (NUD_PERMANENT | NUD_NOARP)) !== 0) return DropReason.VXLAN_ENTRY_EXISTS;
      if (rd !== undefined) rd.ip = ip;
      return SKB_NOT_DROPPED_YET;
    }
    if (this.full()) return SKB_NOT_DROPPED_YET;
    this.entries.set(key, {
      mac: buf.slice(off, off + 6),
      state: NUD_REACHABLE,
      flags: NTF_SELF,
      remotes: [{ ip, port: this.cfg.port, vni: this.cfg.vni }],
      updated: now,
      used: now,
    });
    this.cfg.dynamicAdded?.();
    return SKB_NOT_DROPPED_YET;
  }

  /** `vxlan_cleanup`: delete dynamic entries not refreshed for `ageingNs`. Returns how many went. */
  age(now: number, ageingNs: number): number {
    let n = 0;
    for (const [key, f] of this.entries) {
      if ((f.state & (NUD_PERMANENT | NUD_NOARP)) !== 0) continue;
      if (f.updated + ageingNs <= now) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  /**
   * `bridge fdb show [dev DEV]` text, one line per remote, as iproute2 prints a vxlan device's
   * entries: `port`/`vni` only where they differ from the device's, the state word last (empty for
   * dynamic entries, leaving the trailing space iproute2 leaves). `devName` adds `dev NAME` (the
   * form without a `dev` filter).
   */
  show(devName?: string): string {
    let out = '';
    const dev = devName === undefined ? '' : `dev ${devName} `;
    for (const f of this.list()) {
      const mac = formatMac(f.mac);
      for (const rd of f.remotes) {
        let line = `${mac} ${dev}`;
        if (rd.ip !== 0) line += `dst ${formatIPv4(rd.ip)} `;
        if (rd.port !== 0 && rd.port !== this.cfg.port) line += `port ${rd.port} `;
        if (rd.vni !== this.cfg.vni) line += `vni ${rd.vni} `;
        if ((f.flags & NTF_SELF) !== 0) line += 'self ';
        out += `${line}${stateText(f.state)}\n`;
      }
    }
    return out;
  }

  /** The all-zeros entry for the device's `remote` (NUD_REACHABLE | NUD_PERMANENT, as `vxlan_dev_configure` makes it). */
  addDefaultRemote(ip: number): void {
    const now = this.cfg.now();
    this.entries.set(ZERO_MAC_KEY, {
      mac: new Uint8Array(6),
      state: NUD_REACHABLE | NUD_PERMANENT,
      flags: NTF_SELF,
      remotes: [{ ip, port: this.cfg.port, vni: this.cfg.vni }],
      updated: now,
      used: now,
    });
  }

  private full(): boolean {
    return this.cfg.maxAddress !== 0 && this.entries.size >= this.cfg.maxAddress;
  }

  private parseRemote(req: Pick<VxlanFdbRequest, 'dst' | 'port' | 'vni'>): VxlanRdst {
    const ip = req.dst === undefined ? 0 : parseIPv4(req.dst);
    if (Number.isNaN(ip)) throw new NetError('EAFNOSUPPORT', `dst ${req.dst} is not an IPv4 address (IPv6 underlays are not supported)`);
    if (ip >= 0xe000_0000 && ip < 0xf000_0000) throw new NetError('EOPNOTSUPP', `dst ${req.dst}: multicast groups are not supported`);
    const port = req.port ?? this.cfg.port;
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new NetError('EINVAL', `port ${port} out of range`);
    const vni = req.vni ?? this.cfg.vni;
    if (!Number.isInteger(vni) || vni < 0 || vni > 0xff_ffff) throw new NetError('EINVAL', `vni ${vni} out of range`);
    return { ip, port, vni };
  }

  /** `vxlan_fdb_update` with iproute2's netlink flags for each command. */
  private update(req: VxlanFdbRequest, op: 'add' | 'append' | 'replace'): void {
    const mac = parseMac(req.mac);
    const state = requestState(req.state);
    const rd = this.parseRemote(req);
    const key = macKey(mac, 0);
    const now = this.cfg.now();
    const f = this.entries.get(key);
    if (f === undefined) {
      // vxlan_fdb_update_create
      if (op === 'replace' && isBumMac(mac)) throw new NetError('EOPNOTSUPP', 'cannot replace a multicast or all-zeros entry');
      if (this.full()) throw new NetError('ENOSPC', `fdb full (maxaddress ${this.cfg.maxAddress})`);
      this.entries.set(key, { mac, state, flags: NTF_SELF, remotes: [rd], updated: now, used: now });
      if ((state & (NUD_PERMANENT | NUD_NOARP)) === 0) this.cfg.dynamicAdded?.();
      return;
    }
    if (op === 'add') throw new NetError('EEXIST', `fdb entry for ${req.mac} exists`);
    // vxlan_fdb_update_existing
    if (f.state !== state) {
      f.state = state;
      f.updated = now;
      if ((state & (NUD_PERMANENT | NUD_NOARP)) === 0) this.cfg.dynamicAdded?.();
    }
    if (op === 'replace') {
      if (isBumMac(f.mac)) throw new NetError('EOPNOTSUPP', 'cannot replace non-unicast fdb entries');
      const first = f.remotes[0]!;
      first.ip = rd.ip;
      first.port = rd.port;
      first.vni = rd.vni;
      f.updated = now;
      return;
    }
    if (isBumMac(f.mac) && !f.remotes.some((r) => r.ip === rd.ip && r.port === rd.port && r.vni === rd.vni)) f.remotes.push(rd);
  }
}
