/**
 * gro-speedup: what GRO + GSO buy a TCP bulk transfer, both sides measured in the same run.
 *
 * One stream between two namespaces (a = 10.0.0.1, b = 10.0.0.2: loopback + veth + ipv4 + tcp)
 * over a veth pair in a real-time World, BULK_STEP_BYTES per step in 64 KiB writes, as
 * tcp-bulk-veth does. The simulated multi-queue NIC does not exist yet, so the "device" is veth
 * with its features set as `ethtool -K` would:
 *
 * - subject, GRO + GSO on: TSO off and GRO on at both ends (`ethtool -K eth0 tso off gro on`).
 *   The sender's TCP builds GSO packets of up to 64 KiB, `validate_xmit_skb` cuts them into
 *   MSS-sized frames in software, and the receiver's GRO merges those back before IP and TCP see
 *   them. (TCP decides at connect time whether to build GSO packets, from TSO, so TSO goes off
 *   once the connection is up; Linux's TCP would build them with GSO alone.)
 * - reference, off: `ethtool -K eth0 tso off gso off gro off` at both ends before connecting:
 *   TCP cuts every segment itself and the receiver handles each one.
 *
 * Both carry MSS-sized frames over the link; the ratio (subject / reference, Gbit/s of payload)
 * is the per-packet work GRO and GSO save. Every case runs in its own worker thread, as in
 * tcp.bench.mjs (the harness is synchronous, a real-time World needs an event loop); both sides
 * check every 1021st byte read against the sent pattern, and each must see its own path taken
 * (segments cut in software and merged by GRO, or neither).
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const BULK_STEP_BYTES = 8 << 20;
const WRITE_BYTES = 64 * 1024;
const PATTERN_PERIOD = 1_048_583;
const CHECK_STRIDE = 1021;
const WARM_MS = 1000;
const STEP_TIMEOUT_MS = 30_000;

const PENDING = 1;
const DONE = 2;
const FAILED = 3;

/** Start `mode` ('on' | 'off') in a worker; `step()` blocks on it (see tcp.bench.mjs). */
function workerCase(mode) {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const out = new Float64Array(new SharedArrayBuffer(8 * 4));
  const msg = new Uint8Array(new SharedArrayBuffer(8192));
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { groBench: mode, ctrl: ctrl.buffer, out: out.buffer, msg: msg.buffer } });
  worker.unref();
  let closed = false;
  let problem = null;
  let live = 0;
  const readMsg = () => new TextDecoder().decode(msg.slice(0, msg.indexOf(0) < 0 ? msg.length : msg.indexOf(0)));
  const call = (op) => {
    Atomics.store(ctrl, 0, PENDING);
    worker.postMessage(op);
    const deadline = performance.now() + STEP_TIMEOUT_MS + 5_000;
    for (let i = 0; Atomics.load(ctrl, 0) === PENDING; i++) {
      const left = deadline - performance.now();
      if (left <= 0 || i > 1_000_000) {
        void worker.terminate();
        throw new Error(`gro-${mode}: "${op}" did not finish within ${STEP_TIMEOUT_MS} ms`);
      }
      Atomics.wait(ctrl, 0, PENDING, left);
    }
    if (Atomics.load(ctrl, 0) === FAILED) {
      void worker.terminate();
      throw new Error(`gro-${mode}: "${op}" failed: ${readMsg()}`);
    }
    return out[0];
  };
  call('init');
  return {
    step: () => call('step'),
    close() {
      if (closed) return;
      closed = true;
      call('close');
      live = out[1];
      problem = out[2] !== 0 ? readMsg() : null;
      void worker.terminate();
    },
    verify: () => problem,
    poolLive: () => live,
  };
}

export default [
  {
    name: 'gro-speedup',
    unit: 'Gbit/s',
    description: `TCP bulk a → b over veth in real time, ${BULK_STEP_BYTES >> 20} MiB per step: GRO + GSO on (tso off) vs off (tso, gso, gro off)`,
    subject: () => workerCase('on'),
    reference: () => workerCase('off'),
  },
];

// ---------------------------------------------------------------------------------------------
// Worker side.
// ---------------------------------------------------------------------------------------------

