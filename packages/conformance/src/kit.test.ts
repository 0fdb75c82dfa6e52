/**
 * The kit tested on handlers whose behaviour we know: correct ones must pass every check (run as
 * vitest blocks by `rxHandlerConformance` and programmatically), and each deliberately broken
 * one must fail the check for its defect, with a message that names it.
 */
import { describe, expect, it } from 'vitest';
import {
  DropReason,
  ETH_HLEN,
  PACKET_HOST,
  RxHandlerResult,
  consumeSkb,
  devQueueXmit,
  etherAddrEqual,
  isBroadcastEtherAddr,
  isMulticastEtherAddr,
  kfreeSkb,
  netdevRxHandlerRegister,
  netdevRxHandlerUnregister,
  netdevUpperDevLink,
  netdevUpperDevUnlink,
  parseMac,
  type NetDevice,
  type RxHandlerFn,
} from '@netstack/core';
import {
  ConformanceError,
  KIT_OTHER_MAC,
  rxHandlerChecks,
  rxHandlerConformance,
  runRxHandlerChecks,
  type CheckId,
  type Expectation,
  type ProbeFrame,
  type RxHandlerSubject,
} from './index.js';
import { randomFrames } from './frames.js';

const UPPER_MAC = parseMac('02:6b:69:74:0f:01');
const BAD_SRC = parseMac('01:00:5e:00:00:09');
const eq = (a: Uint8Array, b: Uint8Array): boolean => etherAddrEqual(a, 0, b, 0);
const PASS: Expectation = { result: RxHandlerResult.Pass };

/**
 * A correct handler that uses every result: frames for its upper device go Another, frames from a
 * multicast source are dropped with a reason, frames for KIT_OTHER_MAC are forwarded out of
 * another device, other multicast goes Exact (as a bond's backup slave), the rest Pass.
 */
function reference(): RxHandlerSubject {
  let upper: NetDevice | null = null;
  let out: NetDevice | null = null;
  const handler: RxHandlerFn = (skb, ctx) => {
    const { up, fwd } = ctx.data as { up: NetDevice; fwd: NetDevice };
    const b = skb.buf;
    const mac = skb.macHeader;
    if (etherAddrEqual(b, mac, up.addr, 0)) {
      skb.dev = up;
      skb.pktType = PACKET_HOST;
      return RxHandlerResult.Another;
    }
    if (isMulticastEtherAddr(b, mac + 6)) {
      kfreeSkb(skb, DropReason.MAC_INVALID_SOURCE);
      return RxHandlerResult.Consumed;
    }
    if (etherAddrEqual(b, mac, KIT_OTHER_MAC, 0)) {
      skb.push(skb.data - mac);
      skb.dev = fwd;
      devQueueXmit(skb);
      return RxHandlerResult.Consumed;
    }
    if (isMulticastEtherAddr(b, mac) && !isBroadcastEtherAddr(b, mac)) return RxHandlerResult.Exact;
    return RxHandlerResult.Pass;
  };
  return {
    attach(port, ctx) {
      const up = ctx.addDevice('kup0', { addr: UPPER_MAC });
      const fwd = ctx.addDevice('kout0');
      netdevRxHandlerRegister(port, handler, { up, fwd });
      netdevUpperDevLink(port, up);
      upper = up;
      out = fwd;
      return () => {
        netdevRxHandlerUnregister(port);
        netdevUpperDevUnlink(port, up);
      };
    },
    expect(f) {
      if (eq(f.dst, UPPER_MAC)) return { result: RxHandlerResult.Another, to: upper! };
      if (isMulticastEtherAddr(f.src)) return { result: RxHandlerResult.Consumed, dropReason: 'MAC_INVALID_SOURCE' };
      if (eq(f.dst, KIT_OTHER_MAC)) return { result: RxHandlerResult.Consumed, transmitsOn: [out!] };
      if (isMulticastEtherAddr(f.dst) && !isBroadcastEtherAddr(f.dst)) return { result: RxHandlerResult.Exact };
      return PASS;
    },
    probes: () => [
      { name: 'to-upper', dst: UPPER_MAC },
      { name: 'bad-source', dst: parseMac('ff:ff:ff:ff:ff:ff'), src: BAD_SRC },
    ],
  };
}

