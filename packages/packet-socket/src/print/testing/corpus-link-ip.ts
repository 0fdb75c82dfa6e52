/**
 * Part of the scapy script that writes the comparison corpus (helpers, Ethernet/ARP/VLAN and IPv4 groups).
 * Joined by `corpus.ts`; run with /usr/bin/python3 (the interpreter that has scapy).
 */
export const CORPUS_LINK_IP = String.raw`import struct, sys, os
from scapy.all import *
conf.verb = 0
OUT = sys.argv[1]
MAC1 = "02:00:00:00:00:01"; MAC2 = "02:00:00:00:00:02"; BCAST = "ff:ff:ff:ff:ff:ff"
A = "10.0.0.1"; B = "10.0.0.2"; C = "192.168.100.200"
A6 = "2001:db8::1"; B6 = "2001:db8::2"
def ipraw(opt, pl=None, proto=1, **kw):
    pl = bytes(ICMP()) if pl is None else pl
    opt = opt + b"\x00" * ((-len(opt)) % 4)
    h = bytearray(bytes(IP(src=A, dst=B, proto=proto, **kw))[:20])
    h[0] = 0x40 | (5 + len(opt) // 4)
    h[2:4] = struct.pack(">H", 20 + len(opt) + len(pl))
    h[10:12] = b"\x00\x00"
    h += opt
    h[10:12] = struct.pack(">H", checksum(bytes(h)))
    return bytes(h) + pl
def E(t=None, dst=MAC2):
    return Ether(src=MAC1, dst=dst) if t is None else Ether(src=MAC1, dst=dst, type=t)
class W:
    def __init__(self, name, nano=False):
        self.name = name; self.nano = nano; self.recs = []
        self.t = 1700000000; self.f = 123456
    def add(self, p, caplen=None, orig=None, gap=1):
        b = bytes(p)
        o = orig if orig is not None else len(b)
        if caplen is not None: b = b[:caplen]
        self.recs.append((b, o, self.t, self.f))
        self.t += gap; self.f = (self.f * 7 + 13) % (1000000000 if self.nano else 1000000)
    def close(self):
        with open(os.path.join(OUT, self.name + ".pcap"), "wb") as fh:
            fh.write(struct.pack("<IHHiIII", 0xa1b23c4d if self.nano else 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            for (b, o, s, f) in self.recs:
                fh.write(struct.pack("<IIII", s, f, len(b), o)); fh.write(b)

# ---------------------------------------------------------------- link layer, ARP, VLAN
w = W("link")
w.add(E(dst=BCAST)/ARP(op=1, hwsrc=MAC1, psrc=A, pdst=B))
w.add(E()/ARP(op=2, hwsrc=MAC2, psrc=B, hwdst=MAC1, pdst=A))
w.add(E()/ARP(op=1, hwsrc=MAC1, psrc=A, hwdst=MAC2, pdst=B))
w.add(E(0x8035, BCAST)/ARP(op=3, hwsrc=MAC1, hwdst=MAC1, psrc="0.0.0.0", pdst="0.0.0.0"))
w.add(E(0x8035)/ARP(op=4, hwsrc=MAC2, hwdst=MAC1, psrc=B, pdst=A))
w.add(E()/ARP(op=8, hwsrc=MAC1, hwdst=MAC2, psrc=A, pdst="0.0.0.0"))
w.add(E()/ARP(op=9, hwsrc=MAC2, hwdst=MAC1, psrc=B, pdst=A))
w.add(E()/ARP(op=10, hwsrc=MAC2, psrc=B, pdst=A))
w.add(E()/ARP(op=77, hwsrc=MAC2, psrc=B, pdst=A))
w.add(E()/ARP(op=1, ptype=0x86dd, plen=16, hwsrc=MAC1)/(b"\x00"*40))
w.add(E()/ARP(op=1, hwtype=6, psrc=A, pdst=B))
w.add(E()/ARP(op=2, hwlen=8, hwsrc=b"\x01\x02\x03\x04\x05\x06\x07\x08", plen=4, psrc=A, hwdst=b"\x00"*8, pdst=B))
w.add(E()/ARP(op=1, psrc=A, pdst=A))
w.add(E()/ARP(), caplen=20)
w.add(E()/ARP(), caplen=41)
w.add(E()/ARP(), caplen=10)
w.add(E()/ARP(), caplen=13)
w.add(E()/ARP(), caplen=14)
w.add(E()/Dot1Q(vlan=10)/ARP(op=1, hwsrc=MAC1, psrc=A, pdst=B))
w.add(E()/Dot1Q(vlan=100, prio=5)/IP(src=A, dst=B)/ICMP(type=0, id=1, seq=2))
w.add(E()/Dot1Q(vlan=4094, prio=7, id=1)/IP(src=A, dst=B)/UDP(sport=1111, dport=2222)/b"data")
w.add(E()/Dot1AD(vlan=200)/Dot1Q(vlan=100)/IP(src=A, dst=B)/UDP(sport=1, dport=2))
w.add(E(0x9100)/Dot1Q(vlan=7)/IPv6(src=A6, dst=B6)/ICMPv6EchoRequest(id=3, seq=4))
w.add(E()/Dot1Q(vlan=5)/ARP(), caplen=16)
w.add(E()/Dot1Q(vlan=5)/ARP(), caplen=14)
w.add(E()/Dot1Q(vlan=5, type=0x88b5)/b"vlan payload of unknown type")
w.add(E(0x88b5)/b"hello world 0123456789")
w.add(E(0x88b5)/(b"\x00\x01\x7f\x80\xff abc~" * 5), caplen=40)
w.add(E(0x6004)/b"LAT has a name but no printer")
w.add(E(0x1234))
w.add(E(0x0800)/IPv6(src="::1", dst="::2")/UDP())
w.add(E()/IP(src=A, dst=B)/ICMP()/(b"x"*50), orig=200)
M8023 = bytes.fromhex("020000000002020000000001")
def L(payload, length=None):
    return Raw(M8023 + struct.pack(">H", len(payload) if length is None else length) + payload)
NB = b"\xf0\xf0\x03abcdefgh"
w.add(L(NB)); w.add(L(NB, len(NB) - 3)); w.add(L(NB, len(NB) + 10)); w.add(L(NB, 0)); w.add(L(NB, 2))
w.add(L(NB), caplen=16)
w.add(L(b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + bytes(IP(src=A, dst=B)/ICMP(id=5, seq=6))))
w.add(L(b"\xaa\xaa\x03\x00\x00\x00\x08\x06" + bytes(ARP(psrc=A, pdst=B))))
w.add(L(b"\xaa\xaa\x03\x00\x00\x00\x88\xb5" + b"opaque"))
w.add(L(b"\xaa\xaa\x03\x00\x80\xc2\x00\x07\x00\x00" + bytes(Ether(src="0a:00:00:00:00:01", dst="0a:00:00:00:00:02")/IP(src=A, dst=B)/UDP(sport=7, dport=8))))
w.add(L(b"\xaa\xaa\x03\x00\x80\xc2\x00\x0e" + bytes(STP())))
w.add(L(b"\xaa\xaa\x03\x00\x80\xc2\x00\x0d" + b"opaque"))
w.add(L(b"\xaa\xaa\x03\x12\x34\x56\x00\x0d" + b"opaque"))
w.add(L(b"\xaa\xaa\x03\x08\x00\x07\x80\xf3" + b"opaque"))
w.add(L(b"\xaa\xaa\x03\x00\x00"))
w.add(L(b"\x42\x42\x03" + bytes(STP())), caplen=28)
w.add(L(b"\x42\x42\x03" + bytes(STP()), 11))
w.add(L(b"\x42\x42\x03" + bytes(STP(version=2, bpdutype=2, bpduflags=0x3c)) + b"\x00"))
w.add(L(b"\x42\x42\x03" + bytes(STP(version=2, bpdutype=2, bpduflags=0x7d, portid=0x8002)) + b"\x00"))
w.add(L(b"\x42\x42\x03\x00\x00\x00\x80"))
w.add(L(b"\x42\x42\x03\x00\x01\x00\x80"))
w.add(L(b"\x42\x42\x03\x00\x00\x07\x80"))
w.add(L(b"\x42\x42\x03\x00\x00\x00\x55"))
w.add(L(b"\x42\x42\x03" + bytes(STP(rootid=32768, rootmac="00:11:22:33:44:55", pathcost=4, bridgeid=32769, bridgemac="00:11:22:33:44:66", portid=0x8001, age=0.125, maxage=20, hellotime=2.5, fwddelay=15)), 1000))
w.add(Ether(src=MAC1, dst="01:80:c2:00:00:00")/LLC(dsap=0x42, ssap=0x42, ctrl=3)/STP(bpduflags=0x81, age=1, maxage=20))
w.add(L(b"\x06\x06\x03" + bytes(IP(src=A, dst=B)/UDP(sport=9, dport=10))))
w.add(L(b"\x60\x61\x0f\x00data")); w.add(L(b"\x60\x61\x1f\x00data")); w.add(L(b"\x60\x60\xe3data"))
w.add(L(b"\x60\x61\x01\x05data")); w.add(L(b"\x61\x60\x09\x04data")); w.add(L(b"\x60\x61\x0d\x04data"))
w.add(L(b"\x60\x61\x02\x05data")); w.add(L(b"\x60\x61\xaf\x81\x02\x03")); w.add(L(b"\x60\x61\xaf\x81\x02"))
w.add(L(b"\x60\x61\xaf")); w.add(L(b"\x60\x61\xbf\x55\x02\x03")); w.add(L(b"\x60\x61\x02"))
w.add(E(0x8870)/Raw(b"\x42\x42\x03\x00\x00\x00\x80"))
w.add(E(0x8870)/Raw(b"\x60\x61\x03xyz"))
w.add(E()/Dot1Q(vlan=3, type=20)/Raw(NB))
w.close()

# ---------------------------------------------------------------- IPv4
w = W("ipv4")
big = IP(src=A, dst=B, id=777)/UDP(sport=1000, dport=2000)/(b"y"*3000)
for f in fragment(big, fragsize=1480): w.add(E()/f)
big = IP(src=A, dst=B, id=779)/TCP(sport=1000, dport=2000, flags="PA")/(b"t"*100)
for f in fragment(big, fragsize=64): w.add(E()/f)
big = IP(src=A, dst=B, id=780)/ICMP()/(b"i"*100)
for f in fragment(big, fragsize=64): w.add(E()/f)
w.add(E()/IP(src=A, dst=B, id=778, flags="DF")/ICMP()/(b"y"*100))
w.add(E()/IP(src=A, dst=B, flags="MF+DF", frag=0)/UDP(sport=5, dport=6))
w.add(E()/IP(src=A, dst=B, tos=0xb8, ttl=1)/ICMP())
w.add(E()/IP(src=A, dst=B, tos=0x3)/ICMP())
w.add(E()/IP(src=A, dst=B, tos=0x1)/ICMP())
w.add(E()/IP(src=A, dst=B, tos=0x2, ttl=0)/ICMP())
w.add(E()/IP(src=A, dst=B, flags="evil")/ICMP())
w.add(E()/IP(src=A, dst=B, chksum=0x1234)/ICMP())
w.add(E()/IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4", "5.6.7.8"])])/ICMP())
w.add(E()/IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4", "5.6.7.8"], pointer=8)])/ICMP())
w.add(E()/IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4"], pointer=5)])/ICMP())
w.add(E()/IP(src=A, dst=B, options=[IPOption_Router_Alert()])/ICMP())
w.add(E(0x800)/Raw(ipraw(b"\x94\x04\x12\x34")))
w.add(E()/IP(src=A, dst=B, options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])/ICMP())
w.add(E()/IP(src=A, dst=B, options=[IPOption_Timestamp(flg=0, timestamp=123, length=8)])/ICMP())
w.add(E(0x800)/Raw(ipraw(b"\x44\x0c\x05\x01\x0a\x00\x00\x01\x00\x00\x01\x00")))
w.add(E(0x800)/Raw(ipraw(b"\x44\x08\x09\x33\x00\x00\x00\x07")))
w.add(E(0x800)/Raw(ipraw(b"\x44\x08\x09\x05\x00\x00\x00\x07")))
w.add(E()/IP(src=A, dst=B, options=[IPOption_LSRR(routers=["1.1.1.1"])])/UDP(sport=1234, dport=4321))
w.add(E()/IP(src=A, dst=B, options=[IPOption_SSRR(routers=["1.1.1.1", "2.2.2.2"])])/TCP(sport=1234, dport=4321))
w.add(E()/IP(src=A, dst=B, options=[IPOption_Security()])/ICMP())
w.add(E(0x800)/Raw(ipraw(b"\x99\x04\x00\x00")))
w.add(E(0x800)/Raw(ipraw(b"\x07\x01\x00\x00")))
w.add(E(0x800)/Raw(ipraw(b"\x07\x09\x04\x00")))
w.add(E(0x800)/Raw(ipraw(b"\x52\x02\x01\x00")))
w.add(E()/IP(src=A, dst=B, version=5)/ICMP())
w.add(E()/IP(src=A, dst=B, ihl=3)/ICMP())
w.add(E()/IP(src=A, dst=B, len=10)/ICMP())
w.add(E()/IP(src=A, dst=B, len=100)/ICMP())
w.add(E()/IP(src=A, dst=B, len=0)/ICMP())
w.add(E()/IP(src=A, dst=B)/ICMP()/(b"x"*50), caplen=14)
w.add(E()/IP(src=A, dst=B)/ICMP()/(b"x"*50), caplen=20)
w.add(E()/IP(src=A, dst=B)/ICMP()/(b"x"*50), caplen=33)
w.add(E()/IP(src=A, dst=B)/ICMP()/(b"x"*50), caplen=36)
w.add(E()/IP(src=A, dst=B)/ICMP()/(b"x"*50), caplen=40)
w.add(E()/IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4", "5.6.7.8"])])/ICMP(), caplen=40)
w.add(E()/IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4", "5.6.7.8"])])/ICMP(), caplen=48)
for cl in (34, 35, 36):
    w.add(E()/IP(src=A, dst=B, options=[IPOption_RR(routers=["1.2.3.4"])])/ICMP(), caplen=cl)
w.add(E()/IP(src=A, dst=B, proto=253)/b"abc")
w.add(E()/IP(src=A, dst=B, proto=59)/b"abc")
w.add(E()/IP(src=A, dst=B, proto=77)/b"abc")
w.add(E()/IP(src=A, dst=B, proto=58)/b"abcdefgh")
w.add(E()/IP(src=A, dst=B)/IP(src=C, dst="8.8.8.8")/ICMP())
w.add(E()/IP(src=A, dst=B)/IPv6(src=A6, dst=B6)/UDP(sport=3, dport=4))
w.add(E()/IP(src=A, dst=B, frag=100, proto=253)/b"late fragment")
w.add(E()/IP(src="255.255.255.255", dst="0.0.0.0", ttl=255)/UDP(sport=9, dport=9))
w.close()
`;
