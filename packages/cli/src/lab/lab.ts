/**
 * A lab: a World in virtual time built from a lab file. Building creates the namespaces with
 * their plugins, then the links (veth pairs across namespaces), applies each namespace's
 * sysctls, then runs its setup commands through the same `ip`/`sysctl`/`ping` code the CLI runs.
 * Every CLI invocation builds its lab anew from the file: same file and seed, same state.
 */
import { World, type NetDevice, type NetNamespace } from '@netstack/core';
import { createSimNicPair } from '@netstack/nic-drivers';
import { ToolExit, ToolIo, splitCommandLine, type ToolResult } from '../tools/io.js';
import { runTool, type ToolJob } from '../tools/run.js';
import { loadModules, pluginFor, type LabModules } from './modules.js';
import { LabError, LAB_PLUGINS, type LabSpec } from './spec.js';

/** One command run while building the lab (shown by `netstack lab run --steps`). */
export interface LabStep {
  ns: string;
  command: string;
  where: string;
  timeNs: number;
  result: ToolResult;
  /**
   * A command started in the background (`CMD &`): `started` is its start (and, for a tool that
   * ran to its end at once, all of its output); `done` is the rest of its output, when the
   * setup finished and the job was ended.
   */
  job?: { id: number; phase: 'started' | 'done' };
}

/** A setup command still running in the background. */
interface LabJob {
  id: number;
  ns: string;
  command: string;
  where: string;
  job: ToolJob;
}

/** Name of the namespace of a lab built without a file. */
export const DEFAULT_NS = 'default';

interface CarrierRecord {
  on: boolean;
  changes: number;
}

export class Lab {
  readonly world: World;
  readonly steps: LabStep[] = [];
  /** Commands run so far, kept for `lab run --steps`. */
  private readonly carrier = new WeakMap<NetDevice, CarrierRecord>();

  constructor(
    readonly spec: LabSpec,
    readonly modules: LabModules,
  ) {
    this.world = new World({ seed: spec.seed, cpus: spec.cpus });
    // Count carrier transitions from the first notifier event on, as the kernel's carrier_up/down counters do.
    this.world.events.on('namespace', (ns) => {
      ns.events.on('netdev', (event, dev) => {
        if (event === 'NETDEV_REGISTER') this.carrier.set(dev, { on: dev.carrier, changes: 0 });
        const rec = this.carrier.get(dev);
        if (rec !== undefined && rec.on !== dev.carrier) {
          rec.on = dev.carrier;
          rec.changes++;
        }
      });
    });
  }

  /** The file the lab came from (or the label of a built-in lab). */
  get file(): string {
    return this.spec.file;
  }

  get namespaces(): NetNamespace[] {
    return this.world.namespaceList;
  }

  namespace(name: string): NetNamespace | undefined {
    return this.world.namespaceList.find((ns) => ns.name === name);
  }

  /** The namespace commands run in when none is named: the only one, if the lab has one. */
  get defaultNamespace(): NetNamespace | null {
    const list = this.world.namespaceList;
    return list.length === 1 ? list[0]! : null;
  }

  /** `IFLA_CARRIER_CHANGES` of a device: carrier on/off transitions since it was registered. */
  carrierChanges(dev: NetDevice): number {
    return this.carrier.get(dev)?.changes ?? 0;
  }

  /** Run one tool command line (`ip ...`, `sysctl ...`, `ping ...`), in `ns` unless it names one. */
  exec(argv: readonly string[], ns?: NetNamespace, io?: ToolIo): ToolResult {
    return runTool(this, argv, ns, io !== undefined ? { io } : {});
  }

  /** Background jobs of the setup that are still running. */
  private readonly jobs: LabJob[] = [];
  private nextJob = 1;

  /** Start `argv` in the background, as a shell runs `CMD &`; the job is ended by `endJobs()`. */
  startJob(argv: readonly string[], ns: NetNamespace, command: string, where: string): ToolResult & { jobId: number } {
    const job: ToolJob = { finish: null };
    const id = this.nextJob++;
    const result = runTool(this, argv, ns, { job });
    if (job.finish !== null && result.status === 0) this.jobs.push({ id, ns: ns.name, command, where, job });
    return { ...result, jobId: id };
  }

