import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { World } from '../ns/world.js';
import { NoQueue } from '../qdisc/noqueue.js';
import { Sysctl } from './sysctl.js';

function expectErrno(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('Sysctl', () => {
  it('registers numbers, strings and vectors with their defaults', () => {
    const s = new Sysctl();
    const e = s.register({ name: 'net.ipv4.tcp_rmem', default: [4096, 131072, 6291456], min: 1 });
    s.register({ name: 'net.ipv4.tcp_syn_retries', default: 6, min: 1, max: 127 });
    s.register({ name: 'net.ipv4.tcp_congestion_control', default: 'cubic', choices: ['reno', 'cubic'] });
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([4096, 131072, 6291456]);
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(6);
    expect(s.get('net.ipv4.tcp_congestion_control')).toBe('cubic');
    expect(e.value).toBe(s.get('net.ipv4.tcp_rmem'));
    expect(s.has('net.ipv4.tcp_rmem')).toBe(true);
    expect(s.has('net.ipv4.tcp_wmem')).toBe(false);
  });

  it('refuses to register a name twice (EEXIST) or an invalid default (EINVAL)', () => {
    const s = new Sysctl();
    s.register({ name: 'net.x.a', default: 1 });
    expectErrno(() => s.register({ name: 'net.x.a', default: 2 }), 'EEXIST');
    expect(s.get('net.x.a')).toBe(1);
    expectErrno(() => s.register({ name: 'net.x.b', default: 0, min: 1 }), 'EINVAL');
    expectErrno(() => s.register({ name: 'net.x.c', default: 'z', choices: ['a'] }), 'EINVAL');
    expect(s.has('net.x.b')).toBe(false);
  });

  it('sets typed values and `sysctl -w` text, vectors included', () => {
    const s = new Sysctl();
    s.register({ name: 'net.ipv4.tcp_rmem', default: [4096, 131072, 6291456], min: 1 });
    s.register({ name: 'net.ipv4.tcp_syn_retries', default: 6, min: 1, max: 127 });
    s.register({ name: 'net.ipv4.tcp_congestion_control', default: 'cubic', choices: ['reno', 'cubic'] });
    s.set('net.ipv4.tcp_rmem', '8192 65536 4194304');
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([8192, 65536, 4194304]);
    s.set('net.ipv4.tcp_rmem', '4096 131072 6291456');
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([4096, 131072, 6291456]);
    s.set('net.ipv4.tcp_rmem', ' 1\t2   3\n');
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([1, 2, 3]);
    s.set('net.ipv4.tcp_rmem', [10, 20, 30]);
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([10, 20, 30]);
    s.set('net.ipv4.tcp_syn_retries', '3');
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(3);
    s.set('net.ipv4.tcp_syn_retries', 127);
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(127);
    // proc_dointvec reads with base 0, as `sysctl -w net.ipv4.tcp_fastopen=0x403` does on Linux.
    s.set('net.ipv4.tcp_syn_retries', '0x1f');
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(31);
    s.set('net.ipv4.tcp_syn_retries', '010');
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(8);
    s.set('net.ipv4.tcp_rmem', '0x1000 01 0x20000');
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([4096, 1, 131072]);
    s.set('net.ipv4.tcp_congestion_control', ' reno\n');
    expect(s.get('net.ipv4.tcp_congestion_control')).toBe('reno');
  });

  it('rejects out-of-range, non-integer, malformed and unlisted values with EINVAL, changing nothing', () => {
    const s = new Sysctl();
    const changes: unknown[] = [];
    s.register({ name: 'net.ipv4.tcp_rmem', default: [4096, 131072, 6291456], min: 1, onChange: (v) => changes.push(v) });
    s.register({ name: 'net.ipv4.tcp_syn_retries', default: 6, min: 1, max: 127, onChange: (v) => changes.push(v) });
    s.register({ name: 'net.ipv4.tcp_congestion_control', default: 'cubic', choices: () => ['reno', 'cubic'], onChange: (v) => changes.push(v) });
    s.register({ name: 'net.ipv4.even', default: 2, validate: (v) => (v % 2 === 0 ? null : 'must be even') });
    for (const bad of [0, 128, -1, 1.5, Number.NaN, '1.5', 'abc', '-', '12abc', '08', '0x', '0xg', '1e3'] as const) {
      expectErrno(() => s.set('net.ipv4.tcp_syn_retries', bad), 'EINVAL');
    }
    expect(s.get('net.ipv4.tcp_syn_retries')).toBe(6);
    for (const bad of ['4096 x 6291456', '0 1 2', '4096 131072 -1', [1, 2], [1, 2, 3, 4], [1, 2.5, 3], 7] as const) {
      expectErrno(() => s.set('net.ipv4.tcp_rmem', bad), 'EINVAL');
    }
    expect(s.get('net.ipv4.tcp_rmem')).toEqual([4096, 131072, 6291456]);
    expectErrno(() => s.set('net.ipv4.tcp_congestion_control', 'bbr'), 'EINVAL');
    expectErrno(() => s.set('net.ipv4.tcp_congestion_control', 5), 'EINVAL');
    expect(s.get('net.ipv4.tcp_congestion_control')).toBe('cubic');
    expectErrno(() => s.set('net.ipv4.even', 3), 'EINVAL');
    expect(s.get('net.ipv4.even')).toBe(2);
    expect(changes).toEqual([]);
  });

  it('ENOENT for names nobody registered, on get and on set', () => {
    const s = new Sysctl();
    expectErrno(() => s.get('net.ipv4.nope'), 'ENOENT');
    expectErrno(() => s.set('net.ipv4.nope', 1), 'ENOENT');
    expectErrno(() => s.entry('net.ipv4.nope'), 'ENOENT');
  });

  it('onChange fires once per successful set with the parsed value', () => {
    const s = new Sysctl();
    const seen: unknown[] = [];
    s.register({ name: 'net.core.rmem_max', default: 212992, min: 0, onChange: (v) => seen.push(v) });
    s.register({ name: 'net.ipv4.tcp_wmem', default: [4096, 16384, 4194304], onChange: (v) => seen.push(v) });
    s.set('net.core.rmem_max', '4194304');
    s.set('net.ipv4.tcp_wmem', '4096 65536 8388608');
    expect(seen).toEqual([4194304, [4096, 65536, 8388608]]);
  });

  it('list() is sorted by name, filters by prefix and prints vectors tab-separated', () => {
    const s = new Sysctl();
    s.register({ name: 'net.ipv4.tcp_rmem', default: [4096, 131072, 6291456] });
    s.register({ name: 'net.core.somaxconn', default: 4096 });
    s.register({ name: 'net.ipv4.ip_forward', default: 0 });
    s.register({ name: 'net.core.default_qdisc', default: 'pfifo_fast' });
    expect(s.list()).toEqual([
      ['net.core.default_qdisc', 'pfifo_fast'],
      ['net.core.somaxconn', '4096'],
      ['net.ipv4.ip_forward', '0'],
      ['net.ipv4.tcp_rmem', '4096\t131072\t6291456'],
    ]);
    expect(s.list('net.ipv4.').map(([n]) => n)).toEqual(['net.ipv4.ip_forward', 'net.ipv4.tcp_rmem']);
    expect(s.list('net.ipv6.')).toEqual([]);
  });
});

describe('World and namespace sysctls', () => {
  it('the World registers the net.core globals with the kernel defaults', () => {
    const world = new World();
    expect(world.sysctl.get('net.core.netdev_budget')).toBe(300);
    expect(world.sysctl.get('net.core.netdev_budget_usecs')).toBe(8000);
    expect(world.sysctl.get('net.core.netdev_max_backlog')).toBe(1000);
    expect(world.sysctl.get('net.core.dev_weight')).toBe(64);
    expect(world.sysctl.get('net.core.default_qdisc')).toBe('pfifo_fast');
  });

  it('a namespace tree falls back to the World’s for global names, and a write there is global', () => {
    const world = new World();
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    expect(a.sysctl.get('net.core.netdev_budget')).toBe(300);
    expect(a.sysctl.has('net.core.netdev_max_backlog')).toBe(true);
    a.sysctl.set('net.core.netdev_budget', '600');
    expect(world.sysctl.get('net.core.netdev_budget')).toBe(600);
    expect(b.sysctl.get('net.core.netdev_budget')).toBe(600);
    expect(world.netdevBudget).toBe(600);
  });

  it('per-namespace names stay in their namespace', () => {
    const world = new World();
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    a.sysctl.register({ name: 'net.ipv4.ip_forward', default: 0, min: 0, max: 1 });
    b.sysctl.register({ name: 'net.ipv4.ip_forward', default: 0, min: 0, max: 1 });
    a.sysctl.set('net.ipv4.ip_forward', 1);
    expect(a.sysctl.get('net.ipv4.ip_forward')).toBe(1);
    expect(b.sysctl.get('net.ipv4.ip_forward')).toBe(0);
    expect(world.sysctl.has('net.ipv4.ip_forward')).toBe(false);
    expectErrno(() => world.sysctl.get('net.ipv4.ip_forward'), 'ENOENT');
  });

  it('a namespace list() merges its names with the World’s, sorted', () => {
    const world = new World();
    const ns = world.createNamespace('a');
    ns.sysctl.register({ name: 'net.core.somaxconn', default: 4096 });
    ns.sysctl.register({ name: 'net.ipv4.ip_forward', default: 0 });
    const names = ns.sysctl.list().map(([n]) => n);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(
      expect.arrayContaining(['net.core.netdev_budget', 'net.core.somaxconn', 'net.ipv4.ip_forward', 'net.core.default_qdisc']),
    );
    expect(ns.sysctl.list('net.core.netdev_')).toEqual([
      ['net.core.netdev_budget', '300'],
      ['net.core.netdev_budget_usecs', '8000'],
      ['net.core.netdev_max_backlog', '1000'],
    ]);
    expect(world.sysctl.list().map(([n]) => n)).not.toContain('net.ipv4.ip_forward');
  });

  it('changing the globals refreshes the cached copies the packet path reads', () => {
    const world = new World({ cpus: 2 });
    world.sysctl.set('net.core.netdev_max_backlog', 10);
    world.sysctl.set('net.core.netdev_budget_usecs', 2000);
    world.sysctl.set('net.core.dev_weight', 16);
    expect([world.netdevMaxBacklog, world.netdevBudgetUsecs, world.devWeight, world.devTxWeight]).toEqual([10, 2000, 16, 16]);
    expect(world.cpus.map((sd) => sd.backlog.weight)).toEqual([16, 16]);
    world.sysctl.set('net.core.dev_weight_rx_bias', 2);
    world.sysctl.set('net.core.dev_weight_tx_bias', 3);
    expect(world.cpus.map((sd) => sd.backlog.weight)).toEqual([32, 32]);
    expect(world.devTxWeight).toBe(48);
    expectErrno(() => world.sysctl.set('net.core.netdev_budget', 0), 'EINVAL');
    expect(world.netdevBudget).toBe(300);
  });

  it('net.core.default_qdisc accepts only registered qdisc kinds', () => {
    const world = new World();
    expectErrno(() => world.sysctl.set('net.core.default_qdisc', 'cake'), 'EINVAL');
    expect(world.sysctl.get('net.core.default_qdisc')).toBe('pfifo_fast');
    world.sysctl.set('net.core.default_qdisc', 'noqueue');
    expect(world.sysctl.get('net.core.default_qdisc')).toBe('noqueue');
    world.qdiscs.register('cake', () => new NoQueue());
    world.sysctl.set('net.core.default_qdisc', 'cake');
    expect(world.sysctl.get('net.core.default_qdisc')).toBe('cake');
  });
});

describe('unregisterPrefix', () => {
  it('removes the entries under a prefix and nothing else', () => {
    const s = new Sysctl();
    s.register({ name: 'net.ipv4.conf.eth0.forwarding', default: 0 });
    s.register({ name: 'net.ipv4.conf.eth0.rp_filter', default: 0 });
    s.register({ name: 'net.ipv4.conf.eth01.forwarding', default: 0 });
    expect(s.unregisterPrefix('net.ipv4.conf.eth0.')).toBe(2);
    expect(s.has('net.ipv4.conf.eth0.forwarding')).toBe(false);
    expect(s.has('net.ipv4.conf.eth01.forwarding')).toBe(true);
    s.register({ name: 'net.ipv4.conf.eth0.forwarding', default: 1 });
    expect(s.get('net.ipv4.conf.eth0.forwarding')).toBe(1);
  });
});