/** A subject around one handler on the port, no upper devices. */
function simple(handler: RxHandlerFn, expect: (f: ProbeFrame) => Expectation = () => PASS, extra: Partial<RxHandlerSubject> = {}): RxHandlerSubject {
  return {
    attach(port) {
      netdevRxHandlerRegister(port, handler);
      return () => netdevRxHandlerUnregister(port);
    },
    expect,
    ...extra,
  };
}

const isBcast = (f: ProbeFrame): boolean => isBroadcastEtherAddr(f.dst);

/** The minimal correct handler: lets everything through. */
const passAll = simple(() => RxHandlerResult.Pass);

/** Correct: rewrites the source MAC, but unshares first. */
const unshareThenWrite = simple((skb) => {
  skb.unshare();
  skb.buf[skb.macHeader + 11]! ^= 0x01;
  return RxHandlerResult.Pass;
});

function failures(subject: RxHandlerSubject, options = {}): Map<CheckId, unknown> {
  return new Map(runRxHandlerChecks(subject, options).filter((o) => !o.ok).map((o) => [o.id, o.error]));
}

/** The check `id` fails on `subject` with a ConformanceError of that check whose message matches `message`. */
function expectCheckFails(subject: RxHandlerSubject, id: CheckId, message: RegExp, options = {}): void {
  const check = rxHandlerChecks.find((c) => c.id === id)!;
  let caught: unknown = null;
  try {
    check.run(subject, options);
  } catch (err) {
    caught = err;
  }
  expect(caught, `check ${id} should fail`).toBeInstanceOf(ConformanceError);
  expect((caught as ConformanceError).check).toBe(id);
  expect((caught as ConformanceError).message).toMatch(message);
}

// The wrapper: these register real vitest blocks, one per check.
rxHandlerConformance('pass-all (minimal)', passAll);
rxHandlerConformance('reference (Another, Exact, forward, drop with reason)', reference(), { randomFrames: 300 });
rxHandlerConformance('unshare-then-write', unshareThenWrite);

describe('correct handlers pass every check when run programmatically', () => {
  it.each([
    ['pass-all', passAll],
    ['reference', reference()],
    ['unshare-then-write', unshareThenWrite],
  ] as const)('%s', (_name, subject) => {
    const outcomes = runRxHandlerChecks(subject);
    expect(outcomes.map((o) => o.id)).toEqual(rxHandlerChecks.map((c) => c.id));
    expect(outcomes.filter((o) => !o.ok).map((o) => `${o.id}: ${String(o.error)}`)).toEqual([]);
  });

  it('runs only the checks asked for', () => {
    expect(runRxHandlerChecks(passAll, { only: ['ebusy', 'pool'] }).map((o) => [o.id, o.ok])).toEqual([
      ['ebusy', true],
      ['pool', true],
    ]);
  });
});

