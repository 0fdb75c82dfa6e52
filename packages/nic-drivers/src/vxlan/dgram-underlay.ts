import { Buffer } from 'node:buffer';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { formatIPv4, parseIPv4 } from '@netstack/core';
import type { VxlanUnderlay, VxlanUnderlayFactory, VxlanUnderlayOptions } from './underlay.js';

export interface DgramUnderlayOptions {
  /**
   * Most extra sockets opened to send from the flow-hash source ports (each bound to
   * `local:srcport`, as the kernel's tunnel sends from any port). Default 64; 0 sends everything
   * from the listening socket (source port = `dstport`). A flow whose socket is not bound yet, or
   * over the limit, or whose port is taken, goes out from the listening socket.
   */
  sourcePortSockets?: number;
}

interface SourceSocket {
  sock: Socket;
  bound: boolean;
  failed: boolean;
}

/**
 * The real underlay: node:dgram UDP sockets in the host's network namespace. The only part of
 * the driver on real time and real I/O; each datagram is copied into a Buffer (sends are
 * asynchronous and the packet's pool buffer is reused at once).
 */
export function dgramUnderlay(options: DgramUnderlayOptions = {}): VxlanUnderlayFactory {
  const maxSources = options.sourcePortSockets ?? 64;
  return (opts: VxlanUnderlayOptions): VxlanUnderlay => {
    const address = formatIPv4(opts.local);
    const handlers = opts.handlers;
    const onSent = (err: Error | null): void => {
      if (err) handlers.sendError(err);
    };
    // rinfo.address is a string: parse it once per distinct sender.
    let lastText = '';
    let lastAddr = 0;
    const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
      if (rinfo.address !== lastText) {
        const a = parseIPv4(rinfo.address);
        if (Number.isNaN(a)) return;
        lastText = rinfo.address;
        lastAddr = a;
      }
      handlers.datagram(msg, 0, msg.length, lastAddr, rinfo.port);
    };
    const applyTtl = (s: Socket): void => {
      if (opts.ttl !== 0) s.setTTL(opts.ttl);
    };

    let closed = false;
    let failed = false;
    const main = createSocket({ type: 'udp4' });
    main.on('message', onMessage);
    const ready = new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        failed = true;
        reject(err);
      };
      main.once('error', onError);
      main.bind({ port: opts.port, address, exclusive: true }, () => {
        main.off('error', onError);
        // Later socket errors (ICMP port unreachable on Linux) are not fatal to the device.
        main.on('error', (err) => handlers.sendError(err));
        applyTtl(main);
        resolve();
      });
    });
    // A rejected `ready` nobody awaited must not crash the process: the device reports it.
    ready.catch(() => {});

    const sources = new Map<number, SourceSocket>();
    const sourceFor = (port: number): Socket => {
      if (port === 0 || port === opts.port || maxSources === 0) return main;
      let s = sources.get(port);
      if (s === undefined) {
        if (sources.size >= maxSources) return main;
        const sock = createSocket({ type: 'udp4' });
        const entry: SourceSocket = { sock, bound: false, failed: false };
        s = entry;
        sources.set(port, entry);
        sock.on('message', onMessage);
        sock.on('error', () => {
          if (!entry.bound) entry.failed = true;
        });
        sock.bind({ port, address, exclusive: true }, () => {
          entry.bound = true;
          applyTtl(sock);
        });
      }
      return s.bound && !s.failed ? s.sock : main;
    };

    let lastDst = -1;
    let lastDstText = '';
    const closeQuietly = (s: Socket): void => {
      try {
        s.close();
      } catch {
        // A socket whose bind failed is closed already.
      }
    };
    return {
      ready,
      send(buf, off, len, srcPort, dstAddr, dstPort) {
        if (closed) return;
        // Without a bound socket Node would bind an ephemeral port: refuse instead.
        if (failed) {
          handlers.sendError(new Error(`vxlan underlay socket ${address}:${opts.port} is not bound`));
          return;
        }
        if (dstAddr !== lastDst) {
          lastDst = dstAddr;
          lastDstText = formatIPv4(dstAddr);
        }
        const data = Buffer.allocUnsafe(len);
        data.set(buf.subarray(off, off + len));
        sourceFor(srcPort).send(data, dstPort, lastDstText, onSent);
      },
      close() {
        if (closed) return;
        closed = true;
        closeQuietly(main);
        for (const s of sources.values()) closeQuietly(s.sock);
        sources.clear();
      },
    };
  };
}
