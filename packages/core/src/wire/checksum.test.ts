import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  csumFold,
  csumFold16,
  csumPartial,
  csumReplace2,
  csumReplace4,
  internetChecksum,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from './checksum.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** Offset of the IPv4 header checksum field. */
const IP_CHECK = 10;

/** A 20-byte IPv4-like header (version/IHL 0x45 so its sum is never zero) with a correct checksum. */
const ipv4Header = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((h) => {
  const b = Uint8Array.from(h);
  b[0] = 0x45;
  writeU16(b, IP_CHECK, 0);
  writeU16(b, IP_CHECK, internetChecksum(b, 0, 20));
  return b;
});

/** Recompute the header checksum from scratch, as a receiver that re-checks the header would. */
function recompute(header: Uint8Array): number {
  const copy = Uint8Array.from(header);
  writeU16(copy, IP_CHECK, 0);
  return internetChecksum(copy, 0, copy.length);
}

describe('RFC 1071 Internet checksum', () => {
  it('matches the RFC 1071 §3 worked example (sum 0xddf2, checksum 0x220d)', () => {
    const bytes = hex('00 01 f2 03 f4 f5 f6 f7');
    const sum = csumPartial(bytes, 0, bytes.length);
    expect(csumFold16(sum)).toBe(0xddf2);
    expect(csumFold(sum)).toBe(0x220d);
    expect(internetChecksum(bytes, 0, bytes.length)).toBe(0x220d);
  });

  it('verifies a real IPv4 header to 0 and recomputes its stored checksum 0xb861', () => {
    const header = hex('45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7');
    expect(internetChecksum(header, 0, header.length)).toBe(0);
    expect(recompute(header)).toBe(0xb861);
    header[8] = 0x3f; // TTL 64 -> 63 without fixing the checksum: verification must fail
    expect(internetChecksum(header, 0, header.length)).not.toBe(0);
  });

  it('honours the offset and the initial (pseudo-header) sum', () => {
    const framed = hex('de ad 45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7 be ef');
    expect(internetChecksum(framed, 2, 20)).toBe(0);
    const bytes = hex('00 01 f2 03 f4 f5 f6 f7');
    const first = csumPartial(bytes, 0, 4);
    expect(csumFold(csumPartial(bytes, 4, 4, first))).toBe(0x220d);
    expect(internetChecksum(bytes, 4, 4, first)).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero (0x0102 + 0x0300)', () => {
    const bytes = hex('01 02 03');
    expect(csumPartial(bytes, 0, 3)).toBe(0x0402);
    expect(internetChecksum(bytes, 0, 3)).toBe(0xfbfd);
    // Only the bytes in range count, even when the buffer continues.
    expect(csumPartial(hex('01 02 03 ff'), 0, 3)).toBe(0x0402);
    expect(csumPartial(hex('ff 01 02 03'), 1, 3)).toBe(0x0402);
  });

  it('an odd-length sum equals the sum of the same bytes padded with a zero byte (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 301, size: 'max' }).filter((b) => b.length % 2 === 1), (bytes) => {
        const padded = new Uint8Array(bytes.length + 1);
        padded.set(bytes);
        expect(csumFold(csumPartial(bytes, 0, bytes.length))).toBe(csumFold(csumPartial(padded, 0, padded.length)));
      }),
    );
  });

  it('sums split at an even offset and chained through `initial` equal the whole (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200, size: 'max' }), fc.nat(), (bytes, k) => {
        const split = Math.min(bytes.length, 2 * (k % 101)) & ~1;
        const whole = csumPartial(bytes, 0, bytes.length);
        const chained = csumPartial(bytes, split, bytes.length - split, csumPartial(bytes, 0, split));
        expect(chained).toBe(whole);
      }),
    );
  });

  it('storing the computed checksum makes any even-length buffer verify to 0 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 120, size: 'max' }).filter((b) => b.length % 2 === 0), fc.nat(), (raw, at) => {
        const b = Uint8Array.from(raw);
        const field = 2 * (at % (b.length / 2));
        writeU16(b, field, 0);
        writeU16(b, field, internetChecksum(b, 0, b.length));
        expect(internetChecksum(b, 0, b.length)).toBe(0);
      }),
    );
  });

  it('folds large unfolded sums with end-around carry', () => {
    expect(csumFold16(0x1_0000)).toBe(0x0001);
    expect(csumFold16(0x1_fffe)).toBe(0xffff);
    expect(csumFold16(0xffff * 70000)).toBe(0xffff);
    expect(csumFold(0)).toBe(0xffff);
  });
});

