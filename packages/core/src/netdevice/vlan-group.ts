import { NetError } from '../errors/net-error.js';
import { ETH_P_8021AD, ETH_P_8021Q } from '../wire/ethernet.js';
import { VLAN_N_VID } from '../wire/vlan.js';
import type { NetDevice } from './net-device.js';

/** VLAN devices stacked on a real device, by protocol and VID (`struct vlan_group`). */
export class VlanGroup {
  private ctag: (NetDevice | null)[] | null = null;
  private stag: (NetDevice | null)[] | null = null;
  count = 0;

  find(proto: number, vid: number): NetDevice | null {
    const table = proto === ETH_P_8021Q ? this.ctag : proto === ETH_P_8021AD ? this.stag : null;
    return table === null ? null : (table[vid & (VLAN_N_VID - 1)] ?? null);
  }

  add(proto: number, vid: number, dev: NetDevice): void {
    const table = this.table(proto);
    if (table[vid] !== null) throw new NetError('EEXIST', `VLAN ${vid} (0x${proto.toString(16)}) already exists on this device`);
    table[vid] = dev;
    this.count++;
  }

  remove(proto: number, vid: number): void {
    const table = this.table(proto);
    if (table[vid] !== null) {
      table[vid] = null;
      this.count--;
    }
  }

  private table(proto: number): (NetDevice | null)[] {
    if (proto === ETH_P_8021Q) return (this.ctag ??= new Array<NetDevice | null>(VLAN_N_VID).fill(null));
    if (proto === ETH_P_8021AD) return (this.stag ??= new Array<NetDevice | null>(VLAN_N_VID).fill(null));
    throw new NetError('EPROTONOSUPPORT', `VLAN protocol 0x${proto.toString(16)} is neither 802.1Q nor 802.1ad`);
  }
}
