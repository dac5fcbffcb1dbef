/**
 * Masked reconstruction loss on the GPU (formulas in loss.ref.ts; shaders loss_forward, loss_forward_reduce,
 * loss_backward). Per modality:
 *   maskedLossForward:  stats[o] = mean over all values of masked rows of |pred − target| (l1) or (pred − target)²
 *                       (l2), 0 when nothing is masked; stats[o + 1] = number of masked rows M. Two fixed-order stages
 *                       (row-block partials, then one workgroup), no atomics: the same inputs give the same bits.
 *   maskedLossBackward: dPred = scale · ∂loss/∂pred, reading M from stats; unmasked rows get 0. `scale` (the modality
 *                       weight w_m / Σw) is a number (uniform) or one value of a storage tensor.
 * mask is an f32 tensor (R) of 1 (masked) / 0 (visible). Work is split by rows to fit the binding limit.
 */
import lossForwardWgsl from '../../shaders/loss_forward.wgsl?raw';
import lossForwardReduceWgsl from '../../shaders/loss_forward_reduce.wgsl?raw';
import lossBackwardWgsl from '../../shaders/loss_backward.wgsl?raw';
import { createBuffer } from '../gpu/buffers';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { binding, wholeTensor, type GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { assert, assertInteger } from '../lib/assert';
import { deviceGrid, maxBindingElems, planChunks, windowOf, type SplitOptions } from './bindingChunks';
import { cdiv, type Dispatch } from './dispatch';

export type MaskedLossKind = 'l1' | 'l2';

export interface MaskedLossDims {
  R: number;
  V: number;
  kind: MaskedLossKind;
  /** Where in `stats` the (loss, M) pair lives (default 0), so one small buffer can hold every modality's loss. */
  statsOffset?: number;
}

export interface MaskedLossForwardBuffers {
  pred: GpuTensor; // (R, V)
  target: GpuTensor; // (R, V), normalised targets
  mask: GpuTensor; // (R), 1 = masked
  stats: GpuTensor; // (≥ statsOffset + 2): loss, masked-row count
}

export interface MaskedLossBackwardBuffers {
  pred: GpuTensor; // (R, V)
  target: GpuTensor; // (R, V)
  mask: GpuTensor; // (R)
  stats: GpuTensor; // written by maskedLossForward
  /** Read scale from here (at scaleOffset) instead of dims.scale. */
  scale?: GpuTensor;
  dPred: GpuTensor; // (R, V)
}

/** Invocations per workgroup (a power of two: the reductions halve). */
export const LOSS_WG = 256;
/** Values a stage-1 workgroup aims to reduce: rowsPerBlock = ceil(LOSS_BLOCK_VALUES / V). */
export const LOSS_BLOCK_VALUES = 4096;

function check(dims: MaskedLossDims, bufs: Record<string, GpuTensor | undefined>, what: string): number {
  const { R, V } = dims;
  assertInteger(`${what}: R`, R, 0);
  assertInteger(`${what}: V`, V, 1);
  assert(dims.kind === 'l1' || dims.kind === 'l2', () => `${what}: kind must be 'l1' or 'l2', got ${String(dims.kind)}`);
  const statsOffset = dims.statsOffset ?? 0;
  assertInteger(`${what}: statsOffset`, statsOffset, 0);
  const need: Record<string, number> = { pred: R * V, target: R * V, dPred: R * V, mask: R, stats: statsOffset + 2 };
  for (const [name, t] of Object.entries(bufs)) {
    if (t && name in need) assert(t.size >= need[name], () => `${what}: ${name} "${t.label}" has ${t.size} values, needs ${need[name]}`);
  }
  return statsOffset;
}

/** stats[statsOffset] = masked mean loss, stats[statsOffset + 1] = masked rows. */
export async function maskedLossForward(
  scope: ResourceScope,
  bufs: MaskedLossForwardBuffers,
  dims: MaskedLossDims,
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'loss_forward';
  const statsOffset = check(dims, { ...bufs }, label);
  const { R, V } = dims;
  const L2 = dims.kind === 'l2' ? 1 : 0;
  const [pipeline, reducePipeline] = await Promise.all([
    getPipeline(device, { label, code: lossForwardWgsl, constants: { WG: LOSS_WG, L2 } }),
    getPipeline(device, { label: `${label}_reduce`, code: lossForwardReduceWgsl, constants: { WG: LOSS_WG } }),
  ]);
  const rowsPerBlock = Math.max(1, Math.ceil(LOSS_BLOCK_VALUES / V));
  const chunks = planChunks(R, [V], maxBindingElems(device, opts), label);
  const blocksOf = (rows: number) => cdiv(rows, rowsPerBlock);
  const totalBlocks = chunks.reduce((s, c) => s + blocksOf(c.count), 0);
  // (blocks, 2): per row block, the summed error of its masked rows and their number.
  const partialsBuf = scope.track(await createBuffer(device, { label: `${label}:${bufs.stats.label}:partials`, size: Math.max(totalBlocks, 1) * 2 * 4 }));
  const partials = wholeTensor(partialsBuf, [Math.max(totalBlocks, 1), 2]);
  const dispatches: Dispatch[] = [];
  let block0 = 0;
  for (const [ci, { start, count }] of chunks.entries()) {
    const pw = windowOf(bufs.pred, start * V, count * V);
    const tw = windowOf(bufs.target, start * V, count * V);
    const name = `${label}:${bufs.stats.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', count],
      ['u32', V],
      ['u32', rowsPerBlock],
      ['u32', start],
      ['u32', block0],
      ['u32', pw.base],
      ['u32', tw.base],
    ]);
    const bg = bindGroup(device, pipeline, name, [pw.binding, tw.binding, binding(bufs.mask), binding(partials), params]);
    dispatches.push({ label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, blocksOf(count), opts) });
    block0 += blocksOf(count);
  }
  const rname = `${label}_reduce:${bufs.stats.label}`;
  const rparams = scope.uniform(rname, [
    ['u32', totalBlocks],
    ['u32', V],
    ['u32', statsOffset],
  ]);
  const rbg = bindGroup(device, reducePipeline, rname, [binding(partials), binding(bufs.stats), rparams]);
  dispatches.push({ label: rname, pipeline: reducePipeline, bindGroup: rbg, workgroups: [1, 1, 1] });
  return dispatches;
}

/** dPred (R, V) = scale · ∂loss/∂pred, with scale = dims.scale (default 1) or bufs.scale[scaleOffset]. */
export async function maskedLossBackward(
  scope: ResourceScope,
  bufs: MaskedLossBackwardBuffers,
  dims: MaskedLossDims & { scale?: number; scaleOffset?: number },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'loss_backward';
  const statsOffset = check(dims, { ...bufs }, label);
  const { R, V } = dims;
  const scaleOffset = dims.scaleOffset ?? 0;
  if (bufs.scale) {
    assert(dims.scale === undefined, `${label}: give scale either as a number or as a tensor, not both`);
    assert(bufs.scale.size > scaleOffset, () => `${label}: scale "${bufs.scale!.label}" has no value at ${scaleOffset}`);
  }
  const pipeline = await getPipeline(device, {
    label,
    code: lossBackwardWgsl,
    constants: { WG: LOSS_WG, L2: dims.kind === 'l2' ? 1 : 0, SCALE_FROM_BUFFER: bufs.scale ? 1 : 0 },
  });
  const chunks = planChunks(R, [V], maxBindingElems(device, opts), label);
  return chunks.map(({ start, count }, ci) => {
    const pw = windowOf(bufs.pred, start * V, count * V);
    const tw = windowOf(bufs.target, start * V, count * V);
    const gw = windowOf(bufs.dPred, start * V, count * V);
    const n = count * V;
    const name = `${label}:${bufs.dPred.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', n],
      ['u32', V],
      ['u32', start],
      ['u32', statsOffset],
      ['u32', scaleOffset],
      ['f32', dims.scale ?? 1],
      ['u32', pw.base],
      ['u32', tw.base],
      ['u32', gw.base],
    ]);
    // Without a scale tensor the binding is still part of the layout; stats stands in, never read.
    const bg = bindGroup(device, pipeline, name, [
      pw.binding,
      tw.binding,
      binding(bufs.mask),
      binding(bufs.stats),
      binding(bufs.scale ?? bufs.stats),
      gw.binding,
      params,
    ]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, cdiv(n, LOSS_WG), opts) };
  });
}
