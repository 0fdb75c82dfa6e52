import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scavengesDuring } from '../../../../test/helpers/gc.js';
import { NetError } from '../errors/net-error.js';
import { Random } from '../random/random.js';
import { SkBuffPool, consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { IPV4_FLOW, RXH_IP_DST, RXH_IP_SRC, RXH_L4_B_0_1, RXH_L4_B_2_3, RXH_SD, RXH_SDFN, TCP_V4_FLOW, TCP_V6_FLOW, UDP_V4_FLOW, UDP_V6_FLOW } from './flow-hash.js';
import { NETDEV_RSS_KEY_LEN, NetdevRssKey, formatHexKey, parseHexKey } from './netdev-rss-key.js';
import { PKT_HASH_TYPE_L3, PKT_HASH_TYPE_L4, PKT_HASH_TYPE_NONE, RssConfig, rssHash, rssSelectQueue } from './rss.js';
import { IPV4_VECTORS, IPV6_VECTORS, be16, ipv4Frame, ipv6Frame, v4, v6 } from './testing/vectors.js';
import { RSS_HASH_KEY_SIZE, microsoftRssKey, toeplitz } from './toeplitz.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const GRE = 47;
const ESP = 50;
const SCTP = 132;
const MF = 0x2000;
const HOPOPTS = { type: 0, body: [0, 0, 1, 4, 0, 0, 0, 0] };
const DSTOPTS = { type: 60, body: [0, 0, 1, 4, 0, 0, 0, 0] };
const fragHdr = (offsetAndM: number) => ({ type: 44, body: [0, 0, ...be16(offsetAndM), 0, 0, 0, 7] });

const pool = new SkBuffPool();
const msCfg = (rings = 4): RssConfig => new RssConfig({ key: microsoftRssKey(), rxRings: rings });

/** Hash `frame` through a pool buffer; returns [hashValid, hash, l4Hash]. */
function hashOf(frame: Uint8Array, cfg: RssConfig): [boolean, number, boolean] {
  const skb = pool.allocFrom(frame);
  try {
    const valid = rssHash(skb, cfg);
    expect(skb.hashValid).toBe(valid);
    return [valid, skb.hash, skb.l4Hash];
  } finally {
    consumeSkb(skb);
  }
}

describe('rssHash reproduces the Microsoft vectors from whole Ethernet frames', () => {
  it.each(IPV4_VECTORS)('IPv4 $src -> $dst', (t) => {
    const cfg = msCfg();
    // tcp4 hashes sdfn by default: "IPv4 with TCP".
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport), cfg)).toEqual([true, t.l4, true]);
    // udp4 hashes sd by default: "IPv4 only".
    expect(hashOf(ipv4Frame(t.src, t.dst, UDP, t.sport, t.dport), cfg)).toEqual([true, t.l3, false]);
    cfg.flowHash.set(UDP_V4_FLOW, RXH_SDFN);
    expect(hashOf(ipv4Frame(t.src, t.dst, UDP, t.sport, t.dport), cfg)).toEqual([true, t.l4, true]);
    // Other IP (ICMP, GRE), SCTP and ESP: addresses.
    for (const proto of [ICMP, GRE, SCTP, ESP]) expect(hashOf(ipv4Frame(t.src, t.dst, proto, t.sport, t.dport), cfg)).toEqual([true, t.l3, false]);
    // Fragments: first (MF), middle, last all on addresses, so they stay on one queue.
    for (const frag of [MF, MF | 185, 370]) expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport, { frag }), cfg)).toEqual([true, t.l3, false]);
    // DF alone is not a fragment.
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport, { frag: 0x4000 }), cfg)).toEqual([true, t.l4, true]);
    // IP options move the ports; VLAN tags (802.1Q, QinQ) move everything.
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport, { optionWords: 3 }), cfg)).toEqual([true, t.l4, true]);
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport, { vlans: [0x8100] }), cfg)).toEqual([true, t.l4, true]);
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport, { vlans: [0x88a8, 0x8100] }), cfg)).toEqual([true, t.l4, true]);
  });

  it.each(IPV6_VECTORS)('IPv6 $src -> $dst', (t) => {
    const cfg = msCfg();
    expect(hashOf(ipv6Frame(t.src, t.dst, TCP, t.sport, t.dport), cfg)).toEqual([true, t.l4, true]);
    expect(hashOf(ipv6Frame(t.src, t.dst, UDP, t.sport, t.dport), cfg)).toEqual([true, t.l3, false]);
    cfg.flowHash.set(UDP_V6_FLOW, RXH_SDFN);
    expect(hashOf(ipv6Frame(t.src, t.dst, UDP, t.sport, t.dport), cfg)).toEqual([true, t.l4, true]);
    expect(hashOf(ipv6Frame(t.src, t.dst, 58, t.sport, t.dport), cfg)).toEqual([true, t.l3, false]);
    // Extension headers are walked to the transport.
    expect(hashOf(ipv6Frame(t.src, t.dst, TCP, t.sport, t.dport, { ext6: [HOPOPTS, DSTOPTS] }), cfg)).toEqual([true, t.l4, true]);
    // Fragment header: a real fragment is hashed on addresses, an atomic one (offset 0, M 0) is looked through.
    for (const fo of [1, 8, 9]) expect(hashOf(ipv6Frame(t.src, t.dst, TCP, t.sport, t.dport, { ext6: [fragHdr(fo)] }), cfg)).toEqual([true, t.l3, false]);
    expect(hashOf(ipv6Frame(t.src, t.dst, TCP, t.sport, t.dport, { ext6: [fragHdr(0)] }), cfg)).toEqual([true, t.l4, true]);
    expect(hashOf(ipv6Frame(t.src, t.dst, TCP, t.sport, t.dport, { vlans: [0x8100] }), cfg)).toEqual([true, t.l4, true]);
  });
});

