import type { NetNamespace } from './net-namespace.js';

/**
 * A plugin is a value: a name, the plugins it needs, and a `setup` that registers protocol
 * handlers, link kinds, sysctls, counters and services in one namespace. Packages export
 * factories returning plugins (`loopback()`, `veth()`, `ipv4()`).
 *
 * `setup` runs once per namespace, after the plugins it depends on. It resolves what the packet
 * path needs and keeps it in plain fields: nothing on the packet path calls `resolve()`.
 */
export interface Plugin {
  readonly name: string;
  readonly dependsOn?: readonly string[];
  setup(ns: NetNamespace): void;
}

/** Identity helper that types a plugin literal. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/** Creates a device of a link kind (`ip link add ... type KIND`); registered by driver plugins. */
export type LinkFactory = (ns: NetNamespace, spec: LinkSpec) => import('../netdevice/net-device.js').NetDevice;

/** `ip link add` arguments: `kind` plus whatever that kind takes. */
export interface LinkSpec {
  kind: string;
  name?: string;
  [option: string]: unknown;
}
