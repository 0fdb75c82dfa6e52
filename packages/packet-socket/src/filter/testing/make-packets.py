#!/usr/bin/python3
"""Build the packet set the pcap-filter match tests run on (packets.pcap beside this file).

Run with the system python that has scapy:  /usr/bin/python3 make-packets.py
Packet i gets the timestamp (1700000000 + i) seconds, so a capture of tcpdump's matches tells
which indexes matched. Some records are written truncated (caplen < original length), the way a
short snaplen leaves them, to exercise out-of-bounds loads and `len` (which sees the wire length).
"""
import random
import struct
import sys
from pathlib import Path

from scapy.all import (ARP, Dot1AD, Dot1Q, Ether, ICMP, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NS, IP, IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, LLC, SNAP,
                       TCP, UDP, Raw, Dot3, STP, GRE, SCTP, PPPoED)
from scapy.contrib.mpls import MPLS
from scapy.layers.inet import IPOption_RR

rng = random.Random(7)
MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', 'ff:ff:ff:ff:ff:ff',
        '01:00:5e:00:00:01', '33:33:00:00:00:01', '00:11:22:33:44:55']
V4 = ['10.0.0.1', '10.0.0.2', '10.1.2.3', '192.168.1.1', '192.168.1.255', '1.2.3.4', '5.6.7.8',
      '172.16.5.4', '224.0.0.1', '239.1.2.3', '255.255.255.255', '10.0.0.0', '127.0.0.1']
V6 = ['fe80::1', 'fe80::2', '2001:db8::1', '2001:db8::2', '::1', 'ff02::1', '2001:db8:1::5',
      '::ffff:1.2.3.4']
PORTS = [20, 21, 22, 25, 53, 80, 443, 1000, 1500, 2000, 2049, 9999, 40000, 40005, 65535, 0]
FLAGS = ['S', 'SA', 'A', 'PA', 'F', 'FA', 'R', 'RA', 'U', 'E', 'C', '']
VLANS = [1, 100, 200, 4095]


def eth(src=None, dst=None):
    return Ether(src=src or rng.choice(MACS[:3] + MACS[6:]), dst=dst or rng.choice(MACS))


def l4(ip6=False):
    kind = rng.choice(['tcp', 'tcp', 'udp', 'udp', 'icmp', 'sctp', 'raw'])
    sport, dport = rng.choice(PORTS), rng.choice(PORTS)
    if kind == 'tcp':
        return TCP(sport=sport, dport=dport, flags=rng.choice(FLAGS), seq=rng.randrange(1 << 32)) / Raw(b'x' * rng.choice([0, 0, 5, 40]))
    if kind == 'udp':
        return UDP(sport=sport, dport=dport) / Raw(b'\x12\x34' * rng.choice([0, 2, 10]))
    if kind == 'sctp':
        return SCTP(sport=sport, dport=dport)
    if kind == 'icmp':
        if ip6:
            return rng.choice([ICMPv6EchoRequest(id=7, seq=1), ICMPv6EchoReply(id=7, seq=1), ICMPv6ND_NS(tgt='2001:db8::2')])
        return ICMP(type=rng.choice([0, 3, 8, 11, 5, 13]), code=rng.choice([0, 1]))
    return Raw(b'\x00\x01\x02\x03')


def ipv4():
    p = IP(src=rng.choice(V4), dst=rng.choice(V4), ttl=rng.choice([1, 63, 64, 128, 255]), tos=rng.choice([0, 0x10]))
    if rng.random() < 0.1:
        p.options = [IPOption_RR()]
    proto_layer = l4()
    if isinstance(proto_layer, Raw):
        p.proto = rng.choice([2, 47, 50, 51, 103, 112, 9, 200])
    return p / proto_layer


def ipv6():
    p = IPv6(src=rng.choice(V6), dst=rng.choice(V6), hlim=rng.choice([1, 64, 255]))
    r = rng.random()
    if r < 0.12:
        p = p / IPv6ExtHdrFragment(offset=rng.choice([0, 0, 10]), m=rng.choice([0, 1]), id=5)
    elif r < 0.2:
        p = p / IPv6ExtHdrHopByHop()
    return p / l4(ip6=True)


