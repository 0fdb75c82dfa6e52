/**
 * @netstack/cli — the `netstack` command (see `bin/netstack.js`) and, for programs and tests,
 * the functions behind it.
 */
export { buildProgram, main } from './main.js';
export {
  runWalkthrough,
  runScenario,
  walkthroughJson,
  mergeTraces,
  ETH_P_802_EX2,
  type WalkthroughOptions,
  type WalkthroughResult,
  type WalkthroughRun,
  type WalkEntry,
  type FrameInfo,
} from './walkthrough/walkthrough.js';
export { renderWalkthrough, describeEntry } from './walkthrough/render.js';
