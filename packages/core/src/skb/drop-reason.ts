/**
 * Why a buffer was freed without being consumed: the kernel's `enum skb_drop_reason`
 * (include/net/dropreason-core.h), in its order. `SKB_NOT_DROPPED_YET` is 0 and `SKB_CONSUMED`
 * 1, so the first reason is 2. Counting and display key on names (values differ across kernel
 * versions); on the packet path a reason is just this number.
 */
export const DropReason = {
  NOT_SPECIFIED: 2,
  NO_SOCKET: 3,
  PKT_TOO_SMALL: 4,
  TCP_CSUM: 5,
  SOCKET_FILTER: 6,
  UDP_CSUM: 7,
  NETFILTER_DROP: 8,
  OTHERHOST: 9,
  IP_CSUM: 10,
  IP_INHDR: 11,
  IP_RPFILTER: 12,
  UNICAST_IN_L2_MULTICAST: 13,
  XFRM_POLICY: 14,
  IP_NOPROTO: 15,
  SOCKET_RCVBUFF: 16,
  PROTO_MEM: 17,
  TCP_AUTH_HDR: 18,
  TCP_MD5NOTFOUND: 19,
  TCP_MD5UNEXPECTED: 20,
  TCP_MD5FAILURE: 21,
  TCP_AONOTFOUND: 22,
  TCP_AOUNEXPECTED: 23,
  TCP_AOKEYNOTFOUND: 24,
  TCP_AOFAILURE: 25,
  SOCKET_BACKLOG: 26,
  TCP_FLAGS: 27,
  TCP_ABORT_ON_DATA: 28,
  TCP_ZEROWINDOW: 29,
  TCP_OLD_DATA: 30,
  TCP_OVERWINDOW: 31,
  TCP_OFOMERGE: 32,
  TCP_RFC7323_PAWS: 33,
  TCP_OLD_SEQUENCE: 34,
  TCP_INVALID_SEQUENCE: 35,
  TCP_INVALID_ACK_SEQUENCE: 36,
  TCP_RESET: 37,
  TCP_INVALID_SYN: 38,
  TCP_CLOSE: 39,
  TCP_FASTOPEN: 40,
  TCP_OLD_ACK: 41,
  TCP_TOO_OLD_ACK: 42,
  TCP_ACK_UNSENT_DATA: 43,
  TCP_OFO_QUEUE_PRUNE: 44,
  TCP_OFO_DROP: 45,
  IP_OUTNOROUTES: 46,
  BPF_CGROUP_EGRESS: 47,
  IPV6DISABLED: 48,
  NEIGH_CREATEFAIL: 49,
  NEIGH_FAILED: 50,
  NEIGH_QUEUEFULL: 51,
  NEIGH_DEAD: 52,
  TC_EGRESS: 53,
  SECURITY_HOOK: 54,
  QDISC_DROP: 55,
  QDISC_OVERLIMIT: 56,
  QDISC_CONGESTED: 57,
  CAKE_FLOOD: 58,
  FQ_BAND_LIMIT: 59,
  FQ_HORIZON_LIMIT: 60,
  FQ_FLOW_LIMIT: 61,
  CPU_BACKLOG: 62,
  XDP: 63,
  TC_INGRESS: 64,
  UNHANDLED_PROTO: 65,
  SKB_CSUM: 66,
  SKB_GSO_SEG: 67,
  SKB_UCOPY_FAULT: 68,
  DEV_HDR: 69,
  DEV_READY: 70,
  FULL_RING: 71,
  NOMEM: 72,
  HDR_TRUNC: 73,
  TAP_FILTER: 74,
  TAP_TXFILTER: 75,
  ICMP_CSUM: 76,
  INVALID_PROTO: 77,
  IP_INADDRERRORS: 78,
  IP_INNOROUTES: 79,
  IP_LOCAL_SOURCE: 80,
  IP_INVALID_SOURCE: 81,
  IP_LOCALNET: 82,
  IP_INVALID_DEST: 83,
  PKT_TOO_BIG: 84,
  DUP_FRAG: 85,
  FRAG_REASM_TIMEOUT: 86,
  FRAG_TOO_FAR: 87,
  TCP_MINTTL: 88,
  IPV6_BAD_EXTHDR: 89,
  IPV6_NDISC_FRAG: 90,
  IPV6_NDISC_HOP_LIMIT: 91,
  IPV6_NDISC_BAD_CODE: 92,
  IPV6_NDISC_BAD_OPTIONS: 93,
  IPV6_NDISC_NS_OTHERHOST: 94,
  QUEUE_PURGE: 95,
  TC_COOKIE_ERROR: 96,
  PACKET_SOCK_ERROR: 97,
  TC_CHAIN_NOTFOUND: 98,
  TC_RECLASSIFY_LOOP: 99,
  VXLAN_INVALID_HDR: 100,
  VXLAN_VNI_NOT_FOUND: 101,
  MAC_INVALID_SOURCE: 102,
  VXLAN_ENTRY_EXISTS: 103,
  VXLAN_NO_REMOTE: 104,
  IP_TUNNEL_ECN: 105,
  TUNNEL_TXINFO: 106,
  LOCAL_MAC: 107,
  ARP_PVLAN_DISABLE: 108,
  /** Sentinel: one past the last reason. */
  MAX: 109,
} as const;

export type DropReason = (typeof DropReason)[keyof typeof DropReason];

export const SKB_NOT_DROPPED_YET = 0;
export const SKB_CONSUMED = 1;

const NAMES: string[] = ['NOT_DROPPED_YET', 'CONSUMED'];
for (const [name, value] of Object.entries(DropReason)) NAMES[value] = name;

/** The kernel name of a reason (`UNHANDLED_PROTO`), as `perf`/`dropwatch` print it without prefix. */
export function dropReasonName(reason: number): string {
  return NAMES[reason] ?? `UNKNOWN_${reason}`;
}

/** Look a reason up by its kernel name, with or without the `SKB_DROP_REASON_` prefix. */
export function dropReasonByName(name: string): DropReason | undefined {
  const key = name.startsWith('SKB_DROP_REASON_') ? name.slice(16) : name;
  const value = (DropReason as Record<string, number>)[key];
  return value === undefined || key === 'MAX' ? undefined : (value as DropReason);
}
