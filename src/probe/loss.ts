/**
 * The probe losses, computed on the CPU in float64 from the logits the GPU head reads back each step, returning the
 * loss and its gradient (which is uploaded and back-propagated through the head on the GPU). The logits are tiny
 * ((regions per step) × classes), so this costs one small read-back per step and needs no dedicated kernel.
 *
 *   single-label: cross-entropy with a softmax, mean over rows (PyTorch nn.CrossEntropyLoss, reduction "mean"):
 *     loss = −(1/R) Σ_r log softmax(z_r)[y_r];   ∂loss/∂z_rk = (softmax(z_r)_k − [k = y_r]) / R
 *   multi-label:  binary cross-entropy with logits, mean over all R·K values (nn.BCEWithLogitsLoss):
 *     loss = (1/RK) Σ max(z,0) − z·y + log(1 + e^−|z|);   ∂loss/∂z = (σ(z) − y) / (R·K)
 * Rows whose label is negative (ignored) contribute nothing and do not count in R.
 */
import { assert } from '../lib/assert';

export interface LossResult {
  loss: number;
  /** (R, K) gradient of the loss with respect to the logits. */
  dLogits: Float64Array;
}

/** logits (R, K), labels (R) class ids (negative = ignored). */
export function softmaxCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, dims: { R: number; K: number }): LossResult {
  const { R, K } = dims;
  assert(logits.length >= R * K && labels.length >= R, () => `softmaxCrossEntropy: ${logits.length} logits / ${labels.length} labels for (${R}, ${K})`);
  const dLogits = new Float64Array(R * K); // (R, K)
  let used = 0;
  for (let r = 0; r < R; r++) if (labels[r] >= 0) used++;
  if (used === 0) return { loss: 0, dLogits };
  let loss = 0;
  for (let r = 0; r < R; r++) {
    const y = labels[r];
    if (y < 0) continue;
    assert(Number.isInteger(y) && y < K, () => `softmaxCrossEntropy: label ${y} outside 0..${K - 1}`);
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, logits[r * K + k]);
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(logits[r * K + k] - max);
    const lse = max + Math.log(z);
    loss += lse - logits[r * K + y];
    for (let k = 0; k < K; k++) dLogits[r * K + k] = (Math.exp(logits[r * K + k] - lse) - (k === y ? 1 : 0)) / used;
  }
  return { loss: loss / used, dLogits };
}

/** logits (R, K), targets (R, K) in {0, 1}; rows whose first target is negative are ignored. */
export function bceWithLogits(logits: ArrayLike<number>, targets: ArrayLike<number>, dims: { R: number; K: number }): LossResult {
  const { R, K } = dims;
  assert(logits.length >= R * K && targets.length >= R * K, () => `bceWithLogits: ${logits.length} logits / ${targets.length} targets for (${R}, ${K})`);
  const dLogits = new Float64Array(R * K); // (R, K)
  let rows = 0;
  for (let r = 0; r < R; r++) if (targets[r * K] >= 0) rows++;
  if (rows === 0) return { loss: 0, dLogits };
  const n = rows * K;
  let loss = 0;
  for (let r = 0; r < R; r++) {
    if (targets[r * K] < 0) continue;
    for (let k = 0; k < K; k++) {
      const z = logits[r * K + k];
      const y = targets[r * K + k];
      // Numerically stable form of −y·log σ(z) − (1 − y)·log(1 − σ(z)).
      loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dLogits[r * K + k] = (1 / (1 + Math.exp(-z)) - y) / n;
    }
  }
  return { loss: loss / n, dLogits };
}

/** Index of the largest logit per row: (R, K) → (R). */
export function argmaxRows(logits: ArrayLike<number>, dims: { R: number; K: number }): Int32Array {
  const { R, K } = dims;
  const out = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[r * K + k] > logits[r * K + best]) best = k;
    out[r] = best;
  }
  return out;
}
