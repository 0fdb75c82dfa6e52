import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import { CostModel } from '../cost/cost-model.js';
import { CostStage } from '../cost/stages.js';
import { NetError } from '../errors/net-error.js';
import { busyPollGetsockopt, busyPollSetsockopt, SockCore } from '../sock/sock-core.js';
import { BUSY_POLL_BUDGET, BusyPoller, skBusyLoop } from './busy-poll.js';
import { MIN_NAPI_ID, NR_CPUS } from './napi-hash.js';
import { NAPI_STATE_IN_BUSY_POLL, NAPI_STATE_MISSED, NAPI_STATE_PREFER_BUSY_POLL, NAPI_STATE_SCHED, napiById, napiSchedule, netifNapiDel } from './napi.js';
import { RingNic, TestSock } from './testing/ring-nic.js';

function rig(opts: { cpus?: number; rxQueues?: number } = {}) {
  const world = new World({ cpus: opts.cpus ?? 1 });
  const ns = world.createNamespace('h');
  // The TcpExt group the tcp plugin registers; core counts BusyPollRxPackets there.
  ns.snmp.register('TcpExt', ['BusyPollRxPackets']);
  const nic = new RingNic(world, ns, opts.rxQueues ?? 1);
  const sock = new TestSock(world, ns);
  const busyRx = () => ns.snmp.get('TcpExtBusyPollRxPackets');
  return { world, ns, nic, sock, sk: sock.sockCore, busyRx };
}

/** First packet through the IRQ path, so the socket learns its NAPI (as a real socket does). */
function learnNapi(r: ReturnType<typeof rig>): void {
  r.nic.post(1000, 0);
  r.nic.irq();
  r.world.runUntilIdle();
  expect(r.sock.drain()).toBe(1);
  expect(r.nic.irqEnabled[0]).toBe(true);
}

describe('NAPI ids (napi_hash)', () => {
  it('numbers NAPIs from MIN_NAPI_ID = NR_CPUS + 1, finds them by id, forgets deleted ones', () => {
    const { world, nic } = rig({ rxQueues: 3 });
    expect(MIN_NAPI_ID).toBe(NR_CPUS + 1);
    expect(nic.napis.map((n) => n.napiId)).toEqual([MIN_NAPI_ID, MIN_NAPI_ID + 1, MIN_NAPI_ID + 2]);
    expect(napiById(world, MIN_NAPI_ID + 1)).toBe(nic.napis[1]);
    // Backlog NAPIs have no id.
    expect(world.cpus[0]!.backlog.napiId).toBe(0);
    netifNapiDel(nic.napis[1]!);
    expect(napiById(world, MIN_NAPI_ID + 1)).toBeNull();
    expect(nic.napis[1]!.napiId).toBe(0);
  });

  it('marks received packets with their NAPI id and the socket records it (SO_INCOMING_NAPI_ID)', () => {
    const r = rig({ rxQueues: 2 });
    expect(busyPollGetsockopt(r.sk, 'SO_INCOMING_NAPI_ID')).toBe(0);
    r.nic.post(1000, 0, 1);
    r.nic.irq(1);
    r.world.runUntilIdle();
    expect(r.sock.queue.peek()!.napiId).toBe(r.nic.napis[1]!.napiId);
    expect(busyPollGetsockopt(r.sk, 'SO_INCOMING_NAPI_ID')).toBe(r.nic.napis[1]!.napiId);
    expect(r.sk.rxQueueMapping).toBe(1);
  });
});

