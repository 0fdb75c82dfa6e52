import { describe, expect, it } from 'vitest';
import { BR_STATE_BLOCKING, BR_STATE_DISABLED, BR_STATE_FORWARDING, BR_STATE_LEARNING, BR_STATE_LISTENING } from '../stp-contract.js';
import { BPDU_FLAG_TC, BPDU_FLAG_TCA, BPDU_TYPE_TCN, BpduCodec, BpduView, ticksToNs } from './bpdu.js';
import { formatBridgeId } from './bridge-id.js';
import { StpRxDrop } from './rx-drops.js';
import { StpNet, type FakeBridge, type FakePort } from './testing/stp-harness.js';

const S = 1e9;

/** The triangle of the kernel run: A (lowest id) - B - C, veth cost 2 everywhere. */
function triangle(): { net: StpNet; a: FakeBridge; b: FakeBridge; c: FakeBridge } {
  const net = new StpNet();
  const a = net.bridge('A', '02:00:00:00:0a:01');
  const b = net.bridge('B', '02:00:00:00:0b:01');
  const c = net.bridge('C', '02:00:00:00:0c:01');
  for (const br of [a, b, c]) br.stp.enable();
  const ab = a.addPort('ab', mac('0a:01'));
  const ac = a.addPort('ac', mac('0a:02'));
  const ba = b.addPort('ba', mac('0b:01'));
  const bc = b.addPort('bc', mac('0b:02'));
  const ca = c.addPort('ca', mac('0c:01'));
  const cb = c.addPort('cb', mac('0c:02'));
  net.link(ab, ba);
  net.link(ac, ca);
  net.link(bc, cb);
  return { net, a, b, c };
}

function mac(tail: string): Uint8Array {
  return Uint8Array.from(['02', '00', '00', '00', ...tail.split(':')].map((x) => parseInt(x, 16)));
}

function states(...ports: FakePort[]): number[] {
  return ports.map((p) => p.state);
}

describe('BridgeStp: one bridge', () => {
  it('is root and walks listening (0-15 s) -> learning (15-30 s) -> forwarding (30 s)', () => {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    a.stp.enable();
    const p1 = a.addPort('p1', mac('0a:01'));
    const p2 = a.addPort('p2', mac('0a:02'));
    expect(a.stp.isRootBridge()).toBe(true);
    expect(a.stp.rootPort).toBe(0);
    expect(a.stp.rootPathCost).toBe(0);
    expect(formatBridgeId(a.stp.designatedRoot)).toBe('8000.2:0:0:0:a:1');
    expect(states(p1, p2)).toEqual([BR_STATE_LISTENING, BR_STATE_LISTENING]);
    net.runUntil(14.999);
    expect(states(p1, p2)).toEqual([BR_STATE_LISTENING, BR_STATE_LISTENING]);
    net.runUntil(15);
    expect(states(p1, p2)).toEqual([BR_STATE_LEARNING, BR_STATE_LEARNING]);
    net.runUntil(29.999);
    expect(states(p1, p2)).toEqual([BR_STATE_LEARNING, BR_STATE_LEARNING]);
    net.runUntil(30);
    expect(states(p1, p2)).toEqual([BR_STATE_FORWARDING, BR_STATE_FORWARDING]);
  });

  it('sends a root config BPDU on each designated port every hello time', () => {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    a.stp.enable();
    const p1 = a.addPort('p1', mac('0a:01'));
    net.runUntil(10.5);
    const sent = net.log.filter((s) => s.from === p1);
    // Hello timer armed at enable (t=0): fires at 2, 4, 6, 8, 10.
    expect(sent.map((s) => s.at / S)).toEqual([2, 4, 6, 8, 10]);
    const r = BpduCodec.parse(new BpduView().wrap(sent[0]!.bytes, 0, 35))!;
    expect(r.root).toEqual(a.stp.bridgeId);
    expect(r.bridgeId).toEqual(a.stp.bridgeId);
    expect(r.rootPathCost).toBe(0);
    expect(r.portId).toBe(0x8001);
    expect(r.messageAge).toBe(0);
    expect([r.maxAge, r.helloTime, r.forwardDelay].map(ticksToNs)).toEqual([20 * S, 2 * S, 15 * S]);
  });

  it('stp_state 0 (default): ports forward at once and no BPDU is sent or accepted', () => {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    const p1 = a.addPort('p1', mac('0a:01'));
    expect(p1.state).toBe(BR_STATE_FORWARDING);
    net.runUntil(10);
    expect(net.log).toHaveLength(0);
    a.stp.rcvBpdu(p1, Uint8Array.from([0, 0, 0, 0x80]));
    expect(a.stp.rxDrops[StpRxDrop.STP_OFF]).toBe(1);
  });
});

