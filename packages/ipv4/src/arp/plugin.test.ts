/**
 * ARP inside the real stack: two namespaces with the `ipv4()` plugin over a veth pair, driven by
 * ping. What happens on the wire and in both caches is what Linux 6.18 does in the same setup:
 * the responder learns the requester STALE, its echo reply moves that entry to DELAY, and 5 s
 * later it confirms it with a unicast probe that the requester answers.
 */
import { describe, expect, it } from 'vitest';
import { ETH_P_ALL, ETH_P_ARP, NET_RX_SUCCESS, World, consumeSkb, formatMac, nudStateName, readU16, readU32, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '../plugin.js';
import { ping } from '../ping.js';
import { formatIpv4, parseIpv4 } from '../wire/inet-addr.js';

const MAC_A = '02:00:00:00:00:aa';
const MAC_B = '02:00:00:00:00:bb';

function hosts() {
  const world = new World({ seed: 11 });
  const a = world.createNamespace('a', [loopback(), veth(), ipv4()]);
  const b = world.createNamespace('b', [loopback(), ipv4()]);
  const [va, vb] = createVethPair(a, { name: 'veth0', address: MAC_A, peer: { name: 'veth1', netns: b, address: MAC_B } });
  getIpv4(a).addAddress(va, '10.0.0.1/24');
  getIpv4(b).addAddress(vb, '10.0.0.2/24');
  // Up as on a configured host: lo carries the ICMP error ARP generates for our own ping.
  for (const ns of [a, b]) ns.dev('lo').open();
  vb.open();
  va.open();
  const arpFrames: string[] = [];
  const tap = (ns: NetNamespace): void =>
    ns.devAddPack({
      type: ETH_P_ALL,
      dev: null,
      data: null,
      owner: 'test-tap',
      func: (skb) => {
        const m = skb.macHeader;
        const p = m + 14;
        if (readU16(skb.buf, m + 12) === ETH_P_ARP && skb.pktType === 4 /* OUTGOING */) {
          // tcpdump's wording: "Request who-has T tell S" / "Reply S is-at MAC".
          const spa = formatIpv4(readU32(skb.buf, p + 14));
          const tpa = formatIpv4(readU32(skb.buf, p + 24));
          const what = readU16(skb.buf, p + 6) === 1 ? `Request who-has ${tpa} tell ${spa}` : `Reply ${spa} is-at ${formatMac(skb.buf, p + 8)}`;
          arpFrames.push(`${(world.scheduler.now() / 1e6).toFixed(0)} ${ns.name} > ${formatMac(skb.buf, m)} ${what}`);
        }
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      },
    });
  tap(a);
  tap(b);
  const neigh = (ns: NetNamespace, dev: typeof va, ip: string): string => {
    const n = getIpv4(ns).arp.table.lookup(dev, parseIpv4(ip));
    return n === null ? 'none' : `${nudStateName(n.nudState)} ${formatMac(n.ha)}`;
  };
  return { world, a, b, va, vb, arpFrames, neigh };
}

describe('ARP through the ipv4() plugin', () => {
  it('ping resolves the neighbour; the responder learns, delays and confirms by unicast probe', () => {
    const { world, a, b, va, vb, arpFrames, neigh } = hosts();
    const res = ping(a, '10.0.0.2', { count: 1, waitMs: 100 });
    expect(res.received).toBe(1);
    expect(arpFrames).toEqual([`0 a > ff:ff:ff:ff:ff:ff Request who-has 10.0.0.2 tell 10.0.0.1`, `0 b > ${MAC_A} Reply 10.0.0.2 is-at ${MAC_B}`]);
    expect(neigh(a, va, '10.0.0.2')).toBe(`REACHABLE ${MAC_B}`);
    expect(neigh(b, vb, '10.0.0.1')).toBe(`DELAY ${MAC_A}`);
    world.runFor(5_000);
    expect(arpFrames.slice(2)).toEqual([`5000 b > ${MAC_A} Request who-has 10.0.0.1 tell 10.0.0.2`, `5000 a > ${MAC_B} Reply 10.0.0.1 is-at ${MAC_A}`]);
    expect(neigh(b, vb, '10.0.0.1')).toBe(`REACHABLE ${MAC_A}`);
    expect(world.pool.live).toBe(0);
  });

  it('an address nobody answers: three requests, then ping reports Destination Host Unreachable from us', () => {
    const { a, va, arpFrames, neigh } = hosts();
    const res = ping(a, '10.0.0.99', { count: 1, waitMs: 5_000 });
    expect(res.received).toBe(0);
    expect(res.errors).toEqual([expect.objectContaining({ seq: 1, from: '10.0.0.1', message: 'Destination Host Unreachable' })]);
    expect(arpFrames).toEqual([0, 1000, 2000].map((t) => `${t} a > ff:ff:ff:ff:ff:ff Request who-has 10.0.0.99 tell 10.0.0.1`));
    expect(neigh(a, va, '10.0.0.99')).toMatch(/^FAILED/);
    expect(a.dropCounts()).toMatchObject({ NEIGH_FAILED: 1 });
  });
});
