/**
 * Runs one tool command line against a lab: `ip ...`, `bridge ...`, `sysctl ...`, `ping ...`,
 * `iptables ...`, `ss ...`, `nstat ...`, `tcpdump ...`, `tc ...`, `ethtool ...`, `sleep N` (virtual time) or
 * `cat /proc/net/softnet_stat`.
 * The CLI, the lab's setup commands and the tests all come through here, so they share one
 * implementation.
 */
import type { NetNamespace } from '@netstack/core';
import type { Lab } from '../lab/lab.js';
import { bridgeTool } from './bridge.js';
import { catTool } from './cat.js';
import { ethtoolTool } from './ethtool.js';
import { ToolExit, ToolIo, type ToolResult } from './io.js';
import { ipTool } from './ip/ip.js';
import { iptablesTool } from './iptables.js';
import { nstatTool } from './nstat.js';
import { pingTool } from './ping.js';
import { sleepTool } from './sleep.js';
import { ssTool } from './ss/ss.js';
import { sysctlTool } from './sysctl.js';
import { tcTool } from './tc.js';
import { tcpdumpTool } from './tcpdump/tcpdump.js';

/** What a tool runs against. */
export interface ToolContext {
  lab: Lab;
  io: ToolIo;
  /** The namespace the command runs in unless it names one (`ip -n`): a lab setup's, or `ip netns exec`'s. */
  ns: NetNamespace | null;
  /** Set when the command runs in the background (a lab setup line ending in `&`). */
  job?: ToolJob | null;
}

/**
 * A command started in the background. A tool that keeps running (a live `tcpdump`) sets
 * `finish`, which the lab calls when its setup is over, with where the rest of its output goes;
 * other tools simply run to the end at once.
 */
export interface ToolJob {
  finish: ((io: ToolIo) => number) | null;
}

export const TOOLS = ['ip', 'bridge', 'sysctl', 'ping', 'iptables', 'ss', 'nstat', 'tcpdump', 'tc', 'ethtool', 'sleep', 'cat'] as const;

/**
 * Run `argv` (tool name first). Output is collected (or streamed, with a streaming `io`); the
 * status is the tool's exit status.
 */
export function runTool(lab: Lab, argv: readonly string[], ns?: NetNamespace, options: { io?: ToolIo; job?: ToolJob } = {}): ToolResult {
  const io = options.io ?? new ToolIo();
  const ctx: ToolContext = { lab, io, ns: ns ?? null, job: options.job ?? null };
  let status: number;
  try {
    status = dispatch(ctx, argv);
  } catch (err) {
    if (!(err instanceof ToolExit)) throw err;
    if (err.message !== '') io.err(err.message + '\n');
    status = err.status;
  }
  return io.result(status);
}

/** Run a tool inside an existing context (`ip netns exec NS CMD ...`). */
export function dispatch(ctx: ToolContext, argv: readonly string[]): number {
  const [tool, ...args] = argv;
  switch (tool) {
    case 'ip':
      return ipTool(ctx, args);
    case 'sysctl':
      return sysctlTool(ctx, args);
    case 'ping':
      return pingTool(ctx, args);
    case 'iptables':
      return iptablesTool(ctx, args);
    case 'bridge':
      return bridgeTool(ctx, args);
    case 'ss':
      return ssTool(ctx, args);
    case 'nstat':
      return nstatTool(ctx, args);
    case 'tc':
      return tcTool(ctx, args);
    case 'tcpdump':
      return tcpdumpTool(ctx, args);
    case 'ethtool':
      return ethtoolTool(ctx, args);
    case 'sleep':
      return sleepTool(ctx, args);
    case 'cat':
      return catTool(ctx, args);
    default:
      throw new ToolExit(127, `netstack: ${tool ?? ''}: command not found (labs run ${TOOLS.join(', ')})`);
  }
}

/**
 * The namespace a command runs in: the one it names, else the context's, else the lab's only
 * one. `onMissing` words the error when a named namespace does not exist.
 */
export function pickNamespace(ctx: ToolContext, name: string | null, tool: string, onMissing: (name: string) => ToolExit): NetNamespace {
  if (name !== null) {
    const ns = ctx.lab.namespace(name);
    if (ns === undefined) throw onMissing(name);
    return ns;
  }
  const ns = ctx.ns ?? ctx.lab.defaultNamespace;
  if (ns === null) {
    const names = ctx.lab.namespaces.map((n) => n.name).join(', ');
    throw new ToolExit(255, `netstack: the lab ${ctx.lab.file} has namespaces ${names}: say which with "${tool} -n NAME ..."`);
  }
  return ns;
}
