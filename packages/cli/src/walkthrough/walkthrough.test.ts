import { describe, expect, it } from 'vitest';
import { TraceStage, World, type NetNamespace, type TraceEntry } from '@netstack/core';
import { mergeTraces, runWalkthrough } from './walkthrough.js';

interface Row {
  time: string;
  cpu: string;
  netns: string;
  dev: string;
  skb: string;
  stage: string;
  what: string;
}

/** The walk rows of frame `n` as printed: aligned columns, two or more spaces apart. */
function rowsOfFrame(text: string, n: number): Row[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`Frame ${n}:`));
  expect(start, `no "Frame ${n}:" section in the text`).toBeGreaterThanOrEqual(0);
  const rows: Row[] = [];
  for (let i = start + 1; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i]!;
    if (!/^\s+\d+\.\d{3}\s/.test(line)) continue;
    const [time, cpu, netns, dev, skb, stage, what] = line.trim().split(/\s{2,}/);
    rows.push({ time: time!, cpu: cpu!, netns: netns!, dev: dev!, skb: skb!, stage: stage!, what: what ?? '' });
  }
  return rows;
}

function indexOfStage(rows: Row[], stage: string): number {
  const i = rows.findIndex((r) => r.stage === stage);
  expect(i, `stage "${stage}" missing from the walk: ${rows.map((r) => r.stage).join(', ')}`).toBeGreaterThanOrEqual(0);
  return i;
}

