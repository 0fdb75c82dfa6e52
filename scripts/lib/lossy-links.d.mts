// Types for scripts/lib/lossy-links.mjs, as test/tcp/lossy-links.ts and test/tcp/helpers.ts use it.
import type { NetDevice, NetNamespace, NetemOptions, World } from '@netstack/core';

/** What `twoHosts` builds: the World, namespaces a (10.0.0.1) and b (10.0.0.2), their eth0. */
export interface TwoHosts {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  devA: NetDevice;
  devB: NetDevice;
}

export interface TwoHostsOptions {
  /** MTU of both veth ends (default 1500). */
  mtu?: number;
  /** false: TSO and GSO off on both ends (default true: the veth's defaults). */
  tso?: boolean;
}

/** Host-side variation of a seed (SO_* values as given to setsockopt; the kernel doubles them). */
export interface SocketImpairments {
  sndbuf?: number;
  rcvbuf?: number;
  /** A slow reader: at most this many bytes per 10 ms of virtual time. */
  readBytesPerTick?: number;
  /** TSO left on (else `ethtool -K eth0 tso off gso off` on both ends). */
  tso?: boolean;
}

export interface Impairments {
  /** netem on a's eth0: the data direction a → b. */
  forward: NetemOptions & { delayMs: number };
  /** netem on b's eth0: the ACK direction b → a. */
  reverse: NetemOptions & { delayMs: number };
  sockets: SocketImpairments;
}

export interface NetemCounts {
  lost: number;
  duplicated: number;
  corrupted: number;
  reordered: number;
  overlimit: number;
}

export interface LossyMemory {
  /** How many times the bounds were sampled. */
  samples: number;
  maxWmem: number;
  /** max(wmemQueued - sndbuf) over the samples. */
  maxWmemOverSndbuf: number;
  sndbuf: number;
  maxRmem: number;
  /** max(rx.rmemAlloc - rx.win.rcvbuf) over the samples. */
  maxRmemOverRcvbuf: number;
  rcvbuf: number;
  oneBufferTruesize: number;
}

export interface LossyResult {
  seed: number;
  sizeBytes: number;
  impairments: Impairments;
  ok: boolean;
  /** What went wrong (empty when ok). */
  problems: string[];
  received: number;
  sha: string;
  expectedSha: string;
  /** Virtual time of EOF (or of giving up), ms. */
  virtualMs: number;
  virtualLimitMs: number;
  /** Virtual time after the settle run, ms. */
  endMs: number;
  wallMs: number;
  memory: LossyMemory;
  poolLive: number;
  netem: { forward: NetemCounts; reverse: NetemCounts };
  /** Non-zero MIB counters (nstat names) and drops by reason of each namespace. */
  counters: { a: Record<string, unknown>; b: Record<string, unknown> };
}

export interface RunOptions {
  /** The payload (at least sizeBytes long); default payload(sizeBytes). */
  data?: Uint8Array;
  /** sha256 of data[0, sizeBytes), to skip hashing it again. */
  expectedSha?: string;
  virtualLimitMs?: number;
  wallLimitMs?: number;
  /** Print sender/receiver state every this many ms of virtual time (0: off). */
  traceEveryMs?: number;
  /** Where trace lines go (default console.log). */
  log?: (line: string) => void;
}

export const CI_SMALL_SEEDS: number;
export const CI_LARGE_SEEDS: number;
export const MB: number;
export const SETTLE_MS: number;
export const MAX_TRUESIZE: number;
export const RMEM_SLACK: number;
export const DEFAULT_WALL_LIMIT_MS: number;

/** The four seeds the CI transfers 50 MB with (see the .mjs). */
export function largeCiSeeds(): number[];
export function twoHosts(seed: number, options?: TwoHostsOptions): TwoHosts;
export function impairmentsFor(seed: number): Impairments;
export function describeImpairments(imp: Impairments): string;
export function expectedRate(imp: Impairments): number;
export function virtualLimitMs(imp: Impairments, sizeBytes: number): number;
export function payload(n: number, seed?: number): Uint8Array;
export function sha256(data: Uint8Array): string;
export function replayCommand(seed: number, sizeBytes: number): string;
export function runLossySeed(seed: number, sizeBytes: number, options?: RunOptions): LossyResult;
export function formatFailure(r: LossyResult): string;
export function formatPass(r: LossyResult): string;
