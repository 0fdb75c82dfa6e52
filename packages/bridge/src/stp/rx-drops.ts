/**
 * Why `BridgeStp.rcvBpdu` ignored a BPDU: the codec's errors (`BpduError`, same numbers) plus the
 * receiver's own checks from br_stp_rcv. Counted per bridge in a typed array; names only for display.
 */
import { BPDU_ERROR_NAMES, BpduError } from './bpdu.js';

export const StpRxDrop = {
  ...BpduError,
  /** Config BPDU whose message age exceeds its max age (br_stp_rcv: "message age > max age"). */
  MSG_AGE_EXCEEDS_MAX_AGE: 6,
  /** stp_state is not 1 (kernel STP). */
  STP_OFF: 7,
  /** The bridge device is down. */
  BRIDGE_DOWN: 8,
  /** The receiving port is disabled. */
  PORT_DISABLED: 9,
  /** Not (or no longer) a port of this bridge. */
  NOT_A_PORT: 10,
} as const;
export type StpRxDrop = (typeof StpRxDrop)[keyof typeof StpRxDrop];

export const STP_RX_DROP_NAMES: readonly string[] = [
  ...BPDU_ERROR_NAMES,
  'msg_age_exceeds_max_age',
  'stp_off',
  'bridge_down',
  'port_disabled',
  'not_a_port',
];

/** Drops that mean the BPDU itself was bad (as opposed to arriving at a bad moment). */
export function isMalformedDrop(reason: number): boolean {
  return reason >= StpRxDrop.TOO_SHORT && reason <= StpRxDrop.MSG_AGE_EXCEEDS_MAX_AGE;
}
