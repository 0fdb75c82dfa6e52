import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NetError } from '@netstack/core';
import {
  INADDR_BROADCAST,
  INADDR_LOOPBACK,
  formatIpv4,
  formatIpv4Prefix,
  ipv4IsLbcast,
  ipv4IsLinklocal169,
  ipv4IsLocalMulticast,
  ipv4IsLoopback,
  ipv4IsMulticast,
  ipv4IsZeronet,
  maskLen,
  parseIpv4,
  parseIpv4Prefix,
  prefixMask,
} from './inet-addr.js';

const einval = (f: () => unknown): void => {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(NetError);
  expect((caught as NetError).code).toBe('EINVAL');
};

describe('parseIpv4 / formatIpv4', () => {
  it('maps dotted quads to unsigned 32-bit numbers, most significant octet first', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('192.168.1.254')).toBe(0xc0a801fe);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('127.0.0.1')).toBe(INADDR_LOOPBACK);
    expect(formatIpv4(0xc0a801fe)).toBe('192.168.1.254');
    expect(formatIpv4(INADDR_BROADCAST)).toBe('255.255.255.255');
    // A negative int32 (what `a | b` yields in JS) formats as the same address.
    expect(formatIpv4(0xe0000001 | 0)).toBe('224.0.0.1');
  });

  it('refuses everything inet_pton(AF_INET) refuses', () => {
    for (const bad of [
      '',
      '10',
      '10.1',
      '10.0.0',
      '10.0.0.1.',
      '.10.0.0.1',
      '10.0.0.1.5',
      '10..0.1',
      '256.0.0.1',
      '10.0.0.300',
      '1000.0.0.1',
      '010.0.0.1', // octal to inet_aton, refused by inet_pton
      '10.00.0.1',
      '0x0a.0.0.1',
      ' 10.0.0.1',
      '10.0.0.1 ',
      '10.0.0.-1',
      '+10.0.0.1',
      '10.0.0.1/24',
      '１０.0.0.1', // full-width digits
    ]) {
      einval(() => parseIpv4(bad));
    }
  });

  it('format then parse is the identity on every 32-bit value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const text = formatIpv4(n);
        expect(text).toMatch(/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/);
        expect(parseIpv4(text)).toBe(n);
      }),
    );
  });
});

describe('prefixes and masks', () => {
  it('parses addr/len keeping host bits, and a bare address as /32', () => {
    expect(parseIpv4Prefix('10.0.0.0/8')).toEqual({ addr: 0x0a000000, len: 8 });
    expect(parseIpv4Prefix('10.1.2.3/24')).toEqual({ addr: 0x0a010203, len: 24 });
    expect(parseIpv4Prefix('0.0.0.0/0')).toEqual({ addr: 0, len: 0 });
    expect(parseIpv4Prefix('192.0.2.7')).toEqual({ addr: 0xc0000207, len: 32 });
    expect(formatIpv4Prefix({ addr: 0x0a010203, len: 24 })).toBe('10.1.2.3/24');
  });

  it('refuses bad lengths and bad addresses', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/8/8', '10.0.0.0/ 8', '10.0.0/8', '/8', '10.0.0.0/0x8']) {
      einval(() => parseIpv4Prefix(bad));
    }
  });

  it('prefixMask is inet_make_mask and maskLen its inverse', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(1)).toBe(0x80000000);
    expect(prefixMask(8)).toBe(0xff000000);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(31)).toBe(0xfffffffe);
    expect(prefixMask(32)).toBe(0xffffffff);
    for (let len = 0; len <= 32; len++) expect(maskLen(prefixMask(len))).toBe(len);
    expect(maskLen(0xff00ff00)).toBe(-1);
    expect(maskLen(0x00ffffff)).toBe(-1);
    expect(maskLen(0xfffffffd)).toBe(-1);
    einval(() => prefixMask(33));
    einval(() => prefixMask(-1));
    einval(() => prefixMask(1.5));
  });

  it('a prefix mask keeps exactly the top `len` bits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (len, addr) => {
        const net = (addr & prefixMask(len)) >>> 0;
        expect(net >>> 0).toBeLessThanOrEqual(addr);
        // shifting by the host-bit count gives the same network number
        const host = 32 - len;
        expect(host === 32 ? 0 : Math.floor(addr / 2 ** host)).toBe(host === 32 ? 0 : Math.floor(net / 2 ** host));
        expect(net % 2 ** host).toBe(0);
      }),
    );
  });
});

describe('classification (include/linux/in.h)', () => {
  const ip = parseIpv4;
  it('multicast is 224/4, local multicast 224.0.0/24', () => {
    expect(ipv4IsMulticast(ip('224.0.0.1'))).toBe(true);
    expect(ipv4IsMulticast(ip('239.255.255.255'))).toBe(true);
    expect(ipv4IsMulticast(ip('223.255.255.255'))).toBe(false);
    expect(ipv4IsMulticast(ip('240.0.0.0'))).toBe(false);
    expect(ipv4IsLocalMulticast(ip('224.0.0.251'))).toBe(true);
    expect(ipv4IsLocalMulticast(ip('224.0.1.1'))).toBe(false);
  });

  it('limited broadcast is exactly 255.255.255.255, also as a negative int32', () => {
    expect(ipv4IsLbcast(ip('255.255.255.255'))).toBe(true);
    expect(ipv4IsLbcast(-1)).toBe(true);
    expect(ipv4IsLbcast(ip('255.255.255.254'))).toBe(false);
    expect(ipv4IsLbcast(ip('10.255.255.255'))).toBe(false);
  });

  it('loopback is 127/8', () => {
    expect(ipv4IsLoopback(ip('127.0.0.1'))).toBe(true);
    expect(ipv4IsLoopback(ip('127.255.0.9'))).toBe(true);
    expect(ipv4IsLoopback(ip('128.0.0.1'))).toBe(false);
    expect(ipv4IsLoopback(ip('126.255.255.255'))).toBe(false);
  });

  it('zeronet is 0.0.0.0 only, as since Linux 5.3: 0.1.2.3 is an ordinary address', () => {
    expect(ipv4IsZeronet(0)).toBe(true);
    expect(ipv4IsZeronet(ip('0.1.2.3'))).toBe(false);
    expect(ipv4IsZeronet(ip('1.0.0.0'))).toBe(false);
  });

  it('link-local is 169.254/16', () => {
    expect(ipv4IsLinklocal169(ip('169.254.0.1'))).toBe(true);
    expect(ipv4IsLinklocal169(ip('169.254.255.255'))).toBe(true);
    expect(ipv4IsLinklocal169(ip('169.253.0.1'))).toBe(false);
    expect(ipv4IsLinklocal169(ip('169.255.0.1'))).toBe(false);
  });

  it('agree with the bit tests of in.h for every address (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => {
        const [b0, b1, b2] = [Math.floor(a / 2 ** 24), Math.floor(a / 2 ** 16) % 256, Math.floor(a / 2 ** 8) % 256];
        expect(ipv4IsMulticast(a)).toBe(b0 >= 224 && b0 <= 239);
        expect(ipv4IsLocalMulticast(a)).toBe(b0 === 224 && b1 === 0 && b2 === 0);
        expect(ipv4IsLoopback(a)).toBe(b0 === 127);
        expect(ipv4IsLinklocal169(a)).toBe(b0 === 169 && b1 === 254);
        expect(ipv4IsLbcast(a)).toBe(a === 0xffffffff);
        expect(ipv4IsZeronet(a)).toBe(a === 0);
      }),
    );
  });
});
