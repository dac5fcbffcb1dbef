/**
 * Adds the (constant) position and date encodings to a modality's tokens in place (shaders/encoding_forward.wgsl).
 * The tables are computed on the CPU (src/model/encodings.ts): they depend only on the config and the sample dates,
 * cost microseconds to build, and would need bilinear resampling and pooling kernels for no speed gain on the GPU.
 */
import encodingWgsl from '../../shaders/encoding_forward.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import { binding, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import type { EncodingDims } from './encoding.ref';
import { grid2d, kernelLimits } from './split';

export type { EncodingDims };

export async function encodingAdd(
  scope: ResourceScope,
  bufs: { pe: GpuTensor /* (L, D−8) */; de: GpuTensor /* (B, T, 8) */; x: GpuTensor /* (B, rows, D) */ },
  d: EncodingDims,
): Promise<Dispatch> {
  const { device } = scope;
  assert(d.D > 8 && d.R % (d.L * d.T) === 0, () => `encodingAdd: need D > 8 and R a multiple of T·L (${JSON.stringify(d)})`);
  assert(bufs.pe.size >= d.L * (d.D - 8), () => `encodingAdd: pe "${bufs.pe.label}" smaller than (${d.L}, ${d.D - 8})`);
  assert(bufs.de.size >= d.B * d.T * 8, () => `encodingAdd: de "${bufs.de.label}" smaller than (${d.B}, ${d.T}, 8)`);
  const rows = d.rows ?? d.R;
  const row0 = d.row0 ?? 0;
  assert(row0 + d.R <= rows, () => `encodingAdd: rows [${row0}, ${row0 + d.R}) exceed ${rows} rows per batch item`);
  assert(bufs.x.size >= d.B * rows * d.D, () => `encodingAdd: x "${bufs.x.label}" smaller than (${d.B}, ${rows}, ${d.D})`);
  const label = 'encoding_forward';
  const pipeline = await getPipeline(device, { label, code: encodingWgsl });
  const params = scope.uniform(label, [
    ['u32', d.B],
    ['u32', d.R],
    ['u32', d.D],
    ['u32', d.L],
    ['u32', d.T],
    ['u32', rows],
    ['u32', row0],
  ]);
  const name = `${label}:${bufs.x.label}`;
  return {
    label: name,
    pipeline,
    bindGroup: bindGroup(device, pipeline, name, [binding(bufs.pe), binding(bufs.de), binding(bufs.x), params]),
    workgroups: grid2d(cdiv(d.B * d.R * d.D, 256), kernelLimits(device).maxWorkgroupsPerDim),
  };
}
