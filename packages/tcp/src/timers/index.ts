/** Per-socket TCP timers (retransmit/probe0/TLP/RACK multiplexed, delayed ACK, keepalive, TIME_WAIT/linger). */
export * from './tcp-timers.js';
