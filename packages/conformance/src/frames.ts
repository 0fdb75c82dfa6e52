/**
 * The frames the kit sends: the standard probes, the subject's own, and seeded random frames
 * for the robustness check (core's `Random`, so a failing frame is reproducible from its seed).
 */
import { ETH_P_8021AD, ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, ETH_P_LLDP, ETH_P_SLOW, Random, parseMac, readU16, type MacAddress, type NetDevice } from '@netstack/core';
import { KIT_OTHER_MAC, KIT_PEER_MAC, KIT_PROBE_ETHERTYPE, type KitContext } from './kit.js';
import type { ProbeFrame, ProbeSpec, RxHandlerSubject } from './subject.js';

const BROADCAST = parseMac('ff:ff:ff:ff:ff:ff');
const MULTICAST = parseMac('01:00:5e:00:00:01');

/** The bytes of an Ethernet frame: addresses, optional 802.1Q tag, type, payload. */
export function buildFrame(spec: ProbeSpec): Uint8Array {
  const p = spec.payload ?? 46;
  const payload = typeof p === 'number' ? Uint8Array.from({ length: p }, (_, i) => i & 0xff) : p;
  const tag = spec.vid === undefined ? 0 : 4;
  const out = new Uint8Array(14 + tag + payload.length);
  out.set(spec.dst, 0);
  out.set(spec.src ?? KIT_PEER_MAC, 6);
  let at = 12;
  if (spec.vid !== undefined) {
    out[at] = ETH_P_8021Q >> 8;
    out[at + 1] = ETH_P_8021Q & 0xff;
    out[at + 2] = (spec.vid >> 8) & 0x0f;
    out[at + 3] = spec.vid & 0xff;
    at += 4;
  }
  const type = spec.type ?? KIT_PROBE_ETHERTYPE;
  out[at] = type >> 8;
  out[at + 1] = type & 0xff;
  out.set(payload, at + 2);
  return out;
}

/** Describe raw frame bytes as the subject's `expect` sees them. */
export function probeFrame(name: string, bytes: Uint8Array): ProbeFrame {
  const len = bytes.length;
  const dst = Uint8Array.from(bytes.subarray(0, Math.min(6, len)));
  const src = Uint8Array.from(bytes.subarray(Math.min(6, len), Math.min(12, len)));
  let type = len >= 14 ? readU16(bytes, 12) : -1;
  let vid: number | null = null;
  let at = 12;
  while ((type === ETH_P_8021Q || type === ETH_P_8021AD) && len >= at + 6) {
    if (vid === null) vid = readU16(bytes, at + 2) & 0x0fff;
    at += 4;
    type = readU16(bytes, at);
  }
  return { name, bytes, dst, src, type, vid };
}

/** The standard probes, then the subject's own. */
export function probesFor(subject: RxHandlerSubject, port: NetDevice, ctx: KitContext): ProbeFrame[] {
  const std: ProbeSpec[] = [
    { name: 'unicast-to-port', dst: port.addr },
    { name: 'unicast-other', dst: KIT_OTHER_MAC },
    { name: 'broadcast', dst: BROADCAST },
    { name: 'multicast', dst: MULTICAST },
    { name: 'vlan-tagged', dst: port.addr, vid: 10 },
  ];
  const own = subject.probes?.(port, ctx) ?? [];
  return [...std, ...own].map((s) => probeFrame(s.name, buildFrame(s)));
}

const TYPES = [ETH_P_IP, ETH_P_ARP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD, ETH_P_SLOW, ETH_P_LLDP, KIT_PROBE_ETHERTYPE, 0x0026, 0x05dc];

/**
 * `count` random frames from `seed`: lengths from 0 to 1518 (runts included: the driver drops
 * those before any handler), destinations drawn from `macs` (the port's, the probes', link-local
 * group addresses, broadcast) or random, ethertypes from a list of the interesting ones
 * (tags, LACP, LLDP, 802.3 lengths) or random, payloads random.
 */
export function randomFrames(seed: number, count: number, macs: readonly MacAddress[]): ProbeFrame[] {
  const rnd = new Random(seed);
  const pool = [...macs, BROADCAST, MULTICAST, KIT_OTHER_MAC, ...[0, 1, 2, 3, 0xe].map((x) => parseMac(`01:80:c2:00:00:${x.toString(16).padStart(2, '0')}`))];
  const out: ProbeFrame[] = [];
  for (let i = 0; i < count; i++) {
    const shape = rnd.below(10);
    const len = shape === 0 ? rnd.below(20) : shape === 1 ? 1500 + rnd.below(19) : 14 + rnd.below(200);
    const bytes = rnd.fill(new Uint8Array(len));
    if (len >= 6 && rnd.below(4) !== 0) bytes.set(pool[rnd.below(pool.length)]!, 0);
    if (len >= 12 && rnd.below(2) === 0) bytes.set(KIT_PEER_MAC, 6);
    if (len >= 14 && rnd.below(3) !== 0) {
      const t = TYPES[rnd.below(TYPES.length)]!;
      bytes[12] = t >> 8;
      bytes[13] = t & 0xff;
    }
    out.push(probeFrame(`random #${i} (seed ${seed}): ${hex(bytes)}`, bytes));
  }
  return out;
}

/** Frame bytes as hex, shortened, for failure messages. */
export function hex(bytes: Uint8Array, max = 64): string {
  const s = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join('');
  return bytes.length > max ? `${s}… (${bytes.length} bytes)` : `${s} (${bytes.length} bytes)`;
}

