import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_PARTIAL,
  DropReason,
  NETDEV_TX_OK,
  NetDevice,
  World,
  consumeSkb,
  csumFold,
  csumPartial,
  readU16,
  writeU16,
  type SkBuff,
} from '@netstack/core';
import { IP_DF, IP_MF, Ipv4View, ipv4PseudoHeaderSum } from '../wire/ipv4.js';
import { ipFragment } from './fragment.js';
import { buildDatagram, bytesOf, newIpMib, toSkb } from './test-packets.js';

const EMSGSIZE = -90;

function setup() {
  const world = new World({ seed: 7 });
  const ns = world.createNamespace('host');
  const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
  const mib = newIpMib();
  return { world, ns, dev, mib };
}

/** Fragment `bytes` and keep copies of the fragments (freed as the driver would). */
function fragmentOf(world: World, bytes: Uint8Array, mtu: number, mib = newIpMib()): { err: number; frags: Uint8Array[]; skbs: SkBuff[] } {
  const frags: Uint8Array[] = [];
  const skbs: SkBuff[] = [];
  const err = ipFragment(toSkb(world.pool, bytes), mtu, mib, (f) => {
    frags.push(bytesOf(f));
    skbs.push(f);
    return 0;
  });
  return { err, frags, skbs };
}

const view = (b: Uint8Array): Ipv4View => new Ipv4View().wrap(b, 0, b.length);

