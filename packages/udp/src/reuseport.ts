/**
 * SO_REUSEPORT groups (`struct sock_reuseport`, net/core/sock_reuseport.c): unconnected sockets
 * bound to the same address and port with SO_REUSEPORT set share the unicast load. A datagram
 * goes to the member picked by its flow hash (`reuseport_select_sock_by_hash`: reciprocal_scale
 * of the hash), so one flow always reaches the same socket while the group is unchanged.
 */
import { reciprocalScale } from './hash.js';

export class ReuseportGroup<S> {
  /** Members in join order, as `reuse->socks[]`. */
  readonly socks: S[] = [];

  add(sk: S): void {
    this.socks.push(sk);
  }

  /** `reuseport_detach_sock`: the last member takes the leaver's place, as the kernel does. */
  detach(sk: S): void {
    const i = this.socks.indexOf(sk);
    if (i < 0) return;
    const last = this.socks.pop()!;
    if (i < this.socks.length) this.socks[i] = last;
  }

  get size(): number {
    return this.socks.length;
  }

  /** The member for a flow hash. */
  select(hash: number): S {
    return this.socks[reciprocalScale(hash, this.socks.length)]!;
  }
}
