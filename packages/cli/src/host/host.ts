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
import { TFO_SERVER_ENABLE, tcp } from '@netstack/tcp';
import { nstatLine, nstatTable } from '../tools/nstat.js';
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
  /**
   * TCP_FASTOPEN on the host's TCP listeners (0: not set). Default: the listen backlog (511)
   * when `net.ipv4.tcp_fastopen` has the server bit 0x2, else 0.
   */
  tfoQlen?: number;
  /** At stop, print the namespace's non-zero counters as `nstat -a` does. */
  nstat?: boolean;
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

/** The backlog the services listen with (Node's default), and their default Fast Open queue. */
const LISTEN_BACKLOG = 511;

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

/** Build and start the host; resolves once its link carries traffic and the banner is out. */
export async function startHost(opts: HostOptions): Promise<Host> {
  // A real host's ISNs, ports and secrets differ from run to run unless a seed is asked for.
  const world = new World({ clock: 'real', seed: opts.seed ?? randomInt(1, 0x7fffffff) });
  const ns = world.createNamespace('host', [loopback({ up: true }), ipv4(), udp(), tcp()]);
  for (const kv of opts.sysctl ?? []) applySysctl(world, ns, kv);
  const tfoQlen = opts.tfoQlen ?? (Number(ns.sysctl.get('net.ipv4.tcp_fastopen')) & TFO_SERVER_ENABLE ? LISTEN_BACKLOG : 0);
  const dev = opts.link.create(ns);
  const services: Service[] = [];
  try {
    getIpv4(ns).addAddress(dev, opts.addr);
    dev.open();
    if (opts.gw !== undefined) getIpv4(ns).addRoute({ to: 'default', via: opts.gw });
    if (opts.udpEcho !== undefined) services.push(udpEcho(ns, opts.udpEcho));
    if (opts.tcpEcho !== undefined) services.push(tcpEcho(ns, opts.tcpEcho, tfoQlen));
    if (opts.http !== undefined) services.push(httpServer(ns, opts.http, tfoQlen));
    await opts.link.ready?.(dev);
  } catch (err) {
    await Promise.all(services.map((s) => s.close().catch(() => {})));
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
        if (opts.nstat === true) {
          out('#kernel');
          for (const [id, v] of nstatTable(ns)) if (v !== 0) out(nstatLine(id, v).trimEnd());
        }
      })();
      return stopped;
    },
  };
}

/** Run until SIGINT/SIGTERM, then stop (what the command does). Resolves after cleanup. */
export async function runHost(opts: HostOptions): Promise<void> {
  const host = await startHost(opts);
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
