import { describe, expect, it } from 'vitest';
import { BufferSink } from './sink.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapReader, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, parsePcapHeader } from './pcap.js';
import { CaptureFileError } from './errors.js';
import { CaptureRecord } from './record.js';
import { openCapture } from './capture.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from './linktype.js';
import { samplePackets, udpFrame } from './testing/samples.js';

function hex(b: Uint8Array, n = b.length): string {
  return Buffer.from(b.subarray(0, n)).toString('hex');
}

function writeSample(options: ConstructorParameters<typeof PcapWriter>[1], n = 12): Uint8Array {
  const sink = new BufferSink();
  const w = new PcapWriter(sink, options);
  for (const p of samplePackets(n)) w.write(p.data, p.sec, p.nsec, p.origlen);
  return sink.bytes().slice();
}

describe('pcap files', () => {
  it('writes the header the reference shows: d4c3b2a1 0200 0400 ... ffff0000 01000000 (µs) and 4d3cb2a1 (ns)', () => {
    const us = writeSample({ snaplen: 65535 }, 0);
    expect(hex(us)).toBe('d4c3b2a1020004000000000000000000ffff000001000000');
    const ns = writeSample({ snaplen: 65535, nano: true }, 0);
    expect(hex(ns, 4)).toBe('4d3cb2a1');
    const be = writeSample({ snaplen: 65535, littleEndian: false }, 0);
    expect(hex(be)).toBe('a1b2c3d40002000400000000000000000000ffff00000001');
  });

  for (const [name, opts] of [
    ['µs little-endian', {}],
    ['ns little-endian', { nano: true }],
    ['µs big-endian', { littleEndian: false }],
    ['ns big-endian', { nano: true, littleEndian: false }],
  ] as const) {
    it(`${name}: every record reads back (bytes are views into the file, times, lengths)`, () => {
      const file = writeSample(opts);
      const r = new PcapReader(file);
      expect(r.header).toMatchObject({ nano: opts.nano ?? false, littleEndian: !('littleEndian' in opts), snaplen: 262144, linktype: LINKTYPE_ETHERNET, versionMajor: 2, versionMinor: 4 });
      const got = [...r];
      const want = samplePackets(12);
      expect(got.length).toBe(want.length);
      got.forEach((rec, i) => {
        const w = want[i]!;
        expect(rec.data).toEqual(w.data);
        expect(rec.data.buffer).toBe(file.buffer);
        expect([rec.caplen, rec.origlen, rec.tsSec, rec.tsNsec, rec.linktype]).toEqual([w.data.length, w.origlen, w.sec, w.nsec, 1]);
        expect(rec.timeNs).toBe(BigInt(w.sec) * 1_000_000_000n + BigInt(w.nsec));
      });
    });
  }

  it('µs files keep whole microseconds; ns files every nanosecond', () => {
    for (const nano of [false, true]) {
      const sink = new BufferSink();
      new PcapWriter(sink, { nano }).write(udpFrame(3), 1_700_000_000, 123_456_789);
      const [rec] = [...new PcapReader(sink.bytes())];
      expect(rec!.tsNsec).toBe(nano ? 123_456_789 : 123_456_000);
    }
  });

  it('snap length: caplen truncated, origlen kept; writeRecord does not truncate again', () => {
    const sink = new BufferSink();
    const w = new PcapWriter(sink, { snaplen: 64 });
    const frame = udpFrame(200);
    w.write(frame, 1, 0);
    w.write(frame.subarray(0, 10), 2, 0, 1500);
    const recs = [...new PcapReader(sink.bytes())];
    expect(recs.map((r) => [r.caplen, r.origlen])).toEqual([
      [64, frame.length],
      [10, 1500],
    ]);
    expect(recs[0]!.data).toEqual(frame.subarray(0, 64));
  });

  it('rewriting a file record by record with its own header gives identical bytes (both magics, both orders, odd fields)', () => {
    for (const opts of [{}, { nano: true, littleEndian: false }, { linktypeField: 0x14000000 | LINKTYPE_LINUX_SLL, thiszone: -3600, sigfigs: 3, snaplen: 96, versionMinor: 2 }]) {
      const file = writeSample(opts, 20);
      const r = new PcapReader(file);
      const sink = new BufferSink();
      const w = new PcapWriter(sink, r.header);
      for (const rec of r) w.writeRecord(rec);
      expect(hex(sink.bytes())).toBe(hex(file));
    }
  });

  it('other link types and the FCS bits are carried through', () => {
    const file = writeSample({ linktypeField: 0x14000000 | 228 }, 1);
    const h = parsePcapHeader(file);
    expect([h.linktype, h.linktypeField, h.fcsLen]).toEqual([228, 0x14000000 | 228, 2]);
    expect([...new PcapReader(file)][0]!.linktype).toBe(228);
  });

  it('next(rec) reuses one record; rewind starts again', () => {
    const r = new PcapReader(writeSample({}, 5));
    const rec = new CaptureRecord();
    let n = 0;
    while (r.next(rec)) n++;
    expect(n).toBe(5);
    expect(r.next(rec)).toBe(false);
    r.rewind();
    expect(r.next(rec)).toBe(true);
    expect(rec.offset).toBe(24);
  });

  it('a header alone is an empty capture', () => {
    expect([...new PcapReader(writeSample({}, 0))]).toEqual([]);
  });

  it('bad magic, short header, bad version, truncated record header and data: CaptureFileError with the offset', () => {
    const file = writeSample({}, 3);
    const err = (f: () => unknown): CaptureFileError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureFileError);
        return e as CaptureFileError;
      }
      throw new Error('no error');
    };
    const magic = file.slice();
    magic[0] = 0;
    expect(err(() => new PcapReader(magic))).toMatchObject({ code: 'EINVAL', offset: 0, truncated: false });
    expect(err(() => openCapture(magic)).message).toMatch(/unknown file magic/);
    expect(err(() => new PcapReader(file.subarray(0, 20)))).toMatchObject({ offset: 0, truncated: true });
    const ver = file.slice();
    ver[4] = 3;
    expect(err(() => new PcapReader(ver))).toMatchObject({ offset: 4 });
    const firstLen = 16 + samplePackets(1)[0]!.data.length;
    const cutHeader = file.subarray(0, 24 + firstLen + 7);
    const e1 = err(() => [...new PcapReader(cutHeader)]);
    expect([e1.offset, e1.truncated]).toEqual([24 + firstLen, true]);
    expect(e1.message).toMatch(/record header needs 16 bytes, only 7 left \(at byte offset \d+\)/);
    const cutData = file.subarray(0, 24 + firstLen + 20);
    const e2 = err(() => [...new PcapReader(cutData)]);
    expect([e2.offset, e2.truncated]).toEqual([24 + firstLen, true]);
  });

  it('magic constants', () => {
    expect([PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC]).toEqual([0xa1b2c3d4, 0xa1b23c4d]);
  });
});
