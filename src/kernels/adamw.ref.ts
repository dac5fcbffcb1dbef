/**
 * Float64 CPU reference for one AdamW step, written from the PyTorch torch.optim.AdamW algorithm (decoupled weight
 * decay, Loshchilov & Hutter 2019), for a flat parameter vector and step t (1-based):
 *   p ← p − lr·wd·p        (only where decayMask is 1; default everywhere)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   p ← p − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + eps)
 * Inputs are not modified; new arrays are returned.
 */

export interface AdamwRefState {
  param: ArrayLike<number>;
  grad: ArrayLike<number>;
  m: ArrayLike<number>;
  v: ArrayLike<number>;
}

export interface AdamwRefHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count (after incrementing for this update). */
  step: number;
  /** 1 = decay this element, 0 = not (biases, norms, embeddings); default all 1. */
  decayMask?: Uint8Array;
}

export function adamwRef(state: AdamwRefState, h: AdamwRefHyper): { param: Float64Array; m: Float64Array; v: Float64Array } {
  const n = state.param.length;
  const param = new Float64Array(n); // (P)
  const m = new Float64Array(n); // (P)
  const v = new Float64Array(n); // (P)
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  for (let i = 0; i < n; i++) {
    const g = state.grad[i];
    let p = state.param[i];
    if (!h.decayMask || h.decayMask[i]) p -= h.lr * h.weightDecay * p;
    m[i] = h.beta1 * state.m[i] + (1 - h.beta1) * g;
    v[i] = h.beta2 * state.v[i] + (1 - h.beta2) * g * g;
    param[i] = p - (h.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + h.eps);
  }
  return { param, m, v };
}
