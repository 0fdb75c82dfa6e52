/**
 * The `netstack host` subcommand's definition. Loads only commander: the stack is imported in
 * the action, so `netstack --help` stays fast.
 */
import { InvalidArgumentError, type Command } from 'commander';

interface HostCliOptions {
  tap?: string;
  vxlan?: string;
  vni?: number;
  vxlanPort: number;
  vxlanLocal?: string;
  addr: string;
  gw?: string;
  udpEcho?: number;
  tcpEcho?: number;
  http?: number;
  sysctl: string[];
  tfoQlen?: number;
  nstat: boolean;
  queues: number;
  vnetHdr: boolean;
  mtu?: number;
  seed?: number;
}

function intIn(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}].`);
    return n;
  };
}

const port = intIn(1, 65535);

export function addHostCommand(program: Command): void {
  program
    .command('host')
    .summary('run a netstack host on a real link (a TAP device or VXLAN), in real time: ARP, ICMP, optional UDP/TCP echo and HTTP')
    .description(
      'Run one netstack namespace (lo, IPv4 with ARP and ICMP, UDP, TCP) on a real link in real time. ' +
        'With --tap NAME it attaches to the kernel TAP device NAME (made beforehand with `ip tuntap add NAME mode tap`, ' +
        'or created now and removed at exit) and sets the kernel side up. With --vxlan REMOTE --vni N it runs on a VXLAN device ' +
        '(`type vxlan id N remote REMOTE dstport P`, --vxlan-port P default 4789, --vxlan-local ADDR) whose UDP socket is this process\'s, ' +
        'so the kernel routes the encapsulated frames. --addr puts the address on it; --gw adds a default route. ' +
        'Services: --udp-echo PORT, --tcp-echo PORT, --http PORT (node:http over netstack sockets: GET /bytes/N sends N bytes ' +
        'whose byte i is i % 251; POST /echo sends the body back). --sysctl KEY=VALUE (repeatable) sets sysctls by their kernel names. ' +
        'With net.ipv4.tcp_fastopen having the server bit 0x2, the TCP listeners set TCP_FASTOPEN (queue 511, or --tfo-qlen N; 0: not set), ' +
        'as a Fast Open server such as nginx does. --nstat prints the non-zero counters at exit. ' +
        'Prints its address and "ready", then runs until SIGINT or SIGTERM.',
    )
    .option('--tap <name>', 'kernel TAP device to attach to (or create)')
    .option('--vxlan <remote>', 'a VXLAN device to this remote VTEP (with --vni), over this process\'s UDP socket')
    .option('--vni <n>', 'VXLAN network identifier (id)', intIn(0, 0xffffff))
    .option('--vxlan-port <port>', 'VXLAN UDP port sent to and listened on (dstport)', port, 4789)
    .option('--vxlan-local <addr>', 'local address of the VXLAN socket (local)')
    .requiredOption('--addr <cidr>', 'address of the host on the link, e.g. 10.0.0.2/24')
    .option('--gw <addr>', 'default gateway')
    .option('--udp-echo <port>', 'UDP echo server port', port)
    .option('--tcp-echo <port>', 'TCP echo server port', port)
    .option('--http <port>', 'HTTP server port (GET /bytes/N, POST /echo)', port)
    .option('--sysctl <key=value>', 'set a sysctl (kernel name), repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--tfo-qlen <n>', 'TCP_FASTOPEN queue of the TCP listeners (default 511 when tcp_fastopen has 0x2; 0: none)', intIn(0, 0x7fffffff))
    .option('--nstat', 'at exit, print the non-zero counters as `nstat -a` does', false)
    .option('--queues <n>', 'TAP queues (IFF_MULTI_QUEUE when above 1)', intIn(1, 256), 1)
    .option('--no-vnet-hdr', 'no IFF_VNET_HDR: no checksum or GSO offload across the TAP')
    .option('--mtu <n>', 'MTU of the link', intIn(68, 65535))
    .option('--seed <n>', 'seed of the World (default: random)', intIn(0, 0xffff_ffff))
    .action(async (opts: HostCliOptions, cmd: Command) => {
      if ((opts.tap === undefined) === (opts.vxlan === undefined)) cmd.error('error: give exactly one link: --tap NAME or --vxlan REMOTE --vni N');
      const { runHost } = await import('./host.js');
      const { tapLink, vxlanLink } = await import('./link.js');
      const mtu = opts.mtu !== undefined ? { mtu: opts.mtu } : {};
      let link;
      if (opts.tap !== undefined) {
        link = tapLink({ name: opts.tap, queues: opts.queues, vnetHdr: opts.vnetHdr, ...mtu });
      } else {
        if (opts.vni === undefined) cmd.error('error: --vxlan needs --vni N');
        link = vxlanLink({ remote: opts.vxlan!, vni: opts.vni, port: opts.vxlanPort, ...(opts.vxlanLocal !== undefined ? { local: opts.vxlanLocal } : {}), ...mtu });
      }
      await runHost({
        link,
        addr: opts.addr,
        sysctl: opts.sysctl,
        nstat: opts.nstat,
        ...(opts.tfoQlen !== undefined ? { tfoQlen: opts.tfoQlen } : {}),
        ...(opts.gw !== undefined ? { gw: opts.gw } : {}),
        ...(opts.udpEcho !== undefined ? { udpEcho: opts.udpEcho } : {}),
        ...(opts.tcpEcho !== undefined ? { tcpEcho: opts.tcpEcho } : {}),
        ...(opts.http !== undefined ? { http: opts.http } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      });
    });
}
