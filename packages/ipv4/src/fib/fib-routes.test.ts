import { describe, expect, it } from 'vitest';
import { NetError } from '@netstack/core';
import {
  newFibResult,
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_NAMES,
  RTN_UNICAST,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
} from './types.js';
import { addressedNs, addRoutes, ip, query, route, showTable, type FibNs } from './test-helpers.js';

function code(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NetError) return err.code;
    throw err;
  }
  return 'ok';
}

function add(n: FibNs, text: string, opts?: { replace?: boolean; append?: boolean; prepend?: boolean }): string {
  return code(() => n.fib.addRoute(route(n, text), opts));
}

/** `ip route del`: type, metric and protocol only when given, any scope (iproute2 sends none of them otherwise). */
function del(n: FibNs, text: string): string {
  const r = route(n, text);
  const typed = (RTN_NAMES as readonly string[]).includes(text.split(/\s+/)[0]!);
  return code(() =>
    n.fib.delRoute({
      dst: r.dst,
      dstLen: r.dstLen,
      table: r.table,
      tos: r.tos,
      type: typed ? r.type : 0,
      priority: /\bmetric\b/.test(text) ? r.priority : 0,
      protocol: /\bproto\b/.test(text) ? r.protocol : 0,
      nhs: r.nhs,
    }),
  );
}

function get(n: FibNs, q: string): [number, string] {
  const res = newFibResult();
  const err = n.fib.lookup(query(n, q), res);
  return [err, err === 0 ? `${res.prefixLen} ${res.nh?.dev.name ?? '-'}` : ''];
}

