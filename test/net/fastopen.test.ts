/**
 * `connect({ fastOpen: true })` (packages/net): the first write issued before 'connect' goes in
 * the SYN once the client has the server's cookie; 'connect' and the data arrive as without it.
 * Server b has tcp_fastopen 0x403 (every listener TFO-enabled), client a the default 0x1.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '@netstack/core';
import { connect, createServer, type Socket } from '@netstack/net';
import { tcpPair } from '../tcp/helpers.js';

async function pump(world: World, done: () => boolean, maxSteps = 5000): Promise<void> {
  for (let steps = 0; !done() && steps < maxSteps; steps++) {
    await new Promise(setImmediate);
    world.runFor(1);
  }
  await new Promise(setImmediate);
}

describe('net.connect({ fastOpen: true })', () => {
  it('the second connection carries its request in the SYN; both echo it back, connect events as usual', async () => {
    const p = tcpPair(3);
    p.b.sysctl.set('net.ipv4.tcp_fastopen', 0x403);
    const server = createServer({ netns: p.b }, (s) => s.pipe(s)).listen(7);
    const ext = (ns: typeof p.a, n: string): number => ns.snmp.get(`TcpExt${n}`) as number;

    const round = async (text: string): Promise<{ echo: string; events: string[]; sock: Socket }> => {
      const events: string[] = [];
      let echo = '';
      const sock = connect({ port: 7, host: '10.0.0.2', netns: p.a, fastOpen: true });
      sock.on('connect', () => events.push('connect'));
      sock.on('data', (d: Buffer) => {
        echo += d.toString();
        if (echo.length >= text.length) sock.end();
      });
      sock.on('close', () => events.push('close'));
      sock.write(text);
      await pump(p.world, () => sock.destroyed);
      return { echo, events, sock };
    };

    const first = await round('GET /one');
    expect(first.echo).toBe('GET /one');
    expect(first.events).toEqual(['connect', 'close']);
    expect(ext(p.b, 'TCPFastOpenCookieReqd')).toBe(1);
    expect(ext(p.b, 'TCPFastOpenPassive')).toBe(0);

    const second = await round('GET /two');
    expect(second.echo).toBe('GET /two');
    expect(second.events).toEqual(['connect', 'close']);
    expect(ext(p.b, 'TCPFastOpenPassive')).toBe(1);
    expect(ext(p.a, 'TCPFastOpenActive')).toBe(1);
    expect(second.sock.bytesWritten).toBe(8);
    server.close();
  });

  it('without fastOpen nothing changes: no cookie request, no SYN data', async () => {
    const p = tcpPair(4);
    p.b.sysctl.set('net.ipv4.tcp_fastopen', 0x403);
    const server = createServer({ netns: p.b }, (s) => s.pipe(s)).listen(7);
    for (let i = 0; i < 2; i++) {
      let echo = '';
      const sock = connect({ port: 7, host: '10.0.0.2', netns: p.a });
      sock.on('data', (d: Buffer) => {
        echo += d.toString();
        sock.end();
      });
      sock.write('x');
      await pump(p.world, () => sock.destroyed);
      expect(echo).toBe('x');
    }
    expect(p.b.snmp.get('TcpExtTCPFastOpenCookieReqd')).toBe(0);
    expect(p.b.snmp.get('TcpExtTCPFastOpenPassive')).toBe(0);
    server.close();
  });
});
