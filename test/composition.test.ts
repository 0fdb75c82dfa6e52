/**
 * Composition of a namespace from plugins: failures happen when the stack is put together, as a
 * CompositionError naming the plugins and carrying an errno code, never at the first packet.
 */
import { describe, expect, it } from 'vitest';
import { CompositionError, NetError, World, definePlugin, type Plugin } from '@netstack/core';
import { loopback, veth, vlan } from '@netstack/nic-drivers';

function compositionError(fn: () => unknown): CompositionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CompositionError);
    expect(err).toBeInstanceOf(NetError);
    return err as CompositionError;
  }
  throw new Error('expected a CompositionError, nothing was thrown');
}

/** A plugin that records its setup in `log`. */
function probe(name: string, log: string[], dependsOn: string[] = [], setup: Plugin['setup'] = () => {}): Plugin {
  return definePlugin({
    name,
    dependsOn,
    setup(ns) {
      log.push(name);
      setup(ns);
    },
  });
}

describe('plugin composition', () => {
  it('sets dependencies up first, whatever order they are given in', () => {
    const world = new World();
    const log: string[] = [];
    const ns = world.createNamespace('h', [probe('tcp', log, ['ipv4']), probe('ipv4', log, ['eth']), probe('app', log, ['tcp', 'eth']), probe('eth', log)]);
    expect(log).toEqual(['eth', 'ipv4', 'tcp', 'app']);
    expect(ns.pluginNames).toEqual(['eth', 'ipv4', 'tcp', 'app']);
    // A later `use` may depend on what is installed already.
    ns.use(probe('udp', log, ['ipv4']));
    expect(log.at(-1)).toBe('udp');
    expect(ns.hasPlugin('udp')).toBe(true);
  });

  it('missing dependency: ENOENT, naming the plugin and what it lacks, before any setup runs', () => {
    const world = new World();
    const log: string[] = [];
    const err = compositionError(() => world.createNamespace('h', [probe('eth', log), probe('tcp', log, ['ipv4'])]));
    expect(err.code).toBe('ENOENT');
    expect(err.errno).toBe(2);
    expect(err.plugins).toEqual(['tcp', 'ipv4']);
    expect(err.message).toContain('"tcp"');
    expect(err.message).toContain('"ipv4"');
    expect(log).toEqual([]);
    // The failed namespace did not keep its name: the fixed stack composes under it.
    const ns = world.createNamespace('h', [probe('eth', log), probe('ipv4', log), probe('tcp', log, ['ipv4'])]);
    expect(ns.pluginNames).toEqual(['eth', 'ipv4', 'tcp']);
    expect(world.namespace('h')).toBe(ns);
  });

  it('plugin installed twice: EEXIST, in one call or across calls', () => {
    const world = new World();
    const log: string[] = [];
    const e1 = compositionError(() => world.createNamespace('h1', [probe('eth', log), probe('eth', log)]));
    expect(e1.code).toBe('EEXIST');
    expect(e1.plugins).toEqual(['eth']);
    expect(log).toEqual([]);

    const ns = world.createNamespace('h2', [loopback()]);
    const e2 = compositionError(() => ns.use(loopback()));
    expect(e2.code).toBe('EEXIST');
    expect(e2.plugins).toEqual(['loopback']);
    expect(ns.devices.map((d) => d.name)).toEqual(['lo']);
  });

  it('dependency cycle: ELOOP, naming the plugins on the cycle, before any setup runs', () => {
    const world = new World();
    const log: string[] = [];
    const err = compositionError(() => world.createNamespace('h', [probe('a', log, ['b']), probe('b', log, ['c']), probe('c', log, ['a']), probe('free', log)]));
    expect(err.code).toBe('ELOOP');
    expect(err.errno).toBe(40);
    expect([...new Set(err.plugins)].sort()).toEqual(['a', 'b', 'c']);
    expect(err.message).toMatch(/a -> b -> c -> a/);
    expect(log).toEqual([]);
  });

  it('two plugins claiming one ethertype: EEXIST, both names in the message and in .plugins', () => {
    const world = new World();
    const claimIp = (name: string) => definePlugin({ name, setup: (ns) => ns.claim('ethertype', 0x0800) });
    const err = compositionError(() => world.createNamespace('h', [claimIp('ipv4'), claimIp('my-ipv4')]));
    expect(err.code).toBe('EEXIST');
    expect(err.plugins).toEqual(['ipv4', 'my-ipv4']);
    expect(err.message).toContain('"ipv4"');
    expect(err.message).toContain('"my-ipv4"');
    expect(err.message).toContain('0x0800');
    // Distinct values, or distinct kinds with the same value, do not conflict.
    const ok = world.createNamespace('h2', [
      definePlugin({ name: 'ipv4', setup: (ns) => ns.claim('ethertype', 0x0800) }),
      definePlugin({ name: 'ipv6', setup: (ns) => ns.claim('ethertype', 0x86dd) }),
      definePlugin({ name: 'tcp', setup: (ns) => ns.claim('ipproto', 0x0800) }),
    ]);
    expect(ok.pluginNames).toEqual(['ipv4', 'ipv6', 'tcp']);
  });

  it('two plugins registering the same link kind: EEXIST naming both', () => {
    const world = new World();
    const impostor = definePlugin({ name: 'my-veth', setup: (ns) => ns.registerLinkKind('veth', () => ns.dev('lo')) });
    const err = compositionError(() => world.createNamespace('h', [loopback(), veth(), impostor]));
    expect(err.code).toBe('EEXIST');
    expect(err.plugins).toEqual(['veth', 'my-veth']);
    expect(err.message).toContain('"veth"');
    expect(err.message).toContain('"my-veth"');
  });

  it('composes the real driver plugins into a working namespace (link kinds usable through addLink)', () => {
    const world = new World();
    const a = world.createNamespace('a', [loopback(), veth(), vlan()]);
    const b = world.createNamespace('b', [loopback()]);
    const va = a.addLink({ kind: 'veth', name: 'veth0', peer: { name: 'veth1', netns: b } });
    const v5 = a.addLink({ kind: 'vlan', name: 'veth0.5', link: 'veth0', id: 5 });
    expect(a.devices.map((d) => d.name)).toEqual(['lo', 'veth0', 'veth0.5']);
    expect(b.devices.map((d) => d.name)).toEqual(['lo', 'veth1']);
    expect(va.upperDevs).toEqual([v5]);
    let caught: unknown;
    try {
      b.addLink({ kind: 'vlan', name: 'x', link: 'veth1', id: 1 });
    } catch (e) {
      caught = e;
    }
    expect((caught as NetError).code).toBe('EOPNOTSUPP');
  });
});
