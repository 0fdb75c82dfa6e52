/**
 * TCP's receive path inside the socket (issue #4): sequence arithmetic, the TCP control block
 * layout in `skb.cb`, the out-of-order queue with SACK/D-SACK, the receive window with DRS
 * autotuning, and `TcpReceiver`, which ties them together as `tcp_data_queue` does.
 */
export * from './seq.js';
export * from './cb.js';
export * from './sack.js';
export * from './ofo-queue.js';
export * from './rcv-window.js';
export * from './receiver.js';
