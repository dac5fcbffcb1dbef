/**
 * Our side of each benchmark case: allocate inputs (random values) and outputs in a ResourceScope, and record the
 * Dispatches of the kernel under test exactly as the model records them (src/kernels/*). The caller times the
 * Dispatches with bench/gpuTimer.ts and disposes the scope. Runs unchanged in Node (Dawn) and in the bench page.
 */
import fmaPeakWgsl from '../shaders/fma_peak.wgsl?raw';
import { createBufferFrom } from '../../src/gpu/buffers';
import { bindGroup, getPipeline } from '../../src/gpu/pipelines';
import type { ResourceScope } from '../../src/gpu/scope';
import { wholeTensor, type GpuTensor } from '../../src/gpu/tensor';
import { attentionBackward, attentionForward, attentionScratchSize } from '../../src/kernels/attention';
import { submitDispatches, type Dispatch } from '../../src/kernels/dispatch';
import { geluBackward, geluForward } from '../../src/kernels/gelu';
import { layernormBackward, layernormForward } from '../../src/kernels/layernorm';
import { matmulForward } from '../../src/kernels/matmul';
import type { AttentionPass, AttentionShape, FmaShape, NormPass } from '../flops';
import { randomF32 } from './random';

async function tensor(scope: ResourceScope, label: string, shape: readonly number[], seed: number, scale = 1): Promise<GpuTensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = seed === 0 ? new Float32Array(n) : randomF32(n, seed, scale);
  return wholeTensor(scope.track(await createBufferFrom(scope.device, label, data)), shape, label);
}

/** Workgroup size of shaders/fma_peak.wgsl (its WG override). */
export const FMA_WG = 256;
export const FMA_CHAINS = 8;
export const FMA_UNROLL = 4;

/** The FMA micro-kernel over `workgroups` workgroups (a multiple of 64 up to 64·65535 is laid out on a 2D grid). */
export async function fmaPeakOp(scope: ResourceScope, workgroups: number, iterations: number): Promise<{ dispatches: Dispatch[]; shape: FmaShape }> {
  const { device } = scope;
  const x = Math.min(workgroups, 65535);
  const y = Math.ceil(workgroups / x);
  const threads = x * y * FMA_WG;
  const sink = await tensor(scope, 'fma_peak:sink', [threads], 0);
  const pipeline = await getPipeline(device, { label: 'fma_peak', code: fmaPeakWgsl, constants: { WG: FMA_WG } });
  const params = scope.uniform('fma_peak', [
    ['u32', iterations],
    ['f32', 0.9999],
    ['f32', 1e-4],
    ['f32', 0.5],
  ]);
  const bg = bindGroup(device, pipeline, 'fma_peak', [{ buffer: sink.buffer }, params]);
  return {
    dispatches: [{ label: 'fma_peak', pipeline, bindGroup: bg, workgroups: [x, y, 1] }],
    shape: { threads, iterations, chains: FMA_CHAINS, unroll: FMA_UNROLL },
  };
}

/** C (M, N) = A (M, K) · B (K, N), the linear layer's forward product. */
export async function matmulOp(scope: ResourceScope, M: number, N: number, K: number): Promise<Dispatch[]> {
  const a = await tensor(scope, 'A', [M, K], 1); // (M, K)
  const b = await tensor(scope, 'B', [K, N], 2); // (K, N)
  const out = await tensor(scope, 'C', [M, N], 0); // (M, N)
  // One Dispatch, or several when the wrapper splits M to fit binding limits: `flat` accepts either.
  return [await matmulForward(scope, { a, b, out }, { M, N, K })].flat();
}

/**
 * Attention core on qkv (B, N, 3·NH·HS): the forward alone, or forward then backward (the training step's cost:
 * the backward needs the forward's out and lse, and the model runs both every step).
 */
export async function attentionOp(scope: ResourceScope, s: AttentionShape, pass: AttentionPass): Promise<Dispatch[]> {
  const dims = { B: s.B, N: s.N, NH: s.NH, HS: s.HS };
  const E = s.NH * s.HS;
  const qkv = await tensor(scope, 'qkv', [s.B, s.N, 3 * E], 3); // (B, N, 3·NH·HS)
  const out = await tensor(scope, 'out', [s.B, s.N, E], 0); // (B, N, NH·HS)
  const lse = await tensor(scope, 'lse', [s.B, s.NH, s.N], 0); // (B, NH, N)
  const forward = await attentionForward(scope, { qkv, out, lse }, dims);
  if (pass === 'forward') return forward;
  const dOut = await tensor(scope, 'dOut', [s.B, s.N, E], 4); // (B, N, NH·HS)
  const dqkv = await tensor(scope, 'dqkv', [s.B, s.N, 3 * E], 0); // (B, N, 3·NH·HS)
  const delta = await tensor(scope, 'delta', [attentionScratchSize(dims)], 0); // (B, NH, N)
  const backward = await attentionBackward(scope, { qkv, out, lse, dOut, dqkv, delta }, dims);
  return [...forward, ...backward];
}

/** Exact-erf GELU over n elements (the MLP hidden activation (tokens, hidden) flattened). */
export async function geluOp(scope: ResourceScope, n: number, pass: NormPass): Promise<Dispatch[]> {
  const x = await tensor(scope, 'x', [n], 5, 3); // (n), values in [−3, 3): both tails of erf
  if (pass === 'forward') {
    const out = await tensor(scope, 'out', [n], 0); // (n)
    return geluForward(scope, { x, out }, { n });
  }
  const dOut = await tensor(scope, 'dOut', [n], 6); // (n)
  const dx = await tensor(scope, 'dx', [n], 0); // (n)
  return geluBackward(scope, { x, dOut, dx }, { n });
}

/**
 * LayerNorm over rows of x (R, D). The backward's inputs (mean, rstd) come from running the forward once at setup,
 * so it sees the statistics training would give it; only the backward's Dispatches are timed.
 */
export async function layernormOp(scope: ResourceScope, R: number, D: number, eps: number, pass: NormPass): Promise<Dispatch[]> {
  const x = await tensor(scope, 'x', [R, D], 7, 2); // (R, D)
  const gamma = await tensor(scope, 'gamma', [D], 8); // (D)
  const beta = await tensor(scope, 'beta', [D], 9); // (D)
  const out = await tensor(scope, 'out', [R, D], 0); // (R, D)
  const mean = await tensor(scope, 'mean', [R], 0); // (R)
  const rstd = await tensor(scope, 'rstd', [R], 0); // (R)
  const forward = await layernormForward(scope, { x, gamma, beta, out, mean, rstd }, { R, D, eps });
  if (pass === 'forward') return forward;
  submitDispatches(scope.device, forward, 'layernorm_forward (bench setup)');
  const dOut = await tensor(scope, 'dOut', [R, D], 10); // (R, D)
  const dx = await tensor(scope, 'dx', [R, D], 0); // (R, D)
  const dGamma = await tensor(scope, 'dGamma', [D], 0); // (D)
  const dBeta = await tensor(scope, 'dBeta', [D], 0); // (D)
  return layernormBackward(scope, { x, gamma, mean, rstd, dOut, dx, dGamma, dBeta }, { R, D });
}
