/**
 * Exact (erf) GELU forward/backward and the element-wise erf/erfc op, all over flat tensors of any length.
 * The shaders share the f32 erf library shaders/erf.wgsl (appended to each kernel's source); erfForward exists so that
 * library is tested against a float64 erf directly. Element ranges are chunked to fit one storage binding and laid
 * out on 2D grids (flat.ts), so any length that fits a buffer works under default limits.
 */
import erfLibWgsl from '../../shaders/erf.wgsl?raw';
import erfForwardWgsl from '../../shaders/erf_forward.wgsl?raw';
import geluBackwardWgsl from '../../shaders/gelu_backward.wgsl?raw';
import geluForwardWgsl from '../../shaders/gelu_forward.wgsl?raw';
import { getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import type { Dispatch } from './dispatch';
import { checkLen, flatDispatches } from './flat';
import { kernelLimits, rangeBinding, type LimitOptions } from './split';

export interface FlatDims {
  /** Elements to process. */
  n: number;
}

/** out = GELU(x) = x·Φ(x). x, out: (n), in different GPUBuffers. */
export async function geluForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n)
    out: GpuTensor; // (n)
  },
  dims: FlatDims,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  checkLen('gelu_forward', bufs.x, dims.n);
  checkLen('gelu_forward', bufs.out, dims.n);
  const pipeline = await getPipeline(device, { label: 'gelu_forward', code: `${geluForwardWgsl}\n${erfLibWgsl}` });
  return flatDispatches({
    label: `gelu_forward:${bufs.out.label}`,
    device,
    pipeline,
    count: dims.n,
    limits: kernelLimits(device, opts),
    resources: (c) => [
      rangeBinding(bufs.x, c.start, c.count),
      rangeBinding(bufs.out, c.start, c.count),
      scope.uniform('gelu_forward', [['u32', c.count]]),
    ],
  });
}

/** dx = dOut·GELU'(x). x, dOut, dx: (n); dx in a different GPUBuffer from the inputs. */
export async function geluBackward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n)
    dOut: GpuTensor; // (n)
    dx: GpuTensor; // (n)
  },
  dims: FlatDims,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  for (const t of [bufs.x, bufs.dOut, bufs.dx]) checkLen('gelu_backward', t, dims.n);
  const pipeline = await getPipeline(device, { label: 'gelu_backward', code: `${geluBackwardWgsl}\n${erfLibWgsl}` });
  return flatDispatches({
    label: `gelu_backward:${bufs.dx.label}`,
    device,
    pipeline,
    count: dims.n,
    limits: kernelLimits(device, opts),
    resources: (c) => [
      rangeBinding(bufs.x, c.start, c.count),
      rangeBinding(bufs.dOut, c.start, c.count),
      rangeBinding(bufs.dx, c.start, c.count),
      scope.uniform('gelu_backward', [['u32', c.count]]),
    ],
  });
}

/** out = erf(x), or erfc(x) when `complement`. x, out: (n). */
export async function erfForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n)
    out: GpuTensor; // (n)
  },
  dims: FlatDims & { complement?: boolean },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  checkLen('erf_forward', bufs.x, dims.n);
  checkLen('erf_forward', bufs.out, dims.n);
  const pipeline = await getPipeline(device, {
    label: 'erf_forward',
    code: `${erfForwardWgsl}\n${erfLibWgsl}`,
    constants: { COMPLEMENT: dims.complement ? 1 : 0 },
  });
  return flatDispatches({
    label: `erf_forward:${bufs.out.label}`,
    device,
    pipeline,
    count: dims.n,
    limits: kernelLimits(device, opts),
    resources: (c) => [
      rangeBinding(bufs.x, c.start, c.count),
      rangeBinding(bufs.out, c.start, c.count),
      scope.uniform('erf_forward', [['u32', c.count]]),
    ],
  });
}
