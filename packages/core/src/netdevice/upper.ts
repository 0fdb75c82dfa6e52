import { NetError } from '../errors/net-error.js';
import { IFF_SLAVE } from './flags.js';
import type { NetDevice } from './net-device.js';

/** MAX_NEST_DEV: no chain of stacked devices may be longer than this. */
export const MAX_NEST_DEV = 8;

function hasUpper(dev: NetDevice, target: NetDevice, depth = 0): boolean {
  if (depth > MAX_NEST_DEV) return true;
  for (const up of dev.upperDevs) if (up === target || hasUpper(up, target, depth + 1)) return true;
  return false;
}

function recomputeLevels(dev: NetDevice): void {
  // upper_level grows downwards from the top, lower_level upwards from the bottom.
  const fixDown = (d: NetDevice, seen: number): void => {
    const level = 1 + Math.max(0, ...d.upperDevs.map((u) => u.upperLevel));
    if (level === d.upperLevel && seen > 0) return;
    d.upperLevel = level;
    if (seen <= MAX_NEST_DEV) for (const l of d.lowerDevs) fixDown(l, seen + 1);
  };
  const fixUp = (d: NetDevice, seen: number): void => {
    const level = 1 + Math.max(0, ...d.lowerDevs.map((l) => l.lowerLevel));
    if (level === d.lowerLevel && seen > 0) return;
    d.lowerLevel = level;
    if (seen <= MAX_NEST_DEV) for (const u of d.upperDevs) fixUp(u, seen + 1);
  };
  fixDown(dev, 0);
  fixUp(dev, 0);
}

/**
 * Stack `upper` on `dev` (`netdev_upper_dev_link`; `master` for bridge/bond ports). Rejects a link
 * that exists (EEXIST), one that would close a cycle (EBUSY), a second master (EBUSY), and one that
 * would make a chain longer than MAX_NEST_DEV (EMLINK). This is what bounds `Another` rounds.
 */
export function netdevUpperDevLink(dev: NetDevice, upper: NetDevice, opts: { master?: boolean } = {}): void {
  if (dev === upper) throw new NetError('EBUSY', `${dev.name} cannot be its own upper device`);
  if (dev.upperDevs.includes(upper)) throw new NetError('EEXIST', `${upper.name} is already an upper device of ${dev.name}`);
  if (hasUpper(upper, dev)) throw new NetError('EBUSY', `linking ${dev.name} under ${upper.name} would create a loop`);
  if (opts.master && dev.master !== null) throw new NetError('EBUSY', `${dev.name} already has master ${dev.master.name}`);
  if (dev.lowerLevel + upper.upperLevel > MAX_NEST_DEV) {
    throw new NetError('EMLINK', `stacking ${upper.name} on ${dev.name} exceeds the nesting limit of ${MAX_NEST_DEV}`);
  }
  dev.upperDevs.push(upper);
  upper.lowerDevs.push(dev);
  if (opts.master) {
    dev.master = upper;
    dev.flags |= IFF_SLAVE;
  }
  recomputeLevels(dev);
  recomputeLevels(upper);
  dev.net?.events.emit('netdev', 'NETDEV_CHANGEUPPER', dev);
}

/** Undo `netdevUpperDevLink`. */
export function netdevUpperDevUnlink(dev: NetDevice, upper: NetDevice): void {
  const i = dev.upperDevs.indexOf(upper);
  if (i < 0) throw new NetError('ENOENT', `${upper.name} is not an upper device of ${dev.name}`);
  dev.upperDevs.splice(i, 1);
  upper.lowerDevs.splice(upper.lowerDevs.indexOf(dev), 1);
  if (dev.master === upper) {
    dev.master = null;
    dev.flags &= ~IFF_SLAVE;
  }
  recomputeLevels(dev);
  recomputeLevels(upper);
  dev.net?.events.emit('netdev', 'NETDEV_CHANGEUPPER', dev);
}
