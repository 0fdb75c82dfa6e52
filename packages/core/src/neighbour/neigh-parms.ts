import type { Sysctl } from '../sysctl/sysctl.js';

/** SKB_TRUESIZE(ETH_FRAME_LEN) on x86_64: what one packet of `unres_qlen` is worth in bytes. */
const UNRES_QLEN_TRUESIZE = 2112;

/**
 * Per-table neighbour parameters (`struct neigh_parms`) under their sysctl names
 * (`net.ipv4.neigh.default.*`, Documentation/networking/ip-sysctl.rst). Times in ms.
 */
export class NeighParms {
  baseReachableTimeMs = 30_000;
  retransTimeMs = 1_000;
  delayFirstProbeTimeMs = 5_000;
  gcStaleTimeMs = 60_000;
  ucastSolicit = 3;
  mcastSolicit = 3;
  appSolicit = 0;
  mcastResolicit = 0;
  /** Bytes of packets queued per unresolved entry (SK_WMEM_MAX by default). */
  unresQlenBytes = 212_992;
  locktimeMs = 1_000;
  /** `reachable_time`: random in [base/2, 3·base/2], re-drawn periodically. */
  reachableTimeMs = 30_000;
  anycastDelayMs = 1_000;
  intervalProbeTimeMs = 5_000;

  /** Register `<prefix>.<name>` sysctls bound to these fields (prefix e.g. `net.ipv4.neigh.default`). */
  registerSysctls(sysctl: Sysctl, prefix: string, onBaseReachable: () => void): void {
    const bind = (name: string, get: () => number, set: (v: number) => void, min = 0): void => {
      sysctl.register({ name: `${prefix}.${name}`, default: get(), min, onChange: set });
    };
    // Each time exists twice, as in Linux: in ms and in the legacy unit (seconds, or USER_HZ ticks).
    bind('base_reachable_time_ms', () => this.baseReachableTimeMs, (v) => {
      this.baseReachableTimeMs = v;
      onBaseReachable();
    }, 1);
    bind('base_reachable_time', () => this.baseReachableTimeMs / 1000, (v) => {
      this.baseReachableTimeMs = v * 1000;
      onBaseReachable();
    }, 1);
    bind('retrans_time_ms', () => this.retransTimeMs, (v) => (this.retransTimeMs = v), 1);
    bind('retrans_time', () => this.retransTimeMs / 10, (v) => (this.retransTimeMs = v * 10), 1);
    bind('anycast_delay', () => this.anycastDelayMs / 10, (v) => (this.anycastDelayMs = v * 10));
    bind('interval_probe_time_ms', () => this.intervalProbeTimeMs, (v) => (this.intervalProbeTimeMs = v), 1);
    // unres_qlen counts packets: bytes / SKB_TRUESIZE(ETH_FRAME_LEN) (= 2112) rounded up, as the kernel shows 101.
    bind('unres_qlen', () => Math.ceil(this.unresQlenBytes / UNRES_QLEN_TRUESIZE), (v) => (this.unresQlenBytes = v * UNRES_QLEN_TRUESIZE));
    bind('delay_first_probe_time', () => this.delayFirstProbeTimeMs / 1000, (v) => (this.delayFirstProbeTimeMs = v * 1000));
    bind('gc_stale_time', () => this.gcStaleTimeMs / 1000, (v) => (this.gcStaleTimeMs = v * 1000));
    bind('ucast_solicit', () => this.ucastSolicit, (v) => (this.ucastSolicit = v));
    bind('mcast_solicit', () => this.mcastSolicit, (v) => (this.mcastSolicit = v));
    bind('app_solicit', () => this.appSolicit, (v) => (this.appSolicit = v));
    bind('mcast_resolicit', () => this.mcastResolicit, (v) => (this.mcastResolicit = v));
    bind('unres_qlen_bytes', () => this.unresQlenBytes, (v) => (this.unresQlenBytes = v));
    bind('locktime', () => this.locktimeMs / 10, (v) => (this.locktimeMs = v * 10));
  }
}
