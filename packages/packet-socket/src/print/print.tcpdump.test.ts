/**
 * The printer against the real tcpdump 4.99: scapy writes a corpus covering every protocol and
 * variant printed (including truncated and malformed frames), tcpdump reads each file under
 * each option set, and our text must be identical line for line. Skipped, with a warning, when
 * /usr/bin/tcpdump or scapy for /usr/bin/python3 is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrinter } from './printer.js';
import { optionsFromArgs, type PrintOptions } from './options.js';
import { CORPUS_GROUPS, firstDifference, readGroup, realToolsMissing, runTcpdump, splitByStamp, writeCorpus } from './testing/corpus.js';
import { asPackets, mutateFrames, pcapBytes } from './testing/mutate.js';

const missing = realToolsMissing();
if (missing) {
  console.warn(`\n*** SKIPPING the real-tcpdump comparison of the printer: ${missing} ***\n`);
}

/** tcpdump flag sets compared (-n is implied by everything; -n and -nn print alike in 4.99). */
const OPTION_SETS: readonly (readonly string[])[] = [
  ['-nn'], ['-n'], ['-nn', '-e'], ['-nn', '-v'], ['-nn', '-vv'], ['-nn', '-vvv'], ['-nn', '-e', '-v'],
  ['-nn', '-q'], ['-nn', '-q', '-e'], ['-nn', '-x'], ['-nn', '-X'], ['-nn', '-xx'], ['-nn', '-XX', '-e'],
  ['-nn', '-v', '-X'], ['-nn', '-t'], ['-nn', '-tt'], ['-nn', '-ttt'], ['-nn', '-tttt'], ['-nn', '-ttttt'],
  ['-nn', '-S'], ['-nn', '-tt', '--nano'], ['-nn', '-e', '-vv', '-XX'],
];

let dir = '';
let comparisons = 0;

function ourText(group: string, opts: PrintOptions): string {
  const file = readGroup(dir, group);
  const printer = createPrinter(opts);
  let s = '';
  for (const pkt of file.packets) s += printer.print(pkt) + '\n';
  return s;
}

describe.skipIf(missing !== null)('tcpdump text, compared with the real tcpdump 4.99', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netstack-print-'));
    writeCorpus(dir);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`[print] ${comparisons} packet printings compared with the real tcpdump (packets x option sets), all identical`);
  });

  for (const group of CORPUS_GROUPS) {
    describe(group, () => {
      for (const args of OPTION_SETS) {
        it(`tcpdump ${args.join(' ')}`, () => {
          const real = runTcpdump(join(dir, group + '.pcap'), args);
          const ours = ourText(group, { ...optionsFromArgs(args), timeZone: 'utc' });
          expect(firstDifference(real, ours)).toBe('');
          comparisons += readGroup(dir, group).packets.length;
        });
      }
    });
  }

  it('prints local time in a fixed time zone as tcpdump does under TZ', () => {
    for (const args of [['-nn'], ['-nn', '-tttt']]) {
      const real = runTcpdump(join(dir, 'udp.pcap'), args, 'EST5');
      const ours = ourText('udp', { ...optionsFromArgs(args), timeZone: -5 * 3600 });
      expect(firstDifference(real, ours)).toBe('');
      comparisons += readGroup(dir, 'udp').packets.length;
    }
  });

  it('matches tcpdump on corrupted and truncated frames (seeded mutations of the corpus)', () => {
    const seeds = CORPUS_GROUPS.filter((g) => g !== 'nano').flatMap((g) => readGroup(dir, g).packets.map((p) => p.data!));
    for (const [seed, llc] of [[1, false], [2, false], [3, true]] as const) {
      const frames = mutateFrames(seeds, 1500, seed, llc);
      const file = join(dir, `mutated-${seed}.pcap`);
      writeFileSync(file, pcapBytes(frames, 1_700_000_000));
      for (const args of [['-nn'], ['-nn', '-vv', '-e'], ['-nn', '-x'], ['-nn', '-q']]) {
        const real = splitByStamp(runTcpdump(file, [...args, '-tt']), 1_700_000_000, frames.length);
        const printer = createPrinter({ ...optionsFromArgs(args), timestamp: 2 });
        let skipped = 0;
        asPackets(frames, 1_700_000_000).forEach((pkt, i) => {
          const ours = printer.print(pkt);
          // Corruption may land on a protocol tcpdump decodes and these printers do not.
          if (printer.undecoded) skipped++;
          else expect(firstDifference(real[i]!, ours), `frame ${i}`).toBe('');
        });
        expect(skipped).toBeLessThan(frames.length / 20);
        comparisons += frames.length - skipped;
      }
    }
  }, 60_000);

  it('covers enough packets to mean something', () => {
    let n = 0;
    for (const g of CORPUS_GROUPS) n += readGroup(dir, g).packets.length;
    expect(n).toBeGreaterThan(300);
  });
});
