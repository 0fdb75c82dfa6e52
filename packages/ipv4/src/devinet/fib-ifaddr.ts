import { IFF_LOOPBACK, NetError, type NetDevice } from '@netstack/core';
import type { Fib } from '../fib/fib.js';
import {
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_UNICAST,
  RTPROT_KERNEL,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibRoute,
} from '../fib/types.js';
import { IFA_F_NOPREFIXROUTE, IFA_F_SECONDARY } from '../stack-types.js';
import type { Ifaddr, InDev } from './in-device.js';

/**
 * The routes an address brings (net/ipv4/fib_frontend.c `fib_add_ifaddr` / `fib_del_ifaddr`,
 * both through `fib_magic`): a `local` /32 in table local (scope host), a `broadcast` for the
 * subnet's broadcast address and for an explicit `brd`, and the prefix route in table main
 * (scope link, proto kernel, `src` = the subnet's primary address).
 */

/** `fib_magic(RTM_NEWROUTE, ...)`: add a kernel route; an identical one already there is fine (EEXIST ignored). */
export function fibMagicAdd(fib: Fib, type: number, dst: number, dstLen: number, prim: Ifaddr, priority: number): void {
  const dev = prim.dev;
  const route: FibRoute = {
    dst: dstLen === 0 ? 0 : (dst & ((0xffffffff << (32 - dstLen)) >>> 0)) >>> 0,
    dstLen,
    tos: 0,
    type,
    // fib_magic: RTN_UNICAST goes to main, local and broadcast to local.
    table: type === RTN_UNICAST ? RT_TABLE_MAIN : RT_TABLE_LOCAL,
    protocol: RTPROT_KERNEL,
    scope: type === RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK,
    priority,
    prefsrc: prim.local,
    mtu: 0,
    nhs: [
      {
        dev,
        gw: 0,
        weight: 1,
        // fib_create_info: host-scope routes get a NOWHERE nexthop; device routes a HOST one (fib_check_nh).
        scope: type === RTN_LOCAL ? RT_SCOPE_NOWHERE : RT_SCOPE_HOST,
        // The FIB marks LINKDOWN itself from the carrier (fib_check_nh).
        flags: 0,
        upperBound: 0,
        cache: null,
      },
    ],
  };
  try {
    // NLM_F_CREATE | NLM_F_APPEND: the same address on two devices gives two local routes.
    fib.addRoute(route, { append: true });
  } catch (err) {
    if (!(err instanceof NetError && err.code === 'EEXIST')) throw err;
  }
}

/** `fib_magic(RTM_DELROUTE, ...)`: remove the kernel route of that type, prefix, source and device, if any. */
export function fibMagicDel(fib: Fib, type: number, dst: number, dstLen: number, prim: Ifaddr): void {
  const table = type === RTN_UNICAST ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
  const prefix = dstLen === 0 ? 0 : (dst & ((0xffffffff << (32 - dstLen)) >>> 0)) >>> 0;
  for (const r of fib.routes(table)) {
    if (r.dst !== prefix || r.dstLen !== dstLen || r.type !== type || r.protocol !== RTPROT_KERNEL) continue;
    if (r.prefsrc !== prim.local) continue;
    if (!r.nhs.some((nh) => nh.dev === prim.dev)) continue;
    fib.delRoute({ dst: r.dst, dstLen: r.dstLen, table, type: r.type, tos: r.tos, priority: r.priority, prefsrc: r.prefsrc, protocol: r.protocol, scope: r.scope, nhs: r.nhs });
    return;
  }
}

function isLoopback(dev: NetDevice): boolean {
  return (dev.flags & IFF_LOOPBACK) !== 0;
}

/** `fib_add_ifaddr`. */
export function fibAddIfaddr(fib: Fib, indev: InDev, ifa: Ifaddr): void {
  const dev = indev.dev;
  const mask = ifa.mask;
  const addr = ifa.local;
  const prefix = (ifa.address & mask) >>> 0;
  let prim: Ifaddr | null = ifa;
  if ((ifa.flags & IFA_F_SECONDARY) !== 0) {
    prim = indev.byPrefix(prefix, mask);
    if (prim === null) return;
  }
  fibMagicAdd(fib, RTN_LOCAL, addr, 32, prim, 0);
  if (!dev.isUp) return;
  if (ifa.broadcast !== 0 && ifa.broadcast !== 0xffffffff) fibMagicAdd(fib, RTN_BROADCAST, ifa.broadcast, 32, prim, 0);
  if (prefix !== 0 && (ifa.flags & IFA_F_SECONDARY) === 0 && (prefix !== addr || ifa.prefixLen < 32)) {
    if ((ifa.flags & IFA_F_NOPREFIXROUTE) === 0) {
      fibMagicAdd(fib, isLoopback(dev) ? RTN_LOCAL : RTN_UNICAST, prefix, ifa.prefixLen, prim, ifa.rtPriority);
    }
    // The subnet broadcast, when the subnet has one (not /31, RFC 3021, nor /32).
    if (ifa.prefixLen < 31) fibMagicAdd(fib, RTN_BROADCAST, (prefix | ~mask) >>> 0, 32, prim, 0);
  }
}