describe('frames RSS does not hash, or hashes on less', () => {
  const t = IPV4_VECTORS[0]!;
  const cfg = msCfg();

  it('non-IP frames and broken IP headers get no hash', () => {
    const arp = Uint8Array.from([...new Array(12).fill(2), 0x08, 0x06, ...new Array(28).fill(0)]);
    expect(hashOf(arp, cfg)).toEqual([false, 0, false]);
    expect(hashOf(new Uint8Array(10), cfg)).toEqual([false, 0, false]);
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, 1, 2, { truncate: 14 + 19 }), cfg)).toEqual([false, 0, false]);
    const badVersion = ipv4Frame(t.src, t.dst, TCP, 1, 2);
    badVersion[14] = 0x65;
    expect(hashOf(badVersion, cfg)).toEqual([false, 0, false]);
    const shortIhl = ipv4Frame(t.src, t.dst, TCP, 1, 2);
    shortIhl[14] = 0x44;
    expect(hashOf(shortIhl, cfg)).toEqual([false, 0, false]);
    expect(hashOf(ipv6Frame('::1', '::2', TCP, 1, 2, { truncate: 14 + 39 }), cfg)).toEqual([false, 0, false]);
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, 1, 2, { vlans: [0x8100], truncate: 16 }), cfg)).toEqual([false, 0, false]);
  });

  it('a frame cut inside the ports is hashed on addresses', () => {
    expect(hashOf(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport, { truncate: 14 + 20 + 3 }), cfg)).toEqual([true, t.l3, false]);
  });

  it('a flow type with no fields is not hashed (queue 0)', () => {
    const c = msCfg();
    c.flowHash.set(TCP_V4_FLOW, 0);
    const skb = pool.allocFrom(ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport));
    skb.hash = 123;
    skb.hashValid = true;
    skb.queueMapping = 3;
    expect(rssSelectQueue(skb, c)).toBe(0);
    expect([skb.hash, skb.hashValid, skb.l4Hash, skb.queueMapping]).toEqual([0, false, false, 0]);
    consumeSkb(skb);
  });

  it('any subset of s, d, f, n hashes those fields in that order', () => {
    fc.assert(
      fc.property(fc.subarray([RXH_IP_SRC, RXH_IP_DST, RXH_L4_B_0_1, RXH_L4_B_2_3], { minLength: 1 }), fc.boolean(), (bits, six) => {
        const fields = bits.reduce((a, b) => a | b, 0);
        const c = msCfg();
        c.flowHash.set(six ? TCP_V6_FLOW : TCP_V4_FLOW, fields);
        const s = six ? v6(IPV6_VECTORS[1]!.src) : v4(t.src);
        const d = six ? v6(IPV6_VECTORS[1]!.dst) : v4(t.dst);
        const frame = six ? ipv6Frame(IPV6_VECTORS[1]!.src, IPV6_VECTORS[1]!.dst, TCP, 1000, 2000) : ipv4Frame(t.src, t.dst, TCP, 1000, 2000);
        const input = [...(fields & RXH_IP_SRC ? s : []), ...(fields & RXH_IP_DST ? d : []), ...(fields & RXH_L4_B_0_1 ? be16(1000) : []), ...(fields & RXH_L4_B_2_3 ? be16(2000) : [])];
        const l4 = (fields & (RXH_L4_B_0_1 | RXH_L4_B_2_3)) !== 0;
        expect(hashOf(frame, c)).toEqual([true, toeplitz(microsoftRssKey(), Uint8Array.from(input)), l4]);
      }),
      { numRuns: 60 },
    );
  });

  it('hashFrame reports the hash type a driver passes to skb_set_hash', () => {
    const f = ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport);
    expect(cfg.hashFrame(f, 0, f.length)).toBe(PKT_HASH_TYPE_L4);
    expect(cfg.hash).toBe(t.l4);
    const g = ipv4Frame(t.src, t.dst, ICMP, 0, 0);
    expect(cfg.hashFrame(g, 0, g.length)).toBe(PKT_HASH_TYPE_L3);
    expect(cfg.hashFrame(g, 0, 13)).toBe(PKT_HASH_TYPE_NONE);
  });
});

