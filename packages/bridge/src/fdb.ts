/**
 * The forwarding database (net/bridge/br_fdb.c): learning (`br_fdb_update`), local entries for
 * port and bridge addresses (`fdb_add_local`), user entries (`br_fdb_add`/`br_fdb_delete`),
 * flushing by port (`br_fdb_delete_by_port`) and ageing by a gc timer (`br_fdb_cleanup`).
 */
import { NetError, parseMac, type MacAddress, type Timer } from '@netstack/core';
import { BR_GC_MIN_NS, FDB_ADDED_BY_USER, FDB_LOCAL, FDB_STATIC } from './constants.js';
import { FdbTable } from './fdb-table.js';
import type { Bridge } from './bridge.js';

/** `bridge fdb add` states: permanent (local to the bridge), static (never ages), dynamic. */
export type FdbState = 'permanent' | 'static' | 'dynamic';

export interface FdbEntryInfo {
  mac: string;
  /** Port device name, or the bridge's name for entries with no port. */
  dev: string;
  vlan: number;
  state: FdbState;
  addedByUser: boolean;
  /** Seconds since last seen (dynamic entries). */
  ageSeconds: number;
}

export class Fdb {
  readonly table: FdbTable;
  private readonly gc: Timer;
  private readonly key = new Uint8Array(6);

  constructor(private readonly br: Bridge) {
    const r = br.ns.random;
    this.table = new FdbTable(r.u32() | 0, r.u32() | 0);
    this.gc = br.ns.world.scheduler.createTimer(() => this.cleanup());
  }

  /**
   * `br_fdb_update`: the source MAC at buf[off] was seen on `portNo` in `vid`. Local entries are
   * never moved (the kernel warns "received packet on X with own address as source address");
   * other entries, static ones included unless sticky, follow the MAC to its new port.
   */
  update(portNo: number, buf: Uint8Array, off: number, vid: number): void {
    const br = this.br;
    if (br.holdTime() === 0) return;
    const t = this.table;
    const now = br.now();
    const slot = t.find(buf, off, vid);
    if (slot >= 0) {
      if ((t.flags[slot]! & FDB_LOCAL) !== 0) return;
      t.updated[slot] = now;
      if (t.port[slot] !== portNo) t.port[slot] = portNo;
      return;
    }
    t.insert(buf, off, vid, portNo, 0, now);
    if (!this.gc.pending) this.gc.arm(br.holdTime());
  }

  /** `fdb_add_local`: a permanent entry for an address of ours; an existing non-local entry is replaced. */
  addLocal(portNo: number, mac: MacAddress, vid: number): void {
    const t = this.table;
    const slot = t.find(mac, 0, vid);
    if (slot >= 0) {
      if ((t.flags[slot]! & FDB_LOCAL) !== 0) return;
      t.remove(slot);
    }
    t.insert(mac, 0, vid, portNo, FDB_LOCAL | FDB_STATIC, this.br.now());
  }

  /**
   * `fdb_delete_local`: remove a local entry of `portNo`, unless another port (or the bridge
   * device) has the same address: then the entry moves there.
   */
  deleteLocal(portNo: number, mac: MacAddress, vid: number): void {
    const t = this.table;
    const slot = t.find(mac, 0, vid);
    if (slot < 0 || (t.flags[slot]! & FDB_LOCAL) === 0 || t.port[slot] !== portNo) return;
    if ((t.flags[slot]! & FDB_ADDED_BY_USER) !== 0) return;
    const br = this.br;
    for (const p of br.portList) {
      if (p.portNo !== portNo && macEqual(p.dev.addr, mac) && (vid === 0 || p.vlans.has(vid))) {
        t.port[slot] = p.portNo;
        return;
      }
    }
    if (portNo !== 0 && macEqual(br.dev.addr, mac) && (vid === 0 || br.vlans.has(vid))) {
      t.port[slot] = 0;
      return;
    }
    t.remove(slot);
  }

  /** `br_fdb_delete_by_port`: dynamic entries of a port (all but local ones when `doAll`); null: every port. */
  flushPort(portNo: number | null, doAll = false): number {
    const t = this.table;
    const doomed: number[] = [];
    for (const s of t.slots()) {
      if (portNo !== null && t.port[s] !== portNo) continue;
      if (portNo === null && t.port[s] === 0) continue;
      const f = t.flags[s]!;
      if ((f & FDB_STATIC) !== 0 && !doAll) continue;
      if ((f & FDB_LOCAL) !== 0) continue;
      doomed.push(s);
    }
    return this.removeSlots(doomed);
  }

