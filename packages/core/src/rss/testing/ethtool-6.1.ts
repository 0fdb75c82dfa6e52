/**
 * Output of the real ethtool 6.1 (Debian's /usr/sbin/ethtool), captured by running it with an
 * LD_PRELOAD shim that answers its SIOCETHTOOL ioctls (ETHTOOL_GRXRINGS, ETHTOOL_GRSSH,
 * ETHTOOL_GRXFH) for a fake device `eth0`, with the Microsoft key and hfunc toeplitz; the hash
 * function names come from the running kernel's ETH_SS_RSS_HASH_FUNCS string set. The tables
 * `ethtool -X` computed were captured from the ETHTOOL_SRSSH ioctl it issued.
 */

/** `ethtool -x eth0` (x 4 rings 128: default table). */
export const X_4_RINGS_128 = 'RX flow hash indirection table for eth0 with 4 RX ring(s):\n    0:      0     1     2     3     0     1     2     3\n    8:      0     1     2     3     0     1     2     3\n   16:      0     1     2     3     0     1     2     3\n   24:      0     1     2     3     0     1     2     3\n   32:      0     1     2     3     0     1     2     3\n   40:      0     1     2     3     0     1     2     3\n   48:      0     1     2     3     0     1     2     3\n   56:      0     1     2     3     0     1     2     3\n   64:      0     1     2     3     0     1     2     3\n   72:      0     1     2     3     0     1     2     3\n   80:      0     1     2     3     0     1     2     3\n   88:      0     1     2     3     0     1     2     3\n   96:      0     1     2     3     0     1     2     3\n  104:      0     1     2     3     0     1     2     3\n  112:      0     1     2     3     0     1     2     3\n  120:      0     1     2     3     0     1     2     3\nRSS hash key:\n6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa\nRSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n';

/** `ethtool -x eth0` (x 16 rings 128: default table). */
export const X_16_RINGS_128 = 'RX flow hash indirection table for eth0 with 16 RX ring(s):\n    0:      0     1     2     3     4     5     6     7\n    8:      8     9    10    11    12    13    14    15\n   16:      0     1     2     3     4     5     6     7\n   24:      8     9    10    11    12    13    14    15\n   32:      0     1     2     3     4     5     6     7\n   40:      8     9    10    11    12    13    14    15\n   48:      0     1     2     3     4     5     6     7\n   56:      8     9    10    11    12    13    14    15\n   64:      0     1     2     3     4     5     6     7\n   72:      8     9    10    11    12    13    14    15\n   80:      0     1     2     3     4     5     6     7\n   88:      8     9    10    11    12    13    14    15\n   96:      0     1     2     3     4     5     6     7\n  104:      8     9    10    11    12    13    14    15\n  112:      0     1     2     3     4     5     6     7\n  120:      8     9    10    11    12    13    14    15\nRSS hash key:\n6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa\nRSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n';

/** `ethtool -x eth0` (x 3 rings 12: default table). */
export const X_3_RINGS_12 = 'RX flow hash indirection table for eth0 with 3 RX ring(s):\n    0:      0     1     2     0     1     2     0     1\n    8:      2     0     1     2\nRSS hash key:\n6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa\nRSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n';

/** `ethtool -n eth0 rx-flow-hash tcp4` with fields 0xf0. */
export const N_TCP4_SDFN = 'TCP over IPV4 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\nL4 bytes 0 & 1 [TCP/UDP src port]\nL4 bytes 2 & 3 [TCP/UDP dst port]\n\n';

/** `ethtool -n eth0 rx-flow-hash udp4` with fields 0x30. */
export const N_UDP4_SD = 'UDP over IPV4 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n\n';

/** `ethtool -n eth0 rx-flow-hash udp6` with fields 0x30. */
export const N_UDP6_SD = 'UDP over IPV6 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n\n';

/** `ethtool -n eth0 rx-flow-hash tcp6` with fields 0xf0. */
export const N_TCP6_SDFN = 'TCP over IPV6 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\nL4 bytes 0 & 1 [TCP/UDP src port]\nL4 bytes 2 & 3 [TCP/UDP dst port]\n\n';

/** `ethtool -n eth0 rx-flow-hash sctp4` with fields 0x30. */
export const N_SCTP4_SD = 'SCTP over IPV4 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n\n';

/** `ethtool -n eth0 rx-flow-hash esp4` with fields 0x30. */
export const N_AH_ESP4_SD = 'IPSEC AH/ESP over IPV4 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n\n';

/** `ethtool -n eth0 rx-flow-hash ah6` with fields 0x30. */
export const N_AH_ESP6_SD = 'IPSEC AH/ESP over IPV6 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n\n';

/** `ethtool -n eth0 rx-flow-hash udp4` with fields 0x0. */
export const N_UDP4_NONE = 'UDP over IPV4 flows use these fields for computing Hash flow key:\nNone\n';

/** `ethtool -n eth0 rx-flow-hash udp4` with fields 0x80000000. */
export const N_UDP4_DISCARD = 'UDP over IPV4 flows - All matching flows discarded on RX\n';

/** `ethtool -n eth0 rx-flow-hash tcp4` with fields 0xfe. */
export const N_TCP4_MVTSDFN = 'TCP over IPV4 flows use these fields for computing Hash flow key:\nL2DA\nVLAN tag\nL3 proto\nIP SA\nIP DA\nL4 bytes 0 & 1 [TCP/UDP src port]\nL4 bytes 2 & 3 [TCP/UDP dst port]\n\n';

/** `ethtool -X eth0 ARGS` on a 4-ring device with a 128-entry table: the table it set. */
export const X_SET_TABLES: readonly { args: string; table: readonly number[] }[] = [
  { args: 'equal 3', table: [0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1,2,0,1] },
  { args: 'equal 2 start 1', table: [1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2,1,2] },
  { args: 'weight 1 2 3 4', table: [0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3] },
  { args: 'weight 3 0 1', table: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2] },
  { args: 'weight 1 1 start 2', table: [2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3] },
  { args: 'weight 0 0 0 5', table: [3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3] },
  { args: 'weight 7 3 1', table: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2] },
  { args: 'weight 1 1 1', table: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2] },
];
