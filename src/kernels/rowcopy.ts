/**
 * Batched row-block copy (shaders/rowcopy_forward.wgsl): concatenation and splitting of token sequences in the MAE
 * graph. src (B, srcRows, D) rows [srcRow0, srcRow0 + R) → dst (B, dstRows, D) rows [dstRow0, dstRow0 + R), for each
 * batch item, optionally accumulating. The backward of a copy is `rowCopy` with src and dst swapped (accumulating
 * when the forward read the same rows more than once).
 */
import rowcopyWgsl from '../../shaders/rowcopy_forward.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import { binding, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import type { RowCopyDims } from './rowcopy.ref';
import { grid2d, kernelLimits } from './split';

export type { RowCopyDims };

export async function rowCopy(scope: ResourceScope, bufs: { src: GpuTensor; dst: GpuTensor }, d: RowCopyDims): Promise<Dispatch> {
  const { device } = scope;
  assert(d.srcRow0 + d.R <= d.srcRows && d.dstRow0 + d.R <= d.dstRows, () => `rowCopy: rows out of range (${JSON.stringify(d)})`);
  assert(bufs.src.size >= d.B * d.srcRows * d.D, () => `rowCopy: src "${bufs.src.label}" smaller than (${d.B}, ${d.srcRows}, ${d.D})`);
  assert(bufs.dst.size >= d.B * d.dstRows * d.D, () => `rowCopy: dst "${bufs.dst.label}" smaller than (${d.B}, ${d.dstRows}, ${d.D})`);
  const label = 'rowcopy_forward';
  const pipeline = await getPipeline(device, { label, code: rowcopyWgsl, constants: { ACCUMULATE: d.accumulate ? 1 : 0 } });
  const params = scope.uniform(label, [
    ['u32', d.B],
    ['u32', d.R],
    ['u32', d.D],
    ['u32', d.srcRows * d.D],
    ['u32', d.srcRow0 * d.D],
    ['u32', d.dstRows * d.D],
    ['u32', d.dstRow0 * d.D],
  ]);
  const limits = kernelLimits(device);
  const name = `${label}:${bufs.src.label}→${bufs.dst.label}`;
  return {
    label: name,
    pipeline,
    bindGroup: bindGroup(device, pipeline, name, [binding(bufs.src), binding(bufs.dst), params]),
    workgroups: grid2d(cdiv(d.B * d.R * d.D, 256), limits.maxWorkgroupsPerDim),
  };
}
