/**
 * Reconstruction-target normalisation on the GPU (shaders/targetnorm_forward.wgsl; formula in targetnorm.ref.ts):
 * patches (R, P·P·C) → normalised targets, per row and per normalisation band group, with the UNBIASED variance and
 * ε = 1e−6 inside the square root (MAE norm_pix_loss, MAESTRO patch-group-wise). Modes 'none' (copy), 'patch' (one
 * group) and 'patch-group' (band counts per group). A single-value group normalises to 0 (σ² defined as 0).
 * Targets are constants of the loss, so there is no backward. Work is split by rows to fit the binding limit.
 */
import targetNormForwardWgsl from '../../shaders/targetnorm_forward.wgsl?raw';
import { createBufferFrom } from '../gpu/buffers';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { binding, wholeTensor, type GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { assert, assertInteger } from '../lib/assert';
import { deviceGrid, maxBindingElems, planChunks, windowOf, type SplitOptions } from './bindingChunks';
import type { Dispatch } from './dispatch';

export type TargetNormMode = 'none' | 'patch' | 'patch-group';

export interface TargetNormDims {
  R: number;
  P: number;
  C: number;
  mode: TargetNormMode;
  /** Band counts per normalisation group (mode 'patch-group'), summing to C. */
  groups?: readonly number[];
}

export interface TargetNormBuffers {
  patches: GpuTensor; // (R, P·P·C), channel fastest
  out: GpuTensor; // (R, P·P·C)
}

/** Invocations per workgroup (a power of two). Rows hold 16…2048 values in MAESTRO's configurations. */
export const TARGETNORM_WG = 64;

/** Band counts of the normalisation groups ([] for 'none'); checked against C. */
function normGroups(dims: TargetNormDims, what: string): number[] {
  if (dims.mode === 'none') return [];
  if (dims.mode === 'patch') return [dims.C];
  const groups = [...(dims.groups ?? [])];
  assert(groups.length > 0, `${what}: mode 'patch-group' needs band counts per group`);
  for (const g of groups) assertInteger(`${what}: group band count`, g, 1);
  const sum = groups.reduce((a, b) => a + b, 0);
  assert(sum === dims.C, () => `${what}: group band counts [${groups.join(', ')}] sum to ${sum}, not C=${dims.C}`);
  return groups;
}

/** out = normalised patches. */
export async function targetNormForward(
  scope: ResourceScope,
  bufs: TargetNormBuffers,
  dims: TargetNormDims,
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'targetnorm_forward';
  const { R, P, C } = dims;
  for (const [k, v] of Object.entries({ R, P, C })) assertInteger(`${label}: ${k}`, v, 1);
  const V = P * P * C;
  assert(bufs.patches.size >= R * V, () => `${label}: patches "${bufs.patches.label}" has ${bufs.patches.size} values, needs ${R}×${V}`);
  assert(bufs.out.size >= R * V, () => `${label}: out "${bufs.out.label}" has ${bufs.out.size} values, needs ${R}×${V}`);
  const groups = normGroups(dims, label);
  const starts = [0];
  for (const g of groups) starts.push(starts[starts.length - 1] + g);
  const pipeline = await getPipeline(device, {
    label,
    code: targetNormForwardWgsl,
    constants: { WG: TARGETNORM_WG, NORMALIZE: dims.mode === 'none' ? 0 : 1 },
  });
  const startsBuf = scope.track(await createBufferFrom(device, `${label}:${bufs.out.label}:groupStart`, Uint32Array.from(starts)));
  const groupStart = wholeTensor(startsBuf, [starts.length]);
  const chunks = planChunks(R, [V], maxBindingElems(device, opts), label);
  return chunks.map(({ start, count }, ci) => {
    const pw = windowOf(bufs.patches, start * V, count * V);
    const ow = windowOf(bufs.out, start * V, count * V);
    const name = `${label}:${bufs.out.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', count],
      ['u32', C],
      ['u32', P * P],
      ['u32', groups.length],
      ['u32', pw.base],
      ['u32', ow.base],
    ]);
    const bg = bindGroup(device, pipeline, name, [pw.binding, binding(groupStart), ow.binding, params]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, count, opts) };
  });
}
