import { describe, expect, it } from 'vitest';
import { udpRig } from './testing/udp-rig.js';
import { SockCore } from '../sock/sock-core.js';
import { netifRx } from './netif-rx.js';
import { RPS_NO_CPU, rpsFlowCntText, setRpsFlowCnt, sockRpsRecordFlow, sockRpsSaveRxhash, writeRpsFlowCnt } from './rfs.js';
import { setRpsCpus } from './rps.js';

/** A host whose ETH_P_IP handler plays a socket per source port (saving the rx hash as TCP/UDP do). */
function rig(cpus = 4) {
  const socks = new Map<number, SockCore>();
  const r = udpRig(cpus, (skb, sport) => sockRpsSaveRxhash(sock(sport), skb));
  const sock = (sport: number) => {
    let sk = socks.get(sport);
    if (sk === undefined) socks.set(sport, (sk = new SockCore(r.world, () => false)));
    return sk;
  };
  /** The application reading `sport`'s socket on `cpu` (recvmsg → sock_rps_record_flow). */
  const appReadsOn = (sport: number, cpu: number) => r.world.onCpu(cpu, () => sockRpsRecordFlow(sock(sport), true));
  return { ...r, sock, appReadsOn };
}

describe('RFS tables', () => {
  it('rps_sock_flow_entries and rps_flow_cnt round up to a power of two; 0 turns them off', () => {
    const { world, dev } = rig();
    expect(world.sysctl.get('net.core.rps_sock_flow_entries')).toBe(0);
    world.sysctl.set('net.core.rps_sock_flow_entries', 1000);
    expect(world.sysctl.get('net.core.rps_sock_flow_entries')).toBe(1024);
    expect(world.steering.sockFlowTable!.ents.length).toBe(1024);
    expect(world.steering.sockFlowTable!.ents[5]).toBe(RPS_NO_CPU);
    expect(world.steering.rpsCpuMask).toBe(3);
    expect(() => world.sysctl.set('net.core.rps_sock_flow_entries', 2 ** 29 + 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    world.sysctl.set('net.core.rps_sock_flow_entries', 0);
    expect(world.steering.sockFlowTable).toBeNull();

    expect(rpsFlowCntText(dev, 0)).toBe('0\n');
    writeRpsFlowCnt(dev, 0, '100\n');
    expect(rpsFlowCntText(dev, 0)).toBe('128\n');
    setRpsFlowCnt(dev, 0, 1);
    expect(rpsFlowCntText(dev, 0)).toBe('1\n');
    writeRpsFlowCnt(dev, 0, '0');
    expect(rpsFlowCntText(dev, 0)).toBe('0\n');
    expect(() => writeRpsFlowCnt(dev, 0, '-3')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => rpsFlowCntText(dev, 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('RFS steering (get_rps_cpu with rps_sock_flow_table)', () => {
  it("steers a flow to the CPU where its application reads, other flows keep RPS's choice", () => {
    const { world, dev, seen, mk, appReadsOn } = rig();
    world.sysctl.set('net.core.rps_sock_flow_entries', 32768);
    setRpsFlowCnt(dev, 0, 4096);
    // First packet: no socket entry yet, no rps_cpus: processed here (CPU 0).
    netifRx(mk(5000, 0));
    world.runUntilIdle();
    expect(seen.at(-1)!.cpu).toBe(0);
    appReadsOn(5000, 2);
    for (let seq = 1; seq <= 3; seq++) netifRx(mk(5000, seq));
    world.runUntilIdle();
    expect(seen.slice(1).map((s) => s.cpu)).toEqual([2, 2, 2]);
    expect(world.cpus[2]!.receivedRps).toBe(1);
    // The app moves to CPU 3 (its backlog on 2 is empty): the flow follows at once.
    appReadsOn(5000, 3);
    netifRx(mk(5000, 4));
    world.runUntilIdle();
    expect(seen.at(-1)).toMatchObject({ cpu: 3, seq: 4 });
    // A flow without an entry uses the queue's rps_cpus map (here only CPU 1).
    setRpsCpus(dev, 0, 0b0010);
    netifRx(mk(6000, 0));
    world.runUntilIdle();
    expect(seen.at(-1)).toMatchObject({ sport: 6000, cpu: 1 });
  });

  it('does not move a flow while its old CPU still holds packets of it (no reordering)', () => {
    const { world, dev, seen, mk, appReadsOn } = rig();
    world.sysctl.set('net.core.rps_sock_flow_entries', 4096);
    setRpsFlowCnt(dev, 0, 256);
    netifRx(mk(7000, 0));
    world.runUntilIdle();
    appReadsOn(7000, 1);
    // Three packets wait in CPU 1's backlog (its softirq has not run yet).
    for (let seq = 1; seq <= 3; seq++) netifRx(mk(7000, seq));
    expect(world.cpus[1]!.inputPktQueue.length).toBe(3);
    // The application now runs on CPU 3; the next packets must still go behind the others on CPU 1.
    appReadsOn(7000, 3);
    netifRx(mk(7000, 4));
    netifRx(mk(7000, 5));
    expect(world.cpus[1]!.inputPktQueue.length).toBe(5);
    expect(world.cpus[3]!.inputPktQueue.length).toBe(0);
    world.runUntilIdle();
    // CPU 1 drained past the flow's last_qtail: now it moves.
    netifRx(mk(7000, 6));
    world.runUntilIdle();
    const flow = seen.filter((s) => s.sport === 7000);
    expect(flow.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(flow.map((s) => s.cpu)).toEqual([0, 1, 1, 1, 1, 1, 3]);
  });

  it('needs both tables, an established socket and a flow hash', () => {
    const { world, dev, seen, mk, sock, appReadsOn } = rig();
    setRpsFlowCnt(dev, 0, 256);
    netifRx(mk(8000, 0));
    world.runUntilIdle();
    appReadsOn(8000, 2);
    netifRx(mk(8000, 1));
    world.runUntilIdle();
    // No rps_sock_flow_entries: nothing recorded, nothing steered.
    expect(seen.at(-1)!.cpu).toBe(0);
    world.sysctl.set('net.core.rps_sock_flow_entries', 256);
    setRpsFlowCnt(dev, 0, 0);
    appReadsOn(8000, 2);
    netifRx(mk(8000, 2));
    world.runUntilIdle();
    expect(seen.at(-1)!.cpu).toBe(0);
    // An unconnected socket records nothing.
    setRpsFlowCnt(dev, 0, 256);
    world.sysctl.set('net.core.rps_sock_flow_entries', 256);
    world.onCpu(2, () => sockRpsRecordFlow(sock(8000), false));
    netifRx(mk(8000, 3));
    world.runUntilIdle();
    expect(seen.at(-1)!.cpu).toBe(0);
  });
});
