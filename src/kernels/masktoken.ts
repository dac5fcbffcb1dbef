/**
 * Mask tokens of a decoder sequence (shaders/masktoken_forward.wgsl, masktoken_backward.wgsl): one learned vector
 * per (modality, token band group) written at that segment's masked positions, and its gradient, the sum of dY over
 * those positions (gathered into a contiguous scratch, then a column sum: deterministic, no float atomics).
 * The visible rows are written by the scatter of the encoder output (gather.ts scatterForward) beforehand.
 */
import masktokenBackwardWgsl from '../../shaders/masktoken_backward.wgsl?raw';
import masktokenForwardWgsl from '../../shaders/masktoken_forward.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import { binding, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import { columnSumForward } from './reduce';
import { grid2d, kernelLimits } from './split';

export interface MaskTokenDims {
  B: number;
  /** Rows of the segment per batch item. */
  R: number;
  D: number;
  /** Rows per batch item of the sequence, and the segment's first row. */
  rows: number;
  row0: number;
}

function check(d: MaskTokenDims, y: GpuTensor, masked: GpuTensor, what: string): void {
  assert(d.row0 + d.R <= d.rows, () => `${what}: rows [${d.row0}, ${d.row0 + d.R}) exceed ${d.rows}`);
  assert(y.size >= d.B * d.rows * d.D, () => `${what}: "${y.label}" smaller than (${d.B}, ${d.rows}, ${d.D})`);
  assert(masked.size >= d.B * d.rows, () => `${what}: mask "${masked.label}" smaller than (${d.B}, ${d.rows})`);
}

function params(scope: ResourceScope, label: string, d: MaskTokenDims, tokenRow = 0): GPUBuffer {
  return scope.uniform(label, [
    ['u32', d.B],
    ['u32', d.R],
    ['u32', d.D],
    ['u32', d.rows],
    ['u32', d.row0],
    ['u32', tokenRow],
  ]);
}

/** y[b, row0 + r] = tokens[tokenRow] where masked[b, row0 + r] = 1. */
export async function maskTokenForward(
  scope: ResourceScope,
  bufs: { token: GpuTensor /* (Gt, D) */; masked: GpuTensor /* (B, rows) */; y: GpuTensor /* (B, rows, D) */ },
  d: MaskTokenDims & { tokenRow?: number },
): Promise<Dispatch> {
  const { device } = scope;
  check(d, bufs.y, bufs.masked, 'maskTokenForward');
  const tokenRow = d.tokenRow ?? 0;
  assert(bufs.token.size >= (tokenRow + 1) * d.D, () => `maskTokenForward: tokens "${bufs.token.label}" have no row ${tokenRow} of width ${d.D}`);
  const label = 'masktoken_forward';
  const pipeline = await getPipeline(device, { label, code: masktokenForwardWgsl });
  const name = `${label}:${bufs.token.label}`;
  return {
    label: name,
    pipeline,
    bindGroup: bindGroup(device, pipeline, name, [binding(bufs.token), binding(bufs.masked), binding(bufs.y), params(scope, label, d, tokenRow)]),
    workgroups: grid2d(cdiv(d.B * d.R * d.D, 256), kernelLimits(device).maxWorkgroupsPerDim),
  };
}

/** dToken (+)= Σ_{masked rows of the range} dY; `scratch` (B·R, D) holds the masked rows in between. */
export async function maskTokenBackward(
  scope: ResourceScope,
  bufs: { dY: GpuTensor /* (B, rows, D) */; masked: GpuTensor; scratch: GpuTensor /* (B·R, D) */; dToken: GpuTensor /* (D) */ },
  d: MaskTokenDims & { accumulate?: boolean },
): Promise<Dispatch[]> {
  const { device } = scope;
  check(d, bufs.dY, bufs.masked, 'maskTokenBackward');
  assert(bufs.scratch.size >= d.B * d.R * d.D, () => `maskTokenBackward: scratch "${bufs.scratch.label}" smaller than (${d.B * d.R}, ${d.D})`);
  const label = 'masktoken_backward';
  const pipeline = await getPipeline(device, { label, code: masktokenBackwardWgsl });
  const name = `${label}:${bufs.dToken.label}`;
  const gatherRows: Dispatch = {
    label: name,
    pipeline,
    bindGroup: bindGroup(device, pipeline, name, [binding(bufs.dY), binding(bufs.masked), binding(bufs.scratch), params(scope, label, d)]),
    workgroups: grid2d(cdiv(d.B * d.R * d.D, 256), kernelLimits(device).maxWorkgroupsPerDim),
  };
  return [gatherRows, ...(await columnSumForward(scope, { x: bufs.scratch, out: bufs.dToken }, { M: d.B * d.R, N: d.D, accumulate: d.accumulate }))];
}
