/**
 * Segment-level scripts in the style of packetdrill: the system under test is one namespace
 * (lo + veth + ipv4 + tcp, 192.168.0.1) whose veth peer is a bare device in a second namespace
 * (no IP stack), where the script injects hand-made IPv4/TCP segments from 192.0.2.1 and
 * captures everything the stack sends. Sequence numbers are relative, as packetdrill writes
 * them: the remote side's ISN is `REMOTE_ISN`, the stack's ISN is learned from its first SYN.
 */
import { expect } from 'vitest';
import { ETH_P_IP, NUD_PERMANENT, World, csumFold, csumPartial, devQueueXmit, ethHeaderPush, readU16, readU32, writeU16, writeU32, type NetDevice, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, emitTcpOptions, newTcpOptions, tcp, tcpOptionsLen, tcpParseOptions, type TcpOptions } from '@netstack/tcp';

export const LOCAL = 0xc0a80001; // 192.168.0.1
export const REMOTE = 0xc0000201; // 192.0.2.1
export const REMOTE_ISN = 1_000_000;

export interface SegSpec {
  /** Flags in tcpdump letters: S F R P . (ACK) E (ECE) W (CWR). */
  flags: string;
  /** Relative sequence number (to our ISN when injecting, to the stack's when expecting). */
  seq: number;
  ack?: number;
  win?: number;
  len?: number;
  /** Options: mss, sackOK, ts [val, ecr] (ecr relative to nothing: absolute), wscale, sack blocks (relative). */
  opts?: { mss?: number; sackOk?: boolean; ts?: [number, number]; wscale?: number; sack?: [number, number][] };
  sport?: number;
  dport?: number;
  /** The IP TOS byte (its low two bits are the ECN field). */
  tos?: number;
  /** A Fast Open option (kind 34): 'request' (empty) or the cookie; `fastopenExp` for kind 254. */
  fastopen?: Uint8Array | 'request';
  fastopenExp?: boolean;
}

export interface Captured {
  at: number;
  flags: string;
  seq: number;
  ack: number;
  win: number;
  len: number;
  opts: TcpOptions;
  sport: number;
  dport: number;
  /** MSS of a TSO packet (several segments in one), 0 for a plain segment. */
  gsoSize: number;
  bytes: Uint8Array;
}

const FLAG_LETTERS: [string, number][] = [
  ['F', 0x01],
  ['S', 0x02],
  ['R', 0x04],
  ['P', 0x08],
  ['.', 0x10],
  ['E', 0x40],
  ['W', 0x80],
];

export function flagsOf(letters: string): number {
  let f = 0;
  for (const ch of letters) {
    const e = FLAG_LETTERS.find(([l]) => l === ch);
    if (e === undefined) throw new Error(`unknown flag ${ch}`);
    f |= e[1];
  }
  return f;
}

export function lettersOf(f: number): string {
  let s = '';
  for (const [l, bit] of FLAG_LETTERS) if (f & bit) s += l;
  return s;
}

export class TcpScript {
  readonly world: World;
  readonly sut: NetNamespace;
  readonly peerNs: NetNamespace;
  readonly dev: NetDevice;
  readonly peer: NetDevice;
  readonly out: Captured[] = [];
  /** The stack's ISN per remote port (learned from its SYN or SYN-ACK). */
  readonly isns = new Map<number, number>();

  /** The stack's ISN on the connection to the current `remotePort`. */
  get isn(): number {
    return this.isns.get(this.remotePort) ?? 0;
  }
  remotePort = 40000;
  /** The stack's most recent TSval, to echo. */
  lastTsVal = 0;
  localPort = 8080;

  constructor(seed = 1, opts: { tso?: boolean } = {}) {
    this.world = new World({ seed });
    this.sut = this.world.createNamespace('sut', [loopback({ up: true }), veth(), ipv4(), tcp()]);
    this.peerNs = this.world.createNamespace('peer', [veth()]);
    const [d, p] = createVethPair(this.sut, { name: 'eth0', peer: { name: 'eth0', netns: this.peerNs } });
    this.dev = d;
    this.peer = p;
    // Segment-level scripts see one packet per MSS, as packetdrill runs with TSO off on its tun.
    if (opts.tso !== true) d.setFeatures({ tso: false });
    d.open();
    p.open();
    const ip = getIpv4(this.sut);
    ip.addAddress(d, '192.168.0.1/16');
    ip.addRoute({ to: '192.0.2.0/24', dev: 'eth0' });
    ip.arp.table.adminSet(d, p.addr, NUD_PERMANENT, REMOTE);
    this.peerNs.devAddPack({
      type: ETH_P_IP,
      dev: null,
      owner: 'script',
      data: null,
      func: (skb) => {
        this.capture(skb.buf.slice(skb.data, skb.data + skb.len), skb.gsoSize);
        skb.pool.consume(skb);
        return 0;
      },
    });
  }

  get nowMs(): number {
    return this.world.scheduler.now() / 1e6;
  }

