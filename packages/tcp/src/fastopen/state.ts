/**
 * Fast Open state: per socket (the `tcp_sock` / `fastopen_queue` fields Linux keeps for TFO) and
 * per namespace (`net->ipv4.tcp_fastopen_ctx`, the tcp_metrics cookie cache, and the active-side
 * blackhole state `tfo_active_disable_stamp` / `tfo_active_disable_times`).
 */
import type { NetNamespace, SysctlEntry } from '@netstack/core';
import type { TcpConf } from '../config/index.js';
import { FastopenCookie, TcpFastopenCache } from './client-cache.js';
import { TcpFastopenContext, formatFastopenKeys, parseFastopenKeys } from './cookie.js';
import { TCP_FASTOPEN_KEY_LENGTH } from './constants.js';

/** What one socket knows of Fast Open. */
export class TcpFastopenSock {
  // ---- active side ----------------------------------------------------------------------
  /** TCP_FASTOPEN_CONNECT (`tp->fastopen_connect`) and TCP_FASTOPEN_NO_COOKIE (`fastopen_no_cookie`). */
  connect = false;
  noCookie = false;
  /** A `tcp_fastopen_request` is pending: the next SYN may carry the option (and `data`). */
  req = false;
  /** The request's cookie: −1 none, 0 a request, > 0 the cached cookie. */
  readonly cookie = new FastopenCookie();
  /** The request's data (MSG_FASTOPEN / the first write after a deferred connect) and how much went in the SYN. */
  data: Uint8Array | null = null;
  dataOff = 0;
  dataLen = 0;
  copied = 0;
  /** DEFER_CONNECT: connect() sent nothing; the first write sends SYN + data. */
  deferConnect = false;
  /** `syn_fastopen`: our SYN carried the option; `syn_fastopen_exp` in the experimental form; `syn_fastopen_ch`: blackhole check pending. */
  synFastopen = false;
  synFastopenExp = false;
  synFastopenCh = false;
  /** `syn_data`: our SYN carried data; `syn_data_acked`: the SYN-ACK acknowledged it. */
  synData = false;
  synDataAcked = false;
  /** `tcpi_fastopen_client_fail` (TFO_*). */
  clientFail = 0;

  // ---- listener ---------------------------------------------------------------------------
  /** `fastopenq.max_qlen` (0: TFO off on this listener) and `qlen` (children before their handshake ended). */
  maxQlen = 0;
  qlen = 0;
  /** TCP_FASTOPEN_KEY: the listener's own keys (null: the namespace's). */
  ctx: TcpFastopenContext | null = null;

  // ---- passive child ------------------------------------------------------------------------
  /** `fastopen_rsk`: set while a child made at the SYN waits for the handshake's end; its listener. */
  rskListener: { readonly fastopen: TcpFastopenSock } | null = null;
}

/** One namespace's Fast Open: server keys, client cookie cache, blackhole state. */
export class TcpFastopenNet {
  /** `net->ipv4.tcp_fastopen_ctx`: null until a key is set or first needed. */
  ctx: TcpFastopenContext | null = null;
  readonly cache = new TcpFastopenCache();
  /** `tfo_active_disable_stamp` (ms) and `tfo_active_disable_times`. */
  activeDisableStampMs = 0;
  activeDisableTimes = 0;
  private readonly keyEntry: SysctlEntry<string>;

  constructor(
    private readonly ns: NetNamespace,
    private readonly conf: TcpConf,
  ) {
    // proc_tcp_fastopen_key: a write installs the keys (even zeros); TcpConf keeps the text.
    this.keyEntry = ns.sysctl.entry('net.ipv4.tcp_fastopen_key') as unknown as SysctlEntry<string>;
    const prev = this.keyEntry.spec.onChange;
    this.keyEntry.spec.onChange = (v: string): void => {
      prev?.(v);
      this.ctx = new TcpFastopenContext(parseFastopenKeys(conf.fastopenKey));
    };
  }

  /** `tcp_fastopen_init_key_once`: a random key when none was set; the sysctl then reads it back. */
  initKeyOnce(): void {
    if (this.ctx !== null) return;
    const key = new Uint8Array(TCP_FASTOPEN_KEY_LENGTH);
    const dv = new DataView(key.buffer);
    for (let i = 0; i < 4; i++) dv.setUint32(4 * i, this.ns.random.u32(), true);
    this.ctx = new TcpFastopenContext([key]);
    const text = formatFastopenKeys(this.ctx.keys);
    this.conf.fastopenKey = text;
    this.keyEntry.value = text;
  }
}
