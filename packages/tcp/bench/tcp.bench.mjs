/**
 * TCP in real time, against the kernel measured in the same run.
 *
 * tcp-bulk-veth: one stream between two namespaces (a = 10.0.0.1, b = 10.0.0.2: loopback +
 * veth + ipv4 + tcp) over a veth pair, `new World({ clock: 'real' })`; each step writes
 * BULK_STEP_BYTES in 64 KiB writes on a's socket and ends when b has read them all. Reference:
 * node:net over the kernel's loopback (127.0.0.1), the same bytes in the same 64 KiB writes on
 * one connection. Unit Gbit/s of payload; ratio = ours / kernel's.
 *
 * tcp-conn-rate: connections per second: connect → accept → close, both sides. The server
 * closes as soon as it accepted (so TIME_WAIT stays on the server and client ports do not run
 * out), the client closes when it reads EOF; a connection counts once the client closed. CONN_
 * CONCURRENCY connections are in flight at a time, CONNS_PER_STEP per step. Reference: the
 * same with node:net on the kernel's loopback.
 *
 * The harness is synchronous (scripts/lib/measure.mjs calls `step()` in a loop and reads the
 * clock around it), while both our real-time World (softirqs on setImmediate, timers on
 * setTimeout) and node:net need an event loop. So every case runs in its own worker thread, and
 * `step()` posts one request and blocks on `Atomics.wait` until the worker says it is done
 * (bounded by STEP_TIMEOUT_MS). Subject and reference pay the same hand-off (tens of µs against
 * steps of milliseconds). Both sides check the bytes they read the same way: the stream is a
 * fixed pattern with a prime period, and every 1021st byte is compared.
 *
 * The benchmarks import the compiled packages (`@netstack/*` → packages/<pkg>/dist), as all
 * benches do; `npm run bench` builds first.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/** Payload bytes per bulk step (a multiple of the write size). */
const BULK_STEP_BYTES = 8 << 20;
/** Size of one write() on the sending socket. */
const WRITE_BYTES = 64 * 1024;
/** The stream's pattern repeats every PATTERN_PERIOD bytes (a prime: writes never line up with it). */
const PATTERN_PERIOD = 1_048_583;
/** Every CHECK_STRIDE-th byte read is compared with the pattern. */
const CHECK_STRIDE = 1021;
/** Connections per conn-rate step, and how many are in flight at once. */
const CONNS_PER_STEP = 64;
const CONN_CONCURRENCY = 8;
/** Steps each case runs in its worker before the harness measures (JIT warm-up), in ms. */
const WARM_MS = 1000;
/** Bound of one request to a worker (setup, a step, the close). */
const STEP_TIMEOUT_MS = 30_000;

const PENDING = 1;
const DONE = 2;
const FAILED = 3;

// ---------------------------------------------------------------------------------------------
// Main thread: a BenchCase whose calls run in a worker.
// ---------------------------------------------------------------------------------------------

/**
 * Start `kind` in a worker and return a BenchCase: `step()` runs one step there and returns the
 * units it did; `close()` shuts the case down and collects `verify()`/`poolLive()`.
 */
function workerCase(kind) {
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const out = new Float64Array(new SharedArrayBuffer(8 * 4));
  const msg = new Uint8Array(new SharedArrayBuffer(8192));
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { tcpBench: kind, ctrl: ctrl.buffer, out: out.buffer, msg: msg.buffer } });
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
        throw new Error(`${kind}: "${op}" did not finish within ${STEP_TIMEOUT_MS} ms`);
      }
      Atomics.wait(ctrl, 0, PENDING, left);
    }
    if (Atomics.load(ctrl, 0) === FAILED) {
      void worker.terminate();
      throw new Error(`${kind}: "${op}" failed: ${readMsg()}`);
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
    name: 'tcp-bulk-veth',
    unit: 'Gbit/s',
    description: `one TCP stream a → b over veth in real time, ${BULK_STEP_BYTES >> 20} MiB per step in 64 KiB writes; reference node:net on the kernel's loopback`,
    subject: () => workerCase('ours-bulk'),
    reference: () => workerCase('kernel-bulk'),
  },
  {
    name: 'tcp-conn-rate',
    unit: 'conn/s',
    description: `connect → accept → close both sides over veth in real time, ${CONN_CONCURRENCY} in flight; reference node:net on the kernel's loopback`,
    subject: () => workerCase('ours-conn'),
    reference: () => workerCase('kernel-conn'),
  },
];

