/**
 * Weight EMA (shaders/ema_update.wgsl): ema ← decay·ema + (1 − decay)·param over a flat parameter buffer, one flat
 * dispatch per binding chunk. No backward: the EMA is not trained.
 */
import emaUpdateWgsl from '../../shaders/ema_update.wgsl?raw';
import { getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import type { Dispatch } from './dispatch';
import { checkLen, flatDispatches } from './flat';
import { kernelLimits, rangeBinding, type LimitOptions } from './split';

export async function emaUpdate(
  scope: ResourceScope,
  bufs: { param: GpuTensor /* (n) */; ema: GpuTensor /* (n), in place */ },
  dims: { n: number; decay: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const op = 'ema_update';
  checkLen(op, bufs.param, dims.n);
  checkLen(op, bufs.ema, dims.n);
  assert(dims.decay >= 0 && dims.decay <= 1, () => `${op}: decay must be in [0, 1], got ${dims.decay}`);
  const pipeline = await getPipeline(device, { label: op, code: emaUpdateWgsl });
  return flatDispatches({
    label: `${op}:${bufs.ema.label}`,
    device,
    pipeline,
    count: dims.n,
    limits: kernelLimits(device, opts),
    resources: (c) => [
      rangeBinding(bufs.param, c.start, c.count),
      rangeBinding(bufs.ema, c.start, c.count),
      scope.uniform(op, [
        ['u32', c.count],
        ['f32', dims.decay],
        ['f32', 1 - dims.decay],
      ]),
    ],
  });
}
