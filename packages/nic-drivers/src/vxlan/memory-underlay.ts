import { Deferred, NetError, formatIPv4, type Scheduler } from '@netstack/core';
import type { VxlanUnderlay, VxlanUnderlayFactory, VxlanUnderlayHandlers, VxlanUnderlayOptions } from './underlay.js';

/** A datagram on the simulated underlay, as `VxlanUnderlayNetwork.captured` keeps it. */
export interface UnderlayDatagram {
  srcAddr: number;
  srcPort: number;
  dstAddr: number;
  dstPort: number;
  bytes: Uint8Array;
}

interface Endpoint {
  addr: number;
  port: number;
  handlers: VxlanUnderlayHandlers;
}

const endpointKey = (addr: number, port: number): number => addr * 0x1_0000 + port;

/**
 * A simulated IP network for VXLAN devices in virtual time: each device binds `local:dstport`
 * here, and datagrams are delivered in send order at the same instant, after the sender's work
 * (one deferred item, like a softirq). Deterministic: no wall clock, no sockets. Datagrams to an
 * address nobody bound are lost and counted in `undelivered`.
 */
export class VxlanUnderlayNetwork {
  /** Every datagram sent, when constructed with `capture: true`. */
  readonly captured: UnderlayDatagram[] = [];
  undelivered = 0;
  private readonly endpoints = new Map<number, Endpoint>();
  private readonly queue: UnderlayDatagram[] = [];
  private readonly deliver = new Deferred('vxlan-underlay', () => this.flush());

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: { capture?: boolean } = {},
  ) {}

  /** The factory to give `createVxlan({ underlay })`. The device must set `local`. */
  readonly factory: VxlanUnderlayFactory = (opts) => this.bind(opts);

  private bind(opts: VxlanUnderlayOptions): VxlanUnderlay {
    if (opts.local === 0) throw new NetError('EINVAL', 'a VTEP on the simulated underlay needs a local address');
    const key = endpointKey(opts.local, opts.port);
    if (this.endpoints.has(key)) throw new NetError('EADDRINUSE', `${formatIPv4(opts.local)}:${opts.port} is bound`);
    const ep: Endpoint = { addr: opts.local, port: opts.port, handlers: opts.handlers };
    this.endpoints.set(key, ep);
    return {
      ready: Promise.resolve(),
      send: (buf, off, len, srcPort, dstAddr, dstPort) => {
        const d: UnderlayDatagram = { srcAddr: ep.addr, srcPort: srcPort === 0 ? ep.port : srcPort, dstAddr, dstPort, bytes: buf.slice(off, off + len) };
        if (this.options.capture === true) this.captured.push(d);
        this.queue.push(d);
        this.scheduler.defer(this.deliver);
      },
      close: () => {
        if (this.endpoints.get(key) === ep) this.endpoints.delete(key);
      },
    };
  }

  private flush(): void {
    // Bounded by what is queued now: datagrams sent while delivering wait for the next round.
    const n = this.queue.length;
    for (const d of this.queue.splice(0, n)) {
      const ep = this.endpoints.get(endpointKey(d.dstAddr, d.dstPort));
      if (ep === undefined) this.undelivered++;
      else ep.handlers.datagram(d.bytes, 0, d.bytes.length, d.srcAddr, d.srcPort);
    }
    if (this.queue.length > 0) this.scheduler.defer(this.deliver);
  }
}