describe('rssHash equals the reference on random flows', () => {
  it('IPv4 and IPv6, TCP and UDP, with and without VLAN tags, random key', () => {
    const addr4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
    const addr6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
    const port = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.boolean(), fc.constantFrom(TCP, UDP), addr4, addr4, addr6, addr6, port, port, fc.constantFrom([], [0x8100], [0x88a8, 0x8100]), (key, six, proto, s4, d4, s6, d6, sp, dp, vlans) => {
        const cfg = new RssConfig({ key, rxRings: 8 });
        const src = six ? s6 : s4;
        const dst = six ? d6 : d4;
        const text = (a: Uint8Array): string => (six ? Array.from({ length: 8 }, (_, i) => ((a[2 * i]! << 8) | a[2 * i + 1]!).toString(16)).join(':') : Array.from(a).join('.'));
        const frame = six ? ipv6Frame(text(src), text(dst), proto, sp, dp, { vlans }) : ipv4Frame(text(src), text(dst), proto, sp, dp, { vlans });
        const withPorts = proto === TCP;
        const input = Uint8Array.from([...src, ...dst, ...(withPorts ? [...be16(sp), ...be16(dp)] : [])]);
        const want = toeplitz(key, input);
        const skb = pool.allocFrom(frame);
        const q = rssSelectQueue(skb, cfg);
        expect([skb.hashValid, skb.hash, skb.l4Hash]).toEqual([true, want, withPorts]);
        expect(q).toBe((want & 127) % 8);
        expect(skb.queueMapping).toBe(q);
        consumeSkb(skb);
      }),
      { numRuns: 300 },
    );
  });
});

/** Upper chi-square quantile (Wilson–Hilferty), z = 3.719 is p = 0.0001 one-sided. */
function chiSquareCritical(df: number, z = 3.719): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

