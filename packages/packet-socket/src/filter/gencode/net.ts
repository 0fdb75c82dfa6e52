/**
 * Network- and transport-layer code generation: IPv4/IPv6/ARP address tests, protocol tests
 * (`ip proto`, `tcp`, ...; IPv6 also behind one fragment header), ports and port ranges. For
 * `host`/`port` without a protocol both IPv4 and IPv6 (and ARP/RARP for hosts) are generated,
 * in libpcap's order, because the emitted program depends on it.
 */
import { BPF_B, BPF_H, BPF_JSET, BPF_W } from '@netstack/core';
import { semanticError } from '../errors.js';
import type { Block } from '../ir.js';
import { ETHERTYPE, IPPROTO, LLCSAP, PROTO_UNDEF } from '../names.js';
import {
  type CompilerState, OffRel, genAnd, genCmp, genCmpGe, genCmpLe, genLoadA, genMcmp, genNot,
  genOr, newBlock, JMP,
} from './state.js';
import { genLinktype } from './link.js';
import * as Q from './qual.js';

function dirError(dir: number, what: string): never {
  const plural: Record<number, string> = {
    [Q.Q_ADDR1]: "'addr1' and 'address1'",
    [Q.Q_ADDR2]: "'addr2' and 'address2'",
    [Q.Q_ADDR3]: "'addr3' and 'address3'",
    [Q.Q_ADDR4]: "'addr4' and 'address4'",
  };
  const single: Record<number, string> = { [Q.Q_RA]: "'ra'", [Q.Q_TA]: "'ta'" };
  if (plural[dir]) return semanticError(`${plural[dir]} are not valid qualifiers for ${what}`);
  return semanticError(`${single[dir] ?? 'direction'} is not a valid qualifier for ${what}`);
}

export function genHostop(
  cs: CompilerState, addr: number, mask: number, dir: number, proto: number, srcOff: number, dstOff: number,
): Block {
  let offset: number;
  switch (dir) {
    case Q.Q_SRC:
      offset = srcOff;
      break;
    case Q.Q_DST:
      offset = dstOff;
      break;
    case Q.Q_AND:
    case Q.Q_DEFAULT:
    case Q.Q_OR: {
      const b0 = genHostop(cs, addr, mask, Q.Q_SRC, proto, srcOff, dstOff);
      const b1 = genHostop(cs, addr, mask, Q.Q_DST, proto, srcOff, dstOff);
      if (dir === Q.Q_AND) genAnd(b0, b1);
      else genOr(b0, b1);
      return b1;
    }
    default:
      return dirError(dir, 'addresses other than 802.11 MAC addresses');
  }
  const b0 = genLinktype(cs, proto);
  const b1 = genMcmp(cs, OffRel.LINKPL, offset, BPF_W, addr, mask);
  genAnd(b0, b1);
  return b1;
}

export function genHostop6(
  cs: CompilerState, addr: Uint8Array, mask: Uint8Array, dir: number, proto: number, srcOff: number, dstOff: number,
): Block {
  let offset: number;
  switch (dir) {
    case Q.Q_SRC:
      offset = srcOff;
      break;
    case Q.Q_DST:
      offset = dstOff;
      break;
    case Q.Q_AND:
    case Q.Q_DEFAULT:
    case Q.Q_OR: {
      const b0 = genHostop6(cs, addr, mask, Q.Q_SRC, proto, srcOff, dstOff);
      const b1 = genHostop6(cs, addr, mask, Q.Q_DST, proto, srcOff, dstOff);
      if (dir === Q.Q_AND) genAnd(b0, b1);
      else genOr(b0, b1);
      return b1;
    }
    default:
      return dirError(dir, 'addresses other than 802.11 MAC addresses');
  }
  const w = (a: Uint8Array, i: number): number =>
    ((a[4 * i]! << 24) | (a[4 * i + 1]! << 16) | (a[4 * i + 2]! << 8) | a[4 * i + 3]!) >>> 0;
  // "this order is important": last word first.
  const b1 = genMcmp(cs, OffRel.LINKPL, offset + 12, BPF_W, w(addr, 3), w(mask, 3));
  let b0 = genMcmp(cs, OffRel.LINKPL, offset + 8, BPF_W, w(addr, 2), w(mask, 2));
  genAnd(b0, b1);
  b0 = genMcmp(cs, OffRel.LINKPL, offset + 4, BPF_W, w(addr, 1), w(mask, 1));
  genAnd(b0, b1);
  b0 = genMcmp(cs, OffRel.LINKPL, offset, BPF_W, w(addr, 0), w(mask, 0));
  genAnd(b0, b1);
  b0 = genLinktype(cs, proto);
  genAnd(b0, b1);
  return b1;
}

