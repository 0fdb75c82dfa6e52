/**
 * @netstack/net as a drop-in for node:net: without `netns`, the functions use one default host,
 * a real-time World with a namespace `init_net` (lo 127.0.0.1, IPv4, UDP, TCP), created on first
 * use. In-process: an echo over 127.0.0.1 in real time. In child `node` processes running the
 * compiled package (Node's own loader, no vitest): the process exits when everything is closed or
 * unref'ed, and stays alive while a ref'ed server listens — as with node:net.
 * `npm test` builds first (`tsc -b`); run `npm run build` before running this file alone.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect, createServer, defaultNetns, type Socket } from '@netstack/net';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NET_URL = pathToFileURL(resolve(ROOT, 'packages/net/dist/index.js')).href;

/** Run `body` as an ES module in a fresh node with `net` = the compiled @netstack/net; 10 s at most. */
function runNode(body: string): { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number } {
  const script = `const net = await import(process.env.NET_URL);\n${body}`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NET_URL }, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr.trim(), ms: performance.now() - t0 };
}

describe('the default namespace (real time)', () => {
  it('createServer().listen(0), connect(port, "127.0.0.1"), echo, close: no setup', async () => {
    const server = createServer((s) => s.pipe(s));
    server.listen(0);
    const port = (server.address() as { port: number }).port;
    expect(port).toBeGreaterThan(0);
    const ns = defaultNetns();
    expect([ns.name, ns.world.scheduler.virtual, server.netns]).toEqual(['init_net', false, ns]);
    const got = await new Promise<string>((resolvePromise, reject) => {
      const c: Socket = connect(port, '127.0.0.1', () => c.end('hello over init_net'));
      let text = '';
      c.setEncoding('utf8');
      c.on('data', (d: string) => (text += d));
      c.on('error', reject);
      c.on('close', () => resolvePromise(text));
      setTimeout(() => reject(new Error('no echo within 5 s')), 5000).unref();
    });
    expect(got).toBe('hello over init_net');
    await new Promise<void>((r) => server.close(() => r()));
    expect(defaultNetns()).toBe(ns);
  });

  it('a child process exits by itself after an echo and close()', () => {
    const r = runNode(`
      const server = net.createServer((s) => s.pipe(s));
      server.listen(0);
      const { port } = server.address();
      const c = net.connect(port, '127.0.0.1', () => c.end('ping'));
      let got = '';
      c.setEncoding('utf8');
      c.on('data', (d) => (got += d));
      c.on('close', () => server.close(() => console.log(JSON.stringify({ got, port: port > 0 }))));
    `);
    expect(r.stderr).toBe('');
    expect([r.status, r.signal, r.stdout]).toEqual([0, null, JSON.stringify({ got: 'ping', port: true })]);
  });

  it('a ref’ed listening server keeps the process alive; unref() lets it exit', () => {
    // An unref'ed timer fires only if something else keeps the process alive.
    const alive = runNode(`
      net.createServer().listen(0);
      setTimeout(() => { console.log('alive'); process.exit(0); }, 300).unref();
    `);
    expect([alive.status, alive.stdout]).toEqual([0, 'alive']);
    const unrefed = runNode(`
      const s = net.createServer().listen(0);
      s.unref();
      setTimeout(() => { console.log('alive'); process.exit(3); }, 300).unref();
      process.on('exit', (code) => console.log('exit', code));
    `);
    expect([unrefed.status, unrefed.stdout]).toEqual([0, 'exit 0']);
  });

  it('open connections with both sockets and the server unref’ed do not keep it alive; an idle default World does not either', () => {
    const r = runNode(`
      const server = net.createServer((s) => { s.unref(); s.write('hi'); });
      server.listen(0);
      server.unref();
      const c = net.connect(server.address().port, '127.0.0.1');
      c.unref();
      c.on('data', (d) => console.log('data', String(d)));
      setTimeout(() => { console.log('alive'); process.exit(3); }, 1500).unref();
      process.on('exit', (code) => console.log('exit', code, c.readyState));
    `);
    expect([r.status, r.stdout]).toEqual([0, 'data hi\nexit 0 open']);
    const idle = runNode(`
      const ns = net.defaultNetns();
      const s = net.createServer().listen(0);
      s.close(() => console.log('closed', ns.name));
    `);
    expect([idle.status, idle.stdout]).toEqual([0, 'closed init_net']);
    expect(idle.ms).toBeLessThan(5000);
  });
});