  private capture(ip: Uint8Array, gsoSize: number): void {
    const ihl = (ip[0]! & 0xf) * 4;
    if (ip[9] !== 6) return;
    const t = ihl;
    const hl = (ip[t + 12]! >> 4) * 4;
    const flags = ip[t + 13]!;
    const syn = (flags & 2) !== 0;
    const seqAbs = readU32(ip, t + 4);
    const dport = readU16(ip, t + 2);
    if (syn) this.isns.set(dport, seqAbs);
    const isn = this.isns.get(dport) ?? 0;
    const opts = tcpParseOptions(ip, t + 20, hl - 20, syn, newTcpOptions());
    if (opts.sawTstamp) this.lastTsVal = opts.tsVal;
    const totalLen = readU16(ip, 2);
    this.out.push({
      at: this.nowMs,
      flags: lettersOf(flags),
      seq: (seqAbs - isn) >>> 0,
      ack: (readU32(ip, t + 8) - REMOTE_ISN) >>> 0,
      win: readU16(ip, t + 14),
      len: totalLen - ihl - hl,
      opts,
      sport: readU16(ip, t),
      dport,
      gsoSize,
      bytes: ip,
    });
  }

  /** Build and send a segment from the remote side. */
  inject(spec: SegSpec, payload?: Uint8Array): void {
    const o = newTcpOptions();
    if (spec.opts?.mss !== undefined) o.mss = spec.opts.mss;
    if (spec.opts?.sackOk) o.sackOk = true;
    if (spec.opts?.ts !== undefined) {
      o.sawTstamp = true;
      o.tsVal = spec.opts.ts[0];
      o.tsEcr = spec.opts.ts[1];
    }
    if (spec.opts?.wscale !== undefined) {
      o.wscaleOk = true;
      o.wscale = spec.opts.wscale;
    }
    if (spec.opts?.sack !== undefined) {
      o.numSacks = spec.opts.sack.length;
      spec.opts.sack.forEach(([s, e], i) => {
        o.sackBlocks[2 * i] = (this.isn + s) >>> 0;
        o.sackBlocks[2 * i + 1] = (this.isn + e) >>> 0;
      });
    }
    if (spec.fastopen !== undefined) {
      o.fastopenLen = spec.fastopen === 'request' ? 0 : spec.fastopen.length;
      o.fastopenBuf = spec.fastopen === 'request' ? new Uint8Array(0) : spec.fastopen;
      o.fastopenExp = spec.fastopenExp === true;
    }
    const len = payload?.length ?? spec.len ?? 0;
    const hl = 20 + tcpOptionsLen(o);
    const ip = new Uint8Array(20 + hl + len);
    ip[0] = 0x45;
    ip[1] = spec.tos ?? 0;
    writeU16(ip, 2, ip.length);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    writeU32(ip, 12, REMOTE);
    writeU32(ip, 16, LOCAL);
    writeU16(ip, 10, csumFold(csumPartial(ip, 0, 20, 0)));
    const t = 20;
    writeU16(ip, t, spec.sport ?? this.remotePort);
    writeU16(ip, t + 2, spec.dport ?? this.localPort);
    writeU32(ip, t + 4, (REMOTE_ISN + spec.seq) >>> 0);
    const flags = flagsOf(spec.flags);
    writeU32(ip, t + 8, flags & 0x10 ? (this.isn + (spec.ack ?? 0)) >>> 0 : 0);
    emitTcpOptions(o, ip, t + 20);
    ip[t + 12] = (hl / 4) << 4;
    ip[t + 13] = flags;
    writeU16(ip, t + 14, spec.win ?? 65535);
    if (payload !== undefined) ip.set(payload, t + hl);
    else for (let i = 0; i < len; i++) ip[t + hl + i] = (spec.seq + i) & 0xff;
    // Pseudo-header: src, dst, proto, length.
    let pseudo = (REMOTE >>> 16) + (REMOTE & 0xffff) + (LOCAL >>> 16) + (LOCAL & 0xffff) + 6 + hl + len;
    pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
    writeU16(ip, t + 16, csumFold(csumPartial(ip, t, hl + len, pseudo)));
    this.sendIp(ip);
  }

  /** An ICMP error from the remote host quoting `quoted` (an IP packet the stack sent). */
  injectIcmp(type: number, code: number, quoted: Uint8Array, mtu = 0): void {
    const q = quoted.subarray(0, Math.min(quoted.length, 28 + 40));
    const ip = new Uint8Array(20 + 8 + q.length);
    ip[0] = 0x45;
    writeU16(ip, 2, ip.length);
    ip[8] = 64;
    ip[9] = 1;
    writeU32(ip, 12, REMOTE);
    writeU32(ip, 16, LOCAL);
    writeU16(ip, 10, csumFold(csumPartial(ip, 0, 20, 0)));
    ip[20] = type;
    ip[21] = code;
    if (mtu !== 0) writeU16(ip, 26, mtu);
    ip.set(q, 28);
    writeU16(ip, 22, csumFold(csumPartial(ip, 20, 8 + q.length, 0)));
    this.sendIp(ip);
  }

