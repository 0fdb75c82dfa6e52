import { describe, expect, it } from 'vitest';
import { Sysctl } from '@netstack/core';
import { CongestionControlRegistry } from '../cong/registry.js';
import { TCP_SYSCTL_NAMES, TcpConf, normalizeFastopenKey, refreshCongestionSysctls, registerTcpSysctls } from './tcp-sysctls.js';

function setup(preregister?: (world: Sysctl, ns: Sysctl) => void) {
  const world = new Sysctl();
  const ns = new Sysctl(world);
  preregister?.(world, ns);
  const cc = new CongestionControlRegistry();
  const trees = { sysctl: ns, world: { sysctl: world } };
  const conf = registerTcpSysctls(trees, cc);
  return { world, ns, cc, conf, trees };
}

describe('TCP sysctls', () => {
  it('registers the defaults of this machine (Linux 6.18, `sysctl -a` in a new namespace)', () => {
    const { ns } = setup();
    // Values as `ip netns exec <new ns> sysctl -a` printed them on this machine.
    const expected: Record<string, string> = {
      'net.ipv4.tcp_rmem': '4096\t131072\t33554432',
      'net.ipv4.tcp_wmem': '4096\t16384\t4194304',
      'net.ipv4.tcp_mem': '287898\t383867\t575796',
      'net.ipv4.tcp_syn_retries': '6',
      'net.ipv4.tcp_synack_retries': '5',
      'net.ipv4.tcp_retries1': '3',
      'net.ipv4.tcp_retries2': '15',
      'net.ipv4.tcp_fin_timeout': '60',
      'net.ipv4.tcp_keepalive_time': '7200',
      'net.ipv4.tcp_keepalive_intvl': '75',
      'net.ipv4.tcp_keepalive_probes': '9',
      'net.ipv4.tcp_fastopen': '1',
      'net.ipv4.tcp_fastopen_key': '00000000-00000000-00000000-00000000',
      'net.ipv4.tcp_syncookies': '1',
      'net.ipv4.tcp_limit_output_bytes': '4194304',
      'net.ipv4.tcp_autocorking': '1',
      'net.ipv4.tcp_max_syn_backlog': '2048',
      'net.ipv4.tcp_abort_on_overflow': '0',
      'net.ipv4.tcp_challenge_ack_limit': '2147483647',
      'net.ipv4.tcp_invalid_ratelimit': '500',
      'net.ipv4.tcp_notsent_lowat': '4294967295',
      'net.ipv4.tcp_ecn': '2',
      'net.ipv4.tcp_early_retrans': '3',
      'net.ipv4.tcp_recovery': '1',
      'net.ipv4.tcp_reordering': '3',
      'net.ipv4.tcp_max_reordering': '300',
      'net.ipv4.tcp_comp_sack_delay_ns': '1000000',
      'net.ipv4.tcp_comp_sack_nr': '44',
      'net.ipv4.tcp_pacing_ss_ratio': '200',
      'net.ipv4.tcp_pacing_ca_ratio': '120',
      'net.ipv4.tcp_min_tso_segs': '2',
      'net.ipv4.tcp_tso_win_divisor': '3',
      'net.ipv4.tcp_tw_reuse': '2',
      'net.ipv4.tcp_rto_min_us': '200000',
      'net.ipv4.tcp_rto_max_ms': '120000',
      'net.ipv4.tcp_syn_linear_timeouts': '4',
      'net.ipv4.tcp_min_rtt_wlen': '300',
      'net.ipv4.tcp_adv_win_scale': '1',
      'net.ipv4.tcp_app_win': '31',
      'net.ipv4.tcp_max_tw_buckets': '131072',
      'net.ipv4.tcp_max_orphans': '131072',
      'net.core.somaxconn': '4096',
      'net.core.netdev_max_backlog': '1000',
      'net.core.optmem_max': '131072',
      'net.core.rmem_default': '212992',
      'net.core.rmem_max': '4194304',
      'net.core.wmem_default': '212992',
      'net.core.wmem_max': '4194304',
      // Not this host's (bbr, set by its init_net): upstream's CUBIC, per DESIGN.md.
      'net.ipv4.tcp_congestion_control': 'cubic',
      'net.ipv4.tcp_available_congestion_control': 'reno cubic',
      'net.ipv4.tcp_allowed_congestion_control': 'reno cubic',
    };
    const listed = new Map(ns.list('net.'));
    for (const [name, value] of Object.entries(expected)) expect(listed.get(name), name).toBe(value);
    for (const name of TCP_SYSCTL_NAMES) expect(ns.has(name), name).toBe(true);
  });

  it('keeps TcpConf in step and puts the global ones in the World tree', () => {
    const { ns, world, conf } = setup();
    ns.set('net.ipv4.tcp_syn_retries', '3');
    ns.set('net.ipv4.tcp_rmem', '4096 65536 1048576');
    ns.set('net.core.somaxconn', 128);
    ns.set('net.ipv4.tcp_limit_output_bytes', 262144);
    ns.set('net.ipv4.tcp_mem', '1 2 3');
    expect(conf.synRetries).toBe(3);
    expect(conf.rmem).toEqual([4096, 65536, 1048576]);
    expect(conf.coreSomaxconn).toBe(128);
    expect(conf.limitOutputBytes).toBe(262144);
    expect(conf.mem).toEqual([1, 2, 3]);
    expect(world.list('net.ipv4.tcp_mem')).toEqual([['net.ipv4.tcp_mem', '1\t2\t3']]);
    expect(world.has('net.ipv4.tcp_syn_retries')).toBe(false);
    expect(world.has('net.core.netdev_max_backlog')).toBe(true);
  });

  it('enforces the ranges this kernel enforces (probed by writing to a scratch namespace)', () => {
    const { ns, conf } = setup();
    const bad: [string, number][] = [
      ['net.ipv4.tcp_syn_retries', 0],
      ['net.ipv4.tcp_syn_retries', 128],
      ['net.ipv4.tcp_synack_retries', 256],
      ['net.ipv4.tcp_reordering', 301],
      ['net.ipv4.tcp_ecn', 3],
      ['net.ipv4.tcp_tw_reuse', 3],
      ['net.ipv4.tcp_min_snd_mss', 47],
      ['net.ipv4.tcp_rto_max_ms', 999],
      ['net.ipv4.tcp_rto_max_ms', 120001],
      ['net.ipv4.tcp_pacing_ss_ratio', 1001],
      ['net.ipv4.tcp_autocorking', 2],
      ['net.ipv4.tcp_fin_timeout', 8589935],
    ];
    for (const [name, v] of bad) expect(() => ns.set(name, v), `${name}=${v}`).toThrow(/EINVAL/);
    expect(conf.synRetries).toBe(6);
    ns.set('net.ipv4.tcp_syn_retries', 127);
    ns.set('net.ipv4.tcp_adv_win_scale', -31);
    ns.set('net.ipv4.tcp_fin_timeout', -5); // accepted by this kernel
    expect(() => ns.set('net.ipv4.tcp_rmem', '0 1 2')).toThrow(/EINVAL/);
    ns.set('net.ipv4.tcp_rmem', '9000 100 5'); // no ordering check in this kernel
    expect(conf.rmem).toEqual([9000, 100, 5]);
  });

  it('tcp_congestion_control takes registered names only and drives the registry', () => {
    const { ns, cc, conf, trees } = setup();
    expect(() => ns.set('net.ipv4.tcp_congestion_control', 'bbr')).toThrow(/EINVAL/);
    ns.set('net.ipv4.tcp_congestion_control', 'reno');
    expect(cc.default).toBe('reno');
    expect(conf.congestionControl).toBe('reno');
    ns.set('net.ipv4.tcp_allowed_congestion_control', 'cubic');
    // The registry keeps the default allowed and lists in registration order.
    expect(ns.get('net.ipv4.tcp_allowed_congestion_control')).toBe('reno cubic');
    expect(() => ns.set('net.ipv4.tcp_available_congestion_control', 'reno')).toThrow(/EINVAL/);
    const ops = { ...cc.find('reno')!, name: 'mycc', flags: 0 };
    cc.register(ops);
    refreshCongestionSysctls(trees, cc);
    expect(ns.get('net.ipv4.tcp_available_congestion_control')).toBe('reno cubic mycc');
    ns.set('net.ipv4.tcp_congestion_control', 'mycc');
    expect(cc.default).toBe('mycc');
    expect(ns.get('net.ipv4.tcp_allowed_congestion_control')).toBe('reno cubic mycc');
  });

  it('tcp_fastopen_key accepts one or two keys and reads back as %08x groups (as this kernel does)', () => {
    const { ns, conf } = setup();
    // On this machine: writing "1-2-3-4" reads back "00000001-00000002-00000003-00000004".
    ns.set('net.ipv4.tcp_fastopen_key', '1-2-3-4');
    expect(ns.get('net.ipv4.tcp_fastopen_key')).toBe('00000001-00000002-00000003-00000004');
    ns.set('net.ipv4.tcp_fastopen_key', '00000001-00000002-00000003-00000004,a-b-c-d');
    expect(conf.fastopenKey).toBe('00000001-00000002-00000003-00000004,0000000a-0000000b-0000000c-0000000d');
    expect(() => ns.set('net.ipv4.tcp_fastopen_key', 'zz')).toThrow(/EINVAL/);
    expect(normalizeFastopenKey('ABCDEF01-0-0-0')).toBe('abcdef01-00000000-00000000-00000000');
  });

  it('skips names already registered and still follows them (UDP registers net.core.*)', () => {
    let udpSeen = 0;
    const { world, ns, conf } = setup((w) => {
      w.register<number>({ name: 'net.core.rmem_max', default: 212992, min: 2304, onChange: (v) => (udpSeen = v) });
    });
    // The first registrant's default stays; the conf takes it.
    expect(conf.coreRmemMax).toBe(212992);
    ns.set('net.core.rmem_max', 1 << 20);
    expect(udpSeen).toBe(1 << 20);
    expect(conf.coreRmemMax).toBe(1 << 20);
    expect(world.get('net.core.rmem_max')).toBe(1 << 20);
  });

  it('a second namespace shares the World tunables and registers its own per-namespace ones', () => {
    const world = new Sysctl();
    const a = new Sysctl(world);
    const b = new Sysctl(world);
    const confA = registerTcpSysctls({ sysctl: a, world: { sysctl: world } }, new CongestionControlRegistry());
    const confB = registerTcpSysctls({ sysctl: b, world: { sysctl: world } }, new CongestionControlRegistry(), new TcpConf());
    a.set('net.ipv4.tcp_syn_retries', 2);
    expect(confB.synRetries).toBe(6);
    b.set('net.ipv4.tcp_mem', '10 20 30');
    expect(confA.mem).toEqual([10, 20, 30]);
    expect(confB.mem).toEqual([10, 20, 30]);
  });
});
