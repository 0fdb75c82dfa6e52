#!/usr/bin/python3
"""Hand-made frames to one target (netstack over a TAP, or the Linux kernel over a veth), its
replies reduced to the fields the kernel's behaviour fixes (flags, options and their order,
windows, ACK numbers, ICMP types, retransmission spacing), printed as JSON. Values that are random
by design (ISNs, timestamps, IP IDs) are reported as relations (ack == isn + 1, ecr == our tsval).

usage: scapy_probe.py IFACE  (the target is 10.206.0.2; we are 10.206.0.1)"""
import json
import sys
import time

from scapy.all import ARP, ICMP, IP, TCP, UDP, AsyncSniffer, Ether, Raw, conf, sendp, srp1  # noqa: E402

conf.verb = 0
IFACE = sys.argv[1]
ME, TARGET = "10.206.0.1", "10.206.0.2"
MY_MAC = "02:00:00:00:00:01"
OPEN, CLOSED = 7, 9
TSVAL = 123456


def opts(tcp):
    """Option kinds in order, with the values that are not random."""
    out = []
    for name, val in tcp.options:
        if name == "MSS":
            out.append(["MSS", val])
        elif name == "WScale":
            out.append(["WScale", val])
        elif name == "Timestamp":
            out.append(["Timestamp", "ecr=ours" if val[1] == TSVAL else f"ecr={val[1]}", "val>0" if val[0] > 0 else "val=0"])
        else:
            out.append([name])
    return out


def tsval_of(tcp):
    for name, val in tcp.options:
        if name == "Timestamp":
            return val[0]
    return 0


def ip_fields(ip):
    return {"ttl": ip.ttl, "tos": ip.tos, "flags": str(ip.flags), "ihl": ip.ihl}


def probe(pkt, timeout=2):
    return srp1(Ether(src=MY_MAC, dst=target_mac) / pkt, iface=IFACE, timeout=timeout)


results = {}

# ARP who-has from a host it does not know yet.
r = srp1(Ether(src=MY_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=MY_MAC, psrc=ME, pdst=TARGET), iface=IFACE, timeout=2)
if r is None:
    print(json.dumps({"arp": None}))
    sys.exit(0)
target_mac = r[Ether].src
a = r[ARP]
results["arp"] = {"eth_dst_is_us": r[Ether].dst == MY_MAC, "op": a.op, "hwtype": a.hwtype, "ptype": a.ptype, "hwlen": a.hwlen, "plen": a.plen,
                  "hwsrc_is_eth_src": a.hwsrc == target_mac, "psrc": a.psrc, "hwdst_is_us": a.hwdst == MY_MAC, "pdst": a.pdst, "frame_len": len(r)}

# ICMP echo.
payload = bytes(range(56))
r = probe(IP(src=ME, dst=TARGET, ttl=64, id=0x1234) / ICMP(type=8, id=0x4242, seq=1) / Raw(payload))
results["icmp_echo"] = None if r is None else {**ip_fields(r[IP]), "type": r[ICMP].type, "code": r[ICMP].code, "id": r[ICMP].id, "seq": r[ICMP].seq,
                                                "payload_same": bytes(r[ICMP].payload) == payload, "ip_len": r[IP].len}

# UDP to a closed port: ICMP port unreachable quoting our datagram.
r = probe(IP(src=ME, dst=TARGET) / UDP(sport=40000, dport=CLOSED) / Raw(b"x" * 100))
results["udp_closed"] = None if r is None else {**ip_fields(r[IP]), "type": r[ICMP].type, "code": r[ICMP].code, "ip_len": r[IP].len, "unused": r[ICMP].unused}

# TCP SYN to a closed port: RST|ACK.
linux_opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (TSVAL, 0)), ("NOP", None), ("WScale", 7)]
r = probe(IP(src=ME, dst=TARGET) / TCP(sport=40001, dport=CLOSED, flags="S", seq=1000, window=64240, options=linux_opts))
results["syn_closed"] = None if r is None else {**ip_fields(r[IP]), "flags": str(r[TCP].flags), "seq": r[TCP].seq, "ack": r[TCP].ack, "window": r[TCP].window,
                                                "options": opts(r[TCP]), "ip_len": r[IP].len, "frame_len": len(r)}

