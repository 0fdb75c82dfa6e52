/** A two-host lab (h1 10.0.0.1 — h2 10.0.0.2 over a veth pair, lo up, TCP installed) for tool tests. */
import { buildLab, type Lab } from '../../lab/lab.js';
import { parseLab } from '../../lab/spec.js';

const LAB = `
seed: 1
namespaces:
  h1:
    plugins: [loopback, veth, ipv4, udp, tcp]
    setup: [ip link set lo up, ip link set eth0 up, ip addr add 10.0.0.1/24 dev eth0]
  h2:
    plugins: [loopback, veth, ipv4, udp, tcp]
    setup: [ip link set lo up, ip link set eth0 up, ip addr add 10.0.0.2/24 dev eth0]
links:
  - veth: [h1:eth0, h2:eth0]
`;

/** The lab, built; `file` names it in messages. */
export async function twoHostsLab(file: string): Promise<Lab> {
  return buildLab(await parseLab(LAB, file));
}
