import { describe, expect, it } from 'vitest';
import { AF_INET, CompositionError, ETH_P_IP, IPPROTO_ICMP, World, definePlugin } from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from './plugin.js';

/** `nstat -az` on Linux 6.18, the IPv4 groups (Ip, Icmp, IpExt; IcmpMsg lists only non-zero types). */
const NSTAT_IPV4 =
  'IpInReceives IpInHdrErrors IpInAddrErrors IpForwDatagrams IpInUnknownProtos IpInDiscards IpInDelivers IpOutRequests IpOutDiscards IpOutNoRoutes IpReasmTimeout IpReasmReqds IpReasmOKs IpReasmFails IpFragOKs IpFragFails IpFragCreates IpOutTransmits IcmpInMsgs IcmpInErrors IcmpInCsumErrors IcmpInDestUnreachs IcmpInTimeExcds IcmpInParmProbs IcmpInSrcQuenchs IcmpInRedirects IcmpInEchos IcmpInEchoReps IcmpInTimestamps IcmpInTimestampReps IcmpInAddrMasks IcmpInAddrMaskReps IcmpOutMsgs IcmpOutErrors IcmpOutRateLimitGlobal IcmpOutRateLimitHost IcmpOutDestUnreachs IcmpOutTimeExcds IcmpOutParmProbs IcmpOutSrcQuenchs IcmpOutRedirects IcmpOutEchos IcmpOutEchoReps IcmpOutTimestamps IcmpOutTimestampReps IcmpOutAddrMasks IcmpOutAddrMaskReps IpExtInNoRoutes IpExtInTruncatedPkts IpExtInMcastPkts IpExtOutMcastPkts IpExtInBcastPkts IpExtOutBcastPkts IpExtInOctets IpExtOutOctets IpExtInMcastOctets IpExtOutMcastOctets IpExtInBcastOctets IpExtOutBcastOctets IpExtInCsumErrors IpExtInNoECTPkts IpExtInECT1Pkts IpExtInECT0Pkts IpExtInCEPkts IpExtReasmOverlaps'.split(' ');

/** `sysctl -a` in a new namespace on this kernel. */
const SYSCTL_DEFAULTS: Record<string, string> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv4.ip_default_ttl': '64',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.ip_no_pmtu_disc': '0',
  'net.ipv4.ip_forward_update_priority': '1',
  'net.ipv4.route.min_pmtu': '552',
  'net.ipv4.route.mtu_expires': '600',
  'net.ipv4.route.min_adv_mss': '256',
  'net.ipv4.icmp_ratelimit': '1000',
  'net.ipv4.icmp_ratemask': '6168',
  'net.ipv4.icmp_msgs_per_sec': '1000',
  'net.ipv4.icmp_msgs_burst': '50',
  'net.ipv4.icmp_echo_ignore_all': '0',
  'net.ipv4.icmp_echo_ignore_broadcasts': '1',
  'net.ipv4.icmp_ignore_bogus_error_responses': '1',
  'net.ipv4.icmp_errors_use_inbound_ifaddr': '0',
  'net.ipv4.conf.all.accept_local': '0',
  'net.ipv4.conf.all.accept_redirects': '1',
  'net.ipv4.conf.all.accept_source_route': '0',
  'net.ipv4.conf.all.arp_accept': '0',
  'net.ipv4.conf.all.arp_announce': '0',
  'net.ipv4.conf.all.arp_filter': '0',
  'net.ipv4.conf.all.arp_ignore': '0',
  'net.ipv4.conf.all.arp_notify': '0',
  'net.ipv4.conf.all.bc_forwarding': '0',
  'net.ipv4.conf.all.forwarding': '0',
  'net.ipv4.conf.all.ignore_routes_with_linkdown': '0',
  'net.ipv4.conf.all.log_martians': '0',
  'net.ipv4.conf.all.promote_secondaries': '0',
  'net.ipv4.conf.all.proxy_arp': '0',
  'net.ipv4.conf.all.route_localnet': '0',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.all.secure_redirects': '1',
  'net.ipv4.conf.all.send_redirects': '1',
  'net.ipv4.conf.all.shared_media': '1',
  'net.ipv4.conf.default.accept_source_route': '1',
  'net.ipv4.conf.default.rp_filter': '0',
  'net.ipv4.conf.lo.accept_source_route': '1',
};

describe('the ipv4 plugin', () => {
  it('composes: ethertypes, the AF_INET network protocol, ICMP as protocol 1', () => {
    const world = new World();
    const ns = world.createNamespace('n', [loopback(), ipv4()]);
    expect(ns.inet.network(AF_INET)).toBe(getIpv4(ns).l3);
    expect(ns.inet.protocols[IPPROTO_ICMP]!.owner).toBe('ipv4');
    expect(ns.ptypeBase.flat().filter((p) => p.owner === 'ipv4').map((p) => p.type).sort()).toEqual([0x0800, 0x0806]);
    expect(() => ns.use(ipv4())).toThrow(CompositionError);
    const rival = definePlugin({ name: 'rival-ip', setup: (n) => n.claim('ethertype', ETH_P_IP) });
    expect(() => world.createNamespace('m', [ipv4(), rival])).toThrow(/claimed by plugin "ipv4"/);
  });

  it('registers the kernel’s MIB counters and sysctls with their defaults', () => {
    const world = new World();
    const ns = world.createNamespace('n', [loopback(), ipv4()]);
    const snap = ns.snmp.snapshot();
    for (const name of NSTAT_IPV4) expect(snap[name], name).toBe(0);
    expect(snap['IcmpMsgInType8']).toBe(0);
    expect(snap['IcmpMsgOutType255']).toBe(0);
    const all = Object.fromEntries(ns.sysctl.list('net.ipv4.'));
    for (const [k, v] of Object.entries(SYSCTL_DEFAULTS)) expect(all[k], k).toBe(v);
  });

  it('getIpv4: one stack per namespace, none shared; ENOENT without the plugin', () => {
    const world = new World();
    const a = world.createNamespace('a', [ipv4()]);
    const b = world.createNamespace('b', [ipv4()]);
    expect(getIpv4(a)).not.toBe(getIpv4(b));
    expect(getIpv4(a)).toBe(getIpv4(a));
    expect(() => getIpv4(world.createNamespace('c', []))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('works without a loopback device (local destinations then have no route)', () => {
    const world = new World();
    const ns = world.createNamespace('n', [ipv4()]);
    expect(getIpv4(ns).routeGet('127.0.0.1')).toBeLessThan(0);
  });
});
