/**
 * Test support for the sim NIC tests (not exported): two namespaces joined by a sim NIC link,
 * IPv4/UDP frames with correct (or broken) checksums, and a receiver that records what the stack
 * hands an ETH_P_IP handler.
 */
import {
  ETH_P_8021Q,
  ETH_P_IP,
  World,
  consumeSkb,
  csumPartial,
  devQueueXmit,
  internetChecksum,
  writeU16,
  type NetDevice,
  type NetNamespace,
  type SkBuff,
  type SkBuffPool,
} from '@netstack/core';
import { createSimNicPair, type SimNicSpec } from './device.js';
import type { SimWireOptions } from './wire.js';

export interface SimLab {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  ea: NetDevice;
  eb: NetDevice;
}

/** Namespaces a and b, `eth0` in each, joined by a wire; both up. `nic` applies to both ends, `peer` to b's. */
export function simLab(opts: { cpus?: number; nic?: Partial<SimNicSpec>; peer?: Partial<SimNicSpec>; wire?: SimWireOptions } = {}): SimLab {
  const world = new World({ seed: 7, cpus: opts.cpus ?? 1 });
  const a = world.createNamespace('a');
  const b = world.createNamespace('b');
  const [ea, eb] = createSimNicPair(a, { ...opts.nic, name: 'eth0', peer: { ...opts.nic, ...opts.peer, name: 'eth0', netns: b }, ...opts.wire });
  ea.open();
  eb.open();
  return { world, a, b, ea, eb };
}

export interface UdpFrameSpec {
  from: NetDevice;
  to: NetDevice;
  saddr?: number;
  daddr?: number;
  sport: number;
  dport: number;
  payload?: number;
  vid?: number;
  /** Corrupt the UDP checksum. */
  badCsum?: boolean;
}

/** An Ethernet + IPv4 + UDP frame (checksums filled) in a pool buffer, `dev` set to `from`. */
export function udpFrame(pool: SkBuffPool, s: UdpFrameSpec): SkBuff {
  const plen = s.payload ?? 18;
  const tag = s.vid !== undefined ? 4 : 0;
  const len = 14 + tag + 20 + 8 + plen;
  const skb = pool.alloc(len);
  const o = skb.put(len);
  const b = skb.buf;
  b.set(s.to.addr, o);
  b.set(s.from.addr, o + 6);
  let p = o + 12;
  if (s.vid !== undefined) {
    writeU16(b, p, ETH_P_8021Q);
    writeU16(b, p + 2, s.vid);
    p += 4;
  }
  writeU16(b, p, ETH_P_IP);
  const ip = p + 2;
  b.fill(0, ip, ip + 20);
  b[ip] = 0x45;
  writeU16(b, ip + 2, 20 + 8 + plen);
  b[ip + 8] = 64;
  b[ip + 9] = 17;
  const saddr = s.saddr ?? 0x0a000001;
  const daddr = s.daddr ?? 0x0a000002;
  for (let i = 0; i < 4; i++) {
    b[ip + 12 + i] = (saddr >>> (24 - 8 * i)) & 0xff;
    b[ip + 16 + i] = (daddr >>> (24 - 8 * i)) & 0xff;
  }
  writeU16(b, ip + 10, internetChecksum(b, ip, 20));
  const u = ip + 20;
  writeU16(b, u, s.sport);
  writeU16(b, u + 2, s.dport);
  writeU16(b, u + 4, 8 + plen);
  writeU16(b, u + 6, 0);
  for (let i = 0; i < plen; i++) b[u + 8 + i] = i & 0xff;
  let c = internetChecksum(b, u, 8 + plen, csumPartial(b, ip + 12, 8, 17 + 8 + plen));
  if (c === 0) c = 0xffff;
  writeU16(b, u + 6, s.badCsum === true ? c ^ 0x5555 : c);
  skb.dev = s.from;
  return skb;
}

/** Send a UDP frame from `s.from` through the stack's transmit path. */
export function sendUdp(world: World, s: UdpFrameSpec): number {
  return devQueueXmit(udpFrame(world.pool, s));
}

/** What an ETH_P_IP handler got. */
export interface IpSeen {
  queue: number;
  ipSummed: number;
  csum: number;
  hash: number;
  hashValid: boolean;
  l4Hash: boolean;
  len: number;
  dev: string;
  cpu: number;
  at: number;
  sport: number;
}

/** An ETH_P_IP handler in `ns` recording each packet's metadata (then consuming it). */
export function ipReceiver(ns: NetNamespace): IpSeen[] {
  const got: IpSeen[] = [];
  ns.devAddPack({
    type: ETH_P_IP,
    dev: null,
    data: null,
    owner: 'test',
    func: (skb, dev) => {
      const b = skb.buf;
      const ihl = (b[skb.data]! & 15) * 4;
      got.push({
        queue: skb.queueMapping,
        ipSummed: skb.ipSummed,
        csum: skb.csum,
        hash: skb.hash,
        hashValid: skb.hashValid,
        l4Hash: skb.l4Hash,
        len: skb.len,
        dev: dev.name,
        cpu: ns.world.currentCpu,
        at: ns.world.scheduler.now(),
        sport: (b[skb.data + ihl]! << 8) | b[skb.data + ihl + 1]!,
      });
      consumeSkb(skb);
      return 0;
    },
  });
  return got;
}
