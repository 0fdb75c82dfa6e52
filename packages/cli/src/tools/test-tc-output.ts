/**
 * Output of the real `tc` (tc utility, iproute2-6.1.0, libbpf 1.1.2) on this machine's kernel (6.18.44-fc-v669, HZ=250), for
 * tc.test.ts. Not built (test-*.ts).
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

export const REAL_TC_VERSION = "tc utility, iproute2-6.1.0, libbpf 1.1.2";

export const REAL_TC_TRANSCRIPT: TcTranscriptStep[] = [
  {
    "argv": "qdisc show",
    "stdout": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc noqueue 0: dev eth0 root refcnt 2 \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "-s qdisc show",
    "stdout": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc noqueue 0: dev eth0 root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show dev lo",
    "stdout": "qdisc noqueue 0: root refcnt 2 \n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc ls dev eth1",
    "stdout": "qdisc pfifo_fast 0: root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "-s qdisc show dev eth2",
    "stdout": "qdisc mq 0: root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show root",
    "stdout": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc noqueue 0: dev eth0 root refcnt 2 \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc list dev eth0",
    "stdout": "qdisc noqueue 0: root refcnt 2 \n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc add dev eth0 root handle 8001: pfifo_fast",
    "stdout": "",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show dev eth0",
    "stdout": "qdisc pfifo_fast 8001: root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "-s qdisc show dev eth0",
    "stdout": "qdisc pfifo_fast 8001: root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show",
    "stdout": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc pfifo_fast 8001: dev eth0 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc add dev eth0 root pfifo_fast",
    "stdout": "",
    "stderr": "Error: Exclusivity flag on, cannot modify.\n",
    "status": 2
  },
  {
    "argv": "qdisc add dev eth0 root handle 5: pfifo_fast",
    "stdout": "",
    "stderr": "Error: NLM_F_REPLACE needed to override.\n",
    "status": 2
  },
  {
    "argv": "qdisc replace dev eth0 root pfifo_fast",
    "stdout": "",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc change dev eth0 root handle 6: pfifo_fast",
    "stdout": "",
    "stderr": "Error: NLM_F_REPLACE needed to override.\n",
    "status": 2
  },
  {
    "argv": "qdisc del dev eth0 root handle 7:",
    "stdout": "",
    "stderr": "Error: Invalid handle.\n",
    "status": 2
  },
  {
    "argv": "qdisc del dev eth0 root noqueue",
    "stdout": "",
    "stderr": "Error: Invalid qdisc name: must match existing qdisc.\n",
    "status": 2
  },
  {
    "argv": "qdisc del dev eth0",
    "stdout": "",
    "stderr": "Error: Failed to find qdisc with specified handle.\n",
    "status": 2
  },
  {
    "argv": "qdisc del dev eth0 root",
    "stdout": "",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show dev eth0",
    "stdout": "qdisc noqueue 0: root refcnt 2 \n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc del dev eth0 root",
    "stdout": "",
    "stderr": "Error: Cannot delete qdisc with handle of zero.\n",
    "status": 2
  },
  {
    "argv": "qdisc change dev eth0 root pfifo_fast",
    "stdout": "",
    "stderr": "Error: Qdisc not found. To create specify NLM_F_CREATE flag.\n",
    "status": 2
  },
  {
    "argv": "qdisc add dev eth0 pfifo_fast",
    "stdout": "",
    "stderr": "Error: Handle cannot be zero.\n",
    "status": 2
  },
  {
    "argv": "qdisc replace dev eth1 root handle 8002: pfifo_fast",
    "stdout": "",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc replace dev eth1 root handle 8003: noqueue",
    "stdout": "",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show dev eth1",
    "stdout": "qdisc noqueue 8003: root refcnt 2 \n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc del dev eth1 root",
    "stdout": "",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc show dev eth1",
    "stdout": "qdisc pfifo_fast 0: root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "stderr": "",
    "status": 0
  },
  {
    "argv": "qdisc add dev nodev root pfifo_fast",
    "stdout": "",
    "stderr": "Cannot find device \"nodev\"\n",
    "status": 1
  },
  {
    "argv": "qdisc show dev nodev",
    "stdout": "",
    "stderr": "Cannot find device \"nodev\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root nosuch",
    "stdout": "",
    "stderr": "Error: Specified qdisc kind is unknown.\n",
    "status": 2
  },
  {
    "argv": "qdisc add dev eth0 root",
    "stdout": "",
    "stderr": "Error: Specified qdisc kind is unknown.\n",
    "status": 2
  },
  {
    "argv": "qdisc add dev eth0 root fq foo",
    "stdout": "",
    "stderr": "What is \"foo\"?\nUsage: ... fq\t[ limit PACKETS ] [ flow_limit PACKETS ]\n\t\t[ quantum BYTES ] [ initial_quantum BYTES ]\n\t\t[ maxrate RATE  ] [ buckets NUMBER ]\n\t\t[ [no]pacing ] [ refill_delay TIME ]\n\t\t[ low_rate_threshold RATE ]\n\t\t[ orphan_mask MASK]\n\t\t[ timer_slack TIME]\n\t\t[ ce_threshold TIME ]\n\t\t[ horizon TIME ]\n\t\t[ horizon_{cap|drop} ]\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq help",
    "stdout": "",
    "stderr": "Usage: ... fq\t[ limit PACKETS ] [ flow_limit PACKETS ]\n\t\t[ quantum BYTES ] [ initial_quantum BYTES ]\n\t\t[ maxrate RATE  ] [ buckets NUMBER ]\n\t\t[ [no]pacing ] [ refill_delay TIME ]\n\t\t[ low_rate_threshold RATE ]\n\t\t[ orphan_mask MASK]\n\t\t[ timer_slack TIME]\n\t\t[ ce_threshold TIME ]\n\t\t[ horizon TIME ]\n\t\t[ horizon_{cap|drop} ]\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq limit -5",
    "stdout": "",
    "stderr": "Illegal \"limit\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq orphan_mask x",
    "stdout": "",
    "stderr": "Illegal \"initial_quantum\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq maxrate 40gbit",
    "stdout": "",
    "stderr": "Illegal \"maxrate\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq timer_slack 5s",
    "stdout": "",
    "stderr": "Illegal (out of range) \"timer_slack\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq quantum 1514b",
    "stdout": "",
    "stderr": "Illegal \"quantum\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq flow_limit",
    "stdout": "",
    "stderr": "Command line is not complete. Try option \"help\"\n",
    "status": 255
  },
  {
    "argv": "qdisc add dev eth0 root fq_codel bar",
    "stdout": "",
    "stderr": "What is \"bar\"?\nUsage: ... fq_codel\t[ limit PACKETS ] [ flows NUMBER ]\n[ memory_limit BYTES ]\n[ target TIME ] [ interval TIME ]\n[ quantum BYTES ] [ [no]ecn ]\n[ ce_threshold TIME ]\n[ ce_threshold_selector VALUE/MASK ]\n[ drop_batch SIZE ]\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq_codel limit 5k",
    "stdout": "",
    "stderr": "Illegal \"limit\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq_codel ce_threshold_selector 1",
    "stdout": "",
    "stderr": "Missing mask for \"ce_threshold_selector\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq_codel ce_threshold_selector x/y",
    "stdout": "",
    "stderr": "Illegal mask for \"ce_threshold_selector\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root fq_codel target 5xs",
    "stdout": "",
    "stderr": "Illegal \"target\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root netem gap 5",
    "stdout": "",
    "stderr": "gap specified without reorder probability\nUsage: ... netem [ limit PACKETS ]\n                 [ delay TIME [ JITTER [CORRELATION]]]\n                 [ distribution {uniform|normal|pareto|paretonormal} ]\n                 [ corrupt PERCENT [CORRELATION]]\n                 [ duplicate PERCENT [CORRELATION]]\n                 [ loss random PERCENT [CORRELATION]]\n                 [ loss state P13 [P31 [P32 [P23 P14]]]\n                 [ loss gemodel PERCENT [R [1-H [1-K]]]\n                 [ ecn ]\n                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]\n                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]\n                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]\n                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}\n                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root netem reorder 25%",
    "stdout": "",
    "stderr": "reordering not possible without specifying some delay\nUsage: ... netem [ limit PACKETS ]\n                 [ delay TIME [ JITTER [CORRELATION]]]\n                 [ distribution {uniform|normal|pareto|paretonormal} ]\n                 [ corrupt PERCENT [CORRELATION]]\n                 [ duplicate PERCENT [CORRELATION]]\n                 [ loss random PERCENT [CORRELATION]]\n                 [ loss state P13 [P31 [P32 [P23 P14]]]\n                 [ loss gemodel PERCENT [R [1-H [1-K]]]\n                 [ ecn ]\n                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]\n                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]\n                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]\n                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}\n                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root netem loss 150%",
    "stdout": "",
    "stderr": "Illegal \"loss percent\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root netem loss bursty 5",
    "stdout": "",
    "stderr": "Unknown loss parameter: bursty\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root netem delay",
    "stdout": "",
    "stderr": "Command line is not complete. Try option \"help\"\n",
    "status": 255
  },
  {
    "argv": "qdisc add dev eth0 root netem delay 10ms 5xs",
    "stdout": "",
    "stderr": "Illegal \"latency\"\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root netem seed 5",
    "stdout": "",
    "stderr": "What is \"seed\"?\nUsage: ... netem [ limit PACKETS ]\n                 [ delay TIME [ JITTER [CORRELATION]]]\n                 [ distribution {uniform|normal|pareto|paretonormal} ]\n                 [ corrupt PERCENT [CORRELATION]]\n                 [ duplicate PERCENT [CORRELATION]]\n                 [ loss random PERCENT [CORRELATION]]\n                 [ loss state P13 [P31 [P32 [P23 P14]]]\n                 [ loss gemodel PERCENT [R [1-H [1-K]]]\n                 [ ecn ]\n                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]\n                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]\n                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]\n                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}\n                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]\n",
    "status": 1
  },
  {
    "argv": "qdisc add dev eth0 root pfifo_fast foo",
    "stdout": "",
    "stderr": "qdisc 'pfifo_fast' does not support option parsing\n",
    "status": 255
  },
  {
    "argv": "qdisc add dev eth0 root noqueue foo",
    "stdout": "",
    "stderr": "Unknown qdisc \"noqueue\", hence option \"foo\" is unparsable\n",
    "status": 1
  },
  {
    "argv": "qdisc foo",
    "stdout": "",
    "stderr": "Command \"foo\" is unknown, try \"tc qdisc help\".\n",
    "status": 255
  },
  {
    "argv": "foo",
    "stdout": "",
    "stderr": "Object \"foo\" is unknown, try \"tc help\".\n",
    "status": 255
  },
  {
    "argv": "-x qdisc show",
    "stdout": "",
    "stderr": "Option \"-x\" is unknown, try \"tc -help\".\n",
    "status": 255
  },
  {
    "argv": "qdisc show dev",
    "stdout": "",
    "stderr": "Command line is not complete. Try option \"help\"\n",
    "status": 255
  },
  {
    "argv": "qdisc help",
    "stdout": "",
    "stderr": "Usage: tc qdisc [ add | del | replace | change | show ] dev STRING\n       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]\n       [ estimator INTERVAL TIME_CONSTANT ]\n       [ stab [ help | STAB_OPTIONS] ]\n       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]\n       [ [ QDISC_KIND ] [ help | OPTIONS ] ]\n\n       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]\nWhere:\nQDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }\nOPTIONS := ... try tc qdisc add <desired QDISC_KIND> help\nSTAB_OPTIONS := ... try tc qdisc add stab help\nQDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }\n",
    "status": 0
  },
  {
    "argv": "",
    "stdout": "",
    "stderr": "Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n\ttc [-force] -batch filename\nwhere  OBJECT := { qdisc | class | filter | chain |\n\t\t    action | monitor | exec }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n\t\t     -nm | -nam[es] | { -cf | -conf } path\n\t\t     -br[ief] }\n",
    "status": 0
  },
  {
    "argv": "-help",
    "stdout": "",
    "stderr": "Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n\ttc [-force] -batch filename\nwhere  OBJECT := { qdisc | class | filter | chain |\n\t\t    action | monitor | exec }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n\t\t     -nm | -nam[es] | { -cf | -conf } path\n\t\t     -br[ief] }\n",
    "status": 0
  },
  {
    "argv": "help",
    "stdout": "",
    "stderr": "Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n\ttc [-force] -batch filename\nwhere  OBJECT := { qdisc | class | filter | chain |\n\t\t    action | monitor | exec }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n\t\t     -nm | -nam[es] | { -cf | -conf } path\n\t\t     -br[ief] }\n",
    "status": 0
  },
  {
    "argv": "-s",
    "stdout": "",
    "stderr": "Usage:\ttc [ OPTIONS ] OBJECT { COMMAND | help }\n\ttc [-force] -batch filename\nwhere  OBJECT := { qdisc | class | filter | chain |\n\t\t    action | monitor | exec }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |\n\t\t    -o[neline] | -j[son] | -p[retty] | -c[olor]\n\t\t    -b[atch] [filename] | -n[etns] name | -N[umeric] |\n\t\t     -nm | -nam[es] | { -cf | -conf } path\n\t\t     -br[ief] }\n",
    "status": 0
  },
  {
    "argv": "qdisc show",
    "stdout": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc noqueue 0: dev eth0 root refcnt 2 \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "stderr": "",
    "status": 0
  }
];

export const REAL_TC_CRAFTED: TcCraftedCase[] = [
  {
    "name": "fq, defaults",
    "argv": "qdisc add dev eth0 root fq",
    "record": {
      "kind": "fq",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 3028,
        "initialQuantum": 15140,
        "rateEnable": 1,
        "flowMaxRate": 4294967295,
        "refillDelayUs": 40000,
        "orphanMask": 1023,
        "lowRateThreshold": 68750,
        "ceThresholdUs": 4294967295,
        "bucketsLog": 10,
        "timerSlackNs": 10000,
        "horizonUs": 10000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": -1,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0)\n  gc 0 highprio 0 throttled 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "fq, every option tc 6.1 has",
    "argv": "qdisc add dev eth0 root fq limit 2000 flow_limit 50 quantum 1514 initial_quantum 30280 maxrate 10mbit buckets 256 nopacing refill_delay 1ms low_rate_threshold 1mbit orphan_mask 255 timer_slack 20us ce_threshold 2ms horizon 2s horizon_cap",
    "record": {
      "kind": "fq",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 2000,
        "flowLimit": 50,
        "quantum": 1514,
        "initialQuantum": 30280,
        "rateEnable": 0,
        "flowMaxRate": 1250000,
        "refillDelayUs": 4000,
        "orphanMask": 255,
        "lowRateThreshold": 125000,
        "ceThresholdUs": 2000,
        "bucketsLog": 8,
        "timerSlackNs": 20000,
        "horizonUs": 2000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 0,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": -1,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc fq 8001: dev eth0 root refcnt 2 limit 2000p flow_limit 50p buckets 256 orphan_mask 255 nopacing quantum 1514b initial_quantum 30280b maxrate 10Mbit low_rate_threshold 1Mbit refill_delay 4ms ce_threshold 2ms timer_slack 20us horizon 2s horizon_cap \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc fq 8001: dev eth0 root refcnt 2 limit 2000p flow_limit 50p buckets 256 orphan_mask 255 nopacing quantum 1514b initial_quantum 30280b maxrate 10Mbit low_rate_threshold 1Mbit refill_delay 4ms ce_threshold 2ms timer_slack 20us horizon 2s horizon_cap \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0)\n  gc 0 highprio 0 throttled 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "fq, quantum clamped to 256",
    "argv": "qdisc add dev eth0 root fq quantum 100 maxrate 1gbit buckets 1000",
    "record": {
      "kind": "fq",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 256,
        "initialQuantum": 15140,
        "rateEnable": 1,
        "flowMaxRate": 125000000,
        "refillDelayUs": 40000,
        "orphanMask": 1023,
        "lowRateThreshold": 68750,
        "ceThresholdUs": 4294967295,
        "bucketsLog": 10,
        "timerSlackNs": 10000,
        "horizonUs": 10000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": -1,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 256b initial_quantum 15140b maxrate 1Gbit low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 256b initial_quantum 15140b maxrate 1Gbit low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0)\n  gc 0 highprio 0 throttled 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "fq_codel, defaults",
    "argv": "qdisc add dev eth0 root fq_codel",
    "record": {
      "kind": "fq_codel",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "targetUs": 4999,
        "limit": 10240,
        "intervalUs": 99999,
        "ecn": 1,
        "quantum": 1514,
        "dropBatchSize": 64,
        "memoryLimit": 33554432,
        "flows": 1024,
        "ceThresholdUs": null,
        "ceThresholdSelector": 0,
        "ceThresholdMask": 0
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "maxpacket": 0,
        "dropOverlimit": 0,
        "ecnMark": 0,
        "newFlowCount": 0,
        "newFlowsLen": 0,
        "oldFlowsLen": 0,
        "ceMark": 0,
        "memoryUsage": 0,
        "dropOvermemory": 0
      }
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc fq_codel 8001: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms interval 100ms memory_limit 32Mb ecn drop_batch 64 \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc fq_codel 8001: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms interval 100ms memory_limit 32Mb ecn drop_batch 64 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  maxpacket 0 drop_overlimit 0 new_flow_count 0 ecn_mark 0\n  new_flows_len 0 old_flows_len 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "fq_codel, options",
    "argv": "qdisc add dev eth0 root fq_codel limit 1000 flows 2048 quantum 300 target 2ms interval 50ms ce_threshold 1ms ce_threshold_selector 0x1/0x3 memory_limit 4Mb noecn drop_batch 32",
    "record": {
      "kind": "fq_codel",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "targetUs": 1999,
        "limit": 1000,
        "intervalUs": 49999,
        "ecn": 0,
        "quantum": 300,
        "dropBatchSize": 32,
        "memoryLimit": 4194304,
        "flows": 2048,
        "ceThresholdUs": 999,
        "ceThresholdSelector": 1,
        "ceThresholdMask": 3
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "maxpacket": 0,
        "dropOverlimit": 0,
        "ecnMark": 0,
        "newFlowCount": 0,
        "newFlowsLen": 0,
        "oldFlowsLen": 0,
        "ceMark": 0,
        "memoryUsage": 0,
        "dropOvermemory": 0
      }
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc fq_codel 8001: dev eth0 root refcnt 2 limit 1000p flows 2048 quantum 300 target 2ms ce_threshold 999us ce_threshold_selector 0x1/0x3 interval 50ms memory_limit 4Mb drop_batch 32 \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc fq_codel 8001: dev eth0 root refcnt 2 limit 1000p flows 2048 quantum 300 target 2ms ce_threshold 999us ce_threshold_selector 0x1/0x3 interval 50ms memory_limit 4Mb drop_batch 32 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  maxpacket 0 drop_overlimit 0 new_flow_count 0 ecn_mark 0\n  new_flows_len 0 old_flows_len 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "fq_codel, clamps",
    "argv": "qdisc add dev eth0 root fq_codel quantum 100 drop_batch 0 memory_limit 1.5k",
    "record": {
      "kind": "fq_codel",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "targetUs": 4999,
        "limit": 10240,
        "intervalUs": 99999,
        "ecn": 1,
        "quantum": 256,
        "dropBatchSize": 1,
        "memoryLimit": 1536,
        "flows": 1024,
        "ceThresholdUs": null,
        "ceThresholdSelector": 0,
        "ceThresholdMask": 0
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "maxpacket": 0,
        "dropOverlimit": 0,
        "ecnMark": 0,
        "newFlowCount": 0,
        "newFlowsLen": 0,
        "oldFlowsLen": 0,
        "ceMark": 0,
        "memoryUsage": 0,
        "dropOvermemory": 0
      }
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc fq_codel 8001: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 256 target 5ms interval 100ms memory_limit 1536b ecn drop_batch 1 \nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc fq_codel 8001: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 256 target 5ms interval 100ms memory_limit 1536b ecn drop_batch 1 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  maxpacket 0 drop_overlimit 0 new_flow_count 0 ecn_mark 0\n  new_flows_len 0 old_flows_len 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "netem, defaults",
    "argv": "qdisc add dev eth0 root netem",
    "record": {
      "kind": "netem",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 1000,
        "latencyNs": 0,
        "jitterNs": 0,
        "loss": 0,
        "gap": 0,
        "duplicate": 0,
        "delayCorr": 0,
        "lossCorr": 0,
        "dupCorr": 0,
        "reorder": 0,
        "reorderCorr": 0,
        "corrupt": 0,
        "corruptCorr": 0,
        "rate": 0
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": null
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc netem 8001: dev eth0 root refcnt 2 limit 1000\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc netem 8001: dev eth0 root refcnt 2 limit 1000\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "netem, options",
    "argv": "qdisc add dev eth0 root netem limit 100 delay 10ms 1ms 25% loss 1% 25% duplicate 1% corrupt 0.1% reorder 25% 50% gap 5 rate 1mbit",
    "record": {
      "kind": "netem",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 100,
        "latencyNs": 10000000,
        "jitterNs": 1000000,
        "loss": 42949673,
        "gap": 5,
        "duplicate": 42949673,
        "delayCorr": 1073741824,
        "lossCorr": 1073741824,
        "dupCorr": 0,
        "reorder": 1073741824,
        "reorderCorr": 2147483648,
        "corrupt": 4294967,
        "corruptCorr": 0,
        "rate": 125000
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": null
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc netem 8001: dev eth0 root refcnt 2 limit 100 delay 10ms  1ms 25% loss 1% 25% duplicate 1% reorder 25% 50% corrupt 0.1% rate 1Mbit gap 5\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc netem 8001: dev eth0 root refcnt 2 limit 100 delay 10ms  1ms 25% loss 1% 25% duplicate 1% reorder 25% 50% corrupt 0.1% rate 1Mbit gap 5\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "netem, delay in 64 ns ticks",
    "argv": "qdisc add dev eth0 root netem delay 1.5ms",
    "record": {
      "kind": "netem",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 1000,
        "latencyNs": 1499968,
        "jitterNs": 0,
        "loss": 0,
        "gap": 0,
        "duplicate": 0,
        "delayCorr": 0,
        "lossCorr": 0,
        "dupCorr": 0,
        "reorder": 0,
        "reorderCorr": 0,
        "corrupt": 0,
        "corruptCorr": 0,
        "rate": 0
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": null
    },
    "show": "qdisc noqueue 0: dev lo root refcnt 2 \nqdisc netem 8001: dev eth0 root refcnt 2 limit 1000 delay 1.5ms\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc mq 0: dev eth2 root \nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc noqueue 0: dev lo root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc netem 8001: dev eth0 root refcnt 2 limit 1000 delay 1.5ms\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth1 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc mq 0: dev eth2 root \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\nqdisc pfifo_fast 0: dev eth2 parent :1 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  }
];

export const REAL_TC_VECTORS: TcCraftedCase[] = [
  {
    "name": "fq, busy",
    "record": {
      "kind": "fq",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 3028,
        "initialQuantum": 15140,
        "rateEnable": 1,
        "flowMaxRate": 4294967295,
        "refillDelayUs": 40000,
        "orphanMask": 1023,
        "lowRateThreshold": 68750,
        "ceThresholdUs": 4294967295,
        "bucketsLog": 10,
        "timerSlackNs": 10000,
        "horizonUs": 10000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 123456789012,
        "packets": 4000000000,
        "drops": 5,
        "overlimits": 1,
        "requeues": 2,
        "qlen": 12,
        "backlog": 18168
      },
      "xstats": {
        "gcFlows": 3,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 17,
        "flowsPlimit": 5,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 1234567,
        "flows": 4,
        "inactiveFlows": 1,
        "throttledFlows": 2,
        "unthrottleLatencyNs": 15000,
        "ceMark": 7,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \n",
    "showStats": "qdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \n Sent 123456789012 bytes 4000000000 pkt (dropped 5, overlimits 1 requeues 2) \n backlog 18168b 12p requeues 2\n  flows 4 (inactive 1 throttled 2) next_packet_delay 1.23ms\n  gc 3 highprio 0 throttled 17 latency 15us ce_mark 7 flows_plimit 5\n"
  },
  {
    "name": "fq, too long and horizon",
    "record": {
      "kind": "fq",
      "handle": 2147614720,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 3028,
        "initialQuantum": 15140,
        "rateEnable": 1,
        "flowMaxRate": 4294967295,
        "refillDelayUs": 40000,
        "orphanMask": 1023,
        "lowRateThreshold": 68750,
        "ceThresholdUs": 4294967295,
        "bucketsLog": 10,
        "timerSlackNs": 10000,
        "horizonUs": 10000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 700,
        "backlog": 1048576
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 1,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 999,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 2,
        "horizonCaps": 3,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8002: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \n",
    "showStats": "qdisc fq 8002: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 3028b initial_quantum 15140b low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 1Mb 700p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 999ns\n  gc 0 highprio 0 throttled 0\n pkts_too_long 1 horizon_drops 2  horizon_caps 3\n"
  },
  {
    "name": "fq, alloc errors and caps",
    "record": {
      "kind": "fq",
      "handle": 2147680256,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 3028,
        "initialQuantum": 15140,
        "rateEnable": 0,
        "flowMaxRate": 4294967294,
        "refillDelayUs": 40000,
        "orphanMask": 1023,
        "lowRateThreshold": 68750,
        "ceThresholdUs": 4294967295,
        "bucketsLog": 10,
        "timerSlackNs": 10000,
        "horizonUs": 10000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 0,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 4,
        "timeNextDelayedFlow": 0,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 1500000,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 9,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8003: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 nopacing quantum 3028b initial_quantum 15140b maxrate 34359Mbit low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_cap \n",
    "showStats": "qdisc fq 8003: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 nopacing quantum 3028b initial_quantum 15140b maxrate 34359Mbit low_rate_threshold 550Kbit refill_delay 40ms timer_slack 10us horizon 10s horizon_cap \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0)\n  gc 0 highprio 0 throttled 0 latency 1.5ms\n alloc_errors 4  horizon_caps 9\n"
  },
  {
    "name": "fq, units 0",
    "record": {
      "kind": "fq",
      "handle": 2147549184,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 0,
        "initialQuantum": 0,
        "rateEnable": 1,
        "flowMaxRate": 0,
        "refillDelayUs": 0,
        "orphanMask": 1023,
        "lowRateThreshold": 0,
        "ceThresholdUs": 0,
        "bucketsLog": 10,
        "timerSlackNs": 0,
        "horizonUs": 0,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 0,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 0b initial_quantum 0b maxrate 0bit refill_delay 0us ce_threshold 0us timer_slack 0ns horizon 0us horizon_drop \n",
    "showStats": "qdisc fq 8001: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 0b initial_quantum 0b maxrate 0bit refill_delay 0us ce_threshold 0us timer_slack 0ns horizon 0us horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0)\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 1",
    "record": {
      "kind": "fq",
      "handle": 2147614720,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 1039,
        "initialQuantum": 1039,
        "rateEnable": 1,
        "flowMaxRate": 1,
        "refillDelayUs": 999,
        "orphanMask": 1023,
        "lowRateThreshold": 1,
        "ceThresholdUs": 999,
        "bucketsLog": 10,
        "timerSlackNs": 999,
        "horizonUs": 999,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 999,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8002: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1Kb initial_quantum 1Kb maxrate 8bit low_rate_threshold 8bit refill_delay 999us ce_threshold 999us timer_slack 999ns horizon 999us horizon_drop \n",
    "showStats": "qdisc fq 8002: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1Kb initial_quantum 1Kb maxrate 8bit low_rate_threshold 8bit refill_delay 999us ce_threshold 999us timer_slack 999ns horizon 999us horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 999ns\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 2",
    "record": {
      "kind": "fq",
      "handle": 2147680256,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 1040,
        "initialQuantum": 1040,
        "rateEnable": 1,
        "flowMaxRate": 125,
        "refillDelayUs": 1000,
        "orphanMask": 1023,
        "lowRateThreshold": 125,
        "ceThresholdUs": 1000,
        "bucketsLog": 10,
        "timerSlackNs": 1000,
        "horizonUs": 1000,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 1000,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8003: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1040b initial_quantum 1040b maxrate 1Kbit low_rate_threshold 1Kbit refill_delay 1ms ce_threshold 1ms timer_slack 1us horizon 1ms horizon_drop \n",
    "showStats": "qdisc fq 8003: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1040b initial_quantum 1040b maxrate 1Kbit low_rate_threshold 1Kbit refill_delay 1ms ce_threshold 1ms timer_slack 1us horizon 1ms horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 1us\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 3",
    "record": {
      "kind": "fq",
      "handle": 2147745792,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 65550,
        "initialQuantum": 65550,
        "rateEnable": 1,
        "flowMaxRate": 126,
        "refillDelayUs": 1500,
        "orphanMask": 1023,
        "lowRateThreshold": 126,
        "ceThresholdUs": 1500,
        "bucketsLog": 10,
        "timerSlackNs": 1500,
        "horizonUs": 1500,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 1500,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8004: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 64Kb initial_quantum 64Kb maxrate 1008bit low_rate_threshold 1008bit refill_delay 1.5ms ce_threshold 1.5ms timer_slack 1.5us horizon 1.5ms horizon_drop \n",
    "showStats": "qdisc fq 8004: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 64Kb initial_quantum 64Kb maxrate 1008bit low_rate_threshold 1008bit refill_delay 1.5ms ce_threshold 1.5ms timer_slack 1.5us horizon 1.5ms horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 1.5us\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 4",
    "record": {
      "kind": "fq",
      "handle": 2147811328,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 1048000,
        "initialQuantum": 1048000,
        "rateEnable": 1,
        "flowMaxRate": 68750,
        "refillDelayUs": 4999,
        "orphanMask": 1023,
        "lowRateThreshold": 68750,
        "ceThresholdUs": 4999,
        "bucketsLog": 10,
        "timerSlackNs": 999999,
        "horizonUs": 4999,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 999999,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8005: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1048000b initial_quantum 1048000b maxrate 550Kbit low_rate_threshold 550Kbit refill_delay 5ms ce_threshold 5ms timer_slack 1e+03us horizon 5ms horizon_drop \n",
    "showStats": "qdisc fq 8005: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1048000b initial_quantum 1048000b maxrate 550Kbit low_rate_threshold 550Kbit refill_delay 5ms ce_threshold 5ms timer_slack 1e+03us horizon 5ms horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 1e+03us\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 5",
    "record": {
      "kind": "fq",
      "handle": 2147876864,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 1049000,
        "initialQuantum": 1049000,
        "rateEnable": 1,
        "flowMaxRate": 1048576,
        "refillDelayUs": 99999,
        "orphanMask": 1023,
        "lowRateThreshold": 1048576,
        "ceThresholdUs": 99999,
        "bucketsLog": 10,
        "timerSlackNs": 1000000,
        "horizonUs": 99999,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 1000000,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8006: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1Mb initial_quantum 1Mb maxrate 8388Kbit low_rate_threshold 8388Kbit refill_delay 100ms ce_threshold 100ms timer_slack 1ms horizon 100ms horizon_drop \n",
    "showStats": "qdisc fq 8006: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1Mb initial_quantum 1Mb maxrate 8388Kbit low_rate_threshold 8388Kbit refill_delay 100ms ce_threshold 100ms timer_slack 1ms horizon 100ms horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 1ms\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 6",
    "record": {
      "kind": "fq",
      "handle": 2147942400,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 1049600,
        "initialQuantum": 1049600,
        "rateEnable": 1,
        "flowMaxRate": 12500000,
        "refillDelayUs": 999999,
        "orphanMask": 1023,
        "lowRateThreshold": 12500000,
        "ceThresholdUs": 999999,
        "bucketsLog": 10,
        "timerSlackNs": 123456789,
        "horizonUs": 999999,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 123456789,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8007: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1025Kb initial_quantum 1025Kb maxrate 100Mbit low_rate_threshold 100Mbit refill_delay 1e+03ms ce_threshold 1e+03ms timer_slack 123ms horizon 1e+03ms horizon_drop \n",
    "showStats": "qdisc fq 8007: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 1025Kb initial_quantum 1025Kb maxrate 100Mbit low_rate_threshold 100Mbit refill_delay 1e+03ms ce_threshold 1e+03ms timer_slack 123ms horizon 1e+03ms horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 123ms\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 7",
    "record": {
      "kind": "fq",
      "handle": 2148007936,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 33554432,
        "initialQuantum": 33554432,
        "rateEnable": 1,
        "flowMaxRate": 1250001,
        "refillDelayUs": 1000000,
        "orphanMask": 1023,
        "lowRateThreshold": 1250001,
        "ceThresholdUs": 1000000,
        "bucketsLog": 10,
        "timerSlackNs": 1000000000,
        "horizonUs": 1000000,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 1000000000,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8008: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 32Mb initial_quantum 32Mb maxrate 10Mbit low_rate_threshold 10Mbit refill_delay 1s ce_threshold 1s timer_slack 1s horizon 1s horizon_drop \n",
    "showStats": "qdisc fq 8008: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 32Mb initial_quantum 32Mb maxrate 10Mbit low_rate_threshold 10Mbit refill_delay 1s ce_threshold 1s timer_slack 1s horizon 1s horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 1s\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq, units 8",
    "record": {
      "kind": "fq",
      "handle": 2148073472,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10000,
        "flowLimit": 100,
        "quantum": 4294967295,
        "initialQuantum": 4294967295,
        "rateEnable": 1,
        "flowMaxRate": 4294967294,
        "refillDelayUs": 12345678,
        "orphanMask": 1023,
        "lowRateThreshold": 4294967294,
        "ceThresholdUs": 12345678,
        "bucketsLog": 10,
        "timerSlackNs": 4294967295,
        "horizonUs": 12345678,
        "offloadHorizonUs": 0,
        "horizonDrop": 1,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ],
        "weights": [
          589824,
          196608,
          65536
        ]
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "gcFlows": 0,
        "highprioPackets": 0,
        "tcpRetrans": 0,
        "throttled": 0,
        "flowsPlimit": 0,
        "pktsTooLong": 0,
        "allocationErrors": 0,
        "timeNextDelayedFlow": 4294967295,
        "flows": 0,
        "inactiveFlows": 0,
        "throttledFlows": 0,
        "unthrottleLatencyNs": 0,
        "ceMark": 0,
        "horizonDrops": 0,
        "horizonCaps": 0,
        "fastpathPackets": 0,
        "bandDrops": [
          0,
          0,
          0
        ],
        "bandPktCount": [
          0,
          0,
          0
        ]
      }
    },
    "show": "qdisc fq 8009: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 4096Mb initial_quantum 4096Mb maxrate 34359Mbit low_rate_threshold 34359Mbit refill_delay 12.3s ce_threshold 12.3s timer_slack 4.29s horizon 12.3s horizon_drop \n",
    "showStats": "qdisc fq 8009: dev eth0 root refcnt 2 limit 10000p flow_limit 100p buckets 1024 orphan_mask 1023 quantum 4096Mb initial_quantum 4096Mb maxrate 34359Mbit low_rate_threshold 34359Mbit refill_delay 12.3s ce_threshold 12.3s timer_slack 4.29s horizon 12.3s horizon_drop \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  flows 0 (inactive 0 throttled 0) next_packet_delay 4.29s\n  gc 0 highprio 0 throttled 0\n"
  },
  {
    "name": "fq_codel, busy",
    "record": {
      "kind": "fq_codel",
      "handle": 2147745792,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "targetUs": 4999,
        "limit": 10240,
        "intervalUs": 99999,
        "ecn": 0,
        "quantum": 1514,
        "dropBatchSize": 64,
        "memoryLimit": 33554432,
        "flows": 1024,
        "ceThresholdUs": 2000,
        "ceThresholdSelector": 0,
        "ceThresholdMask": 0
      },
      "stats": {
        "bytes": 1514,
        "packets": 1,
        "drops": 67,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "maxpacket": 1514,
        "dropOverlimit": 64,
        "ecnMark": 3,
        "newFlowCount": 10,
        "newFlowsLen": 1,
        "oldFlowsLen": 2,
        "ceMark": 9,
        "memoryUsage": 123456,
        "dropOvermemory": 4
      }
    },
    "show": "qdisc fq_codel 8004: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms ce_threshold 2ms interval 100ms memory_limit 32Mb drop_batch 64 \n",
    "showStats": "qdisc fq_codel 8004: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms ce_threshold 2ms interval 100ms memory_limit 32Mb drop_batch 64 \n Sent 1514 bytes 1 pkt (dropped 67, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  maxpacket 1514 drop_overlimit 64 new_flow_count 10 ecn_mark 3 ce_mark 9 memory_used 123456 drop_overmemory 4\n  new_flows_len 1 old_flows_len 2\n"
  },
  {
    "name": "fq_codel, selector 0/0x3",
    "record": {
      "kind": "fq_codel",
      "handle": 2147811328,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "targetUs": 4999,
        "limit": 10240,
        "intervalUs": 99999,
        "ecn": 1,
        "quantum": 1514,
        "dropBatchSize": 64,
        "memoryLimit": 33554432,
        "flows": 1024,
        "ceThresholdUs": 5,
        "ceThresholdSelector": 0,
        "ceThresholdMask": 3
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "maxpacket": 0,
        "dropOverlimit": 0,
        "ecnMark": 0,
        "newFlowCount": 0,
        "newFlowsLen": 0,
        "oldFlowsLen": 0,
        "ceMark": 0,
        "memoryUsage": 5,
        "dropOvermemory": 0
      }
    },
    "show": "qdisc fq_codel 8005: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms ce_threshold 5us ce_threshold_selector 0/0x3 interval 100ms memory_limit 32Mb ecn drop_batch 64 \n",
    "showStats": "qdisc fq_codel 8005: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms ce_threshold 5us ce_threshold_selector 0/0x3 interval 100ms memory_limit 32Mb ecn drop_batch 64 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  maxpacket 0 drop_overlimit 0 new_flow_count 0 ecn_mark 0 memory_used 5\n  new_flows_len 0 old_flows_len 0\n"
  },
  {
    "name": "fq_codel, selector 0x1/0",
    "record": {
      "kind": "fq_codel",
      "handle": 2147876864,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "targetUs": 4999,
        "limit": 10240,
        "intervalUs": 99999,
        "ecn": 1,
        "quantum": 1514,
        "dropBatchSize": 64,
        "memoryLimit": 33554432,
        "flows": 1024,
        "ceThresholdUs": 5,
        "ceThresholdSelector": 1,
        "ceThresholdMask": 0
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": {
        "maxpacket": 0,
        "dropOverlimit": 0,
        "ecnMark": 0,
        "newFlowCount": 0,
        "newFlowsLen": 0,
        "oldFlowsLen": 0,
        "ceMark": 0,
        "memoryUsage": 0,
        "dropOvermemory": 5
      }
    },
    "show": "qdisc fq_codel 8006: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms ce_threshold 5us ce_threshold_selector 0x1/0 interval 100ms memory_limit 32Mb ecn drop_batch 64 \n",
    "showStats": "qdisc fq_codel 8006: dev eth0 root refcnt 2 limit 10240p flows 1024 quantum 1514 target 5ms ce_threshold 5us ce_threshold_selector 0x1/0 interval 100ms memory_limit 32Mb ecn drop_batch 64 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n  maxpacket 0 drop_overlimit 0 new_flow_count 0 ecn_mark 0 drop_overmemory 5\n  new_flows_len 0 old_flows_len 0\n"
  },
  {
    "name": "netem, odd values",
    "record": {
      "kind": "netem",
      "handle": 2147942400,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 1000,
        "latencyNs": 999,
        "jitterNs": 0,
        "loss": 1431655751,
        "gap": 0,
        "duplicate": 4294967295,
        "delayCorr": 0,
        "lossCorr": 0,
        "dupCorr": 0,
        "reorder": 0,
        "reorderCorr": 0,
        "corrupt": 0,
        "corruptCorr": 0,
        "rate": 8589934592
      },
      "stats": {
        "bytes": 70,
        "packets": 1,
        "drops": 0,
        "overlimits": 0,
        "requeues": 3,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": null
    },
    "show": "qdisc netem 8007: dev eth0 root refcnt 2 limit 1000 delay 0us loss 33.3333% duplicate 100% rate 68719Mbit\n",
    "showStats": "qdisc netem 8007: dev eth0 root refcnt 2 limit 1000 delay 0us loss 33.3333% duplicate 100% rate 68719Mbit\n Sent 70 bytes 1 pkt (dropped 0, overlimits 0 requeues 3) \n backlog 0b 0p requeues 3\n"
  },
  {
    "name": "netem, long delay",
    "record": {
      "kind": "netem",
      "handle": 2148007936,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "limit": 10,
        "latencyNs": 1500000000,
        "jitterNs": 123456,
        "loss": 0,
        "gap": 1,
        "duplicate": 0,
        "delayCorr": 1073741824,
        "lossCorr": 0,
        "dupCorr": 0,
        "reorder": 42949673,
        "reorderCorr": 0,
        "corrupt": 429496730,
        "corruptCorr": 429496730,
        "rate": 0
      },
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": null
    },
    "show": "qdisc netem 8008: dev eth0 root refcnt 2 limit 10 delay 1.5s  123us 25% reorder 1% corrupt 10% 10% gap 1\n",
    "showStats": "qdisc netem 8008: dev eth0 root refcnt 2 limit 10 delay 1.5s  123us 25% reorder 1% corrupt 10% 10% gap 1\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  },
  {
    "name": "pfifo_fast, backlog",
    "record": {
      "kind": "pfifo_fast",
      "handle": 0,
      "parent": 4294967295,
      "info": 2,
      "options": {
        "bands": 3,
        "priomap": [
          1,
          2,
          2,
          2,
          1,
          2,
          0,
          0,
          1,
          1,
          1,
          1,
          1,
          1,
          1,
          1
        ]
      },
      "stats": {
        "bytes": 3000,
        "packets": 2,
        "drops": 1,
        "overlimits": 0,
        "requeues": 1,
        "qlen": 3,
        "backlog": 4542
      },
      "xstats": null
    },
    "show": "qdisc pfifo_fast 0: dev eth0 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n",
    "showStats": "qdisc pfifo_fast 0: dev eth0 root refcnt 2 bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n Sent 3000 bytes 2 pkt (dropped 1, overlimits 0 requeues 1) \n backlog 4542b 3p requeues 1\n"
  },
  {
    "name": "noqueue",
    "record": {
      "kind": "noqueue",
      "handle": 0,
      "parent": 4294967295,
      "info": 2,
      "options": null,
      "stats": {
        "bytes": 0,
        "packets": 0,
        "drops": 0,
        "overlimits": 0,
        "requeues": 0,
        "qlen": 0,
        "backlog": 0
      },
      "xstats": null
    },
    "show": "qdisc noqueue 0: dev eth0 root refcnt 2 \n",
    "showStats": "qdisc noqueue 0: dev eth0 root refcnt 2 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"
  }
];
