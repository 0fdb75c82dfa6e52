import { NetError, type IcmpErrorInfo, type SkBuff } from '@netstack/core';

/**
 * An ICMP echo endpoint bound to an identifier (`ping_lookup`'s socket, net/ipv4/ping.c): it gets
 * the echo replies carrying its id and the ICMP errors quoting its echo requests. Buffers stay
 * the caller's: read them during the call only.
 */
export interface PingSocket {
  readonly id: number;
  /** An echo reply: `skb.data` at the ICMP header, `skb.networkHeader` at the IP header. */
  echoReply(skb: SkBuff): void;
  /**
   * An error about one of our requests: `skb.networkHeader` at the error's IP header,
   * `info.quotedNetworkHeader` at the quoted request's.
   */
  error(skb: SkBuff, info: IcmpErrorInfo): void;
}

/** The namespace's ping sockets by echo identifier. */
export class PingSockets {
  private readonly byId = new Map<number, PingSocket>();

  bind(sock: PingSocket): void {
    if (!Number.isInteger(sock.id) || sock.id < 0 || sock.id > 0xffff) throw new NetError('EINVAL', `echo id ${sock.id} out of range`);
    if (this.byId.has(sock.id)) throw new NetError('EADDRINUSE', `echo id ${sock.id} is in use`);
    this.byId.set(sock.id, sock);
  }

  unbind(sock: PingSocket): void {
    if (this.byId.get(sock.id) === sock) this.byId.delete(sock.id);
  }

  lookup(id: number): PingSocket | undefined {
    return this.byId.get(id);
  }

  /** An identifier no socket uses, starting from `hint`. */
  freeId(hint: number): number {
    for (let i = 0; i < 0x10000; i++) {
      const id = (hint + i) & 0xffff;
      if (!this.byId.has(id)) return id;
    }
    throw new NetError('EAGAIN', 'no free echo identifier');
  }
}