  /** Remove the entries `pred` selects (control plane). */
  flushWhere(pred: (t: FdbTable, slot: number) => boolean): number {
    return this.removeSlots(this.table.slots().filter((s) => pred(this.table, s)));
  }

  /** Remove every entry pointing at a port, local ones included (br_del_if → br_fdb_delete_by_port(br, p, 0, 1)). */
  removePort(portNo: number): void {
    const t = this.table;
    const doomed: number[] = [];
    for (const s of t.slots()) if (t.port[s] === portNo) doomed.push(s);
    this.removeSlots(doomed);
  }

  private removeSlots(slots: number[]): number {
    const t = this.table;
    const keys = slots.map((s) => [t.hi[s]!, t.lo[s]!] as const);
    for (const [hi, lo] of keys) {
      const s = t.findKey(hi, lo);
      if (s >= 0) t.remove(s);
    }
    return keys.length;
  }

  /** `br_fdb_cleanup`: expire dynamic entries older than the hold time, re-arm for the next expiry. */
  cleanup(): void {
    const br = this.br;
    const hold = br.holdTime();
    const now = br.now();
    const t = this.table;
    let next = Infinity;
    const doomed: number[] = [];
    for (const s of t.slots()) {
      if ((t.flags[s]! & FDB_STATIC) !== 0) continue;
      const expires = t.updated[s]! + hold;
      if (expires <= now) doomed.push(s);
      else if (expires < next) next = expires;
    }
    this.removeSlots(doomed);
    if (next !== Infinity) this.gc.arm(Math.max(next - now, BR_GC_MIN_NS));
  }

  /** Re-run the gc soon (ageing time or topology change shortened the hold time). */
  kickGc(): void {
    this.gc.arm(BR_GC_MIN_NS);
  }

  stop(): void {
    this.gc.cancel();
  }

  /** `bridge fdb add MAC dev DEV [vlan VID] master [permanent|static|dynamic]` (iproute2 default: permanent). */
  add(mac: string | MacAddress, portNo: number, vid: number, state: FdbState): void {
    const addr = typeof mac === 'string' ? parseMac(mac) : mac;
    if (!isValidUnicast(addr)) throw new NetError('EINVAL', 'FDB entries must be unicast, non-zero addresses');
    const t = this.table;
    const existing = t.find(addr, 0, vid);
    // NLM_F_CREATE | NLM_F_EXCL, as `bridge fdb add` sends: an existing entry is EEXIST.
    if (existing >= 0) throw new NetError('EEXIST', 'RTNETLINK answers: File exists');
    const flags = FDB_ADDED_BY_USER | (state === 'permanent' ? FDB_LOCAL | FDB_STATIC : state === 'static' ? FDB_STATIC : 0);
    t.insert(addr, 0, vid, portNo, flags, this.br.now());
    if (state === 'dynamic' && !this.gc.pending) this.gc.arm(this.br.holdTime());
  }

  /** `bridge fdb del MAC dev DEV [vlan VID] master`. */
  del(mac: string | MacAddress, portNo: number, vid: number): void {
    const addr = typeof mac === 'string' ? parseMac(mac) : mac;
    const t = this.table;
    const slot = t.find(addr, 0, vid);
    if (slot < 0 || t.port[slot] !== portNo) throw new NetError('ENOENT', 'RTNETLINK answers: No such file or directory');
    t.remove(slot);
  }

  /** Entries for display, newest first (the kernel's hlist order). */
  entries(): FdbEntryInfo[] {
    const t = this.table;
    const br = this.br;
    const now = br.now();
    return t
      .slots()
      .sort((a, b) => t.seq[b]! - t.seq[a]!)
      .map((s) => {
        const f = t.flags[s]!;
        const port = t.port[s]!;
        return {
          mac: formatKey(t.macOf(s, this.key)),
          dev: port === 0 ? br.dev.name : br.ports[port]!.dev.name,
          vlan: t.vidOf(s),
          state: (f & FDB_LOCAL) !== 0 ? 'permanent' : (f & FDB_STATIC) !== 0 ? 'static' : 'dynamic',
          addedByUser: (f & FDB_ADDED_BY_USER) !== 0,
          ageSeconds: (now - t.updated[s]!) / 1e9,
        } satisfies FdbEntryInfo;
      });
  }
}

function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isValidUnicast(a: Uint8Array): boolean {
  return (a[0]! & 1) === 0 && (a[0]! | a[1]! | a[2]! | a[3]! | a[4]! | a[5]!) !== 0;
}

function formatKey(m: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i > 0 ? ':' : '') + m[i]!.toString(16).padStart(2, '0');
  return s;
}
