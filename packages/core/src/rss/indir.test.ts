import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { formatEthtoolRxfh, formatIndirTable } from './ethtool-text.js';
import { RSS_INDIR_TABLE_SIZE, RssIndirTable, ethtoolRxfhIndirDefault } from './indir.js';
import { formatHexKey } from './netdev-rss-key.js';
import { RssConfig } from './rss.js';
import { X_16_RINGS_128, X_3_RINGS_12, X_4_RINGS_128, X_SET_TABLES } from './testing/ethtool-6.1.js';
import { microsoftRssKey } from './toeplitz.js';

function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    return (e as NetError).code;
  }
  throw new Error('nothing thrown');
}

describe('default indirection table', () => {
  it('has 128 entries spread as ethtool_rxfh_indir_default (i % n)', () => {
    for (let n = 1; n <= 16; n++) {
      const t = new RssIndirTable(RSS_INDIR_TABLE_SIZE, n);
      expect(t.size).toBe(128);
      expect(Array.from(t.table)).toEqual(Array.from({ length: 128 }, (_, i) => ethtoolRxfhIndirDefault(i, n)));
    }
  });

  it('maps a hash through its low bits: queue = table[hash & (size - 1)]', () => {
    const t = new RssIndirTable(128, 5);
    for (const h of [0, 1, 127, 128, 0x51ccc178, 0xffffffff]) expect(t.queueFor(h)).toBe((h & 127) % 5);
    const small = new RssIndirTable(64, 3);
    expect(small.queueFor(0x10e828a2)).toBe((0x10e828a2 & 63) % 3);
  });

  it('sizes must be powers of two, rings at least 1', () => {
    expect(errno(() => new RssIndirTable(100, 4))).toBe('EINVAL');
    expect(errno(() => new RssIndirTable(128, 0))).toBe('EINVAL');
  });
});

describe('ethtool -X (tables checked against what ethtool 6.1 sent to the device)', () => {
  it.each(X_SET_TABLES)('-X $args', ({ args, table }) => {
    const t = new RssIndirTable(128, 4);
    const words = args.split(' ');
    const startAt = words.indexOf('start');
    const start = startAt >= 0 ? Number(words[startAt + 1]) : 0;
    const nums = words.slice(1, startAt >= 0 ? startAt : undefined).map(Number);
    if (words[0] === 'equal') t.setEqual(nums[0]!, start);
    else t.setWeights(nums, start);
    expect(Array.from(t.table)).toEqual(table);
    expect(t.userConfigured).toBe(true);
  });

  it('weight gives each ring entries in proportion to its weight', () => {
    const t = new RssIndirTable(128, 4);
    t.setWeights([1, 2, 3, 4]);
    const counts = [0, 0, 0, 0];
    for (const q of t.table) counts[q]!++;
    expect(counts).toEqual([12, 26, 38, 52]);
    counts.forEach((c, q) => expect(Math.abs(c - (128 * (q + 1)) / 10)).toBeLessThan(1.5));
  });

  it('rejects what ethtool or the kernel rejects, leaving the table as it was', () => {
    const t = new RssIndirTable(128, 4);
    const before = Array.from(t.table);
    expect(errno(() => t.setWeights([0, 0]))).toBe('EINVAL'); // At least one weight must be non-zero
    expect(errno(() => t.setWeights([100, 100]))).toBe('EINVAL'); // Total weight exceeds the size
    expect(errno(() => t.setEqual(5))).toBe('EINVAL'); // ring 4 does not exist
    expect(errno(() => t.setEqual(2, 3))).toBe('EINVAL'); // start 3 + 1 = ring 4
    expect(errno(() => t.setEqual(0))).toBe('EINVAL');
    expect(errno(() => t.set([1, 2, 3]))).toBe('EINVAL');
    expect(Array.from(t.table)).toEqual(before);
    expect(t.userConfigured).toBe(false);
  });

  it('default forgets the user table; ring changes re-spread a default table and keep a user one', () => {
    const t = new RssIndirTable(128, 4);
    t.setRxRings(8);
    expect(t.queueFor(7)).toBe(7);
    t.setEqual(2);
    t.setRxRings(2);
    expect(t.rxRings).toBe(2);
    expect(errno(() => t.setRxRings(1))).toBe('EINVAL');
    expect(t.rxRings).toBe(2);
    t.setDefault();
    expect(t.userConfigured).toBe(false);
    t.setRxRings(3);
    expect(t.queueFor(5)).toBe(2);
  });
});

describe('ethtool -x text (byte for byte as ethtool 6.1 prints it)', () => {
  it.each([
    [4, X_4_RINGS_128],
    [16, X_16_RINGS_128],
  ])('%i rings, 128 entries, Microsoft key', (rings, want) => {
    const cfg = new RssConfig({ key: microsoftRssKey(), rxRings: rings });
    expect(formatEthtoolRxfh('eth0', cfg)).toBe(want);
  });

  it('a table whose size is not a multiple of 8 ends its last row early', () => {
    const table = Array.from({ length: 12 }, (_, i) => i % 3);
    const text = `${formatIndirTable('eth0', 3, table)}RSS hash key:\n${formatHexKey(microsoftRssKey())}\nRSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n`;
    expect(text).toBe(X_3_RINGS_12);
  });

  it('shows a user table and key, and the input transformation section on request', () => {
    const cfg = new RssConfig({ key: microsoftRssKey(), rxRings: 4 });
    cfg.indir.setWeights([1, 0, 0, 1]);
    const key = new Uint8Array(40).map((_, i) => i);
    cfg.setKey(key);
    const text = formatEthtoolRxfh('enp1s0', cfg, { inputXfrm: true });
    const lines = text.split('\n');
    expect(lines[0]).toBe('RX flow hash indirection table for enp1s0 with 4 RX ring(s):');
    expect(lines[1]).toBe('    0:      0     0     0     0     0     0     0     0');
    expect(lines[16]).toBe('  120:      3     3     3     3     3     3     3     3');
    expect(lines[18]).toBe('00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f:20:21:22:23:24:25:26:27');
    expect(lines.slice(19)).toEqual(['RSS hash function:', '    toeplitz: on', '    xor: off', '    crc32: off', 'RSS input transformation:', '    symmetric-xor: off', '    symmetric-or-xor: off', '']);
  });
});
