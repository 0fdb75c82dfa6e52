import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scavengesDuring } from '../../../../test/helpers/gc.js';
import { NetError } from '../errors/net-error.js';
import { IPV4_VECTORS, IPV6_VECTORS, be16, v4, v6 } from './testing/vectors.js';
import { RSS_HASH_KEY_SIZE, TOEPLITZ_MAX_INPUT, ToeplitzHash, microsoftRssKey, toeplitz } from './toeplitz.js';

const KEY = microsoftRssKey();

describe('Microsoft RSS verification vectors', () => {
  it('uses the documented 40-byte key', () => {
    expect(KEY.length).toBe(RSS_HASH_KEY_SIZE);
    expect(Buffer.from(KEY).toString('hex')).toBe('6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa');
    // A copy each time: mutating one does not change the next.
    KEY[0] = 0;
    expect(microsoftRssKey()[0]).toBe(0x6d);
    KEY[0] = 0x6d;
  });

  const hasher = new ToeplitzHash(KEY);

  describe.each(IPV4_VECTORS)('IPv4 $src:$sport -> $dst:$dport', (t) => {
    const input = Uint8Array.from([...v4(t.src), ...v4(t.dst), ...be16(t.sport), ...be16(t.dport)]);
    // The same bytes at an odd offset inside a larger buffer, as in a packet.
    const pkt = new Uint8Array(64);
    pkt.set(input, 27);

    it('IPv4 only', () => {
      expect(toeplitz(KEY, input, 0, 8)).toBe(t.l3);
      expect(hasher.hash(input, 0, 8)).toBe(t.l3);
      expect(hasher.v4(pkt, 27)).toBe(t.l3);
    });
    it('IPv4 with TCP', () => {
      expect(toeplitz(KEY, input)).toBe(t.l4);
      expect(hasher.hash(input, 0, 12)).toBe(t.l4);
      expect(hasher.v4Ports(pkt, 27, 35)).toBe(t.l4);
    });
  });

  describe.each(IPV6_VECTORS)('IPv6 $src:$sport -> $dst:$dport', (t) => {
    const input = Uint8Array.from([...v6(t.src), ...v6(t.dst), ...be16(t.sport), ...be16(t.dport)]);
    const pkt = new Uint8Array(80);
    pkt.set(input, 13);

    it('IPv6 only', () => {
      expect(toeplitz(KEY, input, 0, 32)).toBe(t.l3);
      expect(hasher.hash(input, 0, 32)).toBe(t.l3);
      expect(hasher.v6(pkt, 13)).toBe(t.l3);
    });
    it('IPv6 with TCP', () => {
      expect(toeplitz(KEY, input)).toBe(t.l4);
      expect(hasher.hash(input, 0, 36)).toBe(t.l4);
      expect(hasher.v6Ports(pkt, 13, 45)).toBe(t.l4);
    });
  });
});

describe('table-driven Toeplitz equals the bit-by-bit reference', () => {
  const key = fc.uint8Array({ minLength: 40, maxLength: 40 });

  it('for any 40-byte key and any input of 0..36 bytes', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ maxLength: TOEPLITZ_MAX_INPUT }), (k, input) => {
        expect(new ToeplitzHash(k).hash(input, 0, input.length)).toBe(toeplitz(k, input));
      }),
      { numRuns: 300 },
    );
  });

  it('for the specialised IPv4/IPv6 2-tuple and 4-tuple forms at any offsets', () => {
    fc.assert(
      fc.property(
        key,
        fc.uint8Array({ minLength: 36, maxLength: 36 }),
        fc.nat({ max: 40 }),
        fc.nat({ max: 40 }),
        (k, tuple, addrOff, gap) => {
          const h = new ToeplitzHash(k);
          const buf = new Uint8Array(200).fill(0xa5);
          // IPv4: 8 address bytes at addrOff, ports `gap` bytes later (IP options in between).
          buf.set(tuple.subarray(0, 8), addrOff);
          const p4 = addrOff + 8 + gap;
          buf.set(tuple.subarray(32, 36), p4);
          const in4 = Uint8Array.from([...tuple.subarray(0, 8), ...tuple.subarray(32, 36)]);
          expect(h.v4(buf, addrOff)).toBe(toeplitz(k, in4, 0, 8));
          expect(h.v4Ports(buf, addrOff, p4)).toBe(toeplitz(k, in4));
          // IPv6: 32 address bytes, ports after extension headers.
          const b6 = new Uint8Array(200).fill(0x5a);
          b6.set(tuple.subarray(0, 32), addrOff);
          const p6 = addrOff + 32 + gap;
          b6.set(tuple.subarray(32, 36), p6);
          expect(h.v6(b6, addrOff)).toBe(toeplitz(k, tuple, 0, 32));
          expect(h.v6Ports(b6, addrOff, p6)).toBe(toeplitz(k, tuple));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('treats key bits past the end of a short key as zero, like the reference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 39 }), fc.uint8Array({ maxLength: 36 }), (k, input) => {
        expect(new ToeplitzHash(k).hash(input, 0, input.length)).toBe(toeplitz(k, input));
      }),
      { numRuns: 100 },
    );
  });

  it('is linear over XOR (a Toeplitz matrix product): h(a ^ b) = h(a) ^ h(b)', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), (k, a, b) => {
        const x = a.map((v, i) => v ^ b[i]!);
        expect(toeplitz(k, x)).toBe((toeplitz(k, a) ^ toeplitz(k, b)) >>> 0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('errors', () => {
  it('rejects input ranges outside the buffer and inputs longer than the tables', () => {
    expect(() => toeplitz(KEY, new Uint8Array(4), 2, 4)).toThrow(NetError);
    expect(() => new ToeplitzHash(KEY).hash(new Uint8Array(40), 0, 37)).toThrow(NetError);
    expect(() => new ToeplitzHash(new Uint8Array(3))).toThrow(NetError);
  });
});

describe('allocation', () => {
  it('the fast IPv4 4-tuple and IPv6 forms allocate nothing per hash', async () => {
    const h = new ToeplitzHash(KEY);
    const buf = new Uint8Array(256);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 37) & 0xff;
    let acc = 0;
    const loop = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const o = i & 127;
        acc ^= h.v4Ports(buf, o, o + 20) ^ h.v4(buf, o) ^ h.v6Ports(buf, o, o + 40);
        buf[o] = (buf[o]! + 1) & 0xff;
      }
    };
    loop(50_000);
    expect(await scavengesDuring(() => loop(1_000_000))).toBeLessThanOrEqual(1);
    expect(acc).not.toBeNaN();
  });
});
