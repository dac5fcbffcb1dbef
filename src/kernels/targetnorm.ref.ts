/**
 * Float64 CPU reference for the reconstruction-target normalisation (MAE norm_pix_loss, generalised by MAESTRO's
 * patch-group-wise variant, maestro/train/model.py::compute_loss_rec). patches: (R, P·P·C), channel fastest, so a
 * normalisation group k = channels [c0, c0 + C_k) at every one of the P² pixels of a row. Per row and group:
 *   μ = mean over the P²·C_k values,  σ² = Σ(x − μ)² / (P²·C_k − 1)  (torch.var default: UNBIASED),
 *   x̂ = (x − μ) / sqrt(σ² + 1e−6).
 * Modes: 'none' copies; 'patch' is one group of all C channels; 'patch-group' uses `groups` (band counts, summing to C).
 * A group of exactly one value (P = 1, C_k = 1) has no unbiased variance (torch gives NaN); we define σ² = 0 there,
 * so that value normalises to (x − x)/sqrt(1e−6) = 0.
 * Targets are constants of the loss: there is no backward.
 */
/** Throws when a caller breaks the reference's preconditions (a reference imports nothing, so it has its own check). */
function check(cond: boolean, message: string | (() => string)): void {
  if (!cond) throw new Error(typeof message === 'function' ? message() : message);
}

export type TargetNormMode = 'none' | 'patch' | 'patch-group';

export interface TargetNormRefDims {
  R: number;
  P: number;
  C: number;
  mode: TargetNormMode;
  /** Band counts per normalisation group (mode 'patch-group'), summing to C. */
  groups?: readonly number[];
}

/** Variance floor inside the square root (MAE and MAESTRO). */
export const TARGET_NORM_EPS = 1e-6;

/** Band counts of the normalisation groups for a mode ([] for 'none'). */
export function targetNormGroups(dims: Pick<TargetNormRefDims, 'C' | 'mode' | 'groups'>): number[] {
  if (dims.mode === 'none') return [];
  if (dims.mode === 'patch') return [dims.C];
  const groups = dims.groups ?? [];
  check(groups.length > 0, `targetNorm: mode 'patch-group' needs band counts per group`);
  for (const g of groups) check(Number.isInteger(g) && g > 0, `targetNorm: group band count ${g} must be a positive integer`);
  const sum = groups.reduce((a, b) => a + b, 0);
  check(sum === dims.C, `targetNorm: group band counts [${groups.join(', ')}] sum to ${sum}, not C=${dims.C}`);
  return [...groups];
}

/** patches: (R, P·P·C) → normalised (R, P·P·C). */
export function targetNormRef(patches: ArrayLike<number>, dims: TargetNormRefDims): Float64Array {
  const { R, P, C } = dims;
  const V = P * P * C;
  const out = Float64Array.from({ length: R * V }, (_, i) => patches[i]);
  const groups = targetNormGroups(dims);
  for (let r = 0; r < R; r++) {
    let c0 = 0;
    for (const ck of groups) {
      const at = (pix: number, c: number) => r * V + pix * C + c0 + c;
      const m = P * P * ck;
      let sum = 0;
      for (let pix = 0; pix < P * P; pix++) for (let c = 0; c < ck; c++) sum += patches[at(pix, c)];
      const mu = sum / m;
      let sq = 0;
      for (let pix = 0; pix < P * P; pix++) for (let c = 0; c < ck; c++) sq += (patches[at(pix, c)] - mu) ** 2;
      const variance = m > 1 ? sq / (m - 1) : 0;
      const inv = 1 / Math.sqrt(variance + TARGET_NORM_EPS);
      for (let pix = 0; pix < P * P; pix++) for (let c = 0; c < ck; c++) out[at(pix, c)] = (patches[at(pix, c)] - mu) * inv;
      c0 += ck;
    }
  }
  return out;
}
