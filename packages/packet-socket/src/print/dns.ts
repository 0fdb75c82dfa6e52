/**
 * DNS (`domain_print`, print-domain.c): queries `4660+ A? example.com. (29)`, responses
 * `4660 1/0/0 A 93.184.216.34 (56)`, rcodes, EDNS0, and with -v/-vv the names, question,
 * authority and additional sections. Used for UDP and TCP port 53 and mDNS (5353).
 */
import type { PrintContext } from './context.js';
import { fqdnPrint, nskip, printn } from './dns-names.js';
import { ipv4At, ipv6At } from './format.js';

const OPS: readonly string[] = [
  '', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD',
  ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef',
];
const RESP: readonly string[] = [
  '', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet',
  ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange', ' BadVers', 'Resp17',
  ' Resp18', ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie',
];
const TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [3, 'MD'], [4, 'MF'], [5, 'CNAME'], [6, 'SOA'], [7, 'MB'], [8, 'MG'], [9, 'MR'],
  [10, 'NULL'], [11, 'WKS'], [12, 'PTR'], [13, 'HINFO'], [14, 'MINFO'], [15, 'MX'], [16, 'TXT'],
  [17, 'RP'], [18, 'AFSDB'], [19, 'X25'], [20, 'ISDN'], [21, 'RT'], [22, 'NSAP'], [23, 'NSAP_PTR'],
  [24, 'SIG'], [25, 'KEY'], [26, 'PX'], [27, 'GPOS'], [28, 'AAAA'], [29, 'LOC'], [30, 'NXT'], [31, 'EID'],
  [32, 'NIMLOC'], [33, 'SRV'], [34, 'ATMA'], [35, 'NAPTR'], [36, 'KX'], [37, 'CERT'], [38, 'A6'],
  [39, 'DNAME'], [40, 'SINK'], [41, 'OPT'], [42, 'APL'], [43, 'DS'], [44, 'SSHFP'], [45, 'IPSECKEY'],
  [46, 'RRSIG'], [47, 'NSEC'], [48, 'DNSKEY'], [99, 'SPF'], [100, 'UINFO'], [101, 'UID'], [102, 'GID'],
  [103, 'UNSPEC'], [104, 'UNSPECA'], [249, 'TKEY'], [250, 'TSIG'], [251, 'IXFR'], [252, 'AXFR'],
  [253, 'MAILB'], [254, 'MAILA'], [255, 'ANY'], [256, 'URI'],
]);
const CLASSES: ReadonlyMap<number, string> = new Map([[1, 'IN'], [3, 'CHAOS'], [4, 'HS'], [255, 'ANY']]);
const EOPTS: ReadonlyMap<number, string> = new Map([
  [1, 'LLQ'], [2, 'UL'], [3, 'NSID'], [5, 'DAU'], [6, 'DHU'], [7, 'N3U'], [8, 'ECS'], [9, 'EXPIRE'],
  [10, 'COOKIE'], [11, 'KEEPALIVE'], [12, 'PADDING'], [13, 'CHAIN'], [14, 'KEY-TAG'], [16, 'CLIENT-TAG'], [17, 'SERVER-TAG'],
]);

const typeName = (t: number): string => TYPES.get(t) ?? 'Type' + t;
const className = (c: number): string => CLASSES.get(c) ?? '(Class ' + c + ')';

function qprint(ctx: PrintContext, cp: number, bp: number, mdns: boolean): number | null {
  const np = cp;
  const end = nskip(ctx, cp);
  if (end === null || !ctx.has(end, 4)) return null;
  ctx.out += ' ' + typeName(ctx.u16(end));
  const i = ctx.u16(end + 2);
  const cls = mdns ? i & 0x7fff : i;
  if (cls !== 1) ctx.out += ' ' + className(cls);
  if (mdns) ctx.out += i & 0x8000 ? ' (QU)' : ' (QM)';
  ctx.out += '? ';
  const r = fqdnPrint(ctx, np, bp);
  return r === null ? null : r + 4;
}

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

function eoptPrint(ctx: PrintContext, cp: number): number | null {
  if (!ctx.has(cp, 2)) return null;
  const opt = ctx.u16(cp);
  ctx.out += EOPTS.get(opt) ?? 'Opt' + opt;
  if (!ctx.has(cp + 2, 2)) return null;
  const len = ctx.u16(cp + 2);
  cp += 4;
  if (!ctx.has(cp, len)) return null;
  if (len > 0) {
    ctx.out += ' ';
    const b = ctx.buf;
    if (opt === 12) ctx.out += '(' + len + ')';
    else if (opt === 9 && len === 4) ctx.out += ctx.u32(cp) + ' sec';
    else if (opt === 11 && len === 2) ctx.out += (ctx.u16(cp) / 10).toFixed(1) + ' sec';
    else if (opt === 10) {
      if (len < 8 || (len > 8 && len < 16) || len > 40) ctx.invalid();
      else for (let i = 0; i < len; i++) ctx.out += (i === 8 ? ' ' : '') + b[cp + i]!.toString(16).padStart(2, '0');
    } else if (opt === 9 || opt === 11) ctx.invalid();
    else for (let i = 0; i < len; i++) ctx.out += b[cp + i]!.toString(16).padStart(2, '0');
  }
  return cp + len;
}

