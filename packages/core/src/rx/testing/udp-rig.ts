import { NetDevice } from '../../netdevice/net-device.js';
import { NETDEV_TX_OK, NET_RX_SUCCESS } from '../../netdevice/flags.js';
import type { NetNamespace } from '../../ns/net-namespace.js';
import { World } from '../../ns/world.js';
import { consumeSkb } from '../../skb/pool.js';
import type { SkBuff } from '../../skb/skbuff.js';
import { ETH_HLEN, ETH_P_IP } from '../../wire/ethernet.js';

/**
 * A UDP/IPv4 packet 10.0.0.1:sport -> 10.0.0.2:80 (or the reverse with `reply`) carrying byte
 * `seq`, on `dev`. Received form by default (L3 header at `data`, as after eth_type_trans);
 * with `eth`, a frame to send (Ethernet header at `data`, `networkHeader` after it).
 */
export function udp4Packet(world: World, dev: NetDevice, sport: number, seq: number, opts: { eth?: boolean; reply?: boolean } = {}): SkBuff {
  const l2 = opts.eth === true ? ETH_HLEN : 0;
  const skb = world.pool.alloc(64 + l2);
  const m = skb.put(l2 + 29);
  const b = skb.buf;
  b.fill(0, m, m + l2 + 29);
  if (l2 !== 0) b[m + 12] = 0x08;
  const o = m + l2;
  b[o] = 0x45;
  b[o + 3] = 29;
  b[o + 8] = 64;
  b[o + 9] = 17;
  b.set(opts.reply === true ? [10, 0, 0, 2, 10, 0, 0, 1] : [10, 0, 0, 1, 10, 0, 0, 2], o + 12);
  b[o + 20] = sport >> 8;
  b[o + 21] = sport & 0xff;
  b[o + 23] = 80;
  b[o + 28] = seq;
  skb.macHeader = m;
  skb.networkHeader = o;
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  return skb;
}

/** The source port `udp4Packet` wrote, read at the network header (`skb.data` on delivery). */
export function udp4Sport(skb: SkBuff): number {
  return (skb.buf[skb.data + 20]! << 8) | skb.buf[skb.data + 21]!;
}

/** The sequence byte `udp4Packet` wrote, read at the network header. */
export function udp4Seq(skb: SkBuff): number {
  return skb.buf[skb.data + 28]!;
}

export interface Arrival {
  cpu: number;
  sport: number;
  seq: number;
}

/**
 * A World of `cpus` CPUs with one veth-like device and an ETH_P_IP handler recording on which
 * CPU each packet (by source port and seq byte) arrived; `onPacket` sees each first.
 */
export function udpRig(cpus = 4, onPacket: (skb: SkBuff, sport: number) => void = () => {}) {
  const world = new World({ cpus });
  const ns: NetNamespace = world.createNamespace('h');
  const dev = ns.registerNetdevice(new NetDevice({ name: 'veth0', kind: 'veth', ops: { startXmit: () => NETDEV_TX_OK } }));
  dev.open();
  const seen: Arrival[] = [];
  ns.devAddPack({
    type: ETH_P_IP,
    dev: null,
    data: null,
    owner: 'test',
    func: (skb) => {
      const sport = udp4Sport(skb);
      onPacket(skb, sport);
      seen.push({ cpu: world.currentCpu, sport, seq: udp4Seq(skb) });
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    },
  });
  const mk = (sport: number, seq: number) => udp4Packet(world, dev, sport, seq);
  return { world, ns, dev, seen, mk };
}
