import { formatHexKey } from './netdev-rss-key.js';
import { RSS_HASH_FUNC_NAMES, type RssConfig } from './rss.js';

export interface EthtoolRxfhTextOptions {
  /**
   * Append the "RSS input transformation" section that ethtool 6.9 and later print
   * (netlink/rss.c; `symmetric-xor`, and `symmetric-or-xor` in current ethtool). Off by
   * default: the layout then is ethtool 6.1's, the version installed on the build machines.
   */
  inputXfrm?: boolean;
}

/**
 * `ethtool -x DEV` text: the indirection table in rows of 8 (`%5u: ` then ` %5u` per entry,
 * common.c `print_indir_table`), the key as colon-separated hex (`print_rss_hkey`) and the hash
 * functions with on/off. Checked byte for byte against ethtool 6.1 run on a faked device.
 */
export function formatEthtoolRxfh(devName: string, cfg: RssConfig, opts: EthtoolRxfhTextOptions = {}): string {
  let s = formatIndirTable(devName, cfg.indir.rxRings, cfg.indir.table);
  s += 'RSS hash key:\n';
  s += `${formatHexKey(cfg.key)}\n`;
  s += 'RSS hash function:\n';
  for (let i = 0; i < RSS_HASH_FUNC_NAMES.length; i++) s += `    ${RSS_HASH_FUNC_NAMES[i]}: ${cfg.hfunc & (1 << i) ? 'on' : 'off'}\n`;
  if (opts.inputXfrm === true) s += 'RSS input transformation:\n    symmetric-xor: off\n    symmetric-or-xor: off\n';
  return s;
}

/** The first part of `ethtool -x`: header line and the table, 8 entries per row. */
export function formatIndirTable(devName: string, rxRings: number, table: ArrayLike<number>): string {
  let s = `RX flow hash indirection table for ${devName} with ${rxRings} RX ring(s):\n`;
  if (table.length === 0) return `${s}Operation not supported\n`;
  for (let i = 0; i < table.length; i++) {
    if (i % 8 === 0) s += `${String(i).padStart(5)}: `;
    s += ` ${String(table[i]).padStart(5)}`;
    if (i % 8 === 7 || i === table.length - 1) s += '\n';
  }
  return s;
}
