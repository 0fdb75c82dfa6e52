/**
 * TCP (`tcp_print`, print-tcp.c): `Flags [S.], seq 5000, ack 1001, win 65160, options [...],
 * length 0`, with sequence and acknowledgement numbers relative to the first ACK-bearing
 * segment of each conversation (per printer, bounded), the checksum with -v, `-q` as
 * `tcp N`, RST payload text with -v, and HTTP/FTP/SMTP/RTSP/WHOIS/SSH/DNS payload summaries.
 */
import { cksumShouldBe, nextProto4Cksum, nextProto6Cksum } from './checksum.js';
import { TRUNCATED, type PrintContext } from './context.js';
import { domainPrint } from './dns.js';
import { hex4, ipv4At, ipv6At, printChar } from './format.js';
import { tcpOptionsPrint } from './tcp-options.js';
import { ftpPrint, httpPrint, rtspPrint, smtpPrint, sshPrint, whoisPrint } from './txtproto.js';

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;
const TH_URG = 0x20;
const FLAG_CHARS: readonly (readonly [number, string])[] = [
  [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
];

/**
 * Ports tcpdump 4.99 hands to a payload printer this module does not have (telnet, BGP, PPTP,
 * Redis, BEEP, OpenFlow, MSDP, RPKI-RTR, LDP, NFS): such payloads differ.
 */
export const TCP_PORTS_NOT_DECODED: ReadonlySet<number> = new Set([23, 179, 1723, 6379, 10288, 6633, 6653, 639, 323, 646, 2049]);

function flagString(flags: number): string {
  let s = '';
  for (const [bit, c] of FLAG_CHARS) if (flags & bit) s += c;
  return s || 'none';
}

function rstData(ctx: PrintContext, sp: number, length: number): void {
  ctx.out += ctx.has(sp, length) ? ' [RST' : ' [!RST';
  if (length > 30) {
    length = 30;
    ctx.out += '+';
  }
  ctx.out += ' ';
  while (length && sp < ctx.snapend) {
    ctx.out += printChar(ctx.buf[sp++]!);
    length--;
  }
  ctx.out += ']';
}

export function tcpPrint(ctx: PrintContext, bp: number, length: number, ip: number, fragmented: boolean): void {
  ctx.protocol = 'tcp';
  const seqs = ctx.tcpSeqs;
  const b = ctx.buf;
  const v6 = b[ip]! >> 4 === 6;
  const alen = v6 ? 16 : 4;
  const srcOff = v6 ? ip + 8 : ip + 12;
  const dstOff = v6 ? ip + 24 : ip + 16;
  const addr = v6 ? ipv6At : ipv4At;
  if (!ctx.has(bp + 2, 2)) {
    ctx.out += addr(b, srcOff) + ' > ' + addr(b, dstOff) + ':';
    ctx.trunc();
    return;
  }
  const sport = (b[bp]! << 8) | b[bp + 1]!;
  const dport = (b[bp + 2]! << 8) | b[bp + 3]!;
  if (b[v6 ? ip + 6 : ip + 9] === 6) ctx.out += addr(b, srcOff) + '.' + sport + ' > ' + addr(b, dstOff) + '.' + dport + ': ';
  else ctx.out += sport + ' > ' + dport + ': ';
  if (!ctx.has(bp, 20)) {
    ctx.trunc();
    return;
  }
  let hlen = (b[bp + 12]! >> 4) * 4;
  if (hlen < 20) {
    ctx.out += ' tcp ' + ((length - hlen) >>> 0) + ' [bad hdr length ' + hlen + ' - too short, < 20]';
    return;
  }
  let seq = ctx.u32(bp + 4);
  let ack = ctx.u32(bp + 8);
  const win = ctx.u16(bp + 14);
  const urp = ctx.u16(bp + 18);
  const o = ctx.o;
  if (o.q) {
    ctx.out += 'tcp ' + ((length - hlen) >>> 0);
    if (hlen > length) ctx.out += ' [bad hdr length ' + hlen + ' - too long, > ' + length + ']';
    return;
  }
  const flags = b[bp + 13]!;
  ctx.out += 'Flags [' + flagString(flags) + ']';
  let rev = false;
  let thseq = 0;
  let thack = 0;
  if (!o.S && flags & TH_ACK) {
    if (sport > dport) rev = true;
    else if (sport === dport) {
      for (let i = 0; i < alen; i++) {
        if (b[srcOff + i] !== b[dstOff + i]) {
          rev = b[srcOff + i]! > b[dstOff + i]!;
          break;
        }
      }
    }
    const a = rev ? dstOff : srcOff;
    const d = rev ? srcOff : dstOff;
    const port = (rev ? ((dport << 16) | sport) : ((sport << 16) | dport)) >>> 0;
    let th = seqs.find(v6 ? 6 : 4, b, a, d, alen, port);
    if (th < 0 || flags & TH_SYN) {
      if (th < 0) th = seqs.insert(v6 ? 6 : 4, b, a, d, alen, port);
      if (rev) {
        seqs.ack[th] = seq;
        seqs.seq[th] = (ack - 1) >>> 0;
      } else {
        seqs.seq[th] = seq;
        seqs.ack[th] = (ack - 1) >>> 0;
      }
    } else if (rev) {
      seq = (seq - seqs.ack[th]!) >>> 0;
      ack = (ack - seqs.seq[th]!) >>> 0;
    } else {
      seq = (seq - seqs.seq[th]!) >>> 0;
      ack = (ack - seqs.ack[th]!) >>> 0;
    }
    thseq = seqs.seq[th]!;
    thack = seqs.ack[th]!;
  }
  if (hlen > length) {
    ctx.out += ' [bad hdr length ' + hlen + ' - too long, > ' + length + ']';
    return;
  }
  if (o.v > 0 && !fragmented && ctx.has(bp, length)) {
    const sum = v6 ? nextProto6Cksum(ctx, ip, bp, length, 6) : nextProto4Cksum(ctx, ip, bp, length, 6);
    const field = ctx.u16(bp + 16);
    ctx.out += ', cksum 0x' + hex4(field) + (sum !== 0 ? ' (incorrect -> 0x' + hex4(cksumShouldBe(field, sum)) + ')' : ' (correct)');
  }
  const dataLen = length - hlen;
  if (o.v > 1 || dataLen > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
    ctx.out += ', seq ' + seq;
    if (dataLen > 0) ctx.out += ':' + ((seq + dataLen) >>> 0);
  }
  if (flags & TH_ACK) ctx.out += ', ack ' + ack;
  ctx.out += ', win ' + win;
  if (flags & TH_URG) ctx.out += ', urg ' + urp;
  if (hlen > 20 && !tcpOptionsPrint(ctx, bp + 20, hlen - 20, rev, thseq, thack, bp + length)) return;
  ctx.out += ', length ' + dataLen;
  if (dataLen === 0) return;
  hlen = (b[bp + 12]! >> 4) * 4;
  if (!ctx.has(bp, hlen)) {
    ctx.out += ' [remaining caplen(' + ctx.avail(bp) + ') < header length(' + hlen + ')]';
    throw TRUNCATED;
  }
  const p = bp + hlen;
  if (flags & TH_RST && o.v > 0) {
    rstData(ctx, p, dataLen);
    return;
  }
  payloadPrint(ctx, p, dataLen, sport, dport);
}

function is(sport: number, dport: number, port: number): boolean {
  return sport === port || dport === port;
}

/** The port dispatch of `tcp_print`, in tcpdump's order (undecoded printers print nothing). */
function payloadPrint(ctx: PrintContext, p: number, len: number, sport: number, dport: number): void {
  if (is(sport, dport, 23)) {
    ctx.undecoded = true;
    return;
  }
  if (is(sport, dport, 25)) {
    ctx.out += ': ';
    smtpPrint(ctx, p, len);
    return;
  }
  if (is(sport, dport, 43)) {
    ctx.out += ': ';
    whoisPrint(ctx, p, len);
    return;
  }
  if (is(sport, dport, 179) || is(sport, dport, 1723) || is(sport, dport, 6379)) {
    ctx.undecoded = true;
    return;
  }
  if (is(sport, dport, 22)) {
    sshPrint(ctx, p, len);
    return;
  }
  // tcpdump is built without SMB printing here (139, 445 fall through).
  if (is(sport, dport, 10288) || is(sport, dport, 6633) || is(sport, dport, 6653)) {
    ctx.undecoded = true;
    return;
  }
  if (is(sport, dport, 21)) {
    ctx.out += ': ';
    ftpPrint(ctx, p, len);
  } else if (is(sport, dport, 80) || is(sport, dport, 8080)) {
    ctx.out += ': ';
    httpPrint(ctx, p, len);
  } else if (is(sport, dport, 554) || is(sport, dport, 8554)) {
    ctx.out += ': ';
    rtspPrint(ctx, p, len);
  } else if (is(sport, dport, 53)) domainPrint(ctx, p, len, true, false);
  else if (is(sport, dport, 639) || is(sport, dport, 323) || is(sport, dport, 646) || is(sport, dport, 2049)) ctx.undecoded = true;
}
