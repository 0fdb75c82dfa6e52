/**
 * tcpdump 4.99 text output: `createPrinter(opts).print(packet)` returns exactly what
 * `tcpdump -n -r` prints for an Ethernet frame under the same flags.
 */
export { createPrinter, type PrintPacket, type PrintSink, type Printer } from './printer.js';
export { optionsFromArgs, type PrintOptions } from './options.js';
export { ETHERTYPES_NOT_DECODED } from './ether.js';
export { IPPROTOS_NOT_DECODED } from './ip-demux.js';
export { UDP_PORTS_NOT_DECODED } from './udp.js';
export { TCP_PORTS_NOT_DECODED } from './tcp.js';
