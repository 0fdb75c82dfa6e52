/**
 * A request sock (`struct tcp_request_sock`, state TCP_NEW_SYN_RECV): what a listener remembers
 * of a SYN it answered, hashed in the established table until the handshake's ACK makes a
 * child socket of it, or its SYN-ACK retransmissions (`tcp_synack_retries`, 1 s doubling) run out.
 */
import { inetAddrWords, type InetAddrWords, type NetworkProtocol, type Timer } from '@netstack/core';
import type { TcpSock } from '../sock/tcp-sock.js';

export class RequestSock {
  readonly kind = 'request' as const;
  readonly saddr: InetAddrWords = inetAddrWords();
  readonly daddr: InetAddrWords = inetAddrWords();
  sport = 0;
  dport = 0;
  /** The peer's ISN (`rcv_isn`) and ours (`snt_isn`). */
  rcvIsn = 0;
  sntIsn = 0;
  /** `tcp_rsk(req)->rcv_nxt`: what our SYN-ACK acknowledges (past the SYN's data under Fast Open). */
  rcvNxt = 0;
  /** The peer's MSS option (0: none), window (unscaled), options and our window choice. */
  mss = 0;
  sndWindow = 0;
  wscaleOk = false;
  sndWscale = 0;
  rcvWscale = 0;
  rcvWnd = 0;
  windowClamp = 0;
  sackOk = false;
  tstampOk = false;
  tsRecent = 0;
  tsOff = 0;
  ecnOk = false;
  /** SYN-ACKs retransmitted (`num_timeout`), and whether the final ACK came but found no room (`acked`). */
  numTimeout = 0;
  acked = false;
  ehEntry = -1;
  dif = 0;
  timer: Timer | null = null;
  /** Time (µs) of the first SYN-ACK, for the handshake's RTT sample. */
  synackStampUs = 0;
  lastOowAckMs = 0;

  constructor(
    readonly listener: TcpSock,
    readonly l3: NetworkProtocol,
  ) {}
}
