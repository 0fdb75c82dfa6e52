import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { SkBuff } from '../skb/skbuff.js';

/**
 * What an rx_handler tells the receive path (`enum rx_handler_result`, same values):
 * - `Consumed`: the handler took the buffer (forwarded, queued or freed it); nothing else runs.
 * - `Another`: the handler moved `skb.dev` to another device; receive runs again on it
 *   (taps and that device's rx_handler included).
 * - `Exact`: deliver only to protocol handlers bound to this exact device (no wildcard ones).
 * - `Pass`: carry on as if there were no handler.
 */
export const RxHandlerResult = {
  Consumed: 0,
  Another: 1,
  Exact: 2,
  Pass: 3,
} as const;
export type RxHandlerResult = (typeof RxHandlerResult)[keyof typeof RxHandlerResult];

/**
 * Passed to an rx_handler with each buffer. Reused: read it during the call, never keep it.
 * A handler that replaces the buffer (after `unshare()` moved it, or a new copy) stores the new
 * one in `ctx.skb`, as Linux's `struct sk_buff **pskb` allows; the old one is then the handler's
 * to free.
 */
export interface RxHandlerContext {
  skb: SkBuff;
  /** The device whose handler runs (`skb.dev` at the call). */
  dev: NetDevice;
  /** `rx_handler_data` given at registration. */
  data: unknown;
}

/**
 * An rx_handler (`rx_handler_func_t`). With `Consumed` the handler owns the buffer; with any
 * other result ownership stays with the receive path.
 */
export type RxHandlerFn = (skb: SkBuff, ctx: RxHandlerContext) => RxHandlerResult;

/** Attach `handler` to `dev` (`netdev_rx_handler_register`): one per device, EBUSY otherwise. */
export function netdevRxHandlerRegister(dev: NetDevice, handler: RxHandlerFn, data: unknown = null): void {
  if (dev.rxHandler !== null) throw new NetError('EBUSY', `${dev.name} already has an rx_handler`);
  dev.rxHandlerData = data;
  dev.rxHandler = handler;
}

/** Detach the rx_handler (`netdev_rx_handler_unregister`). */
export function netdevRxHandlerUnregister(dev: NetDevice): void {
  dev.rxHandler = null;
  dev.rxHandlerData = null;
}

/** The device has an rx_handler (`netdev_is_rx_handler_busy`). */
export function netdevIsRxHandlerBusy(dev: NetDevice): boolean {
  return dev.rxHandler !== null;
}
