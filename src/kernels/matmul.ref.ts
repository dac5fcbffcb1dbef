/**
 * Float64 CPU reference for the batched matmul, written from the definition C[m,n] = Σ_k A[m,k]·B[k,n] (+ bias[n]),
 * with op(A) = Aᵀ when transA and op(B) = Bᵀ when transB. Shapes as in shaders/matmul_forward.wgsl.
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
