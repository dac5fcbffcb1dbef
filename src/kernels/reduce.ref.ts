/**
 * Float64 CPU references for the reductions, from their definitions: sum, mean and max of all values; the global
 * L2 norm sqrt(Σ g²) over several arrays (torch.nn.utils.clip_grad_norm_'s total_norm); gradient clipping by that
 * norm with factor min(1, maxNorm / (norm + 1e-6)) (clip_grad_norm_); the column sum (M, N) → (N), which is the
 * bias gradient db[n] = Σ_m dY[m, n].
 */
export function sumRef(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

export function meanRef(x: ArrayLike<number>): number {
  if (x.length === 0) throw new Error('meanRef of an empty array');
  return sumRef(x) / x.length;
}

export function maxRef(x: ArrayLike<number>): number {
  if (x.length === 0) throw new Error('maxRef of an empty array');
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  return m;
}

/** sqrt(Σ over all arrays of g²). */
export function globalNormRef(arrays: readonly ArrayLike<number>[]): number {
  let s = 0;
  for (const g of arrays) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** Returns the norm, the applied factor min(1, maxNorm / (norm + 1e-6)) and the scaled copies of the arrays. */
export function clipGradNormRef(
  arrays: readonly ArrayLike<number>[],
  maxNorm: number,
): { norm: number; factor: number; clipped: Float64Array[] } {
  const norm = globalNormRef(arrays);
  const factor = Math.min(1, maxNorm / (norm + 1e-6));
  return { norm, factor, clipped: arrays.map((g) => Float64Array.from(g, (v) => v * factor)) };
}

/** x (M, N) → (N): out[n] = Σ_m x[m, n]. */
export function columnSumRef(x: ArrayLike<number>, dims: { M: number; N: number }): Float64Array {
  const { M, N } = dims;
  const out = new Float64Array(N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) out[n] += x[m * N + n];
  return out;
}
