/**
 * What a qdisc may read of the socket that owns a packet. `skb.sk` is opaque to core (transports
 * own their socket classes and core imports none of them), so these accessors duck-type the few
 * fields the kernel's qdiscs read through `struct sock`:
 *
 * - `sk_pacing_rate` (bytes/s): TCP keeps it in `sk.tp.cc.sk_pacing_rate`, as CcSock names it;
 *   0 there means "never set", which the kernel spells ~0UL (no limit).
 * - `sk_pacing_status`: fq sets SK_PACING_FQ on the sockets it paces (`sk.tp.cc.sk_pacing_status`),
 *   telling TCP that the qdisc paces, so TCP need not.
 * - `sk_state`: listeners, TIME_WAIT and request sockets are not flows of their own
 *   (`sk_listener_or_tw`), nor are unconnected sockets (`sk_state == TCP_CLOSE`, UDP's
 *   `connected === false`): fq hashes their packets like orphans.
 */

/** `~0UL` as a pacing rate: no limit. */
export const PACING_RATE_UNLIMITED = Number.POSITIVE_INFINITY;
/** `enum sk_pacing`: SK_PACING_FQ. */
export const SK_PACING_FQ = 2;

/** TCP states (include/net/tcp_states.h) fq looks at. */
const TCP_TIME_WAIT = 6;
const TCP_CLOSE = 7;
const TCP_LISTEN = 10;
const TCP_NEW_SYN_RECV = 12;

interface PacingFields {
  sk_pacing_rate?: unknown;
  sk_pacing_status?: unknown;
}

function ccOf(sk: unknown): PacingFields | null {
  if (typeof sk !== 'object' || sk === null) return null;
  const tp = (sk as { tp?: unknown }).tp;
  if (typeof tp !== 'object' || tp === null) return null;
  const cc = (tp as { cc?: unknown }).cc;
  return typeof cc === 'object' && cc !== null ? (cc as PacingFields) : null;
}

/** `READ_ONCE(sk->sk_pacing_rate)` in bytes/s; PACING_RATE_UNLIMITED when the socket has none. */
export function sockPacingRate(sk: unknown): number {
  const cc = ccOf(sk);
  if (cc === null) return PACING_RATE_UNLIMITED;
  const rate = cc.sk_pacing_rate;
  return typeof rate === 'number' && rate > 0 ? rate : PACING_RATE_UNLIMITED;
}

/** `smp_store_release(&sk->sk_pacing_status, SK_PACING_FQ)`, for sockets that have the field. */
export function sockSetPacingFq(sk: unknown): void {
  const cc = ccOf(sk);
  if (cc !== null && typeof cc.sk_pacing_status === 'number' && cc.sk_pacing_status !== SK_PACING_FQ) cc.sk_pacing_status = SK_PACING_FQ;
}

/** How fq classifies a packet's socket. */
export const SOCK_FLOW = 0;
/** `!sk || sk_listener_or_tw(sk)`: hashed, and the packet is orphaned. */
export const SOCK_ORPHAN = 1;
/** `sk->sk_state == TCP_CLOSE` (unconnected datagram sockets): hashed, socket kept. */
export const SOCK_UNCONNECTED = 2;

export function sockFlowClass(sk: unknown): number {
  if (typeof sk !== 'object' || sk === null) return SOCK_ORPHAN;
  const state = (sk as { state?: unknown }).state;
  if (typeof state === 'number') {
    if (state === TCP_LISTEN || state === TCP_TIME_WAIT || state === TCP_NEW_SYN_RECV) return SOCK_ORPHAN;
    if (state === TCP_CLOSE) return SOCK_UNCONNECTED;
    return SOCK_FLOW;
  }
  if ((sk as { connected?: unknown }).connected === false) return SOCK_UNCONNECTED;
  return SOCK_FLOW;
}
