/**
 * `-w FILE`: pcapng when the name ends in `.pcapng`, pcap otherwise. Rewriting a file loses
 * nothing: pcap records are copied as read (the nanosecond magic whenever the input had a finer
 * resolution than µs, or with --nano), pcapng interfaces are described anew with nanosecond
 * timestamps and each packet keeps its options (flags, comments). tcpdump itself writes µs pcap
 * unless asked for --nano; netstack keeps what it read.
 */
import { PcapWriter, PcapngWriter, FileSink, type CaptureRecord, type PcapHeader, type PcapngInterface, type PcapngSection } from '@netstack/packet-socket';
import { tcpdumpError } from './args.js';
import { linktypeWords } from './linktypes.js';

export type SavefileFormat = 'pcap' | 'pcapng';

export function savefileFormat(path: string): SavefileFormat {
  return path.toLowerCase().endsWith('.pcapng') ? 'pcapng' : 'pcap';
}

/** What a new file needs to know about the packets it will hold. */
export interface SavefileSpec {
  linktype: number;
  snaplen: number;
  /** Nanosecond timestamps (pcap's magic); pcapng always gets ns. */
  nano: boolean;
  /** A pcap input's header, copied as it is (thiszone, sigfigs, byte order, FCS bits). */
  pcapHeader?: PcapHeader;
  /** Interface names for live captures on pcapng. */
  ifname?: (ifindex: number) => string;
}

function openSink(path: string): FileSink {
  try {
    return new FileSink(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (code ?? String(err));
    throw tcpdumpError(`${path}: ${why}`);
  }
}

export class Savefile {
  readonly format: SavefileFormat;
  private readonly sink: FileSink;
  private readonly pcap: PcapWriter | null = null;
  private readonly pcapng: PcapngWriter | null = null;
  /** pcapng: output interface id by `section:interface` of the input, or by live ifindex. */
  private readonly ifaces = new Map<string, number>();
  count = 0;

  constructor(
    readonly path: string,
    private readonly spec: SavefileSpec,
    /** The pcapng input's sections, for copying interface descriptions. */
    private readonly sections: readonly PcapngSection[] | null = null,
  ) {
    this.format = savefileFormat(path);
    this.sink = openSink(path);
    if (this.format === 'pcap') {
      const h = spec.pcapHeader;
      this.pcap = new PcapWriter(this.sink, h !== undefined ? { ...h, nano: spec.nano } : { linktype: spec.linktype, snaplen: spec.snaplen, nano: spec.nano });
    } else {
      this.pcapng = new PcapngWriter(this.sink, { userappl: 'netstack tcpdump' });
    }
  }

  /** A record read from a file, copied without loss. */
  writeRecord(rec: CaptureRecord): void {
    if (this.pcap !== null) {
      if (rec.linktype !== this.pcap.linktype) {
        const have = linktypeWords(this.pcap.linktype).name;
        throw tcpdumpError(`a packet of link-type ${linktypeWords(rec.linktype).name} cannot go into the pcap file ${this.path} of link-type ${have} (netstack: write .pcapng)`);
      }
      this.pcap.writeRecord(rec);
    } else {
      const w = this.pcapng!;
      const key = `${rec.sectionIndex}:${rec.interfaceId}`;
      let id = this.ifaces.get(key);
      if (id === undefined) {
        const ifc: PcapngInterface | undefined = this.sections?.[rec.sectionIndex]?.interfaces[rec.interfaceId];
        id = w.addInterface({
          linktype: rec.linktype,
          snaplen: ifc?.snaplen ?? this.spec.snaplen,
          ...(ifc?.name ? { name: ifc.name } : {}),
          ...(ifc?.description ? { description: ifc.description } : {}),
          ...(ifc !== undefined && ifc.fcsLen >= 0 ? { fcsLen: ifc.fcsLen } : {}),
          ...(ifc !== undefined && ifc.comments.length > 0 ? { comments: ifc.comments } : {}),
          tsresol: 9,
        });
        this.ifaces.set(key, id);
      }
      w.writeRecord(rec, id);
    }
    this.count++;
  }

  /** A packet from a live capture (`buf[off, off + caplen)`), seen on `ifindex`, with its epb_flags. */
  writePacket(buf: Uint8Array, off: number, caplen: number, origlen: number, tsSec: number, tsNsec: number, ifindex: number, flags: number): void {
    if (this.pcap !== null) {
      this.pcap.writeFrom(buf, off, caplen, tsSec, tsNsec, origlen);
    } else {
      const w = this.pcapng!;
      const key = `live:${ifindex}`;
      let id = this.ifaces.get(key);
      if (id === undefined) {
        const name = this.spec.ifname?.(ifindex);
        id = w.addInterface({ linktype: this.spec.linktype, snaplen: this.spec.snaplen, tsresol: 9, ...(name !== undefined ? { name } : {}) });
        this.ifaces.set(key, id);
      }
      w.writeFrom(id, buf, off, caplen, tsSec, tsNsec, origlen, flags);
    }
    this.count++;
  }

  close(): void {
    this.sink.close();
  }
}
