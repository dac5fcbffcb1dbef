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
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import type { Dispatch } from './dispatch';
import { rangeOpDispatches } from './flat';
import type { LimitOptions } from './split';

export interface FlatDims {
  /** Elements to process. */
  n: number;
}

/** out = GELU(x) = x·Φ(x). x, out: (n), in different GPUBuffers. */
export function geluForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n)
    out: GpuTensor; // (n)
  },
  dims: FlatDims,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return rangeOpDispatches(scope, { op: 'gelu_forward', code: `${geluForwardWgsl}\n${erfLibWgsl}`, tensors: [bufs.x, bufs.out] }, dims.n, opts);
}

/** dx = dOut·GELU'(x). x, dOut, dx: (n); dx in a different GPUBuffer from the inputs. */
export function geluBackward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n)
    dOut: GpuTensor; // (n)
    dx: GpuTensor; // (n)
  },
  dims: FlatDims,
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return rangeOpDispatches(scope, { op: 'gelu_backward', code: `${geluBackwardWgsl}\n${erfLibWgsl}`, tensors: [bufs.x, bufs.dOut, bufs.dx] }, dims.n, opts);
}

/** out = erf(x), or erfc(x) when `complement`. x, out: (n). */
export function erfForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (n)
    out: GpuTensor; // (n)
  },
  dims: FlatDims & { complement?: boolean },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const spec = { op: 'erf_forward', code: `${erfForwardWgsl}\n${erfLibWgsl}`, constants: { COMPLEMENT: dims.complement ? 1 : 0 }, tensors: [bufs.x, bufs.out] };
  return rangeOpDispatches(scope, spec, dims.n, opts);
}
