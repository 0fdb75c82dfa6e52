/**
 * The `netstack` command. This module loads only commander: each subcommand imports its
 * implementation (and with it the stack) inside its action, so `netstack --help` stays fast.
 */
import { createRequire } from 'node:module';
import { Command, InvalidArgumentError } from 'commander';

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
  seed: number;
  cpus: number;
  cpu: number;
  json?: boolean;
}

/** An error the user caused or can act on: printed as one line, no stack. */
export class CliError extends Error {}

/** The command tree (exported for tests; `main` parses with it). */
export function buildProgram(): Command {
  const program = new Command('netstack')
    .description("The Linux kernel's network stack, stage by stage, as a TypeScript framework")
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(see netstack --help)')
    .addHelpCommand(false);

  program
    .command('walkthrough')
    .summary('walk one frame through the stack, stage by stage, from the packet trace')
    .description(
      'Send a hello frame from host-a to host-b over a veth pair and print its walk through the ' +
        'stack (dev_queue_xmit, driver, backlog, NET_RX/NAPI, ETH_P_ALL tap, rx_handler, protocol ' +
        'handler), then a frame no handler takes (UNHANDLED_PROTO), then the counters. Every line ' +
        'comes from the packet trace or the counters of the run, in virtual time.',
    )
    .showHelpAfterError('(see netstack walkthrough --help)')
    .option('--seed <n>', 'seed of the World (MAC addresses and every other random number)', intArg(0, MAX_SEED), 1)
    .option('--cpus <n>', 'number of simulated CPUs', intArg(1, 256), 1)
    .option('--cpu <n>', 'CPU the sender runs on (the receive softirq runs there too)', intArg(0, 255), 0)
    .option('--json', 'print the trace records as JSON instead of the text walk')
    .action(async (opts: WalkthroughCliOptions, cmd: Command) => {
      if (opts.cpu >= opts.cpus) cmd.error(`error: option '--cpu <n>' must be below --cpus (${opts.cpus}), got ${opts.cpu}`);
      const { runWalkthrough, walkthroughJson } = await import('./walkthrough/walkthrough.js');
      const result = runWalkthrough({ seed: opts.seed, cpus: opts.cpus, cpu: opts.cpu });
      process.stdout.write(opts.json === true ? walkthroughJson(result) : result.text);
    });

  return program;
}

function isNetError(err: unknown): err is Error & { code: string } {
  return err instanceof Error && (err.name === 'NetError' || err.name === 'CompositionError');
}

/** Run the command line; returns the exit code (commander exits by itself on usage errors and --help). */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  // `netstack walkthrough | head`: a closed pipe is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
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
