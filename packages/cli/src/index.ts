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
export { Lab, buildLab, loadLab, emptyLab, DEFAULT_NS, type LabStep } from './lab/lab.js';
export { parseLab, readLab, LabError, LAB_PLUGINS, DEFAULT_PLUGINS, type LabSpec, type LabNamespaceSpec, type LabLinkSpec, type LabPluginName } from './lab/spec.js';
export { labRunText } from './lab/render.js';
export { runTool, TOOLS, type ToolJob } from './tools/run.js';
export { ToolExit, ToolIo, splitCommandLine, type ToolResult, type ToolStreams } from './tools/io.js';
export {
  runPingWalk,
  runPingWalkthrough,
  DEFAULT_PING_LAB,
  hookAux,
  type PingWalkOptions,
  type PingWalkRow,
  type PingWalkRun,
  type PingWalkResult,
  type HookDetail,
} from './walkthrough/ping-walkthrough.js';
export { renderPingWalk } from './walkthrough/ping-render.js';
export {
  runBridgeWalk,
  runBridgeWalkthrough,
  DEFAULT_SWITCH_LAB,
  type BridgeWalkOptions,
  type BridgeWalkRun,
  type BridgeWalkResult,
  type BridgeFrame,
  type BridgeDecision,
} from './walkthrough/bridge-walkthrough.js';
export { renderBridgeWalk } from './walkthrough/bridge-render.js';
export {
  runTcpWalk,
  runTcpWalkthrough,
  TCP_WALK_PORT,
  type TcpWalkOptions,
  type TcpWalkRow,
  type TcpWalkRun,
  type TcpWalkResult,
} from './walkthrough/tcp-walkthrough.js';
export { renderTcpWalk } from './walkthrough/tcp-render.js';
