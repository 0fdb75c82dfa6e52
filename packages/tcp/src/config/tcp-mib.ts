/**
 * The TCP MIB groups under the names `nstat -az` prints on Linux 6.18: `Tcp` (`/proc/net/snmp`
 * "Tcp:", snmp4_tcp_list in net/ipv4/proc.c) and `TcpExt` (`/proc/net/netstat` "TcpExt:",
 * snmp4_net_list, i.e. the LINUX_MIB_* order of include/uapi/linux/snmp.h). The field lists were
 * read from this machine's running 6.18 kernel (`/proc/net/netstat`, 135 TcpExt fields, the same
 * names and order `nstat -az` prints with the `TcpExt` prefix). /usr/include/linux/snmp.h here is
 * the 6.1 one from linux-libc-dev and lacks the newer entries, so it was not the source.
 *
 * Slots are fixed by the order: the packet path increments `values[TCPEXT.ListenDrops]` etc.
 */

/** `TcpExt` (nstat shows `TcpExt` + field). */
export const TCPEXT_MIB_GROUP = 'TcpExt';
/** `Tcp` (nstat shows `Tcp` + field). */
export const TCP_MIB_GROUP = 'Tcp';

/**
 * `Tcp` in /proc/net/snmp order. RtoAlgorithm, RtoMin, RtoMax, MaxConn are constants and CurrEstab
 * a gauge (nstat -az leaves these five out; /proc/net/snmp shows them): see TCP_MIB_CONSTANTS.
 */
export const TCP_MIB_FIELDS = [
  'RtoAlgorithm',
  'RtoMin',
  'RtoMax',
  'MaxConn',
  'ActiveOpens',
  'PassiveOpens',
  'AttemptFails',
  'EstabResets',
  'CurrEstab',
  'InSegs',
  'OutSegs',
  'RetransSegs',
  'InErrs',
  'OutRsts',
  'InCsumErrors',
] as const;

export type TcpMibField = (typeof TCP_MIB_FIELDS)[number];

/** Slot of each `Tcp` field. */
export const TCP_MIB = {
  RtoAlgorithm: 0,
  RtoMin: 1,
  RtoMax: 2,
  MaxConn: 3,
  ActiveOpens: 4,
  PassiveOpens: 5,
  AttemptFails: 6,
  EstabResets: 7,
  CurrEstab: 8,
  InSegs: 9,
  OutSegs: 10,
  RetransSegs: 11,
  InErrs: 12,
  OutRsts: 13,
  InCsumErrors: 14,
} as const satisfies Record<TcpMibField, number>;

/**
 * What this kernel's /proc/net/snmp shows for the four constants: RtoAlgorithm 1 (other: RFC 6298
 * with Linux's mdev), RtoMin 200 and RtoMax 120000 (ms, TCP_RTO_MIN/TCP_RTO_MAX), MaxConn -1
 * (no fixed limit). Read on this machine: `Tcp: 1 200 120000 -1 ...`.
 */
export const TCP_MIB_CONSTANTS = { RtoAlgorithm: 1, RtoMin: 200, RtoMax: 120000, MaxConn: -1 } as const;

