import { CostStage, costCharge, napiSchedule, type Napi, type World } from '@netstack/core';
import { HwTimer } from './hw-timer.js';

/** Interrupt coalescing (`ethtool -c/-C`): what the NIC waits for before raising a queue's IRQ. */
export interface SimNicCoalesce {
  /** Max µs from the first RX completion to the IRQ; 0 = interrupt at once. */
  rxUsecs: number;
  /** RX completions that raise the IRQ before `rxUsecs` passed; 0 = count not used. */
  rxFrames: number;
  txUsecs: number;
  txFrames: number;
}

/**
 * One interrupt vector: a queue pair's IRQ with its CPU affinity, the coalescing state (completions
 * since the last interrupt, a moderation timer) and the mask the driver sets while NAPI runs
 * (the IRQ handler masks, `napi_complete_done` returning true unmasks).
 */
export class SimVector {
  /** CPU the IRQ is delivered to (`/proc/irq/N/smp_affinity_list`). */
  cpu: number;
  masked = false;
  /** Interrupts raised (`/proc/interrupts`). */
  irqs = 0;
  rxPending = 0;
  txPending = 0;
  private rxFirst = 0;
  private txFirst = 0;
  private readonly timer: HwTimer;

  constructor(
    readonly world: World,
    readonly index: number,
    readonly napi: Napi,
    readonly coalesce: SimNicCoalesce,
    cpu: number,
  ) {
    this.cpu = cpu;
    this.timer = new HwTimer(world, 'simnic-irq', () => this.evaluate());
  }

  /** The NIC wrote back an RX descriptor. */
  rxCompletion(): void {
    if (this.rxPending++ === 0) this.rxFirst = this.world.scheduler.now();
    if (!this.masked) this.evaluate();
  }

  /** The NIC finished sending a TX descriptor. */
  txCompletion(): void {
    if (this.txPending++ === 0) this.txFirst = this.world.scheduler.now();
    if (!this.masked) this.evaluate();
  }

  /**
   * Raise the IRQ when a frame threshold is met or a usecs budget is 0 or spent; otherwise arm the
   * moderation timer for the earliest deadline.
   */
  evaluate(): void {
    if (this.masked) return;
    const c = this.coalesce;
    const timer = this.timer;
    let deadline = Infinity;
    if (this.rxPending > 0) {
      const due = this.rxFirst + c.rxUsecs * 1000;
      if ((c.rxFrames > 0 && this.rxPending >= c.rxFrames) || timer.due(due)) return this.fire();
      deadline = due;
    }
    if (this.txPending > 0) {
      const due = this.txFirst + c.txUsecs * 1000;
      if ((c.txFrames > 0 && this.txPending >= c.txFrames) || timer.due(due)) return this.fire();
      if (due < deadline) deadline = due;
    }
    if (deadline !== Infinity && (!timer.pending || timer.expires !== deadline)) timer.armAt(deadline);
  }

  /** The hard IRQ on its CPU: mask, schedule NAPI there (`napi_schedule_irqoff`). */
  private fire(): void {
    this.timer.cancel();
    this.irqs++;
    this.masked = true;
    this.rxPending = 0;
    this.txPending = 0;
    const world = this.world;
    const prev = world.enterCpu(this.cpu);
    // Hard IRQ entry/exit and the handler, on the vector's CPU (its time is that CPU's).
    costCharge(world, CostStage.IRQ, 0);
    napiSchedule(this.napi);
    world.leaveCpu(prev);
  }

  /**
   * Re-enable the IRQ after NAPI completed. Completions still waiting (they came after the poll
   * looked) count from now, as a latched interrupt cause does.
   */
  unmask(rxWaiting: number, txWaiting: number): void {
    this.masked = false;
    const now = this.world.scheduler.now();
    this.rxPending = rxWaiting;
    this.txPending = txWaiting;
    this.rxFirst = now;
    this.txFirst = now;
    if (rxWaiting > 0 || txWaiting > 0) this.evaluate();
  }

  /** Device down: forget pending work. */
  reset(): void {
    this.timer.cancel();
    this.masked = false;
    this.rxPending = 0;
    this.txPending = 0;
  }
}