describe('busy poll (napi_busy_loop)', () => {
  it('delivers packets whose IRQ never fired, counting TcpExtBusyPollRxPackets', () => {
    const r = rig();
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 50);
    const irqs = r.nic.irqsRaised;
    r.nic.post(1000, 1);
    r.nic.post(1000, 2);
    // No IRQ, no softirq: nothing arrives by itself.
    r.world.runUntilIdle();
    expect(r.sock.queue.length).toBe(0);
    // A non-blocking read with SO_BUSY_POLL polls the NAPI from the reader's context.
    expect(skBusyLoop(r.sk)).toBe(2);
    expect(r.sock.arrivals.slice(1).map((a) => a.seq)).toEqual([1, 2]);
    expect(r.nic.irqsRaised).toBe(irqs);
    expect(r.busyRx()).toBe(2);
    expect(r.nic.napis[0]!.busyPollPackets).toBe(2);
    // busy_poll_stop's final poll completed the NAPI: SCHED free, IRQ re-armed.
    expect(r.nic.napis[0]!.state & (NAPI_STATE_SCHED | NAPI_STATE_IN_BUSY_POLL)).toBe(0);
    expect(r.nic.irqEnabled[0]).toBe(true);
  });

  it('polls BUSY_POLL_BUDGET packets per iteration (or SO_BUSY_POLL_BUDGET); a full final poll goes to NET_RX', () => {
    const r = rig();
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 50);
    for (let i = 0; i < 20; i++) r.nic.post(1000, i);
    expect(skBusyLoop(r.sk)).toBe(BUSY_POLL_BUDGET);
    expect(r.busyRx()).toBe(8);
    // The final poll of busy_poll_stop took another 8 (not counted) and, with a full budget, left
    // the NAPI scheduled on NET_RX, which delivers the rest.
    expect(r.sock.queue.length).toBe(16);
    expect(r.nic.napis[0]!.scheduled).toBe(true);
    r.world.runUntilIdle();
    expect(r.sock.queue.length).toBe(20);
    expect(r.sock.arrivals.slice(1).map((a) => a.seq)).toEqual([...Array(20).keys()]);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL_BUDGET', 3);
    for (let i = 0; i < 5; i++) r.nic.post(1000, i);
    expect(skBusyLoop(r.sk)).toBe(3);
  });

  it('leaves a NAPI that NET_RX already owns alone (SO_PREFER_BUSY_POLL marks it)', () => {
    const r = rig();
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 50);
    busyPollSetsockopt(r.sk, 'SO_PREFER_BUSY_POLL', 1);
    r.nic.post(1000, 1);
    r.nic.irq();
    const napi = r.nic.napis[0]!;
    expect(napi.scheduled).toBe(true);
    expect(skBusyLoop(r.sk)).toBe(0);
    expect(r.sock.queue.length).toBe(0);
    expect(napi.state & NAPI_STATE_PREFER_BUSY_POLL).not.toBe(0);
    r.world.runUntilIdle();
    expect(r.sock.queue.length).toBe(1);
    expect(r.busyRx()).toBe(0);
    // Completion clears the preference with SCHED.
    expect(napi.state & NAPI_STATE_PREFER_BUSY_POLL).toBe(0);
  });

  it('does nothing without SO_BUSY_POLL, or for a socket that never heard from a NAPI', () => {
    const r = rig();
    r.nic.post(1000, 1);
    const p = new BusyPoller(r.sk);
    let res: boolean | null = null;
    p.start((readable) => (res = readable));
    expect(res).toBe(false);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 50);
    // napiId 0: nothing to poll.
    expect(skBusyLoop(r.sk)).toBe(0);
    expect(r.sock.queue.length).toBe(0);
  });
});

