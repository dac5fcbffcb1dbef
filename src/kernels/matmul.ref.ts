/**
 * Float64 CPU reference for the batched matmul, written from the definition C[m,n] = Σ_k A[m,k]·B[k,n] (+ bias[n]),
 * with op(A) = Aᵀ when transA and op(B) = Bᵀ when transB. Shapes as in shaders/matmul_forward.wgsl.
 * Also the linear layer's backward (linearBackwardRef), written from the gradient formulas.
 */
export interface MatmulRefDims {
  M: number;
  N: number;
  K: number;
  batch?: number;
  transA?: boolean;
  transB?: boolean;
}

/** a: (batch, M, K) or (batch, K, M); b: (batch, K, N) or (batch, N, K); bias: (N); returns (batch, M, N). */
export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, dims: MatmulRefDims, bias?: ArrayLike<number>): Float64Array {
  const { M, N, K } = dims;
  const batch = dims.batch ?? 1;
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const oa = z * M * K;
    const ob = z * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = bias ? bias[n] : 0;
        for (let k = 0; k < K; k++) {
          const av = dims.transA ? a[oa + k * M + m] : a[oa + m * K + k];
          const bv = dims.transB ? b[ob + n * K + k] : b[ob + k * N + n];
          s += av * bv;
        }
        out[z * M * N + m * N + n] = s;
      }
    }
  }
  return out;
}

/**
 * Gradients of the linear layer y = x·W + b with W stored (in, out) = (K, N), from the definition:
 *   dx[m, k] = Σ_n dy[m, n]·W[k, n]   (dx = dy·Wᵀ)
 *   dW[k, n] = Σ_m x[m, k]·dy[m, n]   (dW = xᵀ·dy)
 *   db[n]    = Σ_m dy[m, n]
 * x: (M, K), w: (K, N), dy: (M, N) → dx (M, K), dw (K, N), db (N).
 */
export function linearBackwardRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
  dims: { M: number; K: number; N: number },
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const { M, K, N } = dims;
  const dx = new Float64Array(M * K);
  const dw = new Float64Array(K * N);
  const db = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const g = dy[m * N + n];
      db[n] += g;
      for (let k = 0; k < K; k++) {
        dx[m * K + k] += g * w[k * N + n];
        dw[k * N + n] += x[m * K + k] * g;
      }
    }
  }
  return { dx, dw, db };
}
