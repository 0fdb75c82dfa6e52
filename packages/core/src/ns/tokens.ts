import type { InjectionToken } from 'tsyringe';
import type { Clock, Scheduler } from '../time/scheduler.js';
import type { Random } from '../random/random.js';
import type { Sysctl } from '../sysctl/sysctl.js';
import type { Snmp } from '../counters/mib.js';
import type { PacketTrace } from '../trace/packet-trace.js';
import type { SkBuffPool } from '../skb/pool.js';
import type { NetNamespace, NetNamespaceEvents } from './net-namespace.js';
import type { World } from './world.js';
import type { EventEmitter } from 'eventemitter3';

/**
 * Injection tokens for the services core provides. World-wide ones are registered in the World's
 * container; per-namespace ones in each namespace's child container, so two namespaces never
 * share an instance. Inject with `@inject(TOKEN)` on every constructor parameter.
 */
export const WORLD: InjectionToken<World> = Symbol.for('netstack.World');
export const CLOCK: InjectionToken<Clock> = Symbol.for('netstack.Clock');
export const SCHEDULER: InjectionToken<Scheduler> = Symbol.for('netstack.Scheduler');
export const SKB_POOL: InjectionToken<SkBuffPool> = Symbol.for('netstack.SkBuffPool');
export const NET_NAMESPACE: InjectionToken<NetNamespace> = Symbol.for('netstack.NetNamespace');
export const RANDOM: InjectionToken<Random> = Symbol.for('netstack.Random');
export const SYSCTL: InjectionToken<Sysctl> = Symbol.for('netstack.Sysctl');
export const SNMP: InjectionToken<Snmp> = Symbol.for('netstack.Snmp');
export const PACKET_TRACE: InjectionToken<PacketTrace> = Symbol.for('netstack.PacketTrace');
export const NET_EVENTS: InjectionToken<EventEmitter<NetNamespaceEvents>> = Symbol.for('netstack.NetEvents');
