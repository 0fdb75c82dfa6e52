/** The local port range Linux uses when a tunnel has no `srcport MIN MAX` (`net.ipv4.ip_local_port_range`). */
export const DEFAULT_LOCAL_PORT_RANGE: readonly [number, number] = [32768, 60999];

/**
 * `udp_flow_src_port` (include/net/udp.h): a UDP tunnel's source port from the inner flow's
 * hash, so that ECMP and RSS on the way spread the flows while one flow keeps one port. The hash
 * is folded (`hash ^= hash << 16`: only its top 16 bits matter) and scaled onto [min, max), as the
 * kernel's `((u64)hash * (max - min)) >> 32) + min`. The caller resolves `min >= max` to the
 * local port range first, as the kernel does.
 */
export function udpFlowSrcPort(hash: number, min: number, max: number): number {
  const h = (hash ^ (hash << 16)) >>> 0;
  // h * (max - min) < 2^48: exact in a double, so the division is the kernel's shift.
  return Math.floor((h * (max - min)) / 0x1_0000_0000) + min;
}
