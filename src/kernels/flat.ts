/**
 * Shared dispatch builder for flat element-wise kernels (add, scale, fill, GELU, erf, gradient clipping, AdamW):
 * one invocation per element, FLAT_WG invocations per workgroup, the element range cut into chunks whose bindings
 * fit one storage binding, and each chunk's workgroups laid out on a 2D grid (see split.ts). Shaders compute
 * `i = (wg.y * nwg.x + wg.x) * 256 + lid` and return when `i >= params.count`.
 */
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ParamField, ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import { grid2d, kernelLimits, rangeBinding, splitUnits, type Chunk, type KernelLimits, type LimitOptions } from './split';

/** Invocations per workgroup of every flat kernel (the shaders' @workgroup_size). */
export const FLAT_WG = 256;

/** Asserts that tensor `t` holds at least `n` elements, naming the op and the tensor. */
export function checkLen(op: string, t: GpuTensor, n: number): void {
  assert(t.size >= n, () => `${op}: "${t.label}" has ${t.size} elements, needs ${n}`);
}

export interface FlatSpec {
  label: string;
  device: GPUDevice;
  pipeline: GPUComputePipeline;
  /** Elements to process. */
  count: number;
  limits: KernelLimits;
  /** Bindings for one chunk of elements [chunk.start, chunk.start + chunk.count), in shader order, params last. */
  resources: (chunk: Chunk) => (GPUBuffer | GPUBufferBinding)[];
}

export function flatDispatches(spec: FlatSpec): Dispatch[] {
  assert(Number.isInteger(spec.count) && spec.count >= 0, () => `${spec.label}: element count must be an integer ≥ 0, got ${spec.count}`);
  const perDim = spec.limits.maxWorkgroupsPerDim;
  const chunks = splitUnits(spec.count, 1, spec.limits.maxBindingElems, 64, perDim * perDim * FLAT_WG);
  return chunks.map((c, i) => {
    const label = chunks.length > 1 ? `${spec.label}#${i}` : spec.label;
    return {
      label,
      pipeline: spec.pipeline,
      bindGroup: bindGroup(spec.device, spec.pipeline, label, spec.resources(c)),
      workgroups: grid2d(cdiv(c.count, FLAT_WG), spec.limits.maxWorkgroupsPerDim),
    };
  });
}

/** A flat kernel whose bindings are all the same element range of each tensor, then one uniform block. */
export interface RangeOp {
  /** Kernel name: the pipeline's and the uniforms' label. */
  op: string;
  /** WGSL source (with any library appended). */
  code: string;
  /** Pipeline-overridable constants. */
  constants?: Record<string, number>;
  /** Tensors (each ≥ n elements) in the shader's binding order; the last one names the dispatches. */
  tensors: readonly GpuTensor[];
  /** Uniform fields after the chunk's element count (the shaders' params.count comes first). */
  params?: readonly ParamField[];
}

/**
 * Dispatches of a RangeOp over n elements: every tensor bound at the chunk's range [start, start + count), the
 * uniforms (count, ...params) per chunk. The shape shared by GELU, erf, scale, fill and the EMA update.
 */
export async function rangeOpDispatches(scope: ResourceScope, spec: RangeOp, n: number, opts?: LimitOptions): Promise<Dispatch[]> {
  const { device } = scope;
  for (const t of spec.tensors) checkLen(spec.op, t, n);
  const pipeline = await getPipeline(device, { label: spec.op, code: spec.code, ...(spec.constants ? { constants: spec.constants } : {}) });
  return flatDispatches({
    label: `${spec.op}:${spec.tensors[spec.tensors.length - 1].label}`,
    device,
    pipeline,
    count: n,
    limits: kernelLimits(device, opts),
    resources: (c) => [
      ...spec.tensors.map((t) => rangeBinding(t, c.start, c.count)),
      scope.uniform(spec.op, [['u32', c.count], ...(spec.params ?? [])]),
    ],
  });
}
