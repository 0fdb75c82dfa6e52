/** Address families (include/linux/socket.h). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;

/** IP protocol numbers (include/uapi/linux/in.h, in6.h). */
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;
export const IPPROTO_RAW = 255;
