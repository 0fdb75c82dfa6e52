/**
 * Link-layer code generation for Ethernet (DLT_EN10MB): the type/length field tests (Ethernet II
 * types, 802.2 SAPs, SNAP), MAC address tests, broadcast/multicast, and the encapsulations that
 * shift every later offset (`vlan`, `mpls`).
 */
import { BPF_JSET, BPF_B, BPF_H, BPF_W, SKF_AD_OFF, SKF_AD_PKTTYPE, SKF_AD_IFINDEX } from '@netstack/core';
import { semanticError } from '../errors.js';
import type { Block } from '../ir.js';
import { ETHERTYPE, LLCSAP } from '../names.js';
import {
  type CompilerState, OffRel, genAnd, genBcmp, genCmp, genCmpGe, genCmpGt, genLoadA, genMcmp, genNot,
  genOr, newBlock, JMP,
} from './state.js';
import { Q_AND, Q_DEFAULT, Q_DST, Q_IP, Q_IPV6, Q_LINK, Q_OR, Q_SRC } from './qual.js';

const ETHERMTU = 1500;

/** Check for an 802.3 frame (length field ≤ 1500). */
function gen8023(cs: CompilerState): Block {
  const b0 = genCmpGt(cs, OffRel.LINKTYPE, 0, BPF_H, ETHERMTU);
  genNot(b0);
  return b0;
}

/** LLC + SNAP header with the given OUI and protocol id. */
export function genSnap(cs: CompilerState, orgcode: number, ptype: number): Block {
  const snap = Uint8Array.from([
    LLCSAP.SNAP, LLCSAP.SNAP, 0x03, (orgcode >> 16) & 0xff, (orgcode >> 8) & 0xff, orgcode & 0xff,
    (ptype >> 8) & 0xff, ptype & 0xff,
  ]);
  return genBcmp(cs, OffRel.LLC, 0, snap);
}

/** `gen_ether_linktype`: an Ethernet type (> 1500) or an 802.2 SAP (≤ 1500). */
function genEtherLinktype(cs: CompilerState, proto: number): Block {
  switch (proto) {
    case LLCSAP.ISONS:
    case LLCSAP.IP:
    case LLCSAP.NETBEUI: {
      const b0 = gen8023(cs);
      const b1 = genCmp(cs, OffRel.LLC, 0, BPF_H, (proto << 8) | proto);
      genAnd(b0, b1);
      return b1;
    }
    case LLCSAP.IPX: {
      let b0 = genCmp(cs, OffRel.LLC, 0, BPF_B, LLCSAP.IPX);
      const b1 = genCmp(cs, OffRel.LLC, 0, BPF_H, 0xffff);
      genOr(b0, b1);
      b0 = genSnap(cs, 0x000000, ETHERTYPE.IPX);
      genOr(b0, b1);
      b0 = gen8023(cs);
      genAnd(b0, b1);
      b0 = genCmp(cs, OffRel.LINKTYPE, 0, BPF_H, ETHERTYPE.IPX);
      genOr(b0, b1);
      return b1;
    }
    case ETHERTYPE.ATALK:
    case ETHERTYPE.AARP: {
      let b0 = gen8023(cs);
      const b1 = proto === ETHERTYPE.ATALK
        ? genSnap(cs, 0x080007, ETHERTYPE.ATALK)
        : genSnap(cs, 0x000000, ETHERTYPE.AARP);
      genAnd(b0, b1);
      b0 = genCmp(cs, OffRel.LINKTYPE, 0, BPF_H, proto);
      genOr(b0, b1);
      return b1;
    }
    default:
      if (proto <= ETHERMTU) {
        const b0 = gen8023(cs);
        const b1 = genCmp(cs, OffRel.LINKTYPE, 2, BPF_B, proto);
        genAnd(b0, b1);
        return b1;
      }
      return genCmp(cs, OffRel.LINKTYPE, 0, BPF_H, proto);
  }
}

/** IPv4/IPv6 inside MPLS: bottom-of-stack bit, then the IP version nibble. */
function genMplsLinktype(cs: CompilerState, proto: number): Block {
  if (proto !== ETHERTYPE.IP && proto !== ETHERTYPE.IPV6) {
    return semanticError('unsupported protocol over mpls');
  }
  const b0 = genMcmp(cs, OffRel.LINKPL, -2 >>> 0, BPF_B, 0x01, 0x01);
  const b1 = genMcmp(cs, OffRel.LINKPL, 0, BPF_B, proto === ETHERTYPE.IP ? 0x40 : 0x60, 0xf0);
  genAnd(b0, b1);
  return b1;
}

/** `gen_linktype`: match the link-layer protocol. */
export function genLinktype(cs: CompilerState, proto: number): Block {
  if (cs.labelStackDepth > 0) return genMplsLinktype(cs, proto);
  return genEtherLinktype(cs, proto);
}

const DIR_802_11: Record<number, string> = {
  5: "'addr1' and 'address1' are only supported on 802.11 with 802.11 headers",
  6: "'addr2' and 'address2' are only supported on 802.11 with 802.11 headers",
  7: "'addr3' and 'address3' are only supported on 802.11 with 802.11 headers",
  8: "'addr4' and 'address4' are only supported on 802.11 with 802.11 headers",
  9: "'ra' is only supported on 802.11 with 802.11 headers",
  10: "'ta' is only supported on 802.11 with 802.11 headers",
};

