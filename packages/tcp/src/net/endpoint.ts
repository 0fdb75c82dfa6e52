import type { RequestSock } from '../listen/request-sock.js';
import type { TcpSock } from '../sock/tcp-sock.js';

/**
 * What the established table holds: a full socket (ESTABLISHED .. TIME_WAIT; a TIME_WAIT socket
 * keeps only its addresses, sequence numbers and timer) or a request sock (`TCP_NEW_SYN_RECV`).
 * The table's kind tag (EH_FULL, EH_TIME_WAIT, EH_REQUEST) says which without a type check.
 */
export type TcpEndpoint = TcpSock | RequestSock;
