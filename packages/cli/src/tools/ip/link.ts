/**
 * `ip link` (ip/iplink.c): show, set, add, delete. Output as iproute2 6.x prints it; values
 * from the devices.
 */
import { IFF_EBRIDGE, NetError, parseMac, type LinkSpec, type NetDevice } from '@netstack/core';
import type { BridgeOptions, BridgeSetOptions } from '@netstack/bridge';
import { bridgeStp } from '../../lab/modules.js';
import { ToolExit, errnoOf } from '../io.js';
import { Args, EXIT_USAGE, duparg, duparg2, invarg, matches, nodev, parseUnsigned } from './args.js';
import { request } from './errors.js';
import { briefLink, linkLines, statsLines, userPromisc } from './format.js';
import type { IpContext } from './ip.js';

const USAGE = `Usage: ip link add [link DEV] [ name ] NAME
                    [ address LLADDR ] [ mtu MTU ]
                    type TYPE [ ARGS ]

       ip link delete { DEVICE | dev DEVICE } [ type TYPE ] [ ARGS ]

       ip link set { DEVICE | dev DEVICE }
                      [ { up | down } ]
                      [ address LLADDR ]
                      [ mtu MTU ]
                      [ txqueuelen PACKETS ]
                      [ promisc { on | off } ]
                      [ master DEVICE ][ nomaster ]
                      [ type bridge [ BRIDGE_ARGS ] ]

       ip link show [ DEVICE ] [ up ] [ type TYPE ]

TYPE := { veth | vlan | bridge }
BRIDGE_ARGS := [ forward_delay FORWARD_DELAY ] [ ageing_time AGEING_TIME ]
               [ stp_state STP_STATE ] [ vlan_filtering VLAN_FILTERING ]
(netstack implements this part of iproute2's ip link)`;

