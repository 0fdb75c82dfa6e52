/**
 * The sysctls TCP reads (issues #4 and #6: the state machine, buffers, Fast Open, TSQ, SYN
 * cookies), under the kernel's names with this machine's Linux 6.18 defaults and the ranges this
 * kernel enforces (each bound measured by writing values in a scratch namespace; e.g.
 * tcp_syn_retries takes 1..127, tcp_reordering 1..300, tcp_fin_timeout ±8589934 = INT_MAX/HZ
 * with HZ 250). Values are those `sysctl -a` shows in a new namespace, except
 * tcp_congestion_control / tcp_allowed_congestion_control: this host's init_net sets bbr (a new
 * namespace inherits it), while our default is upstream's CUBIC (DESIGN.md), so the defaults come
 * from the congestion-control registry ("cubic", allowed "reno cubic").
 *
 * Where the tunables live: per namespace, except the ones Linux keeps global (not listed in a new
 * namespace, or read-only there): tcp_mem, tcp_max_orphans, tcp_low_latency,
 * tcp_allowed_congestion_control, tcp_available_congestion_control, and net.core's
 * netdev_max_backlog and {r,w}mem_{default,max} (UDP treats those as global too). Those go in the
 * World's tree. A name already registered (by UDP, IPv4, ...) is not registered again: the
 * existing entry's onChange is chained so `TcpConf` still follows it.
 */
import type { Sysctl, SysctlEntry, SysctlSpec, SysctlValue } from '@netstack/core';

/** INT_MAX */
const INT_MAX = 2147483647;
/** UINT_MAX */
const UINT_MAX = 4294967295;
/** INT_MAX / HZ (HZ 250 on this machine): bound of the jiffies-backed second values. */
const JIFFIES_SEC_MAX = 8589934;

/**
 * The namespace's TCP tunables as plain numbers for the packet path, kept in step by each
 * sysctl's onChange. Field initialisers are the defaults (Linux 6.18 on this machine).
 */
export class TcpConf {
  // Buffers and memory
  /** tcp_rmem: min, default, max (bytes). */
  rmem: [number, number, number] = [4096, 131072, 33554432];
  /** tcp_wmem: min, default, max (bytes). */
  wmem: [number, number, number] = [4096, 16384, 4194304];
  /** tcp_mem (pages): min, pressure, max. Global; sized from RAM at boot (287898 383867 575796 here). */
  mem: [number, number, number] = [287898, 383867, 575796];
  moderateRcvbuf = 1;
  advWinScale = 1;
  appWin = 31;
  /** net.core.* (bytes / count) */
  coreRmemDefault = 212992;
  coreRmemMax = 4194304;
  coreWmemDefault = 212992;
  coreWmemMax = 4194304;
  coreOptmemMax = 131072;
  coreNetdevMaxBacklog = 1000;
  coreSomaxconn = 4096;
  notsentLowat = UINT_MAX;
  // Connection setup
  synRetries = 6;
  synackRetries = 5;
  synLinearTimeouts = 4;
  maxSynBacklog = 2048;
  abortOnOverflow = 0;
  syncookies = 1;
  fastopen = 1;
  fastopenBlackholeTimeoutSec = 0;
  /** tcp_fastopen_key as the kernel prints it (zeros: no key yet). */
  fastopenKey = '00000000-00000000-00000000-00000000';
  // Options
  timestamps = 1;
  windowScaling = 1;
  sack = 1;
  dsack = 1;
  fack = 0;
  ecn = 2;
  ecnFallback = 1;
  // Timers and retries
  retries1 = 3;
  retries2 = 15;
  orphanRetries = 0;
  finTimeout = 60;
  keepaliveTime = 7200;
  keepaliveIntvl = 75;
  keepaliveProbes = 9;
  rtoMinUs = 200000;
  rtoMaxMs = 120000;
  twReuse = 2;
  twReuseDelay = 1000;
  maxTwBuckets = 131072;
  maxOrphans = 131072;
  rfc1337 = 0;
  // Loss recovery and reordering
  recovery = 1;
  earlyRetrans = 3;
  frto = 2;
  reordering = 3;
  maxReordering = 300;
  retransCollapse = 1;
  thinLinearTimeouts = 0;
  // ACKs
  compSackDelayNs = 1000000;
  compSackSlackNs = 100000;
  compSackNr = 44;
  backlogAckDefer = 1;
  pingpongThresh = 1;
  challengeAckLimit = INT_MAX;
  invalidRatelimit = 500;
  stdurg = 0;
  workaroundSignedWindows = 0;
  shrinkWindow = 0;
  // Sending: TSQ, pacing, TSO, autocorking
  limitOutputBytes = 4194304;
  autocorking = 1;
  pacingSsRatio = 200;
  pacingCaRatio = 120;
  minTsoSegs = 2;
  tsoWinDivisor = 3;
  tsoRttLog = 9;
  slowStartAfterIdle = 1;
  minRttWlen = 300;
  // MSS / PMTU probing
  minSndMss = 48;
  baseMss = 1024;
  mtuProbing = 0;
  mtuProbeFloor = 48;
  probeThreshold = 8;
  probeInterval = 600;
  // Metrics, misc
  noMetricsSave = 0;
  noSsthreshMetricsSave = 1;
  reflectTos = 0;
  migrateReq = 0;
  /** tcp_congestion_control (string: the default module's name). */
  congestionControl = 'cubic';
}

