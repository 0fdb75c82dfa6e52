/**
 * The `bridge` plugin: link kind 'bridge' for `ns.addLink({ kind: 'bridge', name: 'br0', ... })`
 * (`ip link add br0 type bridge`).
 */
import { NetError, definePlugin, type LinkSpec, type Plugin } from '@netstack/core';
import { createBridge, type BridgeOptions } from './br-device.js';
import type { BridgeStpCtor } from './stp-contract.js';

export interface BridgePluginOptions {
  /** STP implementation for bridges of this namespace (src/stp/stp.ts's BridgeStp). */
  stp?: BridgeStpCtor | null;
}

export function bridge(options: BridgePluginOptions = {}): Plugin {
  return definePlugin({
    name: 'bridge',
    setup(ns) {
      ns.registerLinkKind('bridge', (target, spec: LinkSpec) => {
        if (typeof spec.name !== 'string') throw new NetError('EINVAL', 'bridge needs { name }');
        return createBridge(target, { ...(options.stp !== undefined ? { stp: options.stp } : {}), ...(spec as unknown as BridgeOptions) });
      });
    },
  });
}