  /** End every background job (the setup is over): each one's remaining output becomes a step. */
  endJobs(): void {
    for (const j of this.jobs.splice(0)) {
      const io = new ToolIo();
      const timeNs = this.world.scheduler.now();
      const status = j.job.finish!(io);
      this.steps.push({ ns: j.ns, command: j.command, where: j.where, timeNs, result: io.result(status), job: { id: j.id, phase: 'done' } });
    }
  }
}

/** Build a lab from a validated spec. Errors are LabErrors naming file, line, namespace and command. */
export async function buildLab(spec: LabSpec): Promise<Lab> {
  const lab = new Lab(spec, await loadModules(spec.namespaces.flatMap((n) => n.plugins)));
  const { world } = lab;
  const why = (err: unknown): string => (err instanceof Error ? err.message.replace(/^E[A-Z0-9]+: /, '') : String(err));

  for (const n of spec.namespaces) {
    try {
      world.createNamespace(n.name, n.plugins.map((p) => pluginFor(p, lab.modules)));
    } catch (err) {
      throw new LabError(`${n.where}: namespace "${n.name}": ${why(err)}`);
    }
  }

  for (const link of spec.links) {
    const [a, b] = link.ends;
    const nsA = world.namespace(a.ns);
    const nsB = world.namespace(b.ns);
    try {
      if (link.kind === 'simnic') {
        const o = link.options;
        const nic = { rxQueues: o.queues, ringSize: o.ring };
        createSimNicPair(nsA, { ...nic, name: a.dev, peer: { ...nic, name: b.dev, netns: nsB }, rate: o.rate, delay: o.delay });
      } else {
        // ip -n A link add DEV type veth peer name PEER netns B
        nsA.addLink({ kind: 'veth', name: a.dev, peer: { name: b.dev, netns: nsB } });
      }
    } catch (err) {
      throw new LabError(`${link.where}: ${link.kind} ${a.ns}:${a.dev} <-> ${b.ns}:${b.dev}: ${why(err)}`);
    }
  }

  for (const n of spec.namespaces) {
    const ns = world.namespace(n.name);
    for (const s of n.sysctl) {
      try {
        ns.sysctl.set(s.key, s.value);
      } catch (err) {
        throw new LabError(`${s.where}: namespace "${n.name}": sysctl ${s.key}: ${why(err)}`);
      }
    }
  }

  for (const n of spec.namespaces) {
    const ns = world.namespace(n.name);
    for (const cmd of n.setup) {
      let argv: string[];
      try {
        argv = splitCommandLine(cmd.text);
      } catch (err) {
        throw new LabError(`${cmd.where}: namespace "${n.name}", command "${cmd.text}": ${why(err)}`);
      }
      const timeNs = world.scheduler.now();
      // `CMD &`: started in the background, ended when the setup finishes.
      const background = argv.length > 1 && argv.at(-1) === '&' && /\s&$/.test(cmd.text);
      let result: ToolResult;
      if (background) {
        const started = lab.startJob(argv.slice(0, -1), ns, cmd.text, cmd.where);
        result = { status: started.status, stdout: started.stdout, stderr: started.stderr };
        lab.steps.push({ ns: n.name, command: cmd.text, where: cmd.where, timeNs, result, job: { id: started.jobId, phase: 'started' } });
      } else {
        result = lab.exec(argv, ns);
        lab.steps.push({ ns: n.name, command: cmd.text, where: cmd.where, timeNs, result });
      }
      if (result.status !== 0) {
        const msg = (result.stderr.trim() || `exit status ${result.status}`).split('\n').filter((l) => l !== '').join('; ');
        throw new LabError(`${cmd.where}: namespace "${n.name}", command "${cmd.text}": ${msg}`);
      }
    }
  }
  // Let the softirqs the setup raised (frames queued in backlogs) run; time does not move.
  world.drain();
  lab.endJobs();
  return lab;
}

/**
 * The lab of a command run without `--lab`: one namespace with every plugin available and `lo`
 * down, as a fresh `ip netns add` gives.
 */
export async function emptyLab(): Promise<Lab> {
  return buildLab({
    file: '(no lab)',
    seed: 1,
    cpus: 1,
    namespaces: [{ name: DEFAULT_NS, plugins: [...LAB_PLUGINS], sysctl: [], setup: [], where: '(no lab)' }],
    links: [],
  });
}

/** Read, validate and build a lab file. */
export async function loadLab(file: string): Promise<Lab> {
  const { readLab } = await import('./spec.js');
  return buildLab(await readLab(file));
}

export { LabError, ToolExit };
