import type { MibGroup } from '@netstack/core';

/**
 * The `Ip` MIB counters fragmentation and reassembly touch (RFC 4293 ipSystemStats*, shown by
 * `nstat` as `IpReasmReqds`, `IpFragCreates`, ...), resolved to slots once so the packet path
 * increments `values[slot]` without looking names up.
 */
export interface IpFragSlots {
  readonly reasmTimeout: number;
  readonly reasmReqds: number;
  readonly reasmOKs: number;
  readonly reasmFails: number;
  readonly fragOKs: number;
  readonly fragFails: number;
  readonly fragCreates: number;
}

/** The fields a group must have for fragmentation and reassembly (ENOENT otherwise). */
export const IP_FRAG_MIB_FIELDS = ['ReasmTimeout', 'ReasmReqds', 'ReasmOKs', 'ReasmFails', 'FragOKs', 'FragFails', 'FragCreates'] as const;

/** Resolve the slots of `mib` (setup time: throws ENOENT when a field is missing). */
export function resolveIpFragSlots(mib: MibGroup): IpFragSlots {
  return {
    reasmTimeout: mib.slot('ReasmTimeout'),
    reasmReqds: mib.slot('ReasmReqds'),
    reasmOKs: mib.slot('ReasmOKs'),
    reasmFails: mib.slot('ReasmFails'),
    fragOKs: mib.slot('FragOKs'),
    fragFails: mib.slot('FragFails'),
    fragCreates: mib.slot('FragCreates'),
  };
}

/**
 * Slots per group for `ipFragment`, which is a plain function called with the group: a memo of
 * derived, immutable data keyed by the group object (no names on the packet path, nothing shared
 * between namespaces since each has its own group).
 */
const memo = new WeakMap<MibGroup, IpFragSlots>();

export function ipFragSlots(mib: MibGroup): IpFragSlots {
  let slots = memo.get(mib);
  if (slots === undefined) {
    slots = resolveIpFragSlots(mib);
    memo.set(mib, slots);
  }
  return slots;
}
