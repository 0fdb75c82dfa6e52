/**
 * Byte-exact TCP transfers over impaired links, one seed at a time: the single source of truth
 * for test/tcp/lossy.test.ts (through test/tcp/lossy-links.ts) and `npm run soak`
 * (scripts/soak.mjs). Plain ESM so that both can use it: vitest resolves `@netstack/*` to the
 * package sources, Node to the compiled packages (packages/<pkg>/dist); types are in
 * lossy-links.d.mts.
 *
 * A seed fixes everything: the impairments of both directions of the link (`impairmentsFor`),
 * the World's randomness (ISNs, ports, netem's draws), hence the whole run, which happens in
 * virtual time. `runLossySeed(seed, size)` builds two namespaces a = 10.0.0.1 and b = 10.0.0.2
 * (loopback + veth + ipv4 + tcp, `twoHosts`) joined by a veth pair with a netem qdisc on each end
 * (and TSO/GSO off unless the seed keeps them), listens
 * on b, connects from a, sends `size` bytes and closes, reads on b to EOF and closes, then runs
 * virtual time until idle (TIME_WAIT is 60 s), and checks:
 *   - the bytes: count and sha256 of what b read, against what a sent;
 *   - time: EOF within `virtualLimitMs(imp, size)` of virtual time;
 *   - memory: sampled at every wakeup and every 10 ms, the sender's `wmemQueued` stays within
 *     `sndbuf` + one buffer's truesize (+ one more for the FIN's own buffer once close() queued
 *     it, which tcp_send_fin charges whatever sndbuf says), the receiver's `rx.rmemAlloc` within
 *     `rx.win.rcvbuf` + RMEM_SLACK;
 *   - leaks: every socket closed and `world.pool.live === 0` at the end;
 *   - corruption: when netem corrupted frames, they were dropped (checksums) and recovered (the
 *     sha256 above), which the counters show.
 * It returns a result with the problems found (empty = pass), the impairments, timings and the
 * counters that explain a failure (retransmits, timeouts, drops). Nothing here throws for a TCP
 * failure: the caller reports the seed with `formatFailure`.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Random, SKB_SIZE_CLASSES, World, attachNetem } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp, tcpNet } from '@netstack/tcp';

/** Seeds the CI test runs with 1 MB each, and with 50 MB each. */
export const CI_SMALL_SEEDS = 200;
export const CI_LARGE_SEEDS = 4;
export const MB = 1 << 20;

/**
 * The CI's 50 MB seeds: four seeds (in 1..CI_SMALL_SEEDS, so the soak runs them too) that cover
 * what a long transfer stresses most, each the first seed that has it: corruption with loss on the
 * data path, a slow reader, a small SO_RCVBUF, a large SO_SNDBUF with TSO on.
 */
export function largeCiSeeds() {
  const wants = [
    (i) => (i.forward.corruptPercent ?? 0) > 0 && (i.forward.lossPercent ?? 0) > 1,
    (i) => (i.sockets.readBytesPerTick ?? 0) > 0,
    (i) => (i.sockets.rcvbuf ?? Infinity) <= 32768,
    (i) => (i.sockets.sndbuf ?? 0) >= 262144 && i.sockets.tso === true,
  ];
  const out = [];
  for (const want of wants) {
    for (let seed = 1; seed <= CI_SMALL_SEEDS; seed++) {
      if (!out.includes(seed) && want(impairmentsFor(seed))) {
        out.push(seed);
        break;
      }
    }
  }
  return out;
}

/** Virtual time run after the transfer so TIME_WAIT (60 s) and every other timer can expire. */
export const SETTLE_MS = 180_000;
/** Virtual-time step of the transfer loop (callbacks do the work; the step only paces sampling). */
const STEP_MS = 10;
/** `SKB_TRUESIZE_OVERHEAD` in core (struct sk_buff + skb_shared_info), added to a slot's size. */
const TRUESIZE_OVERHEAD = 576;
/** The largest truesize one buffer can have (a 64 KiB GRO/TSO slot). */
export const MAX_TRUESIZE = SKB_SIZE_CLASSES[SKB_SIZE_CLASSES.length - 1] + TRUESIZE_OVERHEAD;
/**
 * How far the receiver's charged memory may exceed `rcvbuf`: tcp_try_rmem_schedule checks
 * `rmem_alloc <= rcvbuf` before charging a segment (so one segment more is normal), an empty queue
 * always takes a segment (sk_forced_mem_schedule), and a coalesce may grow a queued buffer.
 * Two of the largest buffers cover it.
 */