describe('BridgeStp: two bridges', () => {
  function pair(bPriority?: number) {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    const b = net.bridge('B', '02:00:00:00:0b:01');
    if (bPriority !== undefined) b.stp.setBridgePriority(bPriority);
    a.stp.enable();
    b.stp.enable();
    const ab = a.addPort('ab', mac('0a:01'));
    const ba = b.addPort('ba', mac('0b:01'));
    net.link(ab, ba);
    return { net, a, b, ab, ba };
  }

  it('the lower bridge id is root; the other reaches it through its root port', () => {
    const { net, a, b, ab, ba } = pair();
    net.runUntil(31);
    expect(a.stp.isRootBridge()).toBe(true);
    expect(b.stp.isRootBridge()).toBe(false);
    expect(b.stp.designatedRoot).toEqual(a.stp.bridgeId);
    expect(b.stp.rootPort).toBe(ba.portNo);
    expect(b.stp.rootPathCost).toBe(ba.pathCost);
    expect(states(ab, ba)).toEqual([BR_STATE_FORWARDING, BR_STATE_FORWARDING]);
  });

  it('priority beats MAC: B with priority 0x1000 is root', () => {
    const { net, a, b } = pair(0x1000);
    net.runUntil(31);
    expect(b.stp.isRootBridge()).toBe(true);
    expect(formatBridgeId(a.stp.designatedRoot)).toBe('1000.2:0:0:0:b:1');
  });
});

describe('BridgeStp: triangle', () => {
  // Linux 6.18, three namespaces, br0 with stp_state 1, veth pairs ab/ba, ac/ca, bc/cb with the
  // same MACs as here (bridge ids 8000.2:0:0:0:{a,b,c}:1, cost 2): listening 0-15 s, learning
  // 15-30 s, then `bridge link` showed ab ac ba bc ca forwarding and cb blocking; B and C had
  // root_port 1, root_path_cost 2.
  it('converges with exactly one port blocking: C towards B', () => {
    const { net, a, b, c } = triangle();
    net.runUntil(35);
    const all = [...a.ports, ...b.ports, ...c.ports];
    expect(all.filter((p) => p.state === BR_STATE_BLOCKING).map((p) => p.name)).toEqual(['cb']);
    expect(all.filter((p) => p.state === BR_STATE_FORWARDING)).toHaveLength(5);
    expect(a.stp.isRootBridge()).toBe(true);
    expect([b.stp.rootPort, b.stp.rootPathCost]).toEqual([b.port('ba').portNo, 2]);
    expect([c.stp.rootPort, c.stp.rootPathCost]).toEqual([c.port('ca').portNo, 2]);
  });

  // Linux 6.18, same triangle, `ip link set ab down` in A (states polled every ~0.7 s): cb
  // listening at 20.7 s (B's relayed info on cb aged out), learning at 35.6 s, forwarding at 51.1 s.
  it('remote failure: the blocked port forwards after max age + 2 x forward delay', () => {
    const { net, a, c } = triangle();
    net.runUntil(100);
    const cb = c.port('cb');
    const t0 = net.now() / S;
    net.cut(a.port('ab'));
    net.runUntil(t0 + 17.9);
    expect(cb.state).toBe(BR_STATE_BLOCKING);
    net.runUntil(t0 + 20);
    expect(cb.state).toBe(BR_STATE_LISTENING);
    net.runUntil(t0 + 47.9);
    expect(cb.state).not.toBe(BR_STATE_FORWARDING);
    net.runUntil(t0 + 50);
    expect(cb.state).toBe(BR_STATE_FORWARDING);
    expect(c.stp.rootPort).toBe(c.port('ca').portNo);
  });

  // Linux 6.18, `ip link set ac down` in A: cb listening at once (polled: t= 0.3 cb=list ; t= 15.5 cb=lear ; t= 30.6 cb=forw).
  it('local failure: C loses its root port, cb becomes root port and forwards after 30 s', () => {
    const { net, a, c } = triangle();
    net.runUntil(100);
    const cb = c.port('cb');
    net.cut(a.port('ac'));
    expect(c.stp.rootPort).toBe(cb.portNo);
    expect(c.stp.rootPathCost).toBe(4);
    expect(c.port('ca').state).toBe(BR_STATE_DISABLED);
    expect(cb.state).toBe(BR_STATE_LISTENING);
    net.runFor(29.9);
    expect(cb.state).toBe(BR_STATE_LEARNING);
    net.runFor(0.1);
    expect(cb.state).toBe(BR_STATE_FORWARDING);
    expect(c.flushed).toContain(c.port('ca'));
  });
});

