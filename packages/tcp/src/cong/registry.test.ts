import { describe, expect, it } from 'vitest';
import { NetError } from '@netstack/core';
import {
  CcSock,
  CongestionControlRegistry,
  CubicTcp,
  TCP_CONG_NON_RESTRICTED,
  type TcpCongestionOps,
  tcp_cong_avoid_ai,
  tcp_in_slow_start,
  tcp_init_congestion_control,
  tcp_is_cwnd_limited,
  tcp_slow_start,
} from './index.js';

function errOf(fn: () => void): NetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    return e as NetError;
  }
  throw new Error('expected a NetError');
}

/** A third-party module written against the public interface only: Scalable TCP (tcp_scalable.c). */
function scalable(): TcpCongestionOps {
  const AI_CNT = 100;
  const MD_SCALE = 3;
  return {
    name: 'scalable',
    flags: 0,
    ssthresh: (sk) => Math.max(sk.snd_cwnd - (sk.snd_cwnd >>> MD_SCALE), 2),
    cong_avoid: (sk, _ack, acked) => {
      if (!tcp_is_cwnd_limited(sk)) return;
      if (tcp_in_slow_start(sk)) {
        acked = tcp_slow_start(sk, acked);
        if (acked === 0) return;
      }
      tcp_cong_avoid_ai(sk, Math.min(sk.snd_cwnd, AI_CNT), acked);
    },
  };
}

describe('CongestionControlRegistry', () => {
  it('starts with reno and cubic, cubic the default, both allowed', () => {
    const reg = new CongestionControlRegistry();
    expect(reg.available).toEqual(['reno', 'cubic']);
    expect(reg.availableText).toBe('reno cubic');
    expect(reg.default).toBe('cubic');
    expect(reg.defaultCongestionOps).toBeInstanceOf(CubicTcp);
    expect(reg.allowed).toEqual(['reno', 'cubic']);
  });

  it('reports EEXIST, ENOENT, EINVAL and EBUSY as the kernel would', () => {
    const reg = new CongestionControlRegistry();
    const dup = errOf(() => reg.register({ ...scalable(), name: 'cubic' }));
    expect(dup.code).toBe('EEXIST');
    expect(dup.errno).toBe(17);
    const missing = errOf(() => reg.unregister('vegas'));
    expect(missing.code).toBe('ENOENT');
    expect(missing.errno).toBe(2);
    expect(errOf(() => reg.setDefault('vegas')).code).toBe('ENOENT');
    expect(errOf(() => reg.register({ name: 'broken', flags: 0 } as unknown as TcpCongestionOps)).code).toBe('EINVAL');
    expect(errOf(() => reg.register({ ...scalable(), name: 'a-name-too-long!' })).code).toBe('EINVAL');
    expect(errOf(() => reg.unregister('reno')).code).toBe('EBUSY');
    expect(errOf(() => reg.unregister('cubic')).code).toBe('EBUSY');
    expect(reg.available).toEqual(['reno', 'cubic']);
  });

  it('a third-party module registers, is selected by name and runs', () => {
    const reg = new CongestionControlRegistry();
    reg.register(scalable());
    expect(reg.availableText).toBe('reno cubic scalable');
    expect(reg.allowed).toEqual(['reno', 'cubic']);

    // TCP_CONGESTION without CAP_NET_ADMIN: not allowed yet.
    const sk = new CcSock();
    reg.assign(sk);
    expect(sk.ca_ops!.name).toBe('cubic');
    expect(errOf(() => reg.setSockCongestion(sk, 'scalable', false, true)).code).toBe('EPERM');
    expect(errOf(() => reg.setSockCongestion(sk, 'nope', true, true)).code).toBe('ENOENT');
    reg.setAllowed('reno scalable');
    expect(reg.allowed).toEqual(['reno', 'cubic', 'scalable']); // the default stays allowed
    reg.setSockCongestion(sk, 'scalable', false, true);
    expect(sk.ca_ops!.name).toBe('scalable');
    expect(sk.ca_initialized).toBe(true);

    // It behaves as Scalable TCP: cwnd -1/8 on loss, +1 per 100 ACKs above 100.
    sk.snd_cwnd = 400;
    expect(sk.ca_ops!.ssthresh(sk)).toBe(350);
    sk.snd_cwnd = 350;
    sk.snd_ssthresh = 350;
    sk.is_cwnd_limited = true;
    for (let i = 0; i < 350; i++) sk.ca_ops!.cong_avoid(sk, 0, 1);
    expect(sk.snd_cwnd).toBe(353);

    // As net.ipv4.tcp_congestion_control: new sockets get it.
    reg.setDefault('scalable');
    expect(reg.default).toBe('scalable');
    const sk2 = new CcSock();
    reg.assign(sk2);
    tcp_init_congestion_control(sk2);
    expect(sk2.ca_ops!.name).toBe('scalable');
    expect(errOf(() => reg.unregister('scalable')).code).toBe('EBUSY');
    reg.setDefault('cubic');
    reg.unregister('scalable');
    expect(reg.available).toEqual(['reno', 'cubic']);
    expect(reg.find('scalable')).toBeUndefined();
  });

  it('switching a socket releases the old module state and inits the new one', () => {
    const reg = new CongestionControlRegistry();
    let released = 0;
    reg.register({ ...scalable(), name: 'counting', flags: TCP_CONG_NON_RESTRICTED, release: () => void released++ });
    const sk = new CcSock();
    reg.setSockCongestion(sk, 'counting', false, true);
    reg.setSockCongestion(sk, 'cubic', false, true);
    expect(released).toBe(1);
    expect(sk.ca).not.toBeNull(); // cubic's private state
    reg.setSockCongestion(sk, 'reno', false, false); // closed socket: init waits for connect
    expect(sk.ca).toBeNull();
    expect(sk.ca_initialized).toBe(false);
  });

  it('two registries (two namespaces) share no module instance', () => {
    const a = new CongestionControlRegistry();
    const b = new CongestionControlRegistry();
    expect(a.find('cubic')).not.toBe(b.find('cubic'));
    expect(a.find('reno')).not.toBe(b.find('reno'));
    a.register(scalable());
    a.setAllowed('');
    expect(b.available).toEqual(['reno', 'cubic']);
    expect(a.allowed).toEqual(['cubic']);
    expect(b.allowed).toEqual(['reno', 'cubic']);
  });
});