export function ipLink(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return linkShow(ctx, []);
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (matches(cmd, 'add')) return linkAdd(ctx, rest);
  if (matches(cmd, 'change') || matches(cmd, 'replace')) throw new ToolExit(EXIT_USAGE, `netstack: "ip link ${cmd}" is not implemented; use "ip link set"`);
  if (matches(cmd, 'set')) return linkSet(ctx, rest);
  if (matches(cmd, 'delete')) return linkDel(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return linkShow(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
  throw new ToolExit(EXIT_USAGE, `Command "${cmd}" is unknown, try "ip link help".`);
}

/** Filters of `ip link show` / `ip addr show` (ipaddr_list_flush_or_save). */
export interface ShowFilter {
  dev: NetDevice | null;
  up: boolean;
  kind: string | null;
  /** `ip addr show to PREFIX` (IPv4 only). */
  to: { addr: number; len: number } | null;
  /** `scope` filter for addresses (numeric scope), null for any. */
  scope: number | null;
  /** `label PATTERN` (shell glob). */
  label: string | null;
}

/** Parse the words after `show`; the `to`/`scope` arguments are left to `ip addr`'s caller through `extra`. */
export function parseShowFilter(
  ctx: IpContext,
  words: string[],
  extra?: (key: string, args: Args, filter: ShowFilter) => boolean,
): ShowFilter {
  const filter: ShowFilter = { dev: null, up: false, kind: null, to: null, scope: null, label: null };
  let devName: string | null = null;
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'up') filter.up = true;
    else if (w === 'type') filter.kind = args.next();
    else if (extra !== undefined && extra(w, args, filter)) continue;
    else {
      let name = w;
      if (w === 'dev') name = args.next();
      else if (matches(w, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      if (devName !== null) duparg2('dev', name);
      devName = name;
    }
  }
  if (devName !== null) {
    const dev = devByName(ctx, devName);
    if (dev === undefined) throw new ToolExit(1, `Device "${devName}" does not exist.`);
    filter.dev = dev;
  }
  return filter;
}

export function devByName(ctx: IpContext, name: string): NetDevice | undefined {
  return ctx.netns.devices.find((d) => d.name === name);
}

/** Devices a show filter keeps, in ifindex order. */
export function filteredDevices(ctx: IpContext, filter: ShowFilter): NetDevice[] {
  return ctx.netns.devices.filter((d) => (filter.dev === null || d === filter.dev) && (!filter.up || d.isUp) && (filter.kind === null || d.kind === filter.kind));
}

function linkShow(ctx: IpContext, words: string[]): number {
  const filter = parseShowFilter(ctx, words);
  for (const dev of filteredDevices(ctx, filter)) {
    if (ctx.brief) {
      ctx.io.out(briefLink(dev));
      continue;
    }
    ctx.io.out(linkLines(dev, { doLink: true }));
    if (ctx.stats > 0) ctx.io.out(statsLines(dev, ctx.lab, ctx.stats));
  }
  return 0;
}

/** `ll_addr_a2n`. */
function parseLladdr(text: string): Uint8Array {
  try {
    return parseMac(text);
  } catch {
    throw new ToolExit(1, `"${text}" is invalid lladdr.`);
  }
}

interface LinkAttrs {
  dev: string | null;
  name: string | null;
  up: boolean | null;
  address: Uint8Array | null;
  mtu: number | null;
  txqlen: number | null;
  promisc: boolean | null;
  link: string | null;
  netns: string | null;
  /** `master DEV`; `nomaster` is the empty string. */
  master: string | null;
  type: string | null;
  /** Words after `type KIND`. */
  typeArgs: string[];
}

/** `iplink_parse`: the common attributes, up to `type KIND`. `nameIsDev`: a bare word is the device (set) or the new name (add). */
function parseLinkAttrs(words: string[], nameIsDev: boolean): LinkAttrs {
  const a: LinkAttrs = { dev: null, name: null, up: null, address: null, mtu: null, txqlen: null, promisc: null, link: null, netns: null, master: null, type: null, typeArgs: [] };
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'up') a.up = true;
    else if (w === 'down') a.up = false;
    else if (w === 'name') a.name = args.next();
    else if (matches(w, 'link')) a.link = args.next();
    else if (matches(w, 'address')) a.address = parseLladdr(args.next());
    else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const v = args.next();
      if (a.txqlen !== null) duparg('txqueuelen', v);
      const n = parseUnsigned(v, 0x7fff_ffff);
      if (n === null) invarg('Invalid "txqueuelen" value\n', v);
      a.txqlen = n;
    } else if (w === 'mtu') {
      const v = args.next();
      if (a.mtu !== null) duparg('mtu', v);
      const n = parseUnsigned(v, 0x7fff_ffff);
      if (n === null) invarg('Invalid "mtu" value\n', v);
      a.mtu = n;
    } else if (w === 'promisc') {
      const v = args.next();
      if (v === 'on') a.promisc = true;
      else if (v === 'off') a.promisc = false;
      else throw new ToolExit(EXIT_USAGE, `Error: argument of "promisc" must be "on" or "off", not "${v}"`);
    } else if (w === 'netns') a.netns = args.next();
    else if (w === 'master') a.master = args.next();
    else if (w === 'nomaster') a.master = '';
    else if (w === 'type') {
      a.type = args.next();
      args.skip();
      a.typeArgs = args.rest();
      break;
    } else if (matches(w, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
    else {
      let name = w;
      if (w === 'dev') name = args.next();
      if (nameIsDev) {
        if (a.dev !== null) duparg2('dev', name);
        a.dev = name;
      } else {
        if (a.name !== null) duparg2('name', name);
        a.name = name;
      }
    }
  }
  return a;
}

function linkSet(ctx: IpContext, words: string[]): number {
  const a = parseLinkAttrs(words, true);
  if (a.dev === null) throw new ToolExit(EXIT_USAGE, 'Not enough information: "dev" argument is required.');
  if (a.type !== null && a.type !== 'bridge') throw new ToolExit(EXIT_USAGE, `netstack: "ip link set ... type ${a.type}" is not implemented`);
  const dev = devByName(ctx, a.dev) ?? nodev(a.dev);
  let bridgeOpts: BridgeSetOptions | null = null;
  if (a.type === 'bridge') {
    bridgeOpts = parseBridgeArgs(ctx, a.typeArgs);
    // rtnl_changelink: the link kind must match the device's (-EOPNOTSUPP otherwise).
    if (dev.kind !== 'bridge') throw new ToolExit(2, 'RTNETLINK answers: Operation not supported');
  }
  // do_set_master's target is looked up while parsing (iplink_parse's ll_name_to_index).
  const master = a.master === null || a.master === '' ? null : (devByName(ctx, a.master) ?? invarg('Device does not exist\n', a.master));
  if (a.netns !== null) throw new ToolExit(EXIT_USAGE, 'netstack: moving a device to another namespace is not implemented: declare the link between namespaces in the lab file');
  if (a.name !== null) throw new ToolExit(EXIT_USAGE, 'netstack: renaming a device is not implemented');
  // do_setlink's order: address, mtu, flags, txqueuelen.
  if (a.address !== null) request(() => dev.setAddress(a.address!), {});
  if (a.mtu !== null) {
    const mtu = a.mtu;
    if (mtu > dev.maxMtu) throw new ToolExit(2, 'Error: mtu greater than device maximum.');
    if (mtu < dev.minMtu) throw new ToolExit(2, 'Error: mtu less than device minimum.');
    request(() => dev.setMtu(mtu));
  }
  if (a.master !== null) setMaster(ctx, dev, master);
  if (bridgeOpts !== null) {
    const opts = bridgeOpts;
    request(() => ctx.lab.modules.bridge!.bridgeSet(dev, opts));
  }
  if (a.promisc !== null) {
    // dev_change_flags: the user's promiscuity (gflags) toggles, the counter follows.
    const on = userPromisc.has(dev);
    if (a.promisc !== on) {
      request(() => dev.setPromiscuity(a.promisc ? 1 : -1));
      if (a.promisc) userPromisc.add(dev);
      else userPromisc.delete(dev);
    }
  }
  if (a.up === true) request(() => dev.open());
  if (a.up === false) request(() => dev.close());
  if (a.txqlen !== null) request(() => dev.setTxQueueLen(a.txqlen!));
  return 0;
}

function linkAdd(ctx: IpContext, words: string[]): number {
  const a = parseLinkAttrs(words, false);
  if (a.type === null) throw new ToolExit(2, 'Not enough information: "type" argument is required');
  const name = a.name;
  let spec: LinkSpec;
  if (a.type === 'veth') {
    const peerWords = a.typeArgs;
    let peer: LinkAttrs = parseLinkAttrs([], false);
    if (peerWords.length > 0) {
      if (peerWords[0] !== 'peer') throw new ToolExit(EXIT_USAGE, 'Usage: ip link <options> type veth [peer <options>]\nTo get <options> type \'ip link add help\'');
      peer = parseLinkAttrs(peerWords.slice(1), false);
    }
    const peerNs = peer.netns === null ? ctx.netns : ctx.lab.namespace(peer.netns);
    if (peerNs === undefined) invarg('Invalid "netns" value\n', peer.netns!);
    spec = {
      kind: 'veth',
      name: name ?? 'veth%d',
      ...(a.address !== null ? { address: a.address } : {}),
      ...(a.mtu !== null ? { mtu: a.mtu } : {}),
      peer: {
        name: peer.name ?? 'veth%d',
        netns: peerNs,
        ...(peer.address !== null ? { address: peer.address } : {}),
        ...(peer.mtu !== null ? { mtu: peer.mtu } : {}),
      },
    };
  } else if (a.type === 'vlan') {
    if (a.link === null) throw new ToolExit(2, 'Error: vlan: link (the real device) is required.');
    const real = devByName(ctx, a.link) ?? nodev(a.link);
    let id: number | null = null;
    let protocol: string | undefined;
    const args = new Args(a.typeArgs);
    for (; !args.done; args.skip()) {
      const w = args.cur;
      if (w === 'id') {
        const v = args.next();
        id = parseUnsigned(v, 0xffff);
        if (id === null) invarg('id is invalid', v);
      } else if (w === 'protocol') {
        protocol = args.next();
        if (protocol.toLowerCase() === '802.1q') protocol = '802.1Q';
        else if (protocol.toLowerCase() === '802.1ad') protocol = '802.1ad';
        else invarg('protocol is invalid', protocol);
      } else throw new ToolExit(EXIT_USAGE, `vlan: unknown command "${w}"?`);
    }
    if (id === null) throw new ToolExit(EXIT_USAGE, 'Error: vlan: id is required.');
    spec = { kind: 'vlan', name: name ?? `${real.name}.${id}`, link: real, id, ...(protocol !== undefined ? { protocol } : {}) };
  } else if (a.type === 'bridge') {
    const set = parseBridgeArgs(ctx, a.typeArgs);
    const opts: Omit<BridgeOptions, 'name'> = {
      ...(set.ageingTime !== undefined ? { ageingTime: set.ageingTime } : {}),
      ...(set.forwardDelay !== undefined ? { forwardDelay: set.forwardDelay } : {}),
      ...(set.stpState !== undefined ? { stpState: set.stpState } : {}),
      ...(set.vlanFiltering !== undefined ? { vlanFiltering: set.vlanFiltering } : {}),
      ...(a.address !== null ? { address: a.address } : {}),
      ...(a.mtu !== null ? { mtu: a.mtu } : {}),
    };
    spec = { kind: 'bridge', name: name ?? 'bridge%d', ...opts };
  } else {
    throw new ToolExit(2, 'Error: Unknown device type.');
  }
  const dev = request(() => ctx.netns.addLink(spec), { EOPNOTSUPP: 'Unknown device type.' });
  if (a.master !== null && a.master !== '') setMaster(ctx, dev, devByName(ctx, a.master) ?? invarg('Device does not exist\n', a.master));
  if (a.txqlen !== null) dev.setTxQueueLen(a.txqlen);
  if (a.up === true) dev.open();
  return 0;
}

function linkDel(ctx: IpContext, words: string[]): number {
  const a = parseLinkAttrs(words, true);
  if (a.dev === null) throw new ToolExit(EXIT_USAGE, 'Not enough information: "dev" argument is required.');
  const dev = devByName(ctx, a.dev) ?? nodev(a.dev);
  if (dev.kind === 'loopback') throw new ToolExit(2, 'RTNETLINK answers: Operation not supported');
  request(() => ctx.netns.unregisterNetdevice(dev));
  return 0;
}

const BRIDGE_USAGE = `Usage: ... bridge [ forward_delay FORWARD_DELAY ]
                  [ ageing_time AGEING_TIME ]
                  [ stp_state STP_STATE ]
                  [ vlan_filtering VLAN_FILTERING ]
(netstack implements these options of iproute2's bridge link type)`;

/**
 * iplink_bridge.c's `bridge_parse_opt`: forward_delay and ageing_time in centiseconds (clock_t,
 * as `ip -d link` prints them), stp_state and vlan_filtering as numbers.
 */
function parseBridgeArgs(ctx: IpContext, words: string[]): BridgeSetOptions {
  const o: BridgeSetOptions = {};
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'forward_delay') {
      const v = args.next();
      const n = parseUnsigned(v);
      if (n === null) invarg('invalid forward_delay', v);
      o.forwardDelay = n / 100;
    } else if (w === 'ageing_time') {
      const v = args.next();
      const n = parseUnsigned(v);
      if (n === null) invarg('invalid ageing_time', v);
      o.ageingTime = n / 100;
    } else if (w === 'stp_state') {
      const v = args.next();
      const n = parseUnsigned(v);
      if (n === null) invarg('invalid stp_state', v);
      // br_stp_set_enabled: any non-zero value turns STP on (kernel STP when no user-space helper runs).
      if (n !== 0 && bridgeStp(ctx.lab.modules) === null && ctx.lab.modules.bridge !== null) {
        throw new ToolExit(
          2,
          'netstack: stp_state 1 needs the Spanning Tree module, and @netstack/bridge does not export BridgeStp (src/stp/stp.ts) yet',
        );
      }
      o.stpState = n === 0 ? 0 : 1;
    } else if (w === 'vlan_filtering') {
      const v = args.next();
      const n = parseUnsigned(v, 0xff);
      if (n === null) invarg('invalid vlan_filtering', v);
      o.vlanFiltering = n !== 0;
    } else if (matches(w, 'help')) {
      throw new ToolExit(1, BRIDGE_USAGE);
    } else if (['fdb_flush', 'hello_time', 'max_age', 'priority', 'group_fwd_mask', 'group_address', 'vlan_default_pvid', 'vlan_protocol', 'no_linklocal_learn'].includes(w) || w.startsWith('mcast_') || w.startsWith('nf_call_') || w.startsWith('vlan_stats')) {
      throw new ToolExit(EXIT_USAGE, `netstack: bridge option "${w}" is not supported`);
    } else {
      throw new ToolExit(1, `bridge: unknown command "${w}"?\n${BRIDGE_USAGE}`);
    }
  }
  return o;
}

