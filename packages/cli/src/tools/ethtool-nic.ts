/**
 * `ethtool -g/-G/-c/-C/-l/-L/-x/-X/-S/-i` for the simulated multi-queue NIC (`simnic` links), in
 * ethtool 6.1's layouts: `-c` and `-l` as captured from ethtool 6.1 (a tap and a veth device on
 * kernel 6.18: every field the driver does not support is "n/a"), `-g` from ethtool 6.1's
 * netlink/rings.c format strings (no real device here answers RINGS_GET), `-x` as core's
 * `formatEthtoolRxfh` (checked against ethtool 6.1). Errors are worded as ethtool prints the
 * kernel's extack messages; offsets count the netlink request as ethtool builds it.
 */
import { NetError, formatEthtoolRxfh, parseHexKey, type NetDevice } from '@netstack/core';
import { simNicOf, type SimNic } from '@netstack/nic-drivers';
import { ToolExit } from './io.js';

const pad4 = (n: number): number => (n + 3) & ~3;

/** Offset of the first attribute after the request header nest holding the device name. */
function firstAttrOffset(dev: NetDevice): number {
  return 28 + pad4(dev.name.length + 1);
}

function nicOf(dev: NetDevice, status: number): SimNic {
  if (dev.kind !== 'simnic') throw new ToolExit(status, 'netlink error: Operation not supported');
  return simNicOf(dev);
}

function parseU32(op: string, name: string, v: string | undefined): number {
  if (v === undefined || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v) || Number(v) > 0xffff_ffff) {
    throw new ToolExit(1, `ethtool (${op}): invalid value '${v ?? '(null)'}' for parameter '${name}'`);
  }
  return Number(v);
}

/** `ethtool -g DEV`. */
export function ringsText(dev: NetDevice): string {
  const r = nicOf(dev, 1).ringparam();
  return (
    `Ring parameters for ${dev.name}:\nPre-set maximums:\nRX:\t\t${r.rxMax}\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t${r.txMax}\n` +
    `Current hardware settings:\nRX:\t\t${r.rx}\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t${r.tx}\n` +
    'RX Buf Len:\t\tn/a\nCQE Size:\t\tn/a\nTX Push:\toff\nTCP data split:\tn/a\n'
  );
}

const RING_PARAMS = ['rx', 'rx-mini', 'rx-jumbo', 'tx', 'rx-buf-len', 'cqe-size', 'tx-push'];

/** `ethtool -G DEV rx N tx N`. */
export function setRings(dev: NetDevice, args: readonly string[]): number {
  const nic = nicOf(dev, 81);
  const req: { rx?: number; tx?: number } = {};
  let offset = firstAttrOffset(dev);
  let unsupported = -1;
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    if (!RING_PARAMS.includes(name)) throw new ToolExit(1, `ethtool (-G): unknown parameter '${name}'`);
    const v = parseU32('-G', name, args[i + 1]);
    if (name === 'rx') req.rx = v;
    else if (name === 'tx') req.tx = v;
    else if (unsupported < 0) unsupported = offset;
    offset += 8;
  }
  if (unsupported >= 0) throw new ToolExit(81, `netlink error: cannot modify an unsupported parameter (offset ${unsupported})\nnetlink error: Invalid argument`);
  const max = nic.ringparam();
  if ((req.rx ?? 0) > max.rxMax || (req.tx ?? 0) > max.txMax) throw new ToolExit(81, 'netlink error: requested ring size exceeds maximum\nnetlink error: Invalid argument');
  try {
    nic.setRingparam(req);
  } catch (err) {
    if (err instanceof NetError) throw new ToolExit(81, 'netlink error: Invalid argument');
    throw err;
  }
  return 0;
}

/** `ethtool -c DEV`: the fields this NIC supports; the rest "n/a", as ethtool 6.1 prints them. */
export function coalesceText(dev: NetDevice): string {
  const c = nicOf(dev, 1).getCoalesce();
  const na = (k: string): string => `${k}: n/a\n`;
  return (
    `Coalesce parameters for ${dev.name}:\nAdaptive RX: off  TX: off\n` +
    na('stats-block-usecs') + na('sample-interval') + na('pkt-rate-low') + na('pkt-rate-high') +
    `\nrx-usecs: ${c.rxUsecs}\nrx-frames: ${c.rxFrames}\n` + na('rx-usecs-irq') + na('rx-frames-irq') +
    `\ntx-usecs: ${c.txUsecs}\ntx-frames: ${c.txFrames}\n` + na('tx-usecs-irq') + na('tx-frames-irq') +
    '\n' + na('rx-usecs-low') + na('rx-frame-low') + na('tx-usecs-low') + na('tx-frame-low') +
    '\n' + na('rx-usecs-high') + na('rx-frame-high') + na('tx-usecs-high') + na('tx-frame-high') +
    '\nCQE mode RX: n/a  TX: n/a\n\n'
  );
}

