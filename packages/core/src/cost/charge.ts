import type { World } from '../ns/world.js';

/**
 * The charging hook for packages outside core (ipv4, tcp, drivers): one call of `stage`
 * touching `bytes`, on the CPU running now. One branch when no cost model is on.
 */
export function costCharge(world: World, stage: number, bytes: number): void {
  const cost = world.cost;
  if (cost !== null) cost.charge(stage, bytes);
}
