/**
 * Element-wise ops over flat f32 tensors: residual add (out = a + b), in-place accumulation (out += x, also how
 * branch gradients meet at a residual), broadcast bias / positional-embedding add over rows, in-place scale, and
 * fill (zeroing gradient buffers every step). All lengths work under default limits: element ranges are chunked to
 * one storage binding and laid out on 2D grids (flat.ts). Outputs must live in other GPUBuffers than the inputs:
 * WebGPU rejects a dispatch that uses one buffer both read-only and read_write, even through disjoint ranges.
 */
import addForwardWgsl from '../../shaders/add_forward.wgsl?raw';
import fillForwardWgsl from '../../shaders/fill_forward.wgsl?raw';
import scaleForwardWgsl from '../../shaders/scale_forward.wgsl?raw';
import { getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import type { Dispatch } from './dispatch';
import { checkLen, flatDispatches, rangeOpDispatches } from './flat';
import { kernelLimits, rangeBinding, type LimitOptions } from './split';

/**
 * Shared body of add / accumulate: `a` null means out += b. b (bLen) repeats along out (n); bLen must divide n
 * when it is shorter, i.e. a row broadcast.
 */
async function addDispatches(
  scope: ResourceScope,
  a: GpuTensor | null,
  b: GpuTensor,
  out: GpuTensor,
  n: number,
  bLen: number,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'add_forward';
  assert(Number.isInteger(bLen) && bLen >= 1 && n % bLen === 0, () => `${label}: broadcast length ${bLen} must divide n=${n}`);
  if (a) checkLen(label, a, n);
  checkLen(label, b, bLen);
  checkLen(label, out, n);
  const limits = kernelLimits(device, opts);
  const broadcast = bLen !== n;
  assert(!broadcast || bLen <= limits.maxBindingElems, () => `${label}: broadcast operand "${b.label}" (${bLen}) exceeds one binding`);
  const pipeline = await getPipeline(device, {
    label,
    code: addForwardWgsl,
    constants: { ACCUMULATE: a ? 0 : 1, BROADCAST: broadcast ? 1 : 0 },
  });
  return flatDispatches({
    label: `${label}:${out.label}`,
    device,
    pipeline,
    count: n,
    limits,
    resources: (c) => {
      // A broadcast b is bound whole (bPhase locates the chunk start in it); otherwise the same range as out.
      const bBinding = broadcast ? rangeBinding(b, 0, bLen) : rangeBinding(b, c.start, c.count);
      return [
        a ? rangeBinding(a, c.start, c.count) : bBinding,
        bBinding,
        rangeBinding(out, c.start, c.count),
        scope.uniform(label, [
          ['u32', c.count],
          ['u32', bLen],
          ['u32', c.start % bLen],
        ]),
      ];
    },
  });
}

/** out = a + b (n). With bLen < n, b (bLen) is repeated: out[i] = a[i] + b[i mod bLen]. */
export function addForward(
  scope: ResourceScope,
  bufs: {
    a: GpuTensor; // (n)
    b: GpuTensor; // (n) or (bLen)
    out: GpuTensor; // (n)
  },
  dims: { n: number; bLen?: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return addDispatches(scope, bufs.a, bufs.b, bufs.out, dims.n, dims.bLen ?? dims.n, opts);
}

/** out += x (n), in place; with xLen < n, x (xLen) is repeated: out[i] += x[i mod xLen]. */
export function accumulateForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n) or (xLen)
    out: GpuTensor; // (n)
  },
  dims: { n: number; xLen?: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return addDispatches(scope, null, bufs.x, bufs.out, dims.n, dims.xLen ?? dims.n, opts);
}

/**
 * Row broadcast: out (R, C) = x (R, C) + bias (C), or out += bias in place when x is omitted. Also the positional
 * embedding add, with R = B and C = N·D.
 */
export function biasAddForward(
  scope: ResourceScope,
  bufs: {
    x?: GpuTensor; // (R, C)
    bias: GpuTensor; // (C)
    out: GpuTensor; // (R, C)
  },
  dims: { R: number; C: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return addDispatches(scope, bufs.x ?? null, bufs.bias, bufs.out, dims.R * dims.C, dims.C, opts);
}

/** x *= scale (n), in place. */
export function scaleForward(
  scope: ResourceScope,
  bufs: { x: GpuTensor /* (n) */ },
  dims: { n: number; scale: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return rangeOpDispatches(scope, { op: 'scale_forward', code: scaleForwardWgsl, tensors: [bufs.x], params: [['f32', dims.scale]] }, dims.n, opts);
}

/** out = value (n), default 0: zeroes gradient buffers inside the step's compute pass. */
export function fillForward(
  scope: ResourceScope,
  bufs: { out: GpuTensor /* (n) */ },
  dims: { n: number; value?: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return rangeOpDispatches(scope, { op: 'fill_forward', code: fillForwardWgsl, tensors: [bufs.out], params: [['f32', dims.value ?? 0]] }, dims.n, opts);
}