// ---------------------------------------------------------------------------------------------
// Worker side.
// ---------------------------------------------------------------------------------------------

/** The stream's bytes: `buf[i] === buf[i % PATTERN_PERIOD]`, long enough for any write to start anywhere. */
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

/** Sparse check of `n` bytes read at stream offset `at`; returns how many compared bytes were wrong. */
function checkRead(pattern, chunk, n, at) {
  let bad = 0;
  let k = (CHECK_STRIDE - (at % CHECK_STRIDE)) % CHECK_STRIDE;
  for (; k < n; k += CHECK_STRIDE) if (chunk[k] !== pattern[(at + k) % PATTERN_PERIOD]) bad++;
  return bad;
}

/** A promise settled by `settle()`, rejected after STEP_TIMEOUT_MS (the timer is unref'ed). */
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

/** Two namespaces over a veth pair in a real-time World. */
async function ourPair() {
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
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, TcpSocket: tcpPkg.TcpSocket };
}

/** Wait (on the event loop, bounded) until `cond()` holds. */
async function until(cond, what, ms = STEP_TIMEOUT_MS) {
  const t0 = performance.now();
  for (let i = 0; !cond(); i++) {
    if (performance.now() - t0 > ms || i > 10_000_000) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** tcp-bulk-veth, ours. */
async function oursBulk() {
  const { world, a, b, TcpSocket } = await ourPair();
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
      // FIN/ACK exchange; the client ends in TIME_WAIT, which holds no buffers.
      await until(() => world.pool.live === 0, 'buffers returned to the pool', 5_000).catch(() => {});
      const problems = [];
      if (received !== sent) problems.push(`sent ${sent} bytes, received ${received}`);
      if (bad !== 0) problems.push(`${bad} sampled bytes differ from what was sent`);
      return { live: world.pool.live, problem: problems.join('; ') || null };
    },
  };
}

/** tcp-bulk-veth, the kernel (node:net on 127.0.0.1). */
async function kernelBulk() {
  const net = await import('node:net');
  const pattern = makePattern();
  const patternBuf = Buffer.from(pattern.buffer, pattern.byteOffset, pattern.byteLength);
  const server = net.createServer();
  let received = 0;
  let bad = 0;
  let waiter = null;
  let readTarget = 0;
  let conn = null;
  const accepted = deferred('accept');
  server.on('connection', (s) => {
    conn = s;
    s.on('data', (chunk) => {
      bad += checkRead(pattern, chunk, chunk.length, received);
      received += chunk.length;
      if (waiter !== null && received >= readTarget) {
        const w = waiter;
        waiter = null;
        w.resolve();
      }
    });
    s.on('error', (e) => waiter?.reject(e));
    accepted.resolve();
  });
  await new Promise((res, rej) => server.listen(0, '127.0.0.1', res).once('error', rej));
  const client = net.connect({ port: server.address().port, host: '127.0.0.1' });
  client.setNoDelay(false);
  client.on('error', (e) => waiter?.reject(e));
  await new Promise((res, rej) => client.once('connect', res).once('error', rej));
  await accepted.promise;
  let sent = 0;
  return {
    async step() {
      readTarget = received + BULK_STEP_BYTES;
      const target = sent + BULK_STEP_BYTES;
      waiter = deferred('kernel bulk step');
      const p = waiter.promise;
      const write = () => {
        for (let i = 0; i < 1_000_000 && sent < target; i++) {
          const at = sent % PATTERN_PERIOD;
          const n = Math.min(WRITE_BYTES, target - sent);
          sent += n;
          if (!client.write(patternBuf.subarray(at, at + n))) {
            client.once('drain', write);
            return;
          }
        }
      };
      write();
      await p;
      return (BULK_STEP_BYTES * 8) / 1e9;
    },
    async close() {
      client.end();
      await new Promise((res) => conn.once('end', res));
      conn.end();
      await new Promise((res) => server.close(res));
      const problems = [];
      if (received !== sent) problems.push(`sent ${sent} bytes, received ${received}`);
      if (bad !== 0) problems.push(`${bad} sampled bytes differ from what was sent`);
      return { live: 0, problem: problems.join('; ') || null };
    },
  };
}

/**
 * Run `total` connections, `concurrency` at a time, with `open(done)` starting one that calls
 * `done(error?)` once both sides closed it. Resolves with the count, rejects on the first error.
 */
