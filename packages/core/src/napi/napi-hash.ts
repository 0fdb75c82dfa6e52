import type { Napi } from './napi.js';
import type { SkBuff } from '../skb/skbuff.js';

/**
 * NAPI ids (net/core/dev.c `napi_hash_add`, include/net/busy_poll.h): every NAPI a driver adds
 * gets an id from a World-wide counter, so a socket can name the queue its packets came from
 * (`sk_napi_id`, SO_INCOMING_NAPI_ID) and busy poll can find that NAPI again (`napi_by_id`).
 * Ids below MIN_NAPI_ID are never NAPI ids: Linux keeps 1..NR_CPUS for `skb->sender_cpu`, which
 * shares the field. NR_CPUS is a build option; we take 8192, the x86_64 value of the distribution
 * kernels (Debian, Ubuntu, Fedora), so the first NAPI is 8193 as `SO_INCOMING_NAPI_ID` shows there.
 * The per-CPU backlog NAPIs get no id, as in Linux (`netif_rx` packets cannot be busy polled).
 */

/** CONFIG_NR_CPUS of the kernels we follow. */
export const NR_CPUS = 8192;
/** First valid NAPI id (`MIN_NAPI_ID`). */
export const MIN_NAPI_ID = NR_CPUS + 1;
const NAPI_ID_MAX = 0xffffffff;

/** `napi_id_valid`. */
export function napiIdValid(id: number): boolean {
  return id >= MIN_NAPI_ID;
}

/** The World's `napi_hash`: id → NAPI, and the generator (`napi_gen_id`). */
export class NapiHash {
  private gen = NR_CPUS;
  private readonly byId = new Map<number, Napi>();

  /** `napi_hash_add`: give `napi` the next free id (wrapping to MIN_NAPI_ID, skipping ids in use). */
  add(napi: Napi): number {
    if (napi.napiId !== 0) return napi.napiId;
    do {
      this.gen = this.gen >= NAPI_ID_MAX ? MIN_NAPI_ID : this.gen + 1;
    } while (this.byId.has(this.gen));
    napi.napiId = this.gen;
    this.byId.set(this.gen, napi);
    return this.gen;
  }

  /** `napi_hash_del`: the id is free again; the NAPI keeps no id. */
  del(napi: Napi): void {
    if (napi.napiId !== 0 && this.byId.get(napi.napiId) === napi) this.byId.delete(napi.napiId);
    napi.napiId = 0;
  }

  /** `napi_by_id`: the NAPI with `id`, or null. */
  get(id: number): Napi | null {
    return this.byId.get(id) ?? null;
  }

  get size(): number {
    return this.byId.size;
  }
}

/**
 * `skb_mark_napi_id`: record the NAPI that received `skb` (GRO receive does it for every packet
 * a driver hands up), unless an earlier NAPI already marked it (a packet looping through a
 * second device keeps its first id).
 */
export function skbMarkNapiId(skb: SkBuff, napi: Napi): void {
  if (skb.napiId < MIN_NAPI_ID) skb.napiId = napi.napiId;
}
