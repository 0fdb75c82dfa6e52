/**
 * The receive path's building blocks count into per-socket records (`ReceiverStats`,
 * `RcvWindowStats`); these fold them into the namespace's TcpExt MIB after each use, so
 * nstat sees them as the kernel counts them.
 */
import { TCPEXT } from '../config/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';

/** After `tcp_data_queue`. */
export function foldReceiverStats(sk: TcpSock): void {
  const st = sk.rx.stats;
  const ext = sk.net.ext;
  const ofo = sk.rx.ofo.stats;
  if (ofo.ofoPruned !== 0) {
    ext[TCPEXT.OfoPruned]! += ofo.ofoPruned;
    ofo.ofoPruned = 0;
  }
  if (st.rcvCoalesce !== 0) {
    ext[TCPEXT.TCPRcvCoalesce]! += st.rcvCoalesce;
    st.rcvCoalesce = 0;
  }
  if ((st.zeroWindowDrop | st.rcvQDrop | st.ofoDrop | st.pruneCalled | st.rcvPruned | st.delayedAckLost | st.rcvCollapsed) === 0) return;
  ext[TCPEXT.TCPRcvCollapsed]! += st.rcvCollapsed;
  ext[TCPEXT.TCPZeroWindowDrop]! += st.zeroWindowDrop;
  ext[TCPEXT.TCPRcvQDrop]! += st.rcvQDrop;
  ext[TCPEXT.TCPOFODrop]! += st.ofoDrop;
  ext[TCPEXT.PruneCalled]! += st.pruneCalled;
  ext[TCPEXT.RcvPruned]! += st.rcvPruned;
  ext[TCPEXT.DelayedACKLost]! += st.delayedAckLost;
  st.zeroWindowDrop = st.rcvQDrop = st.ofoDrop = st.pruneCalled = st.rcvPruned = st.delayedAckLost = st.rcvCollapsed = 0;
}

/** After `tcp_select_window`. */
export function foldWindowStats(sk: TcpSock): void {
  const st = sk.rx.win.stats;
  if ((st.wantZeroWindowAdv | st.toZeroWindowAdv | st.fromZeroWindowAdv) === 0) return;
  const ext = sk.net.ext;
  ext[TCPEXT.TCPWantZeroWindowAdv]! += st.wantZeroWindowAdv;
  ext[TCPEXT.TCPToZeroWindowAdv]! += st.toZeroWindowAdv;
  ext[TCPEXT.TCPFromZeroWindowAdv]! += st.fromZeroWindowAdv;
  st.wantZeroWindowAdv = st.toZeroWindowAdv = st.fromZeroWindowAdv = 0;
}
