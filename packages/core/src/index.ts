/**
 * @netstack/core — the contracts and kernel machinery every netstack package plugs into:
 * SkBuff and its pool, NetDevice, NAPI and softnet, the receive path (`netifReceiveSkb`) and the
 * transmit path (`devQueueXmit`), qdiscs, namespaces, plugins, virtual time, sysctls, counters,
 * the packet trace, and Ethernet/VLAN wire views.
 */
import 'reflect-metadata';

export * from './errors/net-error.js';

export * from './time/scheduler.js';
export { VirtualScheduler, DEFAULT_MAX_EVENTS, type LocalClock } from './time/virtual-scheduler.js';
export { CostStage, COST_STAGE_COUNT, COST_STAGE_NAMES, costStageByName } from './cost/stages.js';
export { CostModel, type CostCalibration, type CostCharger, type CostSource, type StageCost } from './cost/cost-model.js';
export { CpuTime } from './cost/cpu-time.js';
export { costCharge } from './cost/charge.js';
export { RealScheduler } from './time/real-scheduler.js';
export { Random } from './random/random.js';

export * from './skb/constants.js';
export * from './skb/drop-reason.js';
export { SkBuff } from './skb/skbuff.js';
export { SkBuffPool, SKB_SIZE_CLASSES, consumeSkb, kfreeSkb, skbOrphan, skbScrubPacket, type SkbDestructorFn } from './skb/pool.js';
export { SkbQueue } from './skb/skb-queue.js';

export * from './wire/checksum.js';
export { WireView } from './wire/wire-view.js';
export * from './wire/mac.js';
export * from './wire/ethernet.js';
export * from './wire/vlan.js';
export * from './wire/ethernet-repr.js';
export { ethHeaderPush } from './wire/eth-header.js';
export { copyBytes } from './wire/copy-bytes.js';
export { jhash3 } from './wire/jhash.js';

export * from './netdevice/flags.js';
export * from './netdevice/features.js';
export { DeviceStats, QueueStats } from './netdevice/stats.js';
export { NetDevice, validDevName, IFNAMSIZ_MAX, type NetDeviceConfig, type NetDeviceOps } from './netdevice/net-device.js';
export { NetdevQueue, NetdevRxQueue, QUEUE_STATE_DRV_XOFF, QUEUE_STATE_STACK_XOFF } from './netdevice/queue.js';
export { VlanGroup } from './netdevice/vlan-group.js';
export { netdevUpperDevLink, netdevUpperDevUnlink, MAX_NEST_DEV } from './netdevice/upper.js';

export * from './napi/napi.js';
export { SoftnetData } from './napi/softnet.js';
export { NapiHash, NR_CPUS, MIN_NAPI_ID, napiIdValid, skbMarkNapiId } from './napi/napi-hash.js';
export {
  BUSY_POLL_BUDGET,
  BUSY_POLL_STEP_NS,
  BusyPoller,
  NapiBusyLoop,
  skBusyLoop,
  skCanBusyLoop,
  skMarkNapiId,
  skMarkNapiIdOnce,
  type BusyPollMode,
  type BusyPollerOptions,
} from './napi/busy-poll.js';
export * from './sock/sock-core.js';

export {
  OffloadRegistry,
  OFFLOAD_REGISTRY,
  offloadRegistry,
  registerPacketOffload,
  registerInetOffload,
  skbGsoSegment,
  type PacketOffload,
  type NetOffload,
  type GroReceiveFn,
  type GroCompleteFn,
  type GsoSegmentFn,
  type L4GroReceiveFn,
  type L4GroCompleteFn,
  type L4GsoSegmentFn,
} from './offload/offload.js';
export {
  GroNode,
  GroStats,
  GroVerdict,
  GRO_HASH_BUCKETS,
  MAX_GRO_SKBS,
  GRO_MERGED,
  GRO_MERGED_FREE,
  GRO_HELD,
  GRO_NORMAL,
  GRO_CONSUMED,
  GRO_CB_SAME_FLOW,
  GRO_CB_FLUSH,
  GRO_CB_AGE,
  GRO_CB_FIXEDID,
  GRO_CB_WORDS,
} from './gro/gro-node.js';
export { GroDevConfig, GRO_LEGACY_MAX_SIZE, GRO_MAX_SIZE_LIMIT } from './gro/gro-config.js';
export {
  napiGroReceive,
  napiGroFlush,
  groCleanup,
  backlogGroEnabled,
  netifGroConfig,
  setGroMaxSize,
  setGroIpv4MaxSize,
  setGroFlushTimeout,
  setNapiDeferHardIrqs,
} from './gro/gro.js';

export * from './rx/packet-type.js';
export * from './rx/rx-handler.js';
export { ethTypeTrans } from './rx/eth-type-trans.js';
export { netifReceiveSkb } from './rx/receive-core.js';
export { netifRx } from './rx/netif-rx.js';

export * from './tx/tc-hook.js';
export { devQueueXmit, qdiscRun, skbChecksumHelp, XMIT_ENETDOWN } from './tx/dev-queue-xmit.js';
export { devConsumeSkb } from './tx/completion.js';

