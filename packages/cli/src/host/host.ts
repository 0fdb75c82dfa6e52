/**
 * `netstack host`: one netstack namespace on a real link (a TAP device, or VXLAN), in real time:
 * lo, IPv4 (ARP, ICMP), UDP and TCP, the address and default route given, the namespace's
 * sysctls by their kernel names, and the services asked for. It prints its address, stays up
 * until SIGINT or SIGTERM, then closes the services and the link (a TAP it created goes away).
 */
import { randomInt } from 'node:crypto';
import { World, type NetDevice, type NetNamespace } from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { udp } from '@netstack/udp';
import { tcp } from '@netstack/tcp';
import type { HostLink } from './link.js';
import { httpServer, tcpEcho, udpEcho, type Service } from './services.js';

export interface HostOptions {
  link: HostLink;
  /** `ip addr add CIDR dev LINK`. */
  addr: string;
  /** `ip route add default via GW`. */
  gw?: string;
  udpEcho?: number;
  tcpEcho?: number;
  http?: number;
  /** `KEY=VALUE` with kernel names (`net.ipv4.tcp_fastopen=3`). */
  sysctl?: readonly string[];
  seed?: number;
  /** Where the banner goes. */
  out?: (line: string) => void;
}

/** A running host. */
export interface Host {
  readonly world: World;
  readonly ns: NetNamespace;
  readonly dev: NetDevice;
  /** Stop the services and release the link. */
  stop(): Promise<void>;
}

/** `--sysctl KEY=VALUE`: the namespace's tree first, the World's (net.core.*) when it is not there. */
function applySysctl(world: World, ns: NetNamespace, kv: string): void {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new Error(`--sysctl expects KEY=VALUE, got "${kv}"`);
  const key = kv.slice(0, eq).trim().replaceAll('/', '.');
  const value = kv.slice(eq + 1).trim();
  try {
    ns.sysctl.set(key, value);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
    world.sysctl.set(key, value);
  }
}

/** Build and start the host. */
export function startHost(opts: HostOptions): Host {
  // A real host's ISNs, ports and secrets differ from run to run unless a seed is asked for.
  const world = new World({ clock: 'real', seed: opts.seed ?? randomInt(1, 0x7fffffff) });
  const ns = world.createNamespace('host', [loopback({ up: true }), ipv4(), udp(), tcp()]);
  for (const kv of opts.sysctl ?? []) applySysctl(world, ns, kv);
  const dev = opts.link.create(ns);
  const services: Service[] = [];
  try {
    getIpv4(ns).addAddress(dev, opts.addr);
    dev.open();
    if (opts.gw !== undefined) getIpv4(ns).addRoute({ to: 'default', via: opts.gw });
    if (opts.udpEcho !== undefined) services.push(udpEcho(ns, opts.udpEcho));
    if (opts.tcpEcho !== undefined) services.push(tcpEcho(ns, opts.tcpEcho));
    if (opts.http !== undefined) services.push(httpServer(ns, opts.http));
  } catch (err) {
    ns.unregisterNetdevice(dev);
    throw err;
  }
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  out(`netstack host: ${dev.name} ${opts.addr} ${dev.macAddress} on ${opts.link.describe(dev)}${opts.gw !== undefined ? `, default via ${opts.gw}` : ''}`);
  for (const s of services) out(`netstack host: ${s.what}`);
  out('netstack host: ready (SIGINT or SIGTERM to stop)');
  let stopped: Promise<void> | null = null;
  return {
    world,
    ns,
    dev,
    stop() {
      stopped ??= (async () => {
        await Promise.all(services.map((s) => s.close().catch(() => {})));
        dev.close();
        ns.unregisterNetdevice(dev);
      })();
      return stopped;
    },
  };
}

/** Run until SIGINT/SIGTERM, then stop (what the command does). Resolves after cleanup. */
export async function runHost(opts: HostOptions): Promise<void> {
  const host = startHost(opts);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  // Bounded: a connection that will not close does not keep us from exiting.
  await Promise.race([host.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
}
