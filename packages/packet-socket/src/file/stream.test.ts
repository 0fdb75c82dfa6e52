import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaptureStreamParser, detectCaptureFormat, readCaptureStream } from './stream.js';
import { openCapture } from './capture.js';
import { CaptureFileError } from './errors.js';
import type { CaptureRecord } from './record.js';
import { samplePcap, samplePcapng } from './testing/files.js';

type Summary = [number, number, number, number, number, number, string];

function summary(r: CaptureRecord): Summary {
  return [r.offset, r.caplen, r.origlen, r.tsSec, r.tsNsec, r.interfaceId, Buffer.from(r.data).toString('hex')];
}

function splitAt(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(b.subarray(prev, p));
    prev = p;
  }
  out.push(b.subarray(prev));
  return out;
}

function pushAll(chunks: Uint8Array[]): { recs: Summary[]; sections: number; interfaces: number; headers: number } {
  const recs: Summary[] = [];
  let sections = 0;
  let interfaces = 0;
  let headers = 0;
  const p = new CaptureStreamParser({ onRecord: (r) => recs.push(summary(r)), onSection: () => sections++, onInterface: () => interfaces++, onPcapHeader: () => headers++ });
  for (const c of chunks) p.push(c);
  p.end();
  return { recs, sections, interfaces, headers };
}

const FILES = [
  ['pcap µs', samplePcap(10)],
  ['pcap ns big-endian', samplePcap(10, { nano: true, littleEndian: false })],
  ['pcapng, two sections', samplePcapng(10)],
] as const;

describe('streaming reader', () => {
  for (const [name, file] of FILES) {
    it(`${name}: any split into chunks gives the records of the in-memory reader`, () => {
      const want = [...openCapture(file)].map(summary);
      expect(want.length).toBeGreaterThan(9);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 30 }), (cuts) => {
          expect(pushAll(splitAt(file, cuts)).recs).toEqual(want);
        }),
        { numRuns: 200 },
      );
      // One byte at a time.
      const bytes = Array.from({ length: file.length }, (_, i) => file.subarray(i, i + 1));
      const all = pushAll(bytes);
      expect(all.recs).toEqual(want);
      if (name.startsWith('pcapng')) expect([all.sections, all.interfaces]).toEqual([2, 3]);
      else expect(all.headers).toBe(1);
    });
  }

  it('records split across chunks are views into a buffer of their own, still valid after later pushes', () => {
    const file = samplePcap(4);
    const kept: CaptureRecord[] = [];
    const p = new CaptureStreamParser({ onRecord: (r) => kept.push(r.clone()) });
    for (let i = 0; i < file.length; i += 5) p.push(file.slice(i, i + 5));
    p.end();
    expect(kept.map((r) => Buffer.from(r.data).toString('hex'))).toEqual([...openCapture(file)].map((r) => Buffer.from(r.data).toString('hex')));
  });

  it('end() inside a record, or before any data, is a truncation error; after an error every call throws it', () => {
    const file = samplePcapng(3);
    const p = new CaptureStreamParser({ onRecord: () => {} });
    p.push(file.subarray(0, file.length - 3));
    let err: unknown;
    try {
      p.end();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureFileError);
    expect((err as CaptureFileError).truncated).toBe(true);
    expect(() => p.push(new Uint8Array(1))).toThrow(err as Error);
    expect(() => new CaptureStreamParser({ onRecord: () => {} }).end()).toThrow(/empty/);
    const two = new CaptureStreamParser({ onRecord: () => {} });
    two.push(Uint8Array.of(0xd4, 0xc3));
    expect(() => two.end()).toThrow(/file magic needs 4 bytes/);
  });

  it('an absurd length is refused at once instead of waiting for gigabytes', () => {
    const file = samplePcap(1).slice();
    file[24 + 8 + 3] = 0x7f; // incl_len ≈ 2 GiB
    const p = new CaptureStreamParser({ onRecord: () => {} }, { maxUnitBytes: 1 << 20 });
    expect(() => p.push(file)).toThrow(/larger than the 1048576 bytes accepted/);
  });

  it('readCaptureStream over an async source yields each record', async () => {
    const file = samplePcapng(5);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < file.length; i += 100) yield file.subarray(i, i + 100);
    }
    const got: Summary[] = [];
    for await (const r of readCaptureStream(chunks())) got.push(summary(r));
    expect(got).toEqual([...openCapture(file)].map(summary));
  });

  it('detects the format from the magic', () => {
    expect([detectCaptureFormat(samplePcap(0)), detectCaptureFormat(samplePcapng(0)), detectCaptureFormat(new Uint8Array(8)), detectCaptureFormat(new Uint8Array(2))]).toEqual(['pcap', 'pcapng', null, null]);
  });
});