function section(text: string, heading: string): string {
  const at = text.indexOf(heading);
  expect(at, `no section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n\n', at);
  return text.slice(at, end < 0 ? undefined : end);
}

describe('netstack walkthrough', () => {
  const result = runWalkthrough({ seed: 1 });
  const { text } = result;

  it('walks the hello frame in the kernel order: driver and NAPI, then tap < rx_handler < protocol handler', () => {
    const rows = rowsOfFrame(text, 1);
    const order = [
      'dev_queue_xmit',
      'validate_xmit_skb',
      'driver start_xmit',
      'netif_rx',
      'napi poll',
      '__netif_receive_skb_core',
      'ETH_P_ALL tap',
      'rx_handler',
      'protocol handler',
    ].map((s) => indexOfStage(rows, s));
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1]!);

    // The transmit side runs in the sender, everything from netif_rx on in the receiver.
    const rxStart = indexOfStage(rows, 'netif_rx');
    expect(rows.slice(0, rxStart).every((r) => r.netns === 'host-a' && r.dev === 'veth0')).toBe(true);
    expect(rows.slice(rxStart).every((r) => r.netns === 'host-b' && r.dev === 'veth1')).toBe(true);
    expect(rows[indexOfStage(rows, 'dev_queue_xmit')]!.what).toContain('qdisc noqueue');

    // The tap got a clone (another buffer), the original went on and was consumed by the handler.
    const core = rows[indexOfStage(rows, '__netif_receive_skb_core')]!;
    const tap = rows[indexOfStage(rows, 'ETH_P_ALL tap')]!;
    expect(tap.skb).not.toBe(core.skb);
    expect(rows[indexOfStage(rows, 'rx_handler')]!.what).toMatch(/^RX_HANDLER_PASS/);
    expect(rows[indexOfStage(rows, 'protocol handler')]!.what).toContain('0x88b5');
    const last = rows.at(-1)!;
    expect(last.stage).toBe('consume');
    expect(last.skb).toBe(core.skb);
    expect(rows.some((r) => r.stage === 'drop')).toBe(false);
  });

  it('walks the unknown ethertype to the UNHANDLED_PROTO drop, after the rx_handler passed it', () => {
    const rows = rowsOfFrame(text, 2);
    const rx = indexOfStage(rows, 'rx_handler');
    const drop = indexOfStage(rows, 'drop');
    expect(drop).toBeGreaterThan(rx);
    expect(rows[rx]!.what).toMatch(/^RX_HANDLER_PASS/);
    expect(indexOfStage(rows, 'ETH_P_ALL tap')).toBeLessThan(rx);
    expect(rows[drop]!.what).toContain('UNHANDLED_PROTO');
    expect(rows.some((r) => r.stage === 'protocol handler')).toBe(false);
    expect(rows.at(-1)!.stage).toBe('drop');
  });

  it('prints exactly the trace records, in their order', () => {
    const rows = [...rowsOfFrame(text, 1), ...rowsOfFrame(text, 2)];
    expect(rows.map((r) => r.stage)).toEqual(result.entries.map((e) => e.stageName));
    expect(rows.map((r) => r.skb)).toEqual(result.entries.map((e) => `#${e.skbId}`));
    expect(rows.map((r) => r.time)).toEqual(result.entries.map((e) => (e.timeNs / 1000).toFixed(3)));
    // Stage numbers agree with the core's enumeration.
    const stages = result.entries.map((e) => e.stage);
    expect(stages.indexOf(TraceStage.TAP)).toBeLessThan(stages.indexOf(TraceStage.RX_HANDLER));
    expect(stages.indexOf(TraceStage.RX_HANDLER)).toBeLessThan(stages.indexOf(TraceStage.PROTOCOL));
  });

  it('prints the counters the run left behind', () => {
    expect(section(text, 'Drops by reason')).toMatch(/host-b\s+UNHANDLED_PROTO\s+1\n?$/m);
    const mib = section(text, 'SNMP counters');
    expect(mib).toMatch(/host-b\s+HelloInMsgs\s+1$/m);
    expect(mib).toMatch(/host-b\s+HelloInErrors\s+0$/m);
    // The sender runs the example plugin too: its sendHello counted the message out.
    expect(mib).toMatch(/host-a\s+HelloOutMsgs\s+1$/m);
    const dev = section(text, 'Device counters');
    // veth1 received both frames and dropped the one nobody handled.
    expect(dev).toMatch(/host-b\s+veth1\s+2\s+\d+\s+1\s+0\s+0\s+0\s+0$/m);
    expect(dev).toMatch(/host-a\s+veth0\s+0\s+0\s+0\s+0\s+2\s+\d+\s+0$/m);
    expect(section(text, '/proc/net/softnet_stat')).toMatch(/^ {2}00000002 00000000 00000000 /m);
    expect(section(text, 'rx_handler on host-b veth1')).toContain('called 2 times: RX_HANDLER_PASS x2');
    expect(section(text, 'ETH_P_ALL tap "tcpdump"').match(/ethertype Unknown \(0x88b[56]\)/g)).toHaveLength(2);
    expect(text).toContain('seq 1 "hello from host-a" on veth1');
    expect(text).toMatch(/still live 0$/m);
    expect(result.run.world.pool.live).toBe(0);
  });

  it("names the capture tap in the walk: tcpdump's packet socket gets a clone before the rx_handler", () => {
    for (const n of [1, 2]) {
      const rows = rowsOfFrame(text, n);
      const tap = rows[indexOfStage(rows, 'ETH_P_ALL tap')]!;
      expect(tap.what).toBe(`clone ${tap.skb} handed to the ETH_P_ALL (0x0003) tap "tcpdump" (packet socket 1, bound to veth1): a clone, before the rx_handler; the original goes on`);
      expect(indexOfStage(rows, 'ETH_P_ALL tap')).toBeLessThan(indexOfStage(rows, 'rx_handler'));
    }
    // The topology lists the socket's hook on veth1.
    expect(text).toMatch(/host-b +veth1 .*rx_handler, ETH_P_ALL \(0x0003\) tap "packet socket 1"$/m);
  });

  it('prints what tcpdump -nn -e printed for the capture, through the tcpdump printer, and its counters', () => {
    const tap = section(text, 'ETH_P_ALL tap "tcpdump"');
    const [a, b] = [result.run.devices.find((d) => d.dev.name === 'veth0')!.dev.macAddress, result.run.devices.find((d) => d.dev.name === 'veth1')!.dev.macAddress];
    expect(tap.split('\n')).toEqual([
      'ETH_P_ALL tap "tcpdump" on host-b veth1: its packet socket (packet socket 1) got a clone of each frame before any handler; `tcpdump -nn -e -i veth1` printed:',
      `  00:00:00.001000 ${a} > ${b}, ethertype Unknown (0x88b5), length 36:`,
      '      0x0000:  0100 0100 1168 656c 6c6f 2066 726f 6d20  .....hello.from.',
      '      0x0010:  686f 7374 2d61                           host-a',
      `  00:00:00.002000 ${a} > ${b}, ethertype Unknown (0x88b6), length 21:`,
      '      0x0000:  616e 796f 6e65 3f                        anyone?',
      '  2 packets captured, 2 packets received by filter, 0 packets dropped by kernel',
    ]);
    expect(result.run.tap).toMatchObject({ owner: 'tcpdump', socket: 'packet socket 1', clones: 2, received: 2, dropped: 0 });
    // The clones were read and freed: nothing is left in the socket or the pool.
    expect(result.run.world.pool.live).toBe(0);
  });

  it('prints identical text for the same seed, different MACs for another seed', () => {
    expect(runWalkthrough({ seed: 1 }).text).toBe(text);
    const other = runWalkthrough({ seed: 2 }).text;
    expect(other).not.toBe(text);
    const macs = (t: string) => t.match(/veth0\s+2\s+([0-9a-f:]{17})/)![1];
    expect(macs(other)).not.toBe(macs(text));
  });

  it('runs on the CPU it is asked for', () => {
    const r = runWalkthrough({ seed: 1, cpus: 2, cpu: 1 });
    const rows = [...rowsOfFrame(r.text, 1), ...rowsOfFrame(r.text, 2)];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.cpu === '1')).toBe(true);
    expect(r.run.world.cpus[1]!.processed).toBe(2);
    expect(r.run.world.cpus[0]!.processed).toBe(0);
  });

  it('rejects bad options with EINVAL', () => {
    expect(() => runWalkthrough({ cpu: 1 })).toThrow(/EINVAL: cpu must be an integer in \[0, 0\]/);
    expect(() => runWalkthrough({ seed: -1 })).toThrow(/EINVAL/);
    expect(() => runWalkthrough({ cpus: 0 })).toThrow(/EINVAL/);
  });
});

describe('mergeTraces', () => {
  const world = new World({ seed: 1 });
  const a = world.createNamespace('a');
  const b = world.createNamespace('b');
  const entry = (seq: number, timeNs: number, stage: number): TraceEntry => ({ timeNs, stage, stageName: `s${stage}`, cpu: 0, verdict: 0, ifindex: 9, skbId: 1, aux: 0, seq });

  it('orders records of all namespaces by their World-wide sequence, whatever their times', () => {
    const merged = mergeTraces(
      [
        { ns: a as NetNamespace, entries: [entry(1, 5, 1), entry(2, 5, 2), entry(4, 9, 3)] },
        { ns: b as NetNamespace, entries: [entry(0, 1, 4), entry(3, 5, 5)] },
      ],
      1,
    );
    expect(merged.map((e) => `${e.netns}:${e.stage}`)).toEqual(['b:4', 'a:1', 'a:2', 'b:5', 'a:3']);
    expect(merged[0]!.dev).toBe('if9');
  });
});
