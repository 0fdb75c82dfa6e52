/**
 * TCP options as print-tcp.c lists them: `[mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]`,
 * SACK blocks relative to the conversation, Fast Open (`tfo  cookie ...`, `exp-tfo cookiereq`),
 * UTO, TCP-AO, MD5 and unknown options as hex. Malformed lengths end with `[bad opt]`.
 */
import type { PrintContext } from './context.js';
import { HEX2, hex } from './format.js';

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'eol'], [1, 'nop'], [2, 'mss'], [3, 'wscale'], [4, 'sackOK'], [5, 'sack'], [6, 'echo'],
  [7, 'echoreply'], [8, 'TS'], [11, 'cc'], [12, 'ccnew'], [13, ''], [19, 'md5'], [20, 'scps'],
  [28, 'uto'], [29, 'tcp-ao'], [30, 'mptcp'], [34, 'tfo'], [254, 'exp'],
]);

/** Why the option walk stopped early. */
const BAD = 1;
const TRUNC = 2;

/** `LENCHECK(l)`: 0, or why `l` more bytes of option data are not there. */
function lenCheck(ctx: PrintContext, cp: number, hlen: number, l: number): number {
  if (l > hlen) return BAD;
  return ctx.has(cp, l) ? 0 : TRUNC;
}

function fastopen(ctx: PrintContext, cp: number, datalen: number, exp: boolean): void {
  if (exp) ctx.out += 'tfo';
  if (datalen === 0) ctx.out += ' cookiereq';
  else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) ctx.invalid();
  else {
    ctx.out += ' cookie ';
    for (let i = 0; i < datalen; i++) ctx.out += HEX2[ctx.u8(cp + i)]!;
  }
}

/**
 * Print the options in `[cp, cp+hlen)`. `rev`, `thseq`, `thack` come from the sequence
 * tracking and make SACK edges relative; `dataEnd` is the end of the segment (for MD5). Returns false when the caller must stop printing
 * (after `[bad opt]` or a truncation marker).
 */
