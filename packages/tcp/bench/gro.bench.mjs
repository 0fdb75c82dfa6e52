/**
 * gro-speedup: what GRO + GSO buy a TCP bulk transfer, both sides measured in the same run.
 *
 * One stream between two namespaces (a = 10.0.0.1, b = 10.0.0.2: loopback + veth + ipv4 + tcp)
 * over a veth pair in a real-time World, BULK_STEP_BYTES per step in 64 KiB writes, as
 * tcp-bulk-veth does. The simulated multi-queue NIC does not exist yet, so the "device" is veth
 * with its features set as `ethtool -K` would:
 *
 * - subject, GRO + GSO on: TSO off and GRO on at both ends (`ethtool -K eth0 tso off gro on`).
 *   The sender's TCP builds GSO packets of up to 64 KiB, `validate_xmit_skb` cuts them into
 *   MSS-sized frames in software, and the receiver's GRO merges those back before IP and TCP see
 *   them. (TCP decides at connect time whether to build GSO packets, from TSO, so TSO goes off
 *   once the connection is up; Linux's TCP would build them with GSO alone.)
 * - reference, off: `ethtool -K eth0 tso off gso off gro off` at both ends before connecting:
 *   TCP cuts every segment itself and the receiver handles each one.
 *
 * Both carry MSS-sized frames over the link; the ratio (subject / reference, Gbit/s of payload)
 * is the per-packet work GRO and GSO save. Every case runs in its own worker thread, as in
 * tcp.bench.mjs (the harness is synchronous, a real-time World needs an event loop); both sides
 * check every 1021st byte read against the sent pattern, and each must see its own path taken
 * (segments cut in software and merged by GRO, or neither).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { BULK_STEP_BYTES, bulkStream, ourPair, serveWorker, workerCase } from './lib/realtime-transfer.mjs';

/** Start `mode` ('on' | 'off') in a worker; `step()` blocks on it (see lib/realtime-transfer.mjs). */
const groCase = (mode) => workerCase(import.meta.url, 'groBench', mode, `gro-${mode}`);

export default [
  {
    name: 'gro-speedup',
    unit: 'Gbit/s',
    description: `TCP bulk a → b over veth in real time, ${BULK_STEP_BYTES >> 20} MiB per step: GRO + GSO on (tso off) vs off (tso, gso, gro off)`,
    subject: () => groCase('on'),
    reference: () => groCase('off'),
  },
];

// ---------------------------------------------------------------------------------------------
// Worker side.
// ---------------------------------------------------------------------------------------------

/** The bulk stream with GRO + GSO `mode` 'on' or 'off'. */
async function bulk(mode) {
  const pair = await ourPair((devA, devB) => {
    if (mode === 'on') {
      devA.setFeatures({ gro: true });
      devB.setFeatures({ gro: true });
    } else {
      devA.setFeatures({ tso: false, gso: false, gro: false });
      devB.setFeatures({ tso: false, gso: false, gro: false });
    }
  });
  const { world, devA, devB } = pair;
  let txStart = 0;
  return bulkStream(pair, {
    connected() {
      // The connection is up: TCP keeps building GSO packets; the devices now cut them in software.
      if (mode === 'on') {
        devA.setFeatures({ tso: false });
        devB.setFeatures({ tso: false });
      }
      txStart = devA.stats.tx_packets;
    },
    check(received, problems) {
      // Each side took its path: MSS-sized frames on the link, merged by GRO only when on.
      const frames = devA.stats.tx_packets - txStart;
      if (frames < received / 1500) problems.push(`only ${frames} frames for ${received} bytes: segments over the MTU crossed the link`);
      const gro = world.cpus.reduce((s, sd) => s + sd.backlog.gro.stats.merged, 0);
      if (mode === 'on' && gro < frames / 4) problems.push(`GRO merged only ${gro} of ${frames} frames`);
      if (mode === 'off' && gro !== 0) problems.push(`GRO merged ${gro} frames with GRO off`);
    },
  });
}

if (!isMainThread && workerData?.groBench !== undefined) serveWorker(workerData, () => bulk(workerData.groBench));
