/**
 * @netstack/example-rx-handler-port-mirror — a complete rx_handler in one file, written only
 * against the public API of `@netstack/core`. Copy it as the starting point of your own handler
 * (docs/writing-an-rx-handler.md walks through it).
 *
 * What it does: every frame `port` receives is copied out of `target` (as `tc ... action mirred
 * egress mirror` or a switch's SPAN port would), then goes on up the stack untouched (`Pass`).
 *
 * The duties of an rx_handler, and where this one meets them:
 * 1. Registration: `netdevRxHandlerRegister(port, fn, data)` claims the port's single slot; a
 *    port that already has a handler (a bridge port, a bond slave) throws `NetError` EBUSY, which
 *    we let through untouched. `data` is the per-device state the handler gets as `ctx.data`.
 * 2. Ownership: with `Pass` the buffer stays the receive path's, so we never free `skb`. The
 *    copy we make is ours until `devQueueXmit` takes it; from then on the transmit path frees it
 *    (consumed by the driver, or dropped with a reason such as DEV_READY).
 * 3. Clones, not copies: we only read the bytes, so `skb.clone()` (shared data, a new header) is
 *    enough. Moving `data` back over the MAC header with `push` writes nothing. A handler that
 *    writes must `unshare()` first: taps may hold clones of the same bytes.
 * 4. No stacking: the mirror does not move `skb.dev`, so it needs no upper link and never
 *    returns `Another`.
 * 5. Never throw on the packet path: a frame we cannot mirror is counted and passed on.
 */
import {
  NET_XMIT_SUCCESS,
  NetError,
  RxHandlerResult,
  devQueueXmit,
  netdevRxHandlerRegister,
  netdevRxHandlerUnregister,
  skbScrubPacket,
  type NetDevice,
  type RxHandlerContext,
  type SkBuff,
} from '@netstack/core';

/** Counters of one mirror (plain numbers: read them any time). */
export interface PortMirrorStats {
  /** Copies handed to the target and accepted by its transmit path. */
  mirrored: number;
  /** Copies the target's transmit path dropped (target down, queue full): the transmit path freed them with a reason. */
  txDropped: number;
  /** Frames not mirrored because they had no MAC header to send. */
  skipped: number;
}

/** A port being mirrored. */
export interface PortMirror {
  readonly port: NetDevice;
  readonly target: NetDevice;
  readonly stats: PortMirrorStats;
  /** Stop mirroring: unregister the rx_handler. Idempotent. */
  detach(): void;
}

/** Per-device data, handed back to the handler as `ctx.data` (`rx_handler_data`). */
interface MirrorState {
  readonly target: NetDevice;
  readonly stats: PortMirrorStats;
}

/**
 * The rx_handler. One function for every mirrored port (the dispatch site stays monomorphic);
 * what differs per port lives in `ctx.data`.
 */
function mirrorFrame(skb: SkBuff, ctx: RxHandlerContext): RxHandlerResult {
  const state = ctx.data as MirrorState;
  if (skb.macHeader < 0 || skb.macHeader > skb.data) {
    state.stats.skipped++;
    return RxHandlerResult.Pass;
  }
  const copy = skb.clone(); // a new header over the same bytes: we only read them
  copy.push(copy.data - copy.macHeader); // back over the Ethernet header, as a driver expects
  copy.dev = state.target;
  // Crossing into another namespace: drop what must not cross (route, timestamp, and the mark).
  skbScrubPacket(copy, state.target.net !== ctx.dev.net);
  // The copy is the transmit path's from here on, whatever it returns.
  if (devQueueXmit(copy) === NET_XMIT_SUCCESS) state.stats.mirrored++;
  else state.stats.txDropped++;
  return RxHandlerResult.Pass; // the original goes on up the stack, untouched
}

/**
 * Mirror every frame `port` receives to `target`. Throws `NetError` EBUSY when the port already
 * has an rx_handler, EINVAL when `target` is `port` itself.
 *
 * Do not mirror into a device whose transmissions come back to `port` (the other end of `port`'s
 * own veth pair): each copy would be received and mirrored again, forever.
 */
export function mirrorPort(port: NetDevice, target: NetDevice): PortMirror {
  if (target === port) throw new NetError('EINVAL', `cannot mirror ${port.name} to itself`);
  const state: MirrorState = { target, stats: { mirrored: 0, txDropped: 0, skipped: 0 } };
  netdevRxHandlerRegister(port, mirrorFrame, state); // EBUSY propagates: the port is someone else's
  let attached = true;
  return {
    port,
    target,
    stats: state.stats,
    detach() {
      // Only remove our own handler: after a detach someone else may own the slot.
      if (!attached) return;
      attached = false;
      if (port.rxHandlerData === state) netdevRxHandlerUnregister(port);
    },
  };
}