describe('ip route add/del: checks and errno (Linux 6.18, errno read with strace)', () => {
  it('answers as fib_create_info / fib_check_nh / fib_table_insert do', () => {
    const n = addressedNs();
    const cases: [string, string][] = [
      ['8.8.0.0/16 via 192.0.2.1', 'ENETUNREACH'],
      ['8.8.0.0/16 via 10.0.0.2 dev d1', 'ENETUNREACH'],
      ['8.8.0.0/16 via 10.0.0.255', 'EINVAL'],
      ['8.9.0.0/16 via 192.0.2.1 dev d0 onlink scope link', 'EINVAL'],
      ['10.60.0.1/16 dev d0', 'EINVAL'],
      ['local 10.61.0.0/16 dev d0 scope link', 'EINVAL'],
      ['blackhole 10.62.0.0/16 dev d0', 'EINVAL'],
      ['10.63.0.0/16 via 10.0.0.2 scope host', 'EINVAL'],
      ['10.65.0.0/16 scope link', 'ENODEV'],
      ['10.67.0.0/16 via 10.0.0.2 scope link', 'ENETUNREACH'],
      ['10.0.0.0/8 via 10.1.0.9 tos 0x03', 'EINVAL'],
      ['8.8.0.0/16 via 10.0.0.1', 'ok'],
      ['8.9.0.0/16 via 192.0.2.1 dev d0 onlink', 'ok'],
      ['10.64.0.0/16 dev d0 scope host', 'ok'],
      ['10.69.0.0/16 via 10.0.0.2', 'ok'],
      ['10.69.0.0/16 via 10.0.0.3', 'EEXIST'],
      ['10.69.0.0/16 dev d1', 'EEXIST'],
      ['10.70.0.0/16 via 10.1.0.2 dev d0 onlink', 'ok'],
      ['10.66.0.0/16 nexthop dev d0 nexthop dev d1', 'ok'],
    ];
    expect(cases.map(([c]) => [c, add(n, c)])).toEqual(cases);
    expect(del(n, '10.69.0.0/16 dev d1')).toBe('ESRCH');
    expect(showTable(n, RT_TABLE_MAIN)).toContain('10.70.0.0/16 via 10.1.0.2 dev d0 onlink ');
  });

  it('refuses bad arguments with EINVAL', () => {
    const n = addressedNs();
    const base = route(n, '10.9.0.0/16 dev d0');
    expect(code(() => n.fib.addRoute({ ...base, dstLen: 33 }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, type: 0 }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, type: 10 }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, nhs: [{ ...base.nhs[0]!, weight: 0 }] }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, nhs: [{ ...base.nhs[0]!, weight: 257 }] }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, nhs: [{ ...base.nhs[0]!, flags: RTNH_F_DEAD }] }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, scope: 256 }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, prefsrc: ip('10.0.0.9') }))).toBe('EINVAL');
    expect(code(() => n.fib.addRoute({ ...base, prefsrc: ip('10.0.0.1') }))).toBe('ok');
  });

  it('orders aliases as add/append/prepend leave them and deletes the first match', () => {
    const n = addressedNs();
    for (const r of ['10.0.0.0/8 via 10.0.0.2', '10.0.0.0/8 via 10.1.0.2 metric 5', '10.0.0.0/8 via 10.1.0.3 tos 0x10', '10.0.0.0/8 via 10.1.0.3 tos 0x08 metric 3', '10.0.0.0/8 via 10.1.0.3 tos 0x20 metric 3']) {
      expect(add(n, r)).toBe('ok');
    }
    expect(add(n, '10.0.0.0/8 via 10.1.0.9')).toBe('EEXIST');
    expect(add(n, '10.0.0.0/8 dev d2')).toBe('EEXIST');
    expect(add(n, '10.0.0.0/8 via 10.1.0.9 tos 0x04')).toBe('ok');
    expect(add(n, '10.0.0.0/8 via 10.1.0.9', { append: true })).toBe('ok');
    expect(add(n, '10.0.0.0/8 via 10.1.0.9', { append: true })).toBe('EEXIST');
    expect(add(n, '10.0.0.0/8 via 10.1.0.7', { prepend: true })).toBe('ok');
    expect(add(n, '10.0.0.0/8 via 10.0.0.2', { append: true })).toBe('EEXIST');
    const eight = () => showTable(n, RT_TABLE_MAIN).filter((l) => l.startsWith('10.0.0.0/8'));
    // `ip route show` on Linux 6.18 after the same commands:
    expect(eight()).toEqual([
      '10.0.0.0/8 tos CS1 via 10.1.0.3 dev d1 metric 3 ',
      '10.0.0.0/8 tos 0x10 via 10.1.0.3 dev d1 ',
      '10.0.0.0/8 tos 0x08 via 10.1.0.3 dev d1 metric 3 ',
      '10.0.0.0/8 tos 0x04 via 10.1.0.9 dev d1 ',
      '10.0.0.0/8 via 10.1.0.7 dev d1 ',
      '10.0.0.0/8 via 10.0.0.2 dev d0 ',
      '10.0.0.0/8 via 10.1.0.9 dev d1 ',
      '10.0.0.0/8 via 10.1.0.2 dev d1 metric 5 ',
    ]);
    // Deletes: a metric given must match; none matches any; tos must match exactly.
    expect(del(n, '10.0.0.0/8 metric 4')).toBe('ESRCH');
    expect(del(n, '10.0.0.0/8')).toBe('ok');
    expect(del(n, '10.0.0.0/8 tos 0x10 metric 1')).toBe('ESRCH');
    expect(del(n, '10.0.0.0/8 via 10.1.0.9 metric 1')).toBe('ESRCH');
    expect(del(n, '10.9.0.0/16')).toBe('ESRCH');
    expect(del(n, '10.0.0.0/8 via 10.1.0.2')).toBe('ok');
    expect(del(n, '10.0.0.0/8 tos 0x08')).toBe('ok');
    expect(del(n, '10.0.0.0/8 via 10.1.0.9')).toBe('ok');
    expect(eight()).toEqual([
      '10.0.0.0/8 tos CS1 via 10.1.0.3 dev d1 metric 3 ',
      '10.0.0.0/8 tos 0x10 via 10.1.0.3 dev d1 ',
      '10.0.0.0/8 tos 0x04 via 10.1.0.9 dev d1 ',
      '10.0.0.0/8 via 10.0.0.2 dev d0 ',
    ]);
  });

  it('replaces and appends as `ip route replace|append` do', () => {
    const n = addressedNs();
    expect(add(n, 'unreachable 10.80.0.0/16')).toBe('ok');
    expect(add(n, '10.80.0.0/16 dev d0')).toBe('EEXIST');
    expect(add(n, 'unreachable 10.80.0.0/16')).toBe('EEXIST');
    expect(add(n, '10.80.0.0/16 dev d0', { append: true })).toBe('ok');
    expect(add(n, '10.80.0.0/16 dev d0', { append: true })).toBe('EEXIST');
    expect(add(n, '10.81.0.0/16 dev d0', { replace: true })).toBe('ok');
    expect(add(n, '10.81.0.0/16 dev d0', { replace: true })).toBe('ok');
    expect(add(n, '10.81.0.0/16 dev d1', { replace: true })).toBe('ok');
    const lines = showTable(n, RT_TABLE_MAIN);
    expect(lines.filter((l) => /10\.8[01]\./.test(l))).toEqual(['unreachable 10.80.0.0/16 ', '10.80.0.0/16 dev d0 scope link ', '10.81.0.0/16 dev d1 scope link ']);
    // The unreachable alias comes first, so the lookup answers it.
    expect(get(n, '10.80.1.1')[0]).toBe(-113);
  });

  it('reports ESRCH with errno 3', () => {
    const n = addressedNs();
    try {
      n.fib.delRoute({ dst: ip('10.99.0.0'), dstLen: 16, table: RT_TABLE_MAIN });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(NetError);
      expect((err as NetError).code).toBe('ESRCH');
      expect((err as NetError).errno).toBe(3);
    }
    expect(code(() => n.fib.delRoute({ dst: 0, dstLen: 0, table: 4242 }))).toBe('ESRCH');
  });
});

