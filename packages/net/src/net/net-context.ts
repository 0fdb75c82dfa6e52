/**
 * Where a `net.Server` or `net.Socket` works: its namespace and its World's I/O context, both
 * resolved on first use, the namespace being the default host's (./default-netns.ts) when none
 * was given. Until then nothing is created, so a Socket or Server that never does I/O costs no
 * World.
 */
import type { NetNamespace } from '@netstack/core';
import { resolveNetns } from './default-netns.js';
import { netIo, type NetIo } from './io.js';

export class NetContext {
  /** The namespace: given, taken from a handle, or resolved by `ioContext()`. */
  netns: NetNamespace | undefined;
  /** The World's I/O context, once resolved (or taken from a handle). */
  io: NetIo | null = null;

  constructor(netns?: NetNamespace) {
    this.netns = netns;
  }

  /** The World's I/O context; resolving the namespace (the default one if none was given). */
  ioContext(): NetIo {
    if (this.io === null) {
      this.netns ??= resolveNetns(undefined);
      this.io = netIo(this.netns.world);
    }
    return this.io;
  }

  /** The namespace (resolved on first use). */
  namespace(): NetNamespace {
    this.ioContext();
    return this.netns!;
  }
}
