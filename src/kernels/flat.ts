/**
 * Shared dispatch builder for flat element-wise kernels (add, scale, fill, GELU, erf, gradient clipping, AdamW):
 * one invocation per element, FLAT_WG invocations per workgroup, the element range cut into chunks whose bindings
 * fit one storage binding, and each chunk's workgroups laid out on a 2D grid (see split.ts). Shaders compute
 * `i = (wg.y * nwg.x + wg.x) * 256 + lid` and return when `i >= params.count`.
 */
import { bindGroup } from '../gpu/pipelines';
import type { GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import { grid2d, splitUnits, type Chunk, type KernelLimits } from './split';

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
