/**
 * Learning-rate schedules, computed on the CPU each step and written to the AdamW kernel's step buffer.
 *
 * MAESTRO uses PyTorch's OneCycleLR (method.md §2.13): pct_start 0.2, div_factor 1000, final_div_factor
 * final_factor/1000 (pretrain: final_factor 1e7), cycle_momentum False, cosine annealing, stepped every iteration.
 * PyTorch's formula (torch/optim/lr_scheduler.py, OneCycleLR, three_phase=False):
 *   initial_lr = max_lr / div_factor,  min_lr = initial_lr / final_div_factor
 *   phase 1: steps [0, pct_start·total − 1]            initial_lr → max_lr
 *   phase 2: steps [pct_start·total − 1, total − 1]    max_lr → min_lr
 *   within a phase, pct = (step − start) / (end − start),  lr = end + (start − end)/2 · (1 + cos(π·pct))
 */

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  /** min_lr = max_lr / divFactor / finalDivFactor. MAESTRO pretrain: 1e7 / 1000 = 1e4. */
  finalDivFactor?: number;
}

export type LrSchedule = { kind: 'one-cycle'; options: OneCycleOptions } | { kind: 'constant'; lr: number };

function cosineAnneal(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (1 + Math.cos(Math.PI * pct));
}

/** Learning rate at 0-based `step` (the rate used for the step-th optimizer update). */
export function oneCycleLr(o: OneCycleOptions, step: number): number {
  const pctStart = o.pctStart ?? 0.2;
  const divFactor = o.divFactor ?? 1000;
  const finalDivFactor = o.finalDivFactor ?? 1e4;
  const initial = o.maxLr / divFactor;
  const min = initial / finalDivFactor;
  const total = o.totalSteps;
  if (total <= 1) return o.maxLr;
  const s = Math.min(Math.max(step, 0), total - 1);
  const warmEnd = pctStart * total - 1;
  if (s <= warmEnd) return cosineAnneal(initial, o.maxLr, warmEnd <= 0 ? 1 : s / warmEnd);
  return cosineAnneal(o.maxLr, min, (s - warmEnd) / (total - 1 - warmEnd));
}

export function learningRate(schedule: LrSchedule, step: number): number {
  return schedule.kind === 'constant' ? schedule.lr : oneCycleLr(schedule.options, step);
}

/** MAESTRO's square-root batch scaling: lr = base_lr · sqrt(effective batch / 3) (method.md §2.13). */
export function maestroLr(baseLr: number, effectiveBatch: number): number {
  return baseLr * Math.sqrt(effectiveBatch / 3);
}
