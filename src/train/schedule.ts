/**
 * Learning-rate schedule: linear warmup from 0 to `base`, then cosine decay to `floor`.
 *
 * A pure function of the step (no state), so a resumed run gets exactly the rate it would have had.
 */
export interface ScheduleOptions {
  /** Peak learning rate reached at the end of warmup. */
  base: number;
  /** Warmup steps (linear ramp 0 → base over steps 1..warmup). */
  warmup: number;
  /** Total optimiser steps of the run. */
  total: number;
  /** Final rate the cosine decays to (CLIP: 1e-6 for 5e-4). */
  floor: number;
}

/**
 * Learning rate for optimiser step `step` (0-based: the first update is step 0).
 *
 * @example lrAt(0, { base: 1e-3, warmup: 10, total: 100, floor: 0 }) // 1e-4
 */
export function lrAt(step: number, o: ScheduleOptions): number {
  if (o.warmup > 0 && step < o.warmup) return (o.base * (step + 1)) / o.warmup;
  const decaySteps = Math.max(1, o.total - o.warmup);
  const t = Math.min(1, Math.max(0, (step - o.warmup) / decaySteps));
  return o.floor + (o.base - o.floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
