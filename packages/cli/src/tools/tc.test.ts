import { describe, expect, it } from 'vitest';
import { consumeSkb, Fq, FqCodel, Netem, NETDEV_TX_OK, NetDevice, type NetNamespace, type SkBuff } from '@netstack/core';
import { buildLab, type Lab } from '../lab/lab.js';
import { parseLab } from '../lab/spec.js';
import { ToolExit, ToolIo, type ToolResult } from './io.js';
import { cFormatG, formatTcQdisc, sprintRate, sprintSize, sprintTime, sprintTime64, tcTool } from './tc.js';
import { REAL_TC_CRAFTED, REAL_TC_TRANSCRIPT, REAL_TC_VECTORS } from './test-tc-output.js';

/**
 * A lab namespace shaped like the one the fixture was captured in: lo, eth0 (veth, noqueue),
 * eth1 (one TX queue, default pfifo_fast, like the ifb there), eth2 (two TX queues: mq).
 */
async function lab(): Promise<{ lab: Lab; ns: NetNamespace }> {
  const l = await buildLab(
    await parseLab(
      `
seed: 1
namespaces:
  h1:
    plugins: [loopback, veth]
    setup: [ip link set lo up, ip link set eth0 up]
  h2:
    plugins: [loopback, veth]
    setup: [ip link set lo up, ip link set peer0 up]
links:
  - veth: [h1:eth0, h2:peer0]
`,
      'tc.yaml',
    ),
  );
  const ns = l.namespace('h1')!;
  for (const [name, queues] of [
    ['eth1', 1],
    ['eth2', 2],
  ] as const) {
    const dev = new NetDevice({
      name,
      kind: 'ifb',
      txQueueLen: 32,
      numTxQueues: queues,
      numRxQueues: queues,
      addr: Uint8Array.from([2, 0, 0, 0, 0, queues]),
      ops: {
        startXmit(skb: SkBuff) {
          consumeSkb(skb);
          return NETDEV_TX_OK;
        },
      },
    });
    ns.registerNetdevice(dev);
    dev.open();
  }
  return { lab: l, ns };
}

/** Run `tc ARGS` in namespace h1, as run.ts would once it dispatches tc. */
function tc(l: Lab, line: string): ToolResult {
  const io = new ToolIo();
  const argv = line === '' ? [] : line.split(' ');
  let status: number;
  try {
    status = tcTool({ lab: l, io, ns: l.namespace('h1')! }, argv);
  } catch (err) {
    if (!(err instanceof ToolExit)) throw err;
    if (err.message !== '') io.err(err.message + '\n');
    status = err.status;
  }
  return io.result(status);
}

describe('netstack tc, against the real tc (iproute2 6.1, kernel 6.18)', () => {
  it('replays the real transcript: pfifo_fast, noqueue and mq output, add/replace/change/del answers, parse errors', async () => {
    const { lab: l } = await lab();
    for (const step of REAL_TC_TRANSCRIPT) {
      const got = tc(l, step.argv);
      expect({ argv: step.argv, ...got }).toEqual({ argv: step.argv, stdout: step.stdout, stderr: step.stderr, status: step.status });
    }
  });

  for (const c of REAL_TC_CRAFTED) {
    it(`prints ${c.name} as tc prints the kernel's dump (${c.argv!.replace('qdisc add dev eth0 root ', '')})`, async () => {
      const { lab: l } = await lab();
      expect(tc(l, c.argv!)).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(tc(l, 'qdisc show').stdout).toBe(c.show);
      expect(tc(l, '-s qdisc show').stdout).toBe(c.showStats);
      // Naming the device leaves `dev eth0` out, as in the real `tc qdisc show dev eth0` of the transcript.
      const line = c.show.split('\n').find((x) => x.includes(' dev eth0 '))!;
      expect(tc(l, 'qdisc show dev eth0').stdout).toBe(line.replace(' dev eth0 ', ' ') + '\n');
    });
  }

  for (const v of REAL_TC_VECTORS) {
    it(`formats ${v.name} as tc does`, () => {
      expect(formatTcQdisc(v.record, 'eth0', false)).toBe(v.show);
      expect(formatTcQdisc(v.record, 'eth0', true)).toBe(v.showStats);
    });
  }

  it("formats times, sizes and rates with tc_util.c's rules (%.3g, %g, K/M steps)", () => {
    expect([0, 1e-5, 1e6, 999999, 123456789, 0.5].map((x) => cFormatG(x))).toEqual(['0', '1e-05', '1e+06', '999999', '1.23457e+08', '0.5']);
    expect([999, 1000, 1499, 4999, 99999, 999999, 1000000, 12345678].map(sprintTime)).toEqual(['999us', '1ms', '1.5ms', '5ms', '100ms', '1e+03ms', '1s', '12.3s']);
    expect([999, 1000, 1500, 999999, 10000, 4294967295].map(sprintTime64)).toEqual(['999ns', '1us', '1.5us', '1e+03us', '10us', '4.29s']);
    expect([0, 1039, 1040, 3028, 15140, 65550, 1048000, 1049600, 33554432].map(sprintSize)).toEqual(['0b', '1Kb', '1040b', '3028b', '15140b', '64Kb', '1048000b', '1025Kb', '32Mb']);
    expect([68750, 1250000, 125, 126, 1048576, 125000000].map(sprintRate)).toEqual(['550Kbit', '10Mbit', '1Kbit', '1008bit', '8388Kbit', '1Gbit']);
  });
});

