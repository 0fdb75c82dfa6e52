import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NetError } from '../errors/net-error.js';
import {
  etherAddrEqual,
  formatMac,
  isBroadcastEtherAddr,
  isMulticastEtherAddr,
  isValidEtherAddr,
  isZeroEtherAddr,
  parseMac,
  randomEtherAddr,
} from './mac.js';

function expectErrno(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('MAC addresses', () => {
  it('parses colon and dash forms, upper and lower case, single-digit octets', () => {
    expect([...parseMac('02:1a:2B:3c:4D:ff')]).toEqual([0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0xff]);
    expect([...parseMac('02-1A-2B-3C-4D-FF')]).toEqual([0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0xff]);
    expect([...parseMac('0:1:2:a:b:c')]).toEqual([0, 1, 2, 0xa, 0xb, 0xc]);
  });

  it('formats 6 bytes at an offset as lower-case, zero-padded aa:bb:cc:dd:ee:ff', () => {
    expect(formatMac(Uint8Array.from([9, 9, 0x02, 0x0a, 0xb0, 0, 0xff, 1]), 2)).toBe('02:0a:b0:00:ff:01');
  });

  it('format ∘ parse and parse ∘ format round trip (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
        const text = formatMac(bytes);
        expect(text).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect([...parseMac(text)]).toEqual([...bytes]);
        expect(formatMac(parseMac(text.toUpperCase().replaceAll(':', '-')))).toBe(text);
      }),
    );
  });

  it('rejects malformed text with EINVAL', () => {
    for (const bad of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aa:bb:cc:dd:ee:gg', 'aaa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:', 'aa bb cc dd ee ff', ' aa:bb:cc:dd:ee:ff', 'aa::cc:dd:ee:ff']) {
      expectErrno(() => parseMac(bad), 'EINVAL');
    }
  });

  it('classifies broadcast, multicast, zero and valid unicast addresses', () => {
    const b = parseMac('ff:ff:ff:ff:ff:ff');
    const m = parseMac('01:00:5e:00:00:01');
    const z = new Uint8Array(6);
    const u = parseMac('02:00:00:00:00:01');
    expect([isBroadcastEtherAddr(b), isMulticastEtherAddr(b), isValidEtherAddr(b)]).toEqual([true, true, false]);
    expect([isBroadcastEtherAddr(m), isMulticastEtherAddr(m), isValidEtherAddr(m)]).toEqual([false, true, false]);
    expect([isZeroEtherAddr(z), isValidEtherAddr(z)]).toEqual([true, false]);
    expect([isBroadcastEtherAddr(u), isMulticastEtherAddr(u), isZeroEtherAddr(u), isValidEtherAddr(u)]).toEqual([false, false, false, true]);
    expect(isBroadcastEtherAddr(parseMac('ff:ff:ff:ff:ff:fe'))).toBe(false);
    expect(etherAddrEqual(u, 0, Uint8Array.from([7, ...u]), 1)).toBe(true);
    expect(etherAddrEqual(u, 0, m, 0)).toBe(false);
  });

  it('randomEtherAddr gives a locally administered unicast address from the byte source', () => {
    const mac = randomEtherAddr((bytes) => bytes.fill(0xff));
    expect(formatMac(mac)).toBe('fe:ff:ff:ff:ff:ff');
    expect(isValidEtherAddr(mac)).toBe(true);
    expect(formatMac(randomEtherAddr((bytes) => bytes.fill(0x00)))).toBe('02:00:00:00:00:00');
  });
});