describe('device state (fib_sync_down_dev / fib_sync_up, checked on Linux 6.18)', () => {
  const ROUTES = [
    '10.50.0.0/16 via 10.0.0.2',
    '10.51.0.0/16 nexthop via 10.0.0.2 weight 1 nexthop via 10.1.0.2 weight 3',
    '10.52.0.0/16 dev d0',
    '10.53.0.0/16 via 10.1.0.2',
    '10.54.0.0/16 nexthop via 10.0.0.2 nexthop dev d0',
  ];

  it('removes routes left without a live nexthop when a device goes down, keeps local addresses', () => {
    const n = addressedNs();
    addRoutes(n, ROUTES);
    const d0 = n.dev('d0');
    d0.close();
    n.fib.setNexthopsDown(d0, true);
    expect(showTable(n, RT_TABLE_MAIN)).toEqual([
      '10.1.0.0/24 dev d1 proto kernel scope link src 10.1.0.1 ',
      '10.51.0.0/16 ',
      '\tnexthop via 10.0.0.2 dev d0 weight 1 dead linkdown ',
      '\tnexthop via 10.1.0.2 dev d1 weight 3 ',
      '10.53.0.0/16 via 10.1.0.2 dev d1 ',
      '192.168.5.0/24 dev d2 proto kernel scope link src 192.168.5.1 ',
    ]);
    expect(showTable(n, RT_TABLE_LOCAL).slice(0, 2)).toEqual(['local 10.0.0.1 dev d0 proto kernel scope host src 10.0.0.1 ', 'local 10.1.0.1 dev d1 proto kernel scope host src 10.1.0.1 ']);
    // `ip route get 10.0.0.1` still answers local with d0 down.
    const res = newFibResult();
    expect(n.fib.lookup(query(n, '10.0.0.1'), res)).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
    // Every flow of the multipath route now uses d1.
    for (let i = 0; i < 64; i++) expect(get(n, `10.51.${i}.${i * 3}`)[1]).toBe('16 d1');
    // Adding through a down device: ENETDOWN.
    expect(add(n, '10.71.0.0/16 dev d0')).toBe('ENETDOWN');
    expect(add(n, '10.72.0.0/16 via 10.0.0.9')).toBe('ENETUNREACH');
    expect(add(n, '10.72.0.0/16 via 10.0.0.9 dev d0 onlink')).toBe('ENETDOWN');
    d0.open();
    n.fib.setNexthopsDown(d0, false);
    expect(showTable(n, RT_TABLE_MAIN).filter((l) => l.startsWith('\t'))).toEqual(['\tnexthop via 10.0.0.2 dev d0 weight 1 ', '\tnexthop via 10.1.0.2 dev d1 weight 3 ']);
    const seen = new Set<string>();
    for (let i = 0; i < 64; i++) seen.add(get(n, `10.51.${i}.${(i * 7) & 0xff}`)[1]);
    expect([...seen].sort()).toEqual(['16 d0', '16 d1']);
  });

  it('marks nexthops linkdown on carrier loss and skips them only with ignore_routes_with_linkdown', () => {
    const n = addressedNs();
    addRoutes(n, ROUTES);
    const d1 = n.dev('d1');
    d1.setCarrier(false);
    n.fib.setNexthopsLinkDown(d1, true);
    expect(add(n, '10.73.0.0/16 dev d1')).toBe('ok');
    expect(add(n, '10.74.0.0/16 via 10.1.0.2')).toBe('ok');
    const main = showTable(n, RT_TABLE_MAIN);
    for (const l of ['10.1.0.0/24 dev d1 proto kernel scope link src 10.1.0.1 linkdown ', '\tnexthop via 10.1.0.2 dev d1 weight 3 linkdown ', '10.53.0.0/16 via 10.1.0.2 dev d1 linkdown ', '10.73.0.0/16 dev d1 scope link linkdown ', '10.74.0.0/16 via 10.1.0.2 dev d1 linkdown ']) {
      expect(main).toContain(l);
    }
    // ignore_routes_with_linkdown = 0 (the default): `ip route get 10.53.1.1` still says via 10.1.0.2 dev d1.
    expect(get(n, '10.53.1.1')).toEqual([0, '16 d1']);
    n.fib.setIgnoreLinkdown((dev) => dev === d1);
    expect(get(n, '10.53.1.1')).toEqual([-101, '']);
    for (let i = 0; i < 32; i++) expect(get(n, `10.51.${i}.1`)[1]).toBe('16 d0');
    d1.setCarrier(true);
    n.fib.setNexthopsLinkDown(d1, false);
    expect(showTable(n, RT_TABLE_MAIN).some((l) => l.includes('linkdown'))).toBe(false);
    expect(get(n, '10.53.1.1')).toEqual([0, '16 d1']);
  });

  it('drops every route through a device on unregister (flushDev)', () => {
    const n = addressedNs();
    addRoutes(n, ['10.55.0.0/16 via 192.168.5.7', '10.56.0.0/16 nexthop via 192.168.5.7 nexthop via 10.0.0.2']);
    const d2 = n.dev('d2');
    n.fib.flushDev(d2);
    n.ns.unregisterNetdevice(d2);
    for (const t of [RT_TABLE_MAIN, RT_TABLE_LOCAL]) expect(showTable(n, t).some((l) => l.includes('d2'))).toBe(false);
    expect(get(n, '10.56.1.1')[0]).toBe(-101);
  });
});