export function tcpOptionsPrint(
  ctx: PrintContext,
  cp: number,
  hlen: number,
  rev: boolean,
  thseq: number,
  thack: number,
  dataEnd: number,
): boolean {
  let ch = '';
  let stop = 0;
  ctx.out += ', options [';
  walk: while (hlen > 0) {
    ctx.out += ch;
    const opt = ctx.u8(cp++);
    let len: number;
    if (opt === 0 || opt === 1) len = 1;
    else {
      len = ctx.u8(cp++);
      if (len < 2 || len > hlen) {
        stop = BAD;
        break;
      }
      --hlen;
    }
    --hlen;
    let datalen = 0;
    ctx.out += NAMES.get(opt) ?? 'unknown-' + opt;
    switch (opt) {
      case 2:
        datalen = 2;
        if ((stop = lenCheck(ctx, cp, hlen, 2)) !== 0) break walk;
        ctx.out += ' ' + ctx.u16(cp);
        break;
      case 3:
        datalen = 1;
        if ((stop = lenCheck(ctx, cp, hlen, 1)) !== 0) break walk;
        ctx.out += ' ' + ctx.u8(cp);
        break;
      case 5:
        datalen = len - 2;
        if (datalen % 8 !== 0) ctx.out += ' invalid sack';
        else {
          ctx.out += ' ' + datalen / 8 + ' ';
          for (let i = 0; i < datalen; i += 8) {
            if ((stop = lenCheck(ctx, cp, hlen, i + 4)) !== 0) break walk;
            let s = ctx.u32(cp + i);
            if ((stop = lenCheck(ctx, cp, hlen, i + 8)) !== 0) break walk;
            let e = ctx.u32(cp + i + 4);
            s = (s - (rev ? thseq : thack)) >>> 0;
            e = (e - (rev ? thseq : thack)) >>> 0;
            ctx.out += '{' + s + ':' + e + '}';
          }
        }
        break;
      case 11:
      case 12:
      case 13:
      case 6:
      case 7:
        datalen = 4;
        if ((stop = lenCheck(ctx, cp, hlen, 4)) !== 0) break walk;
        ctx.out += ' ' + ctx.u32(cp);
        break;
      case 8:
        datalen = 8;
        if ((stop = lenCheck(ctx, cp, hlen, 8)) !== 0) break walk;
        ctx.out += ' val ' + ctx.u32(cp) + ' ecr ' + ctx.u32(cp + 4);
        break;
      case 19:
        datalen = 16;
        if ((stop = lenCheck(ctx, cp, hlen, 16)) !== 0) break walk;
        ctx.out += dataEnd > ctx.snapend ? ' snaplen too short, ' : ' shared secret not supplied with -M, ';
        ctx.out += "can't check - ";
        for (let i = 0; i < 16; i++) ctx.out += HEX2[ctx.u8(cp + i)]!;
        break;
      case 20:
        datalen = 2;
        if ((stop = lenCheck(ctx, cp, hlen, 2)) !== 0) break walk;
        ctx.out += ' cap ' + HEX2[ctx.u8(cp)]! + ' id ' + ctx.u8(cp + 1);
        break;
      case 29:
        datalen = len - 2;
        if (datalen < 2) ctx.invalid();
        else {
          if ((stop = lenCheck(ctx, cp, hlen, 1)) !== 0) break walk;
          ctx.out += ' keyid ' + ctx.u8(cp);
          if ((stop = lenCheck(ctx, cp, hlen, 2)) !== 0) break walk;
          ctx.out += ' rnextkeyid ' + ctx.u8(cp + 1);
          if (datalen > 2) {
            ctx.out += ' mac 0x';
            for (let i = 2; i < datalen; i++) {
              if ((stop = lenCheck(ctx, cp, hlen, i + 1)) !== 0) break walk;
              ctx.out += HEX2[ctx.u8(cp + i)]!;
            }
          }
        }
        break;
      case 0:
      case 1:
      case 4:
        break;
      case 28: {
        datalen = 2;
        if ((stop = lenCheck(ctx, cp, hlen, 2)) !== 0) break walk;
        let uto = ctx.u16(cp);
        ctx.out += ' 0x' + hex(uto);
        uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
        ctx.out += ' ' + uto;
        break;
      }
      case 34:
        datalen = len - 2;
        if ((stop = lenCheck(ctx, cp, hlen, datalen)) !== 0) break walk;
        ctx.out += ' ';
        fastopen(ctx, cp, datalen, false);
        break;
      case 254: {
        datalen = len - 2;
        if ((stop = lenCheck(ctx, cp, hlen, datalen)) !== 0) break walk;
        if (datalen < 2) {
          stop = BAD;
          break walk;
        }
        const magic = ctx.u16(cp);
        ctx.out += '-';
        if (magic === 0xf989) fastopen(ctx, cp + 2, datalen - 2, true);
        else ctx.out += HEX2[magic >> 8]! + HEX2[magic & 0xff]!;
        break;
      }
      default:
        datalen = len - 2;
        if (datalen) ctx.out += ' 0x';
        for (let i = 0; i < datalen; i++) {
          if ((stop = lenCheck(ctx, cp, hlen, i + 1)) !== 0) break walk;
          ctx.out += HEX2[ctx.u8(cp + i)]!;
        }
    }
    cp += datalen;
    hlen -= datalen;
    ++datalen;
    if (opt !== 0 && opt !== 1) ++datalen;
    if (datalen !== len) ctx.out += '[len ' + len + ']';
    ch = ',';
    if (opt === 0) break;
  }
  if (stop === BAD) {
    ctx.out += '[bad opt]';
    if (ch !== '') ctx.out += ']';
    return false;
  }
  if (stop === TRUNC) {
    ctx.trunc();
    if (ch !== '') ctx.out += '>';
    return false;
  }
  ctx.out += ']';
  return true;
}

