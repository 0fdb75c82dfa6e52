/** SYN cookies (net/ipv4/syncookies.c): cookie ISNs, the MSS table, timestamp-encoded options. */
export * from './syncookies.js';
