import {
  ETH_ALEN,
  ETH_P_ARP,
  IFF_NOARP,
  NFPROTO_ARP,
  NF_ACCEPT,
  devQueueXmit,
  ethHeaderPush,
  writeU16,
  writeU32,
  type NetDevice,
} from '@netstack/core';
import { ARP_ETH_IP_LEN } from '../wire/arp.js';

/** ARP netfilter hook points (include/uapi/linux/netfilter_arp.h). */
export const NF_ARP_IN = 0;
export const NF_ARP_OUT = 1;
export const NF_ARP_FORWARD = 2;

/**
 * `arp_send` (`arp_create` + `arp_xmit`, net/ipv4/arp.c): build an ARP packet and send it on
 * `dev` through the NF_ARP_OUT hook. `destHw` null means the device broadcast address; `targetHw`
 * null leaves the target hardware address zero, as requests carry it. The sender hardware
 * address is the device's. Nothing is sent on IFF_NOARP devices. Both addresses are copied at
 * once, so callers may pass scratch buffers.
 */
export function arpSend(op: number, destIp: number, dev: NetDevice, srcIp: number, destHw: Uint8Array | null, targetHw: Uint8Array | null): void {
  if ((dev.flags & IFF_NOARP) !== 0) return;
  const skb = dev.net.world.pool.alloc(ARP_ETH_IP_LEN);
  const at = skb.put(ARP_ETH_IP_LEN);
  skb.networkHeader = at;
  skb.dev = dev;
  skb.protocol = ETH_P_ARP;
  const b = skb.buf;
  // ar_hrd is the device type (1 on Ethernet), ar_pro IPv4, ar_hln/ar_pln 6/4.
  writeU16(b, at, dev.type);
  writeU16(b, at + 2, 0x0800);
  b[at + 4] = ETH_ALEN;
  b[at + 5] = 4;
  writeU16(b, at + 6, op);
  const sha = dev.addr;
  for (let i = 0; i < ETH_ALEN; i++) {
    b[at + 8 + i] = sha[i]!;
    b[at + 18 + i] = targetHw === null ? 0 : targetHw[i]!;
  }
  writeU32(b, at + 14, srcIp);
  writeU32(b, at + 24, destIp);
  ethHeaderPush(skb, ETH_P_ARP, destHw ?? dev.broadcast, 0, sha);
  // arp_xmit: NF_HOOK(NFPROTO_ARP, NF_ARP_OUT, ...) then dev_queue_xmit.
  if (dev.net.netfilter.run(NFPROTO_ARP, NF_ARP_OUT, skb, null, dev) !== NF_ACCEPT) return;
  devQueueXmit(skb);
}
