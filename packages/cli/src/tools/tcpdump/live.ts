/**
 * `tcpdump -i IFACE` in a lab namespace, as libpcap does it on Linux: an AF_PACKET socket
 * (SOCK_RAW, ETH_P_ALL) bound to the device (or to none for `any`), promiscuous unless -p, the
 * VLAN tag put back into each frame from the auxiliary data, the filter run on what libpcap would
 * hand tcpdump, outgoing copies on the loopback device skipped (`linux_check_direction`), -Q.
 * `any` gives Linux cooked v2 (LINUX_SLL2) records built from the `sockaddr_ll` of each packet.
 * Time is the lab's virtual clock: a capture in the foreground lets time pass (up to --duration
 * seconds, or until -c packets); a background one (a lab setup line ending in `&`) sees what the
 * following setup commands send and ends when the setup finishes. Then the statistics, as
 * tcpdump prints them on stderr.
 */
import { ARPHRD_LOOPBACK, ETH_P_ALL, NSEC_PER_SEC, PACKET_OUTGOING, type NetDevice, type NetNamespace } from '@netstack/core';
import {
  LINKTYPE_ETHERNET,
  PACKET_MR_PROMISC,
  PacketSocket,
  SOCK_RAW,
  newPacketRecord,
  packetSocket,
  pktTypeToEpbFlags,
  type PacketRecord,
} from '@netstack/packet-socket';
import { MAXIMUM_SNAPLEN, tcpdumpError, type TcpdumpArgs } from './args.js';
import { LINKTYPE_LINUX_SLL2, SLL2_HDR_LEN } from './cooked.js';
import { packetFilter, type PacketFilter } from './filter.js';
import { linktypeByName, linktypeText } from './linktypes.js';
import type { TcpdumpOutput } from './offline.js';
import { LineBuffer, TcpdumpPrinter } from './printing.js';
import { Savefile } from './savefile.js';

/** Room in front of each frame: the cooked v2 header replaces the 14-byte Ethernet header there. */
const HEADROOM = 32;

/** The device `tcpdump` without -i picks (`pcap_lookupdev`): the first one up that is not a loopback. */
function defaultDevice(ns: NetNamespace): NetDevice | null {
  const devs = ns.devices;
  return devs.find((d) => d.isUp && d.type !== ARPHRD_LOOPBACK) ?? devs.find((d) => d.type !== ARPHRD_LOOPBACK) ?? null;
}

export class LiveCapture {
  readonly linktype: number;
  readonly snaplen: number;
  readonly device: NetDevice | null;
  readonly deviceName: string;
  /** Packets tcpdump processed (printed or written). */
  captured = 0;
  /** Packets the filter accepted (what the kernel counts in tp_packets when the filter runs there). */
  private passed = 0;
  private done = false;
  private failure: string | null = null;
  private sock: PacketSocket | null = null;
  private readonly filter: PacketFilter | null;
  private readonly printer: TcpdumpPrinter | null;
  private readonly save: Savefile | null;
  private readonly lines: LineBuffer;
  private readonly rec: PacketRecord = newPacketRecord();
  /** One frame at a time, up to libpcap's largest snap length (TSO frames included). */
  private readonly buf = new Uint8Array(HEADROOM + MAXIMUM_SNAPLEN + 64);