/** `ns_rprint`: one resource record; the offset after it, or null (truncated). */
function rprint(ctx: PrintContext, cp: number, bp: number, mdns: boolean): number | null {
  const v = ctx.o.v;
  let p: number | null;
  if (v > 0) {
    ctx.out += ' ';
    p = fqdnPrint(ctx, cp, bp);
    if (p === null) return null;
  } else p = nskip(ctx, cp);
  if (p === null || !ctx.has(p, 10)) return ctx.snapend;
  cp = p;
  const typ = ctx.u16(cp);
  const i = ctx.u16(cp + 2);
  cp += 4;
  const cls = mdns ? i & 0x7fff : i;
  if (cls !== 1 && typ !== 41) ctx.out += ' ' + className(cls);
  if (mdns && i & 0x8000) ctx.out += ' (Cache flush)';
  let optFlags = 0;
  if (typ === 41) {
    optFlags = ctx.u16(cp + 2);
    cp += 4;
  } else if (v > 2) {
    ctx.out += ' [' + relts(ctx.u32(cp)) + ']';
    cp += 4;
  } else cp += 4;
  const len = ctx.u16(cp);
  cp += 2;
  const rp = cp + len;
  ctx.out += ' ' + typeName(typ);
  if (rp > ctx.snapend) return null;
  const b = ctx.buf;
  switch (typ) {
    case 1:
      if (!ctx.has(cp, 4)) return null;
      ctx.out += ' ' + ipv4At(b, cp);
      break;
    case 2:
    case 5:
    case 12:
    case 39:
      ctx.out += ' ';
      if (fqdnPrint(ctx, cp, bp) === null) return null;
      break;
    case 6: {
      if (!v) break;
      ctx.out += ' ';
      let q = fqdnPrint(ctx, cp, bp);
      if (q === null) return null;
      ctx.out += ' ';
      q = fqdnPrint(ctx, q, bp);
      if (q === null || !ctx.has(q, 20)) return null;
      for (let k = 0; k < 5; k++) ctx.out += ' ' + ctx.u32(q + 4 * k);
      break;
    }
    case 15:
      ctx.out += ' ';
      if (!ctx.has(cp, 2) || fqdnPrint(ctx, cp + 2, bp) === null) return null;
      ctx.out += ' ' + ctx.u16(cp);
      break;
    case 16:
      while (cp < rp) {
        ctx.out += ' "';
        if (!ctx.has(cp, 1)) return null;
        const n = b[cp]!;
        if (printn(ctx, cp + 1, n)) return null;
        cp += 1 + n;
        ctx.out += '"';
      }
      break;
    case 33:
      ctx.out += ' ';
      if (!ctx.has(cp, 6) || fqdnPrint(ctx, cp + 6, bp) === null) return null;
      ctx.out += ':' + ctx.u16(cp + 4) + ' ' + ctx.u16(cp) + ' ' + ctx.u16(cp + 2);
      break;
    case 28:
      if (!ctx.has(cp, 16)) return null;
      ctx.out += ' ' + ipv6At(b, cp);
      break;
    case 41:
      ctx.out += ' UDPsize=' + cls;
      if (optFlags & 0x8000) ctx.out += ' DO';
      if (cp < rp) {
        ctx.out += ' [';
        while (cp < rp) {
          const q = eoptPrint(ctx, cp);
          if (q === null) return null;
          cp = q;
          if (cp < rp) ctx.out += ',';
        }
        ctx.out += ']';
      }
      break;
    case 256:
      if (!ctx.has(cp, len)) return null;
      ctx.out += ' ' + ctx.u16(cp) + ' ' + ctx.u16(cp + 2) + ' ';
      if (printn(ctx, cp + 4, (len - 4) >>> 0)) return null;
      break;
    case 104:
      if (!ctx.has(cp, len) || printn(ctx, cp, len)) return null;
      break;
    default:
      break;
  }
  return rp;
}

/** Records `n` after `cp`, comma-separated, with `label` before the first; null when truncated. */
function rrList(ctx: PrintContext, cp: number, bp: number, mdns: boolean, n: number, label: string): number | null {
  if ((label === '' || cp < ctx.snapend) && n) {
    ctx.out += label;
    let q = rprint(ctx, cp, bp, mdns);
    if (q === null) return null;
    cp = q;
    n--;
    while (cp < ctx.snapend && n) {
      ctx.out += ',';
      q = rprint(ctx, cp, bp, mdns);
      if (q === null) return null;
      cp = q;
      n--;
    }
  }
  return n ? null : cp;
}

