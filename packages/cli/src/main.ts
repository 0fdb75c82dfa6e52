/**
 * The `netstack` command. This module loads only commander: each subcommand imports its
 * implementation (and with it the stack) inside its action, so `netstack --help` stays fast.
 */
import { createRequire } from 'node:module';
import { Command, InvalidArgumentError } from 'commander';
import { addHostCommand } from './host/command.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** Largest seed: the World's generator takes 32 bits. */
const MAX_SEED = 0xffff_ffff;

/** A commander argument parser for an integer in [min, max]; bad values end in a usage error. */
function intArg(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}].`);
    return n;
  };
}

interface WalkthroughCliOptions {
  seed?: number;
  cpus: number;
  cpu: number;
  json?: boolean;
}

/** An error the user caused or can act on: printed as one line, no stack. */
export class CliError extends Error {}

/** What a tool subcommand (`ip`, `sysctl`, `ping`) hands back to `main`. */
interface ToolRun {
  status: number;
}

/**
 * The command tree (exported for tests; `main` parses with it). `onTool` receives the exit
 * status of a tool subcommand (commander's actions cannot return one).
 */
export function buildProgram(onTool: (run: ToolRun) => void = () => {}): Command {
  const program = new Command('netstack')
    .description("The Linux kernel's network stack, stage by stage, as a TypeScript framework")
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--lab <file>', 'lab topology (YAML or JSON) the ip/sysctl/ping commands run in; without it, one namespace with lo')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .showHelpAfterError('(see netstack --help)')
    .addHelpCommand(false);

  const walkthrough = program
    .command('walkthrough')
    .summary('walk one frame (with "ping", one ping across a router; with "bridge", frames through a switch; with "tcp", a TCP connection and one read; with "tfo", a TCP Fast Open request) through the stack, stage by stage')
    .description(
      'Without a scenario: send a hello frame from host-a to host-b over a veth pair and print its walk through the ' +
        'stack (dev_queue_xmit, driver, backlog, NET_RX/NAPI, ETH_P_ALL tap, rx_handler, protocol ' +
        'handler), then a frame no handler takes (UNHANDLED_PROTO), then the counters.\n' +
        'With "ping": one ICMP echo from h1 to h2 across the router r1 of examples/labs/router.yaml (or --lab), ' +
        'ARP resolution first, every IP stage (PREROUTING, routing decision, FORWARD/INPUT, OUTPUT, POSTROUTING) in ' +
        'each namespace.\n' +
        'With "bridge": a frame from h1 to h2 through the switch sw of examples/labs/switch.yaml (or --lab) and h2\'s answer: ' +
        'the rx_handler of the bridge port (br_handle_frame, Consumed), the FDB lookup (flooded while h2 is unknown, forwarded ' +
        'once learned), the egress ports and the delivery, then bridge fdb show. ' +
        'With "tcp": a TCP connection from client to server over a veth pair and one read: the handshake segments, ' +
        'the socket lookup (established table, then listener), the backlog while a user call owns the socket, the ' +
        'receive queue, the wake-up (onReadable) and read(), then ss -tani and the TCP counters. ' +
        'With "tfo": two requests with TCP Fast Open over a link with a 20 ms RTT: the cookie request, then the ' +
        'cookie and the request in the SYN, the child made at the SYN, the data read before the final ACK. ' +
        'Every line comes from the packet trace or the counters of the run, in virtual time.',
    )
    .argument('[scenario]', 'hello (default), ping, bridge, tcp or tfo')
    .showHelpAfterError('(see netstack walkthrough --help)')
    .option('--seed <n>', 'seed of the World (MAC addresses and every other random number)', intArg(0, MAX_SEED))
    .option('--cpus <n>', 'number of simulated CPUs (hello)', intArg(1, 256), 1)
    .option('--cpu <n>', 'CPU the sender runs on (hello; the receive softirq runs there too)', intArg(0, 255), 0)
    .option('--json', 'print the trace records as JSON instead of the text walk')
    .action(async (scenario: string | undefined, opts: WalkthroughCliOptions, cmd: Command) => {
      const which = scenario ?? 'hello';
      if (which === 'ping') {
        const lab = program.opts<{ lab?: string }>().lab;
        const { runPingWalkthrough } = await import('./walkthrough/ping-walkthrough.js');
        const result = await runPingWalkthrough({ ...(lab !== undefined ? { lab } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        process.stdout.write(opts.json === true ? result.json : result.text);
        return;
      }
      if (which === 'bridge') {
        const lab = program.opts<{ lab?: string }>().lab;
        const { runBridgeWalkthrough } = await import('./walkthrough/bridge-walkthrough.js');
        const result = await runBridgeWalkthrough({ ...(lab !== undefined ? { lab } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        process.stdout.write(opts.json === true ? result.json : result.text);
        return;
      }
      if (which === 'tcp') {
        const { runTcpWalkthrough } = await import('./walkthrough/tcp-walkthrough.js');
        const result = runTcpWalkthrough({ ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        process.stdout.write(opts.json === true ? result.json : result.text);
        return;
      }
      if (which === 'tfo') {
        const { runTfoWalkthrough } = await import('./walkthrough/tfo-walkthrough.js');
        const result = runTfoWalkthrough({ ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        process.stdout.write(opts.json === true ? result.json : result.text);
        return;
      }
      if (which !== 'hello') cmd.error(`error: unknown walkthrough '${which}' (hello, ping, bridge, tcp or tfo)`);
      if (opts.cpu >= opts.cpus) cmd.error(`error: option '--cpu <n>' must be below --cpus (${opts.cpus}), got ${opts.cpu}`);
      const { runWalkthrough, walkthroughJson } = await import('./walkthrough/walkthrough.js');
      const result = runWalkthrough({ seed: opts.seed ?? 1, cpus: opts.cpus, cpu: opts.cpu });
      process.stdout.write(opts.json === true ? walkthroughJson(result) : result.text);
    });
  void walkthrough;

  const tool = (name: 'ip' | 'bridge' | 'sysctl' | 'ping' | 'iptables' | 'ss' | 'nstat' | 'tcpdump' | 'tc' | 'ethtool', summary: string): void => {
    program
      .command(name)
      .summary(summary)
      .usage('[ARGS...] (as the real tool takes them; --help for its usage)')
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .argument('[args...]')
      .action(async (args: string[]) => {
        const file = program.opts<{ lab?: string }>().lab;
        const { runCli } = await import('./cli-tools.js');
        onTool({ status: await runCli(file ?? null, [name, ...args]) });
      });
  };
  tool('ip', 'iproute2 ip: address, link, route, rule, neighbour, netns (-n NS picks a lab namespace)');
  tool('bridge', 'iproute2 bridge: fdb add/del/show, link [set], vlan add/del/show, in a lab namespace (-n NS)');
  tool('sysctl', 'sysctl -a | KEY | -w KEY=VALUE, in a lab namespace (-n NS)');
  tool('ping', 'iputils ping -c N [-s size] [-t ttl] [-i interval] DST from a lab namespace (-n NS), in virtual time');
  tool('iptables', 'iptables filter table (-A/-I/-D/-L/-S/-F/-Z/-N/-X/-P) in a lab namespace (-n NS when NS is a lab namespace, or --netns NS)');
  tool('ss', 'iproute2 ss for TCP sockets: -t -l -a -n -i -o -H -O -4 -6 (-tin, -tln, -tan, ...), in a lab namespace (-N NS)');
  tool('tc', 'iproute2 tc for qdiscs: show (-s), add/replace/change/del root pfifo_fast, noqueue, fq, fq_codel, netem with options, in a lab namespace (-n NS)');
  tool('ethtool', 'ethtool 6.1: -k, -K name on|off, -i, -S, -l, -x of a lab device (veth, lo), in a lab namespace (-n NS or --netns NS)');
  tool('nstat', 'iproute2 nstat: SNMP counters (-a absolute, -z zeros, -r, -s, -n; patterns), deltas since the last run per namespace (-n NS or --netns NS)');
  tool('tcpdump', 'tcpdump 4.99: -r FILE (pcap/pcapng), -w FILE, -d/-dd/-ddd, filters, -nn -e -v -x -X -q -t -c; -i IFACE|any live in a lab namespace (-n NS) for --duration virtual seconds');

  const lab = program.command('lab').summary('lab topologies and experiments: build a lab file, run an experiment, calibrate the CPU cost model').addHelpCommand(false);
  lab
    .command('run')
    .summary('run an experiment (gro, rps, ...) or build a lab file and print its topology (--steps: each setup command and its output)')
    .argument('<name|file>', 'experiment name (see `netstack lab list`) or lab file (YAML or JSON)')
    .option('--steps', 'lab file: print every setup command as it runs, with its output')
    .option('--seed <n>', 'experiment: seed of its Worlds', intArg(0, MAX_SEED))
    .option('--quick', 'experiment: smaller runs (same shape, fewer packets)')
    .option('--out <dir>', 'experiment: directory of the SVG plot lab-<name>.svg (default: .)')
    .option('--calibration <file>', 'experiment: cost model calibration (default: the committed one)')
    .action(async (target: string, opts: { steps?: boolean; seed?: number; quick?: boolean; out?: string; calibration?: string }) => {
      const { loadExperiment } = await import('./lab/experiments/index.js');
      const experiment = await loadExperiment(target);
      if (experiment !== null) {
        const { runExperiment } = await import('./lab/experiments/runner.js');
        const run = await runExperiment(experiment, {
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          quick: opts.quick === true,
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          ...(opts.calibration !== undefined ? { calibration: opts.calibration } : {}),
          progressStream: process.stderr,
        });
        process.stdout.write(run.text);
        return;
      }
      const { labRunText } = await import('./lab/render.js');
      const { loadLab } = await import('./lab/lab.js');
      process.stdout.write(labRunText(await loadLab(target), { steps: opts.steps === true }));
    });
  lab
    .command('list')
    .summary('list the experiments `lab run` knows')
    .action(async () => {
      const { EXPERIMENTS } = await import('./lab/experiments/index.js');
      for (const [name, load] of Object.entries(EXPERIMENTS)) process.stdout.write(`${name.padEnd(10)} ${(await load()).summary}\n`);
    });
  lab
    .command('calibrate')
    .summary("measure each stage of the CPU cost model in real time and write the constants with their source (machine, CPU, node, date, method) as JSON")
    .option('--out <file>', 'where to write the calibration', 'cost-calibration.json')
    .option('--quick', 'fewer, shorter runs (noisier)')
    .action(async (opts: { out: string; quick?: boolean }) => {
      const { calibrate } = await import('./lab/calibrate/calibrate.js');
      const { progressBar } = await import('./lab/experiments/runner.js');
      const { writeFileSync } = await import('node:fs');
      const bar = progressBar(process.stderr, 'calibrate');
      let calibration;
      try {
        calibration = calibrate({ quick: opts.quick === true, onProgress: (d, t) => bar.update(d, t) });
      } finally {
        bar.stop();
      }
      writeFileSync(opts.out, JSON.stringify(calibration, null, 2) + '\n');
      const { COST_STAGE_NAMES } = await import('@netstack/core');
      const rows = COST_STAGE_NAMES.map((n) => [n, calibration.stages[n]?.nsPerPacket ?? 0, calibration.stages[n]?.nsPerByte ?? 0] as const);
      const { renderTable } = await import('./lab/experiments/table.js');
      process.stdout.write(`Calibrated on ${calibration.source.cpuModel}, node ${calibration.source.node}, ${calibration.source.date}\n`);
      process.stdout.write(renderTable({ columns: ['stage', 'ns/packet', 'ns/byte'], rows }));
      process.stdout.write(`Method: ${calibration.source.method}\nWritten to ${opts.out}\n`);
    });

  addHostCommand(program);
  return program;
}

function isNetError(err: unknown): err is Error & { code: string } {
  return err instanceof Error && (err.name === 'NetError' || err.name === 'CompositionError' || err.name === 'LabError');
}

/** Run the command line; returns the exit code (commander exits by itself on usage errors and --help). */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  // `netstack walkthrough | head`: a closed pipe is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    let status = 0;
    await buildProgram((run) => (status = run.status)).parseAsync([...argv]);
    process.exitCode = status;
    return status;
  } catch (err) {
    if (err instanceof CliError || isNetError(err)) {
      process.stderr.write(`netstack: ${err.message}\n`);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      process.stderr.write(`netstack: internal error: ${e.message}\n`);
      if (process.env['NETSTACK_DEBUG']) process.stderr.write(`${e.stack ?? ''}\n`);
      else process.stderr.write('netstack: set NETSTACK_DEBUG=1 to see the stack trace\n');
    }
    process.exitCode = 1;
    return 1;
  }
}