/** ethtool 6.1's `-C` parameters, in its parser's order; the value each takes. */
const COALESCE_PARAMS: Record<string, 'u32' | 'bool'> = {
  'adaptive-rx': 'bool', 'adaptive-tx': 'bool', 'sample-interval': 'u32', 'stats-block-usecs': 'u32',
  'pkt-rate-low': 'u32', 'pkt-rate-high': 'u32', 'rx-usecs': 'u32', 'rx-frames': 'u32', 'rx-usecs-irq': 'u32',
  'rx-frames-irq': 'u32', 'tx-usecs': 'u32', 'tx-frames': 'u32', 'tx-usecs-irq': 'u32', 'tx-frames-irq': 'u32',
  'rx-usecs-low': 'u32', 'rx-frames-low': 'u32', 'tx-usecs-low': 'u32', 'tx-frames-low': 'u32', 'rx-usecs-high': 'u32',
  'rx-frames-high': 'u32', 'tx-usecs-high': 'u32', 'tx-frames-high': 'u32', 'cqe-mode-rx': 'bool', 'cqe-mode-tx': 'bool',
};
const COALESCE_FIELDS: Record<string, 'rxUsecs' | 'rxFrames' | 'txUsecs' | 'txFrames'> = {
  'rx-usecs': 'rxUsecs', 'rx-frames': 'rxFrames', 'tx-usecs': 'txUsecs', 'tx-frames': 'txFrames',
};

/** `ethtool -C DEV rx-usecs N rx-frames N tx-usecs N tx-frames N [adaptive-rx off] ...`. */
export function setCoalesce(dev: NetDevice, args: readonly string[]): number {
  const nic = nicOf(dev, 1);
  const req: Partial<Record<'rxUsecs' | 'rxFrames' | 'txUsecs' | 'txFrames', number>> = {};
  let offset = firstAttrOffset(dev);
  let unsupported = -1;
  let adaptiveOn = false;
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    const kind = COALESCE_PARAMS[name];
    if (kind === undefined) throw new ToolExit(1, `ethtool (-C): unknown parameter '${name}'`);
    const raw = args[i + 1];
    if (kind === 'bool') {
      if (raw !== 'on' && raw !== 'off') throw new ToolExit(1, `ethtool (-C): invalid value '${raw ?? '(null)'}' for parameter '${name}'`);
      if (name.startsWith('adaptive')) adaptiveOn ||= raw === 'on';
      else if (unsupported < 0) unsupported = offset;
    } else {
      const v = parseU32('-C', name, raw);
      const field = COALESCE_FIELDS[name];
      if (field !== undefined) req[field] = v;
      else if (unsupported < 0) unsupported = offset;
    }
    offset += 8;
  }
  if (unsupported >= 0) throw new ToolExit(1, `netlink error: cannot modify an unsupported parameter (offset ${unsupported})\nnetlink error: Invalid argument`);
  // Adaptive moderation is reported (off) but not implemented: the driver refuses to turn it on.
  if (adaptiveOn) throw new ToolExit(1, 'netlink error: Operation not supported');
  try {
    nic.setCoalesce(req);
  } catch (err) {
    if (err instanceof NetError) throw new ToolExit(1, 'netlink error: Invalid argument');
    throw err;
  }
  return 0;
}

/** `ethtool -l DEV` for a sim NIC: RX/TX-only and combined channels, each against its maximum. */
export function channelsText(dev: NetDevice): string {
  const c = nicOf(dev, 1).channels();
  return (
    `Channel parameters for ${dev.name}:\nPre-set maximums:\nRX:\t\t${c.maxRx}\nTX:\t\t${c.maxTx}\nOther:\t\tn/a\nCombined:\t${c.maxCombined}\n` +
    `Current hardware settings:\nRX:\t\t${c.rx}\nTX:\t\t${c.tx}\nOther:\t\tn/a\nCombined:\t${c.combined}\n`
  );
}

