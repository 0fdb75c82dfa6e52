/**
 * ICMPv6 (`icmp6_print`, print-icmp6.c): errors with the quoted destination, echo, MLD and
 * MLDv2, neighbor discovery (RS/RA/NS/NA/redirect) and, with -v, the checksum and the ND
 * options (`source link-address option (1), length 8 (1): 02:00:00:00:00:01`).
 * Node information, router renumbering and RPL messages are not decoded (see the report).
 */
import { cksumShouldBe, nextProto6Cksum } from './checksum.js';
import type { PrintContext } from './context.js';
import { bitTok, hex4, ipv6At } from './format.js';
import { hexPrint } from './hexdump.js';
import { fqdnPrint } from './dns-names.js';

const TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'destination unreachable'], [2, 'packet too big'], [3, 'time exceeded in-transit'],
  [4, 'parameter problem'], [128, 'echo request'], [129, 'echo reply'], [130, 'multicast listener query'],
  [131, 'multicast listener report'], [132, 'multicast listener done'], [133, 'router solicitation'],
  [134, 'router advertisement'], [135, 'neighbor solicitation'], [136, 'neighbor advertisement'],
  [137, 'redirect'], [138, 'router renumbering'], [141, 'inverse neighbor solicitation'],
  [142, 'inverse neighbor advertisement'], [143, 'multicast listener report v2'], [144, 'ha discovery request'],
  [145, 'ha discovery reply'], [146, 'mobile router solicitation'], [147, 'mobile router advertisement'],
  [139, 'who-are-you request'], [140, 'who-are-you reply'], [201, 'mtrace message'], [200, 'mtrace response'],
  [155, 'RPL'],
]);
const UNREACH: ReadonlyMap<number, string> = new Map([
  [0, 'unreachable route'], [1, ' unreachable prohibited'], [2, 'beyond scope'], [3, 'unreachable address'], [4, 'unreachable port'],
]);
const PI_FLAGS: readonly (readonly [number, string])[] = [[0x80, 'onlink'], [0x40, 'auto'], [0x20, 'router']];
const RA_FLAGS: readonly (readonly [number, string])[] = [[0x80, 'managed'], [0x40, 'other stateful'], [0x20, 'home agent'], [0x02, 'ipv6 only']];
const NA_FLAGS: readonly (readonly [number, string])[] = [[0x80000000, 'router'], [0x40000000, 'solicited'], [0x20000000, 'override']];
const OPT_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'source link-address'], [2, 'destination link-address'], [3, 'prefix info'], [4, 'redirected header'],
  [5, 'mtu'], [25, 'rdnss'], [31, 'dnssl'], [7, 'advertisement interval'], [8, 'homeagent information'], [24, 'route info'],
]);
const MLDV2_TYPES: readonly string[] = ['', 'is_in', 'is_ex', 'to_in', 'to_ex', 'allow', 'block'];
const RTPREF: readonly string[] = ['medium', 'high', 'rsv', 'low'];

function lifetime(v: number): string {
  return v === 0xffffffff ? 'infinity' : v + 's';
}

/** `get_upperlayer`: [proto, offset of the transport header] or null. */
function upperLayer(ctx: PrintContext, oip: number): [number, number] | null {
  if (!ctx.has(oip + 6, 1)) return null;
  let nh = ctx.buf[oip + 6]!;
  let hlen = 40;
  let bp = oip;
  while (bp < ctx.snapend) {
    bp += hlen;
    if (nh === 6 || nh === 17) return ctx.has(bp + 2, 2) ? [nh, bp] : null;
    if (nh === 0 || nh === 60 || nh === 43) {
      if (!ctx.has(bp + 1, 1)) return null;
      nh = ctx.buf[bp]!;
      hlen = (ctx.buf[bp + 1]! + 1) << 3;
    } else if (nh === 44) {
      if (!ctx.has(bp + 2, 2)) return null;
      if ((((ctx.buf[bp + 2]! << 8) | ctx.buf[bp + 3]!) & 0xfff8) !== 0) return null;
      nh = ctx.buf[bp]!;
      hlen = 8;
    } else if (nh === 51) {
      if (!ctx.has(bp + 1, 1)) return null;
      nh = ctx.buf[bp]!;
      hlen = (ctx.buf[bp + 1]! + 2) << 2;
    } else return null;
  }
  return null;
}