describe('BridgeStp: topology change', () => {
  it('TCN goes to the root, TCA comes back, TC is flooded and fast ageing lasts max age + forward delay', () => {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    const b = net.bridge('B', '02:00:00:00:0b:01');
    a.stp.enable();
    b.stp.enable();
    const ab = a.addPort('ab', mac('0a:01'));
    const ba = b.addPort('ba', mac('0b:01'));
    net.link(ab, ba);
    net.runUntil(120); // the start-up topology change is over
    expect(a.stp.topologyChange).toBe(false);
    expect(b.stp.topologyChange).toBe(false);
    a.ageingFast.length = 0;
    b.ageingFast.length = 0;
    // Lose B's first TCN: B must repeat it every hello time until acknowledged.
    let tcnsLost = 0;
    net.filter = (from, bytes) => !(from === ba && bytes[3] === BPDU_TYPE_TCN && tcnsLost++ === 0);
    const logStart = net.log.length;
    // A new port on B goes forwarding 30 s later: B is designated on it, so a topology change.
    b.addPort('b2', mac('0b:05'));
    net.runUntil(150);
    const t0 = 150 * S;
    const tcnTimes = (): number[] => net.log.slice(logStart).filter((s) => s.from === ba && s.bytes[3] === BPDU_TYPE_TCN).map((s) => s.at / S);
    expect(tcnTimes()).toEqual([150]);
    expect(b.stp.topologyChangeDetected).toBe(true);
    expect(a.stp.topologyChange).toBe(false);
    net.runUntil(152);
    expect(tcnTimes()).toEqual([150, 152]);
    expect(a.stp.topologyChange).toBe(true);
    expect(a.ageingFast).toEqual([{ at: 152 * S, on: true }]);
    // A's hello went out at 152 s just before the TCN arrived, so the hold timer delays the
    // acknowledgement (TCA, with TC) to 153 s (br_transmit_config: config_pending).
    net.runUntil(153);
    const fromA = net.log.slice(logStart).filter((s) => s.from === ab && s.at > t0 + 2 * S);
    expect(fromA.some((s) => (s.bytes[4]! & BPDU_FLAG_TCA) !== 0)).toBe(true);
    expect(fromA.every((s) => (s.bytes[4]! & BPDU_FLAG_TC) !== 0)).toBe(true);
    expect(b.stp.topologyChangeDetected).toBe(false);
    expect(b.ageingFast[0]).toEqual({ at: 153 * S, on: true });
    net.runUntil(170);
    expect(tcnTimes()).toEqual([150, 152]);
    // Root: TC for bridge max age + forward delay (35 s), then normal ageing.
    net.runUntil(152 + 35 - 0.001);
    expect(a.stp.topologyChange).toBe(true);
    net.runUntil(152 + 35);
    expect(a.ageingFast.at(-1)).toEqual({ at: 187 * S, on: false });
    net.runUntil(190);
    expect(b.stp.topologyChange).toBe(false);
    expect(b.ageingFast.at(-1)!.on).toBe(false);
  });
});

describe('BridgeStp: malformed BPDUs', () => {
  it('are counted and change nothing', () => {
    const { net, a, b, c } = triangle();
    net.runUntil(40);
    const cb = c.port('cb');
    // A superior claim (root priority 0) in every broken shape.
    const good = new Uint8Array(35);
    good.set([0, 0, 0, 0, 0, 0x00, 0x00, 2, 0, 0, 0, 0, 1], 0);
    good.set([0x00, 0x00, 2, 0, 0, 0, 0, 1], 17);
    good.set([0x80, 0x01, 0, 0, 0x14, 0, 0x02, 0, 0x0f, 0], 25);
    const rstp = good.slice();
    rstp[2] = 2;
    rstp[3] = 2;
    const badProto = good.slice();
    badProto[1] = 1;
    const unknownType = good.slice();
    unknownType[3] = 0x33;
    const oldAge = good.slice();
    oldAge.set([0x15, 0x00], 27); // message age 21 s > max age 20 s
    for (const bytes of [good.subarray(0, 3), good.subarray(0, 34), rstp, badProto, unknownType, oldAge]) {
      c.stp.rcvBpdu(cb, bytes);
    }
    expect(c.stp.rxDrops[StpRxDrop.TOO_SHORT]).toBe(1);
    expect(c.stp.rxDrops[StpRxDrop.CONFIG_TOO_SHORT]).toBe(1);
    expect(c.stp.rxDrops[StpRxDrop.BAD_VERSION]).toBe(1);
    expect(c.stp.rxDrops[StpRxDrop.BAD_PROTOCOL]).toBe(1);
    expect(c.stp.rxDrops[StpRxDrop.UNKNOWN_TYPE]).toBe(1);
    expect(c.stp.rxDrops[StpRxDrop.MSG_AGE_EXCEEDS_MAX_AGE]).toBe(1);
    expect(c.stp.designatedRoot).toEqual(a.stp.bridgeId);
    expect(cb.state).toBe(BR_STATE_BLOCKING);
    // The well-formed one is taken: the claimed root wins.
    c.stp.rcvBpdu(cb, good);
    expect(formatBridgeId(c.stp.designatedRoot)).toBe('0000.2:0:0:0:0:1');
    expect(b.stp.rxDrops.reduce((x, y) => x + y, 0)).toBe(0);
  });
});

