/**
 * TCP Fast Open constants with the kernel's names and values (include/net/tcp.h,
 * include/uapi/linux/tcp.h, include/linux/socket.h; Documentation/networking/ip-sysctl.rst).
 */

/** `net.ipv4.tcp_fastopen` bits. 0x1: send data in the SYN as a client (the default). */
export const TFO_CLIENT_ENABLE = 0x1;
/** 0x2: accept data in the SYN as a server. */
export const TFO_SERVER_ENABLE = 0x2;
/** 0x4: a client sends SYN data without a cookie. */
export const TFO_CLIENT_NO_COOKIE = 0x4;
/** 0x200: a server accepts SYN data without a cookie option. */
export const TFO_SERVER_COOKIE_NOT_REQD = 0x200;
/** 0x400: every listener is TFO-enabled without TCP_FASTOPEN (queue = listen backlog). */
export const TFO_SERVER_WO_SOCKOPT1 = 0x400;

/** Socket options (SOL_TCP). */
export const TCP_FASTOPEN = 23;
export const TCP_FASTOPEN_CONNECT = 30;
export const TCP_FASTOPEN_KEY = 33;
export const TCP_FASTOPEN_NO_COOKIE = 34;

/** sendmsg flag: connect and put the data in the SYN. */
export const MSG_FASTOPEN = 0x20000000;

/** `tcpi_fastopen_client_fail` (enum tfo_client_fail in include/uapi/linux/tcp.h). */
export const TFO_STATUS_UNSPEC = 0;
export const TFO_COOKIE_UNAVAILABLE = 1;
export const TFO_DATA_NOT_ACKED = 2;
export const TFO_SYN_RETRANSMITTED = 3;

/** `TCP_FASTOPEN_KEY_LENGTH` (one SipHash key) and `TCP_FASTOPEN_KEY_MAX` (primary + backup). */
export const TCP_FASTOPEN_KEY_LENGTH = 16;
export const TCP_FASTOPEN_KEY_MAX = 2;
