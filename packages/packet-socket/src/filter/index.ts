/**
 * The pcap-filter language (man pcap-filter) compiled to classic BPF the way libpcap 1.10 does
 * it, so `formatBpf(compileFilter(expr))` matches `tcpdump -d -y EN10MB expr` line for line.
 */
export { compileFilter, type CompileFilterOptions } from './compile.js';
export { formatBpf, bpfImage } from './format.js';
export { PcapFilterError, type FilterErrorKind } from './errors.js';
export type { HostResolver } from './gencode/codes.js';
