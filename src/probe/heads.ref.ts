/**
 * Float64 CPU references of the probe heads, written from MAESTRO's definitions (maestro/layers/head.py,
 * method.md §2.12), with straight loops — nothing like the composition of GPU kernels in heads.ts:
 *
 *   AttentiveReduce over a set of N tokens x (N, E) with NH heads of HS = E/NH:
 *     xn = LayerNorm₁(x);  [k | v] = xn · Wkv  (Wkv (E, 2E), no bias; columns (which ∈ k,v ; head h ; dim d))
 *     s_hn = q_h · k_nh · HS^-0.5   (q (E) learned, split into heads the same way)
 *     a_hn = softmax_n(s_hn);  o_h = Σ_n a_hn · v_nh;  out = LayerNorm₂(o)          (no output projection)
 *   mean pooling ("type_head = linear"): out = (1/N) Σ_n x_n
 *   classifier: logits = out · W + b   (W (E, K))
 *
 * Backward, from the chain rule on those formulas: dLN₂ (layernormBackwardRef); dv_nh = a_hn·do_h,
 * da_hn = do_h·v_nh; ds_hn = a_hn·(da_hn − Σ_m a_hm·da_hm) (softmax Jacobian); dq_h = scale·Σ_{r,n} ds·k_nh,
 * dk_nh = scale·ds_hn·q_h; dWkv = xnᵀ·d[k|v]; dxn = d[k|v]·Wkvᵀ; dLN₁.
 * Shapes: x (R, N, E) — R token sets of N tokens each; out (R, E); logits (R, K).
 */
import { layernormBackwardRef, layernormForwardRef } from '../kernels/layernorm.ref';
import { linearBackwardRef, matmulRef } from '../kernels/matmul.ref';

export interface AttentiveRefParams {
  ln1g: ArrayLike<number>; // (E)
  ln1b: ArrayLike<number>; // (E)
  wkv: ArrayLike<number>; // (E, 2E)
  q: ArrayLike<number>; // (E)
  ln2g: ArrayLike<number>; // (E)
  ln2b: ArrayLike<number>; // (E)
}

export interface AttentiveRefDims {
  R: number;
  N: number;
  E: number;
  NH: number;
  eps: number;
}

export interface AttentiveRefGrads {
  dx: Float64Array; // (R, N, E)
  ln1g: Float64Array; // (E)
  ln1b: Float64Array; // (E)
  wkv: Float64Array; // (E, 2E)
  q: Float64Array; // (E)
  ln2g: Float64Array; // (E)
  ln2b: Float64Array; // (E)
}

interface AttentiveCache {
  xn: Float64Array; // (R·N, E)
  mean1: Float64Array; // (R·N)
  rstd1: Float64Array; // (R·N)
  kv: Float64Array; // (R·N, 2E)
  attn: Float64Array; // (R, NH, N)
  o: Float64Array; // (R, E)
  mean2: Float64Array; // (R)
  rstd2: Float64Array; // (R)
}

function attentiveForward(x: ArrayLike<number>, p: AttentiveRefParams, dims: AttentiveRefDims): { out: Float64Array; cache: AttentiveCache } {
  const { R, N, E, NH, eps } = dims;
  const HS = E / NH;
  const scale = 1 / Math.sqrt(HS);
  const ln1 = layernormForwardRef(x, p.ln1g, p.ln1b, { R: R * N, D: E, eps });
  const kv = matmulRef(ln1.out, p.wkv, { M: R * N, N: 2 * E, K: E }); // (R·N, 2E)
  const attn = new Float64Array(R * NH * N); // (R, NH, N)
  const o = new Float64Array(R * E); // (R, E)
  for (let r = 0; r < R; r++) {
    for (let h = 0; h < NH; h++) {
      const s = new Float64Array(N);
      let max = -Infinity;
      for (let n = 0; n < N; n++) {
        let dot = 0;
        for (let d = 0; d < HS; d++) dot += p.q[h * HS + d] * kv[(r * N + n) * 2 * E + h * HS + d];
        s[n] = dot * scale;
        max = Math.max(max, s[n]);
      }
      let z = 0;
      for (let n = 0; n < N; n++) z += Math.exp(s[n] - max);
      for (let n = 0; n < N; n++) {
        const a = Math.exp(s[n] - max) / z;
        attn[(r * NH + h) * N + n] = a;
        for (let d = 0; d < HS; d++) o[r * E + h * HS + d] += a * kv[(r * N + n) * 2 * E + E + h * HS + d];
      }
    }
  }
  const ln2 = layernormForwardRef(o, p.ln2g, p.ln2b, { R, D: E, eps });
  return { out: ln2.out, cache: { xn: ln1.out, mean1: ln1.mean, rstd1: ln1.rstd, kv, attn, o, mean2: ln2.mean, rstd2: ln2.rstd } };
}

