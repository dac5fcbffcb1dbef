/**
 * Reductions: whole-buffer sum / mean / max / sum of squares / L2 norm (metrics and the global gradient norm, two
 * stages through a scratch buffer of partials), gradient clipping by that norm (in place, factor computed on the GPU
 * from the norm buffer: no readback), and the column sum (M, N) → (N) used for bias gradients.
 *
 * Invariants: nothing uses f32 atomics; every summation order is fixed by the grid, so results are deterministic
 * run to run. Inputs of any size are split into chunks that fit one storage binding (split.ts); scratch buffers are
 * owned by the caller's ResourceScope and reused every time the recorded dispatches are replayed.
 * Inputs and outputs of one call live in different buffers (the clip's norm too: not in the gradient buffer).
 * Reference: reduce.ref.ts; clipping follows torch.nn.utils.clip_grad_norm_ (factor maxNorm / (norm + 1e-6), ≤ 1).
 */
import clipUpdateWgsl from '../../shaders/clip_update.wgsl?raw';
import columnSumForwardWgsl from '../../shaders/column_sum_forward.wgsl?raw';
import reduceForwardWgsl from '../../shaders/reduce_forward.wgsl?raw';
import { createBufferUnchecked } from '../gpu/buffers';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import type { ResourceScope } from '../gpu/scope';
import { wholeTensor, type GpuTensor } from '../gpu/tensor';
import { assert } from '../lib/assert';
import { cdiv, type Dispatch } from './dispatch';
import { checkLen, flatDispatches } from './flat';
import { alignUnitsFor, alignedRange, kernelLimits, rangeBinding, splitUnits, type LimitOptions } from './split';

export type ReduceOp = 'sum' | 'mean' | 'max' | 'sumsq' | 'norm';

const REDUCE_WG = 256;
/** Cap on stage-1 workgroups per chunk: enough to fill a GPU, few enough for one stage-2 workgroup. */
const MAX_PARTIALS_PER_CHUNK = 1024;
const OP_CODE = { sum: 0, sumsq: 1, max: 2 } as const;
const FINAL_CODE = { none: 0, scale: 1, sqrt: 2 } as const;

/** A scratch f32 buffer owned by `scope` (freed with it), as a tensor. */
export function scratchTensor(scope: ResourceScope, label: string, elems: number): GpuTensor {
  const buf = scope.track(createBufferUnchecked(scope.device, { label, size: Math.max(1, elems) * 4 }));
  return wholeTensor(buf, [elems], label);
}

/**
 * out[outIndex] = op over every element of every input tensor (each reduced over its full `size`):
 * sum, mean, max, sumsq = Σx², norm = sqrt(Σx²).
 */
export async function reduceForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor | readonly GpuTensor[]; // each (its size)
    out: GpuTensor; // (≥ outIndex + 1)
  },
  dims: { op: ReduceOp; outIndex?: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const label = `reduce_forward:${dims.op}`;
  const inputs = Array.isArray(bufs.x) ? (bufs.x as readonly GpuTensor[]) : [bufs.x as GpuTensor];
  const outIndex = dims.outIndex ?? 0;
  checkLen(label, bufs.out, outIndex + 1);
  const total = inputs.reduce((s, t) => s + t.size, 0);
  assert(total >= 1, () => `${label}: nothing to reduce`);
  const limits = kernelLimits(device, opts);
  const firstOp = dims.op === 'max' ? OP_CODE.max : dims.op === 'sum' || dims.op === 'mean' ? OP_CODE.sum : OP_CODE.sumsq;
  const final = dims.op === 'mean' ? FINAL_CODE.scale : dims.op === 'norm' ? FINAL_CODE.sqrt : FINAL_CODE.none;
  const pipelineFor = (op: number, fin: number) =>
    getPipeline(device, { label: 'reduce_forward', code: reduceForwardWgsl, constants: { OP: op, FINAL: fin, WG_SIZE: REDUCE_WG } });
  const outRange = alignedRange(bufs.out, 0, outIndex + 1);

  // Stage 1: each chunk of each input → G partials.
  const maxG = Math.min(MAX_PARTIALS_PER_CHUNK, limits.maxWorkgroupsPerDim);
  const pieces: { t: GpuTensor; start: number; count: number; g: number; base: number }[] = [];
  let partials = 0;
  for (const t of inputs) {
    for (const c of splitUnits(t.size, 1, limits.maxBindingElems, 64)) {
      const g = Math.min(cdiv(c.count, REDUCE_WG), maxG);
      pieces.push({ t, start: c.start, count: c.count, g, base: partials });
      partials += g;
    }
  }
  if (partials === 1) {
    // One workgroup sees everything: it writes the final value itself.
    const p = pieces[0];
    const pipeline = await pipelineFor(firstOp, final);
    const params = scope.uniform(label, [
      ['u32', p.count],
      ['u32', outRange.rem + outIndex],
      ['f32', 1 / total],
    ]);
    const bg = bindGroup(device, pipeline, label, [rangeBinding(p.t, p.start, p.count), outRange.binding, params]);
    return [{ label, pipeline, bindGroup: bg, workgroups: [1, 1, 1] }];
  }
  assert(partials <= limits.maxBindingElems, () => `${label}: ${partials} partials exceed one binding`);
  const scratch = scratchTensor(scope, `${label}:partials`, partials);
  const stage1 = await pipelineFor(firstOp, FINAL_CODE.none);
  const dispatches: Dispatch[] = pieces.map((p, i) => {
    const l = `${label}:${p.t.label}#${i}`;
    const params = scope.uniform(l, [
      ['u32', p.count],
      ['u32', p.base],
      ['f32', 1],
    ]);
    const bg = bindGroup(device, stage1, l, [rangeBinding(p.t, p.start, p.count), rangeBinding(scratch, 0, partials), params]);
    return { label: l, pipeline: stage1, bindGroup: bg, workgroups: [p.g, 1, 1] };
  });
  // Stage 2: one workgroup folds the partials (sums of squares are summed, maxima maxed) and applies FINAL.
  const stage2 = await pipelineFor(firstOp === OP_CODE.max ? OP_CODE.max : OP_CODE.sum, final);
  const params = scope.uniform(label, [
    ['u32', partials],
    ['u32', outRange.rem + outIndex],
    ['f32', 1 / total],
  ]);
  const bg = bindGroup(device, stage2, `${label}:final`, [rangeBinding(scratch, 0, partials), outRange.binding, params]);
  dispatches.push({ label: `${label}:final`, pipeline: stage2, bindGroup: bg, workgroups: [1, 1, 1] });
  return dispatches;
}

