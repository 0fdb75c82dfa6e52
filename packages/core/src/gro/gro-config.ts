/**
 * The per-device GRO attributes: `gro_max_size` / `gro_ipv4_max_size` (`ip link set dev X
 * gro_max_size N`, IFLA_GRO_MAX_SIZE / IFLA_GRO_IPV4_MAX_SIZE) and the NAPI deferral knobs of
 * /sys/class/net/X/ (`gro_flush_timeout` in ns, `napi_defer_hard_irqs`). Kept by the World's
 * offload registry, one record per device, because they belong to GRO rather than to every
 * NetDevice; read them with `netifGroConfig(dev)` and change them with the setters below.
 */

/** `GRO_LEGACY_MAX_SIZE`: the default of both size limits (64 KiB, an IPv4 total length's range). */
export const GRO_LEGACY_MAX_SIZE = 65536;

/**
 * The largest limit accepted here. Linux allows up to `GRO_MAX_SIZE` (8 * 65535, BIG TCP); our
 * aggregates are linear buffers in the pool's largest slot (64 KiB + 1 KiB), so the legacy size
 * is also the ceiling: a larger value is ERANGE, as a value beyond the netlink policy is.
 */
export const GRO_MAX_SIZE_LIMIT = GRO_LEGACY_MAX_SIZE;

/** One device's GRO attributes, with the kernel's defaults. */
export class GroDevConfig {
  /** `dev->gro_max_size`: bound of an aggregate from its network header (IPv6 and others). */
  groMaxSize = GRO_LEGACY_MAX_SIZE;
  /** `dev->gro_ipv4_max_size`: the same bound for IPv4. */
  groIpv4MaxSize = GRO_LEGACY_MAX_SIZE;
  /** `gro_flush_timeout` (ns): 0 flushes GRO when a poll completes; > 0 defers it to a timer. */
  groFlushTimeout = 0;
  /** `napi_defer_hard_irqs`: empty polls during which the IRQ stays masked and the timer re-polls. */
  napiDeferHardIrqs = 0;

  /** `netif_get_gro_max_size`: the bound for a packet of `protocol` (ethertype). */
  maxSizeFor(protocol: number): number {
    return protocol === 0x86dd ? this.groMaxSize : this.groIpv4MaxSize;
  }
}