/** `icmp6_opt_print`; false when truncated. */
function optPrint(ctx: PrintContext, bp: number, resid: number): boolean {
  const b = ctx.buf;
  const v = ctx.o.v;
  let cp = bp;
  while (cp < ctx.snapend) {
    if (!ctx.has(cp + 1, 1)) return false;
    if (resid <= 0) return true;
    const type = b[cp]!;
    const len = b[cp + 1]!;
    if (len === 0 || cp + (len << 3) > ctx.snapend) return false;
    ctx.out += '\n\t  ' + (OPT_NAMES.get(type) ?? 'unknown') + ' option (' + type + '), length ' + (len << 3) + ' (' + len + '): ';
    switch (type) {
      case 1:
      case 2: {
        const l = (len << 3) - 2;
        for (let i = 0; i < l; i++) ctx.out += (i > 0 ? ':' : '') + b[cp + 2 + i]!.toString(16).padStart(2, '0');
        break;
      }
      case 3:
        ctx.need(cp + 16, 16);
        ctx.out +=
          ipv6At(b, cp + 16) + '/' + ctx.u8(cp + 2) + (len !== 4 ? 'badlen' : '') +
          ', Flags [' + bitTok(PI_FLAGS, ctx.u8(cp + 3), ', ', 'none') + '], valid time ' + lifetime(ctx.u32(cp + 4)) +
          ', pref. time ' + lifetime(ctx.u32(cp + 8));
        break;
      case 4:
        hexPrint(ctx, '\n\t    ', bp, Math.min(len << 3, ctx.avail(bp)));
        break;
      case 5:
        ctx.out += ' ' + ctx.u32(cp + 4) + (len !== 1 ? 'bad option length' : '');
        break;
      case 25: {
        ctx.out += ' lifetime ' + ctx.u32(cp + 4) + 's,';
        const n = (len - 1) >> 1;
        for (let i = 0; i < n; i++) {
          ctx.need(cp + 8 + 16 * i, 16);
          ctx.out += ' addr: ' + ipv6At(b, cp + 8 + 16 * i);
        }
        break;
      }
      case 31: {
        ctx.out += ' lifetime ' + ctx.u32(cp + 4) + 's, domain(s):';
        let domp: number | null = cp + 8;
        while (domp < cp + (len << 3) && ctx.u8(domp) !== 0) {
          ctx.out += ' ';
          domp = fqdnPrint(ctx, domp, bp);
          if (domp === null) return false;
        }
        break;
      }
      case 7:
        ctx.out += ' ' + ctx.u32(cp + 4) + 'ms';
        break;
      case 8:
        ctx.out += ' preference ' + ctx.u16(cp + 4) + ', lifetime ' + ctx.u16(cp + 6);
        break;
      case 24: {
        if (!ctx.has(cp + 4, 4)) return false;
        const pfx = new Uint8Array(16);
        if (len === 2) pfx.set(b.subarray(cp + 8, cp + 16));
        else if (len === 3) pfx.set(b.subarray(cp + 8, cp + 24));
        else if (len !== 1) return false;
        ctx.out += ' ' + ipv6At(pfx, 0) + '/' + ctx.u8(cp + 2) + ', pref=' + RTPREF[(ctx.u8(cp + 3) & 0x18) >> 3]! + ', lifetime=' + lifetime(ctx.u32(cp + 4));
        break;
      }
      default:
        if (v <= 1) {
          hexPrint(ctx, '\n\t  ', cp + 2, Math.min((len << 3) - 2, ctx.avail(cp + 2)));
          return true;
        }
    }
    if (v > 1) hexPrint(ctx, '\n\t    ', cp + 2, Math.min((len << 3) - 2, ctx.avail(cp + 2)));
    cp += len << 3;
    resid -= len << 3;
  }
  return true;
}

function mldv2Report(ctx: PrintContext, bp: number, len: number): void {
  if (len < 8) {
    ctx.out += ' [invalid len ' + len + ']';
    return;
  }
  const ngroups = ctx.u16(bp + 6);
  ctx.out += ', ' + ngroups + ' group record(s)';
  if (ctx.o.v === 0) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + 20) {
      ctx.out += ' [invalid number of groups]';
      return;
    }
    ctx.need(bp + group + 4, 16);
    ctx.out += ' [gaddr ' + ipv6At(ctx.buf, bp + group + 4);
    const t = ctx.u8(bp + group);
    ctx.out += ' ' + (t >= 1 && t <= 6 ? MLDV2_TYPES[t]! : ' [v2-report-#' + t + ']');
    const nsrcs = ctx.u16(bp + group + 2);
    if (len < group + 20 + nsrcs * 16) {
      ctx.out += ' [invalid number of sources ' + nsrcs + ']';
      return;
    }
    if (ctx.o.v === 1) ctx.out += ', ' + nsrcs + ' source(s)';
    else {
      ctx.out += ' {';
      for (let j = 0; j < nsrcs; j++) {
        ctx.need(bp + group + 20 + j * 16, 16);
        ctx.out += ' ' + ipv6At(ctx.buf, bp + group + 20 + j * 16);
      }
      ctx.out += ' }';
    }
    group += 20 + nsrcs * 16;
    ctx.out += ']';
  }
}

