/**
 * Qualifiers (libpcap `gencode.h`): what a primitive's id names (`addr`: host, net, port...),
 * which protocol it belongs to (`proto`) and which direction (`dir`). `Q_DEFAULT` is "not given";
 * `Q_UNDEF` marks a qualifier that cannot be inherited (after `tcp` or a relation), so an id
 * that would inherit it is a syntax error.
 */
export const Q_DEFAULT = 0;
export const Q_UNDEF = 255;

// addr
export const Q_HOST = 1;
export const Q_NET = 2;
export const Q_PORT = 3;
export const Q_GATEWAY = 4;
export const Q_PROTO = 5;
export const Q_PROTOCHAIN = 6;
export const Q_PORTRANGE = 7;

// proto
export const Q_LINK = 1;
export const Q_IP = 2;
export const Q_ARP = 3;
export const Q_RARP = 4;
export const Q_SCTP = 5;
export const Q_TCP = 6;
export const Q_UDP = 7;
export const Q_ICMP = 8;
export const Q_IGMP = 9;
export const Q_IGRP = 10;
export const Q_ATALK = 11;
export const Q_DECNET = 12;
export const Q_LAT = 13;
export const Q_SCA = 14;
export const Q_MOPRC = 15;
export const Q_MOPDL = 16;
export const Q_IPV6 = 17;
export const Q_ICMPV6 = 18;
export const Q_AH = 19;
export const Q_ESP = 20;
export const Q_PIM = 21;
export const Q_VRRP = 22;
export const Q_AARP = 23;
export const Q_ISO = 24;
export const Q_ESIS = 25;
export const Q_ISIS = 26;
export const Q_CLNP = 27;
export const Q_STP = 28;
export const Q_IPX = 29;
export const Q_NETBEUI = 30;
export const Q_ISIS_L1 = 31;
export const Q_ISIS_L2 = 32;
export const Q_ISIS_IIH = 33;
export const Q_ISIS_SNP = 34;
export const Q_ISIS_CSNP = 35;
export const Q_ISIS_PSNP = 36;
export const Q_ISIS_LSP = 37;
export const Q_RADIO = 38;
export const Q_CARP = 39;

// dir
export const Q_SRC = 1;
export const Q_DST = 2;
export const Q_OR = 3;
export const Q_AND = 4;
export const Q_ADDR1 = 5;
export const Q_ADDR2 = 6;
export const Q_ADDR3 = 7;
export const Q_ADDR4 = 8;
export const Q_RA = 9;
export const Q_TA = 10;

export interface Qual {
  addr: number;
  proto: number;
  dir: number;
}

export const QERR: Qual = { addr: Q_UNDEF, proto: Q_UNDEF, dir: Q_UNDEF };

/** Token type → protocol qualifier (the grammar's `pname`). */
export const PNAME: ReadonlyMap<string, number> = new Map([
  ['LINK', Q_LINK], ['IP', Q_IP], ['ARP', Q_ARP], ['RARP', Q_RARP], ['SCTP', Q_SCTP],
  ['TCP', Q_TCP], ['UDP', Q_UDP], ['ICMP', Q_ICMP], ['IGMP', Q_IGMP], ['IGRP', Q_IGRP],
  ['PIM', Q_PIM], ['VRRP', Q_VRRP], ['CARP', Q_CARP], ['ATALK', Q_ATALK], ['AARP', Q_AARP],
  ['DECNET', Q_DECNET], ['LAT', Q_LAT], ['SCA', Q_SCA], ['MOPDL', Q_MOPDL], ['MOPRC', Q_MOPRC],
  ['IPV6', Q_IPV6], ['ICMPV6', Q_ICMPV6], ['AH', Q_AH], ['ESP', Q_ESP], ['ISO', Q_ISO],
  ['ESIS', Q_ESIS], ['ISIS', Q_ISIS], ['L1', Q_ISIS_L1], ['L2', Q_ISIS_L2], ['IIH', Q_ISIS_IIH],
  ['LSP', Q_ISIS_LSP], ['SNP', Q_ISIS_SNP], ['PSNP', Q_ISIS_PSNP], ['CSNP', Q_ISIS_CSNP],
  ['CLNP', Q_CLNP], ['STP', Q_STP], ['IPX', Q_IPX], ['NETBEUI', Q_NETBEUI], ['RADIO', Q_RADIO],
]);

/** Protocol qualifier → the keyword, for error messages (`'tcp' modifier applied to host`). */
export const PROTO_NAME: ReadonlyMap<number, string> = new Map([
  [Q_SCTP, 'sctp'], [Q_TCP, 'tcp'], [Q_UDP, 'udp'], [Q_ICMP, 'icmp'], [Q_IGMP, 'igmp'],
  [Q_IGRP, 'igrp'], [Q_ICMPV6, 'icmp6'], [Q_AH, 'ah'], [Q_ESP, 'esp'], [Q_PIM, 'pim'],
  [Q_VRRP, 'vrrp'], [Q_ESIS, 'esis'], [Q_ISIS, 'isis'], [Q_CLNP, 'clnp'], [Q_STP, 'stp'],
  [Q_NETBEUI, 'netbeui'], [Q_ISIS_L1, 'l1'], [Q_ISIS_L2, 'l2'], [Q_ISIS_IIH, 'iih'],
  [Q_ISIS_SNP, 'snp'], [Q_ISIS_CSNP, 'csnp'], [Q_ISIS_PSNP, 'psnp'], [Q_ISIS_LSP, 'lsp'],
  [Q_RADIO, 'radio'], [Q_CARP, 'carp'], [Q_IP, 'ip'], [Q_ARP, 'arp'], [Q_RARP, 'rarp'],
  [Q_IPV6, 'ip6'], [Q_ATALK, 'atalk'], [Q_AARP, 'aarp'], [Q_DECNET, 'decnet'], [Q_LAT, 'lat'],
  [Q_SCA, 'sca'], [Q_MOPRC, 'moprc'], [Q_MOPDL, 'mopdl'], [Q_ISO, 'iso'], [Q_IPX, 'ipx'],
  [Q_LINK, 'link'],
]);