export const RMEM_SLACK = 2 * MAX_TRUESIZE;
/** Wall-clock bound of one seed (a livelock must not hang CI or the soak). */
export const DEFAULT_WALL_LIMIT_MS = 600_000;

/** Percent with two decimals, so that printed impairments are the exact values used. */
function pct(r, max) {
  return Math.round(r.float() * max * 100) / 100;
}

/** One direction's netem options; each impairment is off for about a quarter of the seeds. */
function direction(r) {
  const on = () => r.below(4) !== 0;
  const delayMs = 1 + r.below(50); // 1..50 ms
  const o = { delayMs };
  if (on()) o.jitterMs = Math.round(r.float() * delayMs * 0.25 * 10) / 10; // up to a quarter of the delay
  if (on()) o.lossPercent = pct(r, 5); // 0..5 %
  if (on()) {
    o.reorderPercent = pct(r, 10); // 0..10 %
    o.gap = 1 + r.below(5);
  }
  if (on()) o.duplicatePercent = pct(r, 2); // 0..2 %
  if (r.below(5) === 0) o.corruptPercent = 0.5; // one seed in five
  for (const k of Object.keys(o)) if (o[k] === 0) delete o[k];
  if (o.reorderPercent === undefined) delete o.gap;
  return o;
}

/**
 * The host side of a seed: SO_SNDBUF on the sender and SO_RCVBUF on the listener (each for
 * about a third of the seeds; the kernel doubles the value; both lock autotuning), a slow reader
 * (a quarter of the seeds) that reads at most `readBytesPerTick` every 10 ms of virtual time
 * instead of on every wakeup, so the receive queue fills and the window closes (without these
 * the memory bounds would be checked only at the default buffer sizes), and TSO (`tso`, a third
 * of the seeds; the others turn TSO and GSO off on both veth ends so impairments hit segments).
 */
function socketSide(r) {
  const o = {};
  if (r.below(3) === 0) o.sndbuf = [65536, 131072, 262144, 524288][r.below(4)];
  if (r.below(3) === 0) o.rcvbuf = [16384, 32768, 65536, 131072][r.below(4)];
  if (r.below(4) === 0) o.readBytesPerTick = [16384, 32768, 65536][r.below(3)];
  // TSO stays on for a third of the seeds: netem then drops, duplicates and corrupts whole
  // super-packets of up to 64 KiB (as it does on Linux unless `ethtool -K dev tso off gso off`).
  if (r.below(3) === 0) o.tso = true;
  return o;
}

/**
 * The impairments of `seed`: `forward` is netem on a's eth0 (data a → b), `reverse` on b's
 * (ACKs b → a), `sockets` the buffer sizes and reader speed. Deterministic: the same seed gives
 * the same options on every run and machine.
 */
