/**
 * Primitives whose operand is a name, a number or an address, dispatched on the inherited
 * qualifier (libpcap `gen_scode`, `gen_ncode`, `gen_mcode`, `gen_mcode6`, `gen_ecode`).
 */
import { PcapFilterError, semanticError } from '../errors.js';
import type { Block } from '../ir.js';
import {
  IPPROTO, PROTO_UNDEF, atoin, etherAton, nameToEProto, nameToLlc, nameToPort, nameToProto, parseIPv6,
} from '../names.js';
import { type CompilerState, genOr } from './state.js';
import { genEhostop } from './link.js';
import { genHost, genHost6, genPortBoth, genPortrangeBoth, genProto } from './net.js';
import * as Q from './qual.js';

/** Resolves host names (`host NAME`) to address strings; libpcap uses DNS. */
export type HostResolver = (name: string) => readonly string[] | undefined;

/** /etc/networks, as getnetbyname reads it. */
const NETWORKS: ReadonlyMap<string, number> = new Map([
  ['loopback', 0x7f000000],
  ['link-local', 0xa9fe0000],
]);

function syntax(): never {
  throw new PcapFilterError('syntax error in filter expression', 'syntax');
}

function lookupProto(name: string, proto: number): number {
  switch (proto) {
    case Q.Q_DEFAULT:
    case Q.Q_IP:
    case Q.Q_IPV6: {
      const v = nameToProto(name);
      if (v === PROTO_UNDEF) semanticError(`unknown ip proto '${name}'`);
      return v;
    }
    case Q.Q_LINK: {
      let v = nameToEProto(name);
      if (v === PROTO_UNDEF) v = nameToLlc(name);
      if (v === PROTO_UNDEF) semanticError(`unknown ether proto '${name}'`);
      return v;
    }
    case Q.Q_ISO: {
      const v = ({ esis: 0x82, isis: 0x83, clnp: 0x81 } as Record<string, number>)[name];
      if (v === undefined) semanticError(`unknown osi proto '${name}'`);
      return v;
    }
    default:
      return PROTO_UNDEF;
  }
}

/** Narrow a port's protocol to the one the qualifier asks for. */
function portProto(proto: number, realProto: number, what: string, name: string): number {
  const wanted = proto === Q.Q_UDP ? IPPROTO.UDP : proto === Q.Q_TCP ? IPPROTO.TCP : proto === Q.Q_SCTP ? IPPROTO.SCTP : -2;
  if (wanted === -2) return realProto;
  const label: Record<number, string> = { [IPPROTO.TCP]: 'tcp', [IPPROTO.UDP]: 'udp', [IPPROTO.SCTP]: 'sctp' };
  if (realProto !== PROTO_UNDEF && realProto !== wanted) {
    semanticError(`${what} '${name}' is ${label[realProto]}`);
  }
  return wanted;
}

/** `pcap_nametoportrange`: `N-M` numerically, else two service names. */
function nameToPortrange(name: string): { p1: number; p2: number; proto: number } | null {
  const m = /^\s*([+-]?\d+)-\s*([+-]?\d+)/.exec(name);
  if (m) return { p1: Number(m[1]) >>> 0, p2: Number(m[2]) >>> 0, proto: PROTO_UNDEF };
  const dash = name.indexOf('-');
  if (dash < 0) return null;
  const a = nameToPort(name.slice(0, dash));
  if (!a) return null;
  const b = nameToPort(name.slice(dash + 1));
  if (!b) return null;
  return { p1: a.port, p2: b.port, proto: a.proto === b.proto ? a.proto : PROTO_UNDEF };
}