function mldv2Query(ctx: PrintContext, bp: number, len: number): void {
  if (len < 28) {
    ctx.out += ' [invalid len ' + len + ']';
    return;
  }
  const mrc = ctx.u16(bp + 4);
  const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
  const v = ctx.o.v;
  if (v) ctx.out += ' [max resp delay=' + mrt + ']';
  ctx.need(bp + 8, 16);
  ctx.out += ' [gaddr ' + ipv6At(ctx.buf, bp + 8);
  if (v) {
    const f = ctx.u8(bp + 24);
    if (f & 0x08) ctx.out += ' sflag';
    if (f & 0x07) ctx.out += ' robustness=' + (f & 0x07);
    const q = ctx.u8(bp + 25);
    ctx.out += ' qqi=' + (q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3));
  }
  const nsrcs = ctx.u16(bp + 26);
  if (nsrcs > 0) {
    if (len < 28 + nsrcs * 16) ctx.out += ' [invalid number of sources]';
    else if (v > 1) {
      ctx.out += ' {';
      for (let i = 0; i < nsrcs; i++) {
        ctx.need(bp + 28 + i * 16, 16);
        ctx.out += ' ' + ipv6At(ctx.buf, bp + 28 + i * 16);
      }
      ctx.out += ' }';
    } else ctx.out += ', ' + nsrcs + ' source(s)';
  }
  ctx.out += ']';
}

function mld6(ctx: PrintContext, bp: number): void {
  if (bp + 24 > ctx.snapend) return;
  ctx.out += 'max resp delay: ' + ctx.u16(bp + 4) + ' addr: ' + ipv6At(ctx.buf, bp + 8);
}