/** An IPv4 host/net with a protocol qualifier (`gen_host`). */
export function genHost(cs: CompilerState, addr: number, mask: number, proto: number, dir: number, type: number): Block {
  const typestr = type === Q.Q_NET ? 'net' : 'host';
  switch (proto) {
    case Q.Q_DEFAULT: {
      let b0 = genHost(cs, addr, mask, Q.Q_IP, dir, type);
      if (cs.labelStackDepth === 0) {
        const b1 = genHost(cs, addr, mask, Q.Q_ARP, dir, type);
        genOr(b0, b1);
        b0 = genHost(cs, addr, mask, Q.Q_RARP, dir, type);
        genOr(b1, b0);
      }
      return b0;
    }
    case Q.Q_IP:
      return genHostop(cs, addr, mask, dir, ETHERTYPE.IP, 12, 16);
    case Q.Q_RARP:
      return genHostop(cs, addr, mask, dir, ETHERTYPE.REVARP, 14, 24);
    case Q.Q_ARP:
      return genHostop(cs, addr, mask, dir, ETHERTYPE.ARP, 14, 24);
    case Q.Q_LINK:
      return semanticError(`link-layer modifier applied to ${typestr}`);
    case Q.Q_IPV6:
      return semanticError("'ip6' modifier applied to ip host");
    case Q.Q_ATALK:
      return semanticError('AppleTalk host filtering not implemented');
    case Q.Q_DECNET:
      return semanticError('DECNET host filtering not supported here');
    case Q.Q_LAT:
    case Q.Q_SCA:
    case Q.Q_MOPRC:
    case Q.Q_MOPDL:
    case Q.Q_AARP:
    case Q.Q_ISO:
    case Q.Q_IPX:
      return semanticError(`${Q.PROTO_NAME.get(proto)!.toUpperCase()} host filtering not implemented`);
    default:
      return semanticError(`'${Q.PROTO_NAME.get(proto) ?? '?'}' modifier applied to ${typestr}`);
  }
}

export function genHost6(
  cs: CompilerState, addr: Uint8Array, mask: Uint8Array, proto: number, dir: number, type: number,
): Block {
  const typestr = type === Q.Q_NET ? 'net' : 'host';
  switch (proto) {
    case Q.Q_DEFAULT:
    case Q.Q_IPV6:
      return genHostop6(cs, addr, mask, dir, ETHERTYPE.IPV6, 8, 24);
    case Q.Q_LINK:
      return semanticError(`link-layer modifier applied to ip6 ${typestr}`);
    case Q.Q_ATALK:
      return semanticError(`AppleTalk modifier applied to ip6 ${typestr}`);
    default:
      return semanticError(`'${Q.PROTO_NAME.get(proto) ?? '?'}' modifier applied to ip6 ${typestr}`);
  }
}

/** Not an IPv4 fragment other than the first (`ip[6:2] & 0x1fff == 0`). */
export function genIpfrag(cs: CompilerState): Block {
  const b = newBlock(JMP(BPF_JSET), 0x1fff);
  b.stmts = genLoadA(cs, OffRel.LINKPL, 6, BPF_H);
  genNot(b);
  return b;
}

type PortAtom = (cs: CompilerState, off: number, v1: number, v2: number) => Block;

