/**
 * sim-nic-pps-64: 64-byte frames per second (wall clock) through a sim NIC link, simulated in
 * virtual time: devQueueXmit → pfifo_fast → TX ring → MAC serialization on a 100 Gbit/s wire →
 * RSS → RX ring DMA → coalesced IRQ → NAPI poll (GRO) → __netif_receive_skb_core → handler, and
 * the TX completions cleaned in NAPI. Each step sends a batch and runs the World until idle.
 *
 * Reference: the same frames over a veth pair (netif_rx → backlog NAPI), also in virtual time.
 */
import { World, devQueueXmit } from '@netstack/core';
import { createSimNicPair, createVethPair } from '@netstack/nic-drivers';
import { frameChecker, makeFrame, sumBytes } from '../../../scripts/lib/frames.mjs';

const BATCH = 64;

function path(size, sim) {
  const world = new World({ seed: 1 });
  const a = world.createNamespace('a');
  const b = world.createNamespace('b');
  const [tx, rx] = sim
    ? createSimNicPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b }, rate: 100e9 })
    : createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  tx.open();
  rx.open();
  const frame = makeFrame(size, rx.addr, tx.addr);
  const chk = frameChecker(b, sumBytes(frame, 0, size));
  const pool = world.pool;
  let sent = 0;
  let errors = 0;
  return {
    step() {
      for (let i = 0; i < BATCH; i++) {
        const skb = pool.alloc(size);
        skb.buf.set(frame, skb.put(size));
        skb.dev = tx;
        if (devQueueXmit(skb) !== 0) errors++;
      }
      sent += BATCH;
      world.runUntilIdle();
      return BATCH;
    },
    verify() {
      if (errors !== 0) return `${errors} devQueueXmit errors`;
      if (chk.bad !== 0) return `${chk.bad} frames arrived with a wrong header or payload`;
      if (chk.delivered !== sent) return `sent ${sent} frames, the handler got ${chk.delivered}`;
      return null;
    },
    poolLive: () => pool.live,
    close() {
      // Ring buffers are posted while the NIC is up: take both ends down to return them.
      tx.close();
      rx.close();
      world.runUntilIdle();
    },
  };
}

export default [
  {
    name: 'sim-nic-pps-64',
    unit: 'frames/s',
    description: '64-byte frames over a sim NIC link (rings, IRQ, NAPI, wire) in virtual time; reference: a veth pair in virtual time',
    subject: () => path(64, true),
    reference: () => path(64, false),
  },
];
