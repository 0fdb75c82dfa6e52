/**
 * `netstack [--lab FILE] ip|sysctl|ping ...`: build the lab (or a one-namespace lab without a
 * file), run the tool in it, copy its output to the process's streams and return its status.
 */
import { emptyLab, loadLab } from './lab/lab.js';
import { ToolIo } from './tools/io.js';

export async function runCli(labFile: string | null, argv: readonly string[]): Promise<number> {
  const lab = labFile === null ? await emptyLab() : await loadLab(labFile);
  // Streamed: what a tool prints reaches the terminal as it runs (the result's text stays empty).
  const io = new ToolIo({ stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  const result = lab.exec(argv, undefined, io);
  if (result.stdout !== '') process.stdout.write(result.stdout);
  if (result.stderr !== '') process.stderr.write(result.stderr);
  return result.status;
}
