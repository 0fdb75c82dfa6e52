import { describe, expect, it } from 'vitest';
import { AF_INET6, parseInetAddr } from '@netstack/core';
import { TcpFastopenContext, formatFastopenKeys, parseFastopenKeys } from './cookie.js';

/**
 * An independent SipHash-2-4 over BigInt, written from the paper (Aumasson & Bernstein 2012,
 * appendix A) rather than from isn/siphash.ts, and checked against the paper's vector.
 */
function sipRef(key: Uint8Array, msg: Uint8Array): bigint {
  const M = (1n << 64n) - 1n;
  const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M;
  const le = (b: Uint8Array, o: number, n = 8): bigint => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i] ?? 0);
    return v;
  };
  const k0 = le(key, 0);
  const k1 = le(key, 8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & M; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const full = msg.length - (msg.length % 8);
  const blocks: bigint[] = [];
  for (let i = 0; i < full; i += 8) blocks.push(le(msg, i));
  blocks.push(le(msg, full, msg.length - full) | (BigInt(msg.length & 0xff) << 56n));
  for (const m of blocks) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

function le64(v: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

describe('Fast Open cookies (SipHash-2-4 over saddr ‖ daddr, Linux ≥ 5.3)', () => {
  it('the reference SipHash reproduces the paper vector (key 00..0f, message 00..0e)', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i);
    const msg = Uint8Array.from({ length: 15 }, (_, i) => i);
    expect(sipRef(key, msg)).toBe(0xa129ca6149be45e5n);
  });

  it('tcp_fastopen_key text: four %08x groups, each little-endian in the key bytes; a backup after a comma', () => {
    const [k] = parseFastopenKeys('00112233-44556677-8899aabb-ccddeeff');
    expect([...k!]).toEqual([0x33, 0x22, 0x11, 0x00, 0x77, 0x66, 0x55, 0x44, 0xbb, 0xaa, 0x99, 0x88, 0xff, 0xee, 0xdd, 0xcc]);
    const two = parseFastopenKeys('1-2-3-4,a-b-c-d');
    expect(two).toHaveLength(2);
    expect(formatFastopenKeys(two)).toBe('00000001-00000002-00000003-00000004,0000000a-0000000b-0000000c-0000000d');
    expect(() => parseFastopenKeys('1-2-3')).toThrow(/EINVAL/);
    expect(() => parseFastopenKeys('1-2-3-4,5-6-7-8,9-a-b-c')).toThrow(/EINVAL/);
    expect(() => parseFastopenKeys('1-2-3-xyz')).toThrow(/EINVAL/);
  });

  it('an IPv4 cookie is the SipHash of the 8 address bytes, stored little-endian (fixed vector)', () => {
    const keys = parseFastopenKeys('00112233-44556677-8899aabb-ccddeeff');
    const ctx = new TcpFastopenContext(keys);
    const saddr = Uint32Array.of(0xc0000201, 0, 0, 0); // 192.0.2.1 (the client)
    const daddr = Uint32Array.of(0xc0a80001, 0, 0, 0); // 192.168.0.1 (the server)
    const out = new Uint8Array(8);
    ctx.gen(0, saddr, daddr, 1, out);
    const want = le64(sipRef(keys[0]!, Uint8Array.of(192, 0, 2, 1, 192, 168, 0, 1)));
    expect([...out]).toEqual(want);
    // The fixed vector, also computed with a third SipHash (Python, from the paper).
    expect(Buffer.from(out).toString('hex')).toBe('0b3ad0ec99a15273');
    // Order matters: the reverse direction gives another cookie.
    const rev = new Uint8Array(8);
    ctx.gen(0, daddr, saddr, 1, rev);
    expect([...rev]).not.toEqual([...out]);
  });

  it("matches this machine's 6.18 kernel: key 00112233-44556677-8899aabb-ccddeeff, 10.9.0.1 → 10.9.0.2", () => {
    // Captured with tcpdump in two namespaces (net.ipv4.tcp_fastopen_key set on the server): the
    // SYN-ACK to a cookie request from 10.9.0.1 carried "tfo cookie 6685320021b3a8a5".
    const ctx = new TcpFastopenContext(parseFastopenKeys('00112233-44556677-8899aabb-ccddeeff'));
    const out = new Uint8Array(8);
    ctx.gen(0, Uint32Array.of(0x0a090001, 0, 0, 0), Uint32Array.of(0x0a090002, 0, 0, 0), 1, out);
    expect(Buffer.from(out).toString('hex')).toBe('6685320021b3a8a5');
  });

  it('an IPv6 cookie hashes the 32 address bytes', () => {
    const keys = parseFastopenKeys('01020304-05060708-090a0b0c-0d0e0f10');
    const ctx = new TcpFastopenContext(keys);
    const s = parseInetAddr(AF_INET6, '2001:db8::1');
    const d = parseInetAddr(AF_INET6, '2001:db8::2');
    const out = new Uint8Array(8);
    ctx.gen(0, s, d, 4, out);
    const bytes = new Uint8Array(32);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < 4; i++) {
      dv.setUint32(4 * i, s[i]!);
      dv.setUint32(16 + 4 * i, d[i]!);
    }
    expect([...out]).toEqual(le64(sipRef(keys[0]!, bytes)));
  });

  it('check: 1 for the primary key, 2 for the backup, 0 for neither; the valid cookie is always the primary one', () => {
    const [k1, k2] = parseFastopenKeys('1-2-3-4,5-6-7-8');
    const s = Uint32Array.of(0x0a000001, 0, 0, 0);
    const d = Uint32Array.of(0x0a000002, 0, 0, 0);
    const primary = new TcpFastopenContext([k1!]);
    const old = new TcpFastopenContext([k2!]);
    const rotated = new TcpFastopenContext([k1!, k2!]);
    const c1 = new Uint8Array(8);
    const c2 = new Uint8Array(8);
    primary.gen(0, s, d, 1, c1);
    old.gen(0, s, d, 1, c2);
    const valid = new Uint8Array(8);
    expect(rotated.check(s, d, 1, c1, 0, 8, valid)).toBe(1);
    expect(rotated.check(s, d, 1, c2, 0, 8, valid)).toBe(2);
    expect([...valid]).toEqual([...c1]);
    expect(primary.check(s, d, 1, c2, 0, 8, valid)).toBe(0);
    // A cookie of another length never matches (Linux's cookies are 8 bytes).
    expect(rotated.check(s, d, 1, c1, 0, 4, valid)).toBe(0);
  });
});