/** `ethtool -L DEV [rx N] [tx N] [other N] [combined N]`. */
export function setChannels(dev: NetDevice, args: readonly string[]): number {
  const nic = nicOf(dev, 1);
  const cur = nic.channels();
  const req: { rx?: number; tx?: number; combined?: number } = {};
  const at: Record<string, number> = {};
  let offset = firstAttrOffset(dev);
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    if (!['rx', 'tx', 'other', 'combined'].includes(name)) throw new ToolExit(1, `ethtool (-L): unknown parameter '${name}'`);
    const v = parseU32('-L', name, args[i + 1]);
    at[name] = offset;
    offset += 8;
    if (name === 'other') {
      if (v !== 0) throw new ToolExit(1, `netlink error: requested channel count exceeds maximum (offset ${at[name]})\nnetlink error: Invalid argument`);
    } else req[name as 'rx' | 'tx' | 'combined'] = v;
  }
  // ethnl_set_channels checks rx, tx, then combined against their maximums.
  for (const [k, max] of [['rx', cur.maxRx], ['tx', cur.maxTx], ['combined', cur.maxCombined]] as const) {
    if ((req[k] ?? 0) > max) throw new ToolExit(1, `netlink error: requested channel count exceeds maximum (offset ${at[k]})\nnetlink error: Invalid argument`);
  }
  const rx = (req.combined ?? cur.combined) + (req.rx ?? cur.rx);
  const tx = (req.combined ?? cur.combined) + (req.tx ?? cur.tx);
  if (rx === 0 || tx === 0) throw new ToolExit(1, `netlink error: requested channel count has no ${rx === 0 ? 'RX' : 'TX'} channels\nnetlink error: Invalid argument`);
  if (rx > cur.maxCombined || tx > cur.maxCombined) throw new ToolExit(1, 'netlink error: requested channel count exceeds maximum\nnetlink error: Invalid argument');
  try {
    nic.setChannels(req);
  } catch (err) {
    if (err instanceof NetError) throw new ToolExit(1, 'netlink error: requested channel counts are too low for existing indirection table settings\nnetlink error: Invalid argument');
    throw err;
  }
  return 0;
}

/** `ethtool -x DEV`. */
export function rxfhText(dev: NetDevice): string {
  if (dev.kind !== 'simnic') throw new ToolExit(1, 'Cannot get RX ring count: Operation not supported');
  return formatEthtoolRxfh(dev.name, simNicOf(dev).rss);
}

/** `ethtool -X DEV equal N | weight W... | default [start S] [hkey XX:...] [hfunc NAME]`. */
export function setRxfh(dev: NetDevice, args: readonly string[]): number {
  if (dev.kind !== 'simnic') throw new ToolExit(1, 'Cannot get RX ring count: Operation not supported');
  const rss = simNicOf(dev).rss;
  let equal: number | null = null;
  let weights: number[] | null = null;
  let start = 0;
  let dflt = false;
  let hkey: string | null = null;
  let hfunc: string | null = null;
  const bad = new ToolExit(1, 'ethtool: bad command line argument(s)\nFor more information run ethtool -h');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'equal') equal = parseU32('-X', a, args[++i]);
    else if (a === 'start') start = parseU32('-X', a, args[++i]);
    else if (a === 'default') dflt = true;
    else if (a === 'hkey') hkey = args[++i] ?? null;
    else if (a === 'hfunc') hfunc = args[++i] ?? null;
    else if (a === 'weight') {
      weights = [];
      while (i + 1 < args.length && /^[0-9]+$/.test(args[i + 1]!)) weights.push(Number(args[++i]));
    } else throw bad;
  }
  if ([equal !== null, weights !== null, dflt].filter(Boolean).length > 1) throw bad;
  try {
    if (hfunc !== null) rss.setHashFunction(hfunc);
    if (hkey !== null) rss.setKey(parseHexKey(hkey, rss.key.length));
    if (equal !== null) rss.indir.setEqual(equal, start);
    else if (weights !== null) rss.indir.setWeights(weights, start);
    else if (dflt) rss.indir.setDefault();
  } catch (err) {
    if (err instanceof NetError) throw new ToolExit(1, err.message.replace(/^E[A-Z0-9]+: /, ''));
    throw err;
  }
  return 0;
}

/** `ethtool -S DEV` for a sim NIC. */
export function nicStatsText(dev: NetDevice): string {
  let s = 'NIC statistics:\n';
  for (const [k, v] of simNicOf(dev).ethtoolStats()) s += `     ${k}: ${v}\n`;
  return s;
}

/** `ethtool -i DEV` for a sim NIC. */
export function nicDriverInfo(dev: NetDevice): string {
  simNicOf(dev);
  return (
    'driver: simnic\nversion: 1.0\nfirmware-version: \nexpansion-rom-version: \nbus-info: \nsupports-statistics: yes\n' +
    'supports-test: no\nsupports-eeprom-access: no\nsupports-register-dump: no\nsupports-priv-flags: no\n'
  );
}