  private sendIp(ip: Uint8Array): void {
    const skb = this.world.pool.allocFrom(ip);
    skb.dev = this.peer;
    skb.protocol = ETH_P_IP;
    ethHeaderPush(skb, ETH_P_IP, vethPeer(this.peer)!.addr, 0, this.peer.addr);
    devQueueXmit(skb);
    this.world.drain();
  }

  /** Advance virtual time by `ms`. */
  run(ms: number): void {
    this.world.runFor(ms);
  }

  /** Take the next captured segment (after running up to `withinMs`), or fail. */
  next(withinMs = 0): Captured {
    for (let waited = 0; this.out.length === 0 && waited <= withinMs; waited += 1) this.world.runFor(1);
    const c = this.out.shift();
    if (c === undefined) throw new Error(`no segment within ${withinMs} ms (now ${this.nowMs} ms)`);
    return c;
  }

  /** Expect the next segment to match `spec` (only the fields given are checked). */
  expect(spec: Partial<SegSpec> & { flags: string }, withinMs = 0): Captured {
    const c = this.next(withinMs);
    const got: Record<string, unknown> = { flags: c.flags };
    const want: Record<string, unknown> = { flags: spec.flags };
    if (spec.seq !== undefined) {
      got.seq = c.seq;
      want.seq = spec.seq;
    }
    if (spec.ack !== undefined) {
      got.ack = c.ack;
      want.ack = spec.ack;
    }
    if (spec.win !== undefined) {
      got.win = c.win;
      want.win = spec.win;
    }
    if (spec.len !== undefined) {
      got.len = c.len;
      want.len = spec.len;
    }
    if (spec.opts?.mss !== undefined) {
      got.mss = c.opts.mss;
      want.mss = spec.opts.mss;
    }
    if (spec.opts?.wscale !== undefined) {
      got.wscale = c.opts.wscaleOk ? c.opts.wscale : null;
      want.wscale = spec.opts.wscale;
    }
    if (spec.opts?.sackOk !== undefined) {
      got.sackOk = c.opts.sackOk;
      want.sackOk = spec.opts.sackOk;
    }
    if (spec.opts?.sack !== undefined) {
      const blocks: [number, number][] = [];
      for (let i = 0; i < c.opts.numSacks; i++) blocks.push([(c.opts.sackBlocks[2 * i]! - REMOTE_ISN) >>> 0, (c.opts.sackBlocks[2 * i + 1]! - REMOTE_ISN) >>> 0]);
      got.sack = blocks;
      want.sack = spec.opts.sack;
    }
    expect(got, `segment at ${c.at} ms`).toEqual(want);
    return c;
  }

  /** Nothing is sent for `ms`. */
  expectQuiet(ms: number): void {
    this.world.runFor(ms);
    expect(this.out.map((c) => `${c.at}ms ${c.flags} seq ${c.seq} ack ${c.ack} len ${c.len}`)).toEqual([]);
  }

  /** The listener from `listen()`, for scripts that do the handshake by hand. */
  listener: TcpSocket | null = null;

  /** accept() on the last listener. */
  listenerAccept(): TcpSocket {
    return this.listener!.accept();
  }

  /** A listening socket on 192.168.0.1:8080. */
  listen(backlog = 16): TcpSocket {
    const s = TcpSocket.create(this.sut);
    s.bind('0.0.0.0', this.localPort);
    s.listen(backlog);
    this.listener = s;
    return s;
  }

  /** Passive open with the usual Linux-like SYN options; returns the listener and accepted socket. */
  passiveOpen(opts: SegSpec['opts'] = { mss: 1460, sackOk: true, ts: [100, 0], wscale: 7 }, ackWin = 502, rttMs = 0): { listener: TcpSocket; conn: TcpSocket } {
    const listener = this.listen();
    this.inject({ flags: 'S', seq: 0, win: 65535, opts });
    this.expect({ flags: 'S.', seq: 0, ack: 1 });
    if (rttMs > 0) this.run(rttMs);
    this.inject({ flags: '.', seq: 1, ack: 1, win: ackWin, opts: opts?.ts ? { ts: this.ts(101) } : {} });
    const conn = listener.accept();
    return { listener, conn };
  }

  /** Active open to 192.0.2.1:remotePort; the SYN is expected and answered. */
  activeOpen(opts: SegSpec['opts'] = { mss: 1460, sackOk: true, ts: [100, 0], wscale: 7 }): TcpSocket {
    const s = TcpSocket.create(this.sut);
    s.connect('192.0.2.1', this.remotePort);
    this.world.drain();
    const syn = this.expect({ flags: 'S', seq: 0 });
    this.localPort = syn.sport;
    const synOpts = { ...opts };
    if (synOpts.ts !== undefined && syn.opts.sawTstamp) synOpts.ts = [synOpts.ts[0], syn.opts.tsVal];
    this.inject({ flags: 'S.', seq: 0, ack: 1, win: 65535, opts: synOpts });
    this.expect({ flags: '.', seq: 1, ack: 1 });
    return s;
  }

  /** The TS option to put on an injected segment: ours `val`, echoing the stack's last TSval. */
  ts(val: number): [number, number] {
    return [val, this.lastTsVal];
  }
}
