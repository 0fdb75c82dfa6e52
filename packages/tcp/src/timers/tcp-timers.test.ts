import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '@netstack/core';
import { createRttState, TCP_RTO_MAX_US } from '../rtt/index.js';
import {
  ICSK_ACK_SCHED,
  ICSK_TIME_DACK,
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
  INITIAL_JIFFIES,
  TCP_ATO_MIN_MS,
  TcpTimerSkState as St,
  TcpTimers,
  TW_NONE,
  WAKEUP_KEEPALIVE,
  WAKEUP_WINPROBE,
  tcpTimeWaitTimeoMs,
  tcpTwReuseWriteSeq,
  tcpTwskUnique,
  type TcpTimerOwner,
  type TcpTimersOptions,
} from './index.js';

const MS = 1_000_000;

/** A socket stand-in that logs what the timers make it do, with the time in ms. */
class Owner implements TcpTimerOwner {
  log: string[] = [];
  state: number = St.ESTABLISHED;
  owned = false;
  orphan = false;
  softErr = false;
  pktsOut = 0;
  queueEmpty = true;
  wakeupResult = 0;
  timers!: TcpTimers;
  constructor(private readonly s: VirtualScheduler) {}
  private at(what: string): void {
    this.log.push(`${this.s.now() / MS}:${what}`);
  }
  skState() { return this.state; }
  ownedByUser() { return this.owned; }
  isOrphan() { return this.orphan; }
  hasSoftError() { return this.softErr; }
  packetsOut() { return this.pktsOut; }
  sendQueueEmpty() { return this.queueEmpty; }
  retransmitTimer() { this.at('retrans'); }
  sendLossProbe() { this.at('tlp'); }
  rackReoTimeout() { this.at('reo'); }
  writeWakeup(kind: number) { this.at(kind === WAKEUP_KEEPALIVE ? 'keepalive' : kind === WAKEUP_WINPROBE ? 'probe0' : '?'); return this.wakeupResult; }
  sendAck(delayed: boolean) { this.at(delayed ? 'delack' : 'ack'); this.timers.ackSent(); }
  sendActiveReset() { this.at('rst'); }
  writeError() { this.at('error'); this.state = St.CLOSE; }
  done() { this.at('done'); this.state = St.CLOSE; }
  enterTimeWait(sub: number, tmo: number) { this.at(`tw(${sub},${tmo})`); this.timers.scheduleTimeWait(sub, tmo); }
  timeWaitExpired(sub: number) { this.at(`tw-expired(${sub})`); }
  lingerExpired() { this.at('linger-expired'); }
}

function setup(opts: TcpTimersOptions = {}) {
  const s = new VirtualScheduler();
  const o = new Owner(s);
  const rtt = createRttState();
  const t = new TcpTimers(s, o, rtt, opts);
  o.timers = t;
  return { s, o, rtt, t };
}