def arp(rarp=False):
    a = ARP(op=rng.choice([1, 2]), psrc=rng.choice(V4), pdst=rng.choice(V4), hwsrc=MACS[0], hwdst=MACS[1])
    e = eth(dst=rng.choice(['ff:ff:ff:ff:ff:ff', MACS[1]]))
    if rarp:
        e.type = 0x8035
        a.op = rng.choice([3, 4])
    return e / a


def fragment():
    p = IP(src=rng.choice(V4[:4]), dst=rng.choice(V4[:4]), proto=rng.choice([6, 17]),
           flags=rng.choice(['MF', 0]), frag=rng.choice([0, 1, 185]))
    payload = bytes(TCP(sport=80, dport=rng.choice([80, 443]), flags='S')) if p.frag == 0 else b'\x00\x50\x01\xbb' + b'z' * 16
    return eth() / p / Raw(payload)


def vlan_frame():
    inner = rng.choice([ipv4, ipv6, lambda: ARP(psrc='10.0.0.1', pdst='10.0.0.2')])()
    r = rng.random()
    if r < 0.6:
        return eth() / Dot1Q(vlan=rng.choice(VLANS), prio=rng.choice([0, 5])) / inner
    if r < 0.8:
        return eth() / Dot1AD(vlan=rng.choice(VLANS)) / Dot1Q(vlan=rng.choice(VLANS)) / inner
    e = eth()
    e.type = 0x9100
    return e / Dot1Q(vlan=rng.choice(VLANS)) / inner


def mpls_frame():
    inner = rng.choice([ipv4, ipv6])()
    if rng.random() < 0.5:
        return eth() / MPLS(label=rng.choice([100, 200]), s=1, ttl=64) / inner
    return eth() / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, s=1, ttl=64) / inner


def llc_frame():
    r = rng.random()
    if r < 0.3:
        return Dot3(src=MACS[0], dst='01:80:c2:00:00:00') / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP()
    if r < 0.5:
        return Dot3(src=MACS[0], dst=MACS[1]) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800) / IP(src='10.0.0.1', dst='10.0.0.2') / UDP(sport=53, dport=53)
    if r < 0.7:
        return Dot3(src=MACS[0], dst=MACS[1]) / LLC(dsap=0xe0, ssap=0xe0, ctrl=3) / Raw(b'\xff\xff' * 10)
    if r < 0.85:
        return Dot3(src=MACS[0], dst=MACS[1]) / Raw(b'\xff\xff\x00\x20' + b'\x00' * 26)
    return Dot3(src=MACS[0], dst=MACS[1]) / LLC(dsap=0xfe, ssap=0xfe, ctrl=3) / Raw(b'\x83\x1b\x01\x00' + b'\x00' * 20)


def other_frame():
    r = rng.random()
    if r < 0.3:
        return eth() / PPPoED()
    if r < 0.5:
        e = eth()
        e.type = rng.choice([0x809b, 0x80f3, 0x6003, 0x8137, 0x88cc, 0x0600])
        return e / Raw(b'\x01' * 30)
    if r < 0.7:
        return eth() / IP(src='10.0.0.1', dst='10.0.0.2') / GRE() / IP(src='1.2.3.4', dst='5.6.7.8') / TCP(dport=80)
    return eth() / Raw(b'\x08')  # runt frame: no complete type field


def build():
    pkts = []
    for _ in range(170):
        pkts.append(eth() / ipv4())
    for _ in range(90):
        pkts.append(eth() / ipv6())
    for _ in range(25):
        pkts.append(arp())
    for _ in range(8):
        pkts.append(arp(rarp=True))
    for _ in range(30):
        pkts.append(fragment())
    for _ in range(45):
        pkts.append(vlan_frame())
    for _ in range(15):
        pkts.append(mpls_frame())
    for _ in range(18):
        pkts.append(llc_frame())
    for _ in range(14):
        pkts.append(other_frame())
    rng.shuffle(pkts)
    return [bytes(p) for p in pkts]


def write(path, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, data in enumerate(frames):
            caplen = len(data)
            r = rng.random()
            if r < 0.06:
                caplen = min(caplen, rng.choice([10, 14, 16, 20, 24, 30, 34, 38, 40, 54, 56]))
            f.write(struct.pack('<IIII', 1700000000 + i, 0, caplen, len(data)))
            f.write(data[:caplen])


if __name__ == '__main__':
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name('packets.pcap')
    frames = build()
    write(out, frames)
    print(f'{len(frames)} packets -> {out}')