describe('BridgeStp: hold timer', () => {
  it('rate-limits replies to one config BPDU per port per second, the rest is sent when it expires', () => {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    a.stp.enable();
    const p1 = a.addPort('p1', mac('0a:01'));
    net.runUntil(2.5); // hello at 2 s started the hold timer (until 3 s)
    const inferior = new Uint8Array(35);
    inferior.set([0, 0, 0, 0, 0, 0xff, 0xff, 2, 0, 0, 0, 0, 9], 0);
    inferior.set([0xff, 0xff, 2, 0, 0, 0, 0, 9], 17);
    inferior.set([0x80, 0x01, 0, 0, 0x14, 0, 0x02, 0, 0x0f, 0], 25);
    a.stp.rcvBpdu(p1, inferior);
    a.stp.rcvBpdu(p1, inferior);
    expect(net.log.filter((s) => s.from === p1).map((s) => s.at / S)).toEqual([2]);
    net.runUntil(3.5);
    expect(net.log.filter((s) => s.from === p1).map((s) => s.at / S)).toEqual([2, 3]);
  });
});

describe('BridgeStp: configuration', () => {
  it('path cost and port priority move the root port; bad values are ERANGE', () => {
    const net = new StpNet();
    const a = net.bridge('A', '02:00:00:00:0a:01');
    const b = net.bridge('B', '02:00:00:00:0b:01');
    a.stp.enable();
    b.stp.enable();
    const a1 = a.addPort('a1', mac('0a:01'));
    const a2 = a.addPort('a2', mac('0a:02'));
    const b1 = b.addPort('b1', mac('0b:01'));
    const b2 = b.addPort('b2', mac('0b:02'));
    net.link(a1, b1);
    net.link(a2, b2);
    net.runUntil(35);
    // Equal cost: the lower designated port id (A's 0x8001) wins.
    expect(b.stp.rootPort).toBe(b1.portNo);
    expect(b2.state).toBe(BR_STATE_BLOCKING);
    b.stp.setPathCost(b1, 100);
    expect(b.stp.rootPort).toBe(b2.portNo);
    expect(b.stp.rootPathCost).toBe(2);
    net.runFor(35);
    expect(states(b1, b2)).toEqual([BR_STATE_BLOCKING, BR_STATE_FORWARDING]);
    b.stp.setPathCost(b1, 2);
    // Port priority on the root's side: a2 at priority 1 makes b2 hear the better port id.
    a.stp.setPortPriority(a2, 1);
    net.runFor(3);
    expect(b.stp.rootPort).toBe(b2.portNo);
    expect(() => a.stp.setPortPriority(a2, 64)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    expect(() => b.stp.setPathCost(b1, 0)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    expect(() => b.stp.setBridgePriority(0x10000)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
  });

  it('disable: every enabled port forwards at once, STP timers stop; enable runs it again', () => {
    const { net, c } = triangle();
    net.runUntil(40);
    const cb = c.port('cb');
    expect(cb.state).toBe(BR_STATE_BLOCKING);
    c.stp.disable();
    expect(c.ports.map((p) => p.state)).toEqual([BR_STATE_FORWARDING, BR_STATE_FORWARDING]);
    expect(c.stp.isRootBridge()).toBe(true);
    expect(c.stp.helloTimer.pending).toBe(false);
    const sent = net.log.length;
    net.runFor(10);
    expect(net.log.slice(sent).some((s) => s.from.bridge === c)).toBe(false);
    c.stp.enable();
    net.runFor(5);
    expect(cb.state).toBe(BR_STATE_BLOCKING);
  });
});
