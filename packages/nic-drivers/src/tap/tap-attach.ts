/**
 * Attaching to the kernel's side of a TAP device: one `/dev/net/tun` fd per queue, each bound with
 * TUNSETIFF (`IFF_TAP | IFF_NO_PI`, plus IFF_MULTI_QUEUE and IFF_VNET_HDR as asked), the vnet
 * header size and the offloads the kernel may hand us (TUNSETOFFLOAD). A device that did not exist
 * is created by the first TUNSETIFF and, not being persistent, disappears with the last fd; one
 * made beforehand (`ip tuntap add NAME mode tap`) is attached to and left in place.
 * See Documentation/networking/tuntap.rst.
 */
import { existsSync } from 'node:fs';
import { NetError, errnoName } from '@netstack/core';
import type { TunNative } from './native.js';
import { VIRTIO_NET_HDR_LEN } from './virtio-net-hdr.js';

/** `ifr_flags` of TUNSETIFF (include/uapi/linux/if_tun.h). */
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_NO_PI = 0x1000;
export const IFF_MULTI_QUEUE = 0x0100;
export const IFF_VNET_HDR = 0x4000;

/** TUNSETOFFLOAD bits: what the kernel may send us un-checksummed or unsegmented. */
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
export const TUN_F_TSO_ECN = 0x08;

/** The kernel's limit on queues of one multi-queue TUN/TAP device (MAX_TAP_QUEUES). */
export const MAX_TAP_QUEUES = 256;

export interface TapAttachment {
  /** The device's name in the kernel (as TUNGETIFF reports it). */
  ifname: string;
  /** One fd per queue: queue i reads and writes fd i. */
  fds: number[];
  /** The kernel device did not exist before: it goes away when the fds close. */
  created: boolean;
}

/** A NetError for a failed attach, saying what to do about the usual causes. */
function attachError(rc: number, name: string, what: string): NetError {
  const code = errnoName(rc);
  switch (code) {
    case 'ENOENT':
    case 'ENODEV':
      return new NetError(code, `${what}: /dev/net/tun is missing (load the tun module with \`modprobe tun\`; in a container, pass --device /dev/net/tun)`);
    case 'EPERM':
    case 'EACCES':
      return new NetError(
        code,
        `${what}: permission denied — attaching to TAP ${name} needs CAP_NET_ADMIN (run as root), or a device made for your user beforehand (ip tuntap add ${name} mode tap user $USER)`,
      );
    case 'EBUSY':
      return new NetError(code, `${what}: TAP ${name} is already attached by another process (without multi_queue a device takes one fd)`);
    case 'EINVAL':
      return new NetError(code, `${what}: TAP ${name} refused these flags (an existing device must match multi_queue and be a TAP, not a TUN)`);
    default:
      return new NetError(code, `${what}: ${code}`);
  }
}

/** Open `queues` fds on TAP `name` with the flags asked; closes what it opened when one step fails. */
export function tapAttach(native: TunNative, name: string, queues: number, multiQueue: boolean, vnetHdr: boolean, offloads: number): TapAttachment {
  const existed = existsSync(`/sys/class/net/${name}`);
  const flags = IFF_TAP | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0) | (vnetHdr ? IFF_VNET_HDR : 0);
  const fds: number[] = [];
  let ifname = name;
  try {
    for (let i = 0; i < queues; i++) {
      const fd = native.open(ifname, flags);
      if (fd < 0) throw attachError(fd, name, `TUNSETIFF ${name} (queue ${i})`);
      fds.push(fd);
      if (i === 0) {
        const got = native.ifname(fd);
        if (typeof got === 'number') throw attachError(got, name, `TUNGETIFF ${name}`);
        ifname = got;
      }
      if (vnetHdr) {
        const rc = native.setVnetHdrSz(fd, VIRTIO_NET_HDR_LEN);
        if (rc < 0) throw attachError(rc, name, `TUNSETVNETHDRSZ ${name}`);
        const off = native.setOffload(fd, offloads);
        if (off < 0) throw attachError(off, name, `TUNSETOFFLOAD ${name}`);
      }
    }
  } catch (err) {
    for (const fd of fds) native.close(fd);
    throw err;
  }
  return { ifname, fds, created: !existed };
}