const portAtom4: PortAtom = (cs, off, v) => genCmp(cs, OffRel.TRAN_IPV4, off, BPF_H, v);
const portAtom6: PortAtom = (cs, off, v) => genCmp(cs, OffRel.TRAN_IPV6, off, BPF_H, v);
const rangeAtom = (rel: OffRel): PortAtom => (cs, off, v1, v2) => {
  if (v1 > v2) [v1, v2] = [v2, v1];
  const b1 = genCmpGe(cs, rel, off, BPF_H, v1);
  const b2 = genCmpLe(cs, rel, off, BPF_H, v2);
  genAnd(b1, b2);
  return b2;
};
const rangeAtom4 = rangeAtom(OffRel.TRAN_IPV4);
const rangeAtom6 = rangeAtom(OffRel.TRAN_IPV6);

function portDir(cs: CompilerState, atom: PortAtom, p1: number, p2: number, dir: number, what: string): Block {
  switch (dir) {
    case Q.Q_SRC:
      return atom(cs, 0, p1, p2);
    case Q.Q_DST:
      return atom(cs, 2, p1, p2);
    case Q.Q_AND:
    case Q.Q_DEFAULT:
    case Q.Q_OR: {
      const tmp = atom(cs, 0, p1, p2);
      const b1 = atom(cs, 2, p1, p2);
      if (dir === Q.Q_AND) genAnd(tmp, b1);
      else genOr(tmp, b1);
      return b1;
    }
    default:
      return dirError(dir, what);
  }
}

/** `gen_portop` / `gen_portrangeop`: IPv4 protocol, not a later fragment, then the port test. */
function portOp4(cs: CompilerState, atom: PortAtom, p1: number, p2: number, proto: number, dir: number, what: string): Block {
  const tmp = genCmp(cs, OffRel.LINKPL, 9, BPF_B, proto);
  const b0 = genIpfrag(cs);
  genAnd(tmp, b0);
  const b1 = portDir(cs, atom, p1, p2, dir, what);
  genAnd(b0, b1);
  return b1;
}

function portOp6(cs: CompilerState, atom: PortAtom, p1: number, p2: number, proto: number, dir: number, what: string): Block {
  const b0 = genCmp(cs, OffRel.LINKPL, 6, BPF_B, proto);
  const b1 = portDir(cs, atom, p1, p2, dir, what);
  genAnd(b0, b1);
  return b1;
}

function portAll(
  cs: CompilerState, ethertype: number, op: typeof portOp4, atom: PortAtom, p1: number, p2: number,
  ipProto: number, dir: number, what: string,
): Block {
  const b0 = genLinktype(cs, ethertype);
  let b1: Block;
  if (ipProto === PROTO_UNDEF) {
    let tmp = op(cs, atom, p1, p2, IPPROTO.TCP, dir, what);
    b1 = op(cs, atom, p1, p2, IPPROTO.UDP, dir, what);
    genOr(tmp, b1);
    tmp = op(cs, atom, p1, p2, IPPROTO.SCTP, dir, what);
    genOr(tmp, b1);
  } else {
    b1 = op(cs, atom, p1, p2, ipProto, dir, what);
  }
  genAnd(b0, b1);
  return b1;
}

/** `port N`: IPv4 then IPv6 alternatives, ORed with the IPv6 one first. */
export function genPortBoth(cs: CompilerState, port: number, ipProto: number, dir: number): Block {
  const b = portAll(cs, ETHERTYPE.IP, portOp4, portAtom4, port, port, ipProto, dir, 'ports');
  genOr(portAll(cs, ETHERTYPE.IPV6, portOp6, portAtom6, port, port, ipProto, dir, 'ports'), b);
  return b;
}

export function genPortrangeBoth(cs: CompilerState, p1: number, p2: number, ipProto: number, dir: number): Block {
  const b = portAll(cs, ETHERTYPE.IP, portOp4, rangeAtom4, p1, p2, ipProto, dir, 'port ranges');
  genOr(portAll(cs, ETHERTYPE.IPV6, portOp6, rangeAtom6, p1, p2, ipProto, dir, 'port ranges'), b);
  return b;
}