export function domainPrint(ctx: PrintContext, bp: number, length: number, overTcp: boolean, mdns: boolean): void {
  ctx.protocol = 'domain';
  if (overTcp) {
    if (length < 2) {
      ctx.out += ' [DNS over TCP: length ' + length + ' < 2]';
      ctx.invalid();
      return;
    }
    length -= 2;
    const pfx = ctx.u16(bp);
    if (pfx !== length) {
      ctx.out += ' [prefix length(' + pfx + ') != length(' + length + ')]';
      ctx.invalid();
      return;
    }
    bp += 2;
    ctx.out += ' ';
  }
  if (length < 12) {
    ctx.out += 'domain [length ' + length + ' < 12]';
    ctx.invalid();
    return;
  }
  if (!ctx.has(bp, 12)) {
    ctx.trunc();
    return;
  }
  const flags = ctx.u16(bp + 2);
  const qd = ctx.u16(bp + 4);
  let an = ctx.u16(bp + 6);
  const ns = ctx.u16(bp + 8);
  const ar = ctx.u16(bp + 10);
  let rcode = flags & 0xf;
  // Find the OPT record for the extended rcode.
  scan: {
    let cp: number | null = bp + 12;
    for (let i = 0; i < qd; i++) {
      if ((cp = nskip(ctx, cp)) === null) break scan;
      cp += 4;
      if (cp >= ctx.snapend) break scan;
    }
    for (let i = 0; i < an + ns; i++) {
      if ((cp = nskip(ctx, cp)) === null) break scan;
      cp += 8;
      if (cp + 2 > ctx.snapend) break scan;
      cp += 2 + ctx.u16(cp);
      if (cp >= ctx.snapend) break scan;
    }
    for (let i = 0; i < ar; i++) {
      if ((cp = nskip(ctx, cp)) === null) break scan;
      if (cp + 2 > ctx.snapend) break scan;
      const type = ctx.u16(cp);
      cp += 4;
      if (cp + 1 > ctx.snapend) break scan;
      if (type === 41) {
        rcode |= ctx.u8(cp) << 4;
        break scan;
      }
      cp += 4;
      if (cp + 2 > ctx.snapend) break scan;
      cp += 2 + ctx.u16(cp);
      if (cp >= ctx.snapend) break scan;
    }
  }
  const v = ctx.o.v;
  const id = ctx.u16(bp);
  let cp: number | null = bp + 12;
  if (flags & 0x8000) {
    ctx.out +=
      id + OPS[(flags >> 11) & 0xf]! + (rcode < RESP.length ? RESP[rcode]! : ' Resp' + (rcode & 0xfff)) +
      (flags & 0x0400 ? '*' : '') + (flags & 0x0080 ? '' : '-') + (flags & 0x0200 ? '|' : '') + (flags & 0x0020 ? '$' : '');
    if (qd !== 1) ctx.out += ' [' + qd + 'q]';
    for (let i = 0; i < qd; i++) {
      if (i !== 0) ctx.out += ',';
      if (v > 1) {
        ctx.out += ' q:';
        if ((cp = qprint(ctx, cp!, bp, mdns)) === null) return ctx.trunc();
      } else {
        if ((cp = nskip(ctx, cp!)) === null) return ctx.trunc();
        cp += 4;
      }
    }
    ctx.out += ' ' + an + '/' + ns + '/' + ar;
    if ((cp = rrList(ctx, cp!, bp, mdns, an, '')) === null) return ctx.trunc();
    an = 0;
    if (v > 1) {
      if ((cp = rrList(ctx, cp, bp, mdns, ns, ' ns:')) === null) return ctx.trunc();
      if ((cp = rrList(ctx, cp, bp, mdns, ar, ' ar:')) === null) return ctx.trunc();
    }
  } else {
    ctx.out += id + OPS[(flags >> 11) & 0xf]! + (flags & 0x0100 ? '+' : '') + (flags & 0x0010 ? '%' : '');
    if (flags & 0x6cf) ctx.out += ' [b2&3=0x' + flags.toString(16) + ']';
    if (((flags >> 11) & 0xf) === 1) {
      if (qd) ctx.out += ' [' + qd + 'q]';
      if (an !== 1) ctx.out += ' [' + an + 'a]';
    } else {
      if (an) ctx.out += ' [' + an + 'a]';
      if (qd !== 1) ctx.out += ' [' + qd + 'q]';
    }
    if (ns) ctx.out += ' [' + ns + 'n]';
    if (ar) ctx.out += ' [' + ar + 'au]';
    let q = qd;
    if (q) {
      if ((cp = qprint(ctx, cp!, bp, mdns)) === null) return ctx.trunc();
      q--;
      while (cp < ctx.snapend && q) {
        if ((cp = qprint(ctx, cp, bp, mdns)) === null) return ctx.trunc();
        q--;
      }
    }
    if (q) return ctx.trunc();
    if (v > 1) {
      if ((cp = rrList(ctx, cp!, bp, mdns, an, '')) === null) return ctx.trunc();
      if ((cp = rrList(ctx, cp, bp, mdns, ns, ' ns:')) === null) return ctx.trunc();
      if ((cp = rrList(ctx, cp, bp, mdns, ar, ' ar:')) === null) return ctx.trunc();
    }
  }
  ctx.out += ' (' + length + ')';
}