/** `TcpExt` in the kernel's order (LINUX_MIB_SYNCOOKIESSENT ... LINUX_MIB_TCPAODROPPEDICMPS). */
export const TCPEXT_MIB_FIELDS = [
  'SyncookiesSent',
  'SyncookiesRecv',
  'SyncookiesFailed',
  'EmbryonicRsts',
  'PruneCalled',
  'RcvPruned',
  'OfoPruned',
  'OutOfWindowIcmps',
  'LockDroppedIcmps',
  'ArpFilter',
  'TW',
  'TWRecycled',
  'TWKilled',
  'PAWSActive',
  'PAWSEstab',
  'BeyondWindow',
  'TSEcrRejected',
  'PAWSOldAck',
  'PAWSTimewait',
  'DelayedACKs',
  'DelayedACKLocked',
  'DelayedACKLost',
  'ListenOverflows',
  'ListenDrops',
  'TCPHPHits',
  'TCPPureAcks',
  'TCPHPAcks',
  'TCPRenoRecovery',
  'TCPSackRecovery',
  'TCPSACKReneging',
  'TCPSACKReorder',
  'TCPRenoReorder',
  'TCPTSReorder',
  'TCPFullUndo',
  'TCPPartialUndo',
  'TCPDSACKUndo',
  'TCPLossUndo',
  'TCPLostRetransmit',
  'TCPRenoFailures',
  'TCPSackFailures',
  'TCPLossFailures',
  'TCPFastRetrans',
  'TCPSlowStartRetrans',
  'TCPTimeouts',
  'TCPLossProbes',
  'TCPLossProbeRecovery',
  'TCPRenoRecoveryFail',
  'TCPSackRecoveryFail',
  'TCPRcvCollapsed',
  'TCPBacklogCoalesce',
  'TCPDSACKOldSent',
  'TCPDSACKOfoSent',
  'TCPDSACKRecv',
  'TCPDSACKOfoRecv',
  'TCPAbortOnData',
  'TCPAbortOnClose',
  'TCPAbortOnMemory',
  'TCPAbortOnTimeout',
  'TCPAbortOnLinger',
  'TCPAbortFailed',
  'TCPMemoryPressures',
  'TCPMemoryPressuresChrono',
  'TCPSACKDiscard',
  'TCPDSACKIgnoredOld',
  'TCPDSACKIgnoredNoUndo',
  'TCPSpuriousRTOs',
  'TCPMD5NotFound',
  'TCPMD5Unexpected',
  'TCPMD5Failure',
  'TCPSackShifted',
  'TCPSackMerged',
  'TCPSackShiftFallback',
  'TCPBacklogDrop',
  'PFMemallocDrop',
  'TCPMinTTLDrop',
  'TCPDeferAcceptDrop',
  'IPReversePathFilter',
  'TCPTimeWaitOverflow',
  'TCPReqQFullDoCookies',
  'TCPReqQFullDrop',
  'TCPRetransFail',
  'TCPRcvCoalesce',
  'TCPOFOQueue',
  'TCPOFODrop',
  'TCPOFOMerge',
  'TCPChallengeACK',
  'TCPSYNChallenge',
  'TCPFastOpenActive',
  'TCPFastOpenActiveFail',
  'TCPFastOpenPassive',
  'TCPFastOpenPassiveFail',
  'TCPFastOpenListenOverflow',
  'TCPFastOpenCookieReqd',
  'TCPFastOpenBlackhole',
  'TCPSpuriousRtxHostQueues',
  'BusyPollRxPackets',
  'TCPAutoCorking',
  'TCPFromZeroWindowAdv',
  'TCPToZeroWindowAdv',
  'TCPWantZeroWindowAdv',
  'TCPSynRetrans',
  'TCPOrigDataSent',
  'TCPHystartTrainDetect',
  'TCPHystartTrainCwnd',
  'TCPHystartDelayDetect',
  'TCPHystartDelayCwnd',
  'TCPACKSkippedSynRecv',
  'TCPACKSkippedPAWS',
  'TCPACKSkippedSeq',
  'TCPACKSkippedFinWait2',
  'TCPACKSkippedTimeWait',
  'TCPACKSkippedChallenge',
  'TCPWinProbe',
  'TCPKeepAlive',
  'TCPMTUPFail',
  'TCPMTUPSuccess',
  'TCPDelivered',
  'TCPDeliveredCE',
  'TCPAckCompressed',
  'TCPZeroWindowDrop',
  'TCPRcvQDrop',
  'TCPWqueueTooBig',
  'TCPFastOpenPassiveAltKey',
  'TcpTimeoutRehash',
  'TcpDuplicateDataRehash',
  'TCPDSACKRecvSegs',
  'TCPDSACKIgnoredDubious',
  'TCPMigrateReqSuccess',
  'TCPMigrateReqFailure',
  'TCPPLBRehash',
  'TCPAORequired',
  'TCPAOBad',
  'TCPAOKeyNotFound',
  'TCPAOGood',
  'TCPAODroppedIcmps',
] as const;