describe('a reader spinning in virtual time (BusyPoller)', () => {
  it('gets a packet posted mid-spin within one step, without an IRQ; an IRQ meanwhile only marks MISSED', () => {
    const r = rig();
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 50);
    const irqs = r.nic.irqsRaised;
    const t0 = r.world.scheduler.now();
    const poller = new BusyPoller(r.sk, { stepNs: 200 });
    let doneAt = -1;
    let readable: boolean | null = null;
    poller.start((ok) => {
      readable = ok;
      doneAt = r.world.scheduler.now();
    });
    expect(poller.running).toBe(true);
    const napi = r.nic.napis[0]!;
    // While the reader spins it owns the NAPI: a driver scheduling it only marks MISSED.
    const post = r.world.scheduler.createTimer(() => {
      expect(napi.state & NAPI_STATE_IN_BUSY_POLL).not.toBe(0);
      expect(napiSchedule(napi)).toBe(false);
      expect(napi.state & NAPI_STATE_MISSED).not.toBe(0);
      r.nic.post(1000, 7);
    });
    post.arm(10_000);
    r.world.runFor(1);
    expect(readable).toBe(true);
    expect(doneAt - t0).toBeGreaterThanOrEqual(10_000);
    expect(doneAt - t0).toBeLessThanOrEqual(10_200);
    expect(r.sock.arrivals.at(-1)!.seq).toBe(7);
    expect(r.nic.irqsRaised).toBe(irqs);
    expect(r.busyRx()).toBe(1);
    expect(napi.state & (NAPI_STATE_SCHED | NAPI_STATE_IN_BUSY_POLL | NAPI_STATE_MISSED)).toBe(0);
  });

  it('with the cost model on, each pass charges napi_busy_loop and the passes fill the spinning CPU', () => {
    const r = rig({ cpus: 2 });
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 20);
    r.world.setCostModel(new CostModel({ napi_busy_loop: { nsPerPacket: 100, nsPerByte: 0 } }));
    const poller = new BusyPoller(r.sk, { stepNs: 1000 });
    let readable: boolean | null = null;
    r.world.onCpu(1, () => poller.start((ok) => (readable = ok)));
    r.world.runFor(1);
    expect(readable).toBe(false);
    const ct = r.world.cpuTime!;
    // Back to back at 100 ns each for the 20 µs budget (not one every stepNs): the CPU spun the whole time.
    expect(poller.iterations).toBeGreaterThanOrEqual(200);
    expect(poller.iterations).toBeLessThanOrEqual(202);
    expect(ct.stageCalls[CostStage.BUSY_POLL]).toBe(poller.iterations);
    expect(r.world.cpus[1]!.busyNs).toBe(100 * poller.iterations);
    expect(r.world.cpus[0]!.busyNs).toBe(0);
    r.world.setCostModel(null);
  });

  it('gives up after SO_BUSY_POLL µs and hands the NAPI back with its IRQ armed', () => {
    const r = rig();
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 20);
    const poller = new BusyPoller(r.sk, { stepNs: 1000 });
    let readable: boolean | null = null;
    const t0 = r.world.scheduler.now();
    let doneAt = 0;
    poller.start((ok) => {
      readable = ok;
      doneAt = r.world.scheduler.now();
    });
    r.world.runFor(1);
    expect(readable).toBe(false);
    expect(doneAt - t0).toBe(20_000);
    expect(poller.iterations).toBe(21);
    const napi = r.nic.napis[0]!;
    expect(napi.state & (NAPI_STATE_SCHED | NAPI_STATE_IN_BUSY_POLL)).toBe(0);
    expect(r.nic.irqEnabled[0]).toBe(true);
    // The IRQ path works again afterwards.
    r.nic.post(1000, 3);
    r.nic.irq();
    r.world.runUntilIdle();
    expect(r.sock.queue.length).toBe(1);
    expect(r.busyRx()).toBe(0);
  });

  it('spins on the CPU it was started on, so delivery happens there', () => {
    const r = rig({ cpus: 4 });
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 50);
    const poller = new BusyPoller(r.sk);
    r.world.onCpu(3, () => poller.start(() => {}));
    r.world.scheduler.createTimer(() => r.nic.post(1000, 9)).arm(5_000);
    r.world.runFor(1);
    expect(r.sock.arrivals.at(-1)).toMatchObject({ seq: 9, cpu: 3 });
  });

  it('poll mode spins net.core.busy_poll µs with one non-blocking busy poll per pass', () => {
    const r = rig();
    learnNapi(r);
    busyPollSetsockopt(r.sk, 'SO_BUSY_POLL', 1);
    const poller = new BusyPoller(r.sk, { mode: 'poll', stepNs: 1000 });
    let res: boolean | null = null;
    poller.start((ok) => (res = ok));
    // net.core.busy_poll is 0: poll() does not spin.
    expect(res).toBe(false);
    r.world.sysctl.set('net.core.busy_poll', 30);
    res = null;
    poller.start((ok) => (res = ok));
    r.world.scheduler.createTimer(() => r.nic.post(1000, 4)).arm(25_000);
    r.world.runFor(1);
    expect(res).toBe(true);
    expect(r.busyRx()).toBe(1);
    // Between passes the NAPI is free (each pass ended with busy_poll_stop).
    expect(r.nic.napis[0]!.busyPolls).toBeGreaterThan(25);
  });
});

describe('busy-poll knobs', () => {
  it('net.core.busy_read is the SO_BUSY_POLL of new sockets; the options check their values', () => {
    const world = new World();
    expect(world.sysctl.get('net.core.busy_read')).toBe(0);
    expect(world.sysctl.get('net.core.busy_poll')).toBe(0);
    expect(() => world.sysctl.set('net.core.busy_read', -1)).toThrow(NetError);
    world.sysctl.set('net.core.busy_read', 50);
    const sk = new SockCore(world, () => false);
    expect(busyPollGetsockopt(sk, 'SO_BUSY_POLL')).toBe(50);
    // Above the sysctl is fine for CAP_NET_ADMIN (we are root); negative is EINVAL.
    busyPollSetsockopt(sk, 'SO_BUSY_POLL', 200);
    expect(busyPollGetsockopt(sk, 'SO_BUSY_POLL')).toBe(200);
    expect(() => busyPollSetsockopt(sk, 'SO_BUSY_POLL', -1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => busyPollSetsockopt(sk, 'SO_BUSY_POLL_BUDGET', 65536)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    busyPollSetsockopt(sk, 'SO_BUSY_POLL_BUDGET', 64);
    expect(busyPollGetsockopt(sk, 'SO_BUSY_POLL_BUDGET')).toBe(64);
    busyPollSetsockopt(sk, 'SO_PREFER_BUSY_POLL', true);
    expect(busyPollGetsockopt(sk, 'SO_PREFER_BUSY_POLL')).toBe(1);
    expect(() => busyPollSetsockopt(sk, 'SO_INCOMING_NAPI_ID', 1)).toThrow(expect.objectContaining({ code: 'ENOPROTOOPT' }));
  });
});
