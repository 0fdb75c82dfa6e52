/**
 * The ICMP MIB groups under `nstat`'s names: `Icmp` (snmp4_icmp_list plus the per-type In/Out
 * counters `/proc/net/snmp` derives from IcmpMsg through `icmpmibmap`) and `IcmpMsg`
 * (`InType<N>` / `OutType<N>` for every type 0..255; nstat shows the non-zero ones).
 */

/** Types with a named counter, in `icmpmibmap` order (net/ipv4/proc.c). */
const ICMP_MIB_MAP: readonly (readonly [string, number])[] = [
  ['DestUnreachs', 3],
  ['TimeExcds', 11],
  ['ParmProbs', 12],
  ['SrcQuenchs', 4],
  ['Redirects', 5],
  ['Echos', 8],
  ['EchoReps', 0],
  ['Timestamps', 13],
  ['TimestampReps', 14],
  ['AddrMasks', 17],
  ['AddrMaskReps', 18],
];

export const ICMP_MIB_FIELDS: readonly string[] = [
  'InMsgs',
  'InErrors',
  'InCsumErrors',
  ...ICMP_MIB_MAP.map(([name]) => `In${name}`),
  'OutMsgs',
  'OutErrors',
  'OutRateLimitGlobal',
  'OutRateLimitHost',
  ...ICMP_MIB_MAP.map(([name]) => `Out${name}`),
];

export const ICMP_MIB_INMSGS = 0;
export const ICMP_MIB_INERRORS = 1;
export const ICMP_MIB_CSUMERRORS = 2;
export const ICMP_MIB_OUTMSGS = 3 + ICMP_MIB_MAP.length;
export const ICMP_MIB_OUTERRORS = ICMP_MIB_OUTMSGS + 1;
export const ICMP_MIB_RATELIMITGLOBAL = ICMP_MIB_OUTMSGS + 2;
export const ICMP_MIB_RATELIMITHOST = ICMP_MIB_OUTMSGS + 3;

/** Slot of `In<Name>` for each ICMP type, -1 for types without a named counter. */
export const ICMP_IN_SLOT_BY_TYPE: Int16Array = slots(3);
/** Slot of `Out<Name>` for each ICMP type, -1 for types without a named counter. */
export const ICMP_OUT_SLOT_BY_TYPE: Int16Array = slots(ICMP_MIB_OUTMSGS + 4);

function slots(base: number): Int16Array {
  const out = new Int16Array(256).fill(-1);
  ICMP_MIB_MAP.forEach(([, type], i) => (out[type] = base + i));
  return out;
}

/** `IcmpMsg`: InType0..InType255 then OutType0..OutType255; slot of OutTypeN is 256 + N. */
export const ICMPMSG_MIB_FIELDS: readonly string[] = [
  ...Array.from({ length: 256 }, (_, t) => `InType${t}`),
  ...Array.from({ length: 256 }, (_, t) => `OutType${t}`),
];
export const ICMPMSG_OUT_BASE = 256;
