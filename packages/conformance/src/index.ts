/**
 * @netstack/conformance — the rx_handler conformance kit. Describe your handler as an
 * `RxHandlerSubject` (how to attach it to a port, what it promises per frame) and call
 * `rxHandlerConformance(name, subject)` in a vitest file; or run the checks as plain functions
 * (`runRxHandlerChecks`, `checkVerdicts`, ...) anywhere. See docs/writing-an-rx-handler.md.
 */
export type { Detach, Expectation, ProbeFrame, ProbeSpec, RxHandlerSubject } from './subject.js';
export { KIT_OTHER_MAC, KIT_PEER_MAC, KIT_PORT_MAC, KIT_PROBE_ETHERTYPE, isKitDevice, type KitContext, type KitOptions } from './kit.js';
export { buildFrame, probeFrame } from './frames.js';
export {
  ConformanceError,
  checkAnotherBounded,
  checkCounters,
  checkDropReasons,
  checkEbusy,
  checkExact,
  checkOrdering,
  checkPoolBaseline,
  checkRobustness,
  checkTapClones,
  checkUnregister,
  checkVerdicts,
  resultName,
  runRxHandlerChecks,
  rxHandlerChecks,
  type CheckId,
  type CheckOutcome,
} from './checks.js';
export { rxHandlerConformance } from './conformance.js';
