/**
 * `ethtool` (6.1) over a lab device: `-k` (features, in ethtool's order and layout: the legacy
 * groups with their kernel bits indented by a tab, then the other kernel bits), `-K name on|off
 * ...` (through NetDevice.setFeatures, with ethtool's "Actual changes:" report and "Could not
 * change any device features"), `-i`, `-S`, `-l` (veth as the real driver answers them; other
 * devices answer as lo does: EOPNOTSUPP), `-x` / `-X` (only sim NICs have an RSS context; the
 * others answer "Cannot get RX ring count: Operation not supported"), `-g/-G/-c/-C/-L` for sim
 * NICs (ethtool-nic.ts), and `ethtool DEV` (veth's link settings). Formats were captured from ethtool 6.1 on a veth pair and lo.
 *
 * Features the stack does not model (tunnel GSO, SCTP/ESP/TLS offloads, ...) show the real
 * driver's value; when the real driver lets them change, their state is kept here per device.
 * `-n NAME` (when NAME is a lab namespace) or `--netns NAME` pick the namespace, as does
 * `ip netns exec NAME ethtool ...`.
 */
import type { NetDevice, NetNamespace } from '@netstack/core';
import { FEATURE_NAMES } from '@netstack/core';
import { ToolExit } from './io.js';
import { pickNamespace, type ToolContext } from './run.js';
import { channelsText, coalesceText, nicDriverInfo, nicStatsText, ringsText, rxfhText, setChannels, setCoalesce, setRings, setRxfh } from './ethtool-nic.js';

