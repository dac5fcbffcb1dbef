/**
 * Fused AdamW update over a flat parameter buffer (shaders/adamw_update.wgsl): param, grad, m, v (and the optional
 * f32 decay mask, 0 = no weight decay) are all (n) views; one dispatch per storage-binding chunk (one in practice),
 * 2D grid so n may exceed 65535·256.
 *
 * The learning rate and the step's bias corrections live in a 4-float storage buffer ("step scalars") that the
 * training loop rewrites with `writeAdamwStep` before each submit; the recorded dispatches never change. The bias
 * corrections 1 − βᵗ and the 1 − β constants are computed in float64 here, not in f32 on the GPU.
 * param, m and v may share a buffer; grad, the mask and the step scalars must live in other buffers (a dispatch may
 * not use one buffer both read-only and read_write). Reference: adamw.ref.ts (PyTorch torch.optim.AdamW).
 */
import adamwUpdateWgsl from '../../shaders/adamw_update.wgsl?raw';
import { createBufferUnchecked } from '../gpu/buffers';
import { getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import { wholeTensor, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import type { Dispatch } from './dispatch';
import { checkLen, flatDispatches } from './flat';
import { kernelLimits, rangeBinding, type LimitOptions } from './split';

export interface AdamwHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** Floats in the step-scalars buffer: lr, 1 − β1ᵗ, 1 − β2ᵗ, t (as u32). */
export const ADAMW_STEP_ELEMS = 4;

/** The step-scalars record for step t (1-based) at learning rate lr. */
export function adamwStepScalars(hyper: Pick<AdamwHyper, 'beta1' | 'beta2'>, s: { lr: number; step: number }): ArrayBuffer {
  assert(Number.isInteger(s.step) && s.step >= 1, () => `AdamW step must be an integer ≥ 1, got ${s.step}`);
  const buf = new ArrayBuffer(ADAMW_STEP_ELEMS * 4);
  const dv = new DataView(buf);
  dv.setFloat32(0, s.lr, true);
  dv.setFloat32(4, 1 - hyper.beta1 ** s.step, true);
  dv.setFloat32(8, 1 - hyper.beta2 ** s.step, true);
  dv.setUint32(12, s.step, true);
  return buf;
}

/** A step-scalars buffer owned by `scope` (write it with writeAdamwStep before the first update). */
export function createAdamwStepBuffer(scope: ResourceScope, label = 'adamw_update:step'): GpuTensor {
  const buf = scope.track(createBufferUnchecked(scope.device, { label, size: ADAMW_STEP_ELEMS * 4 }));
  return wholeTensor(buf, [ADAMW_STEP_ELEMS], label);
}

/** Queues the write of step t's scalars; takes effect for command buffers submitted after it. */
export function writeAdamwStep(device: GPUDevice, stepBuf: GpuTensor, hyper: Pick<AdamwHyper, 'beta1' | 'beta2'>, s: { lr: number; step: number }): void {
  checkLen('adamw_update', stepBuf, ADAMW_STEP_ELEMS);
  device.queue.writeBuffer(stepBuf.buffer, stepBuf.offset * 4, adamwStepScalars(hyper, s));
}

/** Records the AdamW update of param (n) from grad (n), updating m (n) and v (n) in place. */
export async function adamwUpdate(
  scope: ResourceScope,
  bufs: {
    param: GpuTensor; // (n), updated in place
    grad: GpuTensor; // (n)
    m: GpuTensor; // (n), first moment, in place
    v: GpuTensor; // (n), second moment, in place
    step: GpuTensor; // (4) step scalars, see writeAdamwStep
    decayMask?: GpuTensor; // (n) f32: 1 = decay, 0 = no decay
  },
  dims: { n: number } & AdamwHyper,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const op = 'adamw_update';
  const { n } = dims;
  for (const t of [bufs.param, bufs.grad, bufs.m, bufs.v]) checkLen(op, t, n);
  if (bufs.decayMask) checkLen(op, bufs.decayMask, n);
  checkLen(op, bufs.step, ADAMW_STEP_ELEMS);
  assert(dims.beta1 >= 0 && dims.beta1 < 1 && dims.beta2 >= 0 && dims.beta2 < 1, () => `${op}: betas must be in [0, 1)`);
  assert(dims.eps > 0, () => `${op}: eps must be > 0`);
  const pipeline = await getPipeline(device, { label: op, code: adamwUpdateWgsl, constants: { HAS_MASK: bufs.decayMask ? 1 : 0 } });
  return flatDispatches({
    label: `${op}:${bufs.param.label}`,
    device,
    pipeline,
    count: n,
    limits: kernelLimits(device, opts),
    resources: (c) => {
      const grad = rangeBinding(bufs.grad, c.start, c.count);
      return [
        grad,
        // Without a mask the binding is still in the layout; grad stands in and is never read through it.
        bufs.decayMask ? rangeBinding(bufs.decayMask, c.start, c.count) : grad,
        rangeBinding(bufs.step, 0, ADAMW_STEP_ELEMS),
        rangeBinding(bufs.param, c.start, c.count),
        rangeBinding(bufs.m, c.start, c.count),
        rangeBinding(bufs.v, c.start, c.count),
        scope.uniform(op, [
          ['u32', c.count],
          ['f32', dims.beta1],
          ['f32', dims.beta2],
          ['f32', 1 - dims.beta1],
          ['f32', 1 - dims.beta2],
          ['f32', dims.eps],
          ['f32', dims.weightDecay],
        ]),
      ];
    },
  });
}
