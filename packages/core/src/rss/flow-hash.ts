import { NetError } from '../errors/net-error.js';

/**
 * Which header fields feed the RSS hash, per flow type: `ethtool -n DEV rx-flow-hash tcp4` shows
 * them and `ethtool -N DEV rx-flow-hash tcp4 sdfn` sets them (ETHTOOL_GRXFH / ETHTOOL_SRXFH).
 * Values and names are those of include/uapi/linux/ethtool.h.
 */

/** Flow types (`ethtool_rx_flow_spec.flow_type`). */
export const TCP_V4_FLOW = 0x01;
export const UDP_V4_FLOW = 0x02;
export const SCTP_V4_FLOW = 0x03;
export const AH_ESP_V4_FLOW = 0x04;
export const TCP_V6_FLOW = 0x05;
export const UDP_V6_FLOW = 0x06;
export const SCTP_V6_FLOW = 0x07;
export const AH_ESP_V6_FLOW = 0x08;
/** Hash-only flow types: IP traffic that matches none of the above (ICMP, GRE, fragments, ...). */
export const IPV4_FLOW = 0x10;
export const IPV6_FLOW = 0x11;
/** One past the largest flow type this module keeps fields for. */
export const RX_FLOW_TYPE_LIMIT = 0x12;

/** Hash field bits (`RXH_*`). */
export const RXH_L2DA = 1 << 1;
export const RXH_VLAN = 1 << 2;
export const RXH_L3_PROTO = 1 << 3;
export const RXH_IP_SRC = 1 << 4;
export const RXH_IP_DST = 1 << 5;
/** L4 bytes 0 and 1: the TCP/UDP/SCTP source port. */
export const RXH_L4_B_0_1 = 1 << 6;
/** L4 bytes 2 and 3: the TCP/UDP/SCTP destination port. */
export const RXH_L4_B_2_3 = 1 << 7;
export const RXH_DISCARD = 0x8000_0000;

/** `sd`: the 2-tuple. */
export const RXH_SD = RXH_IP_SRC | RXH_IP_DST;
/** `sdfn`: the 4-tuple. */
export const RXH_SDFN = RXH_SD | RXH_L4_B_0_1 | RXH_L4_B_2_3;
/** The fields this hash engine can use: addresses and the first four L4 bytes. */
export const RXH_SUPPORTED = RXH_SDFN;

/** `ethtool -N ... rx-flow-hash` flow type names (ethtool.c `rxflow_str_to_type`): -1 if unknown. */
export function rxFlowTypeFromName(name: string): number {
  switch (name) {
    case 'tcp4':
      return TCP_V4_FLOW;
    case 'udp4':
      return UDP_V4_FLOW;
    case 'sctp4':
      return SCTP_V4_FLOW;
    case 'ah4':
    case 'esp4':
      return AH_ESP_V4_FLOW;
    case 'tcp6':
      return TCP_V6_FLOW;
    case 'udp6':
      return UDP_V6_FLOW;
    case 'sctp6':
      return SCTP_V6_FLOW;
    case 'ah6':
    case 'esp6':
      return AH_ESP_V6_FLOW;
    default:
      return -1;
  }
}

/**
 * `ethtool -N` hash option letters (ethtool.c `parse_rxfhashopts`): m L2DA, v VLAN, t L3 proto,
 * s IP SA, d IP DA, f L4 bytes 0-1, n L4 bytes 2-3, r discard. -1 on any other letter.
 */
export function parseRxFlowHashOpts(opts: string): number {
  let bits = 0;
  for (const c of opts) {
    switch (c) {
      case 'm':
        bits |= RXH_L2DA;
        break;
      case 'v':
        bits |= RXH_VLAN;
        break;
      case 't':
        bits |= RXH_L3_PROTO;
        break;
      case 's':
        bits |= RXH_IP_SRC;
        break;
      case 'd':
        bits |= RXH_IP_DST;
        break;
      case 'f':
        bits |= RXH_L4_B_0_1;
        break;
      case 'n':
        bits |= RXH_L4_B_2_3;
        break;
      case 'r':
        bits |= RXH_DISCARD;
        break;
      default:
        return -1;
    }
  }
  return bits >>> 0;
}

/** The letters `ethtool -N` takes for `fields` (the inverse of `parseRxFlowHashOpts`). */
export function formatRxFlowHashOpts(fields: number): string {
  const letters: [number, string][] = [
    [RXH_L2DA, 'm'],
    [RXH_VLAN, 'v'],
    [RXH_L3_PROTO, 't'],
    [RXH_IP_SRC, 's'],
    [RXH_IP_DST, 'd'],
    [RXH_L4_B_0_1, 'f'],
    [RXH_L4_B_2_3, 'n'],
    [RXH_DISCARD, 'r'],
  ];
  let s = '';
  for (const [bit, c] of letters) if ((fields & bit) !== 0) s += c;
  return s;
}