/** An identifier operand (`host NAME`, `port http`, `proto \tcp`, `net loopback`). */
export function genScode(cs: CompilerState, name: string, q: Q.Qual, resolve?: HostResolver): Block {
  const { proto, dir } = q;
  switch (q.addr) {
    case Q.Q_NET: {
      let addr = NETWORKS.get(name) ?? 0;
      if (addr === 0) semanticError(`unknown network '${name}'`);
      let mask = 0xffffffff;
      while (addr && (addr & 0xff000000) === 0) {
        addr = (addr << 8) >>> 0;
        mask = (mask << 8) >>> 0;
      }
      return genHost(cs, addr, mask, proto, dir, q.addr);
    }
    case Q.Q_DEFAULT:
    case Q.Q_HOST: {
      if (proto === Q.Q_LINK) return semanticError(`unknown ether host '${name}'`);
      if (proto === Q.Q_DECNET) return semanticError(`decnet name support not included, '${name}' cannot be translated\n`);
      const addrs = resolve?.(name);
      if (!addrs || addrs.length === 0) return semanticError(`unknown host '${name}'`);
      let b: Block | null = null;
      for (const a of addrs) {
        let tmp: Block;
        const v6 = parseIPv6(a);
        if (v6) {
          if (proto === Q.Q_ARP || proto === Q.Q_IP || proto === Q.Q_RARP) continue;
          tmp = genHost6(cs, v6, new Uint8Array(16).fill(0xff), proto, dir, q.addr);
        } else {
          if (proto === Q.Q_IPV6) continue;
          const v4 = atoin(a);
          if (!v4 || v4.bits !== 32) return semanticError(`resolver returned an invalid address '${a}'`);
          tmp = genHost(cs, v4.value, 0xffffffff, proto, dir, q.addr);
        }
        if (b) genOr(b, tmp);
        b = tmp;
      }
      if (!b) return semanticError(`unknown host '${name}'${proto === Q.Q_DEFAULT ? '' : ' for specified address family'}`);
      return b;
    }
    case Q.Q_PORT: {
      if (proto !== Q.Q_DEFAULT && proto !== Q.Q_UDP && proto !== Q.Q_TCP && proto !== Q.Q_SCTP) {
        semanticError("illegal qualifier of 'port'");
      }
      const p = nameToPort(name);
      if (!p) return semanticError(`unknown port '${name}'`);
      const real = portProto(proto, p.proto, 'port', name);
      return genPortBoth(cs, p.port, real, dir);
    }
    case Q.Q_PORTRANGE: {
      if (proto !== Q.Q_DEFAULT && proto !== Q.Q_UDP && proto !== Q.Q_TCP && proto !== Q.Q_SCTP) {
        semanticError("illegal qualifier of 'portrange'");
      }
      const r = nameToPortrange(name);
      if (!r) return semanticError(`unknown port in range '${name}'`);
      const real = portProto(proto, r.proto, 'port in range', name);
      if (r.p1 > 65535) semanticError(`illegal port number ${r.p1} > 65535`);
      if (r.p2 > 65535) semanticError(`illegal port number ${r.p2} > 65535`);
      return genPortrangeBoth(cs, r.p1, r.p2, real, dir);
    }
    case Q.Q_GATEWAY:
      return semanticError("'gateway' not supported in this configuration");
    case Q.Q_PROTO: {
      const real = lookupProto(name, proto);
      if (real < 0) return semanticError(`unknown protocol: ${name}`);
      return genProto(cs, real, proto, dir);
    }
    case Q.Q_PROTOCHAIN:
      throw new PcapFilterError("'protochain' is not supported by this compiler", 'unsupported');
    default:
      return syntax();
  }
}

