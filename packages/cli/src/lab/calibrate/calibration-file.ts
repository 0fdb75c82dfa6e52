import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CostModel, NetError } from '@netstack/core';

/** The committed calibration experiments use unless `--calibration FILE` names another. */
export const DEFAULT_CALIBRATION = fileURLToPath(new URL('../../../cost-calibration.json', import.meta.url));

/** Read a calibration file (`netstack lab calibrate` output) as a cost model. */
export function loadCostModel(file: string = DEFAULT_CALIBRATION): CostModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NetError('ENOENT', `cannot read calibration ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NetError('EINVAL', `calibration ${file} is not JSON: ${(err as Error).message}`);
  }
  return CostModel.fromCalibration(json);
}

/** One line saying where a model's numbers come from. */
export function describeSource(model: CostModel): string {
  const s = model.source;
  return s === null ? 'no source recorded' : `${s.cpuModel}, node ${s.node}, ${s.date.slice(0, 10)} (${s.machine})`;
}
