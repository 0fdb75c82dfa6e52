/**
 * The real-time TCP transfer harness tcp.bench.mjs and gro.bench.mjs share.
 *
 * The bench harness is synchronous (scripts/lib/measure.mjs calls `step()` in a loop and reads
 * the clock around it), while a real-time World (softirqs on setImmediate, timers on setTimeout)
 * and node:net need an event loop. So every case runs in its own worker thread, started from the
 * bench file itself: `workerCase()` on the main thread returns a BenchCase whose `step()` posts
 * one request and blocks on `Atomics.wait` until the worker says it is done (bounded by
 * STEP_TIMEOUT_MS), and `serveWorker()` on the worker side answers those requests through shared
 * memory. Subject and reference pay the same hand-off (tens of µs against steps of milliseconds).
 *
 * The stream is a fixed pattern with a prime period, and every CHECK_STRIDE-th byte read is
 * compared with it (`makePattern`, `checkRead`); `bulkStream()` is one such stream a → b between
 * two of our namespaces over a veth pair (`ourPair()`), BULK_STEP_BYTES per step.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker, parentPort } from 'node:worker_threads';

/** Payload bytes per bulk step (a multiple of the write size). */
export const BULK_STEP_BYTES = 8 << 20;
/** Size of one write() on the sending socket. */
export const WRITE_BYTES = 64 * 1024;
/** The stream's pattern repeats every PATTERN_PERIOD bytes (a prime: writes never line up with it). */
export const PATTERN_PERIOD = 1_048_583;
/** Every CHECK_STRIDE-th byte read is compared with the pattern. */
export const CHECK_STRIDE = 1021;
/** Steps each case runs in its worker before the harness measures (JIT warm-up), in ms. */
export const WARM_MS = 1000;
/** Bound of one request to a worker (setup, a step, the close). */
export const STEP_TIMEOUT_MS = 30_000;

const PENDING = 1;
const DONE = 2;
const FAILED = 3;

// ---------------------------------------------------------------------------------------------
// Main thread: a BenchCase whose calls run in a worker.
// ---------------------------------------------------------------------------------------------

/**
 * Start the bench file at `url` (its `import.meta.url`) in a worker with `workerData[key] =
 * kind`, and return a BenchCase: `step()` runs one step there and returns the units it did;
 * `close()` shuts the case down and collects `verify()`/`poolLive()`. Errors name `label`.
 */
export function workerCase(url, key, kind, label = kind) {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const out = new Float64Array(new SharedArrayBuffer(8 * 4));
  const msg = new Uint8Array(new SharedArrayBuffer(8192));
  const worker = new Worker(fileURLToPath(url), { workerData: { [key]: kind, ctrl: ctrl.buffer, out: out.buffer, msg: msg.buffer } });
  // A failed benchmark must not keep the process alive.
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
        throw new Error(`${label}: "${op}" did not finish within ${STEP_TIMEOUT_MS} ms`);
      }
      Atomics.wait(ctrl, 0, PENDING, left);
    }
    if (Atomics.load(ctrl, 0) === FAILED) {
      void worker.terminate();
      throw new Error(`${label}: "${op}" failed: ${readMsg()}`);
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

// ---------------------------------------------------------------------------------------------
// Worker side.
// ---------------------------------------------------------------------------------------------

/**
 * Worker: serve init/step/close requests for one case, answering through shared memory.
 * `open()` makes the case: `{ step(): Promise<units>, close(): Promise<{ live, problem }> }`.
 */
export function serveWorker({ ctrl: ctrlBuf, out: outBuf, msg: msgBuf }, open) {
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
        bench = await open();
        // Warm the JIT on both sides before the harness's own warm-up and rounds.
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

/** The stream's bytes: `buf[i] === buf[i % PATTERN_PERIOD]`, long enough for any write to start anywhere. */
export function makePattern() {
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

/** Sparse check of `n` bytes read at stream offset `at`; returns how many compared bytes were wrong. */
export function checkRead(pattern, chunk, n, at) {
  let bad = 0;
  let k = (CHECK_STRIDE - (at % CHECK_STRIDE)) % CHECK_STRIDE;
  for (; k < n; k += CHECK_STRIDE) if (chunk[k] !== pattern[(at + k) % PATTERN_PERIOD]) bad++;
  return bad;
}

/** A promise settled by `resolve()`/`reject()`, rejected after STEP_TIMEOUT_MS (the timer is unref'ed). */
export function deferred(what) {
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

export const isEagain = (e) => e !== null && typeof e === 'object' && e.code === 'EAGAIN';

/** EAGAIN (11): what trySend/tryRecv return, negated, when nothing fits or nothing is there. */
const EAGAIN = 11;

/** Wait (on the event loop, bounded) until `cond()` holds. */
export async function until(cond, what, ms = STEP_TIMEOUT_MS) {
  const t0 = performance.now();
  for (let i = 0; !cond(); i++) {
    if (performance.now() - t0 > ms || i > 10_000_000) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Two namespaces (a = 10.0.0.1, b = 10.0.0.2: loopback + veth + ipv4 + tcp) over a veth pair in
 * a real-time World. `setup(devA, devB)` runs once both ends are up, before the addresses go on.
 */
export async function ourPair(setup = () => {}) {
  const { World } = await import('@netstack/core');
  const { createVethPair, loopback, veth } = await import('@netstack/nic-drivers');
  const { getIpv4, ipv4 } = await import('@netstack/ipv4');
  const tcpPkg = await import('@netstack/tcp');
  const world = new World({ clock: 'real', seed: 1 });
  const plugins = () => [loopback({ up: true }), veth(), ipv4(), tcpPkg.tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  devA.open();
  devB.open();
  setup(devA, devB);
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB, TcpSocket: tcpPkg.TcpSocket };
}

/**
 * One stream a → b over `pair` (from `ourPair()`), BULK_STEP_BYTES per step in WRITE_BYTES
 * writes, checked as it is read. `connected()` runs once the connection is up, before the first
 * step; `settle()` runs at close once the sockets are closed, before the pool must be empty
 * (a driver returns its ring buffers there); `check(received, problems)` adds the caller's own
 * findings at close.
 */
export async function bulkStream({ world, a, b, TcpSocket }, { connected: onConnected = () => {}, settle = async () => {}, check = () => {} } = {}) {
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
      // trySend/tryRecv: an event loop's EAGAIN is a return value, not an exception per segment.
      const n = client.trySend(pattern, at, Math.min(WRITE_BYTES, sendTarget - sent));
      if (n === -EAGAIN) return;
      if (n < 0) {
        waiter?.reject(new Error(`send failed: errno ${-n}`));
        return;
      }
      sent += n;
    }
  };
  const read = () => {
    if (server === null) return;
    for (let i = 0; i < 1_000_000; i++) {
      const n = server.tryRecv(scratch, 0, scratch.length);
      if (n === -EAGAIN) break;
      if (n < 0) {
        waiter?.reject(new Error(`recv failed: errno ${-n}`));
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
  onConnected();
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
      await settle();
      // FIN/ACK exchange; the client ends in TIME_WAIT, which holds no buffers.
      await until(() => world.pool.live === 0, 'buffers returned to the pool', 5_000).catch(() => {});
      const problems = [];
      if (received !== sent) problems.push(`sent ${sent} bytes, received ${received}`);
      if (bad !== 0) problems.push(`${bad} sampled bytes differ from what was sent`);
      check(received, problems);
      return { live: world.pool.live, problem: problems.join('; ') || null };
    },
  };
}
