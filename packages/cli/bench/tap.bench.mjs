/**
 * tap-tcp-kernel: Gbit/s of a kernel `curl` downloading from `netstack host --http` over a TAP
 * device (netstack's TCP, node:http over netstack sockets, the TAP driver with GSO through the
 * vnet header), in a network namespace made for the run.
 *
 * Reference, same run: the same download kernel to kernel over a veth pair between two
 * namespaces, from a node:http server on kernel sockets serving the same bytes. ratio = netstack
 * over TAP / kernel over veth. Needs root, `ip`, curl and /dev/net/tun (fails without them).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NETSTACK = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'netstack.js');
/** Bytes per download, and downloads per side (the median is reported). */
const BYTES = 64 << 20;
const RUNS = 3;

/** The host's content (packages/cli/src/host/bytes.ts): byte i is i % 251. */
const SERVER = `
const block = Buffer.from(Uint8Array.from({ length: 251 * 261 }, (_, i) => i % 251));
require('http').createServer((req, res) => {
  let left = Number(/^\\/bytes\\/(\\d+)$/.exec(req.url)?.[1] ?? 0);
  res.writeHead(200, { 'content-length': left });
  const pump = () => { while (left > 0) { const c = block.subarray(0, Math.min(left, block.length)); left -= c.length; if (!res.write(c)) return res.once('drain', pump); } res.end(); };
  pump();
}).listen(80, process.argv[1], () => console.log('ready'));
`;

function contentSha(n) {
  const block = Buffer.from(Uint8Array.from({ length: 251 * 261 }, (_, i) => i % 251));
  const h = createHash('sha256');
  for (let left = n; left > 0; left -= block.length) h.update(left >= block.length ? block : block.subarray(0, left));
  return h.digest('hex');
}

const ip = (...args) => execFileSync('ip', args, { timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function waitReady(child, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what}: not ready within 10 s: ${out}`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${out}`));
    });
  });
}

/** Median Gbit/s of RUNS downloads of BYTES by curl in `ns`; the first (unmeasured) one is checked by SHA-256. */
function download(ns, url) {
  const sha = spawnSync('sh', ['-c', `ip netns exec ${ns} curl -sS --max-time 30 ${url}/bytes/${8 << 20} | sha256sum`], { timeout: 40_000 }).stdout.toString().split(' ')[0];
  if (sha !== contentSha(8 << 20)) throw new Error(`download from ${url} in ${ns}: wrong SHA-256 ${sha}`);
  const rates = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '60', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', `${url}/bytes/${BYTES}`], { timeout: 70_000 }).toString();
    const [size, secs] = out.trim().split(' ').map(Number);
    if (size !== BYTES) throw new Error(`download from ${url}: ${size} bytes, expected ${BYTES}`);
    rates.push((size * 8) / secs / 1e9);
  }
  return rates.sort((a, b) => a - b)[RUNS >> 1];
}

async function measure() {
  if (process.getuid?.() !== 0) throw new Error('tap-tcp-kernel needs root (network namespaces and a TAP device)');
  const tag = `${process.pid % 100000}`;
  const names = { k: `bnk${tag}`, a: `bna${tag}`, b: `bnb${tag}` };
  const children = [];
  try {
    for (const n of Object.values(names)) {
      ip('netns', 'add', n);
      ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    // netstack behind a TAP in namespace k.
    ip('-n', names.k, 'tuntap', 'add', 'tap0', 'mode', 'tap');
    ip('-n', names.k, 'addr', 'add', '10.204.0.1/24', 'dev', 'tap0');
    const host = spawn('ip', ['netns', 'exec', names.k, process.execPath, NETSTACK, 'host', '--tap', 'tap0', '--addr', '10.204.0.2/24', '--http', '80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(host);
    await waitReady(host, 'netstack host');
    // The kernel on both ends of a veth pair between namespaces a and b.
    ip('link', 'add', `bv${tag}a`, 'netns', names.a, 'type', 'veth', 'peer', 'name', `bv${tag}b`, 'netns', names.b);
    ip('-n', names.a, 'addr', 'add', '10.205.0.1/24', 'dev', `bv${tag}a`);
    ip('-n', names.b, 'addr', 'add', '10.205.0.2/24', 'dev', `bv${tag}b`);
    ip('-n', names.a, 'link', 'set', `bv${tag}a`, 'up');
    ip('-n', names.b, 'link', 'set', `bv${tag}b`, 'up');
    const server = spawn('ip', ['netns', 'exec', names.b, process.execPath, '-e', SERVER, '10.205.0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    await waitReady(server, 'kernel-side http server');
    const value = download(names.k, 'http://10.204.0.2');
    const reference = download(names.a, 'http://10.205.0.2');
    return { value, reference, verify: null };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    for (const n of Object.values(names)) spawnSync('ip', ['netns', 'del', n], { timeout: 10_000 });
  }
}

export default [
  {
    name: 'tap-tcp-kernel',
    unit: 'Gbit/s',
    description: `kernel curl downloads ${BYTES >> 20} MiB from netstack host --http over a TAP (vnet_hdr, GSO); reference: kernel to kernel over veth`,
    measure,
  },
];