const ISO8473_CLNP = 0x81;
const ISO9542_ESIS = 0x82;
const ISO10589_ISIS = 0x83;

/** `gen_proto`: "protocol `v` inside `proto`"; with no qualifier, IPv4 or IPv6. */
export function genProto(cs: CompilerState, v: number, proto: number, dir: number): Block {
  if (dir !== Q.Q_DEFAULT) semanticError("direction applied to 'proto'");
  switch (proto) {
    case Q.Q_DEFAULT: {
      const b0 = genProto(cs, v, Q.Q_IP, dir);
      const b1 = genProto(cs, v, Q.Q_IPV6, dir);
      genOr(b0, b1);
      return b1;
    }
    case Q.Q_LINK:
      return genLinktype(cs, v);
    case Q.Q_IP: {
      const b0 = genLinktype(cs, ETHERTYPE.IP);
      const b1 = genCmp(cs, OffRel.LINKPL, 9, BPF_B, v);
      genAnd(b0, b1);
      return b1;
    }
    case Q.Q_IPV6: {
      const b0 = genLinktype(cs, ETHERTYPE.IPV6);
      let b2 = genCmp(cs, OffRel.LINKPL, 6, BPF_B, IPPROTO.FRAGMENT);
      const b1 = genCmp(cs, OffRel.LINKPL, 40, BPF_B, v);
      genAnd(b2, b1);
      b2 = genCmp(cs, OffRel.LINKPL, 6, BPF_B, v);
      genOr(b2, b1);
      genAnd(b0, b1);
      return b1;
    }
    case Q.Q_ISO: {
      const b0 = genLinktype(cs, LLCSAP.ISONS);
      const b1 = genCmp(cs, OffRel.LINKPL_NOSNAP, 0, BPF_B, v);
      genAnd(b0, b1);
      return b1;
    }
    case Q.Q_ISIS: {
      const b0 = genProto(cs, ISO10589_ISIS, Q.Q_ISO, Q.Q_DEFAULT);
      const b1 = genCmp(cs, OffRel.LINKPL_NOSNAP, 4, BPF_B, v);
      genAnd(b0, b1);
      return b1;
    }
    case Q.Q_ARP:
      return semanticError('arp does not encapsulate another protocol');
    case Q.Q_RARP:
      return semanticError('rarp does not encapsulate another protocol');
    case Q.Q_ATALK:
      return semanticError('AppleTalk encapsulation is not specifiable');
    case Q.Q_DECNET:
      return semanticError('DECNET encapsulation is not specifiable');
    case Q.Q_LAT:
    case Q.Q_SCA:
    case Q.Q_MOPRC:
    case Q.Q_MOPDL:
      return semanticError(`${Q.PROTO_NAME.get(proto)!.toUpperCase()} does not encapsulate another protocol`);
    case Q.Q_CLNP:
      return semanticError("'clnp proto' is not supported");
    default:
      return semanticError(`'${Q.PROTO_NAME.get(proto) ?? '?'} proto' is bogus`);
  }
}

