import { describe, expect, it } from 'vitest';
import {
  TCPI_OPT_SACK,
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_WSCALE,
  TCPI_RATE_UNLIMITED,
  TCP_INFO_SIZE,
  cFixed,
  cG,
  createTcpInfo,
  decodeTcpInfo,
  encodeTcpInfo,
  formatSsTcpInfo,
  parseSsTcpInfo,
  tcpInfoOffset,
} from './tcp-info.js';
import { SS_TIN_LINES, SS_TINO_LINES, SS_TI_LINES } from './test-ss-captures.js';

describe('struct tcp_info layout (Linux 6.18)', () => {
  it('is 280 bytes, the length getsockopt(TCP_INFO) returned on this machine', () => {
    // Measured on this machine: python3 getsockopt(IPPROTO_TCP, TCP_INFO, 512) returned 280 bytes.
    expect(TCP_INFO_SIZE).toBe(280);
    expect(encodeTcpInfo(createTcpInfo()).length).toBe(280);
  });

  it('puts fields at the C offsets (6.1 header up to snd_wnd at 228, then the later additions)', () => {
    expect(tcpInfoOffset('state')).toBe(0);
    expect(tcpInfoOffset('snd_wscale')).toBe(6);
    expect(tcpInfoOffset('rto')).toBe(8);
    expect(tcpInfoOffset('rtt')).toBe(68);
    expect(tcpInfoOffset('snd_cwnd')).toBe(80);
    expect(tcpInfoOffset('total_retrans')).toBe(100);
    expect(tcpInfoOffset('pacing_rate')).toBe(104);
    expect(tcpInfoOffset('segs_out')).toBe(136);
    expect(tcpInfoOffset('delivery_rate')).toBe(160);
    expect(tcpInfoOffset('bytes_sent')).toBe(200);
    expect(tcpInfoOffset('snd_wnd')).toBe(228);
    expect(tcpInfoOffset('rcv_wnd')).toBe(232);
    expect(tcpInfoOffset('rehash')).toBe(236);
    expect(tcpInfoOffset('total_rto')).toBe(240);
    expect(tcpInfoOffset('total_rto_time')).toBe(244);
    expect(tcpInfoOffset('accecn_opt_seen')).toBe(278);
  });

  it('encodes and decodes every field, bit-fields and ~0ULL rates included', () => {
    const info = createTcpInfo();
    let n = 1;
    for (const k of Object.keys(info) as (keyof typeof info)[]) info[k] = n++ % 200;
    info.snd_wscale = 10;
    info.rcv_wscale = 7;
    info.delivery_rate_app_limited = 1;
    info.fastopen_client_fail = 2;
    info.max_pacing_rate = TCPI_RATE_UNLIMITED;
    info.bytes_acked = 2 ** 40 + 5;
    const bytes = encodeTcpInfo(info);
    expect(bytes[6]).toBe(10 | (7 << 4));
    expect(bytes[7]).toBe(1 | (2 << 1));
    expect(decodeTcpInfo(bytes)).toEqual(info);
    // A 232-byte buffer (a 6.1-era caller) gets the fields up to snd_wnd only.
    const short = decodeTcpInfo(bytes.subarray(0, 232));
    expect(short.snd_wnd).toBe(info.snd_wnd);
    expect(short.rcv_wnd).toBe(0);
  });
});

describe('printf helpers', () => {
  it('%g and %.1f as glibc prints them', () => {
    expect(cG(0.03)).toBe('0.03');
    expect(cG(204)).toBe('204');
    expect(cG(10.253)).toBe('10.253');
    expect(cG(1234567)).toBe('1.23457e+06');
    expect(cG(0.00001)).toBe('1e-05');
    expect(cG(93.03, 3)).toBe('93');
    expect(cFixed(12.25, 1)).toBe('12.2'); // exact tie: to even
    expect(cFixed(12.35, 1)).toBe('12.3'); // 12.35 is 12.3499999... in binary
    expect(cFixed(98.07017543859649, 1)).toBe('98.1');
    expect(cFixed(0.5, 0)).toBe('0');
    expect(cFixed(1.5, 0)).toBe('2');
    expect(cFixed(2.5, 0)).toBe('2');
    expect(cFixed(37.75, 1)).toBe('37.8');
  });
});

