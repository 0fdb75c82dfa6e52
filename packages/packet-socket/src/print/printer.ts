/**
 * `createPrinter(opts)`: tcpdump 4.99's text for one captured frame at a time
 * (`pretty_print_packet`): the timestamp, the dissector chain from Ethernet down, the
 * truncation marker when the capture ends early, then the -x/-X dump. One printer keeps the
 * state tcpdump keeps across packets (TCP conversations, the -ttt reference time), bounded.
 */
import { NetError } from '@netstack/core';
import { PrintContext, TRUNCATED } from './context.js';
import { etherPrint } from './ether.js';
import { hexAsciiPrint, hexPrint } from './hexdump.js';
import { normalizeOptions, type PrintOptions } from './options.js';
import { TimestampFormatter } from './timestamp.js';

/** LINKTYPE_ETHERNET, the only link type printed. */
export const LINKTYPE_ETHERNET = 1;
/** libpcap's MAXIMUM_SNAPLEN. */
const MAXIMUM_SNAPLEN = 262144;

export interface PrintPacket {
  /** The captured bytes (at least `caplen` of them from `offset`). */
  readonly data?: Uint8Array;
  /** Where the frame starts in `data` (default 0). */
  readonly offset?: number;
  /**
   * Instead of `data`/`offset`: the buffer holding the frame and where it starts, as the file
   * module's `CaptureRecord` carries them (so a reused record prints without a view per packet).
   */
  readonly buf?: Uint8Array;
  readonly dataOffset?: number;
  /** Bytes captured (default: the rest of `data`). */
  readonly caplen?: number;
  /** Length on the wire (default `caplen`). */
  readonly origlen?: number;
  /** Timestamp: whole seconds since the epoch and nanoseconds, or `timestampNs`. */
  readonly tsSec?: number;
  readonly tsNsec?: number;
  readonly timestampNs?: bigint;
  /** Link type (default and only supported: 1, Ethernet). */
  readonly linktype?: number;
}

/** Where `printTo` writes: one call per packet, the text with its trailing newline. */
export type PrintSink = (text: string) => void;

export interface Printer {
  /** The line(s) tcpdump prints for the packet, without the final newline. */
  print(pkt: PrintPacket): string;
  /** Write the packet's text and a newline to the sink given to `printTo`. */
  printTo(sink: PrintSink): (pkt: PrintPacket) => void;
  /** Forget TCP conversations and the -ttt/-ttttt reference time (a new capture). */
  reset(): void;
  /**
   * True when the last packet printed reached a protocol tcpdump 4.99 decodes but this printer
   * does not (see ETHERTYPES_NOT_DECODED and friends): its text differs from tcpdump's there.
   */
  readonly undecoded: boolean;
}

export function createPrinter(opts: PrintOptions = {}): Printer {
  const o = normalizeOptions(opts);
  const ctx = new PrintContext(o);
  const ts = new TimestampFormatter(o);

  function print(pkt: PrintPacket): string {
    if ((pkt.linktype ?? LINKTYPE_ETHERNET) !== LINKTYPE_ETHERNET) {
      throw new NetError('EINVAL', `link type ${pkt.linktype} is not supported (only 1, Ethernet)`);
    }
    ctx.undecoded = false;
    const bytes = pkt.buf ?? pkt.data;
    if (bytes === undefined) throw new NetError('EINVAL', 'a packet needs data (or buf)');
    const base = (pkt.buf !== undefined ? pkt.dataOffset : pkt.offset) ?? 0;
    const caplen = pkt.caplen ?? bytes.length - base;
    const len = pkt.origlen ?? caplen;
    if (caplen < 0 || base < 0 || base + caplen > bytes.length) throw new NetError('EINVAL', 'caplen exceeds the buffer');
    let bad = '';
    if (caplen === 0) bad = ' caplen==0';
    if (len === 0) bad += bad ? ', len==0' : ' len==0';
    else if (len < caplen) bad += (bad ? ',' : '') + ' len(' + len + ') < caplen(' + caplen + ')';
    if (caplen > MAXIMUM_SNAPLEN) bad += (bad ? ',' : '') + ' caplen(' + caplen + ') > ' + MAXIMUM_SNAPLEN;
    if (len > MAXIMUM_SNAPLEN) bad += (bad ? ',' : '') + ' len(' + len + ') > ' + MAXIMUM_SNAPLEN;
    if (bad) return '[Invalid header:' + bad + ']';

    let sec: number;
    let nsec: number;
    if (pkt.timestampNs !== undefined) {
      sec = Number(pkt.timestampNs / 1_000_000_000n);
      nsec = Number(pkt.timestampNs % 1_000_000_000n);
    } else {
      sec = pkt.tsSec ?? 0;
      nsec = pkt.tsNsec ?? 0;
    }
    const prefix = ts.format(sec, nsec);
    ctx.reset(bytes, base, caplen);
    let hdrlen: number;
    try {
      ctx.protocol = 'ether';
      ctx.llHdrLen = etherPrint(ctx, base, len, caplen);
      hdrlen = ctx.llHdrLen;
    } catch (e) {
      if (e !== TRUNCATED) throw e;
      ctx.trunc();
      hdrlen = ctx.llHdrLen;
    }
    ctx.snapend = base + caplen;
    if (o.X > 0) {
      if (o.X > 1) hexAsciiPrint(ctx, '\n\t', base, caplen);
      else if (caplen > hdrlen) hexAsciiPrint(ctx, '\n\t', base + hdrlen, caplen - hdrlen);
    } else if (o.x > 0) {
      if (o.x > 1) hexPrint(ctx, '\n\t', base, caplen);
      else if (caplen > hdrlen) hexPrint(ctx, '\n\t', base + hdrlen, caplen - hdrlen);
    }
    return prefix + ctx.out;
  }

  return {
    print,
    printTo(sink: PrintSink) {
      return (pkt: PrintPacket) => sink(print(pkt) + '\n');
    },
    reset() {
      ctx.tcpSeqs.clear();
      ts.reset();
    },
    get undecoded() {
      return ctx.undecoded;
    },
  };
}
