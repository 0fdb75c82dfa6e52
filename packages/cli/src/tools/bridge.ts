/**
 * `bridge` (iproute2's bridge/bridge.c): `fdb`, `link` and `vlan` on the bridges of a lab
 * namespace, with iproute2's keywords, texts and exit statuses (errors from the kernel are
 * `RTNETLINK answers: <strerror>` and exit 255, as `bridge` returns -1 from main). The values come
 * from `@netstack/bridge`'s state.
 *
 * What netstack leaves out: the `self` entries `bridge fdb show` lists from the devices' own
 * unicast/multicast address lists (netstack devices have none), `bridge mdb`, `monitor`, and the
 * -s/-d/-j output options.
 */
import { IFF_EBRIDGE, IFF_SLAVE, parseMac, type NetDevice, type NetNamespace } from '@netstack/core';
import type { Bridge, BrPortState, FdbState, PortOptions } from '@netstack/bridge';
import type { BridgePkg } from '../lab/modules.js';
import { ToolExit, errnoOf, strerror } from './io.js';
import { matches } from './ip/args.js';
import { linkFlags, shownFlags } from './ip/format.js';
import { pickNamespace, type ToolContext } from './run.js';

/** `exit(-1)` / `return -1` from main. */
const EXIT = 255;

const USAGE = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link | fdb | mdb | vlan | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }`;

const FDB_USAGE = `Usage: bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ] ]
(netstack implements add, del and show)`;

const LINK_USAGE = `Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ hairpin {on | off} ]
                               [ learning {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ isolated {on | off} ]
                               [ self ] [ master ]
       bridge link show [dev DEV]
(netstack implements these options of bridge link set)`;

const VLAN_USAGE = `Usage: bridge vlan { add | del } vid VLAN_ID dev DEV [ pvid ] [ untagged ]
                                                     [ self ] [ master ]
       bridge vlan { show } [ dev DEV ] [ vid VLAN_ID ]`;

/** bridge.c's objects in its order: the first the word abbreviates wins (`bridge l` is link). */
const OBJECTS = ['link', 'fdb', 'mdb', 'vlan', 'vni', 'monitor', 'help'] as const;

interface BridgeCtx extends ToolContext {
  netns: NetNamespace;
}

export function bridgeTool(ctx: ToolContext, argv: readonly string[]): number {
  const args = [...argv];
  let netnsName: string | null = null;
  while (args.length > 0 && args[0]!.startsWith('-') && args[0] !== '-') {
    let opt = args.shift()!;
    if (opt[1] === '-') opt = opt.slice(1);
    if (matches(opt, '-help')) throw new ToolExit(EXIT, USAGE);
    if (matches(opt, '-netns')) {
      const name = args.shift();
      if (name === undefined) throw new ToolExit(EXIT, 'Command line is not complete. Try option "help"');
      netnsName = name;
      continue;
    }
    const known = ['-Version', '-statistics', '-details', '-oneline', '-timestamp', '-compressvlans', '-color', '-pretty', '-json', '-force', '-batch'];
    const found = known.find((k) => matches(opt, k));
    if (found === undefined) throw new ToolExit(EXIT, `Option "${opt}" is unknown, try "bridge help".`);
    throw new ToolExit(EXIT, `netstack: bridge option "${opt}" (${found}) is not supported`);
  }
  if (args.length === 0) throw new ToolExit(EXIT, USAGE);
  const word = args.shift()!;
  const object = OBJECTS.find((o) => matches(word, o));
  if (object === undefined) throw new ToolExit(EXIT, `Object "${word}" is unknown, try "bridge help".`);
  if (object === 'help') throw new ToolExit(EXIT, USAGE);
  const netns = pickNamespace(ctx, netnsName, 'bridge', (name) => new ToolExit(EXIT, `Cannot open network namespace "${name}": No such file or directory`));
  const bctx: BridgeCtx = { ...ctx, netns };
  switch (object) {
    case 'fdb':
      return fdbCmd(bctx, args);
    case 'link':
      return linkCmd(bctx, args);
    case 'vlan':
      return vlanCmd(bctx, args);
    default:
      throw new ToolExit(EXIT, `netstack: "bridge ${object}" is not implemented (netstack has bridge link, fdb, vlan)`);
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function isBridge(dev: NetDevice): boolean {
  return (dev.privFlags & IFF_EBRIDGE) !== 0;
}

/** The bridge a device is a port of, or null. */
function masterBridge(dev: NetDevice): NetDevice | null {
  return dev.master !== null && isBridge(dev.master) ? dev.master : null;
}

function pkg(ctx: BridgeCtx): BridgePkg {
  const p = ctx.lab.modules.bridge;
  // A bridge device exists only where the bridge plugin (and so its package) was loaded.
  if (p === null) throw new Error('internal: a bridge exists but @netstack/bridge is not loaded');
  return p;
}

function bridgeOf(ctx: BridgeCtx, brDev: NetDevice): Bridge {
  return pkg(ctx).bridgeOf(brDev);
}

function devByName(ctx: BridgeCtx, name: string): NetDevice | undefined {
  return ctx.netns.devices.find((d) => d.name === name);
}

/** A request the kernel refused: `RTNETLINK answers: <strerror>`, exit 255. */
function rtnl<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = errnoOf(err);
    if (code === null) throw err;
    throw new ToolExit(EXIT, `RTNETLINK answers: ${strerror(code)}`);
  }
}

function rtnlError(code: string): never {
  throw new ToolExit(EXIT, `RTNETLINK answers: ${strerror(code)}`);
}

/** C `atoi`: leading blanks, sign, digits; anything else ends the number (0 when none). */
function atoi(s: string): number {
  const m = /^\s*([+-]?[0-9]+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

function nextArg(args: string[], i: number): string {
  if (i + 1 >= args.length) throw new ToolExit(EXIT, 'Command line is not complete. Try option "help"');
  return args[i + 1]!;
}

// ---------------------------------------------------------------------------------------------
// bridge fdb

function fdbCmd(ctx: BridgeCtx, args: string[]): number {
  if (args.length === 0) return fdbShow(ctx, []);
  const [cmd, ...rest] = args as [string, ...string[]];
  if (matches(cmd, 'add')) return fdbModify(ctx, rest, 'add');
  if (matches(cmd, 'append') || matches(cmd, 'replace')) throw new ToolExit(EXIT, `netstack: "bridge fdb ${cmd}" is not implemented (add, del, show)`);
  if (matches(cmd, 'delete')) return fdbModify(ctx, rest, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return fdbShow(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT, FDB_USAGE);
  throw new ToolExit(EXIT, `Command "${cmd}" is unknown, try "bridge fdb help".`);
}

/** `bridge fdb show [br BR] [brport DEV | dev DEV] [vlan VID]`: per device in ifindex order, as rtnl_fdb_dump. */
function fdbShow(ctx: BridgeCtx, args: string[]): number {
  let brName: string | null = null;
  let portName: string | null = null;
  let vlan: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'dev' || w === 'brport') {
      portName = nextArg(args, i++);
    } else if (w === 'br') {
      brName = nextArg(args, i++);
    } else if (w === 'vlan') {
      vlan = atoi(nextArg(args, i++));
    } else if (matches(w, 'help')) {
      throw new ToolExit(EXIT, FDB_USAGE);
    } else if (brName === null) {
      // iproute2 takes a bare word as the bridge.
      brName = w;
    }
  }
  let brFilter: NetDevice | null = null;
  if (brName !== null) {
    brFilter = devByName(ctx, brName) ?? null;
    if (brFilter === null) throw new ToolExit(EXIT, `Cannot find bridge device "${brName}"`);
  }
  let portFilter: NetDevice | null = null;
  if (portName !== null) {
    portFilter = devByName(ctx, portName) ?? null;
    if (portFilter === null) throw new ToolExit(EXIT, `Cannot find device "${portName}"`);
  }
  for (const d of ctx.netns.devices) {
    if (portFilter !== null && d !== portFilter) continue;
    const br = isBridge(d) ? d : masterBridge(d);
    if (br === null) continue;
    if (brFilter !== null && br !== brFilter) continue;
    for (const e of bridgeOf(ctx, br).fdb.entries()) {
      if (e.dev !== d.name) continue;
      if (vlan !== null && e.vlan !== vlan) continue;
      const state = e.state === 'dynamic' ? '' : e.state;
      const dev = portFilter === null ? `dev ${d.name} ` : '';
      ctx.io.out(`${e.mac} ${dev}${e.vlan !== 0 ? `vlan ${e.vlan} ` : ''}master ${br.name} ${state}\n`);
    }
  }
  return 0;
}

/** `bridge fdb add|del ADDR dev DEV [self] [master] [local|permanent|static|temp|dynamic] [vlan VID]`. */
function fdbModify(ctx: BridgeCtx, args: string[], op: 'add' | 'del'): number {
  let devName: string | null = null;
  let addr: string | null = null;
  let state: FdbState | null = null;
  let vlan: number | null = null;
  let self = false;
  let master = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'dev') devName = nextArg(args, i++);
    else if (w === 'local' || w === 'permanent') state = 'permanent';
    else if (w === 'temp' || w === 'static') state = 'static';
    else if (w === 'dynamic') state = 'dynamic';
    else if (w === 'self') self = true;
    else if (w === 'master') master = true;
    else if (w === 'vlan') {
      if (vlan !== null) throw new ToolExit(EXIT, `Error: duplicate "vlan": "${args[i + 1] ?? ''}" is the second value.`);
      vlan = atoi(nextArg(args, i++));
    } else if (['router', 'use', 'extern_learn', 'sticky', 'dst', 'port', 'vni', 'via', 'src_vni', 'nhid'].includes(w)) {
      throw new ToolExit(EXIT, `netstack: "bridge fdb ${op} ... ${w}" is not supported`);
    } else {
      let word = w;
      if (w === 'to') word = nextArg(args, i++);
      else if (matches(w, 'help')) throw new ToolExit(EXIT, FDB_USAGE);
      if (addr !== null) throw new ToolExit(EXIT, `Error: either "to" is duplicate, or "${word}" is a garbage.`);
      addr = word;
    }
  }
  if (devName === null || addr === null) throw new ToolExit(EXIT, 'Device and address are required arguments.');
  let mac: Uint8Array;
  try {
    mac = parseMac(addr);
  } catch {
    throw new ToolExit(EXIT, `Invalid mac address ${addr}`);
  }
  const dev = devByName(ctx, devName);
  if (dev === undefined) throw new ToolExit(EXIT, `Cannot find device "${devName}"`);
  // fdb_modify: neither flag means self. rtnl_fdb_add/del: master goes to the port's bridge,
  // self to the device's own ndo_fdb_add (the bridge device's is br_fdb_add).
  if (!self && !master) self = true;
  let done = false;
  if (master && masterBridge(dev) !== null) {
    apply(ctx, dev, mac, op, state, vlan);
    done = true;
  }
  if (self) {
    if (!isBridge(dev)) {
      throw new ToolExit(
        EXIT,
        `netstack: "bridge fdb ${op} ... dev ${dev.name} self" edits the device's own address list, which netstack does not model; ` +
          `for the bridge's forwarding database use "master"`,
      );
    }
    apply(ctx, dev, mac, op, state, vlan);
    done = true;
  }
  if (!done) rtnlError('EOPNOTSUPP');
  return 0;
}

