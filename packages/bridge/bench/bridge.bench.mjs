/**
 * bridge-fwd-pps-64: 64-byte frames per second from one namespace through a 2-port bridge to
 * another, real time: devQueueXmit on a → veth → netif_rx → backlog NAPI →
 * __netif_receive_skb_core → br_handle_frame (FDB lookup, forward) → devQueueXmit on the egress
 * port → veth → receive in b → protocol handler (reads the header, sums the bytes, consumes).
 *
 * Reference: plain veth delivery of the same frames (a → b directly), measured in the same run.
 */
import { World, devQueueXmit } from '@netstack/core';
import { veth, createVethPair } from '@netstack/nic-drivers';
import { bridge, brAddIf } from '@netstack/bridge';
import { frameChecker, frameInjector, makeFrame, sumBytes } from '../../../scripts/lib/frames.mjs';

const BATCH = 64;

function path(size, bridged) {
  const world = new World({ clock: 'real', seed: 1 });
  const a = world.createNamespace('a', [veth()]);
  const b = world.createNamespace('b', [veth()]);
  let tx;
  let rx;
  if (bridged) {
    const sw = world.createNamespace('sw', [veth(), bridge()]);
    const br0 = sw.addLink({ kind: 'bridge', name: 'br0' });
    const [va, p1] = createVethPair(a, { name: 'eth0', peer: { name: 'p1', netns: sw } });
    const [vb, p2] = createVethPair(b, { name: 'eth0', peer: { name: 'p2', netns: sw } });
    brAddIf(br0, p1);
    brAddIf(br0, p2);
    for (const d of [br0, va, vb, p1, p2]) d.open();
    tx = va;
    rx = vb;
  } else {
    [tx, rx] = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
    tx.open();
    rx.open();
  }
  const frame = makeFrame(size, rx.addr, tx.addr);
  const expected = sumBytes(frame, 0, size);
  const pool = world.pool;
  const chk = frameChecker(b, expected);
  // Teach the bridge where rx lives (one frame back), so the measured path is a forward, not a flood.
  if (bridged) {
    const back = pool.alloc(size);
    back.buf.set(makeFrame(size, tx.addr, rx.addr), back.put(size));
    back.dev = rx;
    devQueueXmit(back);
    world.drain();
  }
  const inj = frameInjector(world, tx, frame, BATCH);
  return {
    step: inj.step,
    verify() {
      world.drain();
      if (inj.xmitErrors !== 0) return `${inj.xmitErrors} devQueueXmit errors`;
      if (chk.bad !== 0) return `${chk.bad} frames arrived with a wrong header or payload`;
      if (chk.delivered !== inj.sent) return `sent ${inj.sent} frames, the handler got ${chk.delivered}`;
      return null;
    },
    poolLive: () => pool.live,
    close() {
      world.drain();
    },
  };
}

export default [
  {
    name: 'bridge-fwd-pps-64',
    unit: 'frames/s',
    description: '64-byte frames, veth → br_handle_frame (FDB hit) → veth through a 2-port bridge, real time; reference: plain veth delivery',
    subject: () => path(64, true),
    reference: () => path(64, false),
  },
];
