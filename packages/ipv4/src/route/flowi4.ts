import { RT_SCOPE_UNIVERSE } from '../fib/types.js';

/**
 * An output route request and its answer (`struct flowi4`): callers keep one and reuse it.
 * `saddr` is filled with the chosen source when it was 0.
 */
export class Flowi4 {
  daddr = 0;
  saddr = 0;
  oif = 0;
  /** The device a packet came in on, for lookups made on its behalf (0: locally generated). */
  iif = 0;
  tos = 0;
  mark = 0;
  proto = 0;
  sport = 0;
  dport = 0;
  scope = RT_SCOPE_UNIVERSE;

  reset(daddr: number, saddr: number, oif: number, tos: number, mark: number, proto: number): this {
    this.daddr = daddr >>> 0;
    this.saddr = saddr >>> 0;
    this.oif = oif;
    this.iif = 0;
    this.tos = tos;
    this.mark = mark;
    this.proto = proto;
    this.sport = 0;
    this.dport = 0;
    this.scope = RT_SCOPE_UNIVERSE;
    return this;
  }
}
