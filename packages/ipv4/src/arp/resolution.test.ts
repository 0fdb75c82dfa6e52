/**
 * ARP resolution and every NUD transition, end to end between two namespaces over a veth pair,
 * in virtual time. Timings are the kernel's defaults (net.ipv4.neigh.default.*), checked against
 * Linux 6.18 in network namespaces: PROBE sends ucast_solicit (3) unicast requests retrans_time
 * (1 s) apart after delay_first_probe_time (5 s) in DELAY, then FAILED.
 */
import { describe, expect, it } from 'vitest';
import { NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_PROBE, NUD_REACHABLE, NUD_STALE, nudStateName, type Neighbour } from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';
import { parseIpv4 } from '../wire/inet-addr.js';
import { MAC_A, MAC_B, arpLab, type Lab, type PairFn } from './testing/lab.js';

const veth: PairFn = (a, b, macA, macB) => createVethPair(a, { name: 'veth0', address: macA, peer: { name: 'veth1', netns: b, address: macB } });

const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';
const state = (n: Neighbour | null): string => (n === null ? 'none' : nudStateName(n.nudState));
const mac = (n: Neighbour): string => Array.from(n.ha, (x) => x.toString(16).padStart(2, '0')).join(':');

function entry(lab: Lab, host: 'a' | 'b', ip: string): Neighbour | null {
  const h = lab[host];
  return h.arp.table.lookup(h.dev, parseIpv4(ip));
}

/** A resolved 10.0.0.2 in a's cache (REACHABLE at t = 0). */
function resolved(): { lab: Lab; n: Neighbour } {
  const lab = arpLab(veth);
  lab.send(lab.a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 1));
  lab.world.runFor(0);
  const n = entry(lab, 'a', '10.0.0.2')!;
  expect(state(n)).toBe('REACHABLE');
  return { lab, n };
}