export function icmp6Print(ctx: PrintContext, bp: number, length: number, ip6: number, fragmented: boolean): void {
  ctx.protocol = 'icmp6';
  const o = ctx.o;
  const b = ctx.buf;
  if (length === 0) {
    ctx.out += 'ICMP6, length 0';
    ctx.invalid();
    return;
  }
  if (o.v > 0 && !fragmented && ctx.has(bp, length)) {
    const sum = nextProto6Cksum(ctx, ip6, bp, length, 58);
    const field = ctx.u16(bp + 2);
    ctx.out += sum !== 0 ? '[bad icmp6 cksum 0x' + hex4(field) + ' -> 0x' + hex4(cksumShouldBe(field, sum)) + '!] ' : '[icmp6 sum ok] ';
  }
  const type = ctx.u8(bp);
  ctx.out += 'ICMP6, ' + (TYPES.get(type) ?? 'unknown icmp6 type (' + type + ')');
  if (o.v > 0 && (type === 133 || type === 134 || type === 136 || type === 135 || type === 137 || type === 145 || type === 147)) {
    ctx.out += ', length ' + length;
  }
  const code = ctx.u8(bp + 1);
  const oip = bp + 8;
  let ok = true;
  switch (type) {
    case 1:
      ctx.out += ', ' + (UNREACH.get(code) ?? 'unknown unreach code (' + code + ')');
      if (code === 0 || code === 1 || code === 3) {
        ctx.need(oip + 24, 16);
        ctx.out += ' ' + ipv6At(b, oip + 24);
      } else if (code === 2) {
        ctx.need(oip + 8, 32);
        ctx.out += ' ' + ipv6At(b, oip + 24) + ', source address ' + ipv6At(b, oip + 8);
      } else if (code === 4) {
        const ul = upperLayer(ctx, oip);
        if (ul === null) {
          ok = false;
          break;
        }
        const dport = ctx.u16(ul[1] + 2);
        ctx.need(oip + 24, 16);
        const d = ipv6At(b, oip + 24);
        ctx.out += ', ' + d + (ul[0] === 6 ? ' tcp port ' + dport : ' udp port ' + dport);
      } else if (o.v <= 1) {
        hexPrint(ctx, '\n\t', bp, Math.min(length, ctx.avail(bp)));
        return;
      }
      break;
    case 2:
      ctx.out += ', mtu ' + ctx.u32(bp + 4);
      break;
    case 3:
      if (code === 0) {
        ctx.need(oip + 24, 16);
        ctx.out += ' for ' + ipv6At(b, oip + 24);
      } else if (code === 1) ctx.out += ' (reassembly)';
      else ctx.out += ', unknown code (' + code + ')';
      break;
    case 4: {
      if (!ctx.has(oip + 24, 16)) {
        ok = false;
        break;
      }
      const names = ['erroneous', 'next header', 'option', 'incomplete header chain'];
      ctx.out += code < 4 ? ', ' + names[code]! + ' - octet ' + ctx.u32(bp + 4) : ', code-#' + code;
      break;
    }
    case 128:
    case 129:
      ctx.out += ', id ' + ctx.u16(bp + 4) + ', seq ' + ctx.u16(bp + 6);
      break;
    case 130:
      if (length === 24) mld6(ctx, bp);
      else if (length >= 28) {
        ctx.out += ' v2';
        mldv2Query(ctx, bp, length);
      } else ctx.out += ' unknown-version (len ' + length + ') ';
      break;
    case 131:
    case 132:
      mld6(ctx, bp);
      break;
    case 133:
      if (o.v > 0) ok = optPrint(ctx, bp + 8, length - 8);
      break;
    case 134:
      if (o.v > 0) {
        const f = ctx.u8(bp + 5);
        ctx.out +=
          '\n\thop limit ' + ctx.u8(bp + 4) + ', Flags [' + bitTok(RA_FLAGS, f, ', ', 'none') + '], pref ' + RTPREF[(f & 0x18) >> 3]! +
          ', router lifetime ' + ctx.u16(bp + 6) + 's, reachable time ' + ctx.u32(bp + 8) + 'ms, retrans timer ' + ctx.u32(bp + 12) + 'ms';
        ok = optPrint(ctx, bp + 16, length - 16);
      }
      break;
    case 135:
      ctx.need(bp + 8, 16);
      ctx.out += ', who has ' + ipv6At(b, bp + 8);
      if (o.v > 0) ok = optPrint(ctx, bp + 24, length - 24);
      break;
    case 136:
      ctx.need(bp + 8, 16);
      ctx.out += ', tgt is ' + ipv6At(b, bp + 8);
      if (o.v > 0) {
        ctx.out += ', Flags [' + bitTok(NA_FLAGS, ctx.u32(bp + 4), ', ', 'none') + ']';
        ok = optPrint(ctx, bp + 24, length - 24);
      }
      break;
    case 137:
      ctx.need(bp + 24, 16);
      ctx.out += ', ' + ipv6At(b, bp + 24);
      ctx.need(bp + 8, 16);
      ctx.out += ' to ' + ipv6At(b, bp + 8);
      if (o.v > 0) ok = optPrint(ctx, bp + 40, length - 40);
      break;
    case 141:
    case 142:
      break;
    case 143:
      mldv2Report(ctx, bp, length);
      break;
    case 144:
    case 146:
      ctx.out += ', id 0x' + hex4(ctx.u16(bp + 4));
      break;
    case 145:
      if (o.v > 0) {
        ctx.out += ', id 0x' + hex4(ctx.u16(bp + 4));
        const end = bp + Math.min(length, ctx.avail(bp));
        for (let p = bp + 8; p < end; p += 16) {
          ctx.need(p, 16);
          ctx.out += ', ' + ipv6At(b, p);
        }
      }
      break;
    case 147:
      if (o.v > 0) {
        ctx.out += ', id 0x' + hex4(ctx.u16(bp + 4));
        const flags = ctx.u16(bp + 6);
        if (flags & 0xc000) ctx.out += ' ';
        if (flags & 0x8000) ctx.out += 'M';
        if (flags & 0x4000) ctx.out += 'O';
        ok = optPrint(ctx, bp + 8, length - 8);
      }
      break;
    default:
      if (type === 138 || type === 139 || type === 140 || type === 155) ctx.undecoded = true;
      ctx.out += ', length ' + length;
      if (o.v <= 1) hexPrint(ctx, '\n\t', bp, Math.min(length, ctx.avail(bp)));
      return;
  }
  if (!ok) {
    ctx.trunc();
    return;
  }
  if (o.v === 0) ctx.out += ', length ' + length;
}
