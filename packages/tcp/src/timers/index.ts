/** Per-socket TCP timers (retransmit/probe0/TLP/RACK multiplexed, delayed ACK, keepalive, TIME_WAIT/linger). */
export * from './timer-constants.js';
export * from './timer-owner.js';
export { tcpTimeWaitTimeoMs, tcpTwskUnique, tcpTwReuseWriteSeq } from './time-wait.js';
export * from './tcp-timers.js';
