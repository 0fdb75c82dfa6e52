/** Valid sample files for stream and fuzz tests, written by our writers. */
import { BufferSink } from '../sink.js';
import { PcapWriter } from '../pcap-writer.js';
import { PcapngWriter } from '../pcapng-writer.js';
import { samplePackets } from './samples.js';

export function samplePcap(n = 8, options: { nano?: boolean; littleEndian?: boolean } = {}): Uint8Array {
  const sink = new BufferSink();
  const w = new PcapWriter(sink, options);
  for (const p of samplePackets(n)) w.write(p.data, p.sec, p.nsec, p.origlen);
  return sink.bytes().slice();
}

export function samplePcapng(n = 8, littleEndian = true): Uint8Array {
  const sink = new BufferSink();
  const w = new PcapngWriter(sink, { littleEndian, userappl: 'netstack test' });
  w.addInterface({ name: 'eth0' });
  w.addInterface({ name: 'eth1', tsresol: 9, snaplen: 128 });
  samplePackets(n).forEach((p, i) => w.write(i % 2, p.data, p.sec, p.nsec + (i % 2), p.origlen, i % 3 === 0 ? { flags: 1, comments: [`packet ${i}`] } : undefined));
  w.writeSimple(samplePackets(1)[0]!.data);
  w.newSection({ littleEndian: !littleEndian });
  w.addInterface({ tsresol: 0x80 | 24 });
  w.write(0, samplePackets(2)[1]!.data, 5, 0);
  return sink.bytes().slice();
}
