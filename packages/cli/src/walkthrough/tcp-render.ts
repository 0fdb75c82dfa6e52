/**
 * The text of `netstack walkthrough tcp`: the topology, the rows of the run grouped by phase
 * (handshake; one read while the socket is owned; the ACK), then `ss -tani` in each namespace,
 * the Tcp/TcpExt counters that moved (nstat names) and the buffer pool. Every value comes from a
 * row the run recorded or from the stack's state after it.
 */
import { nstatTable } from '../tools/nstat.js';
import { table, usec } from './format.js';
import type { TcpWalkRow, TcpWalkRun } from './tcp-walkthrough.js';

const PHASES: Record<number, string[]> = {
  1: [
    'Phase 1: the three-way handshake. A SYN finds no connection in the established table, so the',
    'listener takes it (a request sock answers with the SYN-ACK); the client\'s ACK finds that request',
    'sock in the established table and becomes a full socket in the accept queue.',
  ],
  2: [
    'Phase 2: one read on the server while a user call owns the socket (lock_sock). The data segment',
    'finds the socket in the established table but waits on its backlog; release_sock processes it into',
    'the receive queue, sk_data_ready wakes the reader, and read() copies the bytes out.',
  ],
  3: ['Phase 3: the next 500 ms, until the connection is idle: the server\'s ACK for the data reaches the client.'],
};

function walkTable(rows: readonly TcpWalkRow[]): string[] {
  const out: string[] = [];
  for (const phase of [1, 2, 3]) {
    const these = rows.filter((r) => r.phase === phase);
    if (these.length === 0) continue;
    out.push('', ...PHASES[phase]!);
    const cells = [['seq', 'time µs', 'cpu', 'netns', 'stage', 'what the stack did'], ...these.map((r) => [String(r.seq), usec(r.timeNs), String(r.cpu), r.netns, r.stage, r.what])];
    out.push(...table(cells, ['r', 'r', 'r', 'l', 'l', 'l'], '    '));
  }
  return out;
}

function counters(run: TcpWalkRun): string[] {
  const rows: string[][] = [['netns', 'counter', 'value']];
  for (const ns of [run.client, run.server]) {
    for (const [name, v] of nstatTable(ns)) if (v !== 0 && /^Tcp/.test(name)) rows.push([ns.name, name, String(v)]);
    for (const [reason, n] of Object.entries(ns.dropCounts())) rows.push([ns.name, `drop ${reason}`, String(n)]);
  }
  return table(rows, ['l', 'l', 'r']);
}

export function renderTcpWalk(run: TcpWalkRun): string {
  const out: string[] = [];
  out.push(`netstack walkthrough tcp: a TCP connection from ${run.client.name} to ${run.server.name}:${run.port} and one read of ${run.bytes} bytes, stage by stage`);
  out.push('virtual time (it moves only between events: over a veth pair a whole round trip shares one instant)');
  out.push('');
  out.push(`Topology: ${run.topology}`);
  for (const ns of [run.client, run.server]) out.push(`  ${ns.name}: plugins ${ns.pluginNames.join(', ')}`);
  out.push(...walkTable(run.rows));
  out.push('');
  out.push(`read() returned ${run.readBytes} of the ${run.bytes} bytes send() wrote.`);
  for (const s of run.ss) {
    out.push('', `$ ip netns exec ${s.netns} ss -tani`);
    out.push(...s.text.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  out.push('', 'TCP counters that moved (nstat names) and drops, per namespace:');
  out.push(...counters(run));
  const pool = run.world.pool;
  out.push('', `Buffers: consumed ${pool.consumed}, dropped ${pool.dropped}, still live ${pool.live}`);
  return out.join('\n').replace(/[ ]+$/gm, '') + '\n';
}