/** Ethernet source/destination address tests. */
export function genEhostop(cs: CompilerState, eaddr: Uint8Array, dir: number): Block {
  switch (dir) {
    case Q_SRC:
      return genBcmp(cs, OffRel.LINKHDR, 6, eaddr);
    case Q_DST:
      return genBcmp(cs, OffRel.LINKHDR, 0, eaddr);
    case Q_AND: {
      const b0 = genEhostop(cs, eaddr, Q_SRC);
      const b1 = genEhostop(cs, eaddr, Q_DST);
      genAnd(b0, b1);
      return b1;
    }
    case Q_DEFAULT:
    case Q_OR: {
      const b0 = genEhostop(cs, eaddr, Q_SRC);
      const b1 = genEhostop(cs, eaddr, Q_DST);
      genOr(b0, b1);
      return b1;
    }
  }
  return semanticError(DIR_802_11[dir] ?? 'invalid direction');
}

const EBROADCAST = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export function genBroadcast(cs: CompilerState, proto: number): Block {
  if (proto === Q_DEFAULT || proto === Q_LINK) return genEhostop(cs, EBROADCAST, Q_DST);
  if (proto === Q_IP) {
    if (cs.netmask >>> 0 === 0xffffffff) {
      return semanticError("netmask not known, so 'ip broadcast' not supported");
    }
    const b0 = genLinktype(cs, ETHERTYPE.IP);
    const hostmask = ~cs.netmask >>> 0;
    const b1 = genMcmp(cs, OffRel.LINKPL, 16, BPF_W, 0, hostmask);
    const b2 = genMcmp(cs, OffRel.LINKPL, 16, BPF_W, hostmask, hostmask);
    genOr(b1, b2);
    genAnd(b0, b2);
    return b2;
  }
  return semanticError('only link-layer/IP broadcast filters supported');
}

export function genMulticast(cs: CompilerState, proto: number): Block {
  if (proto === Q_DEFAULT || proto === Q_LINK) {
    const b0 = newBlock(JMP(BPF_JSET), 1);
    b0.stmts = genLoadA(cs, OffRel.LINKHDR, 0, BPF_B);
    return b0;
  }
  if (proto === Q_IP) {
    const b0 = genLinktype(cs, ETHERTYPE.IP);
    const b1 = genCmpGe(cs, OffRel.LINKPL, 16, BPF_B, 224);
    genAnd(b0, b1);
    return b1;
  }
  if (proto === Q_IPV6) {
    const b0 = genLinktype(cs, ETHERTYPE.IPV6);
    const b1 = genCmp(cs, OffRel.LINKPL, 24, BPF_B, 255);
    genAnd(b0, b1);
    return b1;
  }
  return semanticError(
    'link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel',
  );
}

/**
 * `vlan [id]`: a VLAN TPID (802.1Q, 802.1ad, 0x9100) and optionally the VID; every later test
 * then looks 4 bytes further in, which is what makes `vlan and ip` work (and `vlan or ip` odd).
 */
export function genVlan(cs: CompilerState, vlanNum: number, hasTag: boolean): Block {
  if (cs.labelStackDepth > 0) return semanticError('no VLAN match after MPLS');
  let b0 = genLinktype(cs, ETHERTYPE.VLAN_8021Q);
  let b1 = genLinktype(cs, ETHERTYPE.VLAN_8021AD);
  genOr(b0, b1);
  b0 = b1;
  b1 = genLinktype(cs, ETHERTYPE.VLAN_QINQ);
  genOr(b0, b1);
  b0 = b1;
  if (hasTag) {
    if (vlanNum > 0x0fff) semanticError(`VLAN tag ${vlanNum} greater than maximum ${0x0fff}`);
    const b2 = genMcmp(cs, OffRel.LINKPL, 0, BPF_H, vlanNum, 0x0fff);
    genAnd(b0, b2);
    b0 = b2;
  }
  cs.offLinkpl.constantPart += 4;
  cs.offLinktype.constantPart += 4;
  cs.vlanStackDepth++;
  return b0;
}

/** `mpls [label]`: MPLS ethertype (or bottom-of-stack clear inside MPLS), optional label. */
export function genMpls(cs: CompilerState, label: number, hasLabel: boolean): Block {
  let b0 = cs.labelStackDepth > 0
    ? genMcmp(cs, OffRel.PREVMPLSHDR, 2, BPF_B, 0, 0x01)
    : genLinktype(cs, ETHERTYPE.MPLS);
  if (hasLabel) {
    if (label > 0xfffff) semanticError(`MPLS label ${label} greater than maximum ${0xfffff}`);
    const b1 = genMcmp(cs, OffRel.LINKPL, 0, BPF_W, (label << 12) >>> 0, 0xfffff000);
    genAnd(b0, b1);
    b0 = b1;
  }
  cs.offNlNosnap += 4;
  cs.offNl += 4;
  cs.labelStackDepth++;
  return b0;
}

/** `llc`: an 802.3 frame whose DSAP/SSAP are not 0xFFFF (NetWare raw 802.3). */
export function genLlc(cs: CompilerState): Block {
  const b0 = gen8023(cs);
  const b1 = genCmp(cs, OffRel.LLC, 0, BPF_H, 0xffff);
  genNot(b1);
  genAnd(b0, b1);
  return b1;
}

/** `inbound`/`outbound`: the Linux packet-type ancillary field (live captures only). */
export function genInbound(cs: CompilerState, outbound: boolean): Block {
  const b0 = genCmp(cs, OffRel.LINKHDR, (SKF_AD_OFF + SKF_AD_PKTTYPE) >>> 0, BPF_H, 4);
  if (!outbound) genNot(b0);
  return b0;
}

export function genIfindex(cs: CompilerState, ifindex: number): Block {
  return genCmp(cs, OffRel.LINKHDR, (SKF_AD_OFF + SKF_AD_IFINDEX) >>> 0, BPF_W, ifindex);
}