function apply(ctx: BridgeCtx, dev: NetDevice, mac: Uint8Array, op: 'add' | 'del', state: FdbState | null, vlan: number | null): void {
  const p = pkg(ctx);
  const text = Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
  if (op === 'add') rtnl(() => p.fdbAdd(dev, text, { ...(vlan !== null ? { vlan } : {}), ...(state !== null ? { state } : {}) }));
  else rtnl(() => p.fdbDel(dev, text, vlan !== null ? { vlan } : {}));
}

// ---------------------------------------------------------------------------------------------
// bridge link

function linkCmd(ctx: BridgeCtx, args: string[]): number {
  if (args.length === 0) return linkShow(ctx, []);
  const [cmd, ...rest] = args as [string, ...string[]];
  if (matches(cmd, 'set') || matches(cmd, 'change')) return linkSet(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return linkShow(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT, LINK_USAGE);
  throw new ToolExit(EXIT, `Command "${cmd}" is unknown, try "bridge link help".`);
}

/** `NAME@LINK` as bridge/link.c prints it: IFLA_LINK resolved in this namespace (ll_index_to_name), whatever namespace the peer is in. */
function linkName(dev: NetDevice): string {
  if (dev.iflink === 0 || dev.iflink === dev.ifindex) return dev.name;
  const link = dev.net.devByIndex(dev.iflink);
  return `${dev.name}@${link?.name ?? `if${dev.iflink}`}`;
}

const STATE_NAMES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/** `bridge link [show [dev DEV]]`: every bridge port of the namespace in ifindex order. */
function linkShow(ctx: BridgeCtx, args: string[]): number {
  let filter: NetDevice | null = null;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'dev') {
      const name = nextArg(args, i++);
      filter = devByName(ctx, name) ?? null;
      if (filter === null) throw new ToolExit(EXIT, `Cannot find device "${name}"`);
    } else if (matches(w, 'help')) throw new ToolExit(EXIT, LINK_USAGE);
  }
  for (const d of ctx.netns.devices) {
    if (filter !== null && d !== filter) continue;
    const br = masterBridge(d);
    if (br === null) continue;
    const p = bridgeOf(ctx, br).port(d);
    // RTM_NEWLINK's flags (dev_get_flags): the promiscuity the bridge set does not show.
    const flags = linkFlags(shownFlags(d) & ~IFF_SLAVE, false);
    ctx.io.out(`${d.ifindex}: ${linkName(d)}: ${flags} mtu ${d.mtu} master ${br.name} state ${STATE_NAMES[p.state] ?? p.state} priority ${p.priority} cost ${p.pathCost} \n`);
  }
  return 0;
}

