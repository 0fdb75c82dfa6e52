/**
 * Text protocols over TCP (`txtproto_print`, util-print.c): HTTP, FTP, SMTP, RTSP and WHOIS print
 * `PROTO: first line` (with -v, `PROTO, length: N` and every line), and `ssh_print`'s
 * `SSH: SSH-2.0-...` banner.
 */
import type { PrintContext } from './context.js';

const HTTP_CMDS = new Set([
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE',
  'LABEL', 'MERGE', 'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT',
  'OPTIONS', 'CHECKIN', 'PROPFIND', 'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND',
  'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UNSUBSCRIBE', 'RPC_CONNECT',
  'VERSION-CONTROL', 'BASELINE-CONTROL',
]);
const RTSP_CMDS = new Set([
  'DESCRIBE', 'ANNOUNCE', 'GET_PARAMETER', 'OPTIONS', 'PAUSE', 'PLAY', 'RECORD', 'REDIRECT', 'SETUP',
  'SET_PARAMETER', 'TEARDOWN',
]);

const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;

/** `fetch_token`: [token, index after it and its trailing blanks] or null. */
function fetchToken(ctx: PrintContext, p: number, idx: number, len: number): [string, number] | null {
  let tok = '';
  for (; idx < len; idx++) {
    if (!ctx.has(p + idx, 1)) return null;
    const c = ctx.buf[p + idx]!;
    if (c > 0x7f) return null;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return null;
    if (tok.length + 2 > 129) return null;
    tok += String.fromCharCode(c);
  }
  if (tok.length === 0) return null;
  for (; idx < len; idx++) {
    if (!ctx.has(p + idx, 1)) break;
    const c = ctx.buf[p + idx]!;
    if (c === 0x0d || c === 0x0a || !isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  return [tok, idx];
}

function text(ctx: PrintContext, from: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(ctx.buf[from + i]!);
  return s;
}

/** `print_txt_line`: index after the line ending, or 0. */
function printLine(ctx: PrintContext, prefix: string, p: number, idx: number, len: number): number {
  const start = idx;
  while (idx < len) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a) {
      ctx.out += prefix + text(ctx, p + start, idx - start);
      return idx + 1;
    }
    if (c === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (ctx.u8(p + idx + 1) === 0x0a) {
        ctx.out += prefix + text(ctx, p + start, idx - start);
        return idx + 2;
      }
      return 0;
    }
    if (!isPrint(c) && c !== 0x09) return 0;
    idx++;
  }
  ctx.out += prefix + text(ctx, p + start, idx - start);
  ctx.trunc();
  return 0;
}

function txtproto(ctx: PrintContext, p: number, len: number, proto: string, cmds: Set<string> | null): void {
  ctx.protocol = proto;
  let printThis = cmds === null;
  if (cmds !== null) {
    let t = fetchToken(ctx, p, 0, len);
    if (t !== null) {
      if (cmds.has(t[0].toUpperCase())) printThis = true;
      t = fetchToken(ctx, p, t[1], len);
      if (t !== null && /^[0-9]{3}$/.test(t[0])) printThis = true;
    }
  }
  ctx.out += proto.toUpperCase();
  if (!printThis) return;
  if (ctx.o.v > 0) {
    ctx.out += ', length: ' + len;
    for (let idx = 0; idx < len; ) {
      const eol = printLine(ctx, '\n\t', p, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else printLine(ctx, ': ', p, 0, len);
}

export function httpPrint(ctx: PrintContext, p: number, len: number): void {
  txtproto(ctx, p, len, 'http', HTTP_CMDS);
}

export function rtspPrint(ctx: PrintContext, p: number, len: number): void {
  txtproto(ctx, p, len, 'rtsp', RTSP_CMDS);
}

export function ftpPrint(ctx: PrintContext, p: number, len: number): void {
  txtproto(ctx, p, len, 'ftp', null);
}

export function whoisPrint(ctx: PrintContext, p: number, len: number): void {
  txtproto(ctx, p, len, 'whois', null);
}

export function smtpPrint(ctx: PrintContext, p: number, len: number): void {
  txtproto(ctx, p, len, 'smtp', null);
}

/** `ssh_print`: the identification string, when the payload starts with one. */
export function sshPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'ssh';
  if (ctx.u8(p) !== 0x53 || ctx.u8(p + 1) !== 0x53 || ctx.u8(p + 2) !== 0x48 || ctx.u8(p + 3) !== 0x2d) return;
  let idx = 4;
  while (idx < len) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a) break;
    if (c === 0x0d) {
      if (idx + 1 >= len || ctx.u8(p + idx + 1) !== 0x0a) return;
      break;
    }
    if (!isPrint(c)) return;
    idx++;
  }
  if (idx >= len) return;
  ctx.out += ': SSH: ' + text(ctx, p, idx);
}
