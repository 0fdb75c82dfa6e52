import { CompositionError, NetError } from '../errors/net-error.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import type { InetProtocol } from './inet-protocol.js';
import type { NetworkProtocol } from './network-protocol.js';

/**
 * A namespace's transport and network protocol tables: `inet_protos[256]` shared by IPv4 and
 * IPv6 (an array indexed by protocol number, so delivery is one load), and the registered L3s
 * by family.
 */
export class InetRegistry {
  readonly protocols: (InetProtocol | null)[] = new Array<InetProtocol | null>(256).fill(null);
  private readonly networks = new Map<number, NetworkProtocol>();

  constructor(private readonly net: NetNamespace) {}

  /** `inet_add_protocol`: claims the number (a second claimant fails at composition). */
  addProtocol(proto: InetProtocol): void {
    if (!(proto.protocol >= 0 && proto.protocol < 256)) throw new NetError('EINVAL', `IP protocol ${proto.protocol} out of range`);
    this.net.claim('ipproto', proto.protocol);
    const prev = this.protocols[proto.protocol];
    if (prev !== null && prev !== proto) {
      throw new CompositionError('EEXIST', `IP protocol ${proto.protocol} is handled by ${prev!.owner}; ${proto.owner} claims it too`, [prev!.owner, proto.owner]);
    }
    this.protocols[proto.protocol] = proto;
  }

  /** Register an L3 (IPv4, IPv6) so transports can reach it by family. */
  addNetwork(l3: NetworkProtocol): void {
    this.net.claim('family', l3.family);
    this.networks.set(l3.family, l3);
  }

  /** The L3 for a family, or undefined when that plugin is not installed. */
  network(family: number): NetworkProtocol | undefined {
    return this.networks.get(family);
  }

  get families(): number[] {
    return [...this.networks.keys()];
  }
}