function onOff(key: string, value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  // parse_on_off's -EINVAL becomes the exit status (234).
  throw new ToolExit(234, `Error: argument of "${key}" must be one of "off", "on", not "${value}"`);
}

const FLAG_KEYS: Record<string, keyof PortOptions> = {
  hairpin: 'hairpin',
  learning: 'learning',
  flood: 'flood',
  mcast_flood: 'mcastFlood',
  bcast_flood: 'bcastFlood',
  isolated: 'isolated',
};

/** `bridge link set dev DEV ...` (brlink_modify). */
function linkSet(ctx: BridgeCtx, args: string[]): number {
  let devName: string | null = null;
  const opts: PortOptions = {};
  let cost = -1;
  let priority = -1;
  let state = -1;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'dev') devName = nextArg(args, i++);
    else if (w === 'cost') cost = atoi(nextArg(args, i++));
    else if (w === 'priority') priority = atoi(nextArg(args, i++));
    else if (w === 'state') {
      const v = nextArg(args, i++);
      if (/^-?[0-9]+$/.test(v)) state = Number(v);
      else {
        state = STATE_NAMES.findIndex((n) => n.toLowerCase() === v.toLowerCase());
        if (state < 0) throw new ToolExit(EXIT, 'Error: invalid STP port state');
      }
    } else if (w in FLAG_KEYS) {
      (opts as Record<string, unknown>)[FLAG_KEYS[w]!] = onOff(w, nextArg(args, i++));
    } else if (w === 'self' || w === 'master') {
      if (w === 'self') throw new ToolExit(EXIT, 'netstack: "bridge link set ... self" (the device\'s own bridge settings) is not supported');
    } else if (['guard', 'fastleave', 'root_block', 'learning_sync', 'mcast_router', 'mcast_to_unicast', 'neigh_suppress', 'vlan_tunnel', 'locked', 'hwmode', 'backup_port', 'nobackup_port'].includes(w)) {
      throw new ToolExit(EXIT, `netstack: "bridge link set ... ${w}" is not supported`);
    } else throw new ToolExit(EXIT, LINK_USAGE);
  }
  if (devName === null) throw new ToolExit(EXIT, 'Device is a required argument.');
  const dev = devByName(ctx, devName);
  if (dev === undefined) throw new ToolExit(EXIT, `Cannot find bridge device "${devName}"`);
  // brlink_modify sends cost only when > 0, priority and state when >= 0.
  if (cost > 0) opts.cost = cost;
  if (priority >= 0) opts.priority = priority;
  if (state >= 0) opts.state = state as BrPortState;
  // rtnl_bridge_setlink without flags goes to the master; a device with no bridge master: EOPNOTSUPP.
  if (masterBridge(dev) === null) rtnlError('EOPNOTSUPP');
  rtnl(() => pkg(ctx).brPortSet(dev, opts));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// bridge vlan

