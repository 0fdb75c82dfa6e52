/**
 * `tcp_v4_err` (tcp_ipv4.c): an ICMP error quoting one of our segments. The quoted header gives
 * the socket (we sent it: source = local); a quoted sequence outside [snd_una, snd_nxt] is
 * ignored (OutOfWindowIcmps, RFC 5927). "Fragmentation needed" lowers the path MTU and resends
 * at the new MSS; other errors abort a connection still in its handshake, and are remembered as
 * a soft error on an established one, reported only if it times out (RFC 1122 4.2.3.9).
 */
import { readU16, readU32, type IcmpErrorInfo, type NetworkProtocol, type SkBuff } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { EH_FULL } from '../lookup/index.js';
import { after, before } from '../receive/seq.js';
import type { TcpNet } from '../net/tcp-net.js';
import { TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { sockErrorReport, tcpDone } from '../sock/lifecycle.js';
import { tcpSyncMss } from './establish.js';
import { tcpSimpleRetransmit } from '../output/simple-retransmit.js';

const ICMP_DEST_UNREACH = 3;
const ICMP_FRAG_NEEDED = 4;

export function tcpErrHandler(net: TcpNet, skb: SkBuff, info: IcmpErrorInfo, l3: NetworkProtocol): void {
  if (info.quotedTransportLen < 8) return;
  const seg = net.seg;
  // The quoted packet went from us to the peer: its source is our address.
  const saved = skb.networkHeader;
  skb.networkHeader = info.quotedNetworkHeader;
  l3.saddr(skb, seg.daddr);
  l3.daddr(skb, seg.saddr);
  skb.networkHeader = saved;
  const th = info.quotedTransportHeader;
  const lport = readU16(skb.buf, th);
  const rport = readU16(skb.buf, th + 2);
  const seq = readU32(skb.buf, th + 4);
  const entry = net.ehash.lookupEntry(l3.family, seg.saddr, rport, seg.daddr, lport, 0);
  if (entry < 0 || net.ehash.kindOf(entry) !== EH_FULL) return;
  const sk = net.ehash.socketOf(entry) as TcpSock;
  if (sk.state === TCP_LISTEN) return;
  if (sk.state !== TCP_SYN_SENT && (before(seq, sk.sndUna) || after(seq, sk.sndNxt))) {
    net.ext[TCPEXT.OutOfWindowIcmps]!++;
    return;
  }
  if (info.type === ICMP_DEST_UNREACH && info.code === ICMP_FRAG_NEEDED && info.info > 0) {
    // tcp_v4_mtu_reduced: only ever lower the MTU, then resend what no longer fits.
    if (info.info < sk.pmtu.value) {
      sk.pmtu.value = info.info;
      tcpSyncMss(sk);
      tcpSimpleRetransmit(sk);
    }
    return;
  }
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
    // Any ICMP error during the handshake aborts it (the socket may still be owned: soft then).
    if (sk.owned > 0) {
      sk.errSoft = info.errno;
      return;
    }
    sockErrorReport(sk, info.errno);
    tcpDone(sk);
    return;
  }
  sk.errSoft = info.errno;
}
