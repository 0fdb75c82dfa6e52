/**
 * `tcpdump -ddd` text (a count line, then `code jt jf k` per instruction, decimal) to a program.
 * For tests: the parser throws on anything malformed, including a count that does not match.
 */
import type { SockFilter } from '../insn.js';

export function parseDdd(text: string): SockFilter[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const count = Number(lines[0]);
  const prog = lines.slice(1).map((line, i) => {
    const f = line.split(/\s+/).map(Number);
    if (f.length !== 4 || f.some((v) => !Number.isInteger(v))) throw new Error(`ddd line ${i + 2}: ${JSON.stringify(line)}`);
    return { code: f[0]!, jt: f[1]!, jf: f[2]!, k: f[3]! };
  });
  if (!Number.isInteger(count) || count !== prog.length) throw new Error(`ddd: count ${lines[0]} but ${prog.length} instructions`);
  return prog;
}