/** ethtool's legacy groups (`off_flag_def`): printed name, -K short alias, kernel bits. */
const GROUPS: readonly (readonly [string, string, readonly string[]])[] = [
  ['rx-checksumming', 'rx', ['rx-checksum']],
  ['tx-checksumming', 'tx', ['tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'tx-checksum-fcoe-crc', 'tx-checksum-sctp']],
  ['scatter-gather', 'sg', ['tx-scatter-gather', 'tx-scatter-gather-fraglist']],
  ['tcp-segmentation-offload', 'tso', ['tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-tcp-accecn-segmentation']],
  ['generic-segmentation-offload', 'gso', ['tx-generic-segmentation']],
  ['generic-receive-offload', 'gro', ['rx-gro']],
  ['large-receive-offload', 'lro', ['rx-lro']],
  ['rx-vlan-offload', 'rxvlan', ['rx-vlan-hw-parse']],
  ['tx-vlan-offload', 'txvlan', ['tx-vlan-hw-insert']],
  ['ntuple-filters', 'ntuple', ['rx-ntuple-filter']],
  ['receive-hashing', 'rxhash', ['rx-hashing']],
];

/** The other kernel bits `ethtool -k` prints, in its order. */
const OTHERS = [
  'highdma', 'rx-vlan-filter', 'vlan-challenged', 'tx-gso-robust', 'tx-fcoe-segmentation', 'tx-gre-segmentation',
  'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation', 'tx-udp_tnl-segmentation',
  'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation', 'tx-sctp-segmentation',
  'tx-esp-segmentation', 'tx-udp-segmentation', 'tx-gso-list', 'tx-nocache-copy', 'loopback', 'rx-fcs', 'rx-all',
  'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-vlan-stag-filter', 'l2-fwd-offload', 'hw-tc-offload',
  'esp-hw-offload', 'esp-tx-csum-hw-offload', 'rx-udp_tunnel-port-offload', 'tls-hw-tx-offload', 'tls-hw-rx-offload',
  'rx-gro-hw', 'tls-hw-record', 'rx-gro-list', 'macsec-hw-offload', 'rx-udp-gro-forwarding', 'hsr-tag-ins-offload',
  'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
];

/** Kernel bit order (`netdev_features_strings`), for the "Actual changes:" report. */
const KERNEL_ORDER = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'highdma', 'tx-scatter-gather-fraglist',
  'tx-vlan-hw-insert', 'rx-vlan-hw-parse', 'rx-vlan-filter', 'vlan-challenged', 'tx-generic-segmentation', 'rx-gro', 'rx-lro',
  'tx-tcp-segmentation', 'tx-gso-robust', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation',
  'tx-fcoe-segmentation', 'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation',
  'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial', 'tx-tunnel-remcsum-segmentation',
  'tx-sctp-segmentation', 'tx-esp-segmentation', 'tx-udp-segmentation', 'tx-gso-list', 'tx-tcp-accecn-segmentation',
  'tx-checksum-fcoe-crc', 'tx-checksum-sctp', 'rx-ntuple-filter', 'rx-hashing', 'rx-checksum', 'tx-nocache-copy', 'loopback',
  'rx-fcs', 'rx-all', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-vlan-stag-filter', 'l2-fwd-offload',
  'hw-tc-offload', 'esp-hw-offload', 'esp-tx-csum-hw-offload', 'rx-udp_tunnel-port-offload', 'tls-hw-tx-offload',
  'tls-hw-rx-offload', 'rx-gro-hw', 'tls-hw-record', 'rx-gro-list', 'macsec-hw-offload', 'rx-udp-gro-forwarding',
  'hsr-tag-ins-offload', 'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
];
const KNOWN = new Set(KERNEL_ORDER);

/** Modelled bits: kernel name -> NETIF_F bit. */
const MODELLED = new Map<string, number>(Object.entries(FEATURE_NAMES).map(([bit, name]) => [name, Number(bit)]));

interface FeatureState {
  on: boolean;
  fixed: boolean;
}

/** Bits the stack does not model, as the real drivers have them (others: off [fixed]). */
const UNMODELLED: Record<string, Record<string, FeatureState>> = {
  veth: {
    'tx-checksum-sctp': { on: true, fixed: false },
    'tx-tcp-accecn-segmentation': { on: true, fixed: false },
    'tx-gre-segmentation': { on: true, fixed: false },
    'tx-gre-csum-segmentation': { on: true, fixed: false },
    'tx-ipxip4-segmentation': { on: true, fixed: false },
    'tx-ipxip6-segmentation': { on: true, fixed: false },
    'tx-udp_tnl-segmentation': { on: true, fixed: false },
    'tx-udp_tnl-csum-segmentation': { on: true, fixed: false },
    'tx-sctp-segmentation': { on: true, fixed: false },
    'tx-nocache-copy': { on: false, fixed: false },
  },
  loopback: {
    'tx-checksum-sctp': { on: true, fixed: true },
    'tx-tcp-accecn-segmentation': { on: true, fixed: false },
    'tx-sctp-segmentation': { on: true, fixed: false },
  },
};

/** Changed values of unmodelled bits, per device. */
const OVERLAY = new WeakMap<NetDevice, Map<string, boolean>>();

function featureState(dev: NetDevice, name: string): FeatureState {
  const bit = MODELLED.get(name);
  if (bit !== undefined) return { on: dev.features.has(bit as never), fixed: !dev.hwFeatures.has(bit as never) };
  const base = UNMODELLED[dev.kind]?.[name] ?? { on: false, fixed: true };
  const over = OVERLAY.get(dev)?.get(name);
  return over === undefined ? base : { on: over, fixed: base.fixed };
}

const onOff = (on: boolean): string => (on ? 'on' : 'off');

/** `ethtool -k DEV`. */
export function formatFeatures(dev: NetDevice): string {
  let s = `Features for ${dev.name}:\n`;
  const one = (prefix: string, label: string, name: string): void => {
    const st = featureState(dev, name);
    s += `${prefix}${label}: ${onOff(st.on)}${st.fixed ? ' [fixed]' : ''}\n`;
  };
  for (const [label, , bits] of GROUPS) {
    if (bits.length === 1) {
      one('', label, bits[0]!);
      continue;
    }
    s += `${label}: ${onOff(bits.some((b) => featureState(dev, b).on))}\n`;
    for (const b of bits) one('\t', b, b);
  }
  for (const name of OTHERS) one('', name, name);
  return s;
}

const BAD_ARGS = 'ethtool: bad command line argument(s)\nFor more information run ethtool -h';
const pad4 = (n: number): number => (n + 3) & ~3;

/** `ethtool -K DEV name on|off ...`: returns the exit status. */
function setFeatures(ctx: ToolContext, dev: NetDevice, args: readonly string[]): number {
  const req = new Map<string, boolean>();
  // Netlink offset of the bit being added to the request (extack's "offset N").
  let offset = 48 + pad4(dev.name.length + 1);
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    const value = args[i + 1];
    if (value !== 'on' && value !== 'off') {
      throw new ToolExit(1, `ethtool (-K): flag '${value ?? '(null)'}' for parameter '(null)' is not followed by 'on' or 'off'`);
    }
    const group = GROUPS.find(([label, alias]) => label === name || alias === name);
    const bits = group !== undefined ? group[2] : KNOWN.has(name) ? [name] : null;
    if (bits === null) throw new ToolExit(92, `netlink error: bit name not found (offset ${offset})\nnetlink error: Operation not supported`);
    for (const b of bits) {
      req.set(b, value === 'on');
      offset += 8 + pad4(b.length + 1) + (value === 'on' ? 4 : 0);
    }
  }
  const before = new Map(KERNEL_ORDER.map((n) => [n, featureState(dev, n).on]));
  const modelled: Record<string, boolean> = {};
  for (const [name, on] of req) {
    const st = featureState(dev, name);
    if (st.fixed || st.on === on) continue;
    if (MODELLED.has(name)) modelled[name] = on;
    else {
      let m = OVERLAY.get(dev);
      if (m === undefined) OVERLAY.set(dev, (m = new Map()));
      m.set(name, on);
    }
  }
  if (Object.keys(modelled).length > 0) dev.setFeatures(modelled);
  let report = '';
  let mismatch = false;
  let changed = false;
  for (const name of KERNEL_ORDER) {
    const now = featureState(dev, name).on;
    const was = before.get(name)!;
    const wanted = req.get(name);
    if (now !== was) changed = true;
    if (wanted === undefined) {
      if (now !== was) {
        report += `${name}: ${onOff(now)} [not requested]\n`;
        mismatch = true;
      }
    } else if (wanted !== now) {
      report += `${name}: ${onOff(now)} [requested ${onOff(wanted)}]\n`;
      mismatch = true;
    } else if (now !== was) {
      report += `${name}: ${onOff(now)}\n`;
    }
  }
  if (!mismatch) return 0;
  if (!changed) ctx.io.err('Could not change any device features\n');
  ctx.io.out(`Actual changes:\n${report}`);
  return changed ? 0 : 1;
}

