/**
 * From a packet socket to a capture file, as tcpdump -w does it: each queued packet becomes a
 * record with its World-clock time (plus an epoch offset), caplen and origlen. SOCK_RAW frames are
 * written as Ethernet (LINKTYPE_ETHERNET) with the VLAN tag put back from the auxiliary data, as
 * libpcap does; SOCK_DGRAM packets get a Linux cooked header (LINKTYPE_LINUX_SLL, as `tcpdump
 * -i any`). With pcapng, each device gets an Interface Description Block (its name, ns
 * timestamps) the first time it shows up, and each packet its direction in `epb_flags`.
 */
import { NetError, PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING } from '@netstack/core';
import { EPB_DIR_INBOUND, EPB_DIR_OUTBOUND, EPB_RECV_BROADCAST, EPB_RECV_MULTICAST, EPB_RECV_PROMISCUOUS, EPB_RECV_UNICAST } from '../file/pcapng-format.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from '../file/linktype.js';
import { PcapWriter } from '../file/pcap-writer.js';
import { PcapngWriter } from '../file/pcapng-writer.js';
import { SOCK_DGRAM } from './constants.js';
import type { PacketSocket } from './packet-socket.js';
import { newPacketRecord, type PacketRecord } from './record.js';

/** `epb_flags` for a packet type: direction and reception type. */
export function pktTypeToEpbFlags(pktType: number): number {
  switch (pktType) {
    case PACKET_HOST:
      return EPB_DIR_INBOUND | EPB_RECV_UNICAST;
    case PACKET_BROADCAST:
      return EPB_DIR_INBOUND | EPB_RECV_BROADCAST;
    case PACKET_MULTICAST:
      return EPB_DIR_INBOUND | EPB_RECV_MULTICAST;
    case PACKET_OTHERHOST:
      return EPB_DIR_INBOUND | EPB_RECV_PROMISCUOUS;
    case PACKET_OUTGOING:
      return EPB_DIR_OUTBOUND;
    default:
      return 0;
  }
}

/** Length of the Linux cooked (SLL) header. */
export const SLL_HDR_LEN = 16;

export interface PacketCaptureOptions {
  /** Nanoseconds added to the World's clock for the file's epoch times (default 0). */
  epochOffsetNs?: number | bigint;
}

export class PacketCapture {
  /** Packets written. */
  count = 0;
  readonly linktype: number;
  private readonly rec: PacketRecord = newPacketRecord();
  private readonly scratch = new Uint8Array(65536 + 1024);
  private readonly offSec: number;
  private readonly offNsec: number;
  private readonly ifaces = new Map<number, number>();

  constructor(
    readonly sock: PacketSocket,
    readonly writer: PcapWriter | PcapngWriter,
    options: PacketCaptureOptions = {},
  ) {
    this.linktype = sock.type === SOCK_DGRAM ? LINKTYPE_LINUX_SLL : LINKTYPE_ETHERNET;
    if (writer instanceof PcapWriter && writer.linktype !== this.linktype) {
      throw new NetError('EINVAL', `a ${sock.type === SOCK_DGRAM ? 'SOCK_DGRAM' : 'SOCK_RAW'} capture needs link type ${this.linktype}, the pcap file has ${writer.linktype}`);
    }
    const off = BigInt(options.epochOffsetNs ?? 0);
    this.offSec = Number(off / 1_000_000_000n);
    this.offNsec = Number(off % 1_000_000_000n);
  }

  /** Write every queued packet; returns how many. */
  drain(): number {
    let n = 0;
    const rec = this.rec;
    const buf = this.scratch;
    while (this.sock.queued > 0) {
      const len = this.sock.recvInto(buf, SLL_HDR_LEN + 4, rec);
      let from = SLL_HDR_LEN + 4;
      let caplen = len;
      let origlen = rec.origlen;
      if (this.linktype === LINKTYPE_LINUX_SLL) {
        from -= SLL_HDR_LEN;
        this.sllHeader(from, rec);
        caplen += SLL_HDR_LEN;
        origlen += SLL_HDR_LEN;
      } else if (rec.vlanTpid !== 0 && len >= 2 * 6) {
        // libpcap's VLAN reinsertion: addresses, the tag, then the rest.
        buf.copyWithin(from - 4, from, from + 12);
        from -= 4;
        buf[from + 12] = rec.vlanTpid >>> 8;
        buf[from + 13] = rec.vlanTpid & 0xff;
        buf[from + 14] = rec.vlanTci >>> 8;
        buf[from + 15] = rec.vlanTci & 0xff;
        caplen += 4;
        origlen += 4;
      }
      let sec = Math.floor(rec.tstampNs / 1e9) + this.offSec;
      let nsec = (rec.tstampNs % 1e9) + this.offNsec;
      if (nsec >= 1e9) {
        nsec -= 1e9;
        sec++;
      }
      const w = this.writer;
      if (w instanceof PcapWriter) w.writeFrom(buf, from, caplen, sec, nsec, origlen);
      else w.writeFrom(this.iface(w, rec.ifindex), buf, from, caplen, sec, nsec, origlen, pktTypeToEpbFlags(rec.pkttype));
      n++;
    }
    this.count += n;
    return n;
  }

  /** Write packets as they arrive (takes over `onReadable`); `stop()` ends it. */
  follow(): void {
    this.sock.onReadable = () => {
      this.drain();
    };
  }

  stop(): void {
    this.sock.onReadable = null;
  }

  private iface(w: PcapngWriter, ifindex: number): number {
    let id = this.ifaces.get(ifindex);
    if (id === undefined) {
      const dev = this.sock.ns.devByIndex(ifindex);
      // The snap length of the file counts the cooked header or the restored VLAN tag too.
      const snaplen = this.sock.snaplen === 0 ? 0 : this.sock.snaplen + (this.linktype === LINKTYPE_LINUX_SLL ? SLL_HDR_LEN : 4);
      id = w.addInterface({ linktype: this.linktype, name: dev?.name ?? `if${ifindex}`, tsresol: 9, snaplen });
      this.ifaces.set(ifindex, id);
    }
    return id;
  }

  /** `struct sll_header`: packet type, ARPHRD type, address length, address (8), protocol. */
  private sllHeader(at: number, rec: PacketRecord): void {
    const b = this.scratch;
    b[at] = 0;
    b[at + 1] = rec.pkttype;
    b[at + 2] = rec.hatype >>> 8;
    b[at + 3] = rec.hatype & 0xff;
    b[at + 4] = 0;
    b[at + 5] = rec.halen;
    for (let i = 0; i < 8; i++) b[at + 6 + i] = rec.addr[i]!;
    b[at + 14] = rec.protocol >>> 8;
    b[at + 15] = rec.protocol & 0xff;
  }
}
