/**
 * Batched matmul / linear layer: C = op(A)·op(B) (+ bias) (+ C). One shader (shaders/matmul_forward.wgsl)
 * specialised by override constants serves the forward (Y = X·W + b) and both backward products
 * (dX = dY·Wᵀ with transB, dW = Xᵀ·dY with transA). The bias gradient is a column sum (reduce.ts; linear.ts
 * composes the three).
 *
 * Default limits: when an operand's range exceeds one storage binding (128 MiB by default) or the grid would exceed
 * maxComputeWorkgroupsPerDimension, the product is split into several dispatches:
 *   - batch items are grouped so each group's A, B, C ranges fit;
 *   - a single too-large item is split along M (rows of A and C, multiples of the 64-row tile) when A is not
 *     transposed, or along K (split-K: rows of A (K, M) and B (K, N), later slices accumulating into C, bias only on
 *     the first) for dW = Xᵀ·dY, whose X is the large operand.
 * Ranges are bound from the 256-byte-aligned address below their start; the remainder goes to offsetA/B/C.
 */
import matmulForwardWgsl from '../../shaders/matmul_forward.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import { alignedRange, kernelLimits, rangeBinding, type KernelLimits, type LimitOptions } from './split';

export interface MatmulDims {
  M: number;
  N: number;
  K: number;
  /** Independent products, each with its own A, B, C slices (default 1). */
  batch?: number;
  /** Element strides between batch items (default: dense M·K, K·N, M·N; 0 broadcasts an operand). */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  transA?: boolean;
  transB?: boolean;
  /** C += op(A)·op(B) instead of C = … (gradient accumulation). */
  accumulate?: boolean;
}

export interface MatmulBuffers {
  a: GpuTensor; // (batch, M, K) or (batch, K, M) when transA
  b: GpuTensor; // (batch, K, N) or (batch, N, K) when transB
  bias?: GpuTensor; // (N)
  out: GpuTensor; // (batch, M, N)
}

/** Rows and columns of C computed by one workgroup; the dispatch grid is derived from it. */
export const MATMUL_TILE = 64;

/** Alignment slack of a bound range (alignedRange may start up to 63 elements early). */
const SLACK = 63;

/** One dispatch's share of the product: batch items [z0, z0 + zCount), rows [m0, +mCount), K-slice [k0, +kCount). */
export interface MatmulPiece {
  z0: number;
  zCount: number;
  m0: number;
  mCount: number;
  k0: number;
  kCount: number;
}

/** Element extent of `count` batch items of `per` elements each, `stride` apart. */
const extent = (count: number, stride: number, per: number) => (count - 1) * stride + per;

/** Splits the product into pieces whose bindings and grids fit `limits` (see the header). Exported for tests. */
export function planMatmul(dims: MatmulDims, limits: KernelLimits): MatmulPiece[] {
  const { M, N, K } = dims;
  const batch = dims.batch ?? 1;
  const sA = dims.strideA ?? M * K;
  const sB = dims.strideB ?? K * N;
  const sC = dims.strideC ?? M * N;
  const maxE = limits.maxBindingElems - SLACK;
  const perDim = limits.maxWorkgroupsPerDim;
  assert(cdiv(N, MATMUL_TILE) <= perDim, () => `matmul: N=${N} needs more than ${perDim} workgroups in x`);
  const whole = { m0: 0, mCount: M, k0: 0, kCount: K };
  const itemFits = M * K <= maxE && K * N <= maxE && M * N <= maxE && cdiv(M, MATMUL_TILE) <= perDim;
  const groupFits = (g: number) =>
    g <= perDim && extent(g, sA, M * K) <= maxE && extent(g, sB, K * N) <= maxE && extent(g, sC, M * N) <= maxE;
  if (itemFits && groupFits(batch)) return [{ z0: 0, zCount: batch, ...whole }];
  const pieces: MatmulPiece[] = [];
  if (itemFits) {
    let g = 1;
    while (g < batch && groupFits(g + 1)) g++;
    for (let z0 = 0; z0 < batch; z0 += g) pieces.push({ z0, zCount: Math.min(g, batch - z0), ...whole });
    return pieces;
  }
  for (let z = 0; z < batch; z++) {
    if (!dims.transA) {
      assert(K * N <= maxE, () => `matmul: B (${K}×${N}) does not fit one storage binding`);
      const fit = Math.min(Math.floor(maxE / Math.max(K, N)), perDim * MATMUL_TILE);
      const rows = Math.floor(fit / MATMUL_TILE) * MATMUL_TILE;
      assert(rows > 0, () => `matmul: 64 rows of A (K=${K}) or C (N=${N}) do not fit one storage binding`);
      for (let m0 = 0; m0 < M; m0 += rows) pieces.push({ z0: z, zCount: 1, m0, mCount: Math.min(rows, M - m0), k0: 0, kCount: K });
    } else {
      // dW = Xᵀ·dY: A (K, M) is the big activation; split its rows (the reduction axis) and accumulate.
      assert(!dims.transB, 'matmul: an operand too large for one binding with both transA and transB is not supported');
      assert(M * N <= maxE && cdiv(M, MATMUL_TILE) <= perDim, () => `matmul: C (${M}×${N}) does not fit one binding / grid`);
      const ks = Math.floor(maxE / Math.max(M, N));
      assert(ks > 0, () => `matmul: one row of A (M=${M}) or B (N=${N}) does not fit one storage binding`);
      for (let k0 = 0; k0 < K; k0 += ks) pieces.push({ z0: z, zCount: 1, m0: 0, mCount: M, k0, kCount: Math.min(ks, K - k0) });
    }
  }
  return pieces;
}

