/**
 * Server cookies (net/ipv4/tcp_fastopen.c, Linux ≥ 5.3): the cookie is SipHash-2-4, keyed with
 * the 16-byte TFO key, of the SYN's source then destination address as they sit in the IP header
 * (8 bytes for IPv4, 32 for IPv6); the 64-bit result, stored little-endian, is the 8-byte cookie.
 * A context holds the primary key and at most one backup (`tcp_fastopen_context`): cookies are
 * made with the primary and accepted with either, so keys can rotate without breaking clients.
 *
 * The text form is that of `net.ipv4.tcp_fastopen_key` (`proc_tcp_fastopen_key`): each key is
 * four 32-bit hex groups "%08x-%08x-%08x-%08x", each group stored little-endian in the key bytes;
 * a backup key follows after a comma.
 */
import { NetError, type InetAddrWords } from '@netstack/core';
import { SipHash24, sipHashKeyFromBytes } from '../isn/siphash.js';
import { TCP_FASTOPEN_COOKIE_SIZE } from '../wire/index.js';
import { TCP_FASTOPEN_KEY_LENGTH, TCP_FASTOPEN_KEY_MAX } from './constants.js';

const GROUP_RE = /^[0-9a-f]{1,8}$/i;

/** The keys of a `tcp_fastopen_key` text (one or two), each 16 bytes. Throws EINVAL on bad text. */
export function parseFastopenKeys(text: string): Uint8Array[] {
  const parts = text.trim().split(',');
  if (parts.length > TCP_FASTOPEN_KEY_MAX) throw new NetError('EINVAL', `at most ${TCP_FASTOPEN_KEY_MAX} Fast Open keys`);
  return parts.map((part) => {
    const groups = part.split('-');
    if (groups.length !== 4 || !groups.every((g) => GROUP_RE.test(g))) throw new NetError('EINVAL', `Fast Open key "${part}": expected xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx`);
    const key = new Uint8Array(TCP_FASTOPEN_KEY_LENGTH);
    const dv = new DataView(key.buffer);
    groups.forEach((g, i) => dv.setUint32(4 * i, parseInt(g, 16), true));
    return key;
  });
}

/** The text form of `keys` (as the sysctl and getsockopt(TCP_FASTOPEN_KEY) print them). */
export function formatFastopenKeys(keys: readonly Uint8Array[]): string {
  return keys
    .map((key) => {
      const dv = new DataView(key.buffer, key.byteOffset, key.byteLength);
      return [0, 1, 2, 3].map((i) => dv.getUint32(4 * i, true).toString(16).padStart(8, '0')).join('-');
    })
    .join(',');
}

/** `struct tcp_fastopen_context`: a primary key and an optional backup, as SipHash hashers. */
export class TcpFastopenContext {
  readonly keys: readonly Uint8Array[];
  private readonly hashers: SipHash24[];
  /** saddr ‖ daddr in network byte order (the IP header's layout), reused per cookie. */
  private readonly scratch = new Uint8Array(32);
  /** A backup key's cookie while checking. */
  private readonly tmp = new Uint8Array(TCP_FASTOPEN_COOKIE_SIZE);

  constructor(keys: readonly Uint8Array[]) {
    if (keys.length < 1 || keys.length > TCP_FASTOPEN_KEY_MAX) throw new NetError('EINVAL', `${keys.length} Fast Open keys`);
    for (const k of keys) if (k.length !== TCP_FASTOPEN_KEY_LENGTH) throw new NetError('EINVAL', `a Fast Open key is ${TCP_FASTOPEN_KEY_LENGTH} bytes`);
    this.keys = keys.map((k) => k.slice());
    this.hashers = this.keys.map((k) => new SipHash24(sipHashKeyFromBytes(k)));
  }

  /** `tcp_fastopen_context_len`. */
  get num(): number {
    return this.hashers.length;
  }

  /**
   * `__tcp_fastopen_cookie_gen_cipher` with key `index`: the cookie for a SYN from `saddr` to
   * `daddr` (`words` 32-bit words each: 1 for IPv4, 4 for IPv6) into `out[off, off + 8)`.
   */
  gen(index: number, saddr: InetAddrWords, daddr: InetAddrWords, words: number, out: Uint8Array, off = 0): void {
    const b = this.scratch;
    for (let i = 0; i < words; i++) {
      writeBe32(b, 4 * i, saddr[i]!);
      writeBe32(b, 4 * (words + i), daddr[i]!);
    }
    const h = this.hashers[index]!;
    h.hash(b, 8 * words);
    writeLe32(out, off, h.lo);
    writeLe32(out, off + 4, h.hi);
  }

  /**
   * `tcp_fastopen_cookie_gen_check`: 0 when `cookie[off, off + len)` matches no key, 1 for the
   * primary, 2 for the backup. `valid` receives the primary's cookie either way.
   */
  check(saddr: InetAddrWords, daddr: InetAddrWords, words: number, cookie: Uint8Array, off: number, len: number, valid: Uint8Array): number {
    const tmp = this.tmp;
    for (let i = 0; i < this.hashers.length; i++) {
      const dst = i === 0 ? valid : tmp;
      this.gen(i, saddr, daddr, words, dst, 0);
      if (len === TCP_FASTOPEN_COOKIE_SIZE && bytesEqual(dst, 0, cookie, off, len)) return i + 1;
    }
    return 0;
  }
}

function writeBe32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

function writeLe32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = v >>> 24;
}

function bytesEqual(a: Uint8Array, ao: number, b: Uint8Array, bo: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}
