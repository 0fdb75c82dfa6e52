#!/usr/bin/python3
"""A Linux Fast Open server for the interop tests: listens on ADDR:PORT with TCP_FASTOPEN QLEN,
answers each connection's request ("GET ...") with "ok <n> <request>" and closes. Prints "ready"
once listening; exits after LIFETIME seconds in any case (a test that dies leaves nothing behind).

usage: tfo_server.py ADDR PORT [QLEN [LIFETIME]]"""
import signal
import socket
import sys

addr, port = sys.argv[1], int(sys.argv[2])
qlen = int(sys.argv[3]) if len(sys.argv) > 3 else 5
signal.alarm(int(sys.argv[4]) if len(sys.argv) > 4 else 30)

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, qlen)
srv.bind((addr, port))
srv.listen(16)
print("ready", flush=True)
n = 0
while True:
    conn, _ = srv.accept()
    n += 1
    conn.settimeout(5)
    data = b""
    try:
        while b"\n" not in data and len(data) < 4096:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        conn.sendall(b"ok %d " % n + data)
    except OSError:
        pass
    conn.close()
