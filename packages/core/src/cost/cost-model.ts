import { NetError } from '../errors/net-error.js';
import { COST_STAGE_COUNT, COST_STAGE_NAMES, costStageByName } from './stages.js';

/** Where a calibration's numbers came from (kept with them in the file). */
export interface CostSource {
  /** Host name or a description of the machine. */
  readonly machine: string;
  /** CPU model (`/proc/cpuinfo`'s model name, or os.cpus()[0].model). */
  readonly cpuModel: string;
  /** Node.js version the stages ran on. */
  readonly node: string;
  /** ISO date of the measurement. */
  readonly date: string;
  /** How the numbers were measured. */
  readonly method: string;
}

/** One stage's price. */
export interface StageCost {
  readonly nsPerPacket: number;
  readonly nsPerByte: number;
}

/** The JSON form of a calibration (`netstack lab calibrate` writes it). */
export interface CostCalibration {
  readonly version: 1;
  readonly source: CostSource;
  /** By stage name (see `COST_STAGE_NAMES`); stages left out cost nothing. */
  readonly stages: Readonly<Record<string, StageCost>>;
}

/**
 * The CPU cost model's constants: per stage, nanoseconds per call ("packet") and per byte.
 * Immutable once made, so one model can be shared by many Worlds.
 */
export class CostModel {
  /** @internal ns per call, by stage. */
  readonly perPacket = new Float64Array(COST_STAGE_COUNT);
  /** @internal ns per byte, by stage. */
  readonly perByte = new Float64Array(COST_STAGE_COUNT);

  constructor(
    stages: Readonly<Record<string, StageCost>>,
    readonly source: CostSource | null = null,
  ) {
    for (const [name, cost] of Object.entries(stages)) {
      const stage = costStageByName(name);
      if (stage < 0) throw new NetError('EINVAL', `unknown cost stage "${name}"`);
      const { nsPerPacket, nsPerByte } = cost;
      if (!(Number.isFinite(nsPerPacket) && nsPerPacket >= 0 && Number.isFinite(nsPerByte) && nsPerByte >= 0)) {
        throw new NetError('EINVAL', `cost stage "${name}": nsPerPacket and nsPerByte must be finite numbers >= 0`);
      }
      this.perPacket[stage] = nsPerPacket;
      this.perByte[stage] = nsPerByte;
    }
  }

  /** A model from a calibration file's parsed JSON (checked: version, source, stage names, numbers). */
  static fromCalibration(json: unknown): CostModel {
    const c = json as Partial<CostCalibration> | null;
    if (c === null || typeof c !== 'object' || c.version !== 1) throw new NetError('EINVAL', 'not a version 1 cost calibration');
    if (c.stages === undefined || typeof c.stages !== 'object' || c.stages === null) throw new NetError('EINVAL', 'cost calibration without stages');
    const s = c.source;
    if (s === undefined || typeof s !== 'object' || s === null || ['machine', 'cpuModel', 'node', 'date', 'method'].some((k) => typeof (s as unknown as Record<string, unknown>)[k] !== 'string')) {
      throw new NetError('EINVAL', 'cost calibration without its source (machine, cpuModel, node, date, method)');
    }
    return new CostModel(c.stages, s);
  }

  /** What `stage` costs for one call touching `bytes`. */
  cost(stage: number, bytes: number): number {
    return this.perPacket[stage]! + this.perByte[stage]! * bytes;
  }

  /** The calibration-file form, with `source`. */
  toCalibration(source: CostSource): CostCalibration {
    const stages: Record<string, StageCost> = {};
    for (let i = 0; i < COST_STAGE_COUNT; i++) stages[COST_STAGE_NAMES[i]!] = { nsPerPacket: this.perPacket[i]!, nsPerByte: this.perByte[i]! };
    return { version: 1, source, stages };
  }
}

/**
 * What the charging hooks call: one call of `stage` touching `bytes`, on the CPU running now.
 * `World.setCostModel` installs one that advances that CPU's time; a calibration profiler
 * (`World.setCostProfiler`) installs one that measures instead.
 */
export interface CostCharger {
  charge(stage: number, bytes: number): void;
}