describe('spread over queues', () => {
  /** Queue counts for `flows` random TCP/IPv4 4-tuples through `cfg`, one frame rewritten in place. */
  function spread(cfg: RssConfig, flows: number, seed: number): number[] {
    const rnd = new Random(seed);
    const frame = ipv4Frame('10.0.0.1', '10.0.0.2', TCP, 1, 2);
    const counts = new Array<number>(cfg.indir.rxRings).fill(0);
    const addrs = frame.subarray(14 + 12, 14 + 24); // addresses and ports
    let l4 = 0;
    for (let i = 0; i < flows; i++) {
      rnd.fill(addrs);
      if (cfg.hashFrame(frame, 0, frame.length) === PKT_HASH_TYPE_L4) l4++;
      counts[cfg.indir.queueFor(cfg.hash)]!++;
    }
    expect(l4).toBe(flows);
    return counts;
  }

  /** Chi-square of counts against the share of table entries each queue owns. */
  function chiSquare(counts: number[], table: Uint32Array, flows: number): number {
    const entries = new Array<number>(counts.length).fill(0);
    for (const q of table) entries[q]!++;
    let chi = 0;
    counts.forEach((c, q) => {
      const expected = (flows * entries[q]!) / table.length;
      chi += (c - expected) ** 2 / expected;
    });
    return chi;
  }

  const keys: [string, () => Uint8Array][] = [
    ['the Linux default key (netdev_rss_key_fill from the seeded RANDOM)', () => new NetdevRssKey(new Random(2024)).fill(new Uint8Array(RSS_HASH_KEY_SIZE))],
    ['the Microsoft key', microsoftRssKey],
  ];

  it.each(keys)('the default table spreads 10,000 random flows evenly over 1..16 queues: %s', (_name, key) => {
    for (let n = 1; n <= 16; n++) {
      const cfg = new RssConfig({ key: key(), rxRings: n });
      const counts = spread(cfg, 10_000, 1000 + n);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
      if (n === 1) {
        expect(counts).toEqual([10_000]);
        continue;
      }
      const chi = chiSquare(counts, cfg.indir.table, 10_000);
      expect(chi, `n=${n} counts=${counts.join(',')}`).toBeLessThan(chiSquareCritical(n - 1));
      // And every queue is within 20% of its share.
      counts.forEach((c) => expect(Math.abs(c - 10_000 / n) / (10_000 / n)).toBeLessThan(0.2));
    }
  });

  it('-X weight 1 2 3 4 sends flows in proportion 1:2:3:4 (up to table rounding)', () => {
    const cfg = new RssConfig({ key: new NetdevRssKey(new Random(7)).fill(new Uint8Array(40)), rxRings: 4 });
    cfg.indir.setWeights([1, 2, 3, 4]);
    const counts = spread(cfg, 10_000, 99);
    expect(chiSquare(counts, cfg.indir.table, 10_000)).toBeLessThan(chiSquareCritical(3));
    counts.forEach((c, q) => expect(Math.abs(c / 10_000 - (q + 1) / 10)).toBeLessThan(0.02));
  });

  it('-X weight 3 0 1 leaves ring 1 idle', () => {
    const cfg = new RssConfig({ key: microsoftRssKey(), rxRings: 3 });
    cfg.indir.setWeights([3, 0, 1]);
    const counts = spread(cfg, 4000, 5);
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0]! / 4000 - 0.75)).toBeLessThan(0.03);
  });
});