/** ethtool.c `dump_rxfhash` flow labels (ioctl path; hash-only types print no label). */
function rxFlowLabel(flowType: number): string {
  switch (flowType) {
    case TCP_V4_FLOW:
      return 'TCP over IPV4 flows';
    case UDP_V4_FLOW:
      return 'UDP over IPV4 flows';
    case SCTP_V4_FLOW:
      return 'SCTP over IPV4 flows';
    case AH_ESP_V4_FLOW:
      return 'IPSEC AH/ESP over IPV4 flows';
    case TCP_V6_FLOW:
      return 'TCP over IPV6 flows';
    case UDP_V6_FLOW:
      return 'UDP over IPV6 flows';
    case SCTP_V6_FLOW:
      return 'SCTP over IPV6 flows';
    case AH_ESP_V6_FLOW:
      return 'IPSEC AH/ESP over IPV6 flows';
    default:
      return '';
  }
}

/**
 * `ethtool -n DEV rx-flow-hash TYPE` output, byte for byte as ethtool 6.1 prints it (checked
 * against the installed binary): the label, then one line per field in `unparse_rxfhashopts`
 * order and a blank line, or `None`.
 */
export function formatEthtoolRxFlowHash(flowType: number, fields: number): string {
  const head = rxFlowLabel(flowType);
  if ((fields & RXH_DISCARD) !== 0) return `${head} - All matching flows discarded on RX\n`;
  let body = '';
  if (fields !== 0) {
    if (fields & RXH_L2DA) body += 'L2DA\n';
    if (fields & RXH_VLAN) body += 'VLAN tag\n';
    if (fields & RXH_L3_PROTO) body += 'L3 proto\n';
    if (fields & RXH_IP_SRC) body += 'IP SA\n';
    if (fields & RXH_IP_DST) body += 'IP DA\n';
    if (fields & RXH_L4_B_0_1) body += 'L4 bytes 0 & 1 [TCP/UDP src port]\n';
    if (fields & RXH_L4_B_2_3) body += 'L4 bytes 2 & 3 [TCP/UDP dst port]\n';
  } else {
    body = 'None';
  }
  return `${head} use these fields for computing Hash flow key:\n${body}\n`;
}

function isFlowType(t: number): boolean {
  return (t >= TCP_V4_FLOW && t <= AH_ESP_V6_FLOW) || t === IPV4_FLOW || t === IPV6_FLOW;
}

/**
 * The device's hash fields per flow type, a typed array indexed by flow type (the packet path
 * reads `fields[flowType]`, no lookup by name).
 *
 * Defaults follow Intel's 82599/ixgbe, the NIC whose 128-entry table this module models:
 * tcp4/tcp6 hash the 4-tuple (`sdfn`); udp4/udp6, sctp, AH/ESP and other IP hash the 2-tuple
 * (`sd`). UDP ports are off by default because fragments carry no ports and must be hashed on
 * addresses only: with `sdfn` for UDP, unfragmented datagrams of a flow and fragmented ones
 * land on different queues and a flow mixing both (DNS over large EDNS answers, NFS, tunnels) is
 * reordered. mlx5 and newer Intel NICs default udp4 to `sdfn`; `ethtool -N DEV rx-flow-hash
 * udp4 sdfn` (`set(UDP_V4_FLOW, RXH_SDFN)`) switches it on.
 */
export class RxFlowHash {
  /** RXH_* bits by flow type; read directly on the packet path, written through `set`. */
  readonly fields = new Uint32Array(RX_FLOW_TYPE_LIMIT);

  constructor() {
    this.reset();
  }

  /** The defaults described above. */
  reset(): void {
    this.fields.fill(0);
    this.fields[TCP_V4_FLOW] = RXH_SDFN;
    this.fields[TCP_V6_FLOW] = RXH_SDFN;
    for (const t of [UDP_V4_FLOW, SCTP_V4_FLOW, AH_ESP_V4_FLOW, UDP_V6_FLOW, SCTP_V6_FLOW, AH_ESP_V6_FLOW, IPV4_FLOW, IPV6_FLOW]) this.fields[t] = RXH_SD;
  }

  /** ETHTOOL_GRXFH. */
  get(flowType: number): number {
    if (!isFlowType(flowType)) throw new NetError('EINVAL', `unknown flow type ${flowType}`);
    return this.fields[flowType]!;
  }

  /**
   * ETHTOOL_SRXFH. Only source/destination address and L4 bytes 0-3 can be hashed (L2DA, VLAN,
   * L3 proto and discard are EINVAL, as on ixgbe); hash-only types take addresses only. An
   * empty set leaves that flow type unhashed (no hash, queue 0).
   */
  set(flowType: number, fields: number): void {
    if (!isFlowType(flowType)) throw new NetError('EINVAL', `unknown flow type ${flowType}`);
    const allowed = flowType === IPV4_FLOW || flowType === IPV6_FLOW ? RXH_SD : RXH_SUPPORTED;
    if (((fields >>> 0) & ~allowed) !== 0) throw new NetError('EINVAL', `hash fields ${formatRxFlowHashOpts(fields)} not supported for flow type ${flowType}`);
    this.fields[flowType] = fields;
  }
}
