/**
 * The IPv4 MIB groups under the names `nstat -az` prints on Linux 6.18 (`/proc/net/snmp` "Ip:"
 * and `/proc/net/netstat` "IpExt:"). The field order is the kernel's, and the slot constants
 * below are the index of each field, so the packet path increments `values[SLOT]` directly.
 */

/** `Ip` (snmp4_ipstats_list minus the two non-counters Forwarding and DefaultTTL). */
export const IP_MIB_FIELDS = [
  'InReceives',
  'InHdrErrors',
  'InAddrErrors',
  'ForwDatagrams',
  'InUnknownProtos',
  'InDiscards',
  'InDelivers',
  'OutRequests',
  'OutDiscards',
  'OutNoRoutes',
  'ReasmTimeout',
  'ReasmReqds',
  'ReasmOKs',
  'ReasmFails',
  'FragOKs',
  'FragFails',
  'FragCreates',
  'OutTransmits',
] as const;

export const IPSTATS_INRECEIVES = 0;
export const IPSTATS_INHDRERRORS = 1;
export const IPSTATS_INADDRERRORS = 2;
export const IPSTATS_FORWDATAGRAMS = 3;
export const IPSTATS_INUNKNOWNPROTOS = 4;
export const IPSTATS_INDISCARDS = 5;
export const IPSTATS_INDELIVERS = 6;
export const IPSTATS_OUTREQUESTS = 7;
export const IPSTATS_OUTDISCARDS = 8;
export const IPSTATS_OUTNOROUTES = 9;
export const IPSTATS_FRAGFAILS = 15;
export const IPSTATS_OUTTRANSMITS = 17;

/** `IpExt` (snmp4_ipextstats_list). */
export const IPEXT_MIB_FIELDS = [
  'InNoRoutes',
  'InTruncatedPkts',
  'InMcastPkts',
  'OutMcastPkts',
  'InBcastPkts',
  'OutBcastPkts',
  'InOctets',
  'OutOctets',
  'InMcastOctets',
  'OutMcastOctets',
  'InBcastOctets',
  'OutBcastOctets',
  'InCsumErrors',
  'InNoECTPkts',
  'InECT1Pkts',
  'InECT0Pkts',
  'InCEPkts',
  'ReasmOverlaps',
] as const;

export const IPEXT_INNOROUTES = 0;
export const IPEXT_INTRUNCATEDPKTS = 1;
export const IPEXT_INMCASTPKTS = 2;
export const IPEXT_OUTMCASTPKTS = 3;
export const IPEXT_INBCASTPKTS = 4;
export const IPEXT_OUTBCASTPKTS = 5;
export const IPEXT_INOCTETS = 6;
export const IPEXT_OUTOCTETS = 7;
export const IPEXT_INMCASTOCTETS = 8;
export const IPEXT_OUTMCASTOCTETS = 9;
export const IPEXT_INBCASTOCTETS = 10;
export const IPEXT_OUTBCASTOCTETS = 11;
export const IPEXT_INCSUMERRORS = 12;
/** InNoECTPkts + (tos & INET_ECN_MASK) selects one of the four ECN counters (ip_rcv_core). */
export const IPEXT_INNOECTPKTS = 13;
