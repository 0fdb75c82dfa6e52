import { describe, expect, it } from 'vitest';
import { BufferSink } from './sink.js';
import { PcapngWriter } from './pcapng-writer.js';
import { PcapngReader } from './pcapng.js';
import { CaptureFileError } from './errors.js';
import { wr32 } from './bytes.js';
import { EPB_DIR_INBOUND, EPB_DIR_OUTBOUND, EPB_RECV_BROADCAST, PCAPNG_EPB, PCAPNG_SPB } from './pcapng-format.js';
import { CaptureRecord } from './record.js';
import { arpFrame, samplePackets, udpFrame } from './testing/samples.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A file with every feature: two sections (LE then BE), interfaces at µs, ns, ms and 2^-20 s, comments, flags, an SPB, a custom block. */
function richFile(): Uint8Array {
  const sink = new BufferSink();
  const w = new PcapngWriter(sink, { hardware: 'sim', os: 'netstack', userappl: 'test', comments: ['first section'] });
  const eth0 = w.addInterface({ name: 'eth0', description: 'veth to h2', snaplen: 262144 });
  const eth1 = w.addInterface({ name: 'eth1', tsresol: 9, comments: ['nanoseconds'] });
  const slow = w.addInterface({ name: 'slow', tsresol: 3, snaplen: 64 });
  const bin = w.addInterface({ name: 'bin', tsresol: 0x80 | 20 });
  w.write(eth0, udpFrame(10), 1_700_000_000, 500_000_000, undefined, { flags: EPB_DIR_INBOUND | EPB_RECV_BROADCAST, comments: ['hello', 'wörld'] });
  w.write(eth1, arpFrame(), 1_700_000_001, 123_456_789, undefined, { flags: EPB_DIR_OUTBOUND });
  w.write(slow, udpFrame(100), 1_700_000_002, 7_000_000, 2000);
  w.write(bin, udpFrame(5), 1_700_000_003, 999_999_046);
  // A custom block (0xBAD, PEN 32473) that readers must skip.
  const custom = new Uint8Array(20);
  wr32(custom, 0, 0xbad, true);
  wr32(custom, 4, 20, true);
  wr32(custom, 8, 32473, true);
  wr32(custom, 12, 0xdeadbeef, true);
  wr32(custom, 16, 20, true);
  sink.write(custom, 0, 20);
  w.writeSimple(udpFrame(3));
  w.newSection({ littleEndian: false, comments: ['big-endian section'] });
  const be = w.addInterface({ name: 'be0', tsresol: 9 });
  w.write(be, udpFrame(33), 1_700_000_010, 1);
  return sink.bytes().slice();
}

