import { NetError } from '../errors/net-error.js';
import type { Random } from '../random/random.js';

/** Bytes of the host RSS key (`NETDEV_RSS_KEY_LEN`, include/linux/netdevice.h); NICs use the first 40. */
export const NETDEV_RSS_KEY_LEN = 52;

/**
 * The host's RSS key (`netdev_rss_key` in net/core/dev.c): 52 random bytes generated once, on
 * the first `netdev_rss_key_fill()` (`net_get_random_once`), and copied by every driver that
 * does not get a key from the user, so all devices of a host share it. Here the bytes come from
 * the namespace's injected `RANDOM`, so a seeded World always draws the same key.
 *
 * One instance per namespace (no module state); whoever composes the namespace owns it.
 */
export class NetdevRssKey {
  /** The key; all zeros until a driver first asks for it, as the kernel's is. */
  readonly bytes = new Uint8Array(NETDEV_RSS_KEY_LEN);
  private generated = false;

  constructor(private readonly random: Random) {}

  /** `netdev_rss_key_fill(buffer, len)`: generate the key once, copy its first `len` bytes into `out`. */
  fill(out: Uint8Array, len: number = out.length): Uint8Array {
    if (len > NETDEV_RSS_KEY_LEN || len > out.length) throw new NetError('EINVAL', `netdev_rss_key_fill: ${len} bytes asked, key has ${NETDEV_RSS_KEY_LEN}`);
    if (!this.generated) {
      this.random.fill(this.bytes);
      this.generated = true;
    }
    out.set(this.bytes.subarray(0, len));
    return out;
  }

  /**
   * `/proc/sys/net/core/netdev_rss_key` (read-only): the 52 bytes as colon-separated hex
   * (`%*phC`), nul bytes until a driver called `netdev_rss_key_fill()`.
   */
  procText(): string {
    return formatHexKey(this.bytes);
  }
}

/** Bytes as lower-case hex separated by colons (`6d:5a:...`), as ethtool and the sysctl print keys. */
export function formatHexKey(key: Uint8Array): string {
  let s = '';
  for (let i = 0; i < key.length; i++) s += (i === 0 ? '' : ':') + key[i]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * Parse `ethtool -X hkey` text (`6d:5a:...`): two hex digits per byte, colon-separated, exactly
 * `size` bytes (ethtool's "Key is too long/short for device" otherwise).
 */
export function parseHexKey(text: string, size: number): Uint8Array {
  const parts = text.split(':');
  if (parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new NetError('EINVAL', 'Invalid RSS hash key format');
  if (parts.length > size) throw new NetError('EINVAL', `Key is too long for device (${parts.length} > ${size})`);
  if (parts.length < size) throw new NetError('EINVAL', `Key is too short for device (${parts.length} < ${size})`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}
