/**
 * Damaged files: random truncations and byte flips of valid pcap and pcapng files either parse
 * (a flip in packet data, a time or a length that still fits) or throw CaptureFileError, never
 * anything else, and always within a bounded time; the streaming reader agrees with the
 * in-memory one on which.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openCapture } from './capture.js';
import { CaptureFileError } from './errors.js';
import { CaptureRecord } from './record.js';
import { CaptureStreamParser } from './stream.js';
import { PcapngReader } from './pcapng.js';
import { samplePcap, samplePcapng } from './testing/files.js';

/** Read everything; 'ok:N' or 'err:OFFSET'. Anything but CaptureFileError escapes and fails the test. */
function readAll(b: Uint8Array): string {
  try {
    const r = openCapture(b);
    const rec = new CaptureRecord();
    let n = 0;
    while (r.next(rec)) {
      // Touch what a user would touch.
      if (rec.caplen !== rec.data.length) throw new Error('view length differs from caplen');
      rec.comments();
      n++;
    }
    if (r instanceof PcapngReader) for (const _ of new PcapngReader(b).blocks());
    return `ok:${n}`;
  } catch (e) {
    if (e instanceof CaptureFileError) {
      expect(e.code).toBe('EINVAL');
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(b.length);
      expect(e.message).toMatch(/at byte offset \d+/);
      return `err:${e.offset}`;
    }
    throw e;
  }
}

function streamAll(b: Uint8Array, chunk: number): string {
  let n = 0;
  try {
    const p = new CaptureStreamParser({ onRecord: () => n++ });
    for (let i = 0; i < b.length; i += chunk) p.push(b.subarray(i, i + chunk));
    p.end();
    return `ok:${n}`;
  } catch (e) {
    if (e instanceof CaptureFileError) return `err:${e.offset}`;
    throw e;
  }
}

const FILES: [string, Uint8Array][] = [
  ['pcap', samplePcap(12)],
  ['pcap ns BE', samplePcap(12, { nano: true, littleEndian: false })],
  ['pcapng', samplePcapng(12)],
  ['pcapng BE first', samplePcapng(12, false)],
];

describe('damaged capture files', () => {
  for (const [name, file] of FILES) {
    it(`${name}: every truncation parses or throws CaptureFileError (truncated), in bounded time`, () => {
      expect(readAll(file)).toMatch(/^ok:/);
      const t0 = performance.now();
      for (let cut = 0; cut < file.length; cut++) {
        const res = readAll(file.subarray(0, cut));
        expect(res === `err:${cut}` || res.startsWith('ok:') || res.startsWith('err:')).toBe(true);
      }
      expect(performance.now() - t0).toBeLessThan(5000);
    });

    it(`${name}: random byte flips and truncations parse or throw CaptureFileError; the stream reader agrees`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          fc.integer({ min: 1, max: 300 }),
          (flips, cut, chunk) => {
            const b = file.slice(0, cut === undefined ? file.length : cut % (file.length + 1));
            for (const [at, x] of flips) if (b.length > 0) b[at % b.length] ^= x;
            const t0 = performance.now();
            const mem = readAll(b);
            const str = streamAll(b, chunk);
            expect(performance.now() - t0).toBeLessThan(1000);
            // Same verdict; the stream may report a truncation at the unit where it waits for more.
            expect(str.split(':')[0]).toBe(mem.split(':')[0]);
            if (mem.startsWith('ok')) expect(str).toBe(mem);
          },
        ),
        { numRuns: 1500 },
      );
    });
  }

  it('random bytes with a valid magic in front: parse or CaptureFileError', () => {
    const magics = [Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0), Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4)];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 400 }), (magic, rest) => {
        const b = new Uint8Array(magic.length + rest.length);
        b.set(magic);
        b.set(rest, magic.length);
        readAll(b);
        streamAll(b, 7);
      }),
      { numRuns: 3000 },
    );
  });
});
