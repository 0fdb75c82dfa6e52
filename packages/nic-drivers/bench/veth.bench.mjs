/**
 * veth-pps-<size>: frames per second through the whole veth receive path in real time:
 * devQueueXmit on one end → noqueue → veth_xmit → eth_type_trans → netif_rx (backlog of the
 * current CPU) → NET_RX softirq → backlog NAPI (process_backlog) → __netif_receive_skb_core →
 * the protocol handler for the frame's ethertype in the peer namespace, which reads the header,
 * sums the frame's bytes and consumes the buffer.
 *
 * Reference: the floor any path must pay per frame, measured in the same run: copy the frame
 * into a reused buffer, read its header and sum its bytes (scripts/lib/frames.mjs).
 * Sizes are whole Ethernet frames without FCS.
 */
import { World } from '@netstack/core';
import { veth, createVethPair } from '@netstack/nic-drivers';
import { frameChecker, frameFloor, frameInjector, makeFrame, sumBytes } from '../../../scripts/lib/frames.mjs';

/** Frames sent per devQueueXmit burst before the softirqs run (below netdev_max_backlog = 1000). */
const BATCH = 64;

function vethPath(size) {
  const world = new World({ clock: 'real', seed: 1 });
  const a = world.createNamespace('a', [veth()]);
  const b = world.createNamespace('b');
  const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
  va.open();
  vb.open();
  if (!va.isRunning || !vb.isRunning) throw new Error('veth pair did not come up');
  const frame = makeFrame(size, vb.addr, va.addr);
  const expected = sumBytes(frame, 0, size);
  const pool = world.pool;
  const chk = frameChecker(b, expected);
  const inj = frameInjector(world, va, frame, BATCH);
  return {
    step: inj.step,
    verify() {
      world.drain();
      if (inj.xmitErrors !== 0) return `${inj.xmitErrors} devQueueXmit errors`;
      if (chk.bad !== 0) return `${chk.bad} frames arrived with a wrong header or payload`;
      if (chk.delivered !== inj.sent) return `sent ${inj.sent} frames, the handler got ${chk.delivered} (veth0 tx_dropped ${va.stats.tx_dropped}, veth1 rx_dropped ${vb.stats.rx_dropped})`;
      return null;
    },
    poolLive: () => pool.live,
    close() {
      world.drain();
    },
  };
}

function vethBench(size) {
  return {
    name: `veth-pps-${size}`,
    unit: 'frames/s',
    description: `${size}-byte frames, veth → netif_rx → backlog NAPI → __netif_receive_skb_core → protocol handler, real time`,
    subject: () => vethPath(size),
    reference: () => frameFloor(makeFrame(size, new Uint8Array([2, 0, 0, 0, 0, 2]), new Uint8Array([2, 0, 0, 0, 0, 1])), BATCH),
  };
}

export default [vethBench(64), vethBench(1500)];