describe('no allocation on the packet path', () => {
  it('rssSelectQueue over a ring of prebuilt frames allocates nothing', async () => {
    const cfg = msCfg(8);
    cfg.flowHash.set(UDP_V4_FLOW, RXH_SD | RXH_L4_B_2_3); // also exercise the generic subset path
    const frames = [
      ipv4Frame('10.0.0.1', '10.0.0.2', TCP, 1234, 80),
      ipv4Frame('10.0.0.3', '10.0.0.2', UDP, 5353, 53, { vlans: [0x8100] }),
      ipv4Frame('10.0.0.4', '10.0.0.2', ICMP, 0, 0),
      ipv4Frame('10.0.0.5', '10.0.0.2', TCP, 1, 2, { frag: MF }),
      ipv6Frame('2001:db8::1', '2001:db8::2', TCP, 40000, 443, { ext6: [HOPOPTS] }),
      ipv6Frame('2001:db8::1', '2001:db8::2', UDP, 40000, 443),
      Uint8Array.from([...new Array(12).fill(2), 0x08, 0x06, ...new Array(46).fill(0)]),
      ipv4Frame('10.0.0.6', '10.0.0.2', TCP, 9, 9, { optionWords: 2 }),
    ];
    const skbs: SkBuff[] = frames.map((f) => pool.allocFrom(f));
    let acc = 0;
    const loop = (n: number): void => {
      for (let i = 0; i < n; i++) acc += rssSelectQueue(skbs[i & 7]!, cfg);
    };
    loop(20_000);
    expect(await scavengesDuring(() => loop(1_000_000))).toBeLessThanOrEqual(1);
    expect(acc).toBeGreaterThan(0);
    for (const s of skbs) consumeSkb(s);
    expect(pool.live).toBe(0);
  });
});

describe('RssConfig', () => {
  it('takes a 40-byte key, can change it, and only does Toeplitz', () => {
    expect(() => new RssConfig({ key: new Uint8Array(52), rxRings: 2 })).toThrow(NetError);
    const cfg = msCfg();
    const t = IPV4_VECTORS[2]!;
    const f = ipv4Frame(t.src, t.dst, TCP, t.sport, t.dport);
    cfg.hashFrame(f, 0, f.length);
    expect(cfg.hash).toBe(t.l4);
    cfg.setKey(new Uint8Array(40));
    cfg.hashFrame(f, 0, f.length);
    expect(cfg.hash).toBe(0);
    expect(() => cfg.setKey(new Uint8Array(39))).toThrow(NetError);
    cfg.setKey(parseHexKey(formatHexKey(microsoftRssKey()), 40));
    cfg.hashFrame(f, 0, f.length);
    expect(cfg.hash).toBe(t.l4);
    cfg.setHashFunction('toeplitz');
    expect(() => cfg.setHashFunction('xor')).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
    expect(cfg.flowHash.get(IPV4_FLOW)).toBe(RXH_SD);
  });

  it('parseHexKey checks format and length as ethtool -X hkey does', () => {
    expect(() => parseHexKey('6d:5a', 40)).toThrow(/too short/);
    expect(() => parseHexKey(new Array(41).fill('00').join(':'), 40)).toThrow(/too long/);
    expect(() => parseHexKey('6d:5g', 2)).toThrow(/format/);
    expect(Array.from(parseHexKey('6d:5A', 2))).toEqual([0x6d, 0x5a]);
  });
});

describe('NetdevRssKey (netdev_rss_key_fill)', () => {
  it('is all zeros until a driver asks, then 52 seeded random bytes shared by every fill', () => {
    const k = new NetdevRssKey(new Random(42));
    expect(k.procText()).toBe(new Array(NETDEV_RSS_KEY_LEN).fill('00').join(':'));
    const a = k.fill(new Uint8Array(40));
    const b = k.fill(new Uint8Array(40));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).toEqual(Array.from(k.bytes.subarray(0, 40)));
    expect(k.procText()).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){51}$/);
    expect(k.procText()).not.toBe(new Array(NETDEV_RSS_KEY_LEN).fill('00').join(':'));
    expect(k.fill(new Uint8Array(52)).length).toBe(52);
    expect(() => k.fill(new Uint8Array(53))).toThrow(NetError);
  });

  it('is the same for the same seed and differs between seeds', () => {
    const key = (seed: number): string => formatHexKey(new NetdevRssKey(new Random(seed)).fill(new Uint8Array(40)));
    expect(key(1)).toBe(key(1));
    expect(key(1)).not.toBe(key(2));
  });
});