describe('retransmit timer, multiplexed by icsk_pending', () => {
  it('fires at the armed time and dispatches by kind; RETRANS/PROBE0 clear pending, TLP/REO do not', () => {
    const { s, o, t } = setup();
    t.resetXmitTimer(ICSK_TIME_RETRANS, 1_000_000);
    expect(t.pending).toBe(ICSK_TIME_RETRANS);
    s.runFor(999);
    expect(o.log).toEqual([]);
    s.runFor(1);
    expect(o.log).toEqual(['1000:retrans']);
    expect(t.pending).toBe(0);
    t.resetXmitTimer(ICSK_TIME_LOSS_PROBE, 30_000);
    s.runFor(30);
    expect(o.log.at(-1)).toBe('1030:tlp');
    expect(t.pending).toBe(ICSK_TIME_LOSS_PROBE); // as tcp_write_timer_handler leaves it
    t.resetXmitTimer(ICSK_TIME_REO_TIMEOUT, 5_000);
    s.runFor(5);
    expect(o.log.at(-1)).toBe('1035:reo');
  });

  it('one timer: arming another kind replaces the pending one, and re-arming moves it (later or earlier)', () => {
    const { s, o, t } = setup();
    t.resetXmitTimer(ICSK_TIME_RETRANS, 200_000);
    t.resetXmitTimer(ICSK_TIME_LOSS_PROBE, 50_000); // TLP scheduled before the RTO (tcp_schedule_loss_probe)
    expect(s.pendingTimers).toBe(1);
    s.runFor(50);
    expect(o.log).toEqual(['50:tlp']);
    t.resetXmitTimer(ICSK_TIME_RETRANS, 300_000); // tcp_rearm_rto after the probe
    t.resetXmitTimer(ICSK_TIME_RETRANS, 400_000); // moved later
    s.runFor(399);
    expect(o.log).toEqual(['50:tlp']);
    t.resetXmitTimer(ICSK_TIME_RETRANS, 10_000); // moved earlier
    s.runFor(10);
    expect(o.log).toEqual(['50:tlp', '459:retrans']);
    s.runFor(10_000);
    expect(o.log.length).toBe(2);
  });

  it('clamps to max_when (TCP_RTO_MAX 120 s by default)', () => {
    const { s, o, t } = setup();
    t.resetXmitTimer(ICSK_TIME_RETRANS, 500_000_000);
    expect(t.timeoutNs).toBe(TCP_RTO_MAX_US * 1000);
    t.resetXmitTimer(ICSK_TIME_RETRANS, 5_000_000, 3_000_000);
    s.runFor(3000);
    expect(o.log).toEqual(['3000:retrans']);
  });

  it('clearXmitTimer(RETRANS) empties the shared timer whatever it carries; the handler ignores CLOSE/LISTEN', () => {
    const { s, o, t } = setup();
    t.resetXmitTimer(ICSK_TIME_LOSS_PROBE, 100_000);
    t.clearXmitTimer(ICSK_TIME_RETRANS);
    expect(t.pending).toBe(0);
    expect(t.xmitArmed).toBe(false);
    s.runFor(1000);
    expect(o.log).toEqual([]);
    expect(() => t.clearXmitTimer(ICSK_TIME_LOSS_PROBE)).toThrow(RangeError);
    t.resetXmitTimer(ICSK_TIME_RETRANS, 100_000);
    o.state = St.CLOSE;
    s.runFor(100);
    expect(o.log).toEqual([]);
  });

  it('an expiry while the user owns the socket is deferred to release_cb', () => {
    const { s, o, t } = setup();
    t.resetXmitTimer(ICSK_TIME_RETRANS, 200_000);
    o.owned = true;
    s.runFor(200);
    expect(o.log).toEqual([]);
    s.runFor(50);
    o.owned = false;
    t.releaseCb();
    expect(o.log).toEqual(['250:retrans']);
  });
});

