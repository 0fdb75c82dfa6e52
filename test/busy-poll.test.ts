/**
 * Busy poll end to end: h1 has a NAPI NIC whose RX ring is filled by a wire from h2. While its
 * interrupt works, traffic arrives the usual way (IRQ → NET_RX → socket) and the sockets learn
 * their NAPI id. Then the interrupt breaks (never raised again): packets sit on the ring until a
 * reader with SO_BUSY_POLL polls the NAPI itself — a non-blocking recv once, or a reader
 * spinning in virtual time (`busyWait`). UDP and TCP over the real ipv4 plugin.
 */
import { describe, expect, it } from 'vitest';
import {
  MIN_NAPI_ID,
  NETDEV_TX_OK,
  NetDevice,
  SkbQueue,
  World,
  consumeSkb,
  ethTypeTrans,
  napiCompleteDone,
  napiEnable,
  napiGroReceive,
  napiSchedule,
  netifNapiAdd,
  netifRx,
  type Napi,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { UdpSocket, newRecvInfo, udp } from '@netstack/udp';
import { TcpSocket, tcp } from '@netstack/tcp';

function copyFrame(world: World, skb: SkBuff): SkBuff {
  const c = world.pool.alloc(skb.len);
  const at = c.put(skb.len);
  c.buf.set(skb.buf.subarray(skb.data, skb.tail), at);
  consumeSkb(skb);
  return c;
}

/** h1's NIC: an RX ring with a NAPI, an interrupt that can break; h2's end is a plain netif_rx device. */
function rig() {
  const world = new World({ seed: 3 });
  const h1 = world.createNamespace('h1', [loopback({ up: true }), ipv4(), udp(), tcp()]);
  const h2 = world.createNamespace('h2', [loopback({ up: true }), ipv4(), udp(), tcp()]);
  const ring = new SkbQueue();
  const nic = { irqBroken: false, irqEnabled: true, irqs: 0, napi: null as Napi | null };
  let peer: NetDevice | null = null;
  const eth1 = h1.registerNetdevice(
    new NetDevice({
      name: 'eth0',
      kind: 'ringnic',
      addr: new Uint8Array([2, 0, 0, 0, 0, 1]),
      ops: {
        startXmit: (skb) => {
          const c = copyFrame(world, skb);
          c.protocol = ethTypeTrans(c, peer!);
          netifRx(c);
          return NETDEV_TX_OK;
        },
      },
    }),
  );
  const napi = netifNapiAdd(eth1, (n, budget) => {
    let work = 0;
    while (work < budget) {
      const skb = ring.dequeue();
      if (skb === null) break;
      skb.protocol = ethTypeTrans(skb, eth1);
      napiGroReceive(n, skb);
      work++;
    }
    if (work < budget && napiCompleteDone(n, work)) nic.irqEnabled = true;
    return work;
  });
  napiEnable(napi);
  nic.napi = napi;
  const eth2 = h2.registerNetdevice(
    new NetDevice({
      name: 'eth0',
      kind: 'wire',
      addr: new Uint8Array([2, 0, 0, 0, 0, 2]),
      ops: {
        startXmit: (skb) => {
          ring.enqueue(copyFrame(world, skb));
          // The NIC raises its interrupt for new frames, unless masked or broken.
          if (nic.irqEnabled && !nic.irqBroken) {
            nic.irqEnabled = false;
            nic.irqs++;
            napiSchedule(napi);
          }
          return NETDEV_TX_OK;
        },
      },
    }),
  );
  peer = eth2;
  eth1.open();
  eth2.open();
  getIpv4(h1).addAddress(eth1, '10.0.0.1/24');
  getIpv4(h2).addAddress(eth2, '10.0.0.2/24');
  return { world, h1, h2, ring, nic, napi };
}

const busyRx = (ns: NetNamespace) => ns.snmp.get('TcpExtBusyPollRxPackets');

describe('busy poll over UDP and TCP', () => {
  it('UDP: with a broken IRQ, recvfrom with SO_BUSY_POLL polls the NAPI and gets the datagram', () => {
    const { world, h1, h2, ring, nic, napi } = rig();
    const rx = new UdpSocket(h1);
    rx.bind('0.0.0.0', 9000);
    const tx = new UdpSocket(h2);
    tx.sendTo(new Uint8Array([1]), '10.0.0.1', 9000);
    world.runUntilIdle();
    const out = new Uint8Array(16);
    const info = newRecvInfo();
    expect(rx.recvFrom(out, info)).toBe(1);
    expect(rx.getsockopt('SO_INCOMING_NAPI_ID')).toBe(napi.napiId);
    expect(napi.napiId).toBeGreaterThanOrEqual(MIN_NAPI_ID);
    const irqs = nic.irqs;

    nic.irqBroken = true;
    tx.sendTo(new Uint8Array([2, 2]), '10.0.0.1', 9000);
    world.runFor(1);
    expect(ring.length).toBe(1);
    expect(() => rx.recvFrom(out)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
    rx.setsockopt('SO_BUSY_POLL', 50);
    expect(rx.recvFrom(out, info)).toBe(2);
    expect(info.port).toBe(tx.localAddress().port);
    expect(nic.irqs).toBe(irqs);
    expect(busyRx(h1)).toBe(1);
  });

  it('UDP: a reader spinning in virtual time gets a datagram sent mid-spin, no IRQ', () => {
    const { world, h1, h2, nic } = rig();
    world.sysctl.set('net.core.busy_read', 100);
    const rx = new UdpSocket(h1);
    expect(rx.getsockopt('SO_BUSY_POLL')).toBe(100);
    rx.bind('0.0.0.0', 9000);
    const tx = new UdpSocket(h2);
    tx.sendTo(new Uint8Array([1]), '10.0.0.1', 9000);
    world.runUntilIdle();
    rx.recvFrom(new Uint8Array(4));
    nic.irqBroken = true;
    const t0 = world.scheduler.now();
    let at = -1;
    let got = -1;
    rx.busyWait((readable) => {
      at = world.scheduler.now() - t0;
      if (readable) got = rx.recvFrom(new Uint8Array(16));
    });
    world.scheduler.createTimer(() => tx.sendTo(new Uint8Array(5), '10.0.0.1', 9000)).arm(30_000);
    world.runFor(1);
    expect(got).toBe(5);
    expect(at).toBeGreaterThanOrEqual(30_000);
    expect(at).toBeLessThan(31_000);
    expect(busyRx(h1)).toBe(1);
  });

  it('TCP: data on an established connection arrives by busy poll while the IRQ is broken', () => {
    const { world, h1, h2, nic, napi } = rig();
    const l = TcpSocket.create(h1);
    l.bind('0.0.0.0', 80);
    l.listen();
    const c = TcpSocket.create(h2);
    c.connect('10.0.0.1', 80);
    world.runUntilIdle();
    const s = l.accept();
    c.send(new Uint8Array(100).fill(7));
    world.runUntilIdle();
    const out = new Uint8Array(4096);
    expect(s.recv(out)).toBe(100);
    expect(s.getsockopt('SO_INCOMING_NAPI_ID')).toBe(napi.napiId);

    nic.irqBroken = true;
    c.send(new Uint8Array(300).fill(8));
    world.runFor(1);
    expect(s.tryRecv(out)).toBe(-11);
    s.setsockopt('SO_BUSY_POLL', 50);
    expect(s.getsockopt('SO_BUSY_POLL')).toBe(50);
    expect(() => s.setsockopt('SO_BUSY_POLL', -1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(s.recv(out)).toBe(300);
    expect(out[299]).toBe(8);
    expect(busyRx(h1)).toBeGreaterThanOrEqual(1);

    // poll() with net.core.busy_poll polls too.
    world.sysctl.set('net.core.busy_poll', 50);
    c.send(new Uint8Array(10).fill(9));
    world.runFor(1);
    expect(s.poll() & 1).toBe(1);
    expect(s.recv(out)).toBe(10);
  });
});
