/**
 * gro-speedup: what the offloads buy a TCP bulk transfer, both sides measured in the same run.
 *
 * One stream between two namespaces (a = 10.0.0.1, b = 10.0.0.2: loopback + ipv4 + tcp) over a
 * sim NIC pair (rings, IRQs, NAPI, a wire) in a real-time World, BULK_STEP_BYTES per step in
 * 64 KiB writes, as tcp-bulk-veth does. The wire runs at 100 Gbit/s so that our code, not the
 * simulated line, is the bottleneck (this is real-time throughput of the JavaScript). The NICs'
 * features are set as `ethtool -K` would, at both ends, before connecting:
 *
 * - subject, on (the sim NIC's defaults): GRO, GSO, TSO, TX/RX checksum offload and
 *   scatter-gather. The sender's TCP builds GSO packets of up to 64 KiB, the NIC cuts them into
 *   MSS-sized frames (TSO) and fills their checksums, the receiving NIC validates checksums
 *   (CHECKSUM_UNNECESSARY) and its NAPI merges the frames back (GRO) before IP and TCP see them.
 * - reference, off: `ethtool -K eth0 gro off gso off tso off tx off rx off sg off`: TCP cuts
 *   every segment and sums it in software, and the receiver verifies and handles each one.
 *
 * Both carry MSS-sized frames over the wire; the ratio (subject / reference, Gbit/s of payload)
 * is the per-packet work the offloads save. Every case runs in its own worker thread, as in
 * tcp.bench.mjs (the harness is synchronous, a real-time World needs an event loop); both sides
 * check every 1021st byte read against the sent pattern, and each must see its own path taken
 * (segments cut by the NIC, checksums checked by it and frames merged by GRO, or none of these).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { BULK_STEP_BYTES, bulkStream, serveWorker, until, workerCase } from './lib/realtime-transfer.mjs';

/** Line rate of the sim NIC wire: far above what the code sustains. */
const WIRE_RATE = 100e9;

/** Start `mode` ('on' | 'off') in a worker; `step()` blocks on it (see lib/realtime-transfer.mjs). */
const groCase = (mode) => workerCase(import.meta.url, 'groBench', mode, `gro-${mode}`);

export default [
  {
    name: 'gro-speedup',
    unit: 'Gbit/s',
    description: `TCP bulk a → b over a sim NIC pair (100 Gbit/s wire) in real time, ${BULK_STEP_BYTES >> 20} MiB per step: GRO, GSO/TSO, checksum offload and SG on vs all off`,
    subject: () => groCase('on'),
    reference: () => groCase('off'),
  },
];

// ---------------------------------------------------------------------------------------------
// Worker side.
// ---------------------------------------------------------------------------------------------

/** Features `ethtool -K` turns off in the reference: every offload of the path. */
const OFFLOADS_OFF = { gro: false, gso: false, tso: false, tx: false, rx: false, sg: false };

/** Two namespaces over a sim NIC pair in a real-time World, offloads per `mode`, addresses on. */
async function simNicPairWorld(mode) {
  const { World } = await import('@netstack/core');
  const { createSimNicPair, loopback, simNicOf } = await import('@netstack/nic-drivers');
  const { getIpv4, ipv4 } = await import('@netstack/ipv4');
  const tcpPkg = await import('@netstack/tcp');
  const world = new World({ clock: 'real', seed: 1 });
  const plugins = () => [loopback({ up: true }), ipv4(), tcpPkg.tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createSimNicPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b }, rate: WIRE_RATE });
  devA.open();
  devB.open();
  if (mode === 'off') for (const dev of [devA, devB]) dev.setFeatures(OFFLOADS_OFF);
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB, nicA: simNicOf(devA), nicB: simNicOf(devB), TcpSocket: tcpPkg.TcpSocket };
}

/** The bulk stream with the offloads `mode` 'on' or 'off'. */
async function bulk(mode) {
  const pair = await simNicPairWorld(mode);
  const { world, devA, devB, nicA, nicB } = pair;
  const qdiscPackets = () => devA.txQueues.reduce((s, q) => s + (q.qdisc?.stats.packets ?? 0), 0);
  let txStart = 0;
  let qdiscStart = 0;
  let csumStart = 0;
  const nics = [nicA, nicB];
  return bulkStream(pair, {
    async settle() {
      // Once the connection has closed only the posted RX buffers are out: take the NICs down
      // to return them to the pool.
      const posted = () => nics.reduce((s, n) => s + n.rxRings.reduce((t, r) => t + r.size, 0), 0);
      await until(() => world.pool.live <= posted(), 'connection closed', 5_000).catch(() => {});
      devA.close();
      devB.close();
    },
    connected() {
      txStart = devA.stats.tx_packets;
      qdiscStart = qdiscPackets();
      csumStart = nicB.rxCsumGood;
    },
    check(received, problems) {
      // Each side took its path: MSS-sized frames on the wire; cut by the NIC, checked by it and
      // merged by GRO only when on.
      const frames = devA.stats.tx_packets - txStart;
      if (frames < received / 1500) problems.push(`only ${frames} frames for ${received} bytes: segments over the MTU crossed the wire`);
      const packets = qdiscPackets() - qdiscStart;
      const gro = nicB.vectors.reduce((s, v) => s + v.napi.gro.stats.merged, 0);
      const csum = nicB.rxCsumGood - csumStart;
      if (mode === 'on') {
        if (packets * 4 > frames) problems.push(`the stack sent ${packets} packets for ${frames} frames: TSO did not cut them`);
        if (gro < frames / 4) problems.push(`GRO merged only ${gro} of ${frames} frames`);
        if (csum < frames / 2) problems.push(`the NIC validated only ${csum} of ${frames} checksums`);
      } else {
        if (packets < frames) problems.push(`the stack sent ${packets} packets for ${frames} frames with TSO and GSO off`);
        if (gro !== 0) problems.push(`GRO merged ${gro} frames with GRO off`);
        if (csum !== 0) problems.push(`the NIC validated ${csum} checksums with rx checksumming off`);
      }
    },
  });
}

if (!isMainThread && workerData?.groBench !== undefined) serveWorker(workerData, () => bulk(workerData.groBench));