  constructor(
    readonly ns: NetNamespace,
    private readonly a: TcpdumpArgs,
    expr: string,
    private readonly io: TcpdumpOutput,
  ) {
    const name = a.iface ?? defaultDevice(ns)?.name ?? null;
    if (name === null) throw tcpdumpError('no suitable device found');
    if (name === 'any') {
      this.device = null;
    } else {
      const dev = ns.devices.find((d) => d.name === name);
      if (dev === undefined) throw tcpdumpError(`${name}: No such device exists\n(No such device exists)`);
      if (!dev.isUp) throw tcpdumpError(`${name}: That device is not up`);
      this.device = dev;
    }
    this.deviceName = name;
    this.linktype = this.device === null ? LINKTYPE_LINUX_SLL2 : LINKTYPE_ETHERNET;
    if (a.linktype !== null) {
      const lt = linktypeByName(a.linktype);
      if (lt < 0) throw tcpdumpError(`invalid data link type ${a.linktype}`);
      if (lt !== this.linktype) throw tcpdumpError(`${a.linktype} is not one of the DLTs supported by this device`);
    }
    this.snaplen = a.snaplen ?? MAXIMUM_SNAPLEN;
    // The filter is compiled for Ethernet and run on the Ethernet frame (the tag put back), so
    // `any` filters as a bound device would.
    this.filter = packetFilter(expr, this.snaplen, a.optimize);
    const ifname = (ifindex: number): string | null => ns.devByIndex(ifindex)?.name ?? null;
    // The lab's clock starts at the epoch: its times print in UTC, the same on every machine.
    this.printer = a.writeFile === null || a.print ? new TcpdumpPrinter({ ...a.printOptions, timeZone: 'utc' }, a.number, ifname) : null;
    this.save =
      a.writeFile !== null
        ? new Savefile(a.writeFile, { linktype: this.linktype, snaplen: this.snaplen, nano: a.printOptions.nano === true, ifname: (i) => ifname(i) ?? `if${i}` })
        : null;
    this.lines = new LineBuffer((t) => io.out(t));
  }

  /** Open the socket and print what tcpdump prints when it starts listening. */
  start(): void {
    const { ns, a } = this;
    // AF_PACKET is always there on Linux: load it into the namespace on first use (request_module).
    if (!ns.hasPlugin('packet-socket')) ns.use(packetSocket());
    const sock = new PacketSocket(ns, SOCK_RAW, ETH_P_ALL);
    this.sock = sock;
    if (this.device !== null) {
      sock.bind(this.device);
      if (a.promisc) sock.addMembership({ ifindex: this.device.ifindex, type: PACKET_MR_PROMISC });
    }
    if (a.bufferKiB !== null) sock.setRcvbuf(a.bufferKiB * 1024);
    if (a.direction === 'in') sock.setIgnoreOutgoing(true);
    sock.onReadable = () => this.drain();
    sock.onError = () => {
      const e = sock.takeError();
      if (e !== null) this.fail(e === 'ENETDOWN' ? 'The interface went down' : e);
    };
    let banner = '';
    if (this.device === null || a.linktype !== null) banner += `tcpdump: data link type ${this.device === null ? 'LINUX_SLL2' : a.linktype}\n`;
    banner += (a.printOptions.verbose ?? 0) === 0 && a.writeFile === null ? 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' : 'tcpdump: ';
    banner += `listening on ${this.deviceName}, ${linktypeText(this.linktype)}, snapshot length ${this.snaplen} bytes\n`;
    this.io.err(banner);
  }

  /** Let the lab's virtual time run until -c packets were captured or `durationS` passed. */
  runForeground(durationS: number): void {
    const world = this.ns.world;
    const end = world.scheduler.now() + Math.round(durationS * NSEC_PER_SEC);
    world.drain();
    // Without -c nothing ends it early: one run. With -c, 1 ms steps, to stop soon after the last.
    const stepMs = this.a.count === null ? Infinity : 1;
    while (!this.done) {
      const left = end - world.scheduler.now();
      if (left <= 0) break;
      world.runFor(Math.min(stepMs, left / 1e6));
    }
  }

  /**
   * Stop: close the socket, then the statistics. `interrupted` when the capture did not end by
   * itself (duration over, or the lab setup finished): tcpdump then first ends the line on stdout,
   * as after ^C. Returns the exit status.
   */
  finish(): number {
    const interrupted = !this.done && this.failure === null;
    const sock = this.sock;
    let drops = 0;
    if (sock !== null && !sock.closed) {
      if (!this.done) this.drain();
      drops = sock.getStatistics().tpDrops;
      sock.close();
    }
    this.lines.flush();
    this.save?.close();
    let status = 0;
    if (this.failure !== null) {
      this.io.err(`tcpdump: pcap_loop: ${this.failure}\n`);
      status = 1;
    } else if (interrupted) {
      this.io.out('\n');
    }
    const plural = (n: number): string => (n === 1 ? '' : 's');
    const recv = this.passed + drops;
    this.io.err(
      `${this.captured} packet${plural(this.captured)} captured\n` +
        `${recv} packet${plural(recv)} received by filter\n` +
        `${drops} packet${plural(drops)} dropped by kernel\n`,
    );
    return status;
  }

