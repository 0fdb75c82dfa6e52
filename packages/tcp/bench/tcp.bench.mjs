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
 * fixed pattern with a prime period, and every 1021st byte is compared. That harness, and the
 * stream on our side, are in lib/realtime-transfer.mjs (gro.bench.mjs uses them too).
 *
 * The benchmarks import the compiled packages (`@netstack/*` → packages/<pkg>/dist), as all
 * benches do; `npm run bench` builds first.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import {
  BULK_STEP_BYTES,
  PATTERN_PERIOD,
  WRITE_BYTES,
  bulkStream,
  checkRead,
  deferred,
  isEagain,
  makePattern,
  ourPair,
  serveWorker,
  until,
  workerCase as startWorkerCase,
} from './lib/realtime-transfer.mjs';

/** Connections per conn-rate step, and how many are in flight at once. */
const CONNS_PER_STEP = 64;
const CONN_CONCURRENCY = 8;

/** Start `kind` in a worker: a BenchCase whose calls run there (see lib/realtime-transfer.mjs). */
const workerCase = (kind) => startWorkerCase(import.meta.url, 'tcpBench', kind);

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

/** tcp-bulk-veth, ours. */
async function oursBulk() {
  return bulkStream(await ourPair());
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

if (!isMainThread && workerData?.tcpBench !== undefined) serveWorker(workerData, () => CASES[workerData.tcpBench]());
