import { describe, expect, it } from 'vitest';
import {
  CompositionError,
  ETH_P_802_EX1,
  NET_XMIT_SUCCESS,
  NetError,
  World,
  definePlugin,
  devQueueXmit,
  formatMac,
  type NetDevice,
  type NetNamespace,
} from '@netstack/core';
import { createVethPair, loopback } from '@netstack/nic-drivers';
import { HELLO_HLEN, HelloType, helloProto, type HelloPlugin } from './index.js';

interface Lab {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  va: NetDevice;
  vb: NetDevice;
  hello: HelloPlugin;
}

function lab(opts: { rcvQueueLen?: number } = {}): Lab {
  const world = new World({ seed: 42 });
  const hello = helloProto(opts);
  const a = world.createNamespace('a', [loopback(), hello]);
  const b = world.createNamespace('b', [loopback(), hello]);
  const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
  va.open();
  vb.open();
  return { world, a, b, va, vb, hello };
}

/** Send raw bytes after an Ethernet header (dst = vb, src = va, type 0x88B5) from va. */
function sendRaw(l: Lab, body: number[], dst: Uint8Array = l.vb.addr): void {
  const frame = new Uint8Array(14 + body.length);
  frame.set(dst, 0);
  frame.set(l.va.addr, 6);
  frame[12] = ETH_P_802_EX1 >> 8;
  frame[13] = ETH_P_802_EX1 & 0xff;
  frame.set(body, 14);
  const skb = l.world.pool.allocFrom(frame);
  skb.dev = l.va;
  skb.protocol = ETH_P_802_EX1;
  expect(devQueueXmit(skb)).toBe(NET_XMIT_SUCCESS);
  l.world.runUntilIdle();
}