  private fail(message: string): void {
    this.failure ??= message;
    this.done = true;
    if (this.sock !== null) this.sock.onReadable = null;
  }

  /** Take every queued packet: direction, VLAN tag, filter, -c, then print and/or write. */
  private drain(): void {
    const sock = this.sock!;
    const rec = this.rec;
    while (!this.done && sock.queued > 0) {
      let len: number;
      try {
        len = sock.recvInto(this.buf, HEADROOM, rec);
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
        return;
      }
      this.handle(rec, len);
    }
  }

  private handle(rec: PacketRecord, len: number): void {
    const b = this.buf;
    let from = HEADROOM;
    let caplen = len;
    let origlen = rec.origlen;
    // libpcap's VLAN reinsertion (the tag from tpacket_auxdata), Ethernet only.
    if (rec.vlanTpid !== 0 && this.linktype === LINKTYPE_ETHERNET && len >= 12) {
      b.copyWithin(from - 4, from, from + 12);
      from -= 4;
      b[from + 12] = rec.vlanTpid >>> 8;
      b[from + 13] = rec.vlanTpid & 0xff;
      b[from + 14] = rec.vlanTci >>> 8;
      b[from + 15] = rec.vlanTci & 0xff;
      caplen += 4;
      origlen += 4;
    }
    if (this.filter !== null && !this.filter.matches(b, from, caplen, origlen)) return;
    this.passed++;
    // linux_check_direction: outgoing copies on lo come back as incoming ones; -Q.
    const outgoing = rec.pkttype === PACKET_OUTGOING;
    if (outgoing && this.ns.devByIndex(rec.ifindex)?.type === ARPHRD_LOOPBACK) return;
    if ((outgoing && this.a.direction === 'in') || (!outgoing && this.a.direction === 'out')) return;
    if (this.linktype === LINKTYPE_LINUX_SLL2) {
      if (caplen < 14) return;
      // The cooked v2 header in place of the Ethernet header: protocol, reserved, ifindex,
      // hatype, pkttype, halen, address (8).
      const h = from + 14 - SLL2_HDR_LEN;
      b[h] = rec.protocol >>> 8;
      b[h + 1] = rec.protocol & 0xff;
      b[h + 2] = 0;
      b[h + 3] = 0;
      b[h + 4] = rec.ifindex >>> 24;
      b[h + 5] = (rec.ifindex >>> 16) & 0xff;
      b[h + 6] = (rec.ifindex >>> 8) & 0xff;
      b[h + 7] = rec.ifindex & 0xff;
      b[h + 8] = rec.hatype >>> 8;
      b[h + 9] = rec.hatype & 0xff;
      b[h + 10] = rec.pkttype;
      b[h + 11] = rec.halen;
      b.set(rec.addr.subarray(0, 8), h + 12);
      from = h;
      caplen += SLL2_HDR_LEN - 14;
      origlen += SLL2_HDR_LEN - 14;
    }
    if (caplen > this.snaplen) caplen = this.snaplen;
    const sec = Math.floor(rec.tstampNs / NSEC_PER_SEC);
    const nsec = rec.tstampNs - sec * NSEC_PER_SEC;
    this.save?.writePacket(b, from, caplen, origlen, sec, nsec, rec.ifindex, pktTypeToEpbFlags(rec.pkttype));
    if (this.printer !== null) this.lines.line(this.printer.print(this.linktype, b, from, caplen, origlen, sec, nsec));
    this.captured++;
    if (this.a.count !== null && this.captured >= this.a.count) {
      this.done = true;
      this.sock!.onReadable = null;
    }
  }
}
