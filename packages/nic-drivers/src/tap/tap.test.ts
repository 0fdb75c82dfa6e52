import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { createTap } from './tap.js';
import { IFF_MULTI_QUEUE, IFF_NO_PI, IFF_TAP, IFF_VNET_HDR, tapAttach } from './tap-attach.js';
import type { TunNative } from './native.js';
import { VIRTIO_NET_HDR_LEN, VirtioNetHdrView } from './virtio-net-hdr.js';

/** A stand-in for the addon: `open` answers from `results` in turn; records calls. */
function fakeNative(results: number[]): TunNative & { calls: string[] } {
  const calls: string[] = [];
  let next = 0;
  const fail = (): never => {
    throw new Error('not used');
  };
  return {
    calls,
    open: (name, flags) => {
      calls.push(`open ${name} ${flags.toString(16)}`);
      return results[next++]!;
    },
    ifname: () => 'tap7',
    setVnetHdrSz: (fd, n) => (calls.push(`vnethdrsz ${fd} ${n}`), 0),
    setOffload: (fd, f) => (calls.push(`offload ${fd} ${f}`), 0),
    close: (fd) => (calls.push(`close ${fd}`), 0),
    linkUp: fail,
    read: fail,
    write: fail,
    pollStart: fail,
    pollEvents: fail,
    pollRef: fail,
    pollClose: fail,
  };
}

describe('virtio_net_hdr view', () => {
  it('reads and writes the ten little-endian bytes at their offsets', () => {
    const buf = new Uint8Array(16);
    const h = new VirtioNetHdrView().wrap(buf, 3, VIRTIO_NET_HDR_LEN);
    expect(h.checkLen()).toBe(true);
    h.flags = 1;
    h.gsoType = 0x81;
    h.hdrLen = 66;
    h.gsoSize = 1448;
    h.csumStart = 34;
    h.csumOffset = 16;
    expect([...buf.subarray(3, 13)]).toEqual([1, 0x81, 66, 0, 1448 & 0xff, 1448 >> 8, 34, 0, 16, 0]);
    h.clear();
    expect(buf.every((b) => b === 0)).toBe(true);
    expect(new VirtioNetHdrView().wrap(buf, 8, 8).checkLen()).toBe(false);
  });
});

describe('TAP attach', () => {
  it('opens one fd per queue with IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE|IFF_VNET_HDR, vnet header size 10 and the offloads', () => {
    const n = fakeNative([5, 6]);
    const att = tapAttach(n, 'tap7', 2, true, true, 0x0f);
    expect(att.fds).toEqual([5, 6]);
    expect(att.ifname).toBe('tap7');
    const flags = (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR).toString(16);
    expect(n.calls).toEqual([`open tap7 ${flags}`, 'vnethdrsz 5 10', 'offload 5 15', `open tap7 ${flags}`, 'vnethdrsz 6 10', 'offload 6 15']);
  });

  it('says what to do when /dev/net/tun is missing (ENOENT) or permission is denied (EPERM, EACCES)', () => {
    expect(() => tapAttach(fakeNative([-2]), 'tap7', 1, false, true, 0)).toThrow(/ENOENT: .*\/dev\/net\/tun is missing .*modprobe tun/);
    expect(() => tapAttach(fakeNative([-1]), 'tap7', 1, false, true, 0)).toThrow(/EPERM: .*needs CAP_NET_ADMIN/);
    expect(() => tapAttach(fakeNative([-13]), 'tap7', 1, false, true, 0)).toThrow(/EACCES: .*ip tuntap add tap7 mode tap user/);
    expect(() => tapAttach(fakeNative([-16]), 'tap7', 1, false, true, 0)).toThrow(/EBUSY/);
  });

  it('closes the fds it opened when a later queue fails', () => {
    const n = fakeNative([5, -22]);
    expect(() => tapAttach(n, 'tap7', 2, true, false, 0)).toThrow(/EINVAL: .*multi_queue/);
    expect(n.calls.filter((c) => c.startsWith('close'))).toEqual(['close 5']);
  });

  it('needs a real-time World and checks its arguments before touching the kernel', () => {
    const virtual = new World().createNamespace('a');
    expect(() => createTap(virtual, { name: 'tap0' })).toThrow(/EINVAL: .*real clock/);
    const real = new World({ clock: 'real' }).createNamespace('a');
    expect(() => createTap(real, { name: 'way-too-long-name0' })).toThrow(/EINVAL: invalid TAP device name/);
    expect(() => createTap(real, { name: 'tap0', queues: 2 })).toThrow(/EINVAL: more than one queue needs multiQueue/);
    expect(() => createTap(real, { name: 'tap0', multiQueue: true, queues: 0 })).toThrow(/EINVAL: queues must be/);
  });
});
