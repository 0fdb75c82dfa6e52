/**
 * @netstack/packet-socket — capture as tcpdump does it: AF_PACKET
 * sockets, pcap/pcapng files, the pcap-filter language compiled to classic BPF, and tcpdump's
 * text output.
 */
export { compileFilter, formatBpf, PcapFilterError } from './filter/index.js';
export type { CompileFilterOptions, FilterErrorKind, HostResolver } from './filter/index.js';
export * from './print/index.js';
export * from './file/index.js';
export * from './socket/index.js';
export { packetSocket } from './plugin.js';
