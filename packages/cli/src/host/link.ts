/**
 * The link a `netstack host` namespace runs on. Pluggable: each kind makes one device in the
 * namespace and says what it is attached to; the rest of the host (addresses, routes, services)
 * does not care which.
 */
import type { NetDevice, NetNamespace } from '@netstack/core';
import { createTap } from '@netstack/nic-drivers';

export interface HostLink {
  /** Creates the device in `ns` (down; the host opens it). */
  create(ns: NetNamespace): NetDevice;
  /** What it is attached to, for the banner (`TAP tap0 (attached)`). */
  describe(dev: NetDevice): string;
}

export interface TapLinkOptions {
  name: string;
  queues?: number;
  vnetHdr?: boolean;
  mtu?: number;
}

/** A TAP device: attaches to the kernel's `name` (made with `ip tuntap add`) or creates it. */
export function tapLink(opts: TapLinkOptions): HostLink {
  return {
    create(ns) {
      const queues = opts.queues ?? 1;
      return createTap(ns, {
        name: opts.name,
        multiQueue: queues > 1,
        ...(queues > 1 ? { queues } : {}),
        vnetHdr: opts.vnetHdr ?? true,
        ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}),
        // The host lives as long as its link: the TAP's watcher keeps the process up.
        keepAlive: true,
        kernelLinkUp: true,
      });
    },
    describe(dev) {
      const priv = dev.priv as { kernelName: string; created: boolean; queues: unknown[]; vnetHdr: boolean };
      return `TAP ${priv.kernelName} (${priv.created ? 'created' : 'attached'}, ${priv.queues.length} queue${priv.queues.length > 1 ? 's' : ''}${priv.vnetHdr ? ', vnet_hdr' : ''})`;
    },
  };
}
