/**
 * One printer per capture, whatever the link type of each packet: Ethernet through
 * `@netstack/packet-socket`'s printer, Linux cooked v1/v2 through `CookedPrinter` on top of it,
 * `-#` numbering in front. Lines are batched (64 KiB) before they reach the tool's stdout.
 */
import { LINKTYPE_ETHERNET, createPrinter, type PrintOptions, type Printer } from '@netstack/packet-socket';
import { CookedPrinter, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from './cooked.js';

export function printable(linktype: number): boolean {
  return linktype === LINKTYPE_ETHERNET || linktype === LINKTYPE_LINUX_SLL || linktype === LINKTYPE_LINUX_SLL2;
}

export class TcpdumpPrinter {
  private ether: Printer | null = null;
  private readonly cooked = new Map<number, CookedPrinter>();
  private n = 0;

  private readonly opts: PrintOptions;

  constructor(
    opts: PrintOptions,
    private readonly number: boolean,
    private readonly ifname: (ifindex: number) => string | null,
  ) {
    // tcpdump remembers every TCP conversation for relative sequence numbers; the printer keeps a
    // bounded table (4096 by default): 65536 keeps it exact for all but huge captures (1.4 ms to set up).
    this.opts = { maxTcpFlows: 65536, ...opts };
  }

  /** The text of one packet (without the newline). The link type must be `printable`. */
  print(linktype: number, buf: Uint8Array, off: number, caplen: number, origlen: number, tsSec: number, tsNsec: number): string {
    let text: string;
    if (linktype === LINKTYPE_ETHERNET) {
      this.ether ??= createPrinter(this.opts);
      text = this.ether.print({ buf, dataOffset: off, caplen, origlen, tsSec, tsNsec });
    } else {
      let p = this.cooked.get(linktype);
      if (p === undefined) {
        p = new CookedPrinter(linktype as typeof LINKTYPE_LINUX_SLL, this.opts, this.ifname);
        this.cooked.set(linktype, p);
      }
      text = p.print({ buf, dataOffset: off, caplen, origlen, tsSec, tsNsec });
    }
    if (this.number) text = `${String(++this.n).padStart(5)}  ${text}`;
    return text;
  }
}

/** Text for stdout, written in 64 KiB pieces (and before anything goes to stderr, to keep the order). */
export class LineBuffer {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly write: (text: string) => void) {}

  line(text: string): void {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 65536) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