function vlanCmd(ctx: BridgeCtx, args: string[]): number {
  if (args.length === 0) return vlanShow(ctx, []);
  const [cmd, ...rest] = args as [string, ...string[]];
  if (matches(cmd, 'add')) return vlanModify(ctx, rest, 'add');
  if (matches(cmd, 'delete')) return vlanModify(ctx, rest, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return vlanShow(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT, VLAN_USAGE);
  throw new ToolExit(EXIT, `Command "${cmd}" is unknown, try "bridge vlan help".`);
}

/** `bridge vlan show [dev DEV] [vid VID]`: the header, then per device in ifindex order. */
function vlanShow(ctx: BridgeCtx, args: string[]): number {
  let filter: NetDevice | null = null;
  let vid: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'dev') {
      const name = nextArg(args, i++);
      filter = devByName(ctx, name) ?? null;
      if (filter === null) throw new ToolExit(EXIT, `Cannot find device "${name}"`);
    } else if (w === 'vid') vid = atoi(nextArg(args, i++));
  }
  // Each bridge's text (show.ts: header, then per member a block whose first line carries the name).
  const blocks = new Map<string, string[]>();
  for (const d of ctx.netns.devices) {
    if (!isBridge(d)) continue;
    const lines = pkg(ctx).vlanShow(d).split('\n').slice(1).filter((l) => l !== '');
    let cur: string[] | null = null;
    for (const line of lines) {
      if (!line.startsWith(' ')) {
        cur = [];
        blocks.set(line.slice(0, 16).trimEnd(), cur);
      }
      cur!.push(line);
    }
  }
  ctx.io.out(`${'port'.padEnd(16)}  ${'vlan-id'.padEnd(9)}\n`);
  for (const d of ctx.netns.devices) {
    if (filter !== null && d !== filter) continue;
    let lines = blocks.get(d.name);
    if (lines === undefined) continue;
    if (vid !== null) {
      // With a vid filter every line carries the device name.
      lines = lines.filter((l) => atoi(l.slice(18)) === vid).map((l) => d.name.padEnd(16) + '  ' + l.slice(18));
    }
    for (const l of lines) ctx.io.out(l + '\n');
  }
  return 0;
}