describe('lookup details', () => {
  it('honours the key scope (flowi4_scope)', () => {
    const n = addressedNs();
    addRoutes(n, ['10.0.0.0/8 via 10.0.0.2', '10.20.0.0/16 dev d2', 'default via 10.1.0.254']);
    const res = newFibResult();
    const key = query(n, '10.5.5.5');
    key.scope = RT_SCOPE_LINK;
    expect(n.fib.lookup(key, res)).toBe(-101);
    key.daddr = ip('10.20.1.1');
    expect(n.fib.lookup(key, res)).toBe(0);
    expect(res.prefixLen).toBe(16);
    key.scope = RT_SCOPE_HOST;
    expect(n.fib.lookup(key, res)).toBe(-101);
    key.daddr = ip('10.0.0.1');
    expect(n.fib.lookup(key, res)).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
  });

  it('answers inet_addr_type from the local table', () => {
    const n = addressedNs();
    const t = (a: string, dev?: string) => n.fib.addrTypeTable(ip(a), RT_TABLE_LOCAL, dev === undefined ? null : n.dev(dev));
    expect(t('10.0.0.1')).toBe(RTN_LOCAL);
    expect(t('10.0.0.1', 'd1')).toBe(RTN_UNICAST);
    expect(t('10.0.0.255')).toBe(RTN_BROADCAST);
    expect(t('10.0.0.5')).toBe(RTN_UNICAST);
    expect(t('224.0.0.1')).toBe(RTN_MULTICAST);
    expect(t('0.0.0.0')).toBe(RTN_BROADCAST);
    expect(t('255.255.255.255')).toBe(RTN_BROADCAST);
  });

  it('tableLookup answers -EAGAIN for no match, a missing table and a throw route', () => {
    const n = addressedNs();
    addRoutes(n, ['throw 10.33.0.0/16', '10.9.0.0/16 dev d0 table 10']);
    const res = newFibResult();
    expect(n.fib.tableLookup(RT_TABLE_MAIN, query(n, '8.8.8.8'), res)).toBe(-11);
    expect(n.fib.tableLookup(77, query(n, '8.8.8.8'), res)).toBe(-11);
    expect(n.fib.tableLookup(RT_TABLE_MAIN, query(n, '10.33.1.1'), res)).toBe(-11);
    expect(n.fib.tableLookup(10, query(n, '10.9.1.1'), res)).toBe(0);
    expect(res.table).toBe(10);
    expect(n.fib.tableIds()).toEqual([10, 253, 254, 255]);
  });

  it('keeps tables of each namespace apart', () => {
    const a = addressedNs(1);
    const b = addressedNs(2);
    addRoutes(a, ['10.9.0.0/16 dev d0']);
    expect(get(a, '10.9.1.1')[0]).toBe(0);
    expect(get(b, '10.9.1.1')[0]).toBe(-101);
  });

  it('marks LINKDOWN at creation on a device without carrier', () => {
    const n = addressedNs();
    n.dev('d2').setCarrier(false);
    expect(add(n, '10.90.0.0/16 dev d2')).toBe('ok');
    expect(n.fib.routes(RT_TABLE_MAIN).find((r) => r.dst === ip('10.90.0.0'))!.nhs[0]!.flags & RTNH_F_LINKDOWN).toBe(RTNH_F_LINKDOWN);
  });
});
