/**
 * ipv4-forward-pps-64: 64-byte frames per second forwarded by a router namespace, in real time.
 *
 *     src (no IP) ──veth── r1 (ipv4, ip_forward=1) ──veth── dst (no IP)
 *     eth0          eth0 10.0.1.1/24   eth1 10.0.2.1/24   eth0
 *
 * `src` injects prebuilt Ethernet/IPv4/UDP frames (valid IP and UDP checksums, TTL 64, from
 * 10.0.1.2 to 10.0.2.2, addressed to r1's MAC) with devQueueXmit, 64 per burst, then runs the
 * softirqs (`world.drain()`). r1 takes each through ip_rcv (header checks, checksum) →
 * PREROUTING → input route (FIB lookup) → ip_forward (TTL decrement with incremental checksum,
 * FORWARD) → ip_output → POSTROUTING → ip_finish_output2 → neighbour output (a permanent entry
 * for 10.0.2.2, so no ARP) → dev_queue_xmit on eth1. `dst` has an ETH_P_IP protocol handler
 * that checks TTL 63, the header checksum and the payload, then consumes the buffer.
 *
 * Reference: the same frames through the same namespaces and veth pairs, relayed on r1 by the
 * cheapest L2 forwarder there is, an rx_handler on r1's eth0 that pushes the Ethernet header back
 * and hands the frame to dev_queue_xmit on eth1 (a minimal switch), measured in the same run. The
 * reference frames are addressed to dst's MAC, as frames crossing a switch are, and arrive with
 * TTL 64; everything else is byte for byte the same. The ratio is what IPv4 forwarding costs
 * relative to that relay (below 1: forwarding is slower).
 *
 * Imports the compiled packages by name: run after `tsc -b` (`npm run bench` builds first).
 */
import {
  ETH_P_IP,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  NUD_PERMANENT,
  RxHandlerResult,
  World,
  consumeSkb,
  devQueueXmit,
  internetChecksum,
  netdevRxHandlerRegister,
} from '@netstack/core';
import { createVethPair, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4, ipv4PseudoHeaderSum, parseIpv4 } from '@netstack/ipv4';
import { frameInjector, sumBytes } from '../../../scripts/lib/frames.mjs';

/** Frames sent per devQueueXmit burst before the softirqs run (below netdev_max_backlog = 1000). */
const BATCH = 64;
const SIZE = 64;
const ETH_HLEN = 14;
const IP_HLEN = 20;
const UDP_HLEN = 8;
const SRC_IP = parseIpv4('10.0.1.2');
const DST_IP = parseIpv4('10.0.2.2');

/** An Ethernet/IPv4/UDP frame of `size` bytes from SRC_IP:40000 to DST_IP:9, TTL 64, checksums filled. */
function ipFrame(size, dstMac, srcMac) {
  const f = new Uint8Array(size);
  f.set(dstMac, 0);
  f.set(srcMac, 6);
  f[12] = ETH_P_IP >> 8;
  f[13] = ETH_P_IP & 0xff;
  const ip = ETH_HLEN;
  const tot = size - ETH_HLEN;
  f[ip] = 0x45;
  f[ip + 2] = tot >> 8;
  f[ip + 3] = tot & 0xff;
  f[ip + 4] = 0x12;
  f[ip + 5] = 0x34;
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  for (let i = 0; i < 4; i++) {
    f[ip + 12 + i] = (SRC_IP >>> (24 - 8 * i)) & 0xff;
    f[ip + 16 + i] = (DST_IP >>> (24 - 8 * i)) & 0xff;
  }
  const hc = internetChecksum(f, ip, IP_HLEN);
  f[ip + 10] = hc >> 8;
  f[ip + 11] = hc & 0xff;
  const udp = ip + IP_HLEN;
  const ulen = tot - IP_HLEN;
  f[udp] = 40000 >> 8;
  f[udp + 1] = 40000 & 0xff;
  f[udp + 3] = 9;
  f[udp + 4] = ulen >> 8;
  f[udp + 5] = ulen & 0xff;
  for (let i = udp + UDP_HLEN; i < size; i++) f[i] = (i * 7 + 3) & 0xff;
  let uc = internetChecksum(f, udp, ulen, ipv4PseudoHeaderSum(SRC_IP, DST_IP, 17, ulen));
  if (uc === 0) uc = 0xffff;
  f[udp + 6] = uc >> 8;
  f[udp + 7] = uc & 0xff;
  return f;
}

