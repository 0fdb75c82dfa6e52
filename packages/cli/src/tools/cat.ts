/**
 * `cat FILE...` for the procfs files the lab models: `/proc/net/softnet_stat` (one line per
 * simulated CPU, 15 hex columns as kernel 6.x prints them: processed, dropped, time_squeeze,
 * ..., received_rps, flow_limit_count, backlog length, CPU index). Like the kernel's, the file is
 * global: every namespace shows the same CPUs. Other paths answer as cat does for a missing file.
 */
import { ToolExit } from './io.js';
import type { ToolContext } from './run.js';

export function catTool(ctx: ToolContext, argv: readonly string[]): number {
  if (argv.length === 0) throw new ToolExit(1, 'cat: reading standard input is not supported in a lab');
  let status = 0;
  for (const path of argv) {
    if (path === '/proc/net/softnet_stat') ctx.io.out(ctx.lab.world.softnetStat());
    else {
      ctx.io.err(`cat: ${path}: No such file or directory\n`);
      status = 1;
    }
  }
  return status;
}