/** `ethtool -i DEV`. */
function driverInfo(dev: NetDevice): string {
  if (dev.kind === 'simnic') return nicDriverInfo(dev);
  if (dev.kind !== 'veth') throw new ToolExit(71, 'Cannot get driver information: Operation not supported');
  return (
    'driver: veth\nversion: 1.0\nfirmware-version: \nexpansion-rom-version: \nbus-info: \nsupports-statistics: yes\n' +
    'supports-test: no\nsupports-eeprom-access: no\nsupports-register-dump: no\nsupports-priv-flags: no\n'
  );
}

/** `ethtool -S DEV`: veth_get_ethtool_stats. The stack has no XDP, so only drops count. */
function nicStats(dev: NetDevice): string {
  if (dev.kind === 'simnic') return nicStatsText(dev);
  if (dev.kind !== 'veth') throw new ToolExit(94, 'no stats available');
  const line = (k: string, v: number): string => `     ${k}: ${v}\n`;
  let s = 'NIC statistics:\n' + line('peer_ifindex', dev.iflink);
  dev.rxQueues.forEach((q, i) => {
    s += line(`rx_queue_${i}_xdp_packets`, 0);
    s += line(`rx_queue_${i}_xdp_bytes`, 0);
    s += line(`rx_queue_${i}_drops`, q.stats.drops);
    for (const k of ['xdp_redirect', 'xdp_drops', 'xdp_tx', 'xdp_tx_errors']) s += line(`rx_queue_${i}_${k}`, 0);
  });
  dev.txQueues.forEach((_q, i) => {
    s += line(`tx_queue_${i}_xdp_xmit`, 0);
    s += line(`tx_queue_${i}_xdp_xmit_errors`, 0);
  });
  return s;
}

/** `ethtool -l DEV`: veth_get_channels (maximums: the queues allocated; current: in use). */
function channels(dev: NetDevice): string {
  if (dev.kind === 'simnic') return channelsText(dev);
  if (dev.kind !== 'veth') throw new ToolExit(1, 'netlink error: Operation not supported');
  const rx = dev.rxQueues.length;
  const tx = dev.txQueues.length;
  const block = `RX:\t\t${rx}\nTX:\t\t${tx}\nOther:\t\tn/a\nCombined:\tn/a\n`;
  return `Channel parameters for ${dev.name}:\nPre-set maximums:\n${block}Current hardware settings:\n${block}`;
}

