/**
 * Parsers for the values in a rule (`-s 10.0.0.0/8`, `-p tcp`, `--dport 1000:2000`,
 * `--icmp-type echo-request`), with the errors iptables gives for them, and their inverse
 * formatters for listings. Control plane only: these build strings freely.
 */
import { NetError } from '@netstack/core';
import { formatIpv4, maskLen, parseIpv4, prefixMask } from '../wire/inet-addr.js';
import { ICMP_TYPE_NAMES, PROTOCOL_NAMES, SERVICE_NAMES } from './names.js';

/** An unsigned number as `strtoul(s, NULL, 0)` reads a whole argument: hex `0x`, octal `0`, decimal. -1 if not one, or above `max`. */
export function parseUintBase0(text: string, max: number): number {
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(text)) v = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) v = parseInt(text, 8);
  else if (/^[1-9][0-9]*$/.test(text)) v = parseInt(text, 10);
  else return -1;
  return v <= max ? v : -1;
}

/** `xtables_parse_protocol`: a number 0..255, `all`, or a name; case is ignored. */
export function parseProtocol(text: string): number {
  const lower = text.toLowerCase();
  const n = parseUintBase0(lower, 255);
  if (n >= 0) return n;
  const named = PROTOCOL_NAMES.get(lower);
  if (named !== undefined) return named;
  throw new NetError('EINVAL', `unknown protocol "${text}" specified`);
}

/** The name listings print for a protocol number (`all` for 0), or the number. */
export function protocolName(proto: number): string {
  for (const [name, n] of PROTOCOL_NAMES) if (n === proto) return name;
  return String(proto);
}

/** The service name of a port (`getservbyport`), or the number. */
export function portName(port: number): string {
  for (const [name, n] of SERVICE_NAMES) if (n === port) return name;
  return String(port);
}

/** An address with its mask, both unsigned; the address is already masked. */
export interface AddrMask {
  addr: number;
  mask: number;
}

/**
 * `-s`/`-d` argument: `a.b.c.d`, `a.b.c.d/len` or `a.b.c.d/m.m.m.m`; `0` stands for 0.0.0.0
 * as in the idiom `0/0`. Host names are not resolved. The address is masked, as iptables does.
 */
export function parseAddrMask(text: string): AddrMask {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  let addr: number;
  if (host === '0') addr = 0;
  else {
    try {
      addr = parseIpv4(host);
    } catch {
      throw new NetError('EINVAL', `host/network \`${host}' not found`);
    }
  }
  let mask = 0xffffffff;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    if (m.includes('.')) {
      try {
        mask = parseIpv4(m);
      } catch {
        throw new NetError('EINVAL', `invalid mask \`${m}' specified`);
      }
    } else {
      if (!/^[0-9]{1,2}$/.test(m) || Number(m) > 32) throw new NetError('EINVAL', `invalid mask \`${m}' specified`);
      mask = prefixMask(Number(m));
    }
  }
  return { addr: (addr & mask) >>> 0, mask };
}

/** `xtables_ipaddr_to_numeric` + `xtables_ipmask_to_numeric`: `1.2.3.4` for /32, `10.0.0.0/8`, or a dotted mask with holes. */
export function formatAddrMask(addr: number, mask: number, slash32: boolean): string {
  const m = mask >>> 0;
  if (m === 0xffffffff && !slash32) return formatIpv4(addr >>> 0);
  const len = maskLen(m);
  return `${formatIpv4(addr >>> 0)}/${len >= 0 ? len : formatIpv4(m)}`;
}

/** One port: decimal 0..65535 or a service name. */
function parsePort(text: string, whole: string): number {
  if (/^[0-9]{1,5}$/.test(text) && Number(text) <= 65535) return Number(text);
  const named = SERVICE_NAMES.get(text);
  if (named !== undefined) return named;
  throw new NetError('EINVAL', `invalid port/service \`${whole}' specified`);
}

/** `--sport`/`--dport`: `port`, `min:max`, `:max` or `min:`. `option` names the long option for errors. */
export function parsePortRange(text: string, proto: string, option: string): [number, number] {
  const parts = text.split(':');
  if (parts.length > 2) throw new NetError('EINVAL', `${proto}: Too many components for option "${option}" (max: 2)`);
  if (parts.length === 1) {
    const p = parsePort(text, text);
    return [p, p];
  }
  const min = parts[0] === '' ? 0 : parsePort(parts[0]!, text);
  const max = parts[1] === '' ? 0xffff : parsePort(parts[1]!, text);
  if (min > max) throw new NetError('EINVAL', 'invalid portrange (min > max)');
  return [min, max];
}

/** An `--icmp-type`: type and code range. */
export interface IcmpTypeCode {
  type: number;
  codeMin: number;
  codeMax: number;
}

/**
 * `--icmp-type`: a name or an unambiguous prefix of one (case ignored), or `type[/code]`.
 */
export function parseIcmpType(text: string): IcmpTypeCode {
  const lower = text.toLowerCase();
  let found = -1;
  if (lower.length > 0) {
    for (let i = 0; i < ICMP_TYPE_NAMES.length; i++) {
      if (!ICMP_TYPE_NAMES[i]!.name.toLowerCase().startsWith(lower)) continue;
      if (found >= 0) {
        throw new NetError('EINVAL', `Ambiguous ICMP type \`${text}': \`${ICMP_TYPE_NAMES[found]!.name}' or \`${ICMP_TYPE_NAMES[i]!.name}'?`);
      }
      found = i;
    }
  }
  if (found >= 0) {
    const n = ICMP_TYPE_NAMES[found]!;
    return { type: n.type, codeMin: n.codeMin, codeMax: n.codeMax };
  }
  const slash = text.indexOf('/');
  const type = parseUintBase0(slash < 0 ? text : text.slice(0, slash), 255);
  if (type < 0) throw new NetError('EINVAL', `Unknown ICMP type \`${text}'`);
  if (slash < 0) return { type, codeMin: 0, codeMax: 0xff };
  const code = parseUintBase0(text.slice(slash + 1), 255);
  if (code < 0) throw new NetError('EINVAL', `Unknown ICMP code \`${text}'`);
  return { type, codeMin: code, codeMax: code };
}

/**
 * What `iptables -L` prints after ` icmp` (`print_icmptype`): without -n the table's name
 * (` echo-request`, ` !port-unreachable`); with -n, or unnamed, `type 8`, ` !type 3 code 3`.
 */
export function formatIcmpTypeList(type: number, codeMin: number, codeMax: number, invert: boolean, numeric: boolean): string {
  if (!numeric) {
    const n = ICMP_TYPE_NAMES.find((e) => e.type === type && e.codeMin === codeMin && e.codeMax === codeMax);
    if (n !== undefined) return ` ${invert ? '!' : ''}${n.name}`;
  }
  let s = `${invert ? ' !' : ''}type ${type}`;
  if (codeMin === codeMax) s += ` code ${codeMin}`;
  else if (codeMin !== 0 || codeMax !== 0xff) s += ` codes ${codeMin}-${codeMax}`;
  return s;
}

/** What `iptables -S` prints as the `--icmp-type` value: `any`, `8`, `3/3`. */
export function formatIcmpTypeSave(type: number, codeMin: number, codeMax: number): string {
  if (type === 0xff && codeMin === 0 && codeMax === 0xff) return 'any';
  if (codeMin === 0 && codeMax === 0xff) return String(type);
  if (codeMin === codeMax) return `${type}/${codeMin}`;
  return `${type}/${codeMin}:${codeMax}`;
}
