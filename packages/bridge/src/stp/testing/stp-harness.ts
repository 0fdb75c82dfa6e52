/**
 * Test-only harness: BridgeStp instances on a fake StpContext, joined by an in-memory wire that
 * hands each sent BPDU (copied) to the peer port's rcvBpdu 0 ms later in virtual time.
 */
import { NSEC_PER_SEC, Random, VirtualScheduler, type NetDevice } from '@netstack/core';
import type { BrPortState, StpContext, StpPort } from '../../stp-contract.js';
import { BridgeStp } from '../stp.js';

export class FakePort implements StpPort {
  priority = 32;
  pathCost = 2;
  state: BrPortState = 0;
  stpData: unknown = null;
  carrier = true;
  peer: FakePort | null = null;
  readonly dev: NetDevice;
  constructor(
    readonly bridge: FakeBridge,
    readonly portNo: number,
    readonly mac: Uint8Array,
    name: string,
  ) {
    this.dev = { name } as NetDevice;
  }
  operUp(): boolean {
    return this.carrier;
  }
  get name(): string {
    return this.dev.name;
  }
}

export interface SentBpdu {
  at: number;
  from: FakePort;
  bytes: Uint8Array;
}

export class FakeBridge {
  readonly ports: FakePort[] = [];
  readonly stp: BridgeStp;
  readonly ageingFast: { at: number; on: boolean }[] = [];
  readonly flushed: (FakePort | null)[] = [];
  readonly bridgeAddr = new Uint8Array(6);
  constructor(
    readonly net: StpNet,
    readonly name: string,
    mac: Uint8Array,
  ) {
    this.bridgeAddr.set(mac);
    const ctx: StpContext = {
      bridgeAddr: this.bridgeAddr,
      name,
      ports: () => this.ports.slice(),
      scheduler: net.scheduler,
      random: net.random,
      sendBpdu: (port, bytes) => net.transmit(port as FakePort, bytes),
      setPortState: (port, state) => {
        (port as FakePort).state = state;
      },
      flushFdb: (port) => {
        this.flushed.push(port as FakePort | null);
      },
      setAgeingFast: (on) => {
        this.ageingFast.push({ at: net.scheduler.now(), on });
      },
    };
    this.stp = new BridgeStp(ctx);
  }

  /** Add a port with this MAC; the bridge address stays the lowest port MAC, as Linux picks it. */
  addPort(name: string, mac: Uint8Array): FakePort {
    const port = new FakePort(this, this.ports.length + 1, mac, name);
    this.ports.push(port);
    let low = this.ports[0]!.mac;
    for (const p of this.ports) if (compareMac(p.mac, low) < 0) low = p.mac;
    this.bridgeAddr.set(low);
    this.stp.portAdded(port);
    return port;
  }

  port(name: string): FakePort {
    const p = this.ports.find((x) => x.name === name);
    if (!p) throw new Error(`no port ${name}`);
    return p;
  }
}

function compareMac(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export class StpNet {
  readonly scheduler = new VirtualScheduler();
  readonly random = new Random(1);
  readonly log: SentBpdu[] = [];
  /** Return false to lose a BPDU on the wire. */
  filter: (from: FakePort, bytes: Uint8Array) => boolean = () => true;

  bridge(name: string, mac: string): FakeBridge {
    return new FakeBridge(this, name, macBytes(mac));
  }

  /** A cable between two ports (both carriers up). */
  link(a: FakePort, b: FakePort): void {
    a.peer = b;
    b.peer = a;
  }

  /** Pull the cable: both ends lose carrier and their bridges hear portDown. */
  cut(a: FakePort): void {
    const b = a.peer!;
    a.carrier = false;
    b.carrier = false;
    a.peer = null;
    b.peer = null;
    a.bridge.stp.portDown(a);
    b.bridge.stp.portDown(b);
  }

  transmit(from: FakePort, bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.log.push({ at: this.scheduler.now(), from, bytes: copy });
    const to = from.peer;
    if (to === null || !this.filter(from, copy)) return;
    const t = this.scheduler.createTimer(() => {
      if (from.peer === to) to.bridge.stp.rcvBpdu(to, copy);
    });
    t.arm(0);
  }

  now(): number {
    return this.scheduler.now();
  }

  /** Run until absolute virtual time `sec` seconds. */
  runUntil(sec: number): void {
    this.scheduler.runUntilTime(Math.round(sec * NSEC_PER_SEC));
  }

  runFor(sec: number): void {
    this.scheduler.runFor(sec * 1000);
  }
}

export function macBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((x) => parseInt(x, 16)));
}
