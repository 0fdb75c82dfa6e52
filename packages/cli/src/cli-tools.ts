/**
 * `netstack [--lab FILE] ip|sysctl|ping ...`: build the lab (or a one-namespace lab without a
 * file), run the tool in it, copy its output to the process's streams and return its status.
 */
import { emptyLab, loadLab } from './lab/lab.js';

export async function runCli(labFile: string | null, argv: readonly string[]): Promise<number> {
  const lab = labFile === null ? await emptyLab() : await loadLab(labFile);
  const result = lab.exec(argv);
  if (result.stdout !== '') process.stdout.write(result.stdout);
  if (result.stderr !== '') process.stderr.write(result.stderr);
  return result.status;
}
