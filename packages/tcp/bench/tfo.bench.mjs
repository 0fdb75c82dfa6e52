/**
 * tfo-latency-ratio: what TCP Fast Open saves a short request/response exchange, in virtual
 * time. Ten sequential connections a → b (10.0.0.1 → 10.0.0.2 over a veth pair, netem 10 ms
 * each way: RTT 20 ms), each one request and one response. value = the median request latency
 * without Fast Open (connect, then the request: 2 RTT), reference = the median with it (the first
 * connection asks for the cookie, the others put the request in the SYN: 1 RTT), so the ratio
 * printed (value / reference) is latency without / with TFO: 2 when TFO works as in Linux.
 * Deterministic (virtual time, seeded World): measured once.
 */
import { NUD_PERMANENT, World, attachNetem } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { MSG_FASTOPEN, TcpSocket, tcp } from '@netstack/tcp';

const ONE_WAY_MS = 10;
const CONNECTIONS = 10;
const REQ = new Uint8Array(100).fill(0x71);
const RESP = new Uint8Array(200).fill(0x72);

/** Latency (ms) of each of CONNECTIONS request/response exchanges, and the buffers left live. */
function exchanges(tfo) {
  const world = new World({ seed: 11 });
  const hosts = ['a', 'b'].map((n) => world.createNamespace(n, [loopback({ up: true }), veth(), ipv4(), tcp()]));
  const [a, b] = hosts;
  const devs = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  devs.forEach((d, i) => {
    d.open();
    getIpv4(hosts[i]).addAddress(d, `10.0.0.${i + 1}/24`);
    getIpv4(hosts[i]).arp.table.adminSet(d, devs[1 - i].addr, NUD_PERMANENT, 0x0a000001 + (1 - i));
    attachNetem(d, { delayMs: ONE_WAY_MS });
  });
  b.sysctl.set('net.ipv4.tcp_fastopen', tfo ? 3 : 1);
  const listener = TcpSocket.create(b);
  listener.bind('0.0.0.0', 80);
  listener.listen(64);
  if (tfo) listener.setsockopt('TCP_FASTOPEN', 64);
  const scratch = new Uint8Array(2048);
  listener.onAcceptable = () => {
    const child = listener.accept();
    const answer = () => {
      const n = child.tryRecv(scratch);
      if (n === REQ.length) child.send(RESP);
      if (n === 0) child.close();
    };
    child.onReadable = answer;
    answer();
  };
  const out = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    const s = TcpSocket.create(a);
    const t0 = world.scheduler.now();
    let t1 = 0;
    let pending = true;
    s.onReadable = () => {
      if (t1 === 0 && s.tryRecv(scratch) > 0) t1 = world.scheduler.now();
    };
    s.onWritable = () => {
      if (pending) s.send(REQ);
      pending = false;
    };
    if (!tfo) s.connect('10.0.0.2', 80);
    else {
      try {
        pending = s.sendto(REQ, MSG_FASTOPEN, '10.0.0.2', 80) !== REQ.length;
      } catch (e) {
        if (e.code !== 'EINPROGRESS') throw e;
      }
    }
    for (let i = 0; i < 100 && t1 === 0; i++) world.runFor(ONE_WAY_MS);
    out.push(t1 === 0 ? Infinity : (t1 - t0) / 1e6);
    s.close();
    world.runFor(200);
  }
  world.runFor(61_000);
  return { latencies: out, live: world.pool.live };
}

const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];

export default [
  {
    name: 'tfo-latency-ratio',
    unit: 'ms',
    description: `median request latency without TFO / with TFO (ratio = without / with), ${CONNECTIONS} connections, RTT ${2 * ONE_WAY_MS} ms, virtual time`,
    measure() {
      const off = exchanges(false);
      const on = exchanges(true);
      const bad = [...off.latencies, ...on.latencies].some((l) => !Number.isFinite(l));
      return {
        value: median(off.latencies),
        reference: median(on.latencies),
        verify: bad ? 'a request got no response' : on.latencies[0] !== off.latencies[0] ? 'the first TFO connection (cookie request) should take as long as without TFO' : null,
        poolLive: off.live + on.live,
      };
    },
  },
];
