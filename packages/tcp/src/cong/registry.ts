/**
 * The per-namespace list of congestion-control modules (net/ipv4/tcp_cong.c: `tcp_cong_list`,
 * `tcp_register_congestion_control`, `tcp_unregister_congestion_control`, `tcp_ca_find`,
 * `tcp_set_default_congestion_control`, `tcp_get_available_congestion_control`,
 * `tcp_set_allowed_congestion_control`, `tcp_set_congestion_control`).
 *
 * One registry per namespace (no module-level state). `reno` is built in and registered first,
 * `cubic` next and is the default, so `available` reads "reno cubic" as on a stock kernel.
 */
import { NetError } from '@netstack/core';
import {
  type CcSock,
  type TcpCongestionOps,
  TCP_CA_NAME_MAX,
  TCP_CONG_NON_RESTRICTED,
  createReno,
  tcp_reinit_congestion_control,
} from './cong-ops.js';
import { createCubic } from './cubic.js';

export class CongestionControlRegistry {
  /** Registration order, as list_add_tail_rcu keeps tcp_cong_list. */
  private readonly list: TcpCongestionOps[] = [];
  private defaultOps: TcpCongestionOps;

  constructor() {
    this.register(createReno());
    const cubic = createCubic();
    this.register(cubic);
    this.defaultOps = cubic;
    cubic.flags |= TCP_CONG_NON_RESTRICTED;
  }

  /**
   * `tcp_register_congestion_control`: EINVAL when required ops are missing or the name is not
   * 1..15 characters, EEXIST when the name is taken.
   */
  register(ops: TcpCongestionOps): void {
    const name = ops.name;
    if (typeof name !== 'string' || name.length === 0 || name.length >= TCP_CA_NAME_MAX) {
      throw new NetError('EINVAL', `congestion control name must be 1..${TCP_CA_NAME_MAX - 1} characters`);
    }
    if (typeof ops.ssthresh !== 'function' || (typeof ops.cong_avoid !== 'function' && typeof ops.cong_control !== 'function')) {
      throw new NetError('EINVAL', `${name} does not implement required ops (ssthresh and cong_avoid or cong_control)`);
    }
    if (typeof ops.flags !== 'number') ops.flags = 0;
    if (this.find(name) !== undefined) throw new NetError('EEXIST', `${name} already registered`);
    this.list.push(ops);
  }

  /**
   * `tcp_unregister_congestion_control`: ENOENT when unknown; EBUSY for the built-in `reno` and
   * for the current default (the kernel holds a module reference on it, so rmmod fails).
   */
  unregister(name: string): void {
    const i = this.indexOf(name);
    if (i < 0) throw new NetError('ENOENT', `${name} is not registered`);
    const ops = this.list[i]!;
    if (name === 'reno') throw new NetError('EBUSY', 'reno is built in');
    if (ops === this.defaultOps) throw new NetError('EBUSY', `${name} is the default congestion control`);
    this.list.splice(i, 1);
  }

  /** `tcp_ca_find`. */
  find(name: string): TcpCongestionOps | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.list[i];
  }

  /** `net.ipv4.tcp_available_congestion_control`, in registration order. */
  get available(): string[] {
    return this.list.map((o) => o.name);
  }

  /** The sysctl's text: names separated by one space. */
  get availableText(): string {
    return this.available.join(' ');
  }

  /** `net.ipv4.tcp_allowed_congestion_control`: modules any user may pick with TCP_CONGESTION. */
  get allowed(): string[] {
    return this.list.filter((o) => (o.flags & TCP_CONG_NON_RESTRICTED) !== 0).map((o) => o.name);
  }

  /**
   * `tcp_set_allowed_congestion_control`: names separated by spaces; ENOENT (nothing changed) if
   * one is unknown. The default stays allowed.
   */
  setAllowed(names: string): void {
    const wanted = names.split(/\s+/).filter((n) => n.length > 0);
    for (const n of wanted) if (this.find(n) === undefined) throw new NetError('ENOENT', `${n} is not registered`);
    for (const o of this.list) o.flags &= ~TCP_CONG_NON_RESTRICTED;
    for (const n of wanted) this.find(n)!.flags |= TCP_CONG_NON_RESTRICTED;
    this.defaultOps.flags |= TCP_CONG_NON_RESTRICTED;
  }

  /** `net.ipv4.tcp_congestion_control`. */
  get default(): string {
    return this.defaultOps.name;
  }

  /** The default module, attached to new sockets (`tcp_assign_congestion_control`). */
  get defaultCongestionOps(): TcpCongestionOps {
    return this.defaultOps;
  }

  /** `tcp_set_default_congestion_control`: ENOENT when unknown; the default becomes allowed. */
  setDefault(name: string): void {
    const ops = this.find(name);
    if (ops === undefined) throw new NetError('ENOENT', `${name} is not registered`);
    this.defaultOps = ops;
    ops.flags |= TCP_CONG_NON_RESTRICTED;
  }

  /**
   * `tcp_set_congestion_control` (setsockopt TCP_CONGESTION): ENOENT when unknown, EPERM when the
   * module is not allowed and the caller lacks CAP_NET_ADMIN. Re-initialises the socket's module
   * (init runs now when `initNow`, i.e. the socket is neither closed nor listening).
   */
  setSockCongestion(sk: CcSock, name: string, capNetAdmin: boolean, initNow: boolean): void {
    const ops = this.find(name);
    if (ops === undefined) throw new NetError('ENOENT', `${name} is not registered`);
    if (sk.ca_ops === ops) return;
    if ((ops.flags & TCP_CONG_NON_RESTRICTED) === 0 && !capNetAdmin) {
      throw new NetError('EPERM', `${name} is not in net.ipv4.tcp_allowed_congestion_control`);
    }
    tcp_reinit_congestion_control(sk, ops, initNow);
  }

  /** `tcp_assign_congestion_control`: attach the default to a new socket (init runs at connect). */
  assign(sk: CcSock): void {
    sk.ca_ops = this.defaultOps;
    sk.ca = null;
    sk.ca_initialized = false;
  }

  private indexOf(name: string): number {
    for (let i = 0; i < this.list.length; i++) if (this.list[i]!.name === name) return i;
    return -1;
  }
}
