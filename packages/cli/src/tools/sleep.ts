/**
 * `sleep N`: coreutils' sleep, in the lab's virtual time. A lab's setup runs in zero virtual
 * time; `sleep 35` lets timers run (STP's listening and learning delays, FDB ageing, ARP) before
 * the next command, as waiting at a shell would. Suffixes s, m, h, d as coreutils takes them.
 */
import { ToolExit } from './io.js';
import type { ToolContext } from './run.js';

const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export function sleepTool(ctx: ToolContext, argv: readonly string[]): number {
  if (argv.length === 0) throw new ToolExit(1, "sleep: missing operand\nTry 'sleep --help' for more information.");
  let seconds = 0;
  for (const a of argv) {
    const m = /^([0-9]*\.?[0-9]+)([smhd]?)$/.exec(a);
    if (m === null) throw new ToolExit(1, `sleep: invalid time interval '${a}'\nTry 'sleep --help' for more information.`);
    seconds += Number(m[1]) * UNIT[m[2]!]!;
  }
  ctx.lab.world.runFor(Math.round(seconds * 1000));
  return 0;
}
