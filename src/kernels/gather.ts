/**
 * Token gather / scatter for masking (formulas in gather.ref.ts; shaders gather_forward, scatter_forward,
 * scatter_backward, scatter_backward_reduce).
 *   gatherForward:   x (B, N, D) → out (B, K, D), out[b, k] = x[b, ids[b, k]]          (encoder: keep visible tokens)
 *   gatherBackward:  dOut (B, K, D) → dx (B, N, D), kept rows get dOut, masked rows 0   (scatter, no atomics)
 *   scatterForward:  src (B, K, D) + maskToken (D) → out (B, N, D)                        (decoder: un-mask)
 *   scatterBackward: dOut (B, N, D) → dSrc (B, K, D) (a gather) and dMaskToken (D) (two-stage sum over masked rows)
 *
 * Index convention: `ids` is a u32 tensor (B, N) holding, per batch item, a PERMUTATION of [0, N) whose first K
 * entries are the kept (visible) positions and whose last N − K are the masked ones — MAE's ids_shuffle, or
 * MAESTRO's concat(visible, masked). Because every position appears exactly once, the scatters write each output row
 * exactly once and find the masked rows without an inverse map or atomics. gatherForward alone also accepts a plain
 * (B, K) index list (idsStride = K). The kernels do not check that ids is a permutation (it is built on the CPU by
 * the masking code); rows it misses are left unwritten and indices ≥ N are skipped.
 * Work is split by batch items so every (B, ·, D) window fits maxStorageBufferBindingSize.
 */
