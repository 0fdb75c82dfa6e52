/**
 * The link a `netstack host` namespace runs on. Pluggable: each kind makes one device in the
 * namespace and says what it is attached to; the rest of the host (addresses, routes, services)
 * does not care which.
 */
import type { NetDevice, NetNamespace } from '@netstack/core';
import { createTap, createVxlan, vxlanReady, type VxlanPriv } from '@netstack/nic-drivers';

export interface HostLink {
  /** Creates the device in `ns` (down; the host opens it). */
  create(ns: NetNamespace): NetDevice;
  /** What it is attached to, for the banner (`TAP tap0 (attached)`). */
  describe(dev: NetDevice): string;
  /** Settles once the opened device can carry traffic (VXLAN: its UDP socket is bound). */
  ready?(dev: NetDevice): Promise<void>;
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

export interface VxlanLinkOptions {
  /** The remote VTEP (`remote`): where frames to unknown and broadcast destinations go. */
  remote: string;
  vni: number;
  /** UDP port sent to and listened on (`dstport`). Default 4789. */
  port?: number;
  /** Local address the UDP socket binds (`local`). Default any. */
  local?: string;
  mtu?: number;
}

/**
 * A VXLAN device (`ip link add vxlan0 type vxlan id VNI remote REMOTE dstport PORT [local ADDR]`)
 * whose UDP socket is one of this process: the underlay is the routing of the kernel namespace
 * the host runs in.
 */
export function vxlanLink(opts: VxlanLinkOptions): HostLink {
  return {
    create(ns) {
      return createVxlan(ns, {
        vni: opts.vni,
        remote: opts.remote,
        ...(opts.port !== undefined ? { dstPort: opts.port } : {}),
        ...(opts.local !== undefined ? { local: opts.local } : {}),
        ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}),
      });
    },
    describe(dev) {
      const p = dev.priv as VxlanPriv;
      return `VXLAN id ${p.vni} remote ${opts.remote}${opts.local !== undefined ? ` local ${opts.local}` : ''} dstport ${p.dstPort}`;
    },
    ready: (dev) => vxlanReady(dev),
  };
}