# A bare ACK to a closed port: RST with seq = our ack.
r = probe(IP(src=ME, dst=TARGET) / TCP(sport=40002, dport=CLOSED, flags="A", seq=5000, ack=777777))
results["ack_closed"] = None if r is None else {**ip_fields(r[IP]), "flags": str(r[TCP].flags), "seq_is_our_ack": r[TCP].seq == 777777, "ack": r[TCP].ack,
                                                "window": r[TCP].window}


def synack(sport, options, window=64240):
    r = probe(IP(src=ME, dst=TARGET) / TCP(sport=sport, dport=OPEN, flags="S", seq=2000, window=window, options=options))
    if r is None:
        return None
    t = r[TCP]
    # Tear the half-open connection down.
    sendp(Ether(src=MY_MAC, dst=target_mac) / IP(src=ME, dst=TARGET) / TCP(sport=sport, dport=OPEN, flags="R", seq=2001), iface=IFACE)
    return {**ip_fields(r[IP]), "flags": str(t.flags), "ack_is_isn_plus_1": t.ack == 2001, "window": t.window, "options": opts(t), "dataofs": t.dataofs,
            "urgptr": t.urgptr}


results["syn_open_linux_opts"] = synack(40003, linux_opts)
results["syn_open_no_opts"] = synack(40004, [])
results["syn_open_mss536_no_ws"] = synack(40005, [("MSS", 536), ("SAckOK", b""), ("Timestamp", (TSVAL, 0))])

# The handshake, then data: the ACK the target sends for 100 bytes, and the echo.
r = probe(IP(src=ME, dst=TARGET) / TCP(sport=40006, dport=OPEN, flags="S", seq=3000, window=64240, options=linux_opts))
if r is not None:
    isn = r[TCP].seq
    sniff = AsyncSniffer(iface=IFACE, lfilter=lambda p: TCP in p and p[TCP].dport == 40006 and p[IP].src == TARGET)
    sniff.start()
    time.sleep(0.1)
    base = Ether(src=MY_MAC, dst=target_mac) / IP(src=ME, dst=TARGET)
    ts = [("NOP", None), ("NOP", None), ("Timestamp", (TSVAL + 1, tsval_of(r[TCP])))]
    sendp(base / TCP(sport=40006, dport=OPEN, flags="A", seq=3001, ack=isn + 1, window=502, options=ts), iface=IFACE)
    sendp(base / TCP(sport=40006, dport=OPEN, flags="PA", seq=3001, ack=isn + 1, window=502, options=ts) / Raw(b"y" * 100), iface=IFACE)
    time.sleep(0.6)
    segs = sniff.stop()
    sendp(base / TCP(sport=40006, dport=OPEN, flags="R", seq=3101), iface=IFACE)
    results["data_exchange"] = [{"flags": str(p[TCP].flags), "seq_off": p[TCP].seq - isn, "ack_off": p[TCP].ack - 3000, "len": len(bytes(p[TCP].payload)),
                                 "has_ts": any(o[0] == "Timestamp" for o in p[TCP].options)} for p in segs]

# SYN-ACK retransmissions of a connection we never complete: their spacing (initial RTO 1 s, doubling).
sniff = AsyncSniffer(iface=IFACE, lfilter=lambda p: TCP in p and p[TCP].dport == 40007 and p[IP].src == TARGET)
sniff.start()
time.sleep(0.1)
sendp(Ether(src=MY_MAC, dst=target_mac) / IP(src=ME, dst=TARGET) / TCP(sport=40007, dport=OPEN, flags="S", seq=4000, window=64240, options=linux_opts), iface=IFACE)
time.sleep(3.6)
segs = sniff.stop()
sendp(Ether(src=MY_MAC, dst=target_mac) / IP(src=ME, dst=TARGET) / TCP(sport=40007, dport=OPEN, flags="R", seq=4001), iface=IFACE)
times = [float(p.time) for p in segs]
results["synack_retransmits"] = {"count": len(segs), "flags": [str(p[TCP].flags) for p in segs],
                                 "gaps_s": [round(b - a, 1) for a, b in zip(times, times[1:])]}

print(json.dumps(results, default=lambda o: o.hex() if isinstance(o, bytes) else str(o)))