function runConnections(total, concurrency, open, what) {
  const w = deferred(what);
  let started = 0;
  let finished = 0;
  let failed = false;
  const done = (err) => {
    if (failed) return;
    if (err) {
      failed = true;
      w.reject(err);
      return;
    }
    finished++;
    if (finished === total) w.resolve(total);
    else if (started < total) {
      started++;
      open(done);
    }
  };
  for (; started < Math.min(concurrency, total); ) {
    started++;
    open(done);
  }
  return w.promise;
}

/** tcp-conn-rate, ours. */
async function oursConn() {
  const { world, a, b, TcpSocket } = await ourPair();
  const lsock = TcpSocket.create(b);
  lsock.bind('0.0.0.0', 80);
  lsock.listen(511);
  let accepted = 0;
  let opened = 0;
  let closedClients = 0;
  lsock.onAcceptable = () => {
    for (let i = 0; i < 10_000; i++) {
      let s;
      try {
        s = lsock.accept();
      } catch (e) {
        if (isEagain(e)) return;
        throw e;
      }
      accepted++;
      s.close();
    }
  };
  const open = (done) => {
    opened++;
    const c = TcpSocket.create(a);
    let finished = false;
    const onEvent = () => {
      if (finished) return;
      let n;
      try {
        n = c.recv(new Uint8Array(16));
      } catch (e) {
        if (isEagain(e) || e?.code === 'ENOTCONN') return;
        finished = true;
        c.close();
        done(e);
        return;
      }
      if (n !== 0) return;
      finished = true;
      c.close();
      closedClients++;
      done();
    };
    c.onReadable = onEvent;
    c.onError = () => {
      if (finished) return;
      finished = true;
      const err = new Error(`client error ${c.sk.err}`);
      c.close();
      done(err);
    };
    c.connect('10.0.0.2', 80);
  };
  return {
    async step() {
      return runConnections(CONNS_PER_STEP, CONN_CONCURRENCY, open, 'connection step');
    },
    async close() {
      lsock.close();
      // The last FINs and ACKs; TIME_WAIT sockets hold no buffers.
      await until(() => world.pool.live === 0, 'buffers returned to the pool', 5_000).catch(() => {});
      const problems = [];
      if (accepted !== opened || closedClients !== opened) problems.push(`opened ${opened} connections, accepted ${accepted}, closed by the client ${closedClients}`);
      const estab = a.snmp.get('TcpCurrEstab') + b.snmp.get('TcpCurrEstab');
      if (estab !== 0) problems.push(`${estab} connections still ESTABLISHED/CLOSE_WAIT`);
      return { live: world.pool.live, problem: problems.join('; ') || null };
    },
  };
}

/** tcp-conn-rate, the kernel (node:net on 127.0.0.1). */
async function kernelConn() {
  const net = await import('node:net');
  const server = net.createServer();
  let accepted = 0;
  let opened = 0;
  let closedClients = 0;
  server.on('connection', (s) => {
    accepted++;
    s.on('error', () => {});
    s.destroy();
  });
  await new Promise((res, rej) => server.listen({ port: 0, host: '127.0.0.1', backlog: 511 }, res).once('error', rej));
  const port = server.address().port;
  const open = (done) => {
    opened++;
    const c = net.connect({ port, host: '127.0.0.1' });
    let finished = false;
    c.on('end', () => c.destroy());
    c.on('error', (e) => {
      if (finished) return;
      finished = true;
      done(e);
    });
    c.on('close', () => {
      if (finished) return;
      finished = true;
      closedClients++;
      done();
    });
    c.resume();
  };
  return {
    async step() {
      return runConnections(CONNS_PER_STEP, CONN_CONCURRENCY, open, 'kernel connection step');
    },
    async close() {
      await new Promise((res) => server.close(res));
      const problems = [];
      if (accepted !== opened || closedClients !== opened) problems.push(`opened ${opened} connections, accepted ${accepted}, closed by the client ${closedClients}`);
      return { live: 0, problem: problems.join('; ') || null };
    },
  };
}

const CASES = { 'ours-bulk': oursBulk, 'kernel-bulk': kernelBulk, 'ours-conn': oursConn, 'kernel-conn': kernelConn };

/** Worker: serve init/step/close requests for one case, answering through shared memory. */
function workerMain({ tcpBench, ctrl: ctrlBuf, out: outBuf, msg: msgBuf }) {
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
        bench = await CASES[tcpBench]();
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

if (!isMainThread && workerData?.tcpBench !== undefined) workerMain(workerData);