import gatherForwardWgsl from '../../shaders/gather_forward.wgsl?raw';
import scatterForwardWgsl from '../../shaders/scatter_forward.wgsl?raw';
import scatterBackwardWgsl from '../../shaders/scatter_backward.wgsl?raw';
import scatterBackwardReduceWgsl from '../../shaders/scatter_backward_reduce.wgsl?raw';
import { createBuffer } from '../gpu/buffers';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { binding, wholeTensor, type GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { assert, assertInteger } from '../lib/assert';
import { deviceGrid, maxBindingElems, planChunks, windowOf, type SplitOptions } from './bindingChunks';
import { cdiv, type Dispatch } from './dispatch';

export interface GatherDims {
  B: number;
  /** Tokens per full sequence. */
  N: number;
  /** Kept (visible) tokens per sequence. */
  K: number;
  D: number;
}

export interface GatherForwardBuffers {
  x: GpuTensor; // (B, N, D)
  ids: GpuTensor; // u32 (B, idsStride), first K per row used
  out: GpuTensor; // (B, K, D)
}

export interface GatherBackwardBuffers {
  dOut: GpuTensor; // (B, K, D)
  ids: GpuTensor; // u32 (B, N) permutation, first K kept
  dx: GpuTensor; // (B, N, D)
}

export interface ScatterForwardBuffers {
  src: GpuTensor; // (B, K, D)
  ids: GpuTensor; // u32 (B, N) permutation, first K kept
  maskToken?: GpuTensor; // (D); absent = zeros
  out: GpuTensor; // (B, N, D)
}

export interface ScatterBackwardBuffers {
  dOut: GpuTensor; // (B, N, D)
  ids: GpuTensor; // u32 (B, N) permutation, first K kept
  dSrc: GpuTensor; // (B, K, D)
  dMaskToken?: GpuTensor; // (D)
}

/** Invocations per workgroup of all four shaders. */
export const GATHER_WG = 256;
/** Masked rows summed per partials block by scatter_backward.wgsl. */
export const SCATTER_ROWS_PER_BLOCK = 32;

function checkDims(dims: GatherDims, what: string): void {
  const { B, N, K, D } = dims;
  for (const [k, v] of Object.entries({ B, N, D })) assertInteger(`${what}: ${k}`, v, 1);
  assertInteger(`${what}: K`, K, 0);
  assert(K <= N, () => `${what}: K=${K} kept tokens exceed N=${N}`);
}

function checkSize(t: GpuTensor, need: number, name: string, what: string): void {
  assert(t.size >= need, () => `${what}: ${name} "${t.label}" has ${t.size} values, needs ${need}`);
}

/** out (B, K, D) (+)= x[b, ids[b·idsStride + k]]; idsStride defaults to K (a (B, K) list), N for a permutation. */
export async function gatherForward(
  scope: ResourceScope,
  bufs: GatherForwardBuffers,
  dims: GatherDims & { idsStride?: number; accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'gather_forward';
  checkDims(dims, label);
  const { B, N, K, D } = dims;
  const idsStride = dims.idsStride ?? K;
  assert(idsStride >= K, () => `${label}: idsStride ${idsStride} < K=${K}`);
  checkSize(bufs.x, B * N * D, 'x', label);
  checkSize(bufs.ids, (B - 1) * idsStride + K, 'ids', label);
  checkSize(bufs.out, B * K * D, 'out', label);
  const pipeline = await getPipeline(device, {
    label,
    code: gatherForwardWgsl,
    constants: { WG: GATHER_WG, ACCUMULATE: dims.accumulate ? 1 : 0 },
  });
  const chunks = planChunks(B, [N * D, K * D], maxBindingElems(device, opts), label);
  return chunks.map(({ start, count }, ci) => {
    const xw = windowOf(bufs.x, start * N * D, count * N * D);
    const ow = windowOf(bufs.out, start * K * D, count * K * D);
    const n = count * K * D;
    const name = `${label}:${bufs.out.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', n],
      ['u32', N],
      ['u32', K],
      ['u32', D],
      ['u32', idsStride],
      ['u32', start],
      ['u32', xw.base],
      ['u32', ow.base],
    ]);
    const bg = bindGroup(device, pipeline, name, [xw.binding, binding(bufs.ids), ow.binding, params]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, cdiv(n, GATHER_WG), opts) };
  });
}

async function scatterRows(
  scope: ResourceScope,
  label: string,
  src: GpuTensor,
  ids: GpuTensor,
  maskToken: GpuTensor | undefined,
  out: GpuTensor,
  dims: GatherDims & { accumulate?: boolean },
  opts: SplitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  checkDims(dims, label);
  const { B, N, K, D } = dims;
  checkSize(src, B * K * D, 'src', label);
  checkSize(ids, B * N, 'ids', label);
  if (maskToken) checkSize(maskToken, D, 'maskToken', label);
  checkSize(out, B * N * D, 'out', label);
  const pipeline = await getPipeline(device, {
    label,
    code: scatterForwardWgsl,
    constants: { WG: GATHER_WG, HAS_MASK_TOKEN: maskToken ? 1 : 0, ACCUMULATE: dims.accumulate ? 1 : 0 },
  });
  const chunks = planChunks(B, [K * D, N * D], maxBindingElems(device, opts), label);
  return chunks.map(({ start, count }, ci) => {
    const sw = windowOf(src, start * K * D, count * K * D);
    const ow = windowOf(out, start * N * D, count * N * D);
    const n = count * N * D;
    const name = `${label}:${out.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', n],
      ['u32', N],
      ['u32', K],
      ['u32', D],
      ['u32', start],
      ['u32', sw.base],
      ['u32', ow.base],
    ]);
    // Without a mask token the binding is still part of the layout; src's window stands in, never read.
    const bg = bindGroup(device, pipeline, name, [sw.binding, binding(ids), maskToken ? binding(maskToken) : sw.binding, ow.binding, params]);
    return { label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, cdiv(n, GATHER_WG), opts) };
  });
}