const LOCAL_OK = 1;
const BRD_OK = 2;
const BRD0_OK = 4;
const BRD1_OK = 8;

/**
 * `fib_del_ifaddr`: remove what `ifa` brought, except routes another address on the device still
 * needs (same local address, same broadcast). `iprim` is the primary being deleted while its
 * secondaries are promoted. Returns true when the local address is gone from the namespace, so
 * routes using it as `src` must go (`fib_sync_down_addr`).
 */
export function fibDelIfaddr(fib: Fib, indev: InDev, ifa: Ifaddr, iprim: Ifaddr | null, addrType: (addr: number) => number): boolean {
  const dev = indev.dev;
  const brd = (ifa.address | ~ifa.mask) >>> 0;
  const any = (ifa.address & ifa.mask) >>> 0;
  let prim: Ifaddr = ifa;
  let prim1: Ifaddr | null = null;
  let ok = 0;
  let subnet = false;
  let gone = true;
  let samePrefsrc = false;

  if ((ifa.flags & IFA_F_SECONDARY) !== 0) {
    const p = indev.byPrefix(any, ifa.mask);
    if (p === null) return false;
    if (iprim !== null && iprim !== p) return false;
    prim = p;
  } else if (any !== 0 && (any !== ifa.local || ifa.prefixLen < 32)) {
    if ((ifa.flags & IFA_F_NOPREFIXROUTE) === 0) {
      fibMagicDel(fib, isLoopback(dev) ? RTN_LOCAL : RTN_UNICAST, any, ifa.prefixLen, prim);
    }
    subnet = true;
  }

  if (!indev.dead) {
    for (const ifa1 of indev.addrs) {
      if (ifa1 === ifa) {
        // promotion: keep the IP
        gone = false;
        continue;
      }
      if (iprim !== null && ifa1.mask === iprim.mask && iprim.matches(ifa1.address)) continue;
      if ((ifa1.flags & IFA_F_SECONDARY) !== 0) {
        if (ifa1.mask === prim.mask && prim.matches(ifa1.address)) prim1 = prim;
        else {
          if (!samePrefsrc) continue;
          if (prim1 === null || ifa1.mask !== prim1.mask || !prim1.matches(ifa1.address)) prim1 = indev.byPrefix(ifa1.address, ifa1.mask);
          if (prim1 === null) continue;
          if (prim1.local !== prim.local) continue;
        }
      } else {
        if (prim.local !== ifa1.local) continue;
        prim1 = ifa1;
        if (prim !== prim1) samePrefsrc = true;
      }
      if (ifa.local === ifa1.local) ok |= LOCAL_OK;
      if (ifa.broadcast === ifa1.broadcast) ok |= BRD_OK;
      if (brd === ifa1.broadcast) ok |= BRD1_OK;
      if (any === ifa1.broadcast) ok |= BRD0_OK;
      if (prim1 === ifa1 && ifa1.prefixLen < 31) {
        const brd1 = (ifa1.address | ~ifa1.mask) >>> 0;
        const any1 = (ifa1.address & ifa1.mask) >>> 0;
        if (any1 !== 0) {
          if (ifa.broadcast === brd1 || ifa.broadcast === any1) ok |= BRD_OK;
          if (brd === brd1 || brd === any1) ok |= BRD1_OK;
          if (any === brd1 || any === any1) ok |= BRD0_OK;
        }
      }
    }
  }

  if ((ok & BRD_OK) === 0) fibMagicDel(fib, RTN_BROADCAST, ifa.broadcast, 32, prim);
  if (subnet && ifa.prefixLen < 31) {
    if ((ok & BRD1_OK) === 0) fibMagicDel(fib, RTN_BROADCAST, brd, 32, prim);
    if ((ok & BRD0_OK) === 0) fibMagicDel(fib, RTN_BROADCAST, any, 32, prim);
  }
  if ((ok & LOCAL_OK) === 0) {
    fibMagicDel(fib, RTN_LOCAL, ifa.local, 32, prim);
    return gone && addrType(ifa.local) !== RTN_LOCAL;
  }
  return false;
}
