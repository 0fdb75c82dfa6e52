/**
 * Congestion-control modules are host-wide in Linux (one `tcp_cong_list`, one
 * `tcp_allowed_congestion_control`), while `net.ipv4.tcp_congestion_control` is per namespace.
 * So the World holds one registry and each namespace a default name over it.
 */
import { NetError, type World } from '@netstack/core';
import { CongestionControlRegistry, type CcSock, type TcpCongestionOps } from '../cong/index.js';
import type { TcpCongestionSysctlSource } from '../config/index.js';

/** Token of the World's congestion-control registry in the World's container. */
export const TCP_CC_REGISTRY = Symbol.for('netstack.tcp.CongestionControlRegistry');

/** The World's registry (created with reno and cubic on first use). */
export function worldCongestionRegistry(world: World): CongestionControlRegistry {
  if (!world.container.isRegistered(TCP_CC_REGISTRY)) world.container.register(TCP_CC_REGISTRY, { useValue: new CongestionControlRegistry() });
  return world.container.resolve<CongestionControlRegistry>(TCP_CC_REGISTRY);
}

/** One namespace's view: the World's modules, its own default. */
export class NsCongestion implements TcpCongestionSysctlSource {
  private defaultName: string;

  constructor(readonly registry: CongestionControlRegistry) {
    this.defaultName = registry.default;
  }

  get available(): readonly string[] {
    return this.registry.available;
  }

  get allowed(): readonly string[] {
    return this.registry.allowed;
  }

  get default(): string {
    return this.defaultName;
  }

  /** `tcp_set_default_congestion_control` for this namespace: ENOENT when unknown. */
  setDefault(name: string): void {
    if (this.registry.find(name) === undefined) throw new NetError('ENOENT', `${name} is not registered`);
    this.defaultName = name;
  }

  setAllowed(names: string): void {
    this.registry.setAllowed(names);
  }

  /** Register a module World-wide; the same module from a second namespace is no error. */
  register(ops: TcpCongestionOps): void {
    if (this.registry.find(ops.name) === ops) return;
    this.registry.register(ops);
  }

  /** `tcp_assign_congestion_control`: this namespace's default on a new socket. */
  assign(sk: CcSock): void {
    sk.ca_ops = this.registry.find(this.defaultName) ?? this.registry.defaultCongestionOps;
    sk.ca = null;
    sk.ca_initialized = false;
  }

  /** TCP_CONGESTION. */
  setSockCongestion(sk: CcSock, name: string, capNetAdmin: boolean, initNow: boolean): void {
    this.registry.setSockCongestion(sk, name, capNetAdmin, initNow);
  }
}