export type TcpExtMibField = (typeof TCPEXT_MIB_FIELDS)[number];

/** Slot of every `TcpExt` field (index in TCPEXT_MIB_FIELDS). */
export const TCPEXT = {
  SyncookiesSent: 0,
  SyncookiesRecv: 1,
  SyncookiesFailed: 2,
  EmbryonicRsts: 3,
  PruneCalled: 4,
  RcvPruned: 5,
  OfoPruned: 6,
  OutOfWindowIcmps: 7,
  LockDroppedIcmps: 8,
  ArpFilter: 9,
  TW: 10,
  TWRecycled: 11,
  TWKilled: 12,
  PAWSActive: 13,
  PAWSEstab: 14,
  BeyondWindow: 15,
  TSEcrRejected: 16,
  PAWSOldAck: 17,
  PAWSTimewait: 18,
  DelayedACKs: 19,
  DelayedACKLocked: 20,
  DelayedACKLost: 21,
  ListenOverflows: 22,
  ListenDrops: 23,
  TCPHPHits: 24,
  TCPPureAcks: 25,
  TCPHPAcks: 26,
  TCPRenoRecovery: 27,
  TCPSackRecovery: 28,
  TCPSACKReneging: 29,
  TCPSACKReorder: 30,
  TCPRenoReorder: 31,
  TCPTSReorder: 32,
  TCPFullUndo: 33,
  TCPPartialUndo: 34,
  TCPDSACKUndo: 35,
  TCPLossUndo: 36,
  TCPLostRetransmit: 37,
  TCPRenoFailures: 38,
  TCPSackFailures: 39,
  TCPLossFailures: 40,
  TCPFastRetrans: 41,
  TCPSlowStartRetrans: 42,
  TCPTimeouts: 43,
  TCPLossProbes: 44,
  TCPLossProbeRecovery: 45,
  TCPRenoRecoveryFail: 46,
  TCPSackRecoveryFail: 47,
  TCPRcvCollapsed: 48,
  TCPBacklogCoalesce: 49,
  TCPDSACKOldSent: 50,
  TCPDSACKOfoSent: 51,
  TCPDSACKRecv: 52,
  TCPDSACKOfoRecv: 53,
  TCPAbortOnData: 54,
  TCPAbortOnClose: 55,
  TCPAbortOnMemory: 56,
  TCPAbortOnTimeout: 57,
  TCPAbortOnLinger: 58,
  TCPAbortFailed: 59,
  TCPMemoryPressures: 60,
  TCPMemoryPressuresChrono: 61,
  TCPSACKDiscard: 62,
  TCPDSACKIgnoredOld: 63,
  TCPDSACKIgnoredNoUndo: 64,
  TCPSpuriousRTOs: 65,
  TCPMD5NotFound: 66,
  TCPMD5Unexpected: 67,
  TCPMD5Failure: 68,
  TCPSackShifted: 69,
  TCPSackMerged: 70,
  TCPSackShiftFallback: 71,
  TCPBacklogDrop: 72,
  PFMemallocDrop: 73,
  TCPMinTTLDrop: 74,
  TCPDeferAcceptDrop: 75,
  IPReversePathFilter: 76,
  TCPTimeWaitOverflow: 77,
  TCPReqQFullDoCookies: 78,
  TCPReqQFullDrop: 79,
  TCPRetransFail: 80,
  TCPRcvCoalesce: 81,
  TCPOFOQueue: 82,
  TCPOFODrop: 83,
  TCPOFOMerge: 84,
  TCPChallengeACK: 85,
  TCPSYNChallenge: 86,
  TCPFastOpenActive: 87,
  TCPFastOpenActiveFail: 88,
  TCPFastOpenPassive: 89,
  TCPFastOpenPassiveFail: 90,
  TCPFastOpenListenOverflow: 91,
  TCPFastOpenCookieReqd: 92,
  TCPFastOpenBlackhole: 93,
  TCPSpuriousRtxHostQueues: 94,
  BusyPollRxPackets: 95,
  TCPAutoCorking: 96,
  TCPFromZeroWindowAdv: 97,
  TCPToZeroWindowAdv: 98,
  TCPWantZeroWindowAdv: 99,
  TCPSynRetrans: 100,
  TCPOrigDataSent: 101,
  TCPHystartTrainDetect: 102,
  TCPHystartTrainCwnd: 103,
  TCPHystartDelayDetect: 104,
  TCPHystartDelayCwnd: 105,
  TCPACKSkippedSynRecv: 106,
  TCPACKSkippedPAWS: 107,
  TCPACKSkippedSeq: 108,
  TCPACKSkippedFinWait2: 109,
  TCPACKSkippedTimeWait: 110,
  TCPACKSkippedChallenge: 111,
  TCPWinProbe: 112,
  TCPKeepAlive: 113,
  TCPMTUPFail: 114,
  TCPMTUPSuccess: 115,
  TCPDelivered: 116,
  TCPDeliveredCE: 117,
  TCPAckCompressed: 118,
  TCPZeroWindowDrop: 119,
  TCPRcvQDrop: 120,
  TCPWqueueTooBig: 121,
  TCPFastOpenPassiveAltKey: 122,
  TcpTimeoutRehash: 123,
  TcpDuplicateDataRehash: 124,
  TCPDSACKRecvSegs: 125,
  TCPDSACKIgnoredDubious: 126,
  TCPMigrateReqSuccess: 127,
  TCPMigrateReqFailure: 128,
  TCPPLBRehash: 129,
  TCPAORequired: 130,
  TCPAOBad: 131,
  TCPAOKeyNotFound: 132,
  TCPAOGood: 133,
  TCPAODroppedIcmps: 134,
} as const satisfies Record<TcpExtMibField, number>;

