/**
 * The printer against fixed tcpdump 4.99.3 output (no tools needed), plus the printer's own
 * contract: options, invalid input, bounded TCP state, and no exception on arbitrary bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureRecord, openCapture } from '../file/index.js';
import { createPrinter, type PrintPacket } from './printer.js';
import { optionsFromArgs } from './options.js';
import { FIXTURES_1 } from './testing/fixtures-1.js';
import { FIXTURES_2 } from './testing/fixtures-2.js';
import type { PrintFixture } from './testing/fixture-type.js';
import { pcapBytes } from './testing/mutate.js';

function frames(f: PrintFixture): PrintPacket[] {
  return f.frames.map(([tsSec, tsNsec, origlen, hex]) => ({ data: Buffer.from(hex, 'hex'), origlen, tsSec, tsNsec }));
}

describe('tcpdump 4.99.3 fixtures', () => {
  for (const f of [...FIXTURES_1, ...FIXTURES_2]) {
    it(`${f.name} (tcpdump ${f.args.join(' ')})`, () => {
      const p = createPrinter({ ...optionsFromArgs(f.args), timeZone: 'utc' });
      expect(frames(f).map((pkt) => p.print(pkt)).join('\n')).toBe(f.text);
    });
  }
});

const ARP = Buffer.from('ffffffffffff0200000000010806000108000604000102000000000' + '10a0000010000000000000a000002', 'hex');

describe('createPrinter', () => {
  it('takes the frame from an offset into a larger buffer and honours caplen/origlen', () => {
    const big = new Uint8Array(100);
    big.set(ARP, 10);
    const p = createPrinter({ timestamp: 1, linkHeader: true });
    expect(p.print({ data: big, offset: 10, caplen: ARP.length, origlen: 60 })).toBe(
      '02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.0.0.2 tell 10.0.0.1, length 46',
    );
  });

  it('prints records of the capture-file reader as they are (one reused record)', () => {
    const f = FIXTURES_1[0]!;
    const file = pcapBytes(f.frames.map(([, , origlen, hex]) => ({ data: Buffer.from(hex, 'hex'), origlen })), 1_700_000_000);
    const reader = openCapture(file);
    const rec = new CaptureRecord();
    const p = createPrinter({ timestamp: 1 });
    const lines: string[] = [];
    while (reader.next(rec)) lines.push(p.print(rec));
    expect(lines.join('\n')).toBe(f.text.replace(/^[0-9:.]+ /gm, ''));
  });

  it('accepts a bigint nanosecond timestamp', () => {
    const p = createPrinter({ timestamp: 2, nano: true });
    expect(p.print({ data: ARP, timestampNs: 1_700_000_000_123_456_789n })).toMatch(/^1700000000\.123456789 ARP, /);
  });

  it('writes lines with their newline to a sink', () => {
    const lines: string[] = [];
    const write = createPrinter({ timestamp: 1 }).printTo((s) => lines.push(s));
    write({ data: ARP });
    expect(lines).toEqual(['ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28\n']);
  });

  it("reports records tcpdump rejects as it does", () => {
    const p = createPrinter({ timestamp: 1 });
    expect(p.print({ data: ARP, caplen: 0, origlen: 0 })).toBe('[Invalid header: caplen==0, len==0]');
    expect(p.print({ data: ARP, origlen: 10 })).toBe('[Invalid header: len(10) < caplen(42)]');
  });

  it('rejects link types other than Ethernet and bad option values', () => {
    expect(() => createPrinter().print({ data: ARP, linktype: 113 })).toThrow(/link type 113/);
    expect(() => createPrinter({ verbose: 9 })).toThrow(/verbose/);
    expect(() => createPrinter({ maxTcpFlows: 0 })).toThrow(/maxTcpFlows/);
    expect(() => optionsFromArgs(['-w'])).toThrow(/unsupported/);
  });

  it('parses tcpdump flags', () => {
    expect(optionsFromArgs(['-nn', '-evvv', '-XX', '-tttt', '-S', '-q', '--nano'])).toEqual({
      linkHeader: true, verbose: 3, hexAscii: 2, timestamp: 4, absoluteSeq: true, quiet: true, nano: true,
    });
  });

  it('keeps at most maxTcpFlows conversations, forgetting the oldest', () => {
    const syn = (sport: number, seq: number): PrintPacket => ({ data: tcp(sport, 0x12, seq, 1) });
    const ack = (sport: number, seq: number): PrintPacket => ({ data: tcp(sport, 0x10, seq, 1) });
    const p = createPrinter({ timestamp: 1, maxTcpFlows: 2 });
    p.print(syn(1001, 500));
    p.print(syn(1002, 600));
    expect(p.print(ack(1001, 510))).toMatch(/Flags \[\.\], seq 10:11, ack 1,/);
    p.print(syn(1003, 700)); // evicts 1001, the oldest
    expect(p.print(ack(1002, 610))).toMatch(/seq 10:11/);
    expect(p.print(ack(1001, 510))).toMatch(/seq 510:511, ack 1,/);
    p.reset();
    expect(p.print(ack(1002, 610))).toMatch(/seq 610:611/);
  });

  it('never throws on arbitrary bytes, under any flags', () => {
    const printers = [['-nn'], ['-nn', '-vvv', '-e', '-X'], ['-q', '-xx'], ['-vv', '-S']].map((a) => createPrinter(optionsFromArgs(a)));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(300), (bytes, extra) => {
        for (const p of printers) expect(typeof p.print({ data: bytes, origlen: bytes.length + extra })).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated real frames', () => {
    const seeds = [...FIXTURES_1, ...FIXTURES_2].flatMap((f) => f.frames.map((fr) => Buffer.from(fr[3], 'hex')));
    const p = createPrinter({ verbose: 3, linkHeader: true });
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }), fc.nat(), (i, edits, cut) => {
        const b = new Uint8Array(seeds[i]!);
        for (const [at, v] of edits) b[at % b.length] = v;
        const caplen = 1 + (cut % b.length);
        expect(typeof p.print({ data: b, caplen, origlen: b.length })).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

/** An IPv4 TCP segment 10.0.0.1:sport > 10.0.0.2:80 with one byte of payload. */
function tcp(sport: number, flags: number, seq: number, ack: number): Uint8Array {
  const b = new Uint8Array(14 + 20 + 20 + 1);
  b.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0], 0);
  b.set([0x45, 0, 0, 41, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  const t = 34;
  b[t] = sport >> 8;
  b[t + 1] = sport & 0xff;
  b[t + 3] = 80;
  new DataView(b.buffer).setUint32(t + 4, seq);
  new DataView(b.buffer).setUint32(t + 8, ack);
  b[t + 12] = 0x50;
  b[t + 13] = flags;
  b[t + 15] = 0xff;
  return b;
}
