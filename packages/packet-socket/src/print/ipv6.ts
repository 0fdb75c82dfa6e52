/**
 * IPv6 (`ip6_print`, print-ip6.c) and its extension headers: hop-by-hop and destination
 * options (`HBH (rtalert: 0x0000) (padn) `, print-ip6opts.c), routing (`RT6 (len=2, type=2,
 * segleft=1, [0]addr) `, print-rt6.c) and fragment (`frag (0|1232) `, print-frag6.c). The -v
 * header is `(class 0xb8, flowlabel 0x12345, hlim 64, next-header UDP (17) payload length: 8) `.
 */
import type { Ip6State, PrintContext } from './context.js';
import { hex, hex8, ipv6At } from './format.js';
import { ipDemuxPrint, IPPROTO_NAMES } from './ip-demux.js';

/** `ip6_opt_process` for the options area `[bp, bp+len)`; false when malformed. */
function optProcess(ctx: PrintContext, bp: number, len: number, hbh: boolean, state: Ip6State): boolean {
  const b = ctx.buf;
  const v = ctx.o.v > 0;
  if (len === 0) return true;
  let optlen = 0;
  let foundJumbo = false;
  for (let i = 0; i < len; i += optlen) {
    const type = ctx.u8(bp + i);
    if (type === 0) optlen = 1;
    else {
      if (i + 1 < len) optlen = ctx.u8(bp + i + 1) + 2;
      else return false;
    }
    if (i + optlen > len) return false;
    switch (type) {
      case 0:
        if (v) ctx.out += '(pad1)';
        break;
      case 1:
        if (len - i < 2) {
          ctx.out += '(padn: trunc)';
          return false;
        }
        if (v) ctx.out += '(padn)';
        break;
      case 5:
        if (len - i < 4) {
          ctx.out += '(rtalert: trunc)';
          return false;
        }
        if (b[bp + i + 1] !== 2) {
          ctx.out += '(rtalert: invalid len ' + b[bp + i + 1]! + ')';
          return false;
        }
        if (v) ctx.out += '(rtalert: 0x' + ctx.u16(bp + i + 2).toString(16).padStart(4, '0') + ') ';
        break;
      case 0xc2: {
        if (len - i < 6) {
          ctx.out += '(jumbo: trunc)';
          return false;
        }
        if (b[bp + i + 1] !== 4) {
          ctx.out += '(jumbo: invalid len ' + b[bp + i + 1]! + ')';
          return false;
        }
        const jumbolen = ctx.u32(bp + i + 2);
        if (foundJumbo) {
          if (v) ctx.out += '(jumbo: ' + jumbolen + ' - already seen) ';
        } else {
          foundJumbo = true;
          if (!hbh) {
            if (v) ctx.out += '(jumbo: ' + jumbolen + ' - not a hop-by-hop option) ';
          } else if (state.payloadLen !== 0) {
            if (v) ctx.out += '(jumbo: ' + jumbolen + ' - payload len != 0) ';
          } else if (jumbolen < 65536) {
            if (v) ctx.out += '(jumbo: ' + jumbolen + ' - < 65536) ';
          } else {
            state.jumbo = true;
            state.payloadLen = jumbolen;
            if (v) ctx.out += '(jumbo: ' + jumbolen + ') ';
          }
        }
        break;
      }
      default:
        if (len - i < 2) {
          ctx.out += '(type ' + type + ': trunc)';
          return false;
        }
        if (v) ctx.out += '(opt_type 0x' + b[bp + i]!.toString(16).padStart(2, '0') + ': len=' + b[bp + i + 1]! + ')';
    }
  }
  if (v) ctx.out += ' ';
  return true;
}

/** `hbhopt_process` / `dstopt_process`: the header length, or -1 after printing the trouble. */
function optHeader(ctx: PrintContext, cp: number, hbh: boolean, state: Ip6State): number {
  ctx.protocol = hbh ? 'hbhopt' : 'dstopt';
  const optlen = (ctx.u8(cp + 1) + 1) << 3;
  if (!ctx.has(cp, optlen)) {
    ctx.trunc();
    return -1;
  }
  ctx.out += hbh ? 'HBH ' : 'DSTOPT ';
  if ((hbh || ctx.o.v > 0) && !optProcess(ctx, cp + 2, optlen - 2, hbh, state)) {
    ctx.trunc();
    return -1;
  }
  return optlen;
}

/** `rt6_print`. */
function rt6Print(ctx: PrintContext, bp: number): number {
  ctx.protocol = 'rt6';
  ctx.out += 'RT6';
  let len = ctx.u8(bp + 1);
  ctx.out += ' (len=' + len;
  const type = ctx.u8(bp + 2);
  ctx.out += ', type=' + type + (type === 0 ? ' [Deprecated]' : '');
  ctx.out += ', segleft=' + ctx.u8(bp + 3);
  const v = ctx.o.v > 0;
  if (type === 0 || type === 2 || type === 4) {
    if (type === 4) {
      ctx.out += ', last-entry=' + ctx.u8(bp + 4);
      const flags = ctx.u8(bp + 5);
      if (flags || v) ctx.out += ', flags=0x' + hex(flags);
      ctx.out += ', tag=' + hex(ctx.u16(bp + 6));
    } else {
      const rsv = ctx.u32(bp + 4);
      if (rsv || v) ctx.out += ', rsv=0x' + hex(rsv);
    }
    if (len % 2 === 1) {
      ctx.out += ' (invalid length ' + len + ')';
      ctx.invalid();
      return -1;
    }
    len >>= 1;
    let p = bp + 8;
    for (let i = 0; i < len; i++) {
      ctx.need(p, 16);
      ctx.out += ', [' + i + ']' + ipv6At(ctx.buf, p);
      p += 16;
    }
    ctx.out += ') ';
    return (ctx.u8(bp + 1) + 1) << 3;
  }
  ctx.out += ' (unknown type)';
  ctx.invalid();
  return -1;
}