function makePattern() {
  const buf = new Uint8Array(PATTERN_PERIOD + WRITE_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < PATTERN_PERIOD; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  buf.copyWithin(PATTERN_PERIOD, 0, WRITE_BYTES);
  return buf;
}

function checkRead(pattern, chunk, n, at) {
  let bad = 0;
  let k = (CHECK_STRIDE - (at % CHECK_STRIDE)) % CHECK_STRIDE;
  for (; k < n; k += CHECK_STRIDE) if (chunk[k] !== pattern[(at + k) % PATTERN_PERIOD]) bad++;
  return bad;
}

function deferred(what) {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`${what}: no progress within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  timer.unref();
  return {
    promise,
    resolve(v) {
      clearTimeout(timer);
      resolve(v);
    },
    reject(e) {
      clearTimeout(timer);
      reject(e);
    },
  };
}

const isEagain = (e) => e !== null && typeof e === 'object' && e.code === 'EAGAIN';

async function until(cond, what, ms = STEP_TIMEOUT_MS) {
  const t0 = performance.now();
  for (let i = 0; !cond(); i++) {
    if (performance.now() - t0 > ms || i > 10_000_000) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** The bulk stream with GRO + GSO `mode` 'on' or 'off'. */
async function bulk(mode) {
  const { World } = await import('@netstack/core');
  const { createVethPair, loopback, veth } = await import('@netstack/nic-drivers');
  const { getIpv4, ipv4 } = await import('@netstack/ipv4');
  const { TcpSocket, tcp } = await import('@netstack/tcp');
  const world = new World({ clock: 'real', seed: 1 });
  const plugins = () => [loopback({ up: true }), veth(), ipv4(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  devA.open();
  devB.open();
  if (mode === 'on') {
    devA.setFeatures({ gro: true });
    devB.setFeatures({ gro: true });
  } else {
    devA.setFeatures({ tso: false, gso: false, gro: false });
    devB.setFeatures({ tso: false, gso: false, gro: false });
  }
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');

  const pattern = makePattern();
  const scratch = new Uint8Array(256 * 1024);
  const lsock = TcpSocket.create(b);
  lsock.bind('0.0.0.0', 5001);
  lsock.listen(16);
  const client = TcpSocket.create(a);
  let server = null;
  let sent = 0;
  let sendTarget = 0;
  let received = 0;
  let bad = 0;
  let eof = false;
  let waiter = null;
  let readTarget = 0;
  const pump = () => {
    for (let i = 0; i < 1_000_000 && sent < sendTarget; i++) {
      const at = sent % PATTERN_PERIOD;
      let n;
      try {
        n = client.send(pattern, at, Math.min(WRITE_BYTES, sendTarget - sent));
      } catch (e) {
        if (isEagain(e)) return;
        waiter?.reject(e);
        return;
      }
      sent += n;
    }
  };
  const read = () => {
    if (server === null) return;
    for (let i = 0; i < 1_000_000; i++) {
      let n;
      try {
        n = server.recv(scratch, 0, scratch.length);
      } catch (e) {
        if (isEagain(e)) break;
        waiter?.reject(e);
        return;
      }
      if (n === 0) {
        eof = true;
        break;
      }
      bad += checkRead(pattern, scratch, n, received);
      received += n;
    }
    if (waiter !== null && (received >= readTarget || eof)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  };
  const connected = deferred('connect');
  lsock.onAcceptable = () => {
    server = lsock.accept();
    server.onReadable = read;
    connected.resolve();
  };
  client.onWritable = pump;
  client.connect('10.0.0.2', 5001);
  await connected.promise;
  // The connection is up: TCP keeps building GSO packets; the devices now cut them in software.
  if (mode === 'on') {
    devA.setFeatures({ tso: false });
    devB.setFeatures({ tso: false });
  }
  const txStart = devA.stats.tx_packets;
  return {
    async step() {
      readTarget = received + BULK_STEP_BYTES;
      sendTarget = sent + BULK_STEP_BYTES;
      waiter = deferred('bulk step');
      const p = waiter.promise;
      pump();
      read();
      await p;
      if (eof) throw new Error(`EOF after ${received} bytes`);
      return (BULK_STEP_BYTES * 8) / 1e9;
    },
    async close() {
      client.close();
      readTarget = Infinity;
      await until(() => {
        read();
        return eof;
      }, 'EOF after close');
      server.close();
      lsock.close();
      await until(() => world.pool.live === 0, 'buffers returned to the pool', 5_000).catch(() => {});
      const problems = [];
      if (received !== sent) problems.push(`sent ${sent} bytes, received ${received}`);
      if (bad !== 0) problems.push(`${bad} sampled bytes differ from what was sent`);
      // Each side took its path: MSS-sized frames on the link, merged by GRO only when on.
      const frames = devA.stats.tx_packets - txStart;
      if (frames < received / 1500) problems.push(`only ${frames} frames for ${received} bytes: segments over the MTU crossed the link`);
      const gro = world.cpus.reduce((s, sd) => s + sd.backlog.gro.stats.merged, 0);
      if (mode === 'on' && gro < frames / 4) problems.push(`GRO merged only ${gro} of ${frames} frames`);
      if (mode === 'off' && gro !== 0) problems.push(`GRO merged ${gro} frames with GRO off`);
      return { live: world.pool.live, problem: problems.join('; ') || null };
    },
  };
}

/** Worker: serve init/step/close requests for one case, answering through shared memory. */
function workerMain({ groBench, ctrl: ctrlBuf, out: outBuf, msg: msgBuf }) {
  const ctrl = new Int32Array(ctrlBuf);
  const out = new Float64Array(outBuf);
  const msg = new Uint8Array(msgBuf);
  const setMsg = (text) => {
    msg.fill(0);
    const bytes = new TextEncoder().encode(text.slice(0, 2000));
    msg.set(bytes.subarray(0, msg.length - 1));
  };
  const answer = (state) => {
    Atomics.store(ctrl, 0, state);
    Atomics.notify(ctrl, 0);
  };
  let bench = null;
  parentPort.on('message', async (op) => {
    try {
      if (op === 'init') {
        bench = await bulk(groBench);
        const t0 = performance.now();
        for (let i = 0; i < 1000 && performance.now() - t0 < WARM_MS; i++) await bench.step();
        out[0] = 0;
      } else if (op === 'step') {
        out[0] = await bench.step();
      } else if (op === 'close') {
        const r = await bench.close();
        out[1] = r.live;
        out[2] = r.problem === null ? 0 : 1;
        if (r.problem !== null) setMsg(r.problem);
      } else {
        throw new Error(`unknown request ${op}`);
      }
      answer(DONE);
    } catch (err) {
      setMsg(err instanceof Error ? (err.stack ?? err.message) : String(err));
      answer(FAILED);
    }
  });
}

if (!isMainThread && workerData?.groBench !== undefined) workerMain(workerData);