/** `bridge vlan add|del vid VID dev DEV [pvid] [untagged] [self] [master]` (vlan_modify). */
function vlanModify(ctx: BridgeCtx, args: string[], op: 'add' | 'del'): number {
  let devName: string | null = null;
  let vid = -1;
  let pvid = false;
  let untagged = false;
  let self = false;
  let master = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'dev') devName = nextArg(args, i++);
    else if (w === 'vid') {
      const v = nextArg(args, i++);
      if (v.includes('-')) throw new ToolExit(EXIT, `netstack: VLAN ranges ("vid ${v}") are not supported; add one VID at a time`);
      vid = atoi(v);
    } else if (w === 'self') self = true;
    else if (w === 'master') master = true;
    else if (w === 'pvid') pvid = true;
    else if (w === 'untagged') untagged = true;
    else if (matches(w, 'help')) throw new ToolExit(EXIT, VLAN_USAGE);
  }
  if (devName === null || vid === -1) throw new ToolExit(EXIT, 'Device and VLAN ID are required arguments.');
  const dev = devByName(ctx, devName);
  if (dev === undefined) throw new ToolExit(EXIT, `Cannot find bridge device "${devName}"`);
  if (vid >= 4096 || vid < 0) throw new ToolExit(EXIT, `Invalid VLAN ID "${vid & 0xffff}"`);
  // rtnl_bridge_setlink: no flags or master → the device's bridge master; self → the device itself
  // (a bridge handles its own VLANs; other devices have no ndo_bridge_setlink).
  if (!self && !master) master = true;
  let done = false;
  const p = () => pkg(ctx);
  const run = (): void => {
    if (op === 'add') rtnl(() => p().vlanAdd(dev, vid, { pvid, untagged }));
    else rtnl(() => p().vlanDel(dev, vid));
  };
  if (master) {
    if (masterBridge(dev) === null) rtnlError('EOPNOTSUPP');
    run();
    done = true;
  }
  if (self) {
    if (!isBridge(dev)) rtnlError('EOPNOTSUPP');
    run();
    done = true;
  }
  if (!done) rtnlError('EOPNOTSUPP');
  return 0;
}
