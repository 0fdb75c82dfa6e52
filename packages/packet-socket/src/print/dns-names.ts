/**
 * DNS names as print-domain.c walks them: `ns_nskip` (skip), `fqdn_print` (compression
 * pointers that must point backwards, EDNS0 bit labels, the 255-character limit) and
 * `nd_printn` for character strings.
 */
import type { PrintContext } from './context.js';
import { printChar } from './format.js';

/** `nd_printn`: true when stopped by the end of the capture. */
export function printn(ctx: PrintContext, cp: number, n: number): boolean {
  while (n > 0 && cp < ctx.snapend) {
    n--;
    ctx.out += printChar(ctx.buf[cp++]!);
  }
  return n !== 0;
}

/** `ns_nskip`: skip a name; null when not captured or malformed. */
export function nskip(ctx: PrintContext, cp: number): number | null {
  if (!ctx.has(cp, 1)) return null;
  let i = ctx.buf[cp++]!;
  while (i) {
    const t = i & 0xc0;
    if (t === 0xc0) return cp + 1;
    if (t === 0x40) {
      if ((i & 0x3f) !== 1 || !ctx.has(cp, 1)) return null;
      let bitlen = ctx.buf[cp]!;
      if (bitlen === 0) bitlen = 256;
      cp += 1 + ((bitlen + 7) >> 3);
    } else if (t === 0x80) return null;
    else cp += i;
    if (!ctx.has(cp, 1)) return null;
    i = ctx.buf[cp++]!;
  }
  return cp;
}

function labellen(ctx: PrintContext, cp: number): number {
  if (!ctx.has(cp, 1)) return -1;
  const i = ctx.buf[cp]!;
  const t = i & 0xc0;
  if (t === 0x40) {
    if ((i & 0x3f) !== 1) {
      ctx.out += '<ELT ' + (i & 0x3f) + '>';
      return -1;
    }
    if (!ctx.has(cp + 1, 1)) return -1;
    const bitlen = ctx.buf[cp + 1]! || 256;
    return ((bitlen + 7) >> 3) + 1;
  }
  if (t === 0x80) {
    ctx.out += '<BAD LABEL TYPE>';
    return -1;
  }
  return i;
}

function blabel(ctx: PrintContext, cp: number): number {
  const bitlen = ctx.u8(cp) || 256;
  const lim = cp + 1 + ((bitlen + 3) >> 2);
  let s = '\\[x';
  let bitp = cp + 1;
  let b = bitlen;
  for (; bitp < lim && b > 7; b -= 8, bitp++) s += ctx.u8(bitp).toString(16).padStart(2, '0');
  if (b > 4) s += (ctx.u8(bitp++) & (0xff << (8 - b))).toString(16).padStart(2, '0');
  else if (b > 0) s += (((ctx.u8(bitp++) >> 4) & 0x0f) & (0x0f << (4 - b))).toString(16);
  ctx.out += s + '/' + bitlen + ']';
  return lim;
}

/** `fqdn_print`: prints the name at `cp` (message at `bp`), returns the offset after it or null. */
export function fqdnPrint(ctx: PrintContext, cp: number, bp: number): number | null {
  let l = labellen(ctx, cp);
  if (l < 0 || !ctx.has(cp, 1)) return null;
  let maxOffset = cp - bp;
  let i = ctx.buf[cp++]!;
  let compress = false;
  let rp = 0;
  if ((i & 0xc0) !== 0xc0) rp = cp + l;
  let nameChars = 0;
  if (i !== 0) {
    while (i && cp < ctx.snapend) {
      const t = i & 0xc0;
      if (t === 0xc0) {
        if (!compress) {
          rp = cp + 1;
          compress = true;
        }
        if (!ctx.has(cp, 1)) return null;
        const offset = ((i << 8) | ctx.buf[cp]!) & 0x3fff;
        if (offset >= maxOffset) {
          ctx.out += '<BAD PTR>';
          return null;
        }
        maxOffset = offset;
        cp = bp + offset;
        if (!ctx.has(cp, 1)) return null;
        i = ctx.buf[cp]!;
        l = labellen(ctx, cp);
        if (l < 0) return null;
        cp++;
        continue;
      }
      if (t === 0x40) {
        if ((i & 0x3f) !== 1) {
          ctx.out += '<ELT ' + (i & 0x3f) + '>';
          return null;
        }
        blabel(ctx, cp);
      } else if (t === 0x80) {
        ctx.out += '<BAD LABEL TYPE>';
        return null;
      } else {
        if (nameChars + l <= 255) {
          if (printn(ctx, cp, l)) return null;
        } else if (nameChars < 255) {
          if (printn(ctx, cp, 255 - nameChars)) return null;
        }
        nameChars += l;
      }
      cp += l;
      if (nameChars <= 255) ctx.out += '.';
      nameChars++;
      if (!ctx.has(cp, 1)) return null;
      i = ctx.buf[cp]!;
      l = labellen(ctx, cp);
      if (l < 0) return null;
      cp++;
      if (!compress) rp += l + 1;
    }
    if (nameChars > 255) ctx.out += '<DOMAIN NAME TOO LONG>';
  } else ctx.out += '.';
  return rp;
}