export async function matmulForward(
  scope: ResourceScope,
  bufs: MatmulBuffers,
  dims: MatmulDims,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const { M, N, K } = dims;
  const batch = dims.batch ?? 1;
  const strideA = dims.strideA ?? M * K;
  const strideB = dims.strideB ?? K * N;
  const strideC = dims.strideC ?? M * N;
  assert(batch >= 1 && M >= 1 && N >= 1 && K >= 1, () => `matmul: empty product ${batch}×${M}×${K}×${N}`);
  assert(bufs.a.size >= (batch - 1) * strideA + M * K, () => `matmul: A "${bufs.a.label}" too small for ${batch}×${M}×${K}`);
  assert(bufs.b.size >= (batch - 1) * strideB + K * N, () => `matmul: B "${bufs.b.label}" too small for ${batch}×${K}×${N}`);
  assert(bufs.out.size >= (batch - 1) * strideC + M * N, () => `matmul: C "${bufs.out.label}" too small for ${batch}×${M}×${N}`);
  if (bufs.bias) assert(bufs.bias.size >= N, () => `matmul: bias "${bufs.bias!.label}" shorter than N=${N}`);
  const label = 'matmul_forward';
  const pipelineFor = (accumulate: boolean, bias: boolean) =>
    getPipeline(device, {
      label,
      code: matmulForwardWgsl,
      constants: {
        TRANS_A: dims.transA ? 1 : 0,
        TRANS_B: dims.transB ? 1 : 0,
        HAS_BIAS: bias ? 1 : 0,
        ACCUMULATE: accumulate ? 1 : 0,
      },
    });
  const pieces = planMatmul(dims, kernelLimits(device, opts));
  const dispatches: Dispatch[] = [];
  for (const [i, p] of pieces.entries()) {
    const l = `${label}:${bufs.out.label}${pieces.length > 1 ? `#${i}` : ''}`;
    // Later K-slices add onto the first one's result, which already holds the bias.
    const first = p.k0 === 0;
    const pipeline = await pipelineFor(!first || !!dims.accumulate, first && !!bufs.bias);
    const a = dims.transA
      ? alignedRange(bufs.a, p.z0 * strideA + p.k0 * M, extent(p.zCount, strideA, p.kCount * M))
      : alignedRange(bufs.a, p.z0 * strideA + p.m0 * K, extent(p.zCount, strideA, p.mCount * K));
    const b = dims.transA
      ? alignedRange(bufs.b, p.z0 * strideB + p.k0 * N, extent(p.zCount, strideB, p.kCount * N))
      : alignedRange(bufs.b, p.z0 * strideB, extent(p.zCount, strideB, K * N));
    const c = alignedRange(bufs.out, p.z0 * strideC + p.m0 * N, extent(p.zCount, strideC, p.mCount * N));
    const params = scope.uniform(l, [
      ['u32', p.mCount],
      ['u32', N],
      ['u32', p.kCount],
      ['u32', strideA],
      ['u32', strideB],
      ['u32', strideC],
      ['u32', a.rem],
      ['u32', b.rem],
      ['u32', c.rem],
    ]);
    // Without a bias the binding is still part of the layout (static use); A stands in, never read.
    const bg = bindGroup(device, pipeline, l, [a.binding, b.binding, bufs.bias ? rangeBinding(bufs.bias, 0, N) : a.binding, c.binding, params]);
    dispatches.push({ label: l, pipeline, bindGroup: bg, workgroups: [cdiv(N, MATMUL_TILE), cdiv(p.mCount, MATMUL_TILE), p.zCount] });
  }
  return dispatches;
}