/** AttentiveReduce: x (R, N, E) → out (R, E). */
export function attentiveReduceForwardRef(x: ArrayLike<number>, p: AttentiveRefParams, dims: AttentiveRefDims): Float64Array {
  return attentiveForward(x, p, dims).out;
}

/** Softmax weights of the last forward, (R, NH, N): which tokens each head attends to (for inspection and tests). */
export function attentiveWeightsRef(x: ArrayLike<number>, p: AttentiveRefParams, dims: AttentiveRefDims): Float64Array {
  return attentiveForward(x, p, dims).cache.attn;
}

/** Gradients of every input and parameter of AttentiveReduce given dOut (R, E). */
export function attentiveReduceBackwardRef(x: ArrayLike<number>, p: AttentiveRefParams, dOut: ArrayLike<number>, dims: AttentiveRefDims): AttentiveRefGrads {
  const { R, N, E, NH } = dims;
  const HS = E / NH;
  const scale = 1 / Math.sqrt(HS);
  const { cache: c } = attentiveForward(x, p, dims);
  const ln2 = layernormBackwardRef(c.o, p.ln2g, c.mean2, c.rstd2, dOut, { R, D: E });
  const dO = ln2.dx; // (R, E)
  const dkv = new Float64Array(R * N * 2 * E); // (R·N, 2E)
  const dq = new Float64Array(E); // (E)
  for (let r = 0; r < R; r++) {
    for (let h = 0; h < NH; h++) {
      const da = new Float64Array(N);
      for (let n = 0; n < N; n++) {
        const a = c.attn[(r * NH + h) * N + n];
        for (let d = 0; d < HS; d++) {
          const g = dO[r * E + h * HS + d];
          dkv[(r * N + n) * 2 * E + E + h * HS + d] += a * g;
          da[n] += g * c.kv[(r * N + n) * 2 * E + E + h * HS + d];
        }
      }
      let dot = 0;
      for (let n = 0; n < N; n++) dot += c.attn[(r * NH + h) * N + n] * da[n];
      for (let n = 0; n < N; n++) {
        const ds = c.attn[(r * NH + h) * N + n] * (da[n] - dot);
        for (let d = 0; d < HS; d++) {
          dq[h * HS + d] += scale * ds * c.kv[(r * N + n) * 2 * E + h * HS + d];
          dkv[(r * N + n) * 2 * E + h * HS + d] += scale * ds * p.q[h * HS + d];
        }
      }
    }
  }
  const lin = linearBackwardRef(c.xn, p.wkv, dkv, { M: R * N, K: E, N: 2 * E });
  const ln1 = layernormBackwardRef(x, p.ln1g, c.mean1, c.rstd1, lin.dx, { R: R * N, D: E });
  return { dx: ln1.dx, ln1g: ln1.dGamma, ln1b: ln1.dBeta, wkv: lin.dw, q: dq, ln2g: ln2.dGamma, ln2b: ln2.dBeta };
}

/** Mean pooling over the N tokens of each set: x (R, N, E) → (R, E). */
export function meanPoolRef(x: ArrayLike<number>, dims: { R: number; N: number; E: number }): Float64Array {
  const { R, N, E } = dims;
  const out = new Float64Array(R * E); // (R, E)
  for (let r = 0; r < R; r++) for (let n = 0; n < N; n++) for (let e = 0; e < E; e++) out[r * E + e] += x[(r * N + n) * E + e] / N;
  return out;
}

/** logits (R, K) = pooled (R, E) · W (E, K) + b (K). */
export function classifierForwardRef(pooled: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, dims: { R: number; E: number; K: number }): Float64Array {
  return matmulRef(pooled, w, { M: dims.R, N: dims.K, K: dims.E }, b);
}