/**
 * src — r1 — dst with r1 routing (addresses, ip_forward, a permanent neighbour for dst), and
 * frames from src. `relay`: r1's eth0 gets the L2 rx_handler instead, and frames go to dst's MAC.
 */
function forwardPath(relay) {
  const world = new World({ clock: 'real', seed: 1 });
  const src = world.createNamespace('src', [veth()]);
  const r1 = world.createNamespace('r1', [veth(), ipv4()]);
  const dst = world.createNamespace('dst');
  const [sEth, rIn] = createVethPair(src, { name: 'eth0', peer: { name: 'eth0', netns: r1 } });
  const [rOut, dEth] = createVethPair(r1, { name: 'eth1', peer: { name: 'eth0', netns: dst } });
  const devs = [sEth, rIn, rOut, dEth];
  for (const d of devs) d.open();
  for (const d of devs) if (!d.isRunning) throw new Error(`${d.net.name}:${d.name} did not come up`);
  const ip = getIpv4(r1);
  r1.sysctl.set('net.ipv4.ip_forward', 1);
  ip.addAddress(rIn, '10.0.1.1/24');
  ip.addAddress(rOut, '10.0.2.1/24');
  ip.arp.table.adminSet(rOut, dEth.addr, NUD_PERMANENT, DST_IP);

  let relayed = 0;
  if (relay) {
    // A minimal switch: every frame from eth0 leaves by eth1, Ethernet header and all.
    netdevRxHandlerRegister(rIn, (skb) => {
      skb.push(skb.data - skb.macHeader);
      skb.dev = rOut;
      devQueueXmit(skb);
      relayed++;
      return RxHandlerResult.Consumed;
    });
  }

  const frame = ipFrame(SIZE, relay ? dEth.addr : rIn.addr, sEth.addr);
  const ttl = relay ? 64 : 63;
  const payloadSum = sumBytes(frame, ETH_HLEN + IP_HLEN, SIZE);
  const ipLen = SIZE - ETH_HLEN;
  const pool = world.pool;
  let delivered = 0;
  let bad = 0;
  dst.devAddPack({
    type: ETH_P_IP,
    dev: null,
    data: null,
    owner: 'bench',
    func(skb) {
      const b = skb.buf;
      const nh = skb.data;
      const ok =
        skb.len === ipLen &&
        b[nh + 8] === ttl &&
        internetChecksum(b, nh, IP_HLEN) === 0 &&
        sumBytes(b, nh + IP_HLEN, skb.tail) === payloadSum;
      consumeSkb(skb);
      if (!ok) {
        bad++;
        return NET_RX_DROP;
      }
      delivered++;
      return NET_RX_SUCCESS;
    },
  });

  const inj = frameInjector(world, sEth, frame, BATCH);
  return {
    step: inj.step,
    verify() {
      world.drain();
      if (inj.xmitErrors !== 0) return `${inj.xmitErrors} devQueueXmit errors`;
      if (bad !== 0) return `${bad} frames arrived with a wrong TTL, header checksum or payload`;
      const forwarded = relay ? relayed : r1.snmp.get('IpForwDatagrams');
      const sent = inj.sent;
      if (delivered !== sent || forwarded !== sent) {
        const drops = JSON.stringify(r1.dropCounts());
        return `sent ${sent} frames, r1 ${relay ? 'relayed' : 'forwarded'} ${forwarded}, dst got ${delivered} (r1 drops ${drops}, dst eth0 rx_dropped ${dEth.stats.rx_dropped})`;
      }
      if (pool.live !== 0) return `pool has ${pool.live} live buffers after the run (leak)`;
      return null;
    },
    poolLive: () => pool.live,
    close() {
      world.drain();
    },
  };
}

export default [
  {
    name: 'ipv4-forward-pps-64',
    unit: 'frames/s',
    description: '64-byte IPv4/UDP frames forwarded by a router namespace (ip_rcv → route → ip_forward → neighbour → veth), real time; reference: an L2 rx_handler relay on the same veths',
    subject: () => forwardPath(false),
    reference: () => forwardPath(true),
  },
];
