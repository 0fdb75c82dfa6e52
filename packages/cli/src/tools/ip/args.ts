/**
 * iproute2's argument conventions (lib/utils.c): keyword abbreviation (`matches`), IPv4 address
 * and prefix parsing as `get_addr_1`/`get_prefix_1` do it (base-0 `strtoul` per byte, so `010`
 * is 8 and `0x0a` is 10; missing bytes are zero), and the exact error texts and exit statuses
 * of `invarg`, `incomplete_command`, `duparg2` and friends.
 */
import { ToolExit } from '../io.js';

/** iproute2's `exit(-1)`. */
export const EXIT_USAGE = 255;

/**
 * `matches(prefix, word)`: true when `prefix` is a non-empty prefix of `word` (`ip a` is
 * `ip address`, `ip r` is `ip route`). iproute2 tries keywords in a fixed order, first wins.
 */
export function matches(prefix: string, word: string): boolean {
  return prefix.length > 0 && word.startsWith(prefix);
}

/** `invarg`: `Error: argument "ARG" is wrong: MSG` and exit 255 (MSG often ends in a newline, hence a blank line). */
export function invarg(msg: string, arg: string): never {
  throw new ToolExit(EXIT_USAGE, `Error: argument "${arg}" is wrong: ${msg}`);
}

/** `incomplete_command`. */
export function incompleteCommand(): never {
  throw new ToolExit(EXIT_USAGE, 'Command line is not complete. Try option "help"');
}

/** `duparg2`. */
export function duparg2(key: string, arg: string): never {
  throw new ToolExit(EXIT_USAGE, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.`);
}

/** `duparg`. */
export function duparg(key: string, arg: string): never {
  throw new ToolExit(EXIT_USAGE, `Error: duplicate "${key}": "${arg}" is the second value.`);
}

/** `missarg`. */
export function missarg(key: string): never {
  throw new ToolExit(EXIT_USAGE, `Error: argument "${key}" is required`);
}

/** `nodev`: `Cannot find device "X"`, exit 1. */
export function nodev(name: string): never {
  throw new ToolExit(1, `Cannot find device "${name}"`);
}

/** A cursor over the words of one subcommand, with iproute2's `NEXT_ARG()`. */
export class Args {
  private i = 0;

  constructor(private readonly words: readonly string[]) {}

  get done(): boolean {
    return this.i >= this.words.length;
  }

  /** The current word (call only when not `done`). */
  get cur(): string {
    return this.words[this.i]!;
  }

  peek(): string | undefined {
    return this.words[this.i];
  }

  /** Move past the current word. */
  skip(): void {
    this.i++;
  }

  /** `NEXT_ARG()`: move to the value of the keyword just read; none left is `incomplete_command`. */
  next(): string {
    this.i++;
    if (this.i >= this.words.length) incompleteCommand();
    return this.words[this.i]!;
  }

  /** The words not consumed yet. */
  rest(): string[] {
    return this.words.slice(this.i);
  }
}

/** strtoul(cp, &end, 0) over one field: returns the value and the index after the digits (start if none). */
function strtoul0(s: string, start: number): { value: number; end: number } {
  let i = start;
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') {
    base = 8;
  }
  const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const from = i;
  let value = 0;
  while (i < s.length && digits.test(s[i]!)) {
    value = value * base + parseInt(s[i]!, base);
    if (value > 0xffff_ffff) value = 0xffff_ffff + 1;
    i++;
  }
  if (i === from) return { value: 0, end: start };
  return { value, end: i };
}

/** `get_addr_ipv4`: up to four dot-separated bytes in C notation; null if invalid. */
export function parseIpv4Addr(text: string): number | null {
  const bytes = [0, 0, 0, 0];
  let at = 0;
  for (let i = 0; i < 4; i++) {
    const { value, end } = strtoul0(text, at);
    if (end === at || value > 255) return null;
    bytes[i] = value;
    if (end === text.length) return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    if (i === 3 || text[end] !== '.') return null;
    at = end + 1;
  }
  return null;
}

export function formatIpv4Addr(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** An IPv4 prefix as iproute2 parses it. `any` is `default`/`all`/`any` (0/0). */
export interface Prefix {
  addr: number;
  len: number;
  /** A `/len` was given (`PREFIXLEN_SPECIFIED`). */
  lenGiven: boolean;
  any: boolean;
}

/** Which family a failed parse names: `any valid` before the family is known, `inet` after. */
export type FamilyWord = 'any valid' | 'inet';

function prefixError(family: FamilyWord, text: string): never {
  throw new ToolExit(1, `Error: ${family} prefix is expected rather than "${text}".`);
}

function addrError(family: FamilyWord, text: string): never {
  throw new ToolExit(1, `Error: ${family} address is expected rather than "${text}".`);
}

/** `get_prefix`: `A.B.C.D[/LEN]`, or `default`/`all`/`any`. Exits 1 with iproute2's text on error. */
export function getPrefix(text: string, family: FamilyWord = 'any valid'): Prefix {
  if (text === 'default' || text === 'all' || text === 'any') return { addr: 0, len: 0, lenGiven: true, any: true };
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const addr = parseIpv4Addr(addrText);
  if (addr === null) prefixError(family, text);
  if (slash < 0) return { addr, len: 32, lenGiven: false, any: false };
  const lenText = text.slice(slash + 1);
  const { value, end } = strtoul0(lenText, 0);
  if (end === 0 || end !== lenText.length || value > 32) prefixError(family, text);
  return { addr, len: value, lenGiven: true, any: false };
}

/** `get_addr`: one address (no length). */
export function getAddr(text: string, family: FamilyWord = 'any valid'): number {
  const addr = parseIpv4Addr(text);
  if (addr === null) addrError(family, text);
  return addr;
}

/** `get_unsigned` / `get_u32` with base 0: a non-negative integer, or null. */
export function parseUnsigned(text: string, max = 0xffff_ffff): number | null {
  if (text.length === 0) return null;
  const { value, end } = strtoul0(text, 0);
  if (end !== text.length || value > max) return null;
  return value;
}

/** The prefix's network address (host bits cleared). */
export function maskAddr(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffff_ffff << (32 - len))) >>> 0;
}

/** `format_host`/`rt_addr_n2a` plus `/len` unless it is a host route. */
export function formatPrefix(addr: number, len: number): string {
  return len === 32 ? formatIpv4Addr(addr) : `${formatIpv4Addr(addr)}/${len}`;
}
