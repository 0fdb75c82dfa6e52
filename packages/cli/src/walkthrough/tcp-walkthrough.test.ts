import { describe, expect, it } from 'vitest';
import { runTcpWalkthrough, type TcpWalkRow } from './tcp-walkthrough.js';

const BYTES = 1000;

describe('netstack walkthrough tcp', () => {
  const result = runTcpWalkthrough({ seed: 1, bytes: BYTES });
  const { run, text } = result;
  const rows = run.rows;

  /** The first row at or after `from` with this stage (and netns), failing clearly when missing. */
  const find = (stage: string, netns: string, from = 0, what?: RegExp): TcpWalkRow => {
    const r = rows.find((x) => x.seq >= from && x.stage === stage && x.netns === netns && (what === undefined || what.test(x.what)));
    expect(r, `no ${stage} in ${netns} after #${from}${what ? ` matching ${what}` : ''}:\n${rows.map((x) => `${x.seq} ${x.netns} ${x.stage}`).join('\n')}`).toBeDefined();
    return r!;
  };
  const num = (row: TcpWalkRow, re: RegExp): number => Number(re.exec(row.what)![1]);

  it('walks the handshake: SYN to the listener, SYN-ACK from a request sock, ACK to that request sock', () => {
    const connect = find('tcp_v4_connect', 'client');
    const isn = num(connect, /ISN (\d+)/);
    const syn = find('ip_local_out', 'client', connect.seq, /Flags \[S\], seq (\d+)/);
    expect(num(syn, /seq (\d+)/)).toBe(isn);
    const synIn = find('ip_local_deliver', 'server', syn.seq, /Flags \[S\]/);
    const miss = find('__inet_lookup_established', 'server', synIn.seq);
    expect(miss.seq).toBe(synIn.seq + 1);
    expect(miss.what).toMatch(/^miss/);
    const listener = find('__inet_lookup_listener', 'server', miss.seq);
    expect(listener.seq).toBe(miss.seq + 1);
    expect(listener.what).toMatch(/^hit: 0\.0\.0\.0:5001 TCP_LISTEN/);
    const req = find('tcp_conn_request', 'server', listener.seq);
    expect(req.what).toContain("SYN queue 1");
    const synack = find('ip_local_out', 'server', req.seq, /Flags \[S\.\]/);
    expect(num(synack, /ack (\d+)/)).toBe((isn + 1) >>> 0);
    expect(num(synack, /seq (\d+)/)).toBe(num(req, /ISN (\d+)/));
    const established = find('tcp_finish_connect', 'client', synack.seq);
    expect(established.what).toMatch(/TCP_SYN_SENT -> TCP_ESTABLISHED/);
    expect(num(established, /rcv_nxt (\d+)/)).toBe((num(synack, /seq (\d+)/) + 1) >>> 0);
    expect(find('__inet_lookup_established', 'client', synack.seq).what).toMatch(/^hit: TCP_SYN_SENT socket/);
    const ack = find('ip_local_out', 'client', established.seq, /Flags \[\.\]/);
    find('ip_local_deliver', 'server', ack.seq, /Flags \[\.\]/);
    expect(find('__inet_lookup_established', 'server', ack.seq).what).toMatch(/^hit: a request sock \(NEW_SYN_RECV\)/);
    expect(find('tcp_check_req', 'server', ack.seq).what).toMatch(/TCP_ESTABLISHED, in the accept queue \(1\)/);
    expect(find('accept()', 'server', ack.seq).what).toMatch(/accept queue 0, SYN queue 0/);
    expect(rows.filter((r) => r.phase === 1).every((r, i, a) => i === 0 || r.seq > a[i - 1]!.seq)).toBe(true);
  });

  it('queues the data segment on the backlog while the socket is owned, then receive queue, wake-up, read()', () => {
    const lock = find('lock_sock', 'server');
    const send = find('ip_local_out', 'client', lock.seq, /Flags \[P\.\].*length (\d+)/);
    expect(num(send, /length (\d+)/)).toBe(BYTES);
    find('ip_local_deliver', 'server', send.seq, /length 1000/);
    expect(find('__inet_lookup_established', 'server', send.seq).what).toMatch(/^hit: TCP_ESTABLISHED socket .*owned by a user call/);
    const backlog = find('tcp_add_backlog', 'server', send.seq);
    expect(backlog.what).toMatch(/backlog 1 segment\(s\), \d+ bytes of truesize; receive queue 0 bytes/);
    const rcvNxtBefore = num(lock, /rcv_nxt (\d+)/);
    expect(num(backlog, /rcv_nxt (\d+)/)).toBe(rcvNxtBefore); // nothing processed yet
    const release = find('release_sock', 'server', backlog.seq);
    const ready = find('sk_data_ready', 'server', release.seq);
    expect(ready.what).toMatch(new RegExp(`receive queue ${BYTES} bytes in 1 buffer`));
    expect(num(ready, /rcv_nxt (\d+)/)).toBe((rcvNxtBefore + BYTES) >>> 0);
    expect(num(ready, / = (\d+)$/)).toBe(BYTES);
    const read = find('read()', 'server', ready.seq);
    expect(num(read, /copies (\d+) bytes/)).toBe(BYTES);
    expect(num(read, /copied_seq (\d+)/)).toBe(num(read, /rcv_nxt (\d+)/));
    expect(read.what).toMatch(/receive queue 0 bytes$/);
    expect(run.readBytes).toBe(BYTES);
    // The order of the seed talk's slide: lookup < backlog < release < receive queue/wake-up < read.
    expect([lock.seq, send.seq, backlog.seq, release.seq, ready.seq, read.seq]).toEqual([lock.seq, send.seq, backlog.seq, release.seq, ready.seq, read.seq].sort((a, b) => a - b));
  });

  it('ends with ss -tani and counters that agree with the rows', () => {
    const server = run.ss.find((s) => s.netns === 'server')!.text;
    expect(server).toMatch(/^LISTEN 0 +128 +0\.0\.0\.0:5001 /m);
    expect(server).toMatch(/^ESTAB +0 +0 +10\.0\.0\.2:5001 /m);
    expect(server).toContain(` bytes_received:${BYTES} `);
    expect(run.ss.find((s) => s.netns === 'client')!.text).toContain(` bytes_sent:${BYTES} `);
    expect(text).toMatch(/^ {2}client +TcpActiveOpens +1$/m);
    expect(text).toMatch(/^ {2}server +TcpPassiveOpens +1$/m);
    const segsIn = rows.filter((r) => r.netns === 'server' && r.stage === 'ip_local_deliver').length;
    expect(text).toMatch(new RegExp(`^ {2}server +TcpInSegs +${segsIn}$`, 'm'));
    const segsOut = rows.filter((r) => r.netns === 'client' && r.stage === 'ip_local_out').length;
    expect(text).toMatch(new RegExp(`^ {2}client +TcpOutSegs +${segsOut}$`, 'm'));
    expect(text).toMatch(/still live 0$/m);
  });

  it('prints the same text for the same seed, other ISNs and ports for another seed; JSON has the rows', () => {
    expect(runTcpWalkthrough({ seed: 1, bytes: BYTES }).text).toBe(text);
    const other = runTcpWalkthrough({ seed: 2, bytes: BYTES }).run.rows;
    const isn = (rs: readonly TcpWalkRow[]): string => /ISN (\d+)/.exec(rs.find((r) => r.stage === 'tcp_v4_connect')!.what)![1]!;
    expect(isn(other)).not.toBe(isn(rows));
    expect(JSON.parse(result.json)).toEqual(rows);
  });
});
