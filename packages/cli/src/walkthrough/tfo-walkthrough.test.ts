import { describe, expect, it } from 'vitest';
import { runTfoWalkthrough, type TcpWalkRow } from './tfo-walkthrough.js';

describe('netstack walkthrough tfo', () => {
  const { run, text, json } = runTfoWalkthrough({ seed: 1, delayMs: 10 });
  const rows = run.rows;
  const find = (phase: number, stage: string, netns: string, what?: RegExp, from = 0): TcpWalkRow => {
    const r = rows.find((x) => x.phase === phase && x.seq >= from && x.stage === stage && x.netns === netns && (what === undefined || what.test(x.what)));
    expect(r, `no ${stage} in ${netns} (phase ${phase})${what ? ` matching ${what}` : ''}:\n${rows.map((x) => `${x.seq} ${x.phase} ${x.netns} ${x.stage} ${x.what}`).join('\n')}`).toBeDefined();
    return r!;
  };
  const num = (row: TcpWalkRow, re: RegExp): number => Number(re.exec(row.what)![1]);

  it('connection 1: the SYN asks for a cookie, the SYN-ACK brings it, the request follows: 2 RTT', () => {
    const syn = find(1, 'ip_local_out', 'client', /Flags \[S\].*tfo cookiereq\], length 0/);
    expect(find(1, 'tcp_sendmsg_fastopen', 'client').what).toMatch(/EINPROGRESS/);
    const synack = find(1, 'ip_local_out', 'server', /Flags \[S\.\].*tfo cookie ([0-9a-f]{16})\]/, syn.seq);
    expect(num(synack, /ack (\d+)/)).toBe((num(syn, /seq (\d+)/) + 1) >>> 0);
    const cookie = /tfo cookie ([0-9a-f]{16})/.exec(synack.what)![1]!;
    expect(find(1, 'tcp_fastopen_cache_set', 'client').what).toContain(cookie);
    expect(find(1, 'tcp_check_req', 'server').what).toMatch(/TCP_ESTABLISHED/);
    expect(run.latencyMs[0]).toBe(2 * run.rtt);
  });

  it('connection 2: cookie and request in the SYN, child at the SYN, read before the final ACK, SYN-ACK acks the data: 1 RTT', () => {
    const syn = find(2, 'ip_local_out', 'client', /Flags \[S\].*tfo cookie [0-9a-f]{16}\], length (\d+)/);
    const len = num(syn, /length (\d+)/);
    expect(len).toBe(run.synDataBytes);
    expect(len).toBeGreaterThan(0);
    const synIn = find(2, 'ip_local_deliver', 'server', /Flags \[S\]/, syn.seq);
    const child = find(2, 'tcp_try_fastopen', 'server', /TCP_SYN_RECV/, synIn.seq);
    expect(child.what).toContain(`${len} bytes of SYN data already in its receive queue`);
    const read = find(2, 'read()', 'server', /TCP_SYN_RECV, before the handshake's final ACK/, child.seq);
    expect(run.readBeforeAck).toBe(len);
    // The SYN-ACK acknowledges SYN + data and carries no cookie (the client's was valid).
    const synack = find(2, 'ip_local_out', 'server', /Flags \[S\.\]/, synIn.seq);
    expect(num(synack, /ack (\d+)/)).toBe((num(syn, /seq (\d+)/) + 1 + len) >>> 0);
    expect(synack.what).not.toMatch(/tfo/);
    // The final ACK reaches the server after the read, and ends its handshake then.
    const finalAck = find(2, 'ip_local_deliver', 'server', /Flags \[\.\], seq \d+, ack (\d+)/, read.seq);
    expect(finalAck.timeNs).toBeGreaterThan(read.timeNs);
    expect(find(2, 'tcp_rcv_synrecv_state_fastopen', 'server', undefined, finalAck.seq).what).toMatch(/fastopenq qlen 0/);
    expect(run.latencyMs[1]).toBe(run.rtt);
  });

  it('prints the phases, the latencies and the counters; JSON has the rows', () => {
    expect(text).toContain('Request to response: 40.0 ms without a cookie, 20.0 ms with it (RTT 20 ms).');
    expect(text).toMatch(/server\s+TcpExtTCPFastOpenPassive\s+1/);
    expect(text).toMatch(/client\s+TcpExtTCPFastOpenActive\s+1/);
    expect(text).toMatch(/server\s+TcpExtTCPFastOpenCookieReqd\s+1/);
    expect(text).toContain('still live 0');
    expect(JSON.parse(json)).toHaveLength(rows.length);
  });
});
