import { afterEach, describe, expect, it } from 'vitest';
import { createVethPair, veth } from '@netstack/nic-drivers';
import { createConnection } from '@netstack/net';
import type { HostLink } from './link.js';
import { startHost, type Host } from './host.js';

/** A link that needs no privileges: one end of a veth pair inside the host's namespace. */
const vethLink: HostLink = {
  create(ns) {
    ns.use(veth());
    return createVethPair(ns, { name: 'eth0', peer: { name: 'peer0' } })[0];
  },
  describe: () => 'veth',
};

describe('netstack host: Fast Open on its listeners', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  async function banner(opts: { sysctl?: string[]; tfoQlen?: number; nstat?: boolean }): Promise<string[]> {
    const lines: string[] = [];
    host = await startHost({ link: vethLink, addr: '10.0.0.2/24', tcpEcho: 7, http: 80, seed: 1, out: (l) => lines.push(l), ...opts });
    return lines;
  }

  it('no TCP_FASTOPEN by default: tcp_fastopen is 1 (client only)', async () => {
    expect((await banner({})).filter((l) => l.includes('TCP_FASTOPEN'))).toEqual([]);
  });

  it('the server bit 0x2 makes the host set TCP_FASTOPEN 511 on each listener, as nginx would', async () => {
    const lines = await banner({ sysctl: ['net.ipv4.tcp_fastopen=3'] });
    expect(lines.filter((l) => l.includes('TCP_FASTOPEN'))).toEqual([
      'netstack host: tcp echo on port 7, TCP_FASTOPEN 511',
      'netstack host: http on port 80 (GET /bytes/N, POST /echo), TCP_FASTOPEN 511',
    ]);
    expect(Number(host!.ns.sysctl.get('net.ipv4.tcp_fastopen'))).toBe(3);
  });

  it('--tfo-qlen N sets the queue, with or without the server bit (setsockopt does not check it)', async () => {
    expect((await banner({ sysctl: ['net.ipv4.tcp_fastopen=3'], tfoQlen: 16 })).filter((l) => l.endsWith(', TCP_FASTOPEN 16')).length).toBe(2);
    await host!.stop();
    expect((await banner({ tfoQlen: 16 }))[1]).toBe('netstack host: tcp echo on port 7, TCP_FASTOPEN 16');
  });

  it('--tfo-qlen above somaxconn is capped, as setsockopt caps it; 0 leaves the listeners without a queue', async () => {
    expect((await banner({ sysctl: ['net.core.somaxconn=64'], tfoQlen: 1000 }))[1]).toBe('netstack host: tcp echo on port 7, TCP_FASTOPEN 64');
    await host!.stop();
    expect((await banner({ sysctl: ['net.ipv4.tcp_fastopen=3'], tfoQlen: 0 })).filter((l) => l.includes('TCP_FASTOPEN'))).toEqual([]);
  });

  it('with 0x400|0x3 the listeners have the backlog as their queue without setsockopt (Linux semantics)', async () => {
    expect((await banner({ sysctl: ['net.ipv4.tcp_fastopen=1027'], tfoQlen: 0 }))[1]).toBe('netstack host: tcp echo on port 7, TCP_FASTOPEN 511');
  });

  it('--nstat prints the non-zero counters as nstat -a does, at stop', async () => {
    const lines = await banner({ nstat: true });
    // One connection to the echo service over lo, so that there is something to count.
    await new Promise<void>((resolve, reject) => {
      const s = createConnection({ host: '127.0.0.1', port: 7, netns: host!.ns }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
    await host!.stop();
    const counters = lines.slice(lines.indexOf('#kernel') + 1);
    expect(counters).toContain(`TcpActiveOpens${' '.repeat(18)}1${' '.repeat(15)}   0.0`);
    expect(counters).toContain(`TcpPassiveOpens${' '.repeat(17)}1${' '.repeat(15)}   0.0`);
    for (const l of counters) expect(l).toMatch(/^[A-Za-z0-9]+ +[1-9][0-9]* +0\.0$/);
  });
});