/** The congestion-control registry as the sysctls need it (CongestionControlRegistry fits). */
export interface TcpCongestionSysctlSource {
  readonly available: readonly string[];
  readonly allowed: readonly string[];
  readonly default: string;
  setDefault(name: string): void;
  setAllowed(names: string): void;
}

/** The trees: the namespace's and the World's (for the global tunables). */
export interface TcpSysctlTrees {
  sysctl: Sysctl;
  world: { sysctl: Sysctl };
}

type NumKey = { [K in keyof TcpConf]: TcpConf[K] extends number ? K : never }[keyof TcpConf];
type VecKey = 'rmem' | 'wmem' | 'mem';

interface NumDef {
  name: string;
  key: NumKey;
  min?: number;
  max?: number;
  global?: boolean;
  description?: string;
}

/** [name, TcpConf field, min, max] of every numeric per-namespace tunable. */
const NUMERIC: readonly NumDef[] = [
  { name: 'net.ipv4.tcp_abort_on_overflow', key: 'abortOnOverflow', min: 0, max: 255, description: 'reset instead of drop on accept-queue overflow' },
  { name: 'net.ipv4.tcp_adv_win_scale', key: 'advWinScale', min: -31, max: 31 },
  { name: 'net.ipv4.tcp_app_win', key: 'appWin', min: 0, max: 31 },
  { name: 'net.ipv4.tcp_autocorking', key: 'autocorking', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_backlog_ack_defer', key: 'backlogAckDefer', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_base_mss', key: 'baseMss' },
  { name: 'net.ipv4.tcp_challenge_ack_limit', key: 'challengeAckLimit' },
  { name: 'net.ipv4.tcp_comp_sack_delay_ns', key: 'compSackDelayNs', min: 0 },
  { name: 'net.ipv4.tcp_comp_sack_nr', key: 'compSackNr', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_comp_sack_slack_ns', key: 'compSackSlackNs', min: 0 },
  { name: 'net.ipv4.tcp_dsack', key: 'dsack', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_early_retrans', key: 'earlyRetrans', min: 0, max: 4 },
  { name: 'net.ipv4.tcp_ecn', key: 'ecn', min: 0, max: 2 },
  { name: 'net.ipv4.tcp_ecn_fallback', key: 'ecnFallback', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_fack', key: 'fack', min: 0, max: 255, description: 'no effect since 4.15' },
  { name: 'net.ipv4.tcp_fastopen', key: 'fastopen' },
  { name: 'net.ipv4.tcp_fastopen_blackhole_timeout_sec', key: 'fastopenBlackholeTimeoutSec', min: 0, max: INT_MAX },
  { name: 'net.ipv4.tcp_fin_timeout', key: 'finTimeout', min: -JIFFIES_SEC_MAX, max: JIFFIES_SEC_MAX },
  { name: 'net.ipv4.tcp_frto', key: 'frto', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_invalid_ratelimit', key: 'invalidRatelimit', min: 0 },
  { name: 'net.ipv4.tcp_keepalive_intvl', key: 'keepaliveIntvl', min: -JIFFIES_SEC_MAX, max: JIFFIES_SEC_MAX },
  { name: 'net.ipv4.tcp_keepalive_probes', key: 'keepaliveProbes', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_keepalive_time', key: 'keepaliveTime', min: -JIFFIES_SEC_MAX, max: JIFFIES_SEC_MAX },
  { name: 'net.ipv4.tcp_limit_output_bytes', key: 'limitOutputBytes' },
  { name: 'net.ipv4.tcp_max_reordering', key: 'maxReordering', min: 1, max: INT_MAX },
  { name: 'net.ipv4.tcp_max_syn_backlog', key: 'maxSynBacklog' },
  { name: 'net.ipv4.tcp_max_tw_buckets', key: 'maxTwBuckets' },
  { name: 'net.ipv4.tcp_migrate_req', key: 'migrateReq', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_min_rtt_wlen', key: 'minRttWlen', min: 0, max: 86400 },
  { name: 'net.ipv4.tcp_min_snd_mss', key: 'minSndMss', min: 48, max: 65535 },
  { name: 'net.ipv4.tcp_min_tso_segs', key: 'minTsoSegs', min: 1, max: 255 },
  { name: 'net.ipv4.tcp_moderate_rcvbuf', key: 'moderateRcvbuf', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_mtu_probe_floor', key: 'mtuProbeFloor', min: 48, max: 65535 },
  { name: 'net.ipv4.tcp_mtu_probing', key: 'mtuProbing', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_no_metrics_save', key: 'noMetricsSave', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_no_ssthresh_metrics_save', key: 'noSsthreshMetricsSave', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_notsent_lowat', key: 'notsentLowat', min: 0, max: UINT_MAX },
  { name: 'net.ipv4.tcp_orphan_retries', key: 'orphanRetries', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_pacing_ca_ratio', key: 'pacingCaRatio', min: 0, max: 1000 },
  { name: 'net.ipv4.tcp_pacing_ss_ratio', key: 'pacingSsRatio', min: 0, max: 1000 },
  { name: 'net.ipv4.tcp_pingpong_thresh', key: 'pingpongThresh', min: 1, max: 255 },
  { name: 'net.ipv4.tcp_probe_interval', key: 'probeInterval', min: 0, max: 17179869 },
  { name: 'net.ipv4.tcp_probe_threshold', key: 'probeThreshold' },
  { name: 'net.ipv4.tcp_recovery', key: 'recovery', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_reflect_tos', key: 'reflectTos', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_reordering', key: 'reordering', min: 1, max: 300 },
  { name: 'net.ipv4.tcp_retrans_collapse', key: 'retransCollapse', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_retries1', key: 'retries1', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_retries2', key: 'retries2', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_rfc1337', key: 'rfc1337', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_rto_max_ms', key: 'rtoMaxMs', min: 1000, max: 120000 },
  { name: 'net.ipv4.tcp_rto_min_us', key: 'rtoMinUs', min: 1, max: INT_MAX },
  { name: 'net.ipv4.tcp_sack', key: 'sack', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_shrink_window', key: 'shrinkWindow', min: 0, max: 1 },
  { name: 'net.ipv4.tcp_slow_start_after_idle', key: 'slowStartAfterIdle', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_stdurg', key: 'stdurg', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_syn_linear_timeouts', key: 'synLinearTimeouts', min: 0, max: 127 },
  { name: 'net.ipv4.tcp_syn_retries', key: 'synRetries', min: 1, max: 127 },
  { name: 'net.ipv4.tcp_synack_retries', key: 'synackRetries', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_syncookies', key: 'syncookies', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_thin_linear_timeouts', key: 'thinLinearTimeouts', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_timestamps', key: 'timestamps', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_tso_rtt_log', key: 'tsoRttLog', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_tso_win_divisor', key: 'tsoWinDivisor', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_tw_reuse', key: 'twReuse', min: 0, max: 2 },
  { name: 'net.ipv4.tcp_tw_reuse_delay', key: 'twReuseDelay', min: 1, max: 60000 },
  { name: 'net.ipv4.tcp_window_scaling', key: 'windowScaling', min: 0, max: 255 },
  { name: 'net.ipv4.tcp_workaround_signed_windows', key: 'workaroundSignedWindows', min: 0, max: 255 },
  // Global in Linux (absent from a new namespace's listing).
  { name: 'net.ipv4.tcp_max_orphans', key: 'maxOrphans', min: 0, max: INT_MAX, global: true },
  // net.core: somaxconn and optmem_max are per namespace; the rest global.
  { name: 'net.core.somaxconn', key: 'coreSomaxconn', min: 0, max: INT_MAX },
  { name: 'net.core.optmem_max', key: 'coreOptmemMax', min: 0, max: INT_MAX },
  { name: 'net.core.netdev_max_backlog', key: 'coreNetdevMaxBacklog', min: 0, max: INT_MAX, global: true },
  { name: 'net.core.rmem_default', key: 'coreRmemDefault', min: 2304, max: INT_MAX, global: true },
  { name: 'net.core.rmem_max', key: 'coreRmemMax', min: 2304, max: INT_MAX, global: true },
  { name: 'net.core.wmem_default', key: 'coreWmemDefault', min: 4608, max: INT_MAX, global: true },
  { name: 'net.core.wmem_max', key: 'coreWmemMax', min: 4608, max: INT_MAX, global: true },
];

/** Every sysctl name registerTcpSysctls provides. */
export const TCP_SYSCTL_NAMES: readonly string[] = [
  ...NUMERIC.map((d) => d.name),
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_mem',
  'net.ipv4.tcp_fastopen_key',
  'net.ipv4.tcp_congestion_control',
  'net.ipv4.tcp_available_congestion_control',
  'net.ipv4.tcp_allowed_congestion_control',
];

const FASTOPEN_KEY_RE = /^[0-9a-f]{1,8}(-[0-9a-f]{1,8}){3}(,[0-9a-f]{1,8}(-[0-9a-f]{1,8}){3})?$/i;

/** tcp_fastopen_key as the kernel prints it back: each 32-bit group as %08x. */
export function normalizeFastopenKey(text: string): string {
  return text
    .trim()
    .split(',')
    .map((k) => k.split('-').map((g) => parseInt(g, 16).toString(16).padStart(8, '0')).join('-'))
    .join(',');
}

function sameName(list: readonly string[]): string {
  return list.join(' ');
}

/**
 * Register the TCP sysctls in `trees` (the global ones in the World's tree) and return the
 * TcpConf that follows them. Names that exist are not registered again (their onChange is
 * chained and the conf takes their current value).
 */
export function registerTcpSysctls(trees: TcpSysctlTrees, cc: TcpCongestionSysctlSource, conf: TcpConf = new TcpConf()): TcpConf {
  const put = <V extends SysctlValue>(spec: SysctlSpec<V>, global: boolean, apply: (v: V) => void): SysctlEntry<V> => {
    if (trees.sysctl.has(spec.name)) {
      const entry = trees.sysctl.entry(spec.name) as unknown as SysctlEntry<V>;
      const prev = entry.spec.onChange;
      // Chain: the earlier registrant keeps its callback and TcpConf follows as well.
      (entry.spec as SysctlSpec<V>).onChange = (v: V): void => {
        prev?.(v);
        apply(v);
      };
      apply(entry.value);
      return entry;
    }
    const tree = global ? trees.world.sysctl : trees.sysctl;
    return tree.register<V>({ ...spec, onChange: apply });
  };

  for (const d of NUMERIC) {
    const spec: SysctlSpec<number> = { name: d.name, default: conf[d.key] };
    if (d.min !== undefined) spec.min = d.min;
    if (d.max !== undefined) spec.max = d.max;
    if (d.description !== undefined) spec.description = d.description;
    put(spec, d.global === true, (v) => {
      conf[d.key] = v;
    });
  }

  const vec = (name: string, key: VecKey, global: boolean, description: string): void => {
    // This kernel takes any integers >= 1 in each slot (no ordering check): "9000 100 5" is accepted.
    put<readonly number[]>({ name, default: [...conf[key]], min: key === 'mem' ? 0 : 1, max: INT_MAX, description }, global, (v) => {
      conf[key] = [v[0]!, v[1]!, v[2]!];
    });
  };
  vec('net.ipv4.tcp_rmem', 'rmem', false, 'receive buffer bytes: min, default (initial sk_rcvbuf), max (autotuning cap)');
  vec('net.ipv4.tcp_wmem', 'wmem', false, 'send buffer bytes: min, default (initial sk_sndbuf), max (autotuning cap)');
  vec('net.ipv4.tcp_mem', 'mem', true, 'pages all TCP sockets may hold: min, pressure, max');

  const keyEntry = put<string>(
    {
      name: 'net.ipv4.tcp_fastopen_key',
      default: conf.fastopenKey,
      validate: (v) => (FASTOPEN_KEY_RE.test(v) ? null : 'expected one or two keys of four hex groups (a-b-c-d[,e-f-g-h])'),
    },
    false,
    (v) => {
      conf.fastopenKey = normalizeFastopenKey(v);
    },
  );
  keyEntry.value = conf.fastopenKey;
  // After a write, the file reads back normalised (%08x groups).
  const keyApply = keyEntry.spec.onChange!;
  keyEntry.spec.onChange = (v: string): void => {
    keyApply(v);
    keyEntry.value = conf.fastopenKey;
  };

  conf.congestionControl = cc.default;
  const available = put<string>(
    {
      name: 'net.ipv4.tcp_available_congestion_control',
      default: sameName(cc.available),
      // Read-only in Linux (0444).
      validate: (v) => (v === sameName(cc.available) ? null : 'read-only'),
    },
    true,
    () => undefined,
  );
  const allowed = put<string>(
    {
      name: 'net.ipv4.tcp_allowed_congestion_control',
      default: sameName(cc.allowed),
      validate: (v) => {
        for (const n of v.split(/\s+/)) if (n !== '' && !cc.available.includes(n)) return `${n} is not registered`;
        return null;
      },
    },
    true,
    (v) => {
      if (v !== sameName(cc.allowed)) cc.setAllowed(v);
    },
  );
  const ccEntry = put<string>(
    {
      name: 'net.ipv4.tcp_congestion_control',
      default: cc.default,
      choices: () => cc.available,
    },
    false,
    (v) => {
      if (cc.default !== v) cc.setDefault(v);
      conf.congestionControl = v;
    },
  );
  // The allowed list is kept in the registry's order and always holds the default.
  const refresh = (): void => {
    allowed.value = sameName(cc.allowed);
    available.value = sameName(cc.available);
  };
  const wrap = (entry: SysctlEntry<string>): void => {
    const f = entry.spec.onChange!;
    entry.spec.onChange = (v: string): void => {
      f(v);
      refresh();
    };
  };
  wrap(allowed);
  wrap(ccEntry);
  return conf;
}

/** Re-read the congestion-control lists after a module registers or leaves. */
export function refreshCongestionSysctls(trees: TcpSysctlTrees, cc: TcpCongestionSysctlSource): void {
  trees.sysctl.entry('net.ipv4.tcp_available_congestion_control').value = sameName(cc.available);
  trees.sysctl.entry('net.ipv4.tcp_allowed_congestion_control').value = sameName(cc.allowed);
}
