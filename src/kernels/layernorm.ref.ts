/**
 * Float64 CPU reference for LayerNorm over the last axis, from the PyTorch nn.LayerNorm definition
 *   y = (x − E[x]) / sqrt(Var[x] + eps) · gamma + beta,   Var biased (divide by D),
 * and its gradient (derived from y = xhat·gamma + beta, xhat = (x − μ)·rstd):
 *   dBeta = Σ_r dOut,  dGamma = Σ_r dOut·xhat,  dx = rstd · (g − mean_D(g) − xhat · mean_D(g·xhat)),  g = dOut·gamma.
 * Shapes: x, out, dOut, dx (R, D); gamma, beta, dGamma, dBeta (D); mean, rstd (R).
 */

export interface LayernormRefDims {
  R: number;
  D: number;
}

export function layernormForwardRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  dims: LayernormRefDims & { eps: number },
): { out: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const { R, D, eps } = dims;
  const out = new Float64Array(R * D); // (R, D)
  const mean = new Float64Array(R); // (R)
  const rstd = new Float64Array(R); // (R)
  for (let r = 0; r < R; r++) {
    const o = r * D;
    let s = 0;
    for (let d = 0; d < D; d++) s += x[o + d];
    const mu = s / D;
    let v = 0;
    for (let d = 0; d < D; d++) v += (x[o + d] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / D + eps);
    for (let d = 0; d < D; d++) out[o + d] = (x[o + d] - mu) * rs * gamma[d] + beta[d];
    mean[r] = mu;
    rstd[r] = rs;
  }
  return { out, mean, rstd };
}

export function layernormBackwardRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
  dOut: ArrayLike<number>,
  dims: LayernormRefDims,
): { dx: Float64Array; dGamma: Float64Array; dBeta: Float64Array } {
  const { R, D } = dims;
  const dx = new Float64Array(R * D); // (R, D)
  const dGamma = new Float64Array(D); // (D)
  const dBeta = new Float64Array(D); // (D)
  for (let r = 0; r < R; r++) {
    const o = r * D;
    let meanG = 0;
    let meanGX = 0;
    for (let d = 0; d < D; d++) {
      const xhat = (x[o + d] - mean[r]) * rstd[r];
      const g = dOut[o + d] * gamma[d];
      meanG += g / D;
      meanGX += (g * xhat) / D;
      dGamma[d] += dOut[o + d] * xhat;
      dBeta[d] += dOut[o + d];
    }
    for (let d = 0; d < D; d++) {
      const xhat = (x[o + d] - mean[r]) * rstd[r];
      dx[o + d] = rstd[r] * (dOut[o + d] * gamma[d] - meanG - xhat * meanGX);
    }
  }
  return { dx, dGamma, dBeta };
}
