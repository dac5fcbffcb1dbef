/**
 * Batched matmul / linear layer: C = op(A)·op(B) (+ bias) (+ C). One shader (shaders/matmul_forward.wgsl)
 * specialised by override constants serves the forward (Y = X·W + b) and both backward products
 * (dX = dY·Wᵀ with transB, dW = Xᵀ·dY with transA). The bias gradient is a column sum (see reduce kernels).
 */
import matmulForwardWgsl from '../../shaders/matmul_forward.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { binding, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import type { ResourceScope } from '../gpu/scope';
import { cdiv, type Dispatch } from './dispatch';

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

export async function matmulForward(scope: ResourceScope, bufs: MatmulBuffers, dims: MatmulDims): Promise<Dispatch> {
  const { device } = scope;
  const { M, N, K } = dims;
  const batch = dims.batch ?? 1;
  const strideA = dims.strideA ?? M * K;
  const strideB = dims.strideB ?? K * N;
  const strideC = dims.strideC ?? M * N;
  assert(bufs.a.size >= (batch - 1) * strideA + M * K, () => `matmul: A "${bufs.a.label}" too small for ${batch}×${M}×${K}`);
  assert(bufs.b.size >= (batch - 1) * strideB + K * N, () => `matmul: B "${bufs.b.label}" too small for ${batch}×${K}×${N}`);
  assert(bufs.out.size >= (batch - 1) * strideC + M * N, () => `matmul: C "${bufs.out.label}" too small for ${batch}×${M}×${N}`);
  if (bufs.bias) assert(bufs.bias.size >= N, () => `matmul: bias "${bufs.bias!.label}" shorter than N=${N}`);
  const label = 'matmul_forward';
  const pipeline = await getPipeline(device, {
    label,
    code: matmulForwardWgsl,
    constants: {
      TRANS_A: dims.transA ? 1 : 0,
      TRANS_B: dims.transB ? 1 : 0,
      HAS_BIAS: bufs.bias ? 1 : 0,
      ACCUMULATE: dims.accumulate ? 1 : 0,
    },
  });
  const params = scope.uniform(label, [
    ['u32', M],
    ['u32', N],
    ['u32', K],
    ['u32', strideA],
    ['u32', strideB],
    ['u32', strideC],
  ]);
  // Without a bias the binding is still part of the layout (static use); A stands in, never read.
  const bg = bindGroup(device, pipeline, `${label}:${bufs.out.label}`, [
    binding(bufs.a),
    binding(bufs.b),
    binding(bufs.bias ?? bufs.a),
    binding(bufs.out),
    params,
  ]);
  return { label: `${label}:${bufs.out.label}`, pipeline, bindGroup: bg, workgroups: [cdiv(N, MATMUL_TILE), cdiv(M, MATMUL_TILE), batch] };
}
