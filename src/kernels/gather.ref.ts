/**
 * Float64 CPU references for token gather / scatter (MAE models_mae.py::random_masking and forward_decoder;
 * MAESTRO maestro/ssl/mae.py::mask_seq / unmask_seq), written from torch.gather / scatter semantics on the token axis:
 *   gatherRowsRef:            out[b, k, :] = x[b, idx[b, k], :]                          (keep visible tokens)
 *   scatterRowsRef:           out[b, idx[b, k], :] += src[b, k, :], zeros elsewhere     (the backward of gather)
 *   scatterWithMaskTokenRef:  out[b, n, :] = src[b, k, :] if n = idx[b, k], else maskToken[:]   (decoder un-masking)
 *   scatterWithMaskTokenBackwardRef: dSrc[b, k] = dOut[b, idx[b, k]];  dMaskToken = Σ over rows NOT in idx of dOut.
 * Indices are distinct per batch item for the mask-token scatter (they are the kept positions of a mask).
 */
/** Throws when a caller breaks the reference's preconditions (a reference imports nothing, so it has its own check). */
function check(cond: boolean, message: string | (() => string)): void {
  if (!cond) throw new Error(typeof message === 'function' ? message() : message);
}

export interface GatherRefDims {
  B: number;
  N: number;
  K: number;
  D: number;
}

function checkIdx(idx: ArrayLike<number>, dims: GatherRefDims): void {
  for (let i = 0; i < dims.B * dims.K; i++) {
    check(Number.isInteger(idx[i]) && idx[i] >= 0 && idx[i] < dims.N, () => `gather: index ${idx[i]} at ${i} outside [0, ${dims.N})`);
  }
}

/** x: (B, N, D), idx: (B, K) → (B, K, D). */
export function gatherRowsRef(x: ArrayLike<number>, idx: ArrayLike<number>, dims: GatherRefDims): Float64Array {
  const { B, N, K, D } = dims;
  checkIdx(idx, dims);
  const out = new Float64Array(B * K * D);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const n = idx[b * K + k];
      for (let d = 0; d < D; d++) out[(b * K + k) * D + d] = x[(b * N + n) * D + d];
    }
  }
  return out;
}

/** src: (B, K, D), idx: (B, K) → (B, N, D), rows not indexed are zero, repeated indices add up. */
export function scatterRowsRef(src: ArrayLike<number>, idx: ArrayLike<number>, dims: GatherRefDims): Float64Array {
  const { B, N, K, D } = dims;
  checkIdx(idx, dims);
  const out = new Float64Array(B * N * D);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const n = idx[b * K + k];
      for (let d = 0; d < D; d++) out[(b * N + n) * D + d] += src[(b * K + k) * D + d];
    }
  }
  return out;
}

/** Which rows of (B, N) are indexed by idx (B, K): 1 = kept (visible), 0 = masked. */
function keptRows(idx: ArrayLike<number>, dims: GatherRefDims): Uint8Array {
  const { B, N, K } = dims;
  checkIdx(idx, dims);
  const kept = new Uint8Array(B * N);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const row = b * N + idx[b * K + k];
      check(!kept[row], () => `scatter: index ${idx[b * K + k]} repeated in batch item ${b}`);
      kept[row] = 1;
    }
  }
  return kept;
}

/** src: (B, K, D), idx: (B, K) distinct per b, maskToken: (D) → (B, N, D). */
export function scatterWithMaskTokenRef(
  src: ArrayLike<number>,
  idx: ArrayLike<number>,
  maskToken: ArrayLike<number>,
  dims: GatherRefDims,
): Float64Array {
  const { B, N, D } = dims;
  const kept = keptRows(idx, dims);
  const out = scatterRowsRef(src, idx, dims);
  for (let row = 0; row < B * N; row++) {
    if (!kept[row]) for (let d = 0; d < D; d++) out[row * D + d] = maskToken[d];
  }
  return out;
}

/** Gradients of scatterWithMaskTokenRef for dOut (B, N, D): dSrc (B, K, D) and dMaskToken (D). */
export function scatterWithMaskTokenBackwardRef(
  dOut: ArrayLike<number>,
  idx: ArrayLike<number>,
  dims: GatherRefDims,
): { dSrc: Float64Array; dMaskToken: Float64Array } {
  const { B, N, D } = dims;
  const kept = keptRows(idx, dims);
  const dMaskToken = new Float64Array(D);
  for (let row = 0; row < B * N; row++) {
    if (!kept[row]) for (let d = 0; d < D; d++) dMaskToken[d] += dOut[row * D + d];
  }
  return { dSrc: gatherRowsRef(dOut, idx, dims), dMaskToken };
}
