/**
 * The linear layer y = x·W + b with W stored (in, out) = (K, N), composed from the matmul kernel and the column sum:
 *   forward   y (M, N) = x (M, K) · W (K, N) + b           matmul
 *   backward  dx (M, K) = dy · Wᵀ                           matmul, transB
 *             dW (K, N) = xᵀ · dy                           matmul, transA (split-K when x exceeds one binding)
 *             db (N)    = Σ_rows dy                         column sum
 * `accumulate` adds into dW and db (parameter gradients shared across calls, e.g. micro-batches); `accumulateDx` adds
 * into dx (a residual stream receiving several branches). Reference: linearBackwardRef in matmul.ref.ts.
 */
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import type { Dispatch } from './dispatch';
import { matmulForward } from './matmul';
import { columnSumForward } from './reduce';
import type { LimitOptions } from './split';

export interface LinearDims {
  M: number;
  K: number;
  N: number;
}

/** y (M, N) = x (M, K) · w (K, N) (+ b (N)). */
export function linearForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (M, K)
    w: GpuTensor; // (K, N)
    b?: GpuTensor; // (N)
    y: GpuTensor; // (M, N)
  },
  dims: LinearDims,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return matmulForward(scope, { a: bufs.x, b: bufs.w, bias: bufs.b, out: bufs.y }, { M: dims.M, N: dims.N, K: dims.K }, opts);
}

/** dx (M, K), dw (K, N), db (N) from x (M, K), w (K, N), dy (M, N); dx and db are optional outputs. */
export async function linearBackward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (M, K)
    w: GpuTensor; // (K, N)
    dy: GpuTensor; // (M, N)
    dx?: GpuTensor; // (M, K)
    dw: GpuTensor; // (K, N)
    db?: GpuTensor; // (N)
  },
  dims: LinearDims & { accumulate?: boolean; accumulateDx?: boolean },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { M, K, N } = dims;
  const dispatches: Dispatch[] = [];
  if (bufs.dx) {
    // dx = dy (M, N) · Wᵀ, with W read as (N', K') = (K, N) transposed.
    dispatches.push(
      ...(await matmulForward(scope, { a: bufs.dy, b: bufs.w, out: bufs.dx }, { M, N: K, K: N, transB: true, accumulate: dims.accumulateDx }, opts)),
    );
  }
  // dW = xᵀ (K, M) · dy (M, N), with x read as (K', M') = (M, K) transposed.
  dispatches.push(
    ...(await matmulForward(scope, { a: bufs.x, b: bufs.dy, out: bufs.dw }, { M: K, N, K: M, transA: true, accumulate: dims.accumulate }, opts)),
  );
  if (bufs.db) dispatches.push(...(await columnSumForward(scope, { x: bufs.dy, out: bufs.db }, { M, N, accumulate: dims.accumulate }, opts)));
  return dispatches;
}
