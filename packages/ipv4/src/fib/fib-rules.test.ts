import { describe, expect, it } from 'vitest';
import { NetError, NETDEV_TX_OK, NetDevice } from '@netstack/core';
import { FR_ACT_TO_TBL, newFibResult, RT_TABLE_MAIN, type FibRule } from './types.js';
import { addressedNs, addRoutes, query, rule, type FibNs } from './test-helpers.js';

function code(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NetError) return err.code;
    throw err;
  }
  return 'ok';
}

/** `ip rule` lines, reduced to what matters here. */
function show(n: FibNs): string[] {
  return n.fib.rules().map((r) => `${r.priority}: ${r.invert ? 'not ' : ''}${r.srcLen ? `from ${r.src}/${r.srcLen}` : 'from all'} ${r.action === FR_ACT_TO_TBL ? `lookup ${r.table}` : `action ${r.action}`}`);
}

/** table and nexthop gateway's last byte, or the errno. */
function via(n: FibNs, q: string): string {
  const res = newFibResult();
  const err = n.fib.lookup(query(n, q), res);
  return err !== 0 ? String(err) : `${res.table}:${res.nh === null ? '-' : res.nh.gw & 0xff}`;
}

describe('policy rules', () => {
  it('starts with the three default rules', () => {
    const n = addressedNs();
    expect(show(n)).toEqual(['0: from all lookup 255', '32766: from all lookup 254', '32767: from all lookup 253']);
    expect(n.fib.hasCustomRules).toBe(false);
  });

  it('keeps rules of equal priority in insertion order and refuses duplicates (Linux 6.18)', () => {
    const n = addressedNs();
    n.fib.addRule(rule('pref 100 from 10.9.0.0/16 lookup 100'));
    expect(code(() => n.fib.addRule(rule('pref 100 from 10.9.0.0/16 lookup 100')))).toBe('EEXIST');
    // `not` is not compared by rule_exists: EEXIST too.
    expect(code(() => n.fib.addRule(rule('pref 100 not from 10.9.0.0/16 lookup 100')))).toBe('EEXIST');
    n.fib.addRule(rule('pref 100 from 10.9.0.1/16 lookup 100'));
    n.fib.addRule(rule('pref 100 from 10.9.0.0/16 lookup 101'));
    n.fib.addRule(rule('pref 50 lookup 7'));
    expect(show(n).slice(0, 5)).toEqual([
      '0: from all lookup 255',
      '50: from all lookup 7',
      `100: from ${0x0a090000}/16 lookup 100`,
      `100: from ${0x0a090001}/16 lookup 100`,
      `100: from ${0x0a090000}/16 lookup 101`,
    ]);
    expect(n.fib.defaultRulePriority()).toBe(49);
  });

  it('validates as fib_nl2rule / fib4_rule_configure do', () => {
    const n = addressedNs();
    expect(code(() => n.fib.addRule(rule('pref 300 goto 200')))).toBe('EINVAL');
    expect(code(() => n.fib.addRule(rule('pref 300 goto 300')))).toBe('EINVAL');
    expect(code(() => n.fib.addRule(rule('pref 390 tos 0x20 lookup 5')))).toBe('EINVAL');
    expect(code(() => n.fib.addRule(rule('pref 391 tos 0x03 lookup 5')))).toBe('EINVAL');
    expect(code(() => n.fib.addRule(rule('pref 392 sport 100-50 lookup 5')))).toBe('EINVAL');
    expect(code(() => n.fib.addRule({ ...rule('pref 394 lookup 5'), srcLen: 33 }))).toBe('EINVAL');
    expect(code(() => n.fib.addRule({ ...rule('pref 395 lookup 5'), action: 4 }))).toBe('EINVAL');
    expect(code(() => n.fib.delRule({ priority: 555 }))).toBe('ENOENT');
    // `lookup 0` gets a fresh table (fib_empty_table): `ip rule` shows "lookup 1".
    n.fib.addRule(rule('pref 310 lookup 0'));
    expect(n.fib.rules().find((r) => r.priority === 310)!.table).toBe(1);
  });

  it('deletes the first rule matching the given fields', () => {
    const n = addressedNs();
    n.fib.addRule(rule('pref 99 from 10.9.0.0/16 lookup 100'));
    n.fib.addRule(rule('pref 100 from 10.9.0.0/16 lookup 100'));
    n.fib.addRule(rule('pref 100 from 10.9.0.1/16 lookup 100'));
    n.fib.delRule({ src: 0x0a090000, srcLen: 16 });
    expect(n.fib.rules().map((r) => r.priority)).toEqual([0, 100, 100, 32766, 32767]);
    n.fib.delRule({ priority: 100, invert: true });
    expect(n.fib.rules().map((r) => r.src)).toEqual([0, 0x0a090001, 0, 0]);
    // Deleting the local rule stops local lookups.
    addRoutes(n, ['10.9.0.0/16 dev d0']);
    expect(via(n, '10.0.0.1')).toBe('255:0');
    n.fib.delRule({ priority: 0 });
    expect(via(n, '10.0.0.1')).toBe(`${RT_TABLE_MAIN}:0`);
  });

  it('merges local and main until a rule changes (fib_has_custom_rules)', () => {
    const n = addressedNs();
    addRoutes(n, ['127.1.0.0/16 dev d0']);
    expect(via(n, '127.1.2.3')).toBe('254:0');
    n.fib.addRule(rule('pref 1000 from 1.2.3.4 lookup 100'));
    n.fib.delRule({ priority: 1000 });
    // Checked on Linux 6.18: still split after the rule is gone.
    expect(via(n, '127.1.2.3')).toBe('255:0');
    expect(n.fib.hasCustomRules).toBe(true);
  });

  it('resolves goto targets and passes over unresolved ones', () => {
    const n = addressedNs();
    addRoutes(n, ['default via 10.0.0.104 table 104', 'default via 10.0.0.105 table 105']);
    n.fib.addRule(rule('pref 470 goto 490'));
    n.fib.addRule(rule('pref 480 lookup 104'));
    expect(n.fib.unresolvedRules().map((r) => r.priority)).toEqual([470]);
    expect(via(n, '8.8.8.8')).toBe('104:104');
    n.fib.addRule(rule('pref 490 lookup 105'));
    expect(n.fib.unresolvedRules()).toEqual([]);
    expect(via(n, '8.8.8.8')).toBe('105:105');
    n.fib.delRule({ priority: 490 });
    expect(via(n, '8.8.8.8')).toBe('104:104');
  });

  it('attaches iif/oif rules when the device appears and detaches them when it goes', () => {
    const n = addressedNs();
    addRoutes(n, ['default via 10.0.0.104 table 104', 'default via 10.1.0.254']);
    n.fib.addRule(rule('pref 90 iif d9 lookup 104'));
    n.fib.addRule(rule('pref 91 oif d1 lookup 104'));
    expect(n.fib.detachedRules().map((r) => r.priority)).toEqual([90]);
    const d9 = new NetDevice({ name: 'd9', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } });
    n.ns.registerNetdevice(d9);
    expect(n.fib.detachedRules()).toEqual([]);
    expect(via(n, '8.8.8.8 iif d9')).toBe('104:104');
    expect(via(n, '8.8.8.8 iif d0')).toBe('254:254');
    // oif d1 matches, but table 104's nexthop is on d0: the lookup goes on to main.
    expect(via(n, '8.8.8.8 oif d1')).toBe('254:254');
    n.ns.unregisterNetdevice(d9);
    expect(n.fib.detachedRules().map((r) => r.priority)).toEqual([90]);
  });

  it('matches iif lo for locally generated lookups (flowi4_iif = LOOPBACK_IFINDEX)', () => {
    const n = addressedNs();
    addRoutes(n, ['default via 10.0.0.104 table 104']);
    n.fib.addRule(rule('pref 90 iif lo lookup 104'));
    expect(via(n, '8.8.8.8')).toBe('104:104');
    expect(via(n, '8.8.8.8 iif d1')).toBe('-101');
  });

  it('answers the rule actions blackhole, unreachable, prohibit and nop', () => {
    const n = addressedNs();
    addRoutes(n, ['default via 10.1.0.254']);
    for (const r of ['pref 10 to 10.40.0.0/16 blackhole', 'pref 11 to 10.41.0.0/16 unreachable', 'pref 12 to 10.42.0.0/16 prohibit', 'pref 13 to 10.43.0.0/16 nop']) n.fib.addRule(rule(r));
    expect(['10.40.1.1', '10.41.1.1', '10.42.1.1', '10.43.1.1'].map((q) => via(n, q))).toEqual(['-22', '-101', '-13', '254:254']);
  });

  it('returns rule copies, so callers cannot change the list behind the FIB', () => {
    const n = addressedNs();
    const list = n.fib.rules();
    (list[0] as FibRule).table = 99;
    expect(n.fib.rules()[0]!.table).toBe(255);
  });
});