describe('RFC 1624 incremental update', () => {
  it('gets the RFC 1624 §3 corner case right: 0xdd2f with 0x5555 -> 0x3285 gives 0x0000, not 0xffff', () => {
    // Eqn. 2 (RFC 1141) yields 0xffff here; eqn. 3 yields the recomputed 0x0000.
    expect(csumReplace2(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
    // The same case built as a header: the other words sum to 0xcd7a.
    const h = new Uint8Array(20);
    h[0] = 0x45;
    writeU16(h, 2, 0xcd7a - 0x4500);
    writeU16(h, 4, 0x5555);
    writeU16(h, IP_CHECK, recompute(h));
    expect(readU16(h, IP_CHECK)).toBe(0xdd2f);
    const updated = csumReplace2(0xdd2f, 0x5555, 0x3285);
    writeU16(h, 4, 0x3285);
    expect(updated).toBe(recompute(h));
    writeU16(h, IP_CHECK, updated);
    expect(internetChecksum(h, 0, 20)).toBe(0);
  });

  it('a router decrementing TTL fixes the checksum like a full recomputation', () => {
    const header = hex('45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7');
    const oldWord = readU16(header, 8);
    header[8]!--;
    const check = csumReplace2(readU16(header, IP_CHECK), oldWord, readU16(header, 8));
    expect(check).toBe(0xb961);
    expect(check).toBe(recompute(header));
  });

  it('csumReplace2 agrees with full recomputation for any 16-bit field change (property)', () => {
    fc.assert(
      fc.property(ipv4Header, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 0xffff }), (header, word, newWord) => {
        const at = 2 * word;
        if (at === IP_CHECK) return; // the checksum field itself is not a header field to rewrite
        const oldCheck = readU16(header, IP_CHECK);
        const oldWord = readU16(header, at);
        writeU16(header, at, newWord);
        const incremental = csumReplace2(oldCheck, oldWord, newWord);
        expect(incremental).toBe(recompute(header));
        writeU16(header, IP_CHECK, incremental);
        expect(internetChecksum(header, 0, 20)).toBe(0);
      }),
    );
  });

  it('csumReplace4 agrees with full recomputation when an address changes (NAT, property)', () => {
    fc.assert(
      fc.property(ipv4Header, fc.constantFrom(12, 16), fc.integer({ min: 0, max: 0xffffffff }), (header, at, newAddr) => {
        const oldCheck = readU16(header, IP_CHECK);
        const oldAddr = readU32(header, at);
        writeU32(header, at, newAddr);
        const incremental = csumReplace4(oldCheck, oldAddr, newAddr);
        expect(incremental).toBe(recompute(header));
        writeU16(header, IP_CHECK, incremental);
        expect(internetChecksum(header, 0, 20)).toBe(0);
      }),
    );
  });

  it('chains of updates stay equal to recomputation, including the -0/+0 corner (property)', () => {
    // Values biased towards the ones'-complement zeros 0x0000 and 0xffff and their complements.
    const word = fc.oneof(fc.constantFrom(0x0000, 0xffff, 0x5555, 0xaaaa, 0x3285, 0xcd7a), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(ipv4Header, fc.array(fc.tuple(fc.constantFrom(1, 2, 3, 4, 6, 7, 8, 9), word), { minLength: 1, maxLength: 12 }), (header, changes) => {
        let check = readU16(header, IP_CHECK);
        for (const [w, value] of changes) {
          const at = 2 * w;
          check = csumReplace2(check, readU16(header, at), value);
          writeU16(header, at, value);
          expect(check).toBe(recompute(header));
        }
      }),
    );
  });

  it('the corner case is reachable: some header must be updated to exactly 0x0000', () => {
    // Build a header whose other words sum to 0xffff - m', so the updated checksum is 0x0000.
    const h = new Uint8Array(20);
    h[0] = 0x45;
    writeU16(h, 2, 0xffff - 0x4500 - 0x1234);
    writeU16(h, 4, 0x0001);
    writeU16(h, IP_CHECK, recompute(h));
    const check = csumReplace2(readU16(h, IP_CHECK), 0x0001, 0x1234);
    writeU16(h, 4, 0x1234);
    expect(recompute(h)).toBe(0x0000);
    expect(check).toBe(0x0000);
  });
});

describe('byte order helpers', () => {
  it('read and write big-endian 16 and 32-bit values', () => {
    const b = new Uint8Array(6);
    writeU16(b, 0, 0xabcd);
    writeU32(b, 2, 0xdeadbeef);
    expect([...b]).toEqual([0xab, 0xcd, 0xde, 0xad, 0xbe, 0xef]);
    expect(readU16(b, 0)).toBe(0xabcd);
    expect(readU32(b, 2)).toBe(0xdeadbeef);
  });
});

describe('csumPartial at every alignment and view offset', () => {
  /** The plain RFC 1071 byte loop, as the reference. */
  const reference = (buf: Uint8Array, off: number, len: number, initial: number): number => {
    let sum = initial;
    let i = off;
    for (; i + 1 < off + len; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
    if (i < off + len) sum += buf[i]! << 8;
    return sum;
  };

  it('folds to the byte loop’s sum at every alignment, length and view offset, over ArrayBuffer and SharedArrayBuffer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.nat(7),
        fc.nat(7),
        fc.nat(0xffffff),
        fc.boolean(),
        (bytes, viewShift, offShift, initial, shared) => {
          // Equal to the plain byte loop over any backing store and any view offset.
          const backing = shared ? new SharedArrayBuffer(bytes.length + 16) : new ArrayBuffer(bytes.length + 16);
          const view = new Uint8Array(backing, viewShift, bytes.length + 8);
          const off = Math.min(offShift, 8);
          view.set(bytes, off);
          const got = csumPartial(view, off, bytes.length, initial);
          expect(csumFold(got)).toBe(csumFold(reference(view, off, bytes.length, initial)));
          expect(Number.isSafeInteger(got) && got >= 0).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('all-zero data sums to zero, all-ones to the ones’ complement zero', () => {
    expect(csumPartial(new Uint8Array(1500), 0, 1500)).toBe(0);
    expect(csumFold(csumPartial(new Uint8Array(1500).fill(0xff), 0, 1500))).toBe(0);
  });
});