/** dx (B, N, D) = dOut at the kept positions, 0 at the masked ones (`accumulate`: kept rows add, masked untouched). */
export function gatherBackward(
  scope: ResourceScope,
  bufs: GatherBackwardBuffers,
  dims: GatherDims & { accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  return scatterRows(scope, 'gather_backward', bufs.dOut, bufs.ids, undefined, bufs.dx, dims, opts);
}

/** out (B, N, D): src rows at the kept positions, the mask token (or 0) at the masked ones. */
export function scatterForward(
  scope: ResourceScope,
  bufs: ScatterForwardBuffers,
  dims: GatherDims & { accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  return scatterRows(scope, 'scatter_forward', bufs.src, bufs.ids, bufs.maskToken, bufs.out, dims, opts);
}

/**
 * dSrc (B, K, D) = dOut at the kept positions; dMaskToken (D) = Σ of dOut over all masked positions.
 * `accumulate` adds into both instead of storing.
 */
export async function scatterBackward(
  scope: ResourceScope,
  bufs: ScatterBackwardBuffers,
  dims: GatherDims & { accumulate?: boolean },
  opts: SplitOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = 'scatter_backward';
  checkDims(dims, label);
  const { B, N, K, D } = dims;
  checkSize(bufs.dOut, B * N * D, 'dOut', label);
  checkSize(bufs.ids, B * N, 'ids', label);
  const dispatches = await gatherForward(
    scope,
    { x: bufs.dOut, ids: bufs.ids, out: bufs.dSrc },
    { B, N, K, D, idsStride: N, accumulate: dims.accumulate },
    opts,
  );
  if (!bufs.dMaskToken) return dispatches;
  checkSize(bufs.dMaskToken, D, 'dMaskToken', label);

  const [pipeline, reducePipeline] = await Promise.all([
    getPipeline(device, { label, code: scatterBackwardWgsl, constants: { WG: GATHER_WG } }),
    getPipeline(device, {
      label: `${label}_reduce`,
      code: scatterBackwardReduceWgsl,
      constants: { WG: GATHER_WG, ACCUMULATE: dims.accumulate ? 1 : 0 },
    }),
  ]);
  const maxElems = maxBindingElems(device, opts);
  const chunks = planChunks(B, [N * D], maxElems, label);
  const dBlocks = cdiv(D, GATHER_WG);
  const blocksOf = (count: number) => cdiv(count * (N - K), SCATTER_ROWS_PER_BLOCK);
  const totalBlocks = chunks.reduce((s, c) => s + blocksOf(c.count), 0);
  assert(totalBlocks * D <= maxElems, () => `${label}: ${totalBlocks}×${D} mask-token partials exceed one binding`);
  // (blocks, D): per block of masked rows, the sum of their dOut rows; summed over blocks by the reduce pass.
  const partialsBuf = scope.track(await createBuffer(device, { label: `${label}:${bufs.dMaskToken.label}:partials`, size: Math.max(totalBlocks, 1) * D * 4 }));
  const partials = wholeTensor(partialsBuf, [Math.max(totalBlocks, 1), D]);
  let block0 = 0;
  for (const [ci, { start, count }] of chunks.entries()) {
    const blocks = blocksOf(count);
    const dw = windowOf(bufs.dOut, start * N * D, count * N * D);
    const name = `${label}:${bufs.dMaskToken.label}#${ci}`;
    const params = scope.uniform(name, [
      ['u32', count * (N - K)],
      ['u32', N],
      ['u32', K],
      ['u32', D],
      ['u32', start],
      ['u32', dw.base],
      ['u32', block0],
      ['u32', SCATTER_ROWS_PER_BLOCK],
      ['u32', dBlocks],
    ]);
    const bg = bindGroup(device, pipeline, name, [dw.binding, binding(bufs.ids), binding(partials), params]);
    dispatches.push({ label: name, pipeline, bindGroup: bg, workgroups: deviceGrid(device, blocks * dBlocks, opts) });
    block0 += blocks;
  }
  const rname = `${label}_reduce:${bufs.dMaskToken.label}`;
  const rparams = scope.uniform(rname, [
    ['u32', totalBlocks],
    ['u32', D],
  ]);
  const rbg = bindGroup(device, reducePipeline, rname, [binding(partials), binding(bufs.dMaskToken), rparams]);
  dispatches.push({ label: rname, pipeline: reducePipeline, bindGroup: rbg, workgroups: [dBlocks, 1, 1] });
  return dispatches;
}