describe('netstack tc on live qdiscs', () => {
  it('sets options tc style: `tc qdisc replace dev eth0 root fq maxrate 10mbit` changes fq in place', async () => {
    const { lab: l, ns } = await lab();
    expect(tc(l, 'qdisc add dev eth0 root fq').status).toBe(0);
    const q = ns.dev('eth0').txQueues[0]!.qdisc as Fq;
    expect(q).toBeInstanceOf(Fq);
    expect(tc(l, 'qdisc replace dev eth0 root fq maxrate 10mbit flow_limit 50').status).toBe(0);
    // Same kind: the same instance, changed (handle and counters kept).
    expect(ns.dev('eth0').txQueues[0]!.qdisc).toBe(q);
    expect(q.dump()).toMatchObject({ flowMaxRate: 1_250_000, flowLimit: 50, limit: 10000 });
    expect(tc(l, 'qdisc show dev eth0').stdout).toMatch(/^qdisc fq 8001: root refcnt 2 limit 10000p flow_limit 50p .* maxrate 10Mbit /);
    // Another kind: a new qdisc with the next handle.
    expect(tc(l, 'qdisc replace dev eth0 root fq_codel target 2ms').status).toBe(0);
    expect(ns.dev('eth0').txQueues[0]!.qdisc).toBeInstanceOf(FqCodel);
    expect(tc(l, 'qdisc show dev eth0').stdout).toMatch(/^qdisc fq_codel 8002: root refcnt 2 limit 10240p .* target 2ms /);
    expect(tc(l, 'qdisc change dev eth0 root fq_codel flows 8')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n' });
    expect(tc(l, 'qdisc change dev eth0 root fq_codel quantum 2000000')).toEqual({ status: 2, stdout: '', stderr: 'Error: Invalid quantum.\n' });
    expect(tc(l, 'qdisc replace dev eth0 root fq initial_quantum 2000000')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: Numerical result out of range\n' });
    expect(ns.dev('eth0').txQueues[0]!.qdisc).toBeInstanceOf(FqCodel);
    expect(tc(l, 'qdisc del dev eth0 root').status).toBe(0);
    expect(tc(l, 'qdisc show dev eth0').stdout).toBe('qdisc noqueue 0: root refcnt 2 \n');
  });

  it('shows the counters of a qdisc that sent traffic, and netem options take effect', async () => {
    const { lab: l, ns } = await lab();
    expect(tc(l, 'qdisc add dev eth1 root netem delay 10ms').status).toBe(0);
    const dev = ns.dev('eth1');
    const q = dev.txQueues[0]!.qdisc as Netem;
    expect(q.dump().latencyNs).toBe(10_000_000);
    for (let i = 0; i < 3; i++) {
      const skb = l.world.pool.alloc(100);
      skb.put(100).valueOf();
      skb.buf.fill(0, skb.data, skb.tail);
      skb.dev = dev;
      dev.txQueues[0]!.qdisc.enqueue(skb);
    }
    expect(tc(l, '-s qdisc show dev eth1').stdout).toBe(
      'qdisc netem 8001: root refcnt 2 limit 1000 delay 10ms\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 300b 3p requeues 0\n',
    );
    dev.txQueues[0]!.qdisc.txq!.dev.net.world.scheduleQdisc(dev.txQueues[0]!);
    l.world.runFor(20);
    expect(tc(l, '-s qdisc show dev eth1').stdout).toContain(' Sent 300 bytes 3 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n');
  });

  it('shows a multiqueue device as mq with one child per queue, counters summed', async () => {
    const { lab: l } = await lab();
    expect(tc(l, 'qdisc add dev eth2 root fq_codel').status).toBe(0);
    const lines = tc(l, 'qdisc show dev eth2').stdout.split('\n');
    expect(lines.length).toBe(4);
    expect(lines[0]).toBe('qdisc mq 8001: root ');
    expect(lines[1]).toMatch(/^qdisc fq_codel 0: parent 8001:2 limit 10240p flows 1024 /);
    expect(lines[2]).toMatch(/^qdisc fq_codel 0: parent 8001:1 limit 10240p flows 1024 /);
    const dev = l.namespace('h1')!.dev('eth2');
    for (const txq of dev.txQueues) {
      txq.qdisc.stats.bytes += 100 * (txq.index + 1);
      txq.qdisc.stats.packets += txq.index + 1;
    }
    expect(tc(l, '-s qdisc show dev eth2 root').stdout).toBe('qdisc mq 8001: root \n Sent 300 bytes 3 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n');
    expect(tc(l, 'qdisc show dev eth2 root').stdout).toBe('qdisc mq 8001: root \n');
  });

  it('runs in another lab namespace with -n, and refuses what it does not implement', async () => {
    const { lab: l } = await lab();
    expect(tc(l, '-n h2 qdisc show')).toEqual({ status: 0, stderr: '', stdout: 'qdisc noqueue 0: dev lo root refcnt 2 \nqdisc noqueue 0: dev peer0 root refcnt 2 \n' });
    expect(tc(l, '-n nosuch qdisc show').status).toBe(255);
    expect(tc(l, 'class show dev eth0')).toMatchObject({ status: 255, stderr: 'netstack: "tc class" is not implemented (netstack\'s tc has qdisc)\n' });
    expect(tc(l, '-j qdisc show').status).toBe(255);
    expect(tc(l, 'qdisc add dev eth0 parent 1:1 pfifo_fast').status).toBe(255);
    expect(tc(l, 'qdisc add dev eth0 root netem slot 1ms')).toMatchObject({ status: 1, stderr: 'netstack: tc netem slot is not supported\n' });
    expect(tc(l, 'qdisc add dev eth0 root fq maxrate 10%').status).toBe(1);
  });
});
