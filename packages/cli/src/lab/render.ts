/**
 * `netstack lab run FILE [--steps]`: what a lab built, as an engineer would check it: per
 * namespace its plugins, `ip -br addr`, `ip route` and the sysctls the file set; then the links.
 * With `--steps`, every setup command first, with its output. All from the built stack.
 */
import { vethPeer } from '@netstack/nic-drivers';
import type { Lab } from './lab.js';

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => by + l)
    .join('\n');
}

export function labRunText(lab: Lab, opts: { steps: boolean }): string {
  const out: string[] = [];
  const { spec, world } = lab;
  const links = spec.links.length;
  out.push(`lab ${spec.file}: seed ${spec.seed}, ${spec.namespaces.length} namespace${spec.namespaces.length === 1 ? '' : 's'}, ${links} link${links === 1 ? '' : 's'}`);
  if (opts.steps) {
    out.push('', 'setup, in file order:');
    for (const s of lab.steps) {
      if (s.job?.phase === 'done') {
        // As a shell reports a finished job: `[1]+  Done  CMD`.
        out.push(`  ${s.ns}# [${s.job.id}]+  ${s.result.status === 0 ? 'Done' : `Exit ${s.result.status}`}  ${s.command.replace(/\s*&$/, '')}`);
      } else {
        out.push(`  ${s.ns}# ${s.command}`);
      }
      if (s.result.stdout !== '') out.push(indent(s.result.stdout, '    '));
      if (s.result.stderr !== '') out.push(indent(s.result.stderr, '    '));
    }
  } else if (lab.steps.some((s) => s.job !== undefined)) {
    // Background jobs (`CMD &`) print what they saw when the setup finishes.
    out.push('', 'background jobs of the setup (ended when it finished):');
    for (const started of lab.steps) {
      if (started.job?.phase !== 'started') continue;
      out.push(`  ${started.ns}# ${started.command}`);
      const done = lab.steps.find((s) => s.job?.phase === 'done' && s.job.id === started.job!.id);
      for (const s of done !== undefined ? [started, done] : [started]) {
        if (s.result.stdout !== '') out.push(indent(s.result.stdout, '    '));
        if (s.result.stderr !== '') out.push(indent(s.result.stderr, '    '));
      }
    }
  }
  for (const n of spec.namespaces) {
    const ns = world.namespace(n.name);
    out.push('', `namespace ${n.name} (plugins: ${ns.pluginNames.join(', ')})`);
    const addr = lab.exec(['ip', '-br', 'addr'], ns);
    out.push(indent(addr.stdout, '  '));
    if (ns.hasPlugin('ipv4')) {
      const routes = lab.exec(['ip', 'route'], ns).stdout;
      out.push('  routes:');
      out.push(routes === '' ? '    (none)' : indent(routes, '    '));
    }
    if (n.sysctl.length > 0) {
      out.push('  sysctl:');
      for (const s of n.sysctl) out.push(indent(lab.exec(['sysctl', s.key], ns).stdout, '    '));
    }
  }
  if (links > 0) {
    out.push('', 'links:');
    for (const l of spec.links) {
      const [a, b] = l.ends;
      const devA = world.namespace(a.ns).dev(a.dev);
      const peer = vethPeer(devA);
      out.push(`  veth ${a.ns}:${a.dev} (ifindex ${devA.ifindex}, ${devA.macAddress}) <-> ${b.ns}:${b.dev} (ifindex ${peer?.ifindex ?? '?'}, ${peer?.macAddress ?? '?'})`);
    }
  }
  return out.join('\n').replace(/[ ]+$/gm, '') + '\n';
}