/*
 * Slots TCP uses most, named LINUX_MIB_ + the upper-cased nstat name. That is the kernel's enum name
 * for most of them; a few differ in the kernel (TW is LINUX_MIB_TIMEWAITED, TWRecycled
 * LINUX_MIB_TIMEWAITRECYCLED, TWKilled LINUX_MIB_TIMEWAITKILLED, TCPSpuriousRtxHostQueues
 * LINUX_MIB_TCPSPURIOUS_RTX_HOSTQUEUES), and these constants keep the uniform spelling.
 */
export const LINUX_MIB_LISTENOVERFLOWS = 22;
export const LINUX_MIB_LISTENDROPS = 23;
export const LINUX_MIB_TCPBACKLOGDROP = 72;
export const LINUX_MIB_TCPFASTOPENACTIVE = 87;
export const LINUX_MIB_TCPFASTOPENACTIVEFAIL = 88;
export const LINUX_MIB_TCPFASTOPENPASSIVE = 89;
export const LINUX_MIB_TCPFASTOPENPASSIVEFAIL = 90;
export const LINUX_MIB_TCPFASTOPENLISTENOVERFLOW = 91;
export const LINUX_MIB_TCPFASTOPENCOOKIEREQD = 92;
export const LINUX_MIB_TCPFASTOPENBLACKHOLE = 93;
export const LINUX_MIB_TCPFASTOPENPASSIVEALTKEY = 122;
export const LINUX_MIB_SYNCOOKIESSENT = 0;
export const LINUX_MIB_SYNCOOKIESRECV = 1;
export const LINUX_MIB_SYNCOOKIESFAILED = 2;
export const LINUX_MIB_TCPREQQFULLDOCOOKIES = 78;
export const LINUX_MIB_TCPREQQFULLDROP = 79;
export const LINUX_MIB_TCPAUTOCORKING = 96;
export const LINUX_MIB_TCPSPURIOUSRTXHOSTQUEUES = 94;
export const LINUX_MIB_TCPRCVQDROP = 120;
export const LINUX_MIB_TCPZEROWINDOWDROP = 119;
export const LINUX_MIB_TCPOFOQUEUE = 82;
export const LINUX_MIB_TCPOFODROP = 83;
export const LINUX_MIB_TCPOFOMERGE = 84;
export const LINUX_MIB_TCPSACKRENEGING = 29;
export const LINUX_MIB_TCPLOSSPROBES = 44;
export const LINUX_MIB_TCPLOSSPROBERECOVERY = 45;
export const LINUX_MIB_DELAYEDACKS = 19;
export const LINUX_MIB_DELAYEDACKLOCKED = 20;
export const LINUX_MIB_DELAYEDACKLOST = 21;
export const LINUX_MIB_TCPCHALLENGEACK = 85;
export const LINUX_MIB_TCPSYNCHALLENGE = 86;
export const LINUX_MIB_TCPTIMEOUTS = 43;
export const LINUX_MIB_TCPSYNRETRANS = 100;
export const LINUX_MIB_TCPFASTRETRANS = 41;
export const LINUX_MIB_TCPSLOWSTARTRETRANS = 42;
export const LINUX_MIB_TCPRETRANSFAIL = 80;
export const LINUX_MIB_TCPORIGDATASENT = 101;
export const LINUX_MIB_TCPDELIVERED = 116;
export const LINUX_MIB_TCPDELIVEREDCE = 117;
export const LINUX_MIB_TCPPUREACKS = 25;
export const LINUX_MIB_TCPHPHITS = 24;
export const LINUX_MIB_TCPHPACKS = 26;
export const LINUX_MIB_TCPRCVCOALESCE = 81;
export const LINUX_MIB_TCPBACKLOGCOALESCE = 49;
export const LINUX_MIB_PRUNECALLED = 4;
export const LINUX_MIB_RCVPRUNED = 5;
export const LINUX_MIB_OFOPRUNED = 6;
export const LINUX_MIB_TCPRCVCOLLAPSED = 48;
export const LINUX_MIB_TCPABORTONDATA = 54;
export const LINUX_MIB_TCPABORTONCLOSE = 55;
export const LINUX_MIB_TCPABORTONMEMORY = 56;
export const LINUX_MIB_TCPABORTONTIMEOUT = 57;
export const LINUX_MIB_TCPABORTONLINGER = 58;
export const LINUX_MIB_TCPABORTFAILED = 59;
export const LINUX_MIB_TCPMEMORYPRESSURES = 60;
export const LINUX_MIB_TCPKEEPALIVE = 113;
export const LINUX_MIB_TCPWINPROBE = 112;
export const LINUX_MIB_TW = 10;
export const LINUX_MIB_TWRECYCLED = 11;
export const LINUX_MIB_TWKILLED = 12;
export const LINUX_MIB_TCPTIMEWAITOVERFLOW = 77;
export const LINUX_MIB_PAWSACTIVE = 13;
export const LINUX_MIB_PAWSESTAB = 14;
export const LINUX_MIB_PAWSOLDACK = 17;
export const LINUX_MIB_PAWSTIMEWAIT = 18;
export const LINUX_MIB_TCPDSACKOLDSENT = 50;
export const LINUX_MIB_TCPDSACKOFOSENT = 51;
export const LINUX_MIB_TCPDSACKRECV = 52;
export const LINUX_MIB_TCPDSACKOFORECV = 53;
export const LINUX_MIB_TCPDSACKRECVSEGS = 125;
export const LINUX_MIB_TCPSACKRECOVERY = 28;
export const LINUX_MIB_TCPRENORECOVERY = 27;
export const LINUX_MIB_TCPSACKREORDER = 30;
export const LINUX_MIB_TCPRENOREORDER = 31;
export const LINUX_MIB_TCPTSREORDER = 32;
export const LINUX_MIB_TCPLOSTRETRANSMIT = 37;
export const LINUX_MIB_TCPSPURIOUSRTOS = 65;
export const LINUX_MIB_TCPFROMZEROWINDOWADV = 97;
export const LINUX_MIB_TCPTOZEROWINDOWADV = 98;
export const LINUX_MIB_TCPWANTZEROWINDOWADV = 99;
export const LINUX_MIB_TCPHYSTARTTRAINDETECT = 102;
export const LINUX_MIB_TCPHYSTARTTRAINCWND = 103;
export const LINUX_MIB_TCPHYSTARTDELAYDETECT = 104;
export const LINUX_MIB_TCPHYSTARTDELAYCWND = 105;
export const LINUX_MIB_TCPACKSKIPPEDSYNRECV = 106;
export const LINUX_MIB_TCPACKSKIPPEDPAWS = 107;
export const LINUX_MIB_TCPACKSKIPPEDSEQ = 108;
export const LINUX_MIB_TCPACKSKIPPEDFINWAIT2 = 109;
export const LINUX_MIB_TCPACKSKIPPEDTIMEWAIT = 110;
export const LINUX_MIB_TCPACKSKIPPEDCHALLENGE = 111;
export const LINUX_MIB_TCPWQUEUETOOBIG = 121;
export const LINUX_MIB_EMBRYONICRSTS = 3;
export const LINUX_MIB_TCPDEFERACCEPTDROP = 75;
export const LINUX_MIB_TCPMINTTLDROP = 74;
export const LINUX_MIB_OUTOFWINDOWICMPS = 7;
export const LINUX_MIB_LOCKDROPPEDICMPS = 8;
export const LINUX_MIB_TCPACKCOMPRESSED = 118;
export const LINUX_MIB_TCPTIMEOUTREHASH = 123;
export const LINUX_MIB_TCPDUPLICATEDATAREHASH = 124;
export const LINUX_MIB_TCPMIGRATEREQSUCCESS = 127;
export const LINUX_MIB_TCPMIGRATEREQFAILURE = 128;
export const LINUX_MIB_TCPPLBREHASH = 129;
export const LINUX_MIB_TCPFULLUNDO = 33;
export const LINUX_MIB_TCPPARTIALUNDO = 34;
export const LINUX_MIB_TCPDSACKUNDO = 35;
export const LINUX_MIB_TCPLOSSUNDO = 36;
export const LINUX_MIB_TCPSACKFAILURES = 39;
export const LINUX_MIB_TCPLOSSFAILURES = 40;
export const LINUX_MIB_TCPRENOFAILURES = 38;
export const LINUX_MIB_TCPSACKSHIFTED = 69;
export const LINUX_MIB_TCPSACKMERGED = 70;
export const LINUX_MIB_TCPSACKSHIFTFALLBACK = 71;
export const LINUX_MIB_TCPSACKDISCARD = 62;
export const LINUX_MIB_TCPDSACKIGNOREDOLD = 63;
export const LINUX_MIB_TCPDSACKIGNOREDNOUNDO = 64;
export const LINUX_MIB_TCPDSACKIGNOREDDUBIOUS = 126;
export const LINUX_MIB_BEYONDWINDOW = 15;
export const LINUX_MIB_TSECRREJECTED = 16;
export const LINUX_MIB_TCPMTUPFAIL = 114;
export const LINUX_MIB_TCPMTUPSUCCESS = 115;

/* Tcp group slots under the kernel's TCP_MIB_* names. */
export const TCP_MIB_RTOALGORITHM = 0;
export const TCP_MIB_RTOMIN = 1;
export const TCP_MIB_RTOMAX = 2;
export const TCP_MIB_MAXCONN = 3;
export const TCP_MIB_ACTIVEOPENS = 4;
export const TCP_MIB_PASSIVEOPENS = 5;
export const TCP_MIB_ATTEMPTFAILS = 6;
export const TCP_MIB_ESTABRESETS = 7;
export const TCP_MIB_CURRESTAB = 8;
export const TCP_MIB_INSEGS = 9;
export const TCP_MIB_OUTSEGS = 10;
export const TCP_MIB_RETRANSSEGS = 11;
export const TCP_MIB_INERRS = 12;
export const TCP_MIB_OUTRSTS = 13;
export const TCP_MIB_INCSUMERRORS = 14;
