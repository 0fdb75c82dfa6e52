/**
 * LINKTYPE_* values (tcpdump.org/linktypes.html) for the headers netstack writes and names; any
 * other value is carried through files unchanged.
 */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

/** The snapshot length libpcap uses by default (MAXIMUM_SNAPLEN). */
export const DEFAULT_SNAPLEN = 262144;

const NAMES: Record<number, [string, string]> = {
  [LINKTYPE_NULL]: ['NULL', 'BSD loopback'],
  [LINKTYPE_ETHERNET]: ['EN10MB', 'Ethernet'],
  [LINKTYPE_RAW]: ['RAW', 'Raw IP'],
  [LINKTYPE_IEEE802_11]: ['IEEE802_11', '802.11'],
  [LINKTYPE_LOOP]: ['LOOP', 'OpenBSD loopback'],
  [LINKTYPE_LINUX_SLL]: ['LINUX_SLL', 'Linux cooked v1'],
  [LINKTYPE_IPV4]: ['IPV4', 'Raw IPv4'],
  [LINKTYPE_IPV6]: ['IPV6', 'Raw IPv6'],
  [LINKTYPE_LINUX_SLL2]: ['LINUX_SLL2', 'Linux cooked v2'],
};

/** tcpdump's `link-type EN10MB (Ethernet)` words for a link type; `null` when unknown here. */
export function linktypeName(linktype: number): { name: string; description: string } | null {
  const n = NAMES[linktype];
  return n === undefined ? null : { name: n[0], description: n[1] };
}
