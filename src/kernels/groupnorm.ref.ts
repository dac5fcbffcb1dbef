/**
 * Float64 CPU reference for GroupNorm(1, E) as MAESTRO applies it after the patch embedding
 * (torch.nn.GroupNorm docs; maestro/layers/embed.py): for every sample s = (batch, date) the statistics cover all
 * L·E values of its token map (masked tokens included), the variance is biased (÷ L·E), and the affine is per channel:
 *   out[s, l, e] = (x[s, l, e] − μ_s) · rstd_s · γ_e + β_e,   rstd_s = 1 / sqrt(σ²_s + eps).
 * Backward (x̂ = (x − μ)·rstd, n = L·E, means over the sample's n values):
 *   dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)),  dx̂ = dOut · γ_e,   dγ_e = Σ_{s,l} dOut·x̂,   dβ_e = Σ_{s,l} dOut.
 */
export interface GroupNormRefDims {
  S: number;
  L: number;
  E: number;
  /** Default 1e-5 (PyTorch's GroupNorm default, used by MAESTRO). */
  eps?: number;
}

/** x: (S, L, E), gamma/beta: (E) → out (S, L, E), mean (S), rstd (S). */
export function groupNormForwardRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  dims: GroupNormRefDims,
): { out: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const { S, L, E } = dims;
  const eps = dims.eps ?? 1e-5;
  const n = L * E;
  const out = new Float64Array(S * n);
  const mean = new Float64Array(S);
  const rstd = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[s * n + i];
    const mu = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (x[s * n + i] - mu) ** 2;
    const r = 1 / Math.sqrt(sq / n + eps);
    mean[s] = mu;
    rstd[s] = r;
    for (let l = 0; l < L; l++) {
      for (let e = 0; e < E; e++) {
        const i = s * n + l * E + e;
        out[i] = (x[i] - mu) * r * gamma[e] + beta[e];
      }
    }
  }
  return { out, mean, rstd };
}

/** Gradients of groupNormForwardRef for dOut (S, L, E): dx (S, L, E), dGamma (E), dBeta (E). */
export function groupNormBackwardRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
  dOut: ArrayLike<number>,
  dims: GroupNormRefDims,
): { dx: Float64Array; dGamma: Float64Array; dBeta: Float64Array } {
  const { S, L, E } = dims;
  const n = L * E;
  const dx = new Float64Array(S * n);
  const dGamma = new Float64Array(E);
  const dBeta = new Float64Array(E);
  for (let s = 0; s < S; s++) {
    let meanDxhat = 0;
    let meanDxhatXhat = 0;
    for (let l = 0; l < L; l++) {
      for (let e = 0; e < E; e++) {
        const i = s * n + l * E + e;
        const xhat = (x[i] - mean[s]) * rstd[s];
        const dxhat = dOut[i] * gamma[e];
        meanDxhat += dxhat;
        meanDxhatXhat += dxhat * xhat;
        dGamma[e] += dOut[i] * xhat;
        dBeta[e] += dOut[i];
      }
    }
    meanDxhat /= n;
    meanDxhatXhat /= n;
    for (let l = 0; l < L; l++) {
      for (let e = 0; e < E; e++) {
        const i = s * n + l * E + e;
        const xhat = (x[i] - mean[s]) * rstd[s];
        dx[i] = rstd[s] * (dOut[i] * gamma[e] - meanDxhat - xhat * meanDxhatXhat);
      }
    }
  }
  return { dx, dGamma, dBeta };
}