describe('zero-window probes (tcp_probe_timer, tcp_send_probe0)', () => {
  it('probes with exponential backoff from max(RTO, 200 ms), and aborts after tcp_retries2 unanswered probes', () => {
    const { s, o, t, rtt } = setup({ retries2: 4 });
    rtt.rtoUs = 300_000;
    o.queueEmpty = false; // data waits for a zero window, nothing in flight
    t.checkProbeTimer();
    expect(t.pending).toBe(ICSK_TIME_PROBE0);
    s.runFor(10_000);
    // probes at 300, +600, +1200, +2400; the 5th expiry finds probes_out 4 >= retries2: abort.
    expect(o.log).toEqual(['300:probe0', '900:probe0', '2100:probe0', '4500:probe0', '9300:error']);
    expect(rtt.backoff).toBe(4);
  });

  it('an ACK resets probes_out (the peer is alive), and an opened window stops probing', () => {
    const { s, o, t, rtt } = setup({ retries2: 2 });
    rtt.rtoUs = 200_000;
    o.queueEmpty = false;
    t.checkProbeTimer();
    s.runFor(200 + 400); // two probes
    expect(t.probesOut).toBe(2);
    t.ackReceived(); // the window-probe ACK came back, window still 0
    t.ackProbe(false);
    expect(t.probesOut).toBe(0);
    s.runFor(800); // backoff 2: 800 ms
    expect(o.log).toEqual(['200:probe0', '600:probe0', '1400:probe0']);
    t.ackReceived();
    t.ackProbe(true);
    expect(rtt.backoff).toBe(0);
    expect(t.pending).toBe(0);
    s.runFor(100_000);
    expect(o.log.length).toBe(3);
  });

  it('local congestion retries after 500 ms without backoff; the backoff is capped at 120 s', () => {
    const { s, o, t, rtt } = setup({ retries2: 100 });
    rtt.rtoUs = 200_000;
    o.queueEmpty = false;
    o.wakeupResult = 1;
    t.checkProbeTimer();
    s.runFor(200 + 500);
    expect(o.log).toEqual(['200:probe0', '700:probe0']);
    expect(rtt.backoff).toBe(0);
    o.wakeupResult = 0;
    rtt.backoff = 12; // 200 ms << 12 > 120 s
    s.runFor(500);
    expect(t.timeoutNs - s.now()).toBe(120_000 * MS);
  });

  it('an orphan gives up after tcp_orphan_retries (8 when 0 and the peer is alive)', () => {
    const { s, o, t, rtt } = setup({ retries2: 15 });
    rtt.rtoUs = 200_000;
    o.queueEmpty = false;
    o.orphan = true;
    t.checkProbeTimer();
    s.runUntilIdle(3_600_000);
    const probes = o.log.filter((e) => e.endsWith('probe0')).length;
    expect(probes).toBe(8);
    expect(o.log.at(-1)).toMatch(/error$/);
    expect(t.orphanRetries(true)).toBe(8);
    o.softErr = true;
    expect(t.orphanRetries(false)).toBe(0);
  });

  it('TCP_USER_TIMEOUT bounds probing: the next probe is clamped and the socket aborts at the limit', () => {
    const { s, o, t, rtt } = setup({ retries2: 15 });
    rtt.rtoUs = 1_000_000;
    o.queueEmpty = false;
    t.userTimeoutMs = 2500;
    t.checkProbeTimer();
    s.runFor(20_000);
    // first probe at 1000 (tstamp); next 2000 later is clamped to 2500 − 0 → 2000 → 3000; then remaining 500
    expect(o.log).toEqual(['1000:probe0', '3000:probe0', '3500:error']);
  });
});