describe('hello protocol plugin', () => {
  it('delivers a message across a veth pair and counts it on both ends', () => {
    const l = lab();
    l.b.trace.enable();
    expect(l.hello.sendHello(l.va, l.vb.addr, 7, 'hi there')).toBe(NET_XMIT_SUCCESS);
    l.world.runUntilIdle();

    const msg = l.hello.recv(l.b);
    expect(msg).toBeDefined();
    expect(msg!.type).toBe(HelloType.Hello);
    expect(msg!.seq).toBe(7);
    expect(new TextDecoder().decode(msg!.payload)).toBe('hi there');
    expect(msg!.src).toBe(formatMac(l.va.addr));
    expect(msg!.dev).toBe('veth1');
    expect(l.hello.recv(l.b)).toBeUndefined();
    expect(l.hello.messages(l.a)).toEqual([]);

    expect(l.hello.counters(l.a)).toMatchObject({ HelloOutMsgs: 1, HelloInMsgs: 0 });
    expect(l.hello.counters(l.b)).toMatchObject({ HelloInMsgs: 1, HelloInErrors: 0, HelloOutMsgs: 0 });
    expect(l.b.snmp.get('HelloInMsgs')).toBe(1);
    // It reached the handler through the core's protocol dispatch, then was consumed.
    const stages = l.b.trace.entries().map((e) => e.stageName);
    expect(stages.indexOf('protocol handler')).toBeGreaterThan(stages.indexOf('__netif_receive_skb_core'));
    expect(stages.at(-1)).toBe('consume');
    expect(l.b.dropCounts()).toEqual({});
    expect(l.world.pool.live).toBe(0);
  });

  it('ignores Ethernet padding after the announced payload length', () => {
    const l = lab();
    // type 1, seq 0x0102, length 3, "abc", then padding up to ETH_ZLEN (60 bytes of frame).
    sendRaw(l, [1, 0x01, 0x02, 0, 3, 0x61, 0x62, 0x63, ...new Array(60 - 14 - HELLO_HLEN - 3).fill(0)]);
    const msg = l.hello.recv(l.b)!;
    expect(msg.seq).toBe(0x0102);
    expect([...msg.payload]).toEqual([0x61, 0x62, 0x63]);
  });

  it('drops a frame shorter than the header with PKT_TOO_SMALL', () => {
    const l = lab();
    sendRaw(l, [1, 0]);
    expect(l.b.dropCounts()).toEqual({ PKT_TOO_SMALL: 1 });
    expect(l.hello.counters(l.b)).toMatchObject({ HelloInMsgs: 1, HelloInErrors: 1, HelloInUnknownTypes: 0 });
    expect(l.hello.messages(l.b)).toEqual([]);
    expect(l.world.pool.live).toBe(0);
  });

  it('drops a frame whose length field exceeds what arrived with PKT_TOO_SMALL', () => {
    const l = lab();
    sendRaw(l, [1, 0, 1, 0, 10, 0x61, 0x62]);
    expect(l.b.dropCounts()).toEqual({ PKT_TOO_SMALL: 1 });
    expect(l.hello.counters(l.b)).toMatchObject({ HelloInErrors: 1 });
  });

  it('drops an unknown message type with UNHANDLED_PROTO and counts it', () => {
    const l = lab();
    sendRaw(l, [9, 0, 1, 0, 0]);
    expect(l.b.dropCounts()).toEqual({ UNHANDLED_PROTO: 1 });
    expect(l.hello.counters(l.b)).toMatchObject({ HelloInMsgs: 1, HelloInErrors: 1, HelloInUnknownTypes: 1 });
    // The core did deliver it (the handler exists): the device did not count rx_dropped.
    expect(l.vb.stats.rx_dropped).toBe(0);
  });

  it('drops frames for another host (promiscuous) with OTHERHOST, uncounted by the MIB', () => {
    const l = lab();
    sendRaw(l, [1, 0, 1, 0, 0], Uint8Array.from([0x02, 0, 0, 0, 0, 0x99]));
    expect(l.b.dropCounts()).toEqual({ OTHERHOST: 1 });
    expect(l.vb.stats.rx_otherhost_dropped).toBe(1);
    expect(l.hello.counters(l.b)).toMatchObject({ HelloInMsgs: 0, HelloInErrors: 0 });
  });

  it('drops with SOCKET_RCVBUFF when the application does not read', () => {
    const l = lab({ rcvQueueLen: 1 });
    l.hello.sendHello(l.va, l.vb.addr, 1);
    l.hello.sendHello(l.va, l.vb.addr, 2);
    l.world.runUntilIdle();
    expect(l.hello.messages(l.b).map((m) => m.seq)).toEqual([1]);
    expect(l.b.dropCounts()).toEqual({ SOCKET_RCVBUFF: 1 });
    expect(l.hello.counters(l.b)).toMatchObject({ HelloInMsgs: 2, HelloInErrors: 1, HelloRcvbufErrors: 1 });
  });

  it('counts OutErrors when the device is down', () => {
    const l = lab();
    l.va.close();
    expect(l.hello.sendHello(l.va, l.vb.addr, 1)).not.toBe(NET_XMIT_SUCCESS);
    expect(l.hello.counters(l.a)).toMatchObject({ HelloOutMsgs: 0, HelloOutErrors: 1 });
    expect(l.a.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(l.world.pool.live).toBe(0);
  });

  it('rejects bad arguments to sendHello without sending', () => {
    const l = lab();
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return (err as NetError).code;
      }
      return undefined;
    };
    expect(code(() => l.hello.sendHello(l.va, l.vb.addr, 70000))).toBe('EINVAL');
    expect(code(() => l.hello.sendHello(l.va, 'not-a-mac', 1))).toBe('EINVAL');
    expect(code(() => l.hello.sendHello(l.va, l.vb.addr, 1, new Uint8Array(l.va.mtu)))).toBe('EMSGSIZE');
    const c = l.world.createNamespace('c', [loopback()]);
    const [vc] = createVethPair(c, { name: 'veth2', peer: { name: 'veth3', netns: l.b } });
    expect(code(() => l.hello.sendHello(vc, l.vb.addr, 1))).toBe('EPROTONOSUPPORT');
    expect(l.hello.counters(l.a)).toMatchObject({ HelloOutMsgs: 0, HelloOutErrors: 0 });
    expect(l.world.pool.live).toBe(0);
  });

  it('fails at composition when another plugin claims ethertype 0x88B5', () => {
    const world = new World({ seed: 1 });
    const rival = definePlugin({ name: 'rival', setup: (ns) => ns.claim('ethertype', ETH_P_802_EX1) });
    expect(() => world.createNamespace('x', [helloProto(), rival])).toThrow(CompositionError);
    expect(() => world.createNamespace('y', [helloProto(), helloProto()])).toThrow(/already installed/);
  });
});
