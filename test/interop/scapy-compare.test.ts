/**
 * netstack against Linux, frame by frame: scapy_probe.py sends the same hand-made frames (ARP
 * who-has, ICMP echo, UDP and TCP to closed ports, SYNs with Linux's option set, with none, with a
 * small MSS, a handshake and 100 bytes of data, a SYN left half-open) once to `netstack host` over
 * a TAP and once to the kernel over a veth pair, each in namespaces of its own, and reduces every
 * reply to what the kernel fixes: flags, options and their order, windows, ACK numbers, ICMP types
 * and quoted lengths, TTL/TOS/DF, frame lengths, and the spacing of SYN-ACK retransmissions.
 * Each probe's replies must be equal.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describeInterop, Netns, ROOT, startHost, waitForLine } from './netns.js';

const PROBE = join(ROOT, 'test/interop/scapy_probe.py');
const PROBES = ['arp', 'icmp_echo', 'udp_closed', 'syn_closed', 'ack_closed', 'syn_open_linux_opts', 'syn_open_no_opts', 'syn_open_mss536_no_ws', 'data_exchange', 'synack_retransmits'] as const;
type Results = Record<(typeof PROBES)[number], unknown>;

/** Run the probe script on `iface` inside `ns` (bounded); its JSON. */
function probe(ns: Netns, iface: string): Promise<Results> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns.name, '/usr/bin/python3', PROBE, iface], { timeout: 40_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`scapy_probe.py in ${ns.name}: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Results);
    });
  });
}

/** No IPv6 chatter (router solicitations, DAD) on the probed links. */
function quiet(ns: Netns): void {
  ns.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
}

describeInterop('scapy frames: netstack over TAP vs the Linux kernel', ['socat', 'python3'], () => {
  let nsN: Netns;
  let nsL1: Netns;
  let nsL2: Netns;
  let ours: Results;
  let linux: Results;

  beforeAll(async () => {
    // netstack: scapy on the kernel's side of tap0 (no address there), netstack host on the other.
    nsN = Netns.create('scn');
    quiet(nsN);
    nsN.ip('tuntap', 'add', 'tap0', 'mode', 'tap');
    nsN.ip('link', 'set', 'tap0', 'up');
    await startHost(nsN, ['--tap', 'tap0', '--addr', '10.206.0.2/24', '--tcp-echo', '7']);
    // Linux: scapy on s0 in L1, the kernel on k0 in L2 with the same address and an echo listener.
    nsL1 = Netns.create('scl');
    nsL2 = Netns.create('sck');
    quiet(nsL1);
    quiet(nsL2);
    nsL1.ip('link', 'add', 's0', 'type', 'veth', 'peer', 'name', 'k0', 'netns', nsL2.name);
    nsL1.ip('link', 'set', 's0', 'up');
    nsL2.ip('addr', 'add', '10.206.0.2/24', 'dev', 'k0');
    nsL2.ip('link', 'set', 'k0', 'up');
    const echo = nsL2.spawn(['socat', '-d', '-d', 'TCP-LISTEN:7,fork,reuseaddr', 'EXEC:cat']);
    await waitForLine(echo, /listening on/, 10_000, 'stderr');
    [ours, linux] = await Promise.all([probe(nsN, 'tap0'), probe(nsL1, 's0')]);
  }, 60_000);
  afterAll(() => {
    for (const ns of [nsN, nsL1, nsL2]) ns?.delete();
  });

  for (const name of PROBES) {
    it(`${name}: same reply as Linux`, () => {
      expect(linux[name], 'the kernel answered').not.toBeNull();
      expect(ours[name]).toEqual(linux[name]);
    });
  }
});
