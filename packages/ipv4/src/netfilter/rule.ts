/**
 * A rule as the packet path sees it (`struct ipt_entry` with its matches and target): every
 * field a number or a boolean, fixed at insert time, so matching is arithmetic on fields
 * read once from the packet. The text a rule was written in is rebuilt from these fields
 * when it is listed.
 */
import type { Chain } from './chain.js';

/** What a matching rule does (`-j`). */
export const TARGET_NONE = 0;
export const TARGET_ACCEPT = 1;
export const TARGET_DROP = 2;
export const TARGET_REJECT = 3;
export const TARGET_RETURN = 4;
export const TARGET_JUMP = 5;

/** Which protocol match a rule carries (`-m tcp|udp|icmp`, implied by `--dport` etc.). */
export const L4_NONE = 0;
export const L4_TCP = 1;
export const L4_UDP = 2;
export const L4_ICMP = 3;

/** Words per interface name: 16 UTF-16 units (IFNAMSIZ, terminator included), two per word. */
export const IFNAME_WORDS = 8;
/** Offsets in `Rule.ifaces`: in-name, in-mask, out-name, out-mask. */
export const IFACE_IN_NAME = 0;
export const IFACE_IN_MASK = 8;
export const IFACE_OUT_NAME = 16;
export const IFACE_OUT_MASK = 24;

export class Rule {
  /** `-s`: address already masked, and the mask; both as signed 32-bit (what `&` yields). */
  src = 0;
  smsk = 0;
  invSrc = false;
  /** `-d` */
  dst = 0;
  dmsk = 0;
  invDst = false;
  /** `-i` / `-o` as written ('' when absent), for listing. */
  inIface = '';
  outIface = '';
  invIn = false;
  invOut = false;
  /** Some mask word is set: the interface must be compared at all. */
  hasIn = false;
  hasOut = false;
  /** Names and masks, `IFNAME_WORDS` each, at the IFACE_* offsets (`iniface`/`iniface_mask`). */
  readonly ifaces = new Uint32Array(4 * IFNAME_WORDS);
  /** `-p`: 0 for any. */
  proto = 0;
  invProto = false;
  /** `-f` (non-first fragments) / `! -f` (unfragmented or first fragments). */
  frag = false;
  invFrag = false;

  /** The protocol match and its fields (`struct xt_tcp`, `xt_udp`, `ipt_icmp`). */
  l4 = L4_NONE;
  sptMin = 0;
  sptMax = 0xffff;
  invSpt = false;
  dptMin = 0;
  dptMax = 0xffff;
  invDpt = false;
  icmpType = 0;
  icmpCodeMin = 0;
  icmpCodeMax = 0xff;
  invIcmp = false;

  target = TARGET_NONE;
  /** REJECT: index in REJECT_TYPES (`--reject-with`). */
  rejectWith = 0;
  /** TARGET_JUMP: the user chain. */
  jump: Chain | null = null;

  /** Counters (`struct xt_counters`): packets, and bytes of `skb.len` at the hook. */
  pkts = 0;
  bytes = 0;
}