/** `ethtool DEV` for veth: fixed 10000Mb/s full duplex, twisted pair. */
function linkSettings(dev: NetDevice): string {
  if (dev.kind !== 'veth') throw new ToolExit(75, 'netlink error: Operation not supported');
  return (
    `Settings for ${dev.name}:\n\tSupported ports: [  ]\n\tSupported link modes:   Not reported\n\tSupported pause frame use: No\n` +
    '\tSupports auto-negotiation: No\n\tSupported FEC modes: Not reported\n\tAdvertised link modes:  Not reported\n' +
    '\tAdvertised pause frame use: No\n\tAdvertised auto-negotiation: No\n\tAdvertised FEC modes: Not reported\n' +
    '\tSpeed: 10000Mb/s\n\tDuplex: Full\n\tAuto-negotiation: off\n\tPort: Twisted Pair\n\tPHYAD: 0\n\tTransceiver: internal\n' +
    `\tMDI-X: Unknown\n\tLink detected: ${dev.isUp && dev.carrier ? 'yes' : 'no'}\n`
  );
}

const NO_DEVICE: Record<string, ToolExit> = {
  k: new ToolExit(1, 'netlink error: no device matches name (offset 24)\nnetlink error: No such device'),
  i: new ToolExit(71, 'Cannot get driver information: No such device'),
  x: new ToolExit(1, 'Cannot get RX ring count: No such device'),
};

const LONG: Record<string, string> = {
  '--show-features': 'k', '--show-offload': 'k', '--features': 'K', '--offload': 'K', '--driver': 'i',
  '--statistics': 'S', '--show-channels': 'l', '--set-channels': 'L', '--show-ring': 'g', '--set-ring': 'G',
  '--show-coalesce': 'c', '--coalesce': 'C', '--show-rxfh-indir': 'x', '--show-rxfh': 'x', '--set-rxfh-indir': 'X', '--rxfh': 'X',
};

export function ethtoolTool(ctx: ToolContext, argv: readonly string[]): number {
  let netns: string | null = null;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--netns' || (a === '-n' && argv[i + 1] !== undefined && ctx.lab.namespace(argv[i + 1]!) !== undefined)) {
      const v = argv[++i];
      if (v === undefined) throw new ToolExit(1, BAD_ARGS);
      netns = v;
    } else args.push(a);
  }
  const ns: NetNamespace = pickNamespace(ctx, netns, 'ethtool', (name) => new ToolExit(1, `netstack: ethtool: no namespace "${name}" in the lab`));
  let op = '';
  if (args[0] !== undefined && args[0].startsWith('-')) {
    const a = args.shift()!;
    op = LONG[a] ?? (/^-[kKiSlLxXgGcC]$/.test(a) ? a.slice(1) : '?');
  }
  if (op === '?' || args.length === 0) throw new ToolExit(1, BAD_ARGS);
  const devName = args.shift()!;
  const dev = ns.devices.find((d) => d.name === devName);
  if (dev === undefined) throw op === 'i' || op === 'S' ? NO_DEVICE.i! : op === 'x' || op === 'X' ? NO_DEVICE.x! : NO_DEVICE.k!;
  const setter = op === 'K' || op === 'X' || op === 'G' || op === 'C' || op === 'L';
  if (!setter && args.length > 0) throw new ToolExit(1, BAD_ARGS);
  if (setter && op !== 'X' && args.length === 0) throw new ToolExit(1, BAD_ARGS);
  switch (op) {
    case '':
      ctx.io.out(linkSettings(dev));
      return 0;
    case 'k':
      ctx.io.out(formatFeatures(dev));
      return 0;
    case 'K':
      if (args.length === 0) throw new ToolExit(1, BAD_ARGS);
      return setFeatures(ctx, dev, args);
    case 'i':
      ctx.io.out(driverInfo(dev));
      return 0;
    case 'S':
      ctx.io.out(nicStats(dev));
      return 0;
    case 'l':
      ctx.io.out(channels(dev));
      return 0;
    case 'L':
      return setChannels(dev, args);
    case 'g':
      ctx.io.out(ringsText(dev));
      return 0;
    case 'G':
      return setRings(dev, args);
    case 'c':
      ctx.io.out(coalesceText(dev));
      return 0;
    case 'C':
      return setCoalesce(dev, args);
    case 'x':
      // Only sim NICs have an RSS context; for the others ETHTOOL_GRXRINGS is not supported.
      ctx.io.out(rxfhText(dev));
      return 0;
    default:
      return setRxfh(dev, args);
  }
}