describe('delayed ACK (icsk_ack)', () => {
  it('first data: quick-ack mode (rcv_wnd / 2·mss ACKs, max 16), each ACK immediate', () => {
    const { o, t } = setup();
    t.eventDataRecv(65535, 1460); // 65535 / 2920 = 22 → 16
    expect(t.quick).toBe(16);
    expect(t.atoMs).toBe(TCP_ATO_MIN_MS);
    for (let i = 0; i < 16; i++) {
      t.eventDataRecv(65535, 1460);
      t.ackSndCheck(false);
    }
    expect(o.log.filter((e) => e.endsWith(':ack')).length).toBe(16);
    expect(t.quick).toBe(0);
    expect(t.inQuickAckMode()).toBe(false);
    // Small window: at least 2 quick ACKs.
    const b = setup();
    b.t.eventDataRecv(1000, 1460);
    expect(b.t.quick).toBe(2);
  });

  it('after quick-ack mode the ACK is delayed by ato (40 ms) and sent once by the timer', () => {
    const { s, o, t } = setup();
    t.quick = 0;
    t.atoMs = TCP_ATO_MIN_MS;
    t.eventDataRecv(65535, 1460); // gap of 0 ms: ato = 40/2 + 20 = 40
    expect(t.atoMs).toBe(40);
    t.ackSndCheck(false);
    expect(o.log).toEqual([]);
    expect(t.delackExpires).toBe(40 * MS);
    s.runFor(39);
    expect(o.log).toEqual([]);
    s.runFor(1);
    expect(o.log).toEqual(['40:delack']);
    expect(t.ackPending).toBe(0);
    // The missed delayed ACK inflates ato (not pingpong): 80 ms.
    expect(t.atoMs).toBe(80);
  });

  it('a second segment does not push the timer later; an ACK sent with data clears it', () => {
    const { s, o, t } = setup();
    t.quick = 0;
    t.atoMs = 40;
    t.eventDataRecv(65535, 1460);
    t.ackSndCheck(false);
    s.runFor(20);
    t.eventDataRecv(65535, 1460);
    t.ackSndCheck(false);
    expect(t.delackExpires).toBe(40 * MS); // not moved to 60
    s.runFor(5);
    t.ackSent(); // a data segment carried the ACK
    expect(t.delackExpires).toBeNaN();
    s.runFor(100);
    expect(o.log).toEqual([]);
  });

  it('ato follows the inter-arrival gap, bounded by min(ato, 200 ms in pingpong, srtt) and delack_max', () => {
    const { s, t, rtt } = setup();
    t.quick = 0;
    t.atoMs = 160;
    s.runFor(100);
    t.eventDataRecv(65535, 1460); // gap 100 < ato 160: ato = 80 + 100 = 180
    expect(t.atoMs).toBe(180);
    t.enterPingpongMode();
    t.ackSndCheck(false);
    expect(t.delackExpires - s.now()).toBe(180 * MS);
    t.clearXmitTimer(ICSK_TIME_DACK);
    rtt.srttUs = 60_000 * 8; // srtt 60 ms bounds the delay
    t.eventDataRecv(65535, 1460); // gap 0: ato = 90 + 20 = 110
    expect(t.atoMs).toBe(110);
    t.ackSndCheck(false);
    expect(t.delackExpires - s.now()).toBe(60 * MS);
    t.clearXmitTimer(ICSK_TIME_DACK);
    rtt.srttUs = 0;
    t.atoMs = 450;
    t.sendDelayedAck();
    expect(t.delackExpires - s.now()).toBe(200 * MS); // pingpong: TCP_DELACK_MAX
  });

  it('a delayed ACK missed in pingpong mode leaves pingpong and deflates ato to 40 ms', () => {
    const { s, o, t } = setup();
    t.quick = 0;
    t.atoMs = 100;
    s.runFor(10);
    t.eventDataRecv(65535, 1460);
    t.eventDataSent(); // a reply within ato: interactive
    expect(t.inPingpongMode()).toBe(true);
    t.eventDataRecv(65535, 1460);
    t.ackSndCheck(false);
    s.runFor(200);
    expect(o.log.length).toBe(1);
    expect(o.log[0]).toMatch(/delack$/);
    expect(t.inPingpongMode()).toBe(false);
    expect(t.atoMs).toBe(TCP_ATO_MIN_MS);
  });

  it('a gap longer than the RTO re-enters quick-ack mode; ACK_NOW and "sendNow" ACK at once', () => {
    const { s, o, t, rtt } = setup();
    t.quick = 0;
    t.atoMs = 40;
    rtt.rtoUs = 300_000;
    s.runFor(301);
    t.eventDataRecv(14600, 1460);
    expect(t.quick).toBe(5);
    t.quick = 0;
    t.eventDataRecv(14600, 1460);
    t.ackSndCheck(true);
    expect(o.log).toEqual(['301:ack']);
    expect(t.ackPending & ICSK_ACK_SCHED).toBe(0);
  });

  it('the delayed-ACK timer uses u32 jiffies across the wrap 300 s after start', () => {
    const { s, o, t } = setup();
    expect(t.jiffies()).toBe(INITIAL_JIFFIES);
    s.runFor(300_000 - 10); // jiffies = 2^32 − 10
    expect(t.jiffies()).toBe(0xffffffff - 9);
    t.eventDataRecv(65535, 1460);
    t.quick = 0;
    t.atoMs = 100;
    s.runFor(25); // jiffies wrapped to 15: the gap is 25 ms, not −2^32 + 25
    expect(t.jiffies()).toBe(15);
    t.eventDataRecv(65535, 1460); // 25 < ato: ato = 50 + 25 = 75
    expect(t.atoMs).toBe(75);
    expect(t.inQuickAckMode()).toBe(false); // a wrong (huge) gap would have re-entered quick-ack mode
    t.ackSndCheck(false);
    s.runFor(74);
    expect(o.log).toEqual([]);
    s.runFor(1);
    expect(o.log).toEqual(['300090:delack']);
  });
});

