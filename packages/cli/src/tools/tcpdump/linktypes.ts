/**
 * Link types as tcpdump names them (`pcap_datalink_val_to_name` / `_description`), from the
 * packet-socket package's table, and `-y NAME` back to a number.
 */
import { linktypeName } from '@netstack/packet-socket';

export function linktypeWords(linktype: number): { name: string; description: string | null } {
  const n = linktypeName(linktype);
  return n === null ? { name: String(linktype), description: null } : { name: n.name, description: n.description };
}

/** `, link-type EN10MB (Ethernet)`, or `, link-type 147` for a type without a name. */
export function linktypeText(linktype: number): string {
  const w = linktypeWords(linktype);
  return w.description === null ? `link-type ${linktype}` : `link-type ${w.name} (${w.description})`;
}

/** `pcap_datalink_name_to_val` for the names netstack knows (case-insensitive); -1 when unknown. */
export function linktypeByName(name: string): number {
  for (let lt = 0; lt < 300; lt++) {
    const n = linktypeName(lt);
    if (n !== null && n.name.toUpperCase() === name.toUpperCase()) return lt;
  }
  return -1;
}
