/**
 * rss-hash-rate: RSS Toeplitz hashes per second of the table-driven IPv4 4-tuple form
 * (`ToeplitzHash.v4Ports`, 12 lookups in the per-key tables) reading source/destination address
 * and ports straight out of Ethernet/IPv4/TCP frames, as a NIC model does for every received frame.
 *
 * Reference: the bit-by-bit Toeplitz of the specification (`toeplitz`, 96 register steps for the
 * 12-byte input) on the same bytes of the same frames, measured in the same run; the ratio is the
 * tables' speed-up.
 *
 * The ring: 64 frames (the 5 Microsoft verification flows, then random 4-tuples from a seeded
 * `Random`), each in its own 2 KiB slot of one buffer after 64 bytes of headroom, cycled. Each
 * hash is compared with the one the reference computed when the ring was built.
 */
import { Random, ToeplitzHash, microsoftRssKey, toeplitz } from '@netstack/core';

/** Hashes per step (the harness reads the clock once per step). */
const BATCH = 256;
const RING = 64;
const SLOT = 2048;
const HEADROOM = 64;
/** Offset of the IPv4 source address in an untagged frame (14 + 12); ports follow at 34. */
const ADDR = 26;
const PORTS = 34;

/** Microsoft "Verifying the RSS Hash Calculation", IPv4 with TCP: [src, dst, sport, dport, hash]. */
const MS = [
  ['66.9.149.187', '161.142.100.80', 2794, 1766, 0x51ccc178],
  ['199.92.111.2', '65.69.140.83', 14230, 4739, 0xc626b0ea],
  ['24.19.198.95', '12.22.207.184', 12898, 38024, 0x5c2b394a],
  ['38.27.205.30', '209.142.163.6', 48228, 2217, 0xafc7327f],
  ['153.39.163.191', '202.188.127.2', 44251, 1303, 0x10e828a2],
];

const be16 = (v) => [(v >>> 8) & 0xff, v & 0xff];
const quad = (s) => s.split('.').map(Number);

function frame(src, dst, sport, dport) {
  const tcp = [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0];
  const ip = [0x45, 0, ...be16(20 + tcp.length), 0, 1, 0x40, 0, 64, 6, 0, 0, ...src, ...dst];
  return [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, ...ip, ...tcp];
}

function buildRing() {
  const key = microsoftRssKey();
  const rnd = new Random(0x5eed);
  const buf = new Uint8Array(RING * SLOT);
  const offs = new Int32Array(RING);
  const want = new Uint32Array(RING);
  for (let i = 0; i < RING; i++) {
    let f;
    if (i < MS.length) {
      const [s, d, sp, dp] = MS[i];
      f = frame(quad(s), quad(d), sp, dp);
    } else {
      const r = new Uint8Array(12);
      rnd.fill(r);
      f = frame([...r.subarray(0, 4)], [...r.subarray(4, 8)], (r[8] << 8) | r[9], (r[10] << 8) | r[11]);
    }
    offs[i] = i * SLOT + HEADROOM;
    buf.set(f, offs[i]);
    want[i] = toeplitz(key, buf, offs[i] + ADDR, 12);
  }
  MS.forEach(([, , , , h], i) => {
    if (want[i] !== h) throw new Error(`reference Toeplitz gives ${want[i].toString(16)} for Microsoft vector ${i}, expected ${h.toString(16)}`);
  });
  return { key, buf, offs, want };
}

/** A run of `hashOne(buf, frameOff)` over the ring, checked against the expected hashes. */
function hashCase(makeHasher) {
  const { key, buf, offs, want } = buildRing();
  const hashOne = makeHasher(key);
  let at = 0;
  let runs = 0;
  let wrong = 0;
  return {
    step() {
      for (let i = 0; i < BATCH; i++) {
        if (hashOne(buf, offs[at]) !== want[at]) wrong++;
        at = (at + 1) & (RING - 1);
      }
      runs += BATCH;
      return BATCH;
    },
    verify() {
      if (wrong !== 0) return `${wrong} of ${runs} hashes differ from the reference`;
      return null;
    },
    poolLive: () => 0,
  };
}

export default [
  {
    name: 'rss-hash-rate',
    unit: 'hashes/s',
    description: 'Toeplitz RSS hash of the IPv4 TCP 4-tuple read from a ring of 64 frames, table-driven ToeplitzHash.v4Ports (reference: bit-by-bit toeplitz)',
    subject: () =>
      hashCase((key) => {
        const h = new ToeplitzHash(key);
        return (buf, off) => h.v4Ports(buf, off + ADDR, off + PORTS);
      }),
    reference: () => hashCase((key) => (buf, off) => toeplitz(key, buf, off + ADDR, 12)),
  },
];