/** do_set_master: `master BR` enslaves (ndo_add_slave of BR), `nomaster` releases (ndo_del_slave of the current master). */
function setMaster(ctx: IpContext, dev: NetDevice, master: NetDevice | null): void {
  const current = dev.master;
  if (master === null) {
    if (current === null) return;
    if ((current.privFlags & IFF_EBRIDGE) === 0) throw new ToolExit(2, 'RTNETLINK answers: Operation not supported');
    request(() => ctx.lab.modules.bridge!.brDelIf(current, dev));
    return;
  }
  if (current === master) return;
  // Only bridges have ndo_add_slave among netstack's devices.
  if ((master.privFlags & IFF_EBRIDGE) === 0) throw new ToolExit(2, 'RTNETLINK answers: Operation not supported');
  if (current !== null) {
    if ((current.privFlags & IFF_EBRIDGE) === 0) throw new ToolExit(2, 'RTNETLINK answers: Operation not supported');
    request(() => ctx.lab.modules.bridge!.brDelIf(current, dev));
  }
  // Linux 6.18 answers EINVAL when a bridge is made a port of another (observed with iproute2 6.1).
  request(() => {
    try {
      ctx.lab.modules.bridge!.brAddIf(master, dev);
    } catch (err) {
      if (errnoOf(err) === 'ELOOP') throw new NetError('EINVAL', String(err));
      throw err;
    }
  });
}
