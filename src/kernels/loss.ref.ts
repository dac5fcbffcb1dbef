/**
 * Float64 CPU reference for the masked reconstruction loss (MAE models_mae.py::forward_loss; MAESTRO
 * maestro/train/model.py::compute_loss_rec, `masked_select(...).mean()`): over the rows r with mask[r] = 1 (masked
 * tokens), the mean over all their V values of |pred − target| (l1) or (pred − target)² (l2); 0 when no row is masked.
 *   loss = Σ_{r masked} Σ_v e(pred − target) / (M · V),  M = number of masked rows.
 * Backward: dPred = scale · ∂loss/∂pred = scale · g(pred − target) / (M · V) on masked rows, 0 elsewhere, with
 * g = sign (sign(0) = 0) for l1 and g(d) = 2d for l2. `scale` is the modality weight w_m / Σ w.
 */
export type MaskedLossKind = 'l1' | 'l2';

export interface MaskedLossRefDims {
  R: number;
  V: number;
  kind: MaskedLossKind;
}

function maskedRows(mask: ArrayLike<number>, R: number): number {
  let m = 0;
  for (let r = 0; r < R; r++) if (mask[r] === 1) m++;
  return m;
}

/** pred, target: (R, V); mask: (R), 1 = masked → scalar loss. */
export function maskedLossForwardRef(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  mask: ArrayLike<number>,
  dims: MaskedLossRefDims,
): number {
  const { R, V } = dims;
  const M = maskedRows(mask, R);
  if (M === 0) return 0;
  let sum = 0;
  for (let r = 0; r < R; r++) {
    if (mask[r] !== 1) continue;
    for (let v = 0; v < V; v++) {
      const d = pred[r * V + v] - target[r * V + v];
      sum += dims.kind === 'l1' ? Math.abs(d) : d * d;
    }
  }
  return sum / (M * V);
}

/** dPred (R, V) = scale · ∂loss/∂pred. */
export function maskedLossBackwardRef(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  mask: ArrayLike<number>,
  dims: MaskedLossRefDims,
  scale = 1,
): Float64Array {
  const { R, V } = dims;
  const dPred = new Float64Array(R * V);
  const M = maskedRows(mask, R);
  if (M === 0) return dPred;
  for (let r = 0; r < R; r++) {
    if (mask[r] !== 1) continue;
    for (let v = 0; v < V; v++) {
      const d = pred[r * V + v] - target[r * V + v];
      dPred[r * V + v] = (scale * (dims.kind === 'l1' ? Math.sign(d) : 2 * d)) / (M * V);
    }
  }
  return dPred;
}