export function impairmentsFor(seed) {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be a u32, got ${seed}`);
  const r = new Random((seed ^ 0x5eed_1055) >>> 0);
  const forward = direction(r);
  const reverse = direction(r);
  const sockets = socketSide(r);
  return { forward, reverse, sockets };
}

function fmtDir(o) {
  const parts = [`delay ${o.delayMs}ms`];
  if (o.jitterMs) parts[0] += ` ${o.jitterMs}ms`;
  if (o.lossPercent) parts.push(`loss ${o.lossPercent}%`);
  if (o.reorderPercent) parts.push(`reorder ${o.reorderPercent}% gap ${o.gap}`);
  if (o.duplicatePercent) parts.push(`duplicate ${o.duplicatePercent}%`);
  if (o.corruptPercent) parts.push(`corrupt ${o.corruptPercent}%`);
  return parts.join(' ');
}

function fmtSockets(o) {
  const parts = [];
  if (o.sndbuf) parts.push(`SO_SNDBUF ${o.sndbuf}`);
  if (o.rcvbuf) parts.push(`SO_RCVBUF ${o.rcvbuf}`);
  if (o.readBytesPerTick) parts.push(`reader ${o.readBytesPerTick} B/10ms`);
  if (o.tso) parts.push('TSO on');
  return parts.length === 0 ? '' : ` | ${parts.join(' ')}`;
}

/** `a→b: delay 12ms 1.5ms loss 2.31% ... | b→a: ... | SO_SNDBUF ...` in tc-netem's words. */
export function describeImpairments(imp) {
  return `a→b: ${fmtDir(imp.forward)} | b→a: ${fmtDir(imp.reverse)}${fmtSockets(imp.sockets)}`;
}

/** tcp_wmem[1] and tcp_rmem[1], the buffers a socket starts with (SO_* values are doubled). */
const WMEM_DEFAULT = 16384;
const RMEM_DEFAULT = 131072;
const MSS = 1448;

/**
 * A floor on the rate (bytes per second) the link and the socket buffers allow a healthy TCP: the
 * smaller of the window over the round trip and Padhye et al.'s steady-state model with timeouts
 * (SIGCOMM '98: b = 2 segments per ACK, T0 = max(1 s, 4 RTT)) at the loss the data direction sees
 * (forward loss and corruption, plus a quarter of the reverse's, whose lost ACKs cost less). The
 * window is deliberately the smallest a TCP may have: the buffers it starts with, as if neither
 * the send buffer (tcp_sndbuf_expand) nor the receive buffer (DRS) ever grew; SO_SNDBUF and
 * SO_RCVBUF fix them (doubled, and half the receive buffer is window at the default scaling ratio).
 * Reordering and duplication do not lower it: a TCP with RACK and D-SACK undo does not slow down
 * for them.
 */
export function expectedRate(imp) {
  const f = imp.forward;
  const r = imp.reverse;
  const rtt = (f.delayMs + (f.jitterMs ?? 0) + r.delayMs + (r.jitterMs ?? 0)) / 1000;
  const sndbuf = imp.sockets.sndbuf ? 2 * imp.sockets.sndbuf : WMEM_DEFAULT;
  const rcvbuf = imp.sockets.rcvbuf ? 2 * imp.sockets.rcvbuf : RMEM_DEFAULT;
  const window = Math.min(sndbuf, rcvbuf / 2);
  const p = Math.max(1e-4, ((f.lossPercent ?? 0) + (f.corruptPercent ?? 0) + ((r.lossPercent ?? 0) + (r.corruptPercent ?? 0)) / 4) / 100);
  const b = 2;
  const t0 = Math.max(1, 4 * rtt);
  const perSegment = rtt * Math.sqrt((2 * b * p) / 3) + t0 * Math.min(1, 3 * Math.sqrt((3 * b * p) / 8)) * p * (1 + 32 * p * p);
  let rate = Math.min(window / rtt, MSS / perSegment);
  // A slow reader caps it too.
  if (imp.sockets.readBytesPerTick) rate = Math.min(rate, imp.sockets.readBytesPerTick / (STEP_MS / 1000));
  return rate;
}

/**
 * Virtual time the transfer may take before it counts as too slow: a minute for the handshake
 * and the tail (SYN and FIN retransmits back off 1, 2, 4, ... s), plus four times what
 * `expectedRate` predicts for the bytes. Generous for a healthy stack (the CI seeds finish well
 * inside it), tight enough to catch a stall or a recovery that degenerates into timeouts.
 */
export function virtualLimitMs(imp, sizeBytes) {
  return Math.round(60_000 + (4 * 1000 * sizeBytes) / expectedRate(imp));
}

/**
 * Two hosts in a World of `seed`: namespaces a = 10.0.0.1/24 and b = 10.0.0.2/24 (loopback +
 * veth + ipv4 + tcp) joined by a veth pair (eth0 at both ends, of `mtu` if given), both ends up.
 * `tso: false` turns TSO and GSO off on both ends (`ethtool -K eth0 tso off gso off`) before the
 * addresses are added. test/tcp/helpers.ts `tcpPair` is this with TSO on.
 */
export function twoHosts(seed, { mtu, tso = true } = {}) {
  const world = new World({ seed });
  const plugins = () => [loopback({ up: true }), veth(), ipv4(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createVethPair(a, { name: 'eth0', mtu, peer: { name: 'eth0', netns: b, mtu } });
  devA.open();
  devB.open();
  if (!tso) {
    devA.setFeatures({ tso: false, gso: false }); // ethtool -K eth0 tso off gso off
    devB.setFeatures({ tso: false, gso: false });
  }
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB };
}

/** A deterministic payload of `n` bytes (xorshift32; test/tcp/helpers.ts re-exports it). */
export function payload(n, seed = 7) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** The command that replays one seed (prints its result and counters). */
export function replayCommand(seed, sizeBytes) {
  return `node scripts/soak.mjs --replay ${seed} --size ${sizeBytes}`;
}

const COUNTERS = [
  'TcpActiveOpens', 'TcpPassiveOpens', 'TcpAttemptFails', 'TcpEstabResets', 'TcpInSegs', 'TcpOutSegs', 'TcpRetransSegs', 'TcpInErrs', 'TcpOutRsts', 'TcpInCsumErrors',
  'TcpExtTCPTimeouts', 'TcpExtTCPLossProbes', 'TcpExtTCPLossProbeRecovery', 'TcpExtTCPSackRecovery', 'TcpExtTCPRenoRecovery', 'TcpExtTCPFastRetrans', 'TcpExtTCPSlowStartRetrans',
  'TcpExtTCPLostRetransmit', 'TcpExtTCPSpuriousRTOs', 'TcpExtTCPDSACKRecv', 'TcpExtTCPDSACKOldSent', 'TcpExtTCPDSACKOfoSent', 'TcpExtTCPSACKReorder', 'TcpExtTCPOFOQueue',
  'TcpExtTCPOFODrop', 'TcpExtTCPRcvQDrop', 'TcpExtPruneCalled', 'TcpExtRcvPruned', 'TcpExtTCPZeroWindowDrop', 'TcpExtTCPBacklogDrop', 'TcpExtTCPAbortOnData',
  'TcpExtTCPAbortOnTimeout', 'TcpExtTCPAbortOnClose', 'TcpExtTW', 'TcpExtPAWSEstab', 'TcpExtTCPACKSkippedPAWS', 'TcpExtDelayedACKs', 'TcpExtDelayedACKLost',
  'TcpExtTCPWinProbe', 'TcpExtTCPSACKReneging', 'TcpExtTCPOrigDataSent', 'TcpExtBeyondWindow', 'IpInHdrErrors', 'IpInDiscards', 'IpInDelivers', 'IpOutRequests',
];

/** The counters of `ns` that explain a transfer (those that exist and are not zero). */
function countersOf(ns) {
  const out = {};
  for (const name of COUNTERS) {
    let v;
    try {
      v = ns.snmp.get(name);
    } catch {
      continue;
    }
    if (v !== 0) out[name] = v;
  }
  const drops = ns.dropCounts();
  if (Object.keys(drops).length > 0) out.drops = drops;
  return out;
}

function netemStatsOf(q) {
  const s = q.netemStats;
  return { lost: s.lost, duplicated: s.duplicated, corrupted: s.corrupted, reordered: s.reordered, overlimit: s.overlimit };
}

function errCode(e) {
  return e !== null && typeof e === 'object' && 'code' in e ? e.code : undefined;
}

/**
 * Transfer `sizeBytes` a → b over the impaired link of `seed` and check it (see the top of the
 * file). `options.data` (at least `sizeBytes` long) and `options.expectedSha` let a caller reuse
 * one payload and its hash across seeds.
 */
export function runLossySeed(seed, sizeBytes, options = {}) {
  const wall0 = performance.now();
  const imp = impairmentsFor(seed);
  const limitMs = options.virtualLimitMs ?? virtualLimitMs(imp, sizeBytes);
  const wallLimitMs = options.wallLimitMs ?? DEFAULT_WALL_LIMIT_MS;
  const data = options.data ?? payload(sizeBytes);
  if (data.length < sizeBytes) throw new Error(`payload of ${data.length} bytes < ${sizeBytes}`);
  const expectedSha = options.expectedSha ?? sha256(data.subarray(0, sizeBytes));
  const problems = [];
  const problem = (msg) => {
    if (problems.length < 20) problems.push(msg);
  };

  const { world, a, b, devA, devB } = twoHosts(seed, { tso: !!imp.sockets.tso });
  const qA = attachNetem(devA, imp.forward);
  const qB = attachNetem(devB, imp.reverse);

  const port = 5001;
  const lsock = TcpSocket.create(b);
  if (imp.sockets.rcvbuf) lsock.setsockopt('SO_RCVBUF', imp.sockets.rcvbuf);
  lsock.bind('0.0.0.0', port);
  lsock.listen(16);
  const client = TcpSocket.create(a);
  if (imp.sockets.sndbuf) client.setsockopt('SO_SNDBUF', imp.sockets.sndbuf);
  let server = null;
  const readPerTick = imp.sockets.readBytesPerTick ?? Infinity;
  let readBudget = readPerTick;

  const hash = createHash('sha256');
  const scratch = new Uint8Array(256 * 1024);
  let sent = 0;
  let received = 0;
  let eof = false;
  let clientClosed = false;
  let serverClosed = false;
  let eofAtMs = -1;
  let samples = 0;
  let maxWmemOver = -Infinity; // max of wmemQueued - sndbuf
  let maxRmemOver = -Infinity; // max of rmemAlloc - rcvbuf
  let maxWmem = 0;
  let maxRmem = 0;
  let maxTruesize = 0;
  let lastSndbuf = 0;
  let lastRcvbuf = 0;
  const nowMs = () => world.scheduler.now() / 1e6;
  // Replay aid: one line of sender/receiver state every `traceEveryMs` of virtual time (fields
  // read defensively: they are internals and may move).
  const traceEveryMs = options.traceEveryMs ?? 0;
  const log = options.log ?? ((line) => console.log(line));
  const traceLine = () => {
    const sk = client.sk;
    const cc = sk.tp?.cc ?? {};
    const rx = server?.sk.rx;
    log(
      `t=${nowMs().toFixed(0)}ms sent=${sent} received=${received} state=${sk.state} ca=${cc.icsk_ca_state} cwnd=${cc.snd_cwnd} ssthresh=${cc.snd_ssthresh} ` +
        `inflight=${sk.unackedBytes} notsent=${sk.notsentBytes} sndwnd=${sk.sndWnd} srtt=${(sk.rtt?.srttUs ?? 0) >> 3}us rto=${sk.rtt?.rtoUs}us ` +
        `wmem=${sk.wmemQueued}/${sk.sndbuf} rmem=${rx?.rmemAlloc}/${rx?.win.rcvbuf} ofo=${rx?.ofo.length} ` +
        `retrans=${a.snmp.get('TcpRetransSegs')} rto_fired=${a.snmp.get('TcpExtTCPTimeouts')}`,
    );
  };

  const sample = () => {
    samples++;
    const sk = client.sk;
    // One buffer of the write queue: its truesize is what a send may add past sndbuf.
    const tail = sk.writeQueue.tail;
    if (tail !== null && tail.truesize > maxTruesize) maxTruesize = tail.truesize;
    const wOver = sk.wmemQueued - sk.sndbuf;
    if (wOver > maxWmemOver) maxWmemOver = wOver;
    if (sk.wmemQueued > maxWmem) maxWmem = sk.wmemQueued;
    lastSndbuf = sk.sndbuf;
    const oneBuffer = maxTruesize || MAX_TRUESIZE;
    // The send that crosses sndbuf adds one buffer; close() may add the FIN's own buffer on top
    // (tcp_send_fin charges it with sk_forced_mem_schedule, whatever sndbuf says).
    const allowed = oneBuffer + (sk.finQueued ? oneBuffer : 0);
    if (wOver > allowed) problem(`t=${nowMs().toFixed(1)}ms sender wmemQueued ${sk.wmemQueued} > sndbuf ${sk.sndbuf} + ${allowed} (one buffer${sk.finQueued ? ' + the FIN' : ''})`);
    if (server !== null) {
      const rx = server.sk.rx;
      const rOver = rx.rmemAlloc - rx.win.rcvbuf;
      if (rOver > maxRmemOver) maxRmemOver = rOver;
      if (rx.rmemAlloc > maxRmem) maxRmem = rx.rmemAlloc;
      lastRcvbuf = rx.win.rcvbuf;
      if (rOver > RMEM_SLACK) problem(`t=${nowMs().toFixed(1)}ms receiver rmemAlloc ${rx.rmemAlloc} > rcvbuf ${rx.win.rcvbuf} + ${RMEM_SLACK}`);
    }
  };

  const pump = () => {
    if (clientClosed) return;
    // Each send takes at least one byte or throws EAGAIN: bounded by the payload's length.
    for (let i = 0; i <= sizeBytes && sent < sizeBytes; i++) {
      let n;
      try {
        n = client.send(data, sent, Math.min(sizeBytes - sent, 65536));
      } catch (e) {
        if (errCode(e) === 'EAGAIN') break;
        problem(`t=${nowMs().toFixed(1)}ms send after ${sent} bytes: ${e.message ?? e}`);
        clientClosed = true;
        client.close();
        return;
      }
      sent += n;
      sample();
    }
    if (sent >= sizeBytes) {
      clientClosed = true;
      client.close();
    }
  };

  const drain = () => {
    if (server === null || eof) return;
    sample();
    for (let i = 0; i < 1_000_000; i++) {
      if (readBudget <= 0) return;
      let n;
      try {
        n = server.recv(scratch, 0, Math.min(scratch.length, readBudget));
      } catch (e) {
        if (errCode(e) === 'EAGAIN') return;
        problem(`t=${nowMs().toFixed(1)}ms recv after ${received} bytes: ${e.message ?? e}`);
        eof = true;
        return;
      }
      if (n === 0) {
        eof = true;
        eofAtMs = nowMs();
        return;
      }
      hash.update(scratch.subarray(0, n));
      received += n;
      readBudget -= n;
      if (received > sizeBytes) {
        problem(`received ${received} bytes > ${sizeBytes} sent`);
        eof = true;
        return;
      }
    }
  };

  lsock.onAcceptable = () => {
    if (server !== null) {
      problem('a second connection was accepted');
      return;
    }
    server = lsock.accept();
    server.onReadable = drain;
    drain();
  };
  client.onWritable = pump;
  client.onError = () => problem(`t=${nowMs().toFixed(1)}ms client error: ${client.sk.err}`);
  client.connect('10.0.0.2', port);

  let timedOut = false;
  let wallOut = false;
  for (let ms = 0; !eof; ms += STEP_MS) {
    if (ms >= limitMs) {
      timedOut = true;
      break;
    }
    if (performance.now() - wall0 > wallLimitMs) {
      wallOut = true;
      break;
    }
    world.runFor(STEP_MS);
    sample();
    if (traceEveryMs > 0 && (ms + STEP_MS) % traceEveryMs === 0) traceLine();
    if (readPerTick !== Infinity) {
      // The slow reader's tick: a new budget, and read what is waiting.
      readBudget = readPerTick;
      drain();
    }
  }
  const transferMs = eof && eofAtMs >= 0 ? eofAtMs : nowMs();
  // Counters as the transfer ended (before our closes, so that a timeout's aftermath, a RST for
  // unread data, does not hide what happened).
  const counters = { a: countersOf(a), b: countersOf(b) };
  if (timedOut) problem(`no EOF within ${limitMs} ms of virtual time (received ${received} of ${sizeBytes}, sent ${sent})`);
  if (wallOut) problem(`gave up after ${wallLimitMs} ms of wall-clock time at virtual t=${nowMs().toFixed(0)} ms (received ${received} of ${sizeBytes})`);
  if (server !== null && !serverClosed) {
    serverClosed = true;
    server.close();
  }
  if (!clientClosed) client.close();
  lsock.close();

  const sha = hash.digest('hex');
  if (eof && received !== sizeBytes) problem(`EOF after ${received} bytes, sent ${sizeBytes}`);
  if (received === sizeBytes && sha !== expectedSha) problem(`sha256 mismatch: got ${sha}, want ${expectedSha}`);

  // TIME_WAIT (60 s), FIN retransmits, netem's queues: let every timer run out.
  world.runUntilIdle(SETTLE_MS);
  const socks = tcpNet(a).sockets.size + tcpNet(b).sockets.size;
  if (socks !== 0) problem(`${socks} TCP sockets still exist ${SETTLE_MS} ms after the transfer`);
  const live = world.pool.live;
  if (live !== 0) problem(`${live} buffers still live ${SETTLE_MS} ms after the transfer (leak)`);

  const netem = { forward: netemStatsOf(qA), reverse: netemStatsOf(qB) };
  if (netem.forward.corrupted + netem.reverse.corrupted > 0 && problems.length === 0) {
    // Corrupted frames must have been dropped somewhere (checksum, header checks, wrong MAC),
    // never delivered: the sha256 above proves the bytes; here, that the drops were counted.
    const dropped = [a, b].reduce((n, ns) => n + ns.snmp.get('TcpInCsumErrors') + ns.snmp.get('IpInHdrErrors'), 0) + sumDrops(a) + sumDrops(b);
    if (dropped === 0) problem(`netem corrupted ${netem.forward.corrupted + netem.reverse.corrupted} frames but no drop was counted`);
  }
  return {
    seed,
    sizeBytes,
    impairments: imp,
    ok: problems.length === 0,
    problems,
    received,
    sha,
    expectedSha,
    virtualMs: transferMs,
    virtualLimitMs: limitMs,
    endMs: nowMs(),
    wallMs: performance.now() - wall0,
    memory: { samples, maxWmem, maxWmemOverSndbuf: maxWmemOver, sndbuf: lastSndbuf, maxRmem, maxRmemOverRcvbuf: maxRmemOver, rcvbuf: lastRcvbuf, oneBufferTruesize: maxTruesize },
    poolLive: live,
    netem,
    counters,
  };
}

function sumDrops(ns) {
  return Object.values(ns.dropCounts()).reduce((s, v) => s + v, 0);
}

/** A failing seed, with everything needed to replay and understand it. */
export function formatFailure(r) {
  return [
    `seed ${r.seed} (${r.sizeBytes} bytes) FAILED: ${r.problems.join('; ')}`,
    `  impairments: ${describeImpairments(r.impairments)}`,
    `  replay: ${replayCommand(r.seed, r.sizeBytes)}  (or replay(${r.seed}, ${r.sizeBytes}) from test/tcp/lossy-links.ts)`,
    `  received ${r.received} bytes, EOF/stop at virtual ${r.virtualMs.toFixed(1)} ms (limit ${r.virtualLimitMs} ms), wall ${r.wallMs.toFixed(0)} ms`,
    `  netem: ${JSON.stringify(r.netem)}`,
    `  counters a: ${JSON.stringify(r.counters.a)}`,
    `  counters b: ${JSON.stringify(r.counters.b)}`,
    `  memory: ${JSON.stringify(r.memory)}`,
  ].join('\n');
}

/** One line for a passing seed. */
export function formatPass(r) {
  return `seed ${r.seed}: ${r.sizeBytes} bytes in ${(r.virtualMs / 1000).toFixed(2)} s virtual, ${(r.wallMs / 1000).toFixed(2)} s wall, retrans ${r.counters.a.TcpRetransSegs ?? 0}, timeouts ${r.counters.a.TcpExtTCPTimeouts ?? 0} | ${describeImpairments(r.impairments)}`;
}
