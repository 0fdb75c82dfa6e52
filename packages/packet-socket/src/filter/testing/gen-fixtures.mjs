#!/usr/bin/env node
// Regenerates fixtures.json from the real tcpdump: for every expression in expressions.txt and
// errors.txt, tcpdump's -ddd listing (optimized and with -O) or its error message, and the
// indexes of the packets.pcap records it selects (and, where different, with -O).  Usage: node gen-fixtures.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const list = (f) => readFileSync(here(f), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
const MAX_UNOPTIMIZED_LINES = 400;

function tcpdump(args) {
  try {
    return { out: execFileSync('tcpdump', args, { stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { error: String(e.stderr).trim().replace(/^tcpdump: /, '').split('\n')[0] };
  }
}

function matches(expr, optimize) {
  const r = tcpdump([...(optimize ? [] : ['-O']), '-r', here('packets.pcap'), '-w', '-', '--', expr]);
  if (r.error) return null;
  const buf = r.out;
  const idx = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    idx.push(buf.readUInt32LE(off) - 1700000000);
    off += 16 + buf.readUInt32LE(off + 8);
  }
  return idx.join(',');
}

const out = [];
for (const [group, file] of [['ok', 'expressions.txt'], ['error', 'errors.txt']]) {
  for (const expr of list(file)) {
    const d = tcpdump(['-ddd', '-y', 'EN10MB', '--', expr]);
    const entry = { group, expr };
    if (d.error) entry.error = d.error;
    else {
      entry.ddd = String(d.out).trimEnd();
      const o = tcpdump(['-O', '-ddd', '-y', 'EN10MB', '--', expr]);
      const text = String(o.out ?? '').trimEnd();
      if (!o.error && text.split('\n').length <= MAX_UNOPTIMIZED_LINES) entry.dddO = text;
      const m = matches(expr, true);
      if (m !== null) entry.matches = m;
      // Without the optimizer a program may select differently: on truncated records an
      // unoptimized program can fail a load the optimized one no longer makes.
      const mO = matches(expr, false);
      if (mO !== null && mO !== m) entry.matchesO = mO;
    }
    out.push(entry);
  }
}
writeFileSync(here('fixtures.json'), JSON.stringify(out, null, 0).replace(/\},\{/g, '},\n{') + '\n');
console.log(`${out.length} fixtures written`);
