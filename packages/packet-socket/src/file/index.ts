/** Capture files: pcap and pcapng readers (in memory and streaming) and writers. */
export { CaptureFileError, type CaptureFormat } from './errors.js';
export { CaptureRecord, OPT_COMMENT, OPT_ENDOFOPT, BLOCK_PCAP_RECORD, type PcapngOption } from './record.js';
export { TsResolution, timeNs, splitNs, type TimeParts, type U64Parts } from './timestamp.js';
export * from './linktype.js';
export { BufferSink, FileSink, type ByteSink } from './sink.js';
export {
  PcapReader,
  PcapParser,
  parsePcapHeader,
  PCAP_MAGIC_USEC,
  PCAP_MAGIC_NSEC,
  PCAP_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  PCAP_LINKTYPE_MASK,
  PCAP_FCS_VALID,
  type PcapHeader,
} from './pcap.js';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
export * from './pcapng-format.js';
export { PcapngReader, PcapngParser, type PcapngBlock } from './pcapng.js';
export { PcapngWriter, type PcapngSectionOptions, type PcapngInterfaceOptions, type PcapngPacketOptions } from './pcapng-writer.js';
export { CaptureStreamParser, readCaptureStream, detectCaptureFormat, type CaptureStreamHandlers, type CaptureStreamOptions } from './stream.js';
export { openCapture, type CaptureReader } from './capture.js';