describe('broken handlers fail the check for their defect', () => {
  it('leaks a buffer (Consumed without freeing it): pool', () => {
    const leaky = simple((skb) => (isBroadcastEtherAddr(skb.buf, skb.macHeader) ? RxHandlerResult.Consumed : RxHandlerResult.Pass), (f) => (isBcast(f) ? { result: RxHandlerResult.Consumed } : PASS));
    expectCheckFails(leaky, 'pool', /not back to its baseline after detach: live [1-9]/);
    // Its results are what it promised; every check's own teardown still catches the leak.
    expect(String(failures(leaky).get('verdicts'))).toMatch(/not back to its baseline/);
  });

  it('writes into a buffer shared with a tap’s clone: tap-clones', () => {
    const writer = simple((skb) => {
      skb.buf[skb.macHeader + 11]! ^= 0x01;
      return RxHandlerResult.Pass;
    });
    expectCheckFails(writer, 'tap-clones', /wrote into a buffer it shares with the tap’s clone/);
    expect(failures(writer).get('robustness')).toBeInstanceOf(ConformanceError);
  });

  it('drops without a reason (NOT_SPECIFIED): drop-reasons', () => {
    const noReason = simple(
      (skb) => {
        if (!isBroadcastEtherAddr(skb.buf, skb.macHeader)) return RxHandlerResult.Pass;
        kfreeSkb(skb, DropReason.NOT_SPECIFIED);
        return RxHandlerResult.Consumed;
      },
      (f) => (isBcast(f) ? { result: RxHandlerResult.Consumed } : PASS),
    );
    expectCheckFails(noReason, 'drop-reasons', /dropped without a reason \(NOT_SPECIFIED/);
  });

  it('drops a buffer no namespace can count (skb.dev cleared first): drop-reasons', () => {
    const uncounted = simple(
      (skb) => {
        if (!isBroadcastEtherAddr(skb.buf, skb.macHeader)) return RxHandlerResult.Pass;
        skb.dev = null;
        kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
        return RxHandlerResult.Consumed;
      },
      (f) => (isBcast(f) ? { result: RxHandlerResult.Consumed, dropReason: 'PKT_TOO_SMALL' } : PASS),
    );
    expectCheckFails(uncounted, 'drop-reasons', /1 buffer\(s\) were dropped but the namespaces counted 0/);
  });

  it('returns Another without changing skb.dev: another (the loop itself stays bounded)', () => {
    let calls = 0;
    const spinner = simple(
      () => {
        calls++;
        return RxHandlerResult.Another;
      },
      () => ({ result: RxHandlerResult.Another }),
    );
    expectCheckFails(spinner, 'another', /returned Another without moving skb\.dev/);
    // Bounded: the receive path stopped each frame after MAX_NEST_DEV + 1 handler calls.
    expect(calls).toBeGreaterThan(0);
    expect(calls % 9).toBe(0);
    expect(String(failures(spinner).get('drop-reasons'))).toMatch(/NOT_SPECIFIED/);
  });

  it('moves skb.dev to a device that is not linked above the port: another', () => {
    let target: NetDevice | null = null;
    const unlinked: RxHandlerSubject = {
      attach(port, ctx) {
        const t = ctx.addDevice('kstray0');
        target = t;
        netdevRxHandlerRegister(port, (skb) => {
          skb.dev = t;
          return RxHandlerResult.Another;
        });
        return () => netdevRxHandlerUnregister(port);
      },
      expect: () => ({ result: RxHandlerResult.Another, to: target! }),
    };
    expectCheckFails(unlinked, 'another', /moved skb\.dev to kstray0, which is not one of its upper devices/);
    expect(failures(unlinked).has('verdicts')).toBe(false);
  });

  it('swallows frames the subject says it passes: verdicts', () => {
    const swallower = simple((skb) => {
      if (!isBroadcastEtherAddr(skb.buf, skb.macHeader)) return RxHandlerResult.Pass;
      consumeSkb(skb);
      return RxHandlerResult.Consumed;
    });
    expectCheckFails(swallower, 'verdicts', /probe "broadcast": expected Pass, the handler returned Consumed/);
    // Nothing else is wrong with it: it frees what it takes.
    expect(failures(swallower).has('pool')).toBe(false);
    expect(failures(swallower).has('drop-reasons')).toBe(false);
  });

  it('forwards to a device the subject does not list: verdicts', () => {
    let out: NetDevice | null = null;
    const sprayer: RxHandlerSubject = {
      attach(port, ctx) {
        const o = ctx.addDevice('kout0');
        out = o;
        netdevRxHandlerRegister(port, (skb) => {
          const c = skb.clone();
          c.push(c.data - c.macHeader);
          c.dev = o;
          devQueueXmit(c);
          return RxHandlerResult.Pass;
        });
        return () => netdevRxHandlerUnregister(port);
      },
      expect: (f) => (isBcast(f) ? { result: RxHandlerResult.Pass, transmitsOn: [out!] } : PASS),
    };
    expectCheckFails(sprayer, 'verdicts', /kout0 transmitted 1 frame\(s\) though the subject does not list it/);
  });

  it('delivers to the port’s protocol handlers itself before returning: ordering', () => {
    const jumper = simple(
      (skb, ctx) => {
        for (const pt of ctx.dev.ptypeSpecific) if (pt.type === skb.protocol) pt.func(skb.clone(), ctx.dev, pt, ctx.dev);
        consumeSkb(skb);
        return RxHandlerResult.Consumed;
      },
      () => ({ result: RxHandlerResult.Consumed }),
    );
    expectCheckFails(jumper, 'ordering', /port-bound protocol handler got the frame on kport0 before the rx_handler returned/);
  });

  it('returns Exact but hands the frame to wildcard handlers too: exact', () => {
    const leakyExact = simple(
      (skb, ctx) => {
        const bucket = ctx.dev.net.ptypeBase[skb.protocol & 15]!;
        for (const pt of bucket) if (pt.type === skb.protocol) pt.func(skb.clone(), ctx.dev, pt, ctx.dev);
        return RxHandlerResult.Exact;
      },
      () => ({ result: RxHandlerResult.Exact }),
    );
    expectCheckFails(leakyExact, 'exact', /returned Exact, yet the wildcard protocol handler got the frame/);
  });

  it('claims the port by assigning dev.rxHandler (no EBUSY): ebusy', () => {
    const grabber: RxHandlerSubject = {
      attach(port) {
        port.rxHandler = () => RxHandlerResult.Pass;
        return () => netdevRxHandlerUnregister(port);
      },
      expect: () => PASS,
    };
    expectCheckFails(grabber, 'ebusy', /attach on a port that already has an rx_handler should throw EBUSY; it succeeded/);
  });

  it('detach that forgets to unregister: unregister', () => {
    const sticky: RxHandlerSubject = {
      attach(port) {
        netdevRxHandlerRegister(port, () => RxHandlerResult.Pass);
        return () => {};
      },
      expect: () => PASS,
    };
    expectCheckFails(sticky, 'unregister', /kport0 still has an rx_handler after detach/);
  });

  it('detach that leaves the upper link in place: unregister', () => {
    const linked: RxHandlerSubject = {
      attach(port, ctx) {
        netdevRxHandlerRegister(port, () => RxHandlerResult.Pass);
        netdevUpperDevLink(port, ctx.addDevice('kup0'));
        return () => netdevRxHandlerUnregister(port);
      },
      expect: () => PASS,
    };
    expectCheckFails(linked, 'unregister', /kport0 is still linked to kup0 after detach/);
  });

  it('counts frames in the port’s rx_packets again: counters', () => {
    const doubleCounter = simple((_skb, ctx) => {
      ctx.dev.stats.rx_packets++;
      return RxHandlerResult.Pass;
    });
    expectCheckFails(doubleCounter, 'counters', /kport0 rx_packets moved by 2/);
  });

  it('throws on short frames the probes never send: robustness (and only robustness)', () => {
    const fragile = simple((skb) => {
      if (skb.len < 40) throw new RangeError('payload too short');
      return RxHandlerResult.Pass;
    });
    expectCheckFails(fragile, 'robustness', /probe "random #\d+ \(seed 1\): [0-9a-f]+.*": the receive path threw \(RangeError: payload too short\)/);
    expect([...failures(fragile).keys()]).toEqual(['robustness']);
  });

  it('returns a value that is not an RxHandlerResult: robustness', () => {
    const bogus = simple((skb) => (skb.len > 100 ? (7 as RxHandlerResult) : RxHandlerResult.Pass));
    expectCheckFails(bogus, 'robustness', /returned 7, which is not an RxHandlerResult/);
  });

  it('attach that does not register anything fails every check that needs the handler', () => {
    const absent: RxHandlerSubject = { attach: () => () => {}, expect: () => PASS };
    expectCheckFails(absent, 'verdicts', /attach did not register an rx_handler on kport0/);
  });
});

describe('random frames', () => {
  it('are reproducible from the seed and cover runts, full-size frames and tags', () => {
    const a = randomFrames(7, 300, []);
    const b = randomFrames(7, 300, []);
    expect(a.map((f) => f.name)).toEqual(b.map((f) => f.name));
    expect(randomFrames(8, 300, []).map((f) => f.name)).not.toEqual(a.map((f) => f.name));
    expect(a.some((f) => f.bytes.length < ETH_HLEN)).toBe(true);
    expect(a.some((f) => f.bytes.length >= 1500)).toBe(true);
    expect(a.some((f) => f.vid !== null)).toBe(true);
  });
});
