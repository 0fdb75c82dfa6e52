/**
 * The reassembly sysctls of a namespace (`ip4_frags_ns_ctl_table`, net/ipv4/ip_fragment.c), with
 * the kernel's defaults (checked on Linux 6.18: `sysctl net.ipv4.ipfrag_high_thresh` = 4194304,
 * `ipfrag_low_thresh` = 3145728, `ipfrag_time` = 30, `ipfrag_max_dist` = 64). The packet path
 * reads the cached copies in `FragConf`, refreshed on every change.
 */
import type { Sysctl } from '@netstack/core';

export const IPFRAG_HIGH_THRESH_DEFAULT = 4 * 1024 * 1024;
export const IPFRAG_LOW_THRESH_DEFAULT = 3 * 1024 * 1024;
/** `IP_FRAG_TIME` (include/net/ip.h): 30 seconds. */
export const IPFRAG_TIME_DEFAULT = 30;
export const IPFRAG_MAX_DIST_DEFAULT = 64;

/** Cached values of the four sysctls (`struct fqdir`'s high_thresh, low_thresh, timeout, max_dist). */
export class FragConf {
  highThresh = IPFRAG_HIGH_THRESH_DEFAULT;
  /**
   * Kept for compatibility: since Linux 4.17 nothing evicts down to it (a full table refuses new
   * fragments instead); it only bounds `ipfrag_high_thresh` from below.
   */
  lowThresh = IPFRAG_LOW_THRESH_DEFAULT;
  /** Seconds a queue may wait for its missing fragments (`ipfrag_time`, read when a queue is created). */
  timeSec = IPFRAG_TIME_DEFAULT;
  /** Per-peer disorder limit (`ipfrag_max_dist`), 0 disables the check. */
  maxDist = IPFRAG_MAX_DIST_DEFAULT;
}

/**
 * Register `net.ipv4.ipfrag_*` in `sysctl` and return the cache they update. As in the kernel,
 * `ipfrag_high_thresh` may not go below `ipfrag_low_thresh` and `ipfrag_low_thresh` not above
 * `ipfrag_high_thresh` (their proc handlers use each other as bounds); `ipfrag_max_dist` is >= 0.
 */
export function registerFragSysctls(sysctl: Sysctl): FragConf {
  const conf = new FragConf();
  sysctl.register<number>({
    name: 'net.ipv4.ipfrag_high_thresh',
    default: IPFRAG_HIGH_THRESH_DEFAULT,
    min: 0,
    validate: (v) => (v < conf.lowThresh ? `${v} is below ipfrag_low_thresh ${conf.lowThresh}` : null),
    onChange: (v) => (conf.highThresh = v),
    description: 'Most memory (bytes of truesize) reassembly may hold; above it new fragments are dropped',
  });
  sysctl.register<number>({
    name: 'net.ipv4.ipfrag_low_thresh',
    default: IPFRAG_LOW_THRESH_DEFAULT,
    min: 0,
    validate: (v) => (v > conf.highThresh ? `${v} is above ipfrag_high_thresh ${conf.highThresh}` : null),
    onChange: (v) => (conf.lowThresh = v),
    description: 'Unused since Linux 4.17 except as the lower bound of ipfrag_high_thresh',
  });
  sysctl.register<number>({
    name: 'net.ipv4.ipfrag_time',
    default: IPFRAG_TIME_DEFAULT,
    onChange: (v) => (conf.timeSec = v),
    description: 'Seconds an IP fragment queue is kept waiting for its missing fragments',
  });
  sysctl.register<number>({
    name: 'net.ipv4.ipfrag_max_dist',
    default: IPFRAG_MAX_DIST_DEFAULT,
    min: 0,
    onChange: (v) => (conf.maxDist = v),
    description: 'Fragments from one source that may arrive between two of one datagram before its queue is reset; 0 disables',
  });
  return conf;
}