/** out[outIndex] = sqrt(Σ g²) over all gradient tensors (clip_grad_norm_'s total_norm, norm_type 2). */
export function globalNormForward(
  scope: ResourceScope,
  bufs: {
    grads: GpuTensor | readonly GpuTensor[]; // each (its size)
    out: GpuTensor; // (≥ outIndex + 1)
  },
  dims: { outIndex?: number } = {},
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return reduceForward(scope, { x: bufs.grads, out: bufs.out }, { op: 'norm', outIndex: dims.outIndex }, opts);
}

/** Scales every gradient tensor in place by min(1, maxNorm / (norm[normIndex] + 1e-6)), norm read on the GPU. */
export async function clipGradNormUpdate(
  scope: ResourceScope,
  bufs: {
    grads: GpuTensor | readonly GpuTensor[]; // each (its size), scaled in place
    norm: GpuTensor; // (≥ normIndex + 1)
  },
  dims: { maxNorm: number; normIndex?: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const grads = Array.isArray(bufs.grads) ? (bufs.grads as readonly GpuTensor[]) : [bufs.grads as GpuTensor];
  const normIndex = dims.normIndex ?? 0;
  checkLen('clip_update', bufs.norm, normIndex + 1);
  assert(dims.maxNorm > 0, () => `clip_update: maxNorm must be > 0, got ${dims.maxNorm}`);
  const pipeline = await getPipeline(device, { label: 'clip_update', code: clipUpdateWgsl });
  const limits = kernelLimits(device, opts);
  const norm = alignedRange(bufs.norm, normIndex, 1);
  return grads.flatMap((g) =>
    flatDispatches({
      label: `clip_update:${g.label}`,
      device,
      pipeline,
      count: g.size,
      limits,
      resources: (c) => [
        norm.binding,
        rangeBinding(g, c.start, c.count),
        scope.uniform('clip_update', [
          ['u32', c.count],
          ['f32', dims.maxNorm],
          ['u32', norm.rem],
        ]),
      ],
    }),
  );
}

/**
 * Global-norm gradient clipping as recorded dispatches: norm (1+) receives sqrt(Σ g²) over all grads, then every
 * gradient is scaled in place by min(1, maxNorm / (norm + 1e-6)). The norm stays on the GPU for logging.
 */
export async function clipGradNorm(
  scope: ResourceScope,
  bufs: {
    grads: GpuTensor | readonly GpuTensor[]; // each (its size), scaled in place
    norm: GpuTensor; // (1): receives the norm
  },
  dims: { maxNorm: number },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  return [
    ...(await globalNormForward(scope, { grads: bufs.grads, out: bufs.norm }, {}, opts)),
    ...(await clipGradNormUpdate(scope, bufs, dims, opts)),
  ];
}

// ---- column sum -------------------------------------------------------------------------------------------------

/** Columns per column-sum workgroup (shaders column_sum_forward / layernorm_params_backward). */
export const COLUMN_TILE = 64;

/**
 * Rows one column-sum workgroup folds: ≥ 64 (enough work per invocation), and at most min(256, maxBlocks) blocks in
 * all, so one second pass can sum the partial rows and the grid's y dimension stays within its limit.
 */
export function rowsPerBlockFor(M: number, maxBlocks = 256): number {
  return Math.max(64, Math.ceil(M / Math.min(256, maxBlocks)));
}

/** How a column reduction is cut into row blocks (see column_sum_forward.wgsl). */
export interface ColumnBlocks {
  rowsPerBlock: number;
  /** Row blocks in this dispatch (grid y). */
  blocks: number;
  /** Output row of this dispatch's first block. */
  blockOffset: number;
  accumulate: boolean;
}

/**
 * One column_sum_forward dispatch over already-chosen bindings: x (rows, N) → out rows [blockOffset, +blocks) of
 * (·, N). Used by columnSumForward and to fold the partial rows of other column reductions (LayerNorm dGamma/dBeta).
 */
export async function columnSumDispatch(
  scope: ResourceScope,
  label: string,
  bufs: { x: GPUBufferBinding; out: GPUBufferBinding },
  dims: { rows: number; N: number } & ColumnBlocks,
): Promise<Dispatch> {
  const { device } = scope;
  const pipeline = await getPipeline(device, {
    label: 'column_sum_forward',
    code: columnSumForwardWgsl,
    constants: { ACCUMULATE: dims.accumulate ? 1 : 0 },
  });
  const params = scope.uniform(label, [
    ['u32', dims.rows],
    ['u32', dims.N],
    ['u32', dims.rowsPerBlock],
    ['u32', dims.blockOffset],
  ]);
  return {
    label,
    pipeline,
    bindGroup: bindGroup(device, pipeline, label, [bufs.x, bufs.out, params]),
    workgroups: [cdiv(dims.N, COLUMN_TILE), dims.blocks, 1],
  };
}

/** out (N) = Σ_rows x (M, N), or out += … when accumulate (db = Σ dY for a linear layer's bias). */
export async function columnSumForward(
  scope: ResourceScope,
  bufs: {
    x: GpuTensor; // (M, N)
    out: GpuTensor; // (N)
  },
  dims: { M: number; N: number; accumulate?: boolean },
  opts?: LimitOptions,
): Promise<Dispatch[]> {
  const { device } = scope;
  const { M, N } = dims;
  const label = `column_sum_forward:${bufs.out.label}`;
  assert(M >= 1 && N >= 1, () => `column_sum_forward: empty shape ${M}×${N}`);
  checkLen('column_sum_forward', bufs.x, M * N);
  checkLen('column_sum_forward', bufs.out, N);
  const limits = kernelLimits(device, opts);
  assert(cdiv(N, COLUMN_TILE) <= limits.maxWorkgroupsPerDim, () => `column_sum_forward: N=${N} needs more than ${limits.maxWorkgroupsPerDim} workgroups`);
  const rpb = rowsPerBlockFor(M, limits.maxWorkgroupsPerDim);
  const chunks = splitUnits(M, N, limits.maxBindingElems, alignUnitsFor([N]));
  const blocks = chunks.map((c) => cdiv(c.count, rpb));
  const totalBlocks = blocks.reduce((a, b) => a + b, 0);
  const record = (l: string, x: GPUBufferBinding, out: GPUBufferBinding, rows: number, plan: ColumnBlocks) =>
    columnSumDispatch(scope, l, { x, out }, { rows, N, ...plan });
  if (totalBlocks === 1) {
    const plan = { rowsPerBlock: M, blocks: 1, blockOffset: 0, accumulate: dims.accumulate ?? false };
    return [await record(label, rangeBinding(bufs.x, 0, M * N), rangeBinding(bufs.out, 0, N), M, plan)];
  }
  assert(totalBlocks * N <= limits.maxBindingElems, () => `column_sum_forward: ${totalBlocks}×${N} partials exceed one binding`);
  const scratch = scratchTensor(scope, `${label}:partials`, totalBlocks * N);
  const dispatches: Dispatch[] = [];
  let blockOffset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    const x = rangeBinding(bufs.x, c.start * N, c.count * N);
    const plan = { rowsPerBlock: rpb, blocks: blocks[i], blockOffset, accumulate: false };
    dispatches.push(await record(`${label}#${i}`, x, rangeBinding(scratch, 0, totalBlocks * N), c.count, plan));
    blockOffset += blocks[i];
  }
  const partials = rangeBinding(scratch, 0, totalBlocks * N);
  const plan = { rowsPerBlock: totalBlocks, blocks: 1, blockOffset: 0, accumulate: dims.accumulate ?? false };
  dispatches.push(await record(`${label}:final`, partials, rangeBinding(bufs.out, 0, N), totalBlocks, plan));
  return dispatches;
}
