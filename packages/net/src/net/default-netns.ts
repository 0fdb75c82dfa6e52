/**
 * The host that `node:net` means when no namespace is named. Node has one network stack per
 * process; so does this package: the first call that needs a namespace without being given one
 * creates ONE real-time World with a namespace `init_net` (lo up with 127.0.0.1/8, IPv4, UDP,
 * TCP), and every later such call uses it. This is the only process-wide state of the package,
 * and it exists only once asked for. Its stack keeps the process alive only through ref'ed
 * servers and sockets (see ./process-ref.ts), so an idle default World lets the process exit.
 */
import { randomInt } from 'node:crypto';
import { NetNamespace, World } from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { ipv4 } from '@netstack/ipv4';
import { udp } from '@netstack/udp';
import { tcp } from '@netstack/tcp';
import { errInvalidArgValue } from '../errors/node-errors.js';

const holder: { ns: NetNamespace | null } = { ns: null };

/** The default namespace (`init_net` of a real-time World), created on first use. */
export function defaultNetns(): NetNamespace {
  if (holder.ns === null) {
    // A real host's ISNs, ports and secrets differ from run to run: seed from the OS.
    const world = new World({ clock: 'real', seed: randomInt(1, 0x7fffffff) });
    holder.ns = world.createNamespace('init_net', [loopback({ up: true }), ipv4(), udp(), tcp()]);
  }
  return holder.ns;
}

/** `options.netns` checked, or the default namespace when it is absent. */
export function resolveNetns(netns: unknown, name = 'options.netns'): NetNamespace {
  if (netns === undefined || netns === null) return defaultNetns();
  if (!(netns instanceof NetNamespace)) throw errInvalidArgValue(name, netns, 'must be a netstack NetNamespace');
  return netns;
}
