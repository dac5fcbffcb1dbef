/**
 * Float64 CPU reference for the multi-head self-attention core (vit-pytorch `Attention` between to_qkv and to_out),
 * written from the definition with explicit N×N score matrices — deliberately nothing like the tiled GPU kernels:
 *
 *   q, k, v = qkv.chunk(3, -1), each 'b n (h d) -> b h n d'        S = q·kᵀ · HS^-0.5            (B, NH, N, N)
 *   lse_i = log Σ_j exp(S_ij)       P = softmax(S) = exp(S − lse)    out = P·v, 'b h n d -> b n (h d)'
 *
 * Backward (softmax Jacobian, PyTorch autograd semantics): dV = Pᵀ·dO, dP = dO·vᵀ,
 * dS_ij = P_ij·(dP_ij − Σ_k P_ik·dP_ik), dQ = dS·k·scale, dK = dSᵀ·q·scale.
 *
 * Layout invariant (contract): the last axis of qkv (B, N, 3·NH·HS) is (which ∈ q,k,v ; head h ; dim d), so element
 * (b, n, which, h, d) sits at ((b·N + n)·3 + which)·NH·HS + h·HS + d; out and dOut (B, N, NH·HS) hold heads
 * concatenated at h·HS + d; lse is (B, NH, N).
 */

export interface AttentionRefDims {
  B: number;
  N: number;
  NH: number;
  HS: number;
}

/** Index of (b, n, which, h, d) in qkv (B, N, 3·NH·HS). */
function qkvIndex(dims: AttentionRefDims, b: number, n: number, which: number, h: number, d: number): number {
  const E = dims.NH * dims.HS;
  return ((b * dims.N + n) * 3 + which) * E + h * dims.HS + d;
}

/** Copies one head's q, k or v out of qkv as an (N, HS) matrix. */
function headMatrix(qkv: ArrayLike<number>, dims: AttentionRefDims, b: number, which: number, h: number): Float64Array {
  const { N, HS } = dims;
  const m = new Float64Array(N * HS); // (N, HS)
  for (let n = 0; n < N; n++) for (let d = 0; d < HS; d++) m[n * HS + d] = qkv[qkvIndex(dims, b, n, which, h, d)];
  return m;
}

/** Scaled scores S = q·kᵀ · HS^-0.5 for one (batch, head): (N, N). */
function scores(q: Float64Array, k: Float64Array, N: number, HS: number): Float64Array {
  const scale = 1 / Math.sqrt(HS);
  const S = new Float64Array(N * N); // (N, N)
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let d = 0; d < HS; d++) s += q[i * HS + d] * k[j * HS + d];
      S[i * N + j] = s * scale;
    }
  }
  return S;
}

/** qkv (B, N, 3·NH·HS) → out (B, N, NH·HS) and lse (B, NH, N). */
export function attentionForwardRef(qkv: ArrayLike<number>, dims: AttentionRefDims): { out: Float64Array; lse: Float64Array } {
  const { B, N, NH, HS } = dims;
  const E = NH * HS;
  const out = new Float64Array(B * N * E); // (B, N, NH·HS)
  const lse = new Float64Array(B * NH * N); // (B, NH, N)
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      const q = headMatrix(qkv, dims, b, 0, h); // (N, HS)
      const k = headMatrix(qkv, dims, b, 1, h);
      const v = headMatrix(qkv, dims, b, 2, h);
      const S = scores(q, k, N, HS); // (N, N)
      for (let i = 0; i < N; i++) {
        // Max-shifted log-sum-exp, so large scores do not overflow exp.
        let m = -Infinity;
        for (let j = 0; j < N; j++) m = Math.max(m, S[i * N + j]);
        let sum = 0;
        for (let j = 0; j < N; j++) sum += Math.exp(S[i * N + j] - m);
        const l = m + Math.log(sum);
        lse[(b * NH + h) * N + i] = l;
        for (let d = 0; d < HS; d++) {
          let o = 0;
          for (let j = 0; j < N; j++) o += Math.exp(S[i * N + j] - l) * v[j * HS + d];
          out[(b * N + i) * E + h * HS + d] = o;
        }
      }
    }
  }
  return { out, lse };
}

/**
 * Gradient of the attention core with respect to qkv, given dOut (B, N, NH·HS) and the forward's saved lse.
 * `_out` (B, N, NH·HS) is part of the shared signature because the GPU backward needs it for FlashAttention-2's
 * D_i = dO_i·O_i; this reference derives the same term from the softmax Jacobian, Σ_k P_ik·dP_ik, so the two paths
 * do not share that identity (the unit test checks it separately).
 */
export function attentionBackwardRef(
  qkv: ArrayLike<number>,
  _out: ArrayLike<number>,
  lse: ArrayLike<number>,
  dOut: ArrayLike<number>,
  dims: AttentionRefDims,
): Float64Array {
  const { B, N, NH, HS } = dims;
  const E = NH * HS;
  const scale = 1 / Math.sqrt(HS);
  const dqkv = new Float64Array(B * N * 3 * E); // (B, N, 3·NH·HS)
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      const q = headMatrix(qkv, dims, b, 0, h); // (N, HS)
      const k = headMatrix(qkv, dims, b, 1, h);
      const v = headMatrix(qkv, dims, b, 2, h);
      const dO = new Float64Array(N * HS); // (N, HS)
      for (let n = 0; n < N; n++) for (let d = 0; d < HS; d++) dO[n * HS + d] = dOut[(b * N + n) * E + h * HS + d];
      const S = scores(q, k, N, HS); // (N, N)
      const P = new Float64Array(N * N); // (N, N)
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) P[i * N + j] = Math.exp(S[i * N + j] - lse[(b * NH + h) * N + i]);
      const dP = new Float64Array(N * N); // (N, N) = dO·vᵀ
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let d = 0; d < HS; d++) s += dO[i * HS + d] * v[j * HS + d];
          dP[i * N + j] = s;
        }
      }
      const dS = new Float64Array(N * N); // (N, N) = P ∘ (dP − rowsum(P ∘ dP))
      for (let i = 0; i < N; i++) {
        let rowDot = 0;
        for (let j = 0; j < N; j++) rowDot += P[i * N + j] * dP[i * N + j];
        for (let j = 0; j < N; j++) dS[i * N + j] = P[i * N + j] * (dP[i * N + j] - rowDot);
      }
      for (let n = 0; n < N; n++) {
        for (let d = 0; d < HS; d++) {
          let dq = 0;
          let dk = 0;
          let dv = 0;
          for (let m = 0; m < N; m++) {
            dq += dS[n * N + m] * k[m * HS + d]; // dQ = dS·k
            dk += dS[m * N + n] * q[m * HS + d]; // dK = dSᵀ·q
            dv += P[m * N + n] * dO[m * HS + d]; // dV = Pᵀ·dO
          }
          dqkv[qkvIndex(dims, b, n, 0, h, d)] = dq * scale;
          dqkv[qkvIndex(dims, b, n, 1, h, d)] = dk * scale;
          dqkv[qkvIndex(dims, b, n, 2, h, d)] = dv;
        }
      }
    }
  }
  return dqkv;
}