describe('ipFragment (ip_do_fragment slow path)', () => {
  it('splits 4000 payload bytes for MTU 1500 as Linux does: 1480 + 1480 + 1040, offsets 0/185/370', () => {
    const { world, mib } = setup();
    const dgram = buildDatagram({ id: 0xbeef, seed: 3 }, 4000);
    const { err, frags, skbs } = fragmentOf(world, dgram, 1500, mib);
    expect(err).toBe(0);
    expect(frags.map((f) => f.length)).toEqual([1500, 1500, 1060]);
    expect(frags.map((f) => view(f).fragOffset)).toEqual([0, 185, 370]);
    expect(frags.map((f) => view(f).moreFrags)).toEqual([true, true, false]);
    for (const f of frags) {
      const v = view(f);
      expect(v.id).toBe(0xbeef);
      expect(v.totalLen).toBe(f.length);
      expect(v.verifyChecksum()).toBe(true);
      expect(v.dontFrag).toBe(false);
      expect([v.saddr, v.daddr, v.protocol, v.ttl]).toEqual([0x0a000001, 0x0a000002, 17, 64]);
    }
    // The payload pieces are the datagram's bytes in order.
    const joined = frags.flatMap((f) => [...f.subarray(20)]);
    expect(Uint8Array.from(joined)).toEqual(dgram.subarray(20));
    expect(mib.get('FragCreates')).toBe(3);
    expect(mib.get('FragOKs')).toBe(1);
    expect(mib.get('FragFails')).toBe(0);
    for (const s of skbs) consumeSkb(s);
    expect(world.pool.live).toBe(0);
  });

  it('keeps every fragment within the MTU with 8-byte-multiple payloads, at boundaries', () => {
    const { world } = setup();
    for (const mtu of [68, 69, 75, 76, 576, 1280, 1500, 1501, 9000]) {
      for (const payload of [mtu - 20 + 1, mtu - 20 + 8, 2 * (mtu - 20), 2 * (mtu - 20) + 1, 3 * ((mtu - 20) & ~7) + 7, 8000]) {
        const { err, frags, skbs } = fragmentOf(world, buildDatagram({ seed: payload }, payload), mtu);
        expect(err).toBe(0);
        let expectOffset = 0;
        frags.forEach((f, i) => {
          const v = view(f);
          expect(f.length).toBeLessThanOrEqual(mtu);
          expect(v.fragOffsetBytes).toBe(expectOffset);
          const last = i === frags.length - 1;
          expect(v.moreFrags).toBe(!last);
          if (!last) {
            expect(v.payloadLen % 8).toBe(0);
            // As large as the MTU allows: the next multiple of 8 would not fit.
            expect(v.payloadLen + 8 + 20).toBeGreaterThan(mtu);
          }
          expectOffset += v.payloadLen;
        });
        expect(expectOffset).toBe(payload);
        for (const s of skbs) consumeSkb(s);
      }
    }
    expect(world.pool.live).toBe(0);
  });

  it('first fragment keeps all options, later ones only copied options (others NOP), header length kept', () => {
    const { world } = setup();
    // Record route (type 7, not copied) with 2 slots, router alert (148, copied), then EOL padding.
    const rr = [7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0];
    const ra = [148, 4, 0, 0];
    const dgram = buildDatagram({ options: [...rr, ...ra], seed: 9 }, 3000);
    expect(view(dgram).headerLen).toBe(36);
    const { err, frags, skbs } = fragmentOf(world, dgram, 1000);
    expect(err).toBe(0);
    expect(frags.length).toBeGreaterThan(2);
    expect(frags[0]!.subarray(0, 36)).toEqual(Uint8Array.from([...frags[0]!.subarray(0, 20), ...dgram.subarray(20, 36)]));
    for (const f of frags.slice(1)) {
      const v = view(f);
      expect(v.headerLen).toBe(36);
      expect(v.verifyChecksum()).toBe(true);
      expect([...f.subarray(20, 31)]).toEqual(new Array(11).fill(1));
      expect([...f.subarray(31, 35)]).toEqual(ra);
      expect(f[35]).toBe(0);
    }
    // 1000 - 36 = 964 → 960 bytes of payload per non-final fragment.
    expect(view(frags[0]!).payloadLen).toBe(960);
    for (const s of skbs) consumeSkb(s);
    expect(world.pool.live).toBe(0);
  });

  it('refragmenting a middle fragment keeps its offset, its MF on the last piece, and its options', () => {
    const { world } = setup();
    const rr = [7, 7, 4, 0, 0, 0, 0, 0];
    const dgram = buildDatagram({ options: rr, fragOff: IP_MF | 100, seed: 5 }, 2000);
    const { err, frags, skbs } = fragmentOf(world, dgram, 576);
    expect(err).toBe(0);
    let off = 800;
    for (const f of frags) {
      const v = view(f);
      expect(v.fragOffsetBytes).toBe(off);
      expect(v.moreFrags).toBe(true);
      // Not the datagram's first fragment: ip_options_fragment does not run, options stay.
      expect([...f.subarray(20, 28)]).toEqual(rr);
      off += v.payloadLen;
    }
    expect(off).toBe(2800);
    for (const s of skbs) consumeSkb(s);
    expect(world.pool.live).toBe(0);
  });

  it('copies metadata (dev, priority, mark, dst, protocol, hash, tstamp) and the headroom', () => {
    const { world, dev, mib } = setup();
    const skb = world.pool.allocFrom(buildDatagram({}, 3000), 200);
    const route = { tag: 'route' };
    Object.assign(skb, { dev, priority: 6, mark: 0x42, dst: route, protocol: 0x0800, hash: 0xabc, hashValid: true, tstamp: 12345, queueMapping: 3 });
    const out: SkBuff[] = [];
    expect(ipFragment(skb, 1500, mib, (f) => (out.push(f), 0))).toBe(0);
    expect(out).toHaveLength(3);
    for (const f of out) {
      expect([f.dev, f.priority, f.mark, f.dst, f.protocol, f.hash, f.hashValid, f.tstamp]).toEqual([dev, 6, 0x42, route, 0x0800, 0xabc, true, 12345]);
      expect(f.headroom()).toBe(200);
      expect(f.networkHeader).toBe(f.data);
      expect(f.transportHeader).toBe(f.data + 20);
      consumeSkb(f);
    }
    expect(world.pool.live).toBe(0);
  });

  it('DF set: -EMSGSIZE, FragFails, the datagram dropped and nothing sent', () => {
    const { world, ns, dev, mib } = setup();
    const skb = toSkb(world.pool, buildDatagram({ fragOff: IP_DF }, 3000));
    skb.dev = dev;
    let sent = 0;
    expect(ipFragment(skb, 1500, mib, () => (sent++, 0))).toBe(EMSGSIZE);
    expect(sent).toBe(0);
    expect([mib.get('FragFails'), mib.get('FragOKs'), mib.get('FragCreates')]).toEqual([1, 0, 0]);
    expect(ns.drops[DropReason.NOT_SPECIFIED]).toBe(1);
    expect(world.pool.live).toBe(0);
  });

  it('an MTU without room for 8 payload bytes fails with -EMSGSIZE; 60-byte header + 8 at MTU 68 works', () => {
    const { world, mib } = setup();
    const opts = new Array(40).fill(1);
    const tooSmall = fragmentOf(world, buildDatagram({ options: opts }, 100), 67, mib);
    expect(tooSmall.err).toBe(EMSGSIZE);
    expect(tooSmall.frags).toHaveLength(0);
    expect(mib.get('FragFails')).toBe(1);
    const ok = fragmentOf(world, buildDatagram({ options: opts }, 100), 68, mib);
    expect(ok.err).toBe(0);
    expect(ok.frags).toHaveLength(13);
    expect(ok.frags.every((f) => f.length <= 68)).toBe(true);
    for (const s of ok.skbs) consumeSkb(s);
    expect(world.pool.live).toBe(0);
  });

  it('stops at the first output error: returns it, FragFails, the rest never built', () => {
    const { world, mib } = setup();
    const sent: SkBuff[] = [];
    const err = ipFragment(toSkb(world.pool, buildDatagram({}, 6000)), 1500, mib, (f) => {
      sent.push(f);
      if (sent.length === 2) {
        consumeSkb(f); // output owns it, failed or not
        return -105; // -ENOBUFS
      }
      return 0;
    });
    expect(err).toBe(-105);
    expect(sent).toHaveLength(2);
    expect([mib.get('FragCreates'), mib.get('FragOKs'), mib.get('FragFails')]).toEqual([1, 0, 1]);
    consumeSkb(sent[0]!);
    expect(world.pool.live).toBe(0);
  });

  it('resolves a partial (offloaded) transport checksum before splitting', () => {
    const { world, mib } = setup();
    const dgram = buildDatagram({ protocol: 17 }, 3000);
    // UDP header at 20: ports, length, and the pseudo-header sum in the checksum field (CHECKSUM_PARTIAL).
    writeU16(dgram, 20, 40000);
    writeU16(dgram, 22, 53);
    writeU16(dgram, 24, 3000);
    writeU16(dgram, 26, ~csumFold(ipv4PseudoHeaderSum(0x0a000001, 0x0a000002, 17, 3000)) & 0xffff);
    const skb = toSkb(world.pool, dgram);
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = skb.data + 20;
    skb.csumOffset = 6;
    const frags: Uint8Array[] = [];
    expect(ipFragment(skb, 1500, mib, (f) => (frags.push(bytesOf(f)), consumeSkb(f), 0))).toBe(0);
    const udp = Uint8Array.from(frags.flatMap((f) => [...f.subarray(20)]));
    const sum = csumPartial(udp, 0, udp.length, ipv4PseudoHeaderSum(0x0a000001, 0x0a000002, 17, udp.length));
    expect(csumFold(sum)).toBe(0);
    expect(readU16(udp, 6)).not.toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('a malformed header is dropped as IP_INHDR with FragFails, never thrown', () => {
    const { world, mib } = setup();
    const bad = buildDatagram({}, 100);
    bad[0] = 0x43; // ihl 3
    expect(fragmentOf(world, bad, 68, mib).err).toBe(-22);
    const short = buildDatagram({}, 100);
    writeU16(short, 2, 500); // claims more than it has
    expect(fragmentOf(world, short, 68, mib).err).toBe(-22);
    expect(mib.get('FragFails')).toBe(2);
    expect(world.pool.live).toBe(0);
  });
});
