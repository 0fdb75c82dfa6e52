import { beforeEach, describe, expect, it } from 'vitest';
import { TcpSocket, formatSsTcpInfo, tcpGetInfo } from '@netstack/tcp';
import { buildLab, type Lab } from '../../lab/lab.js';
import { parseLab } from '../../lab/spec.js';
import { COL_PROC, renderSsTable } from './columns.js';
import { REAL_SS_OUTPUT } from './test-ss-output.js';

/** The rows of a real `ss -t...` output: its fields, split back as ss.c wrote them. */
function fieldsOf(real: string): string[][] {
  const rows: string[][] = [];
  for (const line of real.split('\n').slice(1)) {
    if (line === '') continue;
    if (line.startsWith('\t')) {
      rows.at(-1)![COL_PROC] += `\n${line.replace(/ +$/, '')}`;
      continue;
    }
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\S+):(\S+)\s+(\S+):(\S+?)( timer:\(.*\))?\s*$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, state, rq, wq, local, lport, peer, rport, timer] = m!;
    rows.push(['', state!, rq!.padEnd(6), wq!.padEnd(6), `${local}:`, lport!, `${peer}:`, rport!, timer ?? '']);
  }
  return rows;
}

describe("ss's column engine against the real ss of this machine", () => {
  it.each(Object.keys(REAL_SS_OUTPUT))('reprints `ss %s` byte for byte from its fields', (key) => {
    const real = REAL_SS_OUTPUT[key]!;
    expect(renderSsTable(fieldsOf(real), [true], false)).toBe(real);
  });

  it('prints nothing with -H and no sockets, and only the header without -H', () => {
    expect(renderSsTable([], [true], true)).toBe('');
    expect(renderSsTable([], [true], false)).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(renderSsTable([], [false], false)).toBe('Netid State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
  });
});

const LAB = `
seed: 1
namespaces:
  h1:
    plugins: [loopback, veth, ipv4, tcp]
    setup: [ip link set lo up, ip link set eth0 up, ip addr add 10.0.0.1/24 dev eth0]
  h2:
    plugins: [loopback, veth, ipv4, tcp]
    setup: [ip link set lo up, ip link set eth0 up, ip addr add 10.0.0.2/24 dev eth0]
links:
  - veth: [h1:eth0, h2:eth0]
`;

interface Conn {
  lab: Lab;
  listener: TcpSocket;
  client: TcpSocket;
  server: TcpSocket;
}

/** h2 listens on :5001 (backlog 16), h1 connects and sends 1000 bytes nobody reads. */
async function connection(): Promise<Conn> {
  const lab = await buildLab(await parseLab(LAB, 'tcp.yaml'));
  const listener = TcpSocket.create(lab.namespace('h2')!);
  listener.bind('0.0.0.0', 5001);
  listener.listen(16);
  const client = TcpSocket.create(lab.namespace('h1')!);
  const accepted: TcpSocket[] = [];
  listener.onAcceptable = () => accepted.push(listener.accept());
  client.connect('10.0.0.2', 5001);
  lab.world.runFor(10);
  client.send(new Uint8Array(1000).fill(1));
  lab.world.runFor(100);
  return { lab, listener, client, server: accepted[0]! };
}

const out = (lab: Lab, line: string): string => {
  const r = lab.exec(line.split(' '));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

describe('netstack ss on a lab', () => {
  let c: Conn;
  beforeEach(async () => {
    c = await connection();
  });

  it('-tln: the listener, with its accept queue and backlog as Recv-Q/Send-Q', () => {
    expect(out(c.lab, 'ss -N h2 -tln')).toBe(
      ['State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess', 'LISTEN 0      16           0.0.0.0:5001      0.0.0.0:*          ', ''].join('\n'),
    );
    expect(out(c.lab, 'ip netns exec h2 ss -tln')).toBe(out(c.lab, 'ss -N h2 -tln'));
    expect(out(c.lab, 'ss --net=h2 -tln')).toBe(out(c.lab, 'ss -N h2 -tln'));
  });

  it('-tan: listener first, then the connection with the unread bytes as Recv-Q', () => {
    const port = c.client.sk.sport;
    expect(out(c.lab, 'ss -N h2 -tan')).toBe(
      [
        'State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
        'LISTEN 0      16           0.0.0.0:5001      0.0.0.0:*           ',
        `ESTAB  1000   0           10.0.0.2:5001     10.0.0.1:${port}       `,
        '',
      ].join('\n'),
    );
    // Without -a or -l, ss lists connections only (SS_CONN).
    expect(out(c.lab, 'ss -N h2 -tn')).not.toContain('LISTEN');
    expect(out(c.lab, 'ss -N h1 -tn')).toMatch(new RegExp(`^ESTAB 0 +0 +10\\.0\\.0\\.1:${port} +10\\.0\\.0\\.2:5001 +$`, 'm'));
  });

  it('Send-Q counts what is written and not acknowledged; SYN-SENT has its SYN there', () => {
    const h1 = c.lab.namespace('h1')!;
    c.client.send(new Uint8Array(500));
    expect(out(c.lab, 'ss -N h1 -tn')).toMatch(/^ESTAB 0 +500 /m);
    const other = TcpSocket.create(h1);
    other.connect('10.0.0.2', 5001);
    expect(out(c.lab, 'ss -N h1 -tn')).toMatch(new RegExp(`^SYN-SENT 0 +1 +10\\.0\\.0\\.1:${other.sk.sport} `, 'm'));
  });

  it('-tin: the second line is formatSsTcpInfo of tcpGetInfo, after a tab', () => {
    const text = out(c.lab, 'ss -N h2 -tin');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^State Recv-Q Send-Q Local Address:Port +Peer Address:Port ?Process/);
    expect(lines[1]).toMatch(/^ESTAB 1000 +0 +10\.0\.0\.2:5001 +10\.0\.0\.1:\d+$/);
    expect(lines[2]).toBe(`\t${formatSsTcpInfo(tcpGetInfo(c.server.sk), 'cubic')}`);
    expect(lines[2]).toContain(' bytes_received:1000 ');
    // -tlni: a listener's details are its congestion control and cwnd (tcp_get_info stops there).
    expect(out(c.lab, 'ss -N h2 -tlni').split('\n')[2]).toBe('\t cubic cwnd:10');
  });

  it('-o shows the retransmit timer of unacknowledged data, and the options bits with -i', () => {
    c.client.send(new Uint8Array(100));
    expect(out(c.lab, 'ss -N h1 -tno')).toMatch(/:5001 timer:\(on,\d+ms,0\)$/m);
    expect(out(c.lab, 'ss -N h1 -tnoi')).toMatch(/\n\t ts sack cubic wscale:/);
  });

  it('without -t it shows the Netid column; without -n known ports get service names', () => {
    const web = TcpSocket.create(c.lab.namespace('h2')!);
    web.bind('0.0.0.0', 80);
    web.listen(5);
    expect(out(c.lab, 'ss -N h2 -l')).toBe(
      [
        'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
        'tcp   LISTEN 0      16           0.0.0.0:5001      0.0.0.0:*          ',
        'tcp   LISTEN 0      5            0.0.0.0:http      0.0.0.0:*          ',
        '',
      ].join('\n'),
    );
    expect(out(c.lab, 'ss -N h2 -tln')).toContain('0.0.0.0:80 ');
  });

  it('ends with an error for what it does not implement, and for bad options', () => {
    expect(c.lab.exec(['ss', '-N', 'h2', '-u'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^netstack: ss -u is not supported/) });
    expect(c.lab.exec(['ss', '-N', 'h2', '-tq'])).toMatchObject({ status: 255, stderr: expect.stringMatching(/^ss: invalid option -- 'q'\nUsage: ss/) });
    expect(c.lab.exec(['ss', '-N', 'h2', '-t', 'state', 'established'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/filters .* are not supported/) });
    expect(c.lab.exec(['ss', '-N', 'nope', '-t'])).toMatchObject({ status: 1, stderr: 'Cannot open network namespace "nope": No such file or directory\n' });
    expect(c.lab.exec(['ss', '-t'])).toMatchObject({ status: 255, stderr: expect.stringMatching(/say which with "ss -N NAME/) });
  });
});