describe('formatSsTcpInfo against the real ss on this machine', () => {
  it.each(SS_TIN_LINES)('ss -tin: %s', (line) => {
    const { info, cc } = parseSsTcpInfo(line);
    expect(cc).toBe('cubic');
    expect(formatSsTcpInfo(info, cc)).toBe(line);
  });

  it.each(SS_TI_LINES)('ss -ti: %s', (line) => {
    const { info, cc } = parseSsTcpInfo(line);
    expect(formatSsTcpInfo(info, cc, { numeric: false })).toBe(line);
  });

  it.each(SS_TINO_LINES)('ss -tino: %s', (line) => {
    const { info, cc } = parseSsTcpInfo(line);
    expect(info.options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK)).toBe(TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK);
    expect(formatSsTcpInfo(info, cc, { showOptions: true })).toBe(line);
    expect(formatSsTcpInfo(info, cc, { showOptions: false })).toBe(line.replace(' ts sack', ''));
  });

  it('derives send from cwnd*mss*8e6/rtt and prints the parsed values back', () => {
    // From the capture: cwnd 10, mss 1448, rtt 30 µs -> "send 3861333333bps" / "3.86Gbps".
    const line = SS_TIN_LINES.find((l) => l.includes('rtt:0.03/0.004'))!;
    expect(line).toContain('send 3861333333bps');
    const { info } = parseSsTcpInfo(line);
    expect(info.rtt).toBe(30);
    expect(info.snd_cwnd).toBe(10);
    expect(info.rcv_space).toBe(68000);
    expect(formatSsTcpInfo(info, 'cubic', { numeric: false })).toContain(' send 3.86Gbps ');
  });

  it('builds a line from a TcpInfo the stack would fill (field order and hidden defaults)', () => {
    const info = createTcpInfo({
      options: TCPI_OPT_WSCALE | TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK,
      snd_wscale: 7,
      rcv_wscale: 7,
      rto: 204000,
      rtt: 52,
      rttvar: 26,
      ato: 40000,
      snd_mss: 32768,
      pmtu: 65535,
      rcv_mss: 536,
      advmss: 65483,
      snd_cwnd: 10,
      snd_ssthresh: 0x7fffffff, // TCP_INFINITE_SSTHRESH: ss hides it
      reordering: 3, // default: hidden
      bytes_sent: 100,
      bytes_acked: 101,
      segs_out: 3,
      segs_in: 2,
      data_segs_out: 1,
      last_data_sent: 5,
      pacing_rate: 12603076923,
      delivery_rate: 0,
      rcv_space: 65483,
      rcv_ssthresh: 65483,
      min_rtt: 52,
      snd_wnd: 65536,
      rcv_wnd: 65536, // not printed by iproute2-6.1
      total_rto: 1, // not printed by iproute2-6.1
    });
    expect(formatSsTcpInfo(info, 'cubic', { numeric: false })).toBe(
      ' cubic wscale:7,7 rto:204 rtt:0.052/0.026 ato:40 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:10' +
        ' bytes_sent:100 bytes_acked:101 segs_out:3 segs_in:2 data_segs_out:1 send 50.4Gbps lastsnd:5' +
        ' pacing_rate 101Gbps rcv_space:65483 rcv_ssthresh:65483 minrtt:0.052 snd_wnd:65536',
    );
    info.reordering = 5;
    info.sndbuf_limited = 1500;
    info.busy_time = 4000;
    info.max_pacing_rate = 1000;
    expect(formatSsTcpInfo(info, '', { numeric: true })).toContain(
      ' pacing_rate 100824615384bps/8000bps busy:4ms sndbuf_limited:1ms(37.5%) reordering:5 rcv_space',
    );
  });
});
