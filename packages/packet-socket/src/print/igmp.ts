/**
 * IGMP (`igmp_print`, print-igmp.c): queries v1/v2/v3, v1/v2 reports, leaves, v3 reports with
 * their group records (-v) and sources (-vv), and the checksum with -v. DVMRP, PIMv1 and
 * mtrace messages are not decoded.
 */
import { internetChecksum } from '@netstack/core';
import type { PrintContext } from './context.js';
import { hex, ipv4At } from './format.js';

const V3_TYPES: readonly string[] = ['', 'is_in', 'is_ex', 'to_in', 'to_ex', 'allow', 'block'];

function relts(secs: number): string {
  if (secs === 0) return '0s';
  const units = ['y', 'w', 'd', 'h', 'm', 's'];
  const sizes = [31536000, 604800, 86400, 3600, 60, 1];
  let s = '';
  for (let k = 0; secs > 0; k++) {
    if (secs >= sizes[k]!) {
      s += Math.floor(secs / sizes[k]!) + units[k]!;
      secs -= Math.floor(secs / sizes[k]!) * sizes[k]!;
    }
  }
  return s;
}

function v3Report(ctx: PrintContext, bp: number, len: number): void {
  if (len < 16 || len & 3) {
    ctx.out += ' [invalid len ' + len + ']';
    return;
  }
  const ngroups = ctx.u16(bp + 6);
  ctx.out += ', ' + ngroups + ' group record(s)';
  if (ctx.o.v === 0) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + 8) {
      ctx.out += ' [invalid number of groups]';
      return;
    }
    ctx.need(bp + group + 4, 4);
    ctx.out += ' [gaddr ' + ipv4At(ctx.buf, bp + group + 4);
    const t = ctx.u8(bp + group);
    ctx.out += ' ' + (t >= 1 && t <= 6 ? V3_TYPES[t]! : ' [v3-report-#' + t + ']');
    const nsrcs = ctx.u16(bp + group + 2);
    if (len < group + 8 + (nsrcs << 2)) {
      ctx.out += ' [invalid number of sources ' + nsrcs + ']';
      return;
    }
    if (ctx.o.v === 1) ctx.out += ', ' + nsrcs + ' source(s)';
    else {
      ctx.out += ' {';
      for (let j = 0; j < nsrcs; j++) {
        ctx.need(bp + group + 8 + (j << 2), 4);
        ctx.out += ' ' + ipv4At(ctx.buf, bp + group + 8 + (j << 2));
      }
      ctx.out += ' }';
    }
    group += 8 + (nsrcs << 2);
    ctx.out += ']';
  }
}

function v3Query(ctx: PrintContext, bp: number, len: number): void {
  ctx.out += ' v3';
  if (len < 12 || len & 3) {
    ctx.out += ' [invalid len ' + len + ']';
    return;
  }
  const mrc = ctx.u8(bp + 1);
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) ctx.out += ' [max resp time ' + (mrt < 600 ? (mrt * 0.1).toFixed(1) + 's' : relts(Math.floor(mrt / 10))) + ']';
  if (ctx.u32(bp + 4) === 0) return;
  ctx.out += ' [gaddr ' + ipv4At(ctx.buf, bp + 4);
  const nsrcs = ctx.u16(bp + 10);
  if (nsrcs > 0) {
    if (len < 12 + (nsrcs << 2)) ctx.out += ' [invalid number of sources]';
    else if (ctx.o.v > 1) {
      ctx.out += ' {';
      for (let i = 0; i < nsrcs; i++) {
        ctx.need(bp + 12 + (i << 2), 4);
        ctx.out += ' ' + ipv4At(ctx.buf, bp + 12 + (i << 2));
      }
      ctx.out += ' }';
    } else ctx.out += ', ' + nsrcs + ' source(s)';
  }
  ctx.out += ']';
}

export function igmpPrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'igmp';
  if (ctx.o.q) {
    ctx.out += 'igmp';
    return;
  }
  const type = ctx.u8(bp);
  switch (type) {
    case 0x11:
      ctx.out += 'igmp query';
      if (len >= 12) v3Query(ctx, bp, len);
      else {
        const mrt = ctx.u8(bp + 1);
        if (mrt) {
          ctx.out += ' v2';
          if (mrt !== 100) ctx.out += ' [max resp time ' + mrt + ']';
        } else ctx.out += ' v1';
        const g = ctx.u32(bp + 4);
        if (g) ctx.out += ' [gaddr ' + ipv4At(ctx.buf, bp + 4) + ']';
        if (len !== 8) ctx.out += ' [len ' + len + ']';
      }
      break;
    case 0x12:
      ctx.need(bp + 4, 4);
      ctx.out += 'igmp v1 report ' + ipv4At(ctx.buf, bp + 4);
      if (len !== 8) ctx.out += ' [len ' + len + ']';
      break;
    case 0x16:
      ctx.need(bp + 4, 4);
      ctx.out += 'igmp v2 report ' + ipv4At(ctx.buf, bp + 4);
      break;
    case 0x22:
      ctx.out += 'igmp v3 report';
      v3Report(ctx, bp, len);
      break;
    case 0x17:
      ctx.need(bp + 4, 4);
      ctx.out += 'igmp leave ' + ipv4At(ctx.buf, bp + 4);
      break;
    default:
      if (type === 0x13 || type === 0x14 || type === 0x1e || type === 0x1f) ctx.undecoded = true;
      ctx.out += 'igmp-' + type;
  }
  if (ctx.o.v > 0 && len >= 4 && ctx.has(bp, len) && internetChecksum(ctx.buf, bp, len) !== 0) {
    ctx.out += ' bad igmp cksum ' + hex(ctx.u16(bp + 2)) + '!';
  }
}
