/**
 * Kernel interop: the Linux kernel's `vxlan` device in namespace K and a netstack VXLAN device in
 * namespace N (a child process), joined by a veth pair as the underlay. Pings both ways, checks
 * that each side learned the other's VTEP, and reads the wire with tcpdump in K (UDP dst port
 * 4789, VNI 42, netstack's source port from the flow hash). Needs root and iproute2; in CI
 * (CI=true) their absence fails the test instead of skipping it. Namespaces are unique per run
 * and deleted afterwards, also when setup fails; every wait is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/vxlan-peer.mjs', import.meta.url));
const CI = process.env.CI === 'true';
const K_UNDER = '172.31.250.1';
const N_UNDER = '172.31.250.2';
const K_OVER = '10.42.0.1';
const N_OVER = '10.42.0.2';
const WAIT_MS = 10_000;

function missingPrerequisite(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'bridge', 'ping']) {
    if (spawnSync(tool, ['-V'], { stdio: 'ignore' }).error !== undefined) return `${tool} not installed`;
  }
  return null;
}
const missing = missingPrerequisite();

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', timeout: WAIT_MS });
const inNs = (ns: string, cmd: string, args: string[]): string => run('ip', ['netns', 'exec', ns, cmd, ...args]);

/** A line-oriented child (`ip netns exec N node ...`): JSON events on stdout, commands on stdin. */
class Peer {
  private readonly events: Record<string, unknown>[] = [];
  private readonly waiters: (() => void)[] = [];
  stderr = '';

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.stderr += `stdout: ${line}\n`;
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The next event named `name` (events are consumed in order), within `ms`. */
  async next(name: string, ms = WAIT_MS): Promise<Record<string, unknown>> {
    const end = performance.now() + ms;
    for (;;) {
      const i = this.events.findIndex((e) => e.event === name || e.event === 'error');
      if (i >= 0) {
        const [e] = this.events.splice(i, 1);
        if (e!.event === 'error') throw new Error(`peer error: ${String(e!.message)}\n${this.stderr}`);
        return e!;
      }
      if (this.child.exitCode !== null) throw new Error(`peer exited (${this.child.exitCode}) waiting for ${name}\n${this.stderr}`);
      const left = end - performance.now();
      if (left <= 0) throw new Error(`no ${name} from the peer within ${ms} ms\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  command(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

describe.skipIf(missing !== null && !CI)('VXLAN interop with the Linux kernel (network namespaces)', () => {
  const tag = randomBytes(3).toString('hex');
  const K = `nsvx-k-${process.pid}-${tag}`;
  const N = `nsvx-n-${process.pid}-${tag}`;
  let peer: Peer | null = null;
  let tcpdump: ChildProcess | null = null;
  let wire = '';
  let peerMac = '';
  let kernelMac = '';

  const cleanup = async (): Promise<void> => {
    tcpdump?.kill('SIGKILL');
    await peer?.stop();
    for (const ns of [K, N]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: WAIT_MS });
  };

  beforeAll(async () => {
    if (missing !== null) throw new Error(`VXLAN interop needs root and iproute2 (${missing}); CI=true makes that a failure`);
    try {
      run('ip', ['netns', 'add', K]);
      run('ip', ['netns', 'add', N]);
      run('ip', ['-n', K, 'link', 'add', 'vethK', 'type', 'veth', 'peer', 'name', 'vethN', 'netns', N]);
      for (const [ns, dev, ip] of [
        [K, 'vethK', K_UNDER],
        [N, 'vethN', N_UNDER],
      ] as const) {
        run('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
        run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
        run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      }
      run('ip', ['-n', K, 'link', 'add', 'vxlan0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'remote', N_UNDER, 'local', K_UNDER, 'dev', 'vethK']);
      run('ip', ['-n', K, 'addr', 'add', `${K_OVER}/24`, 'dev', 'vxlan0']);
      run('ip', ['-n', K, 'link', 'set', 'vxlan0', 'up']);
      kernelMac = (JSON.parse(run('ip', ['-n', K, '-j', 'link', 'show', 'vxlan0'])) as { address: string }[])[0]!.address;

      // tcpdump on K's underlay (optional: the wire checks below need it).
      if (spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).error === undefined) {
        const td = spawn('ip', ['netns', 'exec', K, 'tcpdump', '-i', 'vethK', '-nn', '-l', '-c', '40', 'udp'], { stdio: ['ignore', 'pipe', 'pipe'] });
        tcpdump = td;
        td.stdout!.on('data', (d: Buffer) => (wire += d.toString()));
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('tcpdump did not start')), WAIT_MS);
          td.stderr!.on('data', (d: Buffer) => {
            if (d.toString().includes('listening on')) {
              clearTimeout(t);
              resolve();
            }
          });
        });
      }

      const child = spawn('ip', ['netns', 'exec', N, process.execPath, FIXTURE, '--local', N_UNDER, '--remote', K_UNDER, '--vni', '42', '--addr', `${N_OVER}/24`, '--lifetime', '60000'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      peer = new Peer(child);
      const ready = await peer.next('ready');
      peerMac = String(ready.mac);
      expect(ready.mtu).toBe(1450);
    } catch (err) {
      await cleanup();
      throw err;
    }
  }, 40_000);

  afterAll(cleanup, 20_000);

  it('the kernel pings netstack through its vxlan device', () => {
    const text = inNs(K, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', N_OVER]);
    expect(text).toMatch(/3 packets transmitted, 3 received/);
  }, 20_000);

  it('netstack pings the kernel (real time, @netstack/ipv4 ping)', async () => {
    peer!.command(`ping ${K_OVER} 3`);
    const { result } = (await peer!.next('ping')) as { result: { transmitted: number; received: number; replies: { from: string }[] } };
    expect(result.transmitted).toBe(3);
    expect(result.received).toBe(3);
    expect(new Set(result.replies.map((r) => r.from))).toEqual(new Set([K_OVER]));
  }, 20_000);

  it('each side learned the other VTEP', async () => {
    peer!.command('fdb');
    const { text } = (await peer!.next('fdb')) as { text: string };
    expect(text).toContain(`${kernelMac} dst ${K_UNDER} self \n`);
    expect(text).toContain(`00:00:00:00:00:00 dst ${K_UNDER} self permanent\n`);
    const kernelFdb = run('bridge', ['-n', K, 'fdb', 'show', 'dev', 'vxlan0']);
    expect(kernelFdb).toContain(`${peerMac} dst ${N_UNDER} self `);
  }, 20_000);

  it('on the wire: UDP to port 4789, VNI 42, netstack sending from flow-hash source ports', async () => {
    if (tcpdump === null) {
      if (CI) throw new Error('tcpdump is not installed');
      return;
    }
    // tcpdump prints as it captures: give the last packets a moment.
    const end = performance.now() + 2000;
    while (!wire.includes(`${N_UNDER}.`) && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
    const lines = wire.split('\n').filter((l) => l.includes('VXLAN'));
    const fromNetstack = lines.filter((l) => l.includes(` ${N_UNDER}.`) && l.includes(`> ${K_UNDER}.4789:`));
    const fromKernel = lines.filter((l) => l.includes(` ${K_UNDER}.`) && l.includes(`> ${N_UNDER}.4789:`));
    expect(fromNetstack.length).toBeGreaterThan(0);
    expect(fromKernel.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/VXLAN, flags \[I\] \(0x08\), vni 42/);
    const srcPorts = fromNetstack.map((l) => Number(new RegExp(`${N_UNDER.replaceAll('.', '\\.')}\\.(\\d+) >`).exec(l)![1]));
    // The first datagrams of a flow may leave from the listening socket (4789) while the flow's socket binds.
    expect(srcPorts.some((p) => p >= 32768 && p < 60999)).toBe(true);
    expect(srcPorts.every((p) => p === 4789 || (p >= 32768 && p < 60999))).toBe(true);
  }, 20_000);
});
