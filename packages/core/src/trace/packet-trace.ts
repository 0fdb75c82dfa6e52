import { TRACE_STAGE_NAMES } from './stages.js';

/** Numbers per record: time, stage, cpu, verdict, ifindex, skb id, aux, seq. */
const FIELDS = 8;

/** A counter shared by every trace of a World, so records of several namespaces merge in order. */
export interface TraceSequence {
  next: number;
}

/** One decoded trace record. */
export interface TraceEntry {
  timeNs: number;
  stage: number;
  stageName: string;
  cpu: number;
  /** Stage-specific outcome: rx_handler result, drop reason, tc verdict, xmit return. */
  verdict: number;
  ifindex: number;
  skbId: number;
  /** Stage-specific detail: ethertype, queue index, plugin stage id. */
  aux: number;
  /** Position among all records of the World (merge traces of several namespaces by it). */
  seq: number;
}

/**
 * The walk of packets through one namespace: numeric records in a preallocated ring. Off by
 * default; when off, recording costs the caller one branch on `enabled`.
 */
export class PacketTrace {
  enabled = false;
  private ring: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    private capacity = 4096,
    private readonly sequence: TraceSequence = { next: 0 },
  ) {
    this.ring = new Float64Array(capacity * FIELDS);
  }

  /** Turn on (optionally with a new capacity) and clear. */
  enable(capacity = this.capacity): void {
    if (capacity !== this.capacity) {
      this.capacity = capacity;
      this.ring = new Float64Array(capacity * FIELDS);
    }
    this.clear();
    this.enabled = true;
  }

  disable(): void {
    this.enabled = false;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  record(timeNs: number, stage: number, cpu: number, verdict: number, ifindex: number, skbId: number, aux: number): void {
    const at = this.head * FIELDS;
    const r = this.ring;
    r[at] = timeNs;
    r[at + 1] = stage;
    r[at + 2] = cpu;
    r[at + 3] = verdict;
    r[at + 4] = ifindex;
    r[at + 5] = skbId;
    r[at + 6] = aux;
    r[at + 7] = this.sequence.next++;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.count < this.capacity) this.count++;
  }

  get length(): number {
    return this.count;
  }

  /** Decoded records, oldest first (allocates: for display and tests). */
  entries(): TraceEntry[] {
    const out: TraceEntry[] = [];
    const start = this.count < this.capacity ? 0 : this.head;
    for (let k = 0; k < this.count; k++) {
      const at = ((start + k) % this.capacity) * FIELDS;
      const r = this.ring;
      const stage = r[at + 1]!;
      out.push({
        timeNs: r[at]!,
        stage,
        stageName: TRACE_STAGE_NAMES[stage] ?? `stage ${stage}`,
        cpu: r[at + 2]!,
        verdict: r[at + 3]!,
        ifindex: r[at + 4]!,
        skbId: r[at + 5]!,
        aux: r[at + 6]!,
        seq: r[at + 7]!,
      });
    }
    return out;
  }
}