describe('pcapng files', () => {
  it('writes the blocks the reference shows (SHB 0a0d0d0a / 4d3c2b1a, IDB, EPB with µs units)', () => {
    const sink = new BufferSink();
    const w = new PcapngWriter(sink);
    w.addInterface({ snaplen: 262144 });
    const frame = new Uint8Array(43);
    w.write(0, frame, 1_700_000_000, 500_000_000);
    const b = sink.bytes();
    expect(hex(b.subarray(0, 12))).toBe('0a0d0d0a1c0000004d3c2b1a');
    expect(hex(b.subarray(28, 48))).toBe('01000000140000000100000000000400' + '14000000');
    expect(hex(b.subarray(48, 72))).toBe('060000004c00000000000000240a060020e125182b000000');
  });

  it('reads sections, interfaces and every packet back: times to the ns, lengths, flags, comments, SPB', () => {
    const r = new PcapngReader(richFile());
    const recs = [...r];
    expect(r.sections.map((s) => [s.index, s.littleEndian, s.hardware, s.os, s.userappl, s.comments, s.sectionLength])).toEqual([
      [0, true, 'sim', 'netstack', 'test', ['first section'], -1n],
      [1, false, null, null, null, ['big-endian section'], -1n],
    ]);
    const ifs = r.sections[0]!.interfaces;
    expect(ifs.map((i) => [i.id, i.name, i.description, i.tsresolRaw, i.snaplen, i.linktype])).toEqual([
      [0, 'eth0', 'veth to h2', null, 262144, 1],
      [1, 'eth1', null, 9, 0, 1],
      [2, 'slow', null, 3, 64, 1],
      [3, 'bin', null, 0x80 | 20, 0, 1],
    ]);
    expect(ifs[1]!.comments).toEqual(['nanoseconds']);
    expect(recs.map((x) => [x.sectionIndex, x.interfaceId, x.blockType, x.tsSec, x.tsNsec, x.caplen, x.origlen, x.flags, x.comments()])).toEqual([
      [0, 0, PCAPNG_EPB, 1_700_000_000, 500_000_000, 52, 52, EPB_DIR_INBOUND | EPB_RECV_BROADCAST, ['hello', 'wörld']],
      [0, 1, PCAPNG_EPB, 1_700_000_001, 123_456_789, 42, 42, EPB_DIR_OUTBOUND, []],
      [0, 2, PCAPNG_EPB, 1_700_000_002, 7_000_000, 64, 2000, 0, []],
      // 2^-20 s units: 999999046 ns is what 1048575 units read as, and it round-trips.
      [0, 3, PCAPNG_EPB, 1_700_000_003, 999_999_046, 47, 47, 0, []],
      [0, 0, PCAPNG_SPB, 0, 0, 45, 45, 0, []],
      [1, 0, PCAPNG_EPB, 1_700_000_010, 1, 75, 75, 0, []],
    ]);
    expect(recs[0]!.data).toEqual(udpFrame(10));
    expect(recs[2]!.data).toEqual(udpFrame(100).subarray(0, 64));
    expect(recs[5]!.data).toEqual(udpFrame(33));
  });

  it('blocks() reports the custom block and everything else in order', () => {
    const kinds = [...new PcapngReader(richFile()).blocks()].map((b) => (b.kind === 'other' ? `other:${b.type.toString(16)}` : b.kind));
    expect(kinds).toEqual(['section', 'interface', 'interface', 'interface', 'interface', 'packet', 'packet', 'packet', 'packet', 'other:bad', 'packet', 'section', 'interface', 'packet']);
  });

  it('rewriting through blocks() reproduces our own file byte for byte (options copied raw)', () => {
    const file = richFile();
    const sink = new BufferSink();
    let w: PcapngWriter | null = null;
    for (const b of new PcapngReader(file).blocks()) {
      if (b.kind === 'section') {
        const s = b.section;
        const opts = { littleEndian: s.littleEndian, comments: s.comments, hardware: s.hardware ?? undefined, os: s.os ?? undefined, userappl: s.userappl ?? undefined };
        if (w === null) w = new PcapngWriter(sink, opts);
        else w.newSection(opts);
      } else if (b.kind === 'interface') {
        const i = b.iface;
        w!.addInterface({ linktype: i.linktype, snaplen: i.snaplen, name: i.name ?? undefined, description: i.description ?? undefined, tsresol: i.tsresolRaw ?? undefined, comments: i.comments });
      } else if (b.kind === 'packet') {
        if (b.record.blockType === PCAPNG_SPB) w!.writeSimple(b.record.data, b.record.origlen);
        else w!.writeRecord(b.record);
      } else {
        sink.write(file, b.offset, b.body.length + 12);
      }
    }
    expect(hex(sink.bytes())).toBe(hex(file));
  });

  it('a record rewritten into the other byte order keeps its packet, time, lengths, flags and comments', () => {
    const src = new PcapngReader(richFile());
    const first = [...src].slice(0, 4);
    const sink = new BufferSink();
    const w = new PcapngWriter(sink, { littleEndian: false });
    for (const i of src.sections[0]!.interfaces) w.addInterface({ tsresol: i.tsresolRaw ?? undefined, snaplen: i.snaplen });
    for (const rec of first) w.writeRecord(rec);
    const back = [...new PcapngReader(sink.bytes())];
    expect(back.map((x) => [x.data, x.tsSec, x.tsNsec, x.caplen, x.origlen, x.flags, x.comments()])).toEqual(first.map((x) => [x.data, x.tsSec, x.tsNsec, x.caplen, x.origlen, x.flags, x.comments()]));
  });

  it('if_tsoffset is added to every timestamp', () => {
    const sink = new BufferSink();
    const w = new PcapngWriter(sink);
    w.addInterface({ tsresol: 9 });
    w.write(0, udpFrame(1), 100, 5);
    const b = sink.bytes().slice();
    // Patch an if_tsoffset into a hand-made IDB: rebuild with the option before tsresol.
    const idb = Uint8Array.from([1, 0, 0, 0, 36, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 14, 0, 8, 0, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 36, 0, 0, 0]);
    // The writer's IDB (with if_tsresol 9) is 32 bytes at offset 28.
    const file = new Uint8Array(28 + idb.length + (b.length - 28 - 32));
    file.set(b.subarray(0, 28));
    file.set(idb, 28);
    file.set(b.subarray(28 + 32), 28 + idb.length);
    const [rec] = [...new PcapngReader(file)];
    // The EPB was written at ns resolution (100 s + 5 ns = 100000000005 units); read at µs plus 1000000 s.
    expect([rec!.tsSec, rec!.tsNsec]).toEqual([1_000_000 + 100_000, 5000]);
  });

  it('next(rec) skips non-packet blocks and reuses the record', () => {
    const r = new PcapngReader(richFile());
    const rec = new CaptureRecord();
    let n = 0;
    while (r.next(rec)) n++;
    expect(n).toBe(6);
    r.rewind();
    expect(r.next(rec) && rec.interfaceId).toBe(0);
  });

  it('corrupt blocks: CaptureFileError naming the offset', () => {
    const file = richFile();
    const shbLen = 28 + 4 + 16 + 8 + 12 + 8 + 4; // options: comment(4+16) hardware(4+4) os(4+8) userappl(4+4) end(4)
    const reader = new PcapngReader(file);
    expect(reader.offset).toBe(shbLen);
    const cases: [string, (b: Uint8Array) => void, number, RegExp][] = [
      ['bad byte-order magic', (b) => (b[8] = 0), 8, /byte-order magic/],
      ['length not a multiple of 4', (b) => wr32(b, shbLen + 4, 30, true), shbLen + 4, /multiple of 4/],
      ['trailer differs', (b) => wr32(b, shbLen + 4, 40, true), shbLen + 36, /trailing block length/],
      ['version 2', (b) => (b[12] = 2), 12, /unsupported pcapng version/],
    ];
    for (const [what, mangle, offset, msg] of cases) {
      const bad = file.slice();
      mangle(bad);
      let err: unknown = null;
      try {
        const r = new PcapngReader(bad);
        while (r.next(new CaptureRecord()));
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(CaptureFileError);
      expect((err as CaptureFileError).offset, what).toBe(offset);
      expect((err as CaptureFileError).message, what).toMatch(msg);
    }
  });

  it('an EPB naming an undescribed interface, and a captured length past the block, are errors', () => {
    const sink = new BufferSink();
    const w = new PcapngWriter(sink);
    w.addInterface();
    w.write(0, udpFrame(4), 1, 0);
    const b = sink.bytes().slice();
    const epb = 28 + 20;
    const badIf = b.slice();
    wr32(badIf, epb + 8, 3, true);
    expect(() => [...new PcapngReader(badIf)]).toThrow(/interface id 3 is not described \(the section has 1 interfaces\) \(at byte offset 56\)/);
    const badLen = b.slice();
    wr32(badLen, epb + 20, 1000, true);
    expect(() => [...new PcapngReader(badLen)]).toThrow(/captured length 1000 exceeds/);
    expect(() => [...new PcapngReader(b.subarray(0, b.length - 1))]).toThrow(CaptureFileError);
    expect(() => new PcapngReader(samplePackets(1)[0]!.data)).toThrow(/does not start with a Section Header Block/);
  });
});