describe('keepalive (tcp_keepalive_timer)', () => {
  it('7200 s idle, then 9 probes 75 s apart, then RST and ETIMEDOUT at 7875 s', () => {
    const { s, o, t } = setup();
    t.setKeepalive(true);
    expect(t.keepaliveExpires).toBe(7_200_000 * MS);
    s.runFor(8_000_000);
    const probes = o.log.filter((e) => e.endsWith('keepalive'));
    expect(probes.length).toBe(9);
    expect(probes[0]).toBe('7200000:keepalive');
    expect(probes[8]).toBe(`${7_200_000 + 8 * 75_000}:keepalive`);
    expect(o.log.slice(-2)).toEqual(['7875000:rst', '7875000:error']);
  });

  it('an answered probe restarts the idle period from the ACK', () => {
    const { s, o, t } = setup({ keepaliveTimeMs: 1000, keepaliveIntvlMs: 100, keepaliveProbes: 3 });
    t.setKeepalive(true);
    s.runFor(1150); // probes at 1000 and 1100
    expect(t.probesOut).toBe(2);
    t.ackReceived(); // at 1150
    s.runFor(50); // the 1200 expiry: elapsed 50 < 1000 → re-armed for 2150
    expect(t.keepaliveExpires).toBe(2150 * MS);
    s.runFor(950 + 300);
    expect(o.log).toEqual(['1000:keepalive', '1100:keepalive', '2150:keepalive', '2250:keepalive', '2350:keepalive', '2450:rst', '2450:error']);
  });

  it('traffic in flight postpones probing; turning keepalive off cancels; TCP_KEEPIDLE moves the timer', () => {
    const { s, o, t } = setup({ keepaliveTimeMs: 1000, keepaliveIntvlMs: 100, keepaliveProbes: 3 });
    t.setKeepalive(true);
    o.pktsOut = 1;
    s.runFor(1000);
    expect(o.log).toEqual([]);
    expect(t.keepaliveExpires).toBe(2000 * MS);
    o.pktsOut = 0;
    t.setKeepIdle(5000); // idle since 0: 5000 − 1000 = 4000 more
    expect(t.keepaliveExpires).toBe(5000 * MS);
    t.setKeepalive(false);
    s.runFor(100_000);
    expect(o.log).toEqual([]);
    expect(t.keepaliveExpires).toBeNaN();
  });

  it('TCP_USER_TIMEOUT replaces the probe count; a socket owned by the user retries in 50 ms', () => {
    const { s, o, t } = setup({ keepaliveTimeMs: 1000, keepaliveIntvlMs: 100, keepaliveProbes: 50 });
    t.userTimeoutMs = 1250;
    t.setKeepalive(true);
    o.owned = true;
    s.runFor(1000);
    expect(t.keepaliveExpires).toBe(1050 * MS);
    o.owned = false;
    s.runFor(1000);
    // At 1250 ms 1250 ms have passed since the peer was heard from, with a probe unanswered: abort.
    expect(o.log).toEqual(['1050:keepalive', '1150:keepalive', '1250:rst', '1250:error']);
  });
});