describe('ARP resolution (net/ipv4/arp.c on the generic neighbour table)', () => {
  it('INCOMPLETE → broadcast request → reply → REACHABLE, queued packets sent in order', () => {
    const lab = arpLab(veth);
    const { a, b, world } = lab;
    for (const m of [1, 2, 3]) lab.send(a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', m));
    const n = entry(lab, 'a', '10.0.0.2')!;
    expect(state(n)).toBe('INCOMPLETE');
    expect(n.arpQueue.length).toBe(3);
    // The request is on the wire at once: broadcast, who-has 10.0.0.2 tell 10.0.0.1.
    expect(a.sentArp()).toEqual([
      expect.objectContaining({ t: 0, dst: BCAST, src: MAC_A, op: 1, sha: MAC_A, spa: '10.0.0.1', tha: ZERO, tpa: '10.0.0.2', len: 42 }),
    ]);
    expect(b.ip).toEqual([]);

    world.runFor(0);
    // b learned the requester (STALE, neigh_event_ns) and answered it unicast.
    expect(state(entry(lab, 'b', '10.0.0.1'))).toBe('STALE');
    expect(mac(entry(lab, 'b', '10.0.0.1')!)).toBe(MAC_A);
    expect(a.rcvdArp()).toEqual([
      expect.objectContaining({ pkt: 'HOST', dst: MAC_A, src: MAC_B, op: 2, sha: MAC_B, spa: '10.0.0.2', tha: MAC_A, tpa: '10.0.0.1' }),
    ]);
    // A unicast reply confirms reachability; the queue drains in order to b's MAC.
    expect(n.nudState).toBe(NUD_REACHABLE);
    expect(mac(n)).toBe(MAC_B);
    expect(n.arpQueue.length).toBe(0);
    expect(b.ip.map((p) => p.marker)).toEqual([1, 2, 3]);
    const ipFrames = a.frames.filter((f) => f.type === 0x0800);
    expect(ipFrames.map((f) => [f.dst, f.src, f.marker])).toEqual([
      [MAC_B, MAC_A, 1],
      [MAC_B, MAC_A, 2],
      [MAC_B, MAC_A, 3],
    ]);
    // Once resolved, output goes straight out without ARP.
    lab.send(a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 4));
    world.runFor(0);
    expect(b.ip.map((p) => p.marker)).toEqual([1, 2, 3, 4]);
    expect(a.sentArp()).toHaveLength(1);
    expect(a.stack.icmpSent).toEqual([]);
    expect(a.ns.dropCounts()).toEqual({});
    expect(b.ns.dropCounts()).toEqual({});
    expect(world.pool.live).toBe(0);
    expect(world.pool.liveSlots).toBe(0);
  });

  it('REACHABLE → STALE after reachable_time when unused', () => {
    const { lab, n } = resolved();
    const reach = lab.a.arp.table.parms.reachableTimeMs;
    // reachable_time is drawn in [base/2, 3·base/2) from base_reachable_time_ms = 30000.
    expect(reach).toBeGreaterThanOrEqual(15_000);
    expect(reach).toBeLessThan(45_000);
    lab.world.runFor(reach - 1);
    expect(state(n)).toBe('REACHABLE');
    lab.world.runFor(20);
    expect(n.nudState).toBe(NUD_STALE);
    expect(mac(n)).toBe(MAC_B);
    // No ARP traffic for any of it: STALE is only a suspicion.
    expect(lab.a.sentArp()).toHaveLength(1);
    expect(lab.world.pool.live).toBe(0);
  });

  it('STALE → DELAY on use → PROBE with unicast requests → FAILED; then INCOMPLETE → FAILED with ICMP host unreachable', () => {
    const { lab, n } = resolved();
    const { a, b, world } = lab;
    b.stack.conf(b.dev).arpIgnore = 8; // b stops answering
    world.runFor(lab.a.arp.table.parms.reachableTimeMs + 20);
    expect(n.nudState).toBe(NUD_STALE);
    const t0 = lab.now();
    const before = a.sentArp().length;

    // Use: the packet leaves at once with the stale address; DELAY for delay_first_probe_time.
    lab.send(a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 9));
    expect(n.nudState).toBe(NUD_DELAY);
    world.runFor(0);
    expect(b.ip.map((p) => p.marker)).toEqual([1, 9]);
    world.runFor(4_999);
    expect(n.nudState).toBe(NUD_DELAY);
    world.runFor(1);
    expect(n.nudState).toBe(NUD_PROBE);
    // PROBE: ucast_solicit requests to the cached MAC, retrans_time apart.
    world.runFor(2_999);
    expect(n.nudState).toBe(NUD_PROBE);
    const probes = a.sentArp().slice(before);
    expect(probes.map((f) => f.t - t0)).toEqual([5_000, 6_000, 7_000]);
    for (const f of probes) expect(f).toMatchObject({ dst: MAC_B, op: 1, sha: MAC_A, spa: '10.0.0.1', tha: ZERO, tpa: '10.0.0.2' });
    world.runFor(1);
    expect(n.nudState).toBe(NUD_FAILED);
    // Nothing was waiting: no ICMP error.
    expect(a.stack.icmpSent).toEqual([]);

    // Next use: FAILED → INCOMPLETE, mcast_solicit broadcast requests, then FAILED and the
    // queued packet reported (ICMP host unreachable) and dropped NEIGH_FAILED.
    const t1 = lab.now();
    lab.send(a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 10));
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    world.runFor(2_999);
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    const again = a.sentArp().slice(before + 3);
    expect(again.map((f) => [f.t - t1, f.dst])).toEqual([
      [0, BCAST],
      [1_000, BCAST],
      [2_000, BCAST],
    ]);
    world.runFor(1);
    expect(n.nudState).toBe(NUD_FAILED);
    expect(a.stack.icmpSent).toEqual([expect.objectContaining({ type: 3, code: 1, saddr: parseIpv4('10.0.0.1'), daddr: parseIpv4('10.0.0.2') })]);
    expect(a.ns.dropCounts()).toEqual({ NEIGH_FAILED: 1 });
    expect(b.ip.map((p) => p.marker)).toEqual([1, 9]);
    expect(world.pool.live).toBe(0);
  });

  it('DELAY → REACHABLE when upper layers confirm (neigh_confirm) before the first probe', () => {
    const { lab, n } = resolved();
    const { a, world } = lab;
    world.runFor(a.arp.table.parms.reachableTimeMs + 20);
    expect(n.nudState).toBe(NUD_STALE);
    lab.send(a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 2));
    expect(n.nudState).toBe(NUD_DELAY);
    world.runFor(1_000);
    a.arp.table.confirm(n);
    world.runFor(4_000);
    expect(n.nudState).toBe(NUD_REACHABLE);
    expect(a.sentArp()).toHaveLength(1);
  });

  it('DELAY → REACHABLE at once on a unicast ARP reply', () => {
    const { lab, n } = resolved();
    const { a, b, world } = lab;
    world.runFor(a.arp.table.parms.reachableTimeMs + 20);
    lab.send(a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 2));
    expect(n.nudState).toBe(NUD_DELAY);
    world.runFor(2_000);
    lab.inject(b, { op: 2, dst: MAC_A, sha: MAC_B, spa: '10.0.0.2', tha: MAC_A, tpa: '10.0.0.1' });
    world.runFor(0);
    expect(n.nudState).toBe(NUD_REACHABLE);
    world.runFor(10_000);
    expect(a.sentArp()).toHaveLength(1);
  });

  it('a request from a REACHABLE neighbour with the same MAC leaves it REACHABLE (as Linux does)', () => {
    const { lab, n } = resolved();
    lab.inject(lab.b, { op: 1, sha: MAC_B, spa: '10.0.0.2', tpa: '10.0.0.1' });
    lab.world.runFor(0);
    expect(n.nudState).toBe(NUD_REACHABLE);
    // and a was asked, so it answered.
    expect(lab.a.sentArp().at(-1)).toMatchObject({ op: 2, dst: MAC_B, spa: '10.0.0.1', tpa: '10.0.0.2' });
  });
});
