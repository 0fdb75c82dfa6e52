import type { NetDevice } from '../netdevice/net-device.js';
import type { SkBuff } from '../skb/skbuff.js';
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST } from '../skb/constants.js';
import { readU16 } from '../wire/checksum.js';
import { ETH_HLEN, ETH_P_802_2, ETH_P_802_3, ETH_P_802_3_MIN } from '../wire/ethernet.js';
import { etherAddrEqual, isBroadcastEtherAddr } from '../wire/mac.js';

/**
 * `eth_type_trans`: mark the MAC header, pull it, classify the destination into `pktType` and
 * return the ethertype for `skb.protocol`. Returns -1 (nothing changed) when the frame is shorter
 * than an Ethernet header: drivers drop those as PKT_TOO_SMALL.
 */
export function ethTypeTrans(skb: SkBuff, dev: NetDevice): number {
  if (skb.len < ETH_HLEN) return -1;
  const buf = skb.buf;
  const mac = skb.data;
  skb.dev = dev;
  skb.macHeader = mac;
  skb.macLen = ETH_HLEN;
  skb.pull(ETH_HLEN);
  skb.networkHeader = skb.data;
  if (buf[mac]! & 0x01) {
    skb.pktType = isBroadcastEtherAddr(buf, mac) ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (!etherAddrEqual(buf, mac, dev.addr, 0)) {
    skb.pktType = PACKET_OTHERHOST;
  } else {
    skb.pktType = PACKET_HOST;
  }
  const type = readU16(buf, mac + 12);
  if (type >= ETH_P_802_3_MIN) return type;
  // 802.3 length field: raw IPX starts with 0xFFFF, anything else is 802.2 LLC.
  if (skb.len >= 2 && buf[skb.data] === 0xff && buf[skb.data + 1] === 0xff) return ETH_P_802_3;
  return ETH_P_802_2;
}
