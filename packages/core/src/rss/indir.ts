import { NetError } from '../errors/net-error.js';

/** Default indirection table entries (Intel 82599/ixgbe, igb). */
export const RSS_INDIR_TABLE_SIZE = 128;

/** `ethtool_rxfh_indir_default(index, n_rx_rings)` (include/linux/ethtool.h). */
export function ethtoolRxfhIndirDefault(index: number, nRxRings: number): number {
  return index % nRxRings;
}

/**
 * The RSS indirection table (RETA): the NIC takes the low bits of the hash as an index and the
 * entry there is the receive queue, `queue = table[hash & (size - 1)]`. 128 entries as on the
 * Intel 82599 (ixgbe, igb); others have 64, 256 or 512, always a power of two here.
 * `ethtool -x` shows it, `ethtool -X equal N | weight W... [start S] | default` sets it.
 */
export class RssIndirTable {
  /** Entry i is the RX queue for hashes whose low bits are i. */
  readonly table: Uint32Array;
  /** `size - 1`. */
  readonly mask: number;
  /**
   * The user set the table (`netif_is_rxfh_configured`): changing the number of rings keeps it
   * (and refuses to drop a ring it uses) instead of spreading it again.
   */
  userConfigured = false;
  private rings: number;

  constructor(size: number = RSS_INDIR_TABLE_SIZE, rxRings: number = 1) {
    if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0) throw new NetError('EINVAL', `indirection table size ${size} is not a power of two`);
    checkRings(rxRings);
    this.table = new Uint32Array(size);
    this.mask = size - 1;
    this.rings = rxRings;
    this.fillDefault();
  }

  /** Number of entries. */
  get size(): number {
    return this.table.length;
  }

  /** RX rings the table may point at (`ethtool -x` "with N RX ring(s)"). */
  get rxRings(): number {
    return this.rings;
  }

  /** The queue for a hash. */
  queueFor(hash: number): number {
    return this.table[hash & this.mask]!;
  }

  /** `ethtool -X DEV default`: `i % rings` everywhere, and forget the user's table. */
  setDefault(): void {
    this.fillDefault();
    this.userConfigured = false;
  }

  /** `ethtool -X DEV equal N [start S]`: entry i = S + i % N (ethtool `fill_indir_table`). */
  setEqual(n: number, start: number = 0): void {
    if (!Number.isInteger(n) || n < 1) throw new NetError('EINVAL', "Invalid 'equal' value");
    checkStart(start);
    const next = new Uint32Array(this.size);
    for (let i = 0; i < next.length; i++) next[i] = start + (i % n);
    this.set(next);
  }

  /**
   * `ethtool -X DEV weight W0 W1 ... [start S]`: ring S+j gets a share of the entries
   * proportional to Wj, in order, with ethtool's exact rounding (`fill_indir_table`: entry i goes
   * to the first ring whose cumulative weight passes i * sum / size).
   */
  setWeights(weights: readonly number[], start: number = 0): void {
    checkStart(start);
    let sum = 0;
    for (const w of weights) {
      if (!Number.isInteger(w) || w < 0 || w > 0xffff_ffff) throw new NetError('EINVAL', `invalid weight ${w}`);
      sum += w;
    }
    if (sum === 0) throw new NetError('EINVAL', 'At least one weight must be non-zero');
    const size = this.size;
    if (sum > size) throw new NetError('EINVAL', 'Total weight exceeds the size of the indirection table');
    const next = new Uint32Array(size);
    let j = -1;
    let partial = 0;
    for (let i = 0; i < size; i++) {
      while (i >= Math.floor((size * partial) / sum)) {
        j++;
        partial += weights[j]!;
      }
      next[i] = start + j;
    }
    this.set(next);
  }

  /**
   * Set every entry (ETHTOOL_SRSSH / ETHTOOL_MSG_RSS_SET with a table). Each entry must name an
   * existing ring, else EINVAL and nothing changes, as the kernel checks.
   */
  set(entries: ArrayLike<number>): void {
    if (entries.length !== this.size) throw new NetError('EINVAL', `indirection table needs ${this.size} entries, got ${entries.length}`);
    for (let i = 0; i < entries.length; i++) {
      const q = entries[i]!;
      if (!Number.isInteger(q) || q < 0 || q >= this.rings) throw new NetError('EINVAL', `indirection entry ${i} = ${q}: device has ${this.rings} RX ring(s)`);
    }
    for (let i = 0; i < entries.length; i++) this.table[i] = entries[i]!;
    this.userConfigured = true;
  }

  /**
   * The number of RX rings changed (`ethtool -L`). A default table is spread again over the new
   * count; a user's table is kept, and dropping a ring it still uses is EINVAL (ethtool_set_channels).
   */
  setRxRings(n: number): void {
    checkRings(n);
    if (this.userConfigured) {
      for (let i = 0; i < this.size; i++) {
        if (this.table[i]! >= n) throw new NetError('EINVAL', `indirection table uses ring ${this.table[i]}, cannot reduce to ${n} ring(s)`);
      }
      this.rings = n;
      return;
    }
    this.rings = n;
    this.fillDefault();
  }

  private fillDefault(): void {
    for (let i = 0; i < this.table.length; i++) this.table[i] = ethtoolRxfhIndirDefault(i, this.rings);
  }
}

function checkRings(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new NetError('EINVAL', `RX ring count ${n} must be at least 1`);
}

function checkStart(start: number): void {
  if (!Number.isInteger(start) || start < 0 || start > 0x7fff_ffff) throw new NetError('EINVAL', "Invalid 'start' value");
}