/** `frag6_print`: the header length, or -1 for a later fragment. */
function frag6Print(ctx: PrintContext, bp: number, ip6: number): number {
  ctx.protocol = 'frag6';
  const ident = ctx.o.v > 0 ? '0x' + hex8(ctx.u32(bp + 4)) + ':' : '';
  const offlg = ctx.u16(bp + 2);
  const plen = (ctx.buf[ip6 + 4]! << 8) | ctx.buf[ip6 + 5]!;
  const n = 40 + plen - (bp - ip6) - 8;
  // `%zu` of a size_t that went below zero.
  const fraglen = n >= 0 ? String(n) : String((1n << 64n) + BigInt(n));
  ctx.out += 'frag (' + ident + (offlg & 0xfff8) + '|' + fraglen + ')';
  if ((offlg & 0xfff8) !== 0) return -1;
  ctx.out += ' ';
  return 8;
}

export function ip6Print(ctx: PrintContext, bp: number, length: number): void {
  const o = ctx.o;
  const b = ctx.buf;
  ctx.protocol = 'ip6';
  if (!ctx.has(bp, 40)) {
    ctx.trunc();
    return;
  }
  if (length < 40) {
    ctx.out += 'truncated-ip6 ' + length;
    return;
  }
  if (!o.e) ctx.out += 'IP6 ';
  if (b[bp]! >> 4 !== 6) {
    ctx.out += 'version error: ' + (b[bp]! >> 4) + ' != 6';
    return;
  }
  const state = ctx.ip6;
  state.jumbo = false;
  state.payloadLen = (b[bp + 4]! << 8) | b[bp + 5]!;
  let len: number;
  if (state.payloadLen !== 0) {
    len = state.payloadLen + 40;
    if (length < len) ctx.out += 'truncated-ip6 - ' + (len - length) + ' bytes missing!';
  } else len = length + 40;
  let nh = b[bp + 6]!;
  if (o.v > 0) {
    const flow = ((b[bp]! << 24) | (b[bp + 1]! << 16) | (b[bp + 2]! << 8) | b[bp + 3]!) >>> 0;
    ctx.out += '(';
    if (flow & 0x0ff00000) ctx.out += 'class 0x' + ((flow & 0x0ff00000) >>> 20).toString(16).padStart(2, '0') + ', ';
    if (flow & 0x000fffff) ctx.out += 'flowlabel 0x' + (flow & 0x000fffff).toString(16).padStart(5, '0') + ', ';
    ctx.out += 'hlim ' + b[bp + 7]! + ', next-header ' + (IPPROTO_NAMES.get(nh) ?? 'unknown') + ' (' + nh + ') payload length: ' + state.payloadLen + ') ';
  }
  const savedSnapend = ctx.snapend;
  if (bp + len < ctx.snapend) ctx.snapend = bp + len;
  let cp = bp;
  let advance = 40;
  let totalAdvance = 0;
  let foundExt = false;
  let foundHbh = false;
  let fragmented = false;
  while (cp < ctx.snapend && advance > 0) {
    if (len < advance) {
      ctx.trunc();
      break;
    }
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === bp + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      ctx.out += ipv6At(b, bp + 8) + ' > ' + ipv6At(b, bp + 24) + ': ';
    }
    if (nh === 0) {
      if (foundHbh) {
        ctx.out += '[The Hop-by-Hop Options header was already found]';
        ctx.invalid();
        break;
      }
      if (cp !== bp + 40) {
        ctx.out += "[The Hop-by-Hop Options header don't follow the IPv6 header]";
        ctx.invalid();
        break;
      }
      advance = optHeader(ctx, cp, true, state);
      if (state.payloadLen === 0 && !state.jumbo) {
        ctx.out += '[No valid Jumbo Payload Hop-by-Hop option found]';
        ctx.invalid();
        break;
      }
      if (advance < 0) break;
      foundExt = true;
      foundHbh = true;
      nh = b[cp]!;
    } else if (nh === 60) {
      advance = optHeader(ctx, cp, false, state);
      if (advance < 0) break;
      foundExt = true;
      nh = b[cp]!;
    } else if (nh === 44) {
      advance = frag6Print(ctx, cp, bp);
      if (advance < 0 || ctx.snapend <= cp + advance) break;
      foundExt = true;
      nh = b[cp]!;
      fragmented = true;
    } else if (nh === 43) {
      if (!ctx.has(cp, 1)) {
        ctx.trunc();
        break;
      }
      advance = rt6Print(ctx, cp);
      if (advance < 0) break;
      foundExt = true;
      nh = b[cp]!;
    } else {
      if (state.jumbo) {
        len = state.payloadLen + 40;
        if (len < totalAdvance) {
          ctx.trunc();
          break;
        }
        if (length < len) ctx.out += 'truncated-ip6 - ' + (len - length) + ' bytes missing!';
        ctx.snapend = Math.min(savedSnapend, bp + len);
        len -= totalAdvance;
      } else if (state.payloadLen === 0) {
        if (foundExt) {
          ctx.trunc();
          break;
        }
        len = 40;
        ctx.snapend = Math.min(savedSnapend, bp + len);
        len -= totalAdvance;
      }
      ipDemuxPrint(ctx, cp, len, 6, fragmented, nh, bp);
      break;
    }
    ctx.protocol = 'ip6';
  }
  ctx.snapend = savedSnapend;
}
