/**
 * A stack composed from the compiled output, not the sources: the packages' dist/index.js are
 * loaded by Node's own ESM loader through file URLs (no vitest alias or transform), so
 * nic-drivers' `import '@netstack/core'` resolves through node_modules to core's dist, as it will
 * for users. Catches what only the build can break: decorator metadata, emitted imports with
 * `.js` suffixes, `reflect-metadata` loading order, one shared core instance.
 * `npm test` builds first (`tsc -b`); run `npm run build` before running this file alone.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORE_DIST = resolve(ROOT, 'packages/core/dist/index.js');
const NIC_DIST = resolve(ROOT, 'packages/nic-drivers/dist/index.js');

/**
 * Runs in a child `node` process: Node's own loader, no vitest module runner, no aliases. Prints
 * one JSON line of what it observed; the assertions are made here.
 */
const SCRIPT = `
const core = await import(process.env.CORE_URL);
const nic = await import(process.env.NIC_URL);
const viaName = await import(process.env.CORE_VIA_NODE_MODULES_URL);
const world = new core.World({ seed: 11 });
const a = world.createNamespace('a', [nic.loopback(), nic.veth()]);
const b = world.createNamespace('b', [nic.loopback()]);
const [va, vb] = nic.createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
va.open();
vb.open();
const got = [];
b.devAddPack({
  type: core.ETH_P_802_EX1, dev: null, data: null, owner: 'compiled-test',
  func: (skb, dev) => {
    got.push({ len: skb.len, proto: skb.protocol, dev: dev.name, payload: Array.from(skb.buf.subarray(skb.data, skb.data + 4)) });
    core.consumeSkb(skb);
    return core.NET_RX_SUCCESS;
  },
});
const skb = world.pool.alloc(60);
const o = skb.put(60);
skb.buf.set(vb.addr, o);
skb.buf.set(va.addr, o + 6);
skb.buf[o + 12] = 0x88;
skb.buf[o + 13] = 0xb5;
skb.buf.set([0xde, 0xad, 0xbe, 0xef], o + 14);
skb.dev = va;
const xmit = core.devQueueXmit(skb);
const beforeSoftirq = got.length;
world.runUntilIdle();
console.log(JSON.stringify({
  sameCore: viaName.World === core.World,
  running: va.isRunning && vb.isRunning,
  peerOk: nic.vethPeer(va) === vb,
  containersDiffer: a.container !== b.container,
  devices: [a, b].map((ns) => ns.devices.map((d) => d.name + '@' + d.ifindex)),
  loIndex: [a.dev('lo').ifindex, b.dev('lo').ifindex, core.LOOPBACK_IFINDEX],
  xmit, beforeSoftirq, got,
  rx: vb.stats.rx_packets, tx: va.stats.tx_packets, live: world.pool.live,
  etherType: core.ETH_P_802_EX1,
}));
`;

function runCompiled(): Record<string, unknown> {
  const env = {
    ...process.env,
    CORE_URL: pathToFileURL(CORE_DIST).href,
    NIC_URL: pathToFileURL(NIC_DIST).href,
    CORE_VIA_NODE_MODULES_URL: pathToFileURL(resolve(realpathSync(resolve(ROOT, 'node_modules/@netstack/core')), 'dist/index.js')).href,
  };
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`node exited ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('compiled output (dist/)', () => {
  it('exists (npm test builds it first)', () => {
    for (const f of [CORE_DIST, NIC_DIST]) expect(existsSync(f), `${f} is missing: run npm run build`).toBe(true);
  });

  it('composes two namespaces over a veth pair and delivers one frame to a protocol handler', () => {
    const r = runCompiled();
    // nic-drivers' own '@netstack/core' (through node_modules) is the very module imported by URL.
    expect(r.sameCore).toBe(true);
    expect(r.running).toBe(true);
    expect(r.peerOk).toBe(true);
    expect(r.containersDiffer).toBe(true);
    // Plugins ran from dist: each namespace got its own lo at LOOPBACK_IFINDEX, a got veth0, b veth1.
    expect(r.loIndex).toEqual([1, 1, 1]);
    expect(r.devices).toEqual([['lo@1', 'veth0@2'], ['lo@1', 'veth1@2']]);
    expect(r.xmit).toBe(0);
    expect(r.beforeSoftirq).toBe(0); // delivered by the NET_RX softirq, not inside devQueueXmit
    expect(r.got).toEqual([{ len: 46, proto: 0x88b5, dev: 'veth1', payload: [0xde, 0xad, 0xbe, 0xef] }]);
    expect(r.etherType).toBe(0x88b5);
    expect([r.rx, r.tx, r.live]).toEqual([1, 1, 0]);
  });
});
