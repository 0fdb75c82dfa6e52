export { tcpSkbSentAfter } from './seq.js';
export * from './cb.js';
export * from './flags.js';
export * from './rtx-queue.js';
export * from './sock.js';
export * from './sack.js';
export * from './rack.js';
export * from './prr.js';
export * from './ack.js';