describe('TIME_WAIT, FIN_WAIT2 and SO_LINGER', () => {
  it('TIME_WAIT lasts 60 s; a retransmitted FIN restarts it', () => {
    const { s, o, t } = setup();
    t.scheduleTimeWait();
    s.runFor(30_000);
    t.rescheduleTimeWait();
    s.runFor(59_999);
    expect(o.log).toEqual([]);
    s.runFor(1);
    expect(o.log).toEqual([`90000:tw-expired(${St.TIME_WAIT})`]);
    expect(t.twKind).toBe(TW_NONE);
  });

  it('tcp_time_wait timeouts: FIN_WAIT2 ≥ 3.5·RTO, TIME_WAIT always 60 s', () => {
    expect(tcpTimeWaitTimeoMs(St.FIN_WAIT2, 1000, 1000)).toBe(3500);
    expect(tcpTimeWaitTimeoMs(St.FIN_WAIT2, 30_000, 1000)).toBe(30_000);
    expect(tcpTimeWaitTimeoMs(St.TIME_WAIT, 5, 1000)).toBe(60_000);
  });

  it('an orphan in FIN_WAIT2: tcp_fin_timeout (60 s) as a FIN_WAIT2 timewait sock', () => {
    const { s, o, t } = setup();
    o.state = St.FIN_WAIT2;
    o.orphan = true;
    t.orphanFinWait2();
    s.runFor(60_000);
    expect(o.log).toEqual([`0:tw(${St.FIN_WAIT2},60000)`, `60000:tw-expired(${St.FIN_WAIT2})`]);
  });

  it('TCP_LINGER2 above 60 s spends the excess on the keepalive timer first; linger2 < 0 resets', () => {
    const { s, o, t } = setup();
    o.state = St.FIN_WAIT2;
    o.orphan = true;
    t.linger2Ms = 100_000;
    t.orphanFinWait2();
    expect(t.keepaliveExpires).toBe(40_000 * MS);
    s.runFor(40_000);
    s.runFor(40_000);
    expect(o.log).toEqual([`40000:tw(${St.FIN_WAIT2},40000)`, `80000:tw-expired(${St.FIN_WAIT2})`]);
    const b = setup();
    b.t.linger2Ms = -1;
    b.t.orphanFinWait2();
    expect(b.o.log).toEqual(['0:rst', '0:done']);
  });

  it('SO_LINGER: close() waits at most l_linger; stopping the wait cancels it', () => {
    const { s, o, t } = setup();
    t.startLinger(5000);
    s.runFor(5000);
    expect(o.log).toEqual(['5000:linger-expired']);
    t.startLinger(5000);
    s.runFor(1000);
    t.stopLinger();
    s.runFor(10_000);
    expect(o.log.length).toBe(1);
  });

  it('tw reuse (tcp_twsk_unique): needs timestamps and 1 s, loopback only under tcp_tw_reuse 2', () => {
    const entry = 0xfffffe00; // wraps during the delay
    expect(tcpTwskUnique(1, entry, (entry + 1001) >>> 0, 2, true, false)).toBe(true);
    expect(tcpTwskUnique(1, entry, (entry + 1000) >>> 0, 2, true, false)).toBe(false);
    expect(tcpTwskUnique(1, entry, (entry + 5000) >>> 0, 2, false, false)).toBe(false);
    expect(tcpTwskUnique(1, entry, (entry + 5000) >>> 0, 1, false, false)).toBe(true);
    expect(tcpTwskUnique(0, entry, (entry + 5000) >>> 0, 1, true, false)).toBe(false);
    expect(tcpTwskUnique(1, entry, entry, 0, false, true)).toBe(true);
    expect(tcpTwReuseWriteSeq(0xfffeffff)).toBe(1);
    expect(tcpTwReuseWriteSeq(100)).toBe(100 + 65537);
  });

  it('destroy stops all four timers', () => {
    const { s, o, t } = setup();
    t.resetXmitTimer(ICSK_TIME_PROBE0, 1000);
    t.resetXmitTimer(ICSK_TIME_DACK, 1000);
    t.setKeepalive(true);
    t.scheduleTimeWait();
    expect(s.pendingTimers).toBe(4);
    t.destroy();
    expect(s.pendingTimers).toBe(0);
    s.runFor(10_000_000);
    expect(o.log).toEqual([]);
  });
});
