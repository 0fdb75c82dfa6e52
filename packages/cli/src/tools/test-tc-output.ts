/**
 * Output of the real `tc` (tc utility, iproute2-6.1.0, libbpf 1.1.2) on this machine's kernel (6.18.44-fc-v669, HZ=250), for
 * tc.test.ts. Not built (test-*.ts); the captured data is testing/tc-output.json.
 *
 * REAL_TC_TRANSCRIPT: commands run in order in a scratch network namespace holding lo, eth0 (a veth
 * with one TX queue, its peer in another namespace: default qdisc noqueue), eth1 (an ifb, one TX
 * queue: default pfifo_fast) and eth2 (an ifb with two TX queues: default mq over pfifo_fast), IPv6
 * off so that no packet moved; each with its stdout, stderr and exit status. Handles the transcript
 * creates are given explicitly (8001:, 8002:, 8003:) because the kernel's automatic ones count
 * across the whole machine; a fresh netstack World hands out the same numbers on its own.
 *
 * REAL_TC_CRAFTED and REAL_TC_VECTORS: this kernel is built without sch_fq, sch_fq_codel and
 * sch_netem, so for them the RTM_NEWQDISC message that kernel 6.18's fq_dump / fq_codel_dump /
 * netem_dump and their dump_stats would send (the TCA_OPTIONS attributes, TCA_STATS2 with
 * TCA_STATS_APP, TCA_STATS, TCA_XSTATS, in the kernel's layout) was built from `record` and given
 * to the real tc to print (`tc [-s] monitor file`, which formats RTM_NEWQDISC messages with the
 * same print_qdisc as `tc qdisc show`). The same path applied to the kernel's own dump of the
 * namespace printed exactly what `tc -s qdisc show` prints (checked when capturing). A crafted
 * case's `argv` is the tc command that leads netstack to that qdisc (on eth0 of the namespace
 * above), `show` / `showStats` the whole `tc [-s] qdisc show` of the namespace; a vector is one
 * qdisc with unusual values and counters, printed with `dev eth0`. The values in `record` are
 * what the kernel stores and dumps for those options: refill_delay in jiffies (1ms becomes 4ms),
 * CoDel times in 1024 ns units (2ms dumps as 1999us), netem delays in 64 ns ticks.
 */
import { readFileSync } from 'node:fs';
import type { TcQdiscRecord } from './tc.js';

export interface TcTranscriptStep {
  argv: string;
  stdout: string;
  stderr: string;
  status: number;
}

export interface TcCraftedCase {
  name: string;
  argv?: string;
  record: TcQdiscRecord;
  show: string;
  showStats: string;
}

interface TcOutput {
  version: string;
  transcript: TcTranscriptStep[];
  crafted: TcCraftedCase[];
  vectors: TcCraftedCase[];
}

const data = JSON.parse(readFileSync(new URL('./testing/tc-output.json', import.meta.url), 'utf8')) as TcOutput;

export const REAL_TC_VERSION = data.version;
export const REAL_TC_TRANSCRIPT: TcTranscriptStep[] = data.transcript;
export const REAL_TC_CRAFTED: TcCraftedCase[] = data.crafted;
export const REAL_TC_VECTORS: TcCraftedCase[] = data.vectors;