/** A number or dotted IPv4 operand (`port 80`, `host 10.1.2.3`, `net 10`, `proto 6`). */
export function genNcode(cs: CompilerState, s: string | null, v: number, q: Q.Qual): Block {
  let proto = q.proto;
  const dir = q.dir;
  let vlen = 32;
  if (s !== null) {
    if (proto === Q.Q_DECNET) return semanticError('DECNET addresses are not supported here');
    const r = atoin(s);
    if (!r) return semanticError(`invalid IPv4 address '${s}'`);
    v = r.value;
    vlen = r.bits;
  }
  switch (q.addr) {
    case Q.Q_DEFAULT:
    case Q.Q_HOST:
    case Q.Q_NET: {
      if (proto === Q.Q_DECNET) return semanticError('DECNET addresses are not supported here');
      if (proto === Q.Q_LINK) return semanticError('illegal link layer address');
      let mask = 0xffffffff;
      if (s === null && q.addr === Q.Q_NET) {
        while (v && (v & 0xff000000) === 0) {
          v = (v << 8) >>> 0;
          mask = (mask << 8) >>> 0;
        }
      } else {
        v = shl32(v, 32 - vlen);
        mask = shl32(mask, 32 - vlen);
      }
      return genHost(cs, v, mask, proto, dir, q.addr);
    }
    case Q.Q_PORT:
    case Q.Q_PORTRANGE: {
      const what = q.addr === Q.Q_PORT ? 'port' : 'portrange';
      if (proto === Q.Q_UDP) proto = IPPROTO.UDP;
      else if (proto === Q.Q_TCP) proto = IPPROTO.TCP;
      else if (proto === Q.Q_SCTP) proto = IPPROTO.SCTP;
      else if (proto === Q.Q_DEFAULT) proto = PROTO_UNDEF;
      else semanticError(`illegal qualifier of '${what}'`);
      if (v > 65535) semanticError(`illegal port number ${v} > 65535`);
      return q.addr === Q.Q_PORT ? genPortBoth(cs, v, proto, dir) : genPortrangeBoth(cs, v, v, proto, dir);
    }
    case Q.Q_GATEWAY:
      return semanticError("'gateway' requires a name");
    case Q.Q_PROTO:
      return genProto(cs, v, proto, dir);
    case Q.Q_PROTOCHAIN:
      throw new PcapFilterError("'protochain' is not supported by this compiler", 'unsupported');
    default:
      return syntax();
  }
}

const shl32 = (v: number, n: number): number => (n >= 32 ? 0 : (v << n) >>> 0);

/** `a.b.c.d/len` or `a.b.c.d mask m.m.m.m` (networks only). */
export function genMcode(cs: CompilerState, s1: string, s2: string | null, masklen: number, q: Q.Qual): Block {
  const n0 = atoin(s1);
  if (!n0) return semanticError(`invalid IPv4 address '${s1}'`);
  const n = shl32(n0.value, 32 - n0.bits);
  let m: number;
  if (s2 !== null) {
    const m0 = atoin(s2);
    if (!m0) return semanticError(`invalid IPv4 address '${s2}'`);
    m = shl32(m0.value, 32 - m0.bits);
    if ((n & ~m) !== 0) semanticError(`non-network bits set in "${s1} mask ${s2}"`);
  } else {
    if (masklen > 32) semanticError('mask length must be <= 32');
    m = masklen === 0 ? 0 : shl32(0xffffffff, 32 - masklen);
    if ((n & ~m) !== 0) semanticError(`non-network bits set in "${s1}/${masklen}"`);
  }
  if (q.addr !== Q.Q_NET) return semanticError('Mask syntax for networks only');
  return genHost(cs, n, m, q.proto, q.dir, q.addr);
}

/** An IPv6 address, with an optional prefix length. */
export function genMcode6(cs: CompilerState, s: string, masklen: number, q: Q.Qual): Block {
  const addr = parseIPv6(s);
  if (!addr) return semanticError(`invalid ip6 address ${s}`);
  if (masklen > 128) semanticError('mask length must be <= 128');
  const mask = new Uint8Array(16);
  mask.fill(0xff, 0, masklen >> 3);
  if (masklen % 8) mask[masklen >> 3] = (0xff << (8 - (masklen % 8))) & 0xff;
  for (let i = 0; i < 16; i++) {
    if (addr[i]! & ~mask[i]!) semanticError(`non-network bits set in "${s}/${masklen}"`);
  }
  switch (q.addr) {
    case Q.Q_DEFAULT:
    case Q.Q_HOST:
      if (masklen !== 128) semanticError('Mask syntax for networks only');
      return genHost6(cs, addr, mask, q.proto, q.dir, q.addr);
    case Q.Q_NET:
      return genHost6(cs, addr, mask, q.proto, q.dir, q.addr);
    default:
      return semanticError('invalid qualifier against IPv6 address');
  }
}

/** A MAC address operand (`ether host 0:1:2:3:4:5`). */
export function genEcode(cs: CompilerState, s: string, q: Q.Qual): Block {
  if ((q.addr === Q.Q_HOST || q.addr === Q.Q_DEFAULT) && q.proto === Q.Q_LINK) {
    return genEhostop(cs, etherAton(s), q.dir);
  }
  return semanticError('ethernet address used in non-ether expression');
}
