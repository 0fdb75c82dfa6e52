import { NetError } from '../errors/net-error.js';
import type { World } from '../ns/world.js';
import { napiIdValid } from '../napi/napi-hash.js';

/**
 * The `struct sock` fields that net/core reads and writes for a transport's socket: the NAPI
 * its packets came from (busy poll), its flow hash and RX queue (RFS, XPS by RX queue), and the
 * TX queue `netdev_pick_tx` chose for it. TCP and UDP sockets each hold one as `sockCore`, so
 * core finds it from `skb.sk` without knowing the transport.
 */
export class SockCore {
  /** `sk_napi_id`: the NAPI of the last received packet (see `skMarkNapiId`); 0 = none. */
  napiId = 0;
  /** `sk_ll_usec` (SO_BUSY_POLL): µs to busy poll on a blocking read; starts at `net.core.busy_read`. */
  llUsec: number;
  /** `sk_prefer_busy_poll` (SO_PREFER_BUSY_POLL). */
  preferBusyPoll = false;
  /** `sk_busy_poll_budget` (SO_BUSY_POLL_BUDGET); 0 = BUSY_POLL_BUDGET. */
  busyPollBudget = 0;
  /** `sk_rxhash`: flow hash of received packets, what RFS records (`sock_rps_save_rxhash`). */
  rxhash = 0;
  /** `sk_rx_queue_mapping`: RX queue of the last packet (-1: none), for XPS by RX queue. */
  rxQueueMapping = -1;
  /** `sk_tx_queue_mapping`: the TX queue chosen for this flow (-1: none yet). */
  txQueueMapping = -1;
  /** The socket has a route cached (`sk_dst_cache`), so its TX queue choice may be remembered. */
  dstCached = false;

  constructor(
    readonly world: World,
    /** Whether the receive queue holds something (`sk_busy_loop_end`'s test). */
    readonly readable: () => boolean,
  ) {
    // sock_init_data: a new socket busy polls as long as net.core.busy_read says.
    this.llUsec = world.busyRead;
  }
}

/** What a socket given to core as `skb.sk` exposes (TCP's TcpSock, UDP's UdpSocket). */
export interface SockCoreOwner {
  readonly sockCore: SockCore;
}

/** The `struct sock` behind `skb.sk`, or null when the owner is not a transport socket. */
export function skbSockCore(sk: unknown): SockCore | null {
  if (sk === null || typeof sk !== 'object') return null;
  return (sk as Partial<SockCoreOwner>).sockCore ?? null;
}

/** SOL_SOCKET option numbers (asm-generic/socket.h). */
export const SO_BUSY_POLL = 46;
export const SO_INCOMING_NAPI_ID = 56;
export const SO_PREFER_BUSY_POLL = 69;
export const SO_BUSY_POLL_BUDGET = 70;

export type BusyPollSockOptName = 'SO_BUSY_POLL' | 'SO_PREFER_BUSY_POLL' | 'SO_BUSY_POLL_BUDGET' | 'SO_INCOMING_NAPI_ID';

function intValue(name: string, value: number | boolean): number {
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (!Number.isInteger(n) || n < -0x8000_0000 || n > 0x7fff_ffff) throw new NetError('EINVAL', `${name} ${String(value)}`);
  return n;
}

/**
 * `sk_setsockopt` for the busy-poll options (net/core/sock.c): SO_BUSY_POLL takes µs ≥ 0;
 * SO_PREFER_BUSY_POLL a boolean; SO_BUSY_POLL_BUDGET 0..65535. Raising the budget or preferring
 * busy poll needs CAP_NET_ADMIN, which the stack's user has (we run as root). SO_INCOMING_NAPI_ID
 * is read-only (ENOPROTOOPT, as `sk_setsockopt`'s default).
 */
export function busyPollSetsockopt(sk: SockCore, name: BusyPollSockOptName, value: number | boolean): void {
  const val = intValue(name, value);
  switch (name) {
    case 'SO_BUSY_POLL':
      if (val < 0) throw new NetError('EINVAL', `SO_BUSY_POLL ${val}`);
      sk.llUsec = val;
      return;
    case 'SO_PREFER_BUSY_POLL':
      sk.preferBusyPoll = val !== 0;
      return;
    case 'SO_BUSY_POLL_BUDGET':
      if (val < 0 || val > 0xffff) throw new NetError('EINVAL', `SO_BUSY_POLL_BUDGET ${val}`);
      sk.busyPollBudget = val;
      return;
    default:
      throw new NetError('ENOPROTOOPT', `option ${String(name)}`);
  }
}

/** `sk_getsockopt` for the same options; SO_INCOMING_NAPI_ID gives 0 for a non-NAPI id. */
export function busyPollGetsockopt(sk: SockCore, name: BusyPollSockOptName): number {
  switch (name) {
    case 'SO_BUSY_POLL':
      return sk.llUsec;
    case 'SO_PREFER_BUSY_POLL':
      return sk.preferBusyPoll ? 1 : 0;
    case 'SO_BUSY_POLL_BUDGET':
      return sk.busyPollBudget;
    case 'SO_INCOMING_NAPI_ID':
      return napiIdValid(sk.napiId) ? sk.napiId : 0;
    default:
      throw new NetError('ENOPROTOOPT', `option ${String(name)}`);
  }
}

/** Whether `name` is one of the options above (a transport's setsockopt switch delegates them). */
export function isBusyPollSockOpt(name: string): name is BusyPollSockOptName {
  return name === 'SO_BUSY_POLL' || name === 'SO_PREFER_BUSY_POLL' || name === 'SO_BUSY_POLL_BUDGET' || name === 'SO_INCOMING_NAPI_ID';
}
