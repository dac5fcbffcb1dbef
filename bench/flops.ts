/**
 * Work counts that turn a measured time into a rate: floating-point operations for the compute-bound kernels and
 * bytes moved for the memory-bound ones. The SAME count is used for our kernel and for its TF.js peer, so a rate
 * ratio equals the time ratio; the counts are the operation's essential work, not what either implementation
 * happens to execute (TF.js's composed ops move far more bytes than the formula below says — that is the point).
 *
 * Conventions:
 * - matmul: 2·M·N·K per product (one multiply and one add per term), as every BLAS benchmark counts.
 * - attention: only the matmul-like products, exp/max/sum not counted, as in the FlashAttention-2 paper (§4.1):
 *   forward = S = Q·Kᵀ and O = P·V = 4·B·NH·N²·HS; backward = 2.5 × forward (S recomputed, dV, dP, dQ, dK: five
 *   products of 2·B·NH·N²·HS each); forward+backward = 3.5 × forward.
 * - LayerNorm / GELU: f32 bytes of the tensors the operation must read and write once (inputs, outputs and saved
 *   statistics), the "effective bandwidth" of the memory-bound kernel literature.
 * - FMA micro-kernel: 2 FLOPs per scalar lane of every fma.
 */

import { gridSize, modalityByName, modalityTokens, type MaeConfig } from '../src/model/config';

export const F32 = 4;

export function matmulFlops(M: number, N: number, K: number, batch = 1): number {
  return 2 * M * N * K * batch;
}

export interface AttentionShape {
  B: number;
  NH: number;
  N: number;
  HS: number;
}

export type AttentionPass = 'forward' | 'forward+backward';

export function attentionFlops(s: AttentionShape, pass: AttentionPass): number {
  const forward = 4 * s.B * s.NH * s.N * s.N * s.HS;
  return pass === 'forward' ? forward : 3.5 * forward;
}

export type NormPass = 'forward' | 'backward';

/**
 * LayerNorm over rows of width D. Forward reads x (R, D), gamma and beta (D); writes out (R, D) and the saved mean
 * and rstd (R). Backward reads x, dOut (R, D), gamma (D), mean and rstd (R); writes dx (R, D), dGamma and dBeta (D).
 */
export function layernormBytes(R: number, D: number, pass: NormPass): number {
  if (pass === 'forward') return F32 * (2 * R * D + 2 * D + 2 * R);
  return F32 * (3 * R * D + 3 * D + 2 * R);
}

/** GELU over n elements. Forward reads x, writes out; backward reads x and dOut, writes dx. */
export function geluBytes(n: number, pass: NormPass): number {
  return F32 * (pass === 'forward' ? 2 * n : 3 * n);
}

export interface FmaShape {
  /** Invocations per dispatch. */
  threads: number;
  /** Loop trips per invocation. */
  iterations: number;
  /** Independent vec4 accumulator chains per invocation. */
  chains: number;
  /** fma statements per chain per loop trip. */
  unroll: number;
}

export function fmaFlops(s: FmaShape): number {
  return s.threads * s.iterations * s.chains * s.unroll * 4 * 2;
}

/** Rate in G-units per second (GFLOP/s or GB/s) of `work` done in `ms` milliseconds. */
export function gigaPerSecond(work: number, ms: number): number {
  return work / (ms * 1e6);
}

/**
 * Forward FLOPs of the encoder alone with every token visible (K = N: feature extraction), counted like
 * src/model/estimate.ts: each linear 2·rows·in·out (patch embedding; per block qkv, proj, fc1, fc2) and attention
 * 4·B·N²·D per block; norms, GELU and encodings left out.
 */
export function encoderForwardFlops(config: MaeConfig, B: number): number {
  const E = config.encoder.width;
  const M = E * config.encoder.mlpRatio;
  const blocks = (depth: number, N: number) =>
    depth * (matmulFlops(B * N, 3 * E, E) + matmulFlops(B * N, E, E) + matmulFlops(B * N, M, E) + matmulFlops(B * N, E, M) + 4 * B * N * N * E);
  let flops = 0;
  for (const m of config.modalities) {
    const L = gridSize(m) ** 2;
    for (const Cj of m.tokenGroups) flops += matmulFlops(B * m.dates * L, E, m.patchSize * m.patchSize * Cj);
  }
  const groupN = config.groups.map((g) => g.modalities.reduce((s, name) => s + modalityTokens(modalityByName(config, name)), 0));
  for (const N of groupN) flops += blocks(config.encoder.groupDepth, N);
  if (config.encoder.interDepth > 0) flops += blocks(config.encoder.interDepth, groupN.reduce((a, b) => a + b, 0));
  return flops;
}
