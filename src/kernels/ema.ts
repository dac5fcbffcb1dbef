/**
 * Weight EMA (shaders/ema_update.wgsl): ema ← decay·ema + (1 − decay)·param over a flat parameter buffer, one flat
 * dispatch per binding chunk. No backward: the EMA is not trained.
 */
import emaUpdateWgsl from '../../shaders/ema_update.wgsl?raw';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import type { Dispatch } from './dispatch';
import { rangeOpDispatches } from './flat';
import type { LimitOptions } from './split';

export async function emaUpdate(
  scope: ResourceScope,
  bufs: { param: GpuTensor /* (n) */; ema: GpuTensor /* (n), in place */ },
  dims: { n: number; decay: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const op = 'ema_update';
  assert(dims.decay >= 0 && dims.decay <= 1, () => `${op}: decay must be in [0, 1], got ${dims.decay}`);
  const params = [['f32', dims.decay], ['f32', 1 - dims.decay]] as const;
  return rangeOpDispatches(scope, { op, code: emaUpdateWgsl, tensors: [bufs.param, bufs.ema], params }, dims.n, opts);
}