/** A bare protocol keyword (`tcp`, `ip6`, `arp`...): `gen_proto_abbrev`. */
export function genProtoAbbrev(cs: CompilerState, proto: number): Block {
  const ISIS = (pdus: number[]): Block => {
    const first = genProto(cs, pdus[0]!, Q.Q_ISIS, Q.Q_DEFAULT);
    const b1 = genProto(cs, pdus[1]!, Q.Q_ISIS, Q.Q_DEFAULT);
    genOr(first, b1);
    for (const p of pdus.slice(2)) {
      const b0 = genProto(cs, p, Q.Q_ISIS, Q.Q_DEFAULT);
      genOr(b0, b1);
    }
    return b1;
  };
  switch (proto) {
    case Q.Q_SCTP: return genProto(cs, IPPROTO.SCTP, Q.Q_DEFAULT, Q.Q_DEFAULT);
    case Q.Q_TCP: return genProto(cs, IPPROTO.TCP, Q.Q_DEFAULT, Q.Q_DEFAULT);
    case Q.Q_UDP: return genProto(cs, IPPROTO.UDP, Q.Q_DEFAULT, Q.Q_DEFAULT);
    case Q.Q_ICMP: return genProto(cs, IPPROTO.ICMP, Q.Q_IP, Q.Q_DEFAULT);
    case Q.Q_IGMP: return genProto(cs, IPPROTO.IGMP, Q.Q_IP, Q.Q_DEFAULT);
    case Q.Q_IGRP: return genProto(cs, IPPROTO.IGRP, Q.Q_IP, Q.Q_DEFAULT);
    case Q.Q_PIM: return genProto(cs, IPPROTO.PIM, Q.Q_DEFAULT, Q.Q_DEFAULT);
    case Q.Q_VRRP: return genProto(cs, IPPROTO.VRRP, Q.Q_IP, Q.Q_DEFAULT);
    case Q.Q_CARP: return genProto(cs, IPPROTO.VRRP, Q.Q_IP, Q.Q_DEFAULT);
    case Q.Q_IP: return genLinktype(cs, ETHERTYPE.IP);
    case Q.Q_ARP: return genLinktype(cs, ETHERTYPE.ARP);
    case Q.Q_RARP: return genLinktype(cs, ETHERTYPE.REVARP);
    case Q.Q_LINK: return semanticError('link layer applied in wrong context');
    case Q.Q_ATALK: return genLinktype(cs, ETHERTYPE.ATALK);
    case Q.Q_AARP: return genLinktype(cs, ETHERTYPE.AARP);
    case Q.Q_DECNET: return genLinktype(cs, ETHERTYPE.DN);
    case Q.Q_SCA: return genLinktype(cs, ETHERTYPE.SCA);
    case Q.Q_LAT: return genLinktype(cs, ETHERTYPE.LAT);
    case Q.Q_MOPDL: return genLinktype(cs, ETHERTYPE.MOPDL);
    case Q.Q_MOPRC: return genLinktype(cs, ETHERTYPE.MOPRC);
    case Q.Q_IPV6: return genLinktype(cs, ETHERTYPE.IPV6);
    case Q.Q_ICMPV6: return genProto(cs, IPPROTO.ICMPV6, Q.Q_IPV6, Q.Q_DEFAULT);
    case Q.Q_AH: return genProto(cs, IPPROTO.AH, Q.Q_DEFAULT, Q.Q_DEFAULT);
    case Q.Q_ESP: return genProto(cs, IPPROTO.ESP, Q.Q_DEFAULT, Q.Q_DEFAULT);
    case Q.Q_ISO: return genLinktype(cs, LLCSAP.ISONS);
    case Q.Q_ESIS: return genProto(cs, ISO9542_ESIS, Q.Q_ISO, Q.Q_DEFAULT);
    case Q.Q_ISIS: return genProto(cs, ISO10589_ISIS, Q.Q_ISO, Q.Q_DEFAULT);
    case Q.Q_ISIS_L1: return ISIS([15, 17, 18, 24, 26]);
    case Q.Q_ISIS_L2: return ISIS([16, 17, 20, 25, 27]);
    case Q.Q_ISIS_IIH: return ISIS([15, 16, 17]);
    case Q.Q_ISIS_LSP: return ISIS([18, 20]);
    case Q.Q_ISIS_SNP: return ISIS([24, 25, 26, 27]);
    case Q.Q_ISIS_CSNP: return ISIS([24, 25]);
    case Q.Q_ISIS_PSNP: return ISIS([26, 27]);
    case Q.Q_CLNP: return genProto(cs, ISO8473_CLNP, Q.Q_ISO, Q.Q_DEFAULT);
    case Q.Q_STP: return genLinktype(cs, LLCSAP.STP);
    case Q.Q_IPX: return genLinktype(cs, LLCSAP.IPX);
    case Q.Q_NETBEUI: return genLinktype(cs, LLCSAP.NETBEUI);
    case Q.Q_RADIO: return semanticError("'radio' is not a valid protocol type");
    default: return semanticError('unknown protocol');
  }
}
