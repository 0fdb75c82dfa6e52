/**
 * STP timer values (net/bridge/br_private.h, br_private_stp.h; IEEE 802.1D-1998 8.10.2 and
 * Table 8-3). Internally every time is nanoseconds of the injected scheduler; on the wire times
 * are 1/256 s (STP_HZ), converted by `bpdu.ts`.
 */
import { NSEC_PER_MSEC, NSEC_PER_SEC } from '@netstack/core';

/** Bridge Hello Time default: 2 s. */
export const BR_DEFAULT_HELLO_TIME_NS = 2 * NSEC_PER_SEC;
/** Bridge Max Age default: 20 s. */
export const BR_DEFAULT_MAX_AGE_NS = 20 * NSEC_PER_SEC;
/** Bridge Forward Delay default: 15 s. */
export const BR_DEFAULT_FORWARD_DELAY_NS = 15 * NSEC_PER_SEC;
/** BR_HOLD_TIME: at most one config BPDU per port per second (802.1D-1998 8.10.2 Hold Time). */
export const BR_HOLD_TIME_NS = 1 * NSEC_PER_SEC;

/**
 * MESSAGE_AGE_INCR is `(HZ / 256) + 1` jiffies: 4 ms with HZ=250 or HZ=1000, the usual builds.
 * Added to a relayed BPDU's age (802.1D-1998 8.6.2.3.2: "no less than ... one tick").
 */
export const MESSAGE_AGE_INCR_NS = 4 * NSEC_PER_MSEC;

/** Ranges accepted by br_set_hello_time / br_set_max_age / br_set_forward_delay (br_stp.c). */
export const BR_MIN_HELLO_TIME_NS = NSEC_PER_SEC / 10;
export const BR_MAX_HELLO_TIME_NS = 10 * NSEC_PER_SEC;
export const BR_MIN_MAX_AGE_NS = 6 * NSEC_PER_SEC;
export const BR_MAX_MAX_AGE_NS = 40 * NSEC_PER_SEC;
export const BR_MIN_FORWARD_DELAY_NS = 2 * NSEC_PER_SEC;
export const BR_MAX_FORWARD_DELAY_NS = 30 * NSEC_PER_SEC;

/** Path cost range of br_stp_set_path_cost (BR_MIN_PATH_COST, BR_MAX_PATH_COST). */
export const BR_MIN_PATH_COST = 1;
export const BR_MAX_PATH_COST = 65535;
/** BR_PORT_BITS: the port number's width in a port id; the priority sits above it. */
export const BR_PORT_BITS = 10;
/** BR_MAX_PORT_PRIORITY: (u16)~0 >> BR_PORT_BITS = 63. */
export const BR_MAX_PORT_PRIORITY = 0xffff >> BR_PORT_BITS;
/** Default bridge priority (0x8000) in the top two bytes of the bridge id. */
export const BR_DEFAULT_BRIDGE_PRIORITY = 0x8000;

/** Nanoseconds left on a timer, 0 when idle (br_timer_value, for `ip -d link` output). */
export function timerRemainingNs(pending: boolean, expires: number, now: number): number {
  return pending ? Math.max(0, expires - now) : 0;
}
