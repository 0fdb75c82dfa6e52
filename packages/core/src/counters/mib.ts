import { NetError } from '../errors/net-error.js';

/**
 * One SNMP MIB group (`Ip`, `Tcp`, `TcpExt`, ...): counters in a Float64Array; a protocol resolves
 * the slot indexes it needs at setup and increments `values[i]` on the packet path.
 */
export class MibGroup {
  readonly values: Float64Array;
  private readonly index = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly fields: readonly string[],
  ) {
    this.values = new Float64Array(fields.length);
    fields.forEach((f, i) => this.index.set(f, i));
  }

  /** Slot of a field (setup time). */
  slot(field: string): number {
    const i = this.index.get(field);
    if (i === undefined) throw new NetError('ENOENT', `MIB ${this.name} has no counter ${field}`);
    return i;
  }

  get(field: string): number {
    return this.values[this.slot(field)]!;
  }
}

/** A namespace's MIB counters, by group, named as `nstat` shows them (`IpInDiscards`). */
export class Snmp {
  private readonly groups = new Map<string, MibGroup>();

  /** Create a group; EEXIST when it exists. */
  register(name: string, fields: readonly string[]): MibGroup {
    if (this.groups.has(name)) throw new NetError('EEXIST', `MIB group ${name} is already registered`);
    const group = new MibGroup(name, fields);
    this.groups.set(name, group);
    return group;
  }

  group(name: string): MibGroup | undefined {
    return this.groups.get(name);
  }

  /** A counter by its nstat name (`TcpExtListenDrops`); ENOENT if unknown. */
  get(name: string): number {
    for (const [gname, group] of this.groups) {
      if (name.startsWith(gname)) {
        const field = name.slice(gname.length);
        if (group.fields.includes(field)) return group.get(field);
      }
    }
    throw new NetError('ENOENT', `no MIB counter ${name}`);
  }

  /** Every counter by nstat name. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [gname, group] of this.groups) group.fields.forEach((f, i) => (out[gname + f] = group.values[i]!));
    return out;
  }
}