export { Qdisc, QdiscStats } from './qdisc/qdisc.js';
export { NoQueue } from './qdisc/noqueue.js';
export { PfifoFast, PFIFO_FAST_PRIO2BAND, PFIFO_FAST_BANDS, TC_PRIO_MAX } from './qdisc/pfifo-fast.js';
export { QdiscRegistry, type QdiscFactory } from './qdisc/registry.js';
export { Netem, NetemStats, attachNetem, checkNetemOptions, type NetemOptions, type NetemDump } from './qdisc/netem.js';
export { Fq, pschedMtu } from './qdisc/fq.js';
export { FQ_BANDS, FQ_MIN_WEIGHT, FQ_DEFAULT_PRIOMAP, checkFqOptions, type FqOptions, type FqDump, type FqXstats } from './qdisc/fq-options.js';
export { FqCodel, checkFqCodelOptions, type FqCodelOptions, type FqCodelDump, type FqCodelXstats } from './qdisc/fq-codel.js';
export {
  CodelParams,
  CodelVars,
  CodelStats,
  CODEL_SHIFT,
  CODEL_DISABLED_THRESHOLD,
  codelDequeue,
  codelControlLaw,
  codelNewtonStep,
  codelGetTime,
  codelTimeToUs,
  msToCodelTime,
  usToCodelTime,
  type CodelQueue,
} from './qdisc/codel.js';
export { skbGetHash, inetEcnSetCe, skbGetDsfield, reciprocalScale, INET_ECN_NOT_ECT, INET_ECN_ECT_0, INET_ECN_ECT_1, INET_ECN_CE } from './qdisc/flow-hash.js';
export { sockPacingRate, sockSetPacingFq, PACING_RATE_UNLIMITED, SK_PACING_FQ } from './qdisc/sock-pacing.js';
export {
  TcUsageError,
  TcExtackError,
  parseTcQdiscOptions,
  parseFqArgs,
  parseFqCodelArgs,
  parseNetemArgs,
  tcGetRate,
  tcGetRate64,
  tcGetSize,
  tcGetTime,
  tcGetTime64,
  tcGetUnsigned,
  FQ_USAGE,
  FQ_CODEL_USAGE,
  NETEM_USAGE,
} from './qdisc/tc-options.js';
export { tcQdiscModify, defaultQdiscKind, rootQdisc, type TcQdiscCommand, type TcQdiscRequest } from './qdisc/tc-qdisc.js';
export { Dql, DQL_MAX_LIMIT, DQL_MAX_OBJECT } from './netdevice/dql.js';
export { netdevTxSentQueue, netdevTxCompletedQueue, netdevTxResetQueue, byteQueueLimits, setByteQueueLimit, type ByteQueueLimits } from './tx/bql.js';

export * from './netfilter/hooks.js';
export * from './inet/constants.js';
export * from './inet/inet-protocol.js';
export * from './inet/network-protocol.js';
export { InetRegistry } from './inet/inet-registry.js';
export * from './neighbour/nud.js';
export { NeighParms } from './neighbour/neigh-parms.js';
export { Neighbour } from './neighbour/neighbour.js';
export { NeighTable, NeighStats, type NeighOps } from './neighbour/neigh-table.js';
export * from './sysctl/sysctl.js';
export { Snmp, MibGroup } from './counters/mib.js';
export * from './trace/stages.js';
export { PacketTrace, type TraceEntry, type TraceSequence } from './trace/packet-trace.js';

export * from './ns/tokens.js';
export * from './ns/plugin.js';
export { NetNamespace, LOOPBACK_IFINDEX, type NetdevEvent, type NetNamespaceEvents } from './ns/net-namespace.js';
export { World, type WorldOptions, type WorldEvents } from './ns/world.js';
export { parseIPv4, formatIPv4, parseInetAddr, formatInetAddr } from './inet/addr-text.js';
export * from './bpf/insn.js';
export { bpfValidate, bpfCodeAllowed, bpfIsAncillary } from './bpf/validate.js';
export { BpfContext, bpfContextFromSkb, type BpfRandom } from './bpf/context.js';
export { bpfRun } from './bpf/interp.js';
export { bpfCompile, bpfJitSource, BPF_JIT_MAX_BLOCK_LABELS, type BpfJitFn, type BpfCompileOptions } from './bpf/jit.js';
export { skbGetPoff } from './bpf/pay-offset.js';
export { SocketFilter, SocketFilterSlot } from './bpf/socket-filter.js';
export { toeplitz, ToeplitzHash, microsoftRssKey, RSS_HASH_KEY_SIZE, TOEPLITZ_MAX_INPUT } from './rss/toeplitz.js';
export { NetdevRssKey, NETDEV_RSS_KEY_LEN, formatHexKey, parseHexKey } from './rss/netdev-rss-key.js';
export * from './rss/flow-hash.js';
export { RssIndirTable, RSS_INDIR_TABLE_SIZE, ethtoolRxfhIndirDefault } from './rss/indir.js';
export * from './rss/rss.js';
export { formatEthtoolRxfh, formatIndirTable, type EthtoolRxfhTextOptions } from './rss/ethtool-text.js';
export { setRpsCpus, writeRpsCpus, rpsCpusText } from './rx/rps.js';
export {
  RPS_NO_CPU,
  RpsSockFlowTable,
  RpsDevFlowTable,
  SteeringState,
  rfsSlot,
  rpsRecordSockFlow,
  sockRpsRecordFlow,
  sockRpsSaveRxhash,
  setRpsFlowCnt,
  writeRpsFlowCnt,
  rpsFlowCntText,
} from './rx/rfs.js';
export { getXpsQueue, skbTxHash, netdevPickTx, setXpsCpus, setXpsRxqs, writeXpsCpus, writeXpsRxqs, xpsCpusText, xpsRxqsText } from './tx/xps.js';
