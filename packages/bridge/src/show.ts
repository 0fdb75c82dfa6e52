/**
 * iproute2's `bridge` text output for one bridge: `bridge fdb show br BR` (the bridge's own
 * entries, without the `self` entries of the devices' address lists), `bridge link` and
 * `bridge vlan show`. Control plane only.
 */
import { IFF_PROMISC, IFF_RUNNING, IFF_SLAVE, IFF_UP, formatIfFlags, type NetDevice } from '@netstack/core';
import { bridgeOf } from './br-device.js';
import { VLAN_UNTAGGED } from './port-vlans.js';
import { BR_PORT_STATE_NAMES } from './stp-contract.js';

/** Devices of the bridge's namespace in ifindex order that are the bridge or one of its ports. */
function members(brDev: NetDevice): NetDevice[] {
  return brDev.net.devices.filter((d) => d === brDev || d.master === brDev);
}

/**
 * `bridge fdb show br BR`: per device in ifindex order, newest entry first, e.g.
 * `02:00:00:00:00:05 dev v1 vlan 1 master br0 permanent`; dynamic entries end in "master br0 ".
 */
export function fdbShow(brDev: NetDevice): string {
  const br = bridgeOf(brDev);
  const entries = br.fdb.entries();
  const lines: string[] = [];
  for (const d of members(brDev)) {
    for (const e of entries) {
      if (e.dev !== d.name) continue;
      const state = e.state === 'dynamic' ? '' : e.state;
      lines.push(`${e.mac} dev ${e.dev} ${e.vlan !== 0 ? `vlan ${e.vlan} ` : ''}master ${brDev.name} ${state}`);
    }
  }
  return lines.map((l) => l + '\n').join('');
}

/**
 * `name@link` as `bridge link` prints it: iproute2 resolves IFLA_LINK's ifindex by name in the
 * current namespace (it ignores link-netnsid here), so a veth whose peer lives in another
 * namespace shows whatever local device has that ifindex (`swp1@br0`), or `ifN` if none.
 */
function linkName(dev: NetDevice): string {
  if (dev.iflink === 0 || dev.iflink === dev.ifindex) return dev.name;
  const local = dev.net.devByIndex(dev.iflink);
  return local !== undefined ? `${dev.name}@${local.name}` : `${dev.name}@if${dev.iflink}`;
}

/** Flags as RTM_NEWLINK reports them (dev_get_flags hides promiscuity the stack set) and iproute2 prints them. */
function linkFlags(dev: NetDevice): string {
  const names = formatIfFlags(dev.flags & ~(IFF_PROMISC | IFF_SLAVE));
  const noCarrier = (dev.flags & IFF_UP) !== 0 && (dev.flags & IFF_RUNNING) === 0;
  return noCarrier ? (names === '' ? 'NO-CARRIER' : `NO-CARRIER,${names}`) : names;
}

/**
 * `bridge link`: one line per port, as
 * `4: v1@v1p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 `.
 */
export function bridgeLinkShow(brDev: NetDevice): string {
  const br = bridgeOf(brDev);
  let out = '';
  for (const d of members(brDev)) {
    if (d === brDev) continue;
    const p = br.port(d);
    out += `${d.ifindex}: ${linkName(d)}: <${linkFlags(d)}> mtu ${d.mtu} master ${brDev.name} state ${BR_PORT_STATE_NAMES[p.state]} priority ${p.priority} cost ${p.pathCost} \n`;
  }
  return out;
}

/**
 * `bridge vlan show`: a header, then per device (ifindex order) its VIDs, the name padded to
 * IFNAMSIZ plus two spaces on the first line, blanks on the next ones.
 */
export function vlanShow(brDev: NetDevice): string {
  const br = bridgeOf(brDev);
  let out = `${'port'.padEnd(16)}  ${'vlan-id'.padEnd(9)}\n`;
  for (const d of members(brDev)) {
    const vg = d === brDev ? br.vlans : br.port(d).vlans;
    const vids = vg.vids();
    vids.forEach((vid, i) => {
      const head = i === 0 ? d.name.padEnd(16) + '  ' : ''.padEnd(18);
      const pvid = vg.pvid === vid ? ' PVID' : '';
      const untagged = (vg.flags[vid]! & VLAN_UNTAGGED) !== 0 ? ' Egress Untagged' : '';
      out += `${head}${vid}${pvid}${untagged}\n`;
    });
  }
  return out;
}
