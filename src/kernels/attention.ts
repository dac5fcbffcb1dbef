/**
 * Multi-head self-attention core (between to_qkv and to_out): out = softmax(q·kᵀ·HS^-0.5)·v per head, forward and
 * backward, FlashAttention-2 style — tiled with the online softmax and a saved log-sum-exp, so no N×N matrix is ever
 * stored, and a backward without atomics:
 *   forward   shaders/attention_forward.wgsl         qkv → out, lse
 *   backward  shaders/attention_backward_delta.wgsl  D = rowsum(dOut ∘ out)
 *             shaders/attention_backward_dkdv.wgsl   per key block: dK, dV (loops over all query blocks)
 *             shaders/attention_backward_dq.wgsl     per query block: dQ (loops over all key blocks)
 *
 * Invariants:
 * - Layouts as in src/kernels/attention.ref.ts: qkv, dqkv (B, N, 3·NH·HS) with last axis (which ; head ; dim);
 *   out, dOut (B, N, NH·HS); lse, delta (B, NH, N). The backward writes every element of dqkv (no clearing needed).
 * - Block sizes come from the device's maxComputeWorkgroupStorageSize (16 KiB is WebGPU's default; most GPUs give
 *   32 KiB), see `attentionTiling`.
 * - WebGPU DEFAULT limits hold: the batch is cut into chunks whose bindings fit maxStorageBufferBindingSize and whose
 *   grid's z fits maxComputeWorkgroupsPerDimension; each chunk is one dispatch per kernel with its own uniforms,
 *   binding windows opened at 256-byte boundaries and the remainder passed to the shader as `base*` offsets.
 * - Tensors a kernel writes live in other GPUBuffers than those it reads (WebGPU forbids a buffer bound read-only and
 *   writable in one dispatch); the wrappers check this.
 * - Wrappers only record Dispatches: no readback, no submit.
 */
import attentionForwardWgsl from '../../shaders/attention_forward.wgsl?raw';
import attentionBackwardDeltaWgsl from '../../shaders/attention_backward_delta.wgsl?raw';
import attentionBackwardDkdvWgsl from '../../shaders/attention_backward_dkdv.wgsl?raw';
import attentionBackwardDqWgsl from '../../shaders/attention_backward_dq.wgsl?raw';
import { bindGroup, getPipeline } from '../gpu/pipelines';
import { VIEW_ALIGN, type GpuTensor } from '../gpu/tensor';
import type { ResourceScope } from '../gpu/scope';
import { assert, assertInteger } from '../lib/assert';
import { windowOf } from './bindingChunks';
import { cdiv, type Dispatch } from './dispatch';

export interface AttentionDims {
  B: number;
  N: number;
  NH: number;
  HS: number;
}

export interface AttentionForwardBuffers {
  qkv: GpuTensor; // (B, N, 3·NH·HS)
  out: GpuTensor; // (B, N, NH·HS)
  lse: GpuTensor; // (B, NH, N), saved for the backward
}

export interface AttentionBackwardBuffers {
  qkv: GpuTensor; // (B, N, 3·NH·HS), the forward's input
  out: GpuTensor; // (B, N, NH·HS), the forward's output
  lse: GpuTensor; // (B, NH, N), the forward's log-sum-exp
  dOut: GpuTensor; // (B, N, NH·HS)
  dqkv: GpuTensor; // (B, N, 3·NH·HS), overwritten
  /** Scratch (B, NH, N) for D = rowsum(dOut ∘ out); see attentionScratchSize. */
  delta: GpuTensor;
}

export interface AttentionOptions {
  /** Largest binding in bytes (default: the device's maxStorageBufferBindingSize); tests pass tiny values. */
  maxBindingBytes?: number;
  /** Largest grid dimension (default: the device's maxComputeWorkgroupsPerDimension). */
  maxWorkgroupsPerDimension?: number;
  /** Workgroup memory budget in bytes (default: the device's maxComputeWorkgroupStorageSize). */
  workgroupStorageBytes?: number;
}

/** Largest head size: tile rows hold up to 64 vec4 (HSC4 ≤ 64) and a thread up to 16 accumulator vec4 (MAX_ACC). */
export const ATTENTION_MAX_HS = 256;

/** Lanes that share a row of a tile (TC in the shaders). */
const TC = 8;

export type AttentionKernel = 'forward' | 'dkdv' | 'dq';

/**
 * Vec4 capacity of a tile row for head size HS: ceil(HS/4) rounded up to a power of two, at least 8. The head size
 * itself is a uniform, so head sizes with the same capacity share pipelines: compiling one costs seconds on software
 * adapters, and on GPUs the reduction loop over head dims gains little from being unrolled per head size. Heads up to
 * 32 share capacity 8, which on 32 KiB devices still gets the largest tiling.
 */
export function attentionCapacity(HS: number): number {
  return Math.max(8, 2 ** Math.ceil(Math.log2(Math.ceil(HS / 4))));
}

/**
 * Thread-block shape of one tiled attention kernel: TR·8 threads, each owning `rows` rows (queries; keys in dkdv)
 * and `cols` columns (keys; queries in dkdv) of the score tile, so a workgroup covers TR·rows rows × 8·cols columns.
 */
export interface AttentionTiling {
  tr: number;
  rows: number;
  cols: number;
  /** Workgroup memory the kernel needs with this tiling, in bytes. */
  bytes: number;
}

/** Candidates from most to least work per workgroup; the first that fits the budget is used. */
export const ATTENTION_TILINGS: readonly (readonly [tr: number, rows: number, cols: number])[] = [
  [8, 4, 4],
  [8, 4, 2],
  [8, 2, 2],
  [8, 2, 1],
  [8, 1, 1],
  [4, 1, 1],
];

/** Row stride of a scalar probability tile: a multiple of 8 whose quotient is odd, as in the shaders (PK/PQ). */
const oddStride = (cols: number) => ((cols / 8) % 2 === 0 ? cols + 8 : cols);

/** Workgroup memory of a kernel for head size HS, mirroring the shaders' var<workgroup> declarations. */
export function attentionStorageBytes(kernel: AttentionKernel, HS: number, tr: number, rows: number, cols: number): number {
  const cap = attentionCapacity(HS);
  const R = tr * rows; // BQ (forward, dq) or BK (dkdv)
  const C = TC * cols; // BK (forward, dq) or BQ (dkdv)
  switch (kernel) {
    case 'forward': // tileQ, tileKV, tileP, tileM
      return 16 * cap * (R + 1 + C + 1) + 4 * R * oddStride(C) + 4 * R * TC;
    case 'dkdv': // tileK, tileV, tileQ, tileDO, tileP, tileDS
      return 16 * cap * 2 * (R + 1 + C + 1) + 8 * R * oddStride(C);
    case 'dq': // tileQ, tileDO, tileK, tileV, tileDS
      return 16 * cap * 2 * (R + 1 + C + 1) + 4 * R * oddStride(C);
  }
}

/** Vec4 head-dim columns each thread accumulates (OC in the shaders): lanes tc, tc + 8, … of ceil(HS/4). */
const columnsPerThread = (HS: number) => Math.ceil(Math.ceil(HS / 4) / TC);

/** Accumulator vec4s per thread the shaders' register arrays hold (MAX_ACC): rows · OC may not exceed it. */
const MAX_ACC = 16;

/**
 * The largest tiling of `kernel` for head size HS that fits `storageBytes` of workgroup memory (and whose
 * rows × head-dim columns per thread fit the shaders' accumulator arrays).
 */
export function attentionTiling(kernel: AttentionKernel, HS: number, storageBytes: number): AttentionTiling {
  for (const [tr, rows, cols] of ATTENTION_TILINGS) {
    if (rows * columnsPerThread(HS) > MAX_ACC) continue;
    const bytes = attentionStorageBytes(kernel, HS, tr, rows, cols);
    if (bytes <= storageBytes) return { tr, rows, cols, bytes };
  }
  const [tr, rows, cols] = ATTENTION_TILINGS[ATTENTION_TILINGS.length - 1];
  throw new Error(
    `attention ${kernel}: head size ${HS} needs at least ${attentionStorageBytes(kernel, HS, tr, rows, cols)} B of workgroup ` +
      `memory, more than this device's maxComputeWorkgroupStorageSize of ${storageBytes} B`,
  );
}

/** Override constants shared by the three tiled kernels. */
function shapeConstants(HS: number, t: AttentionTiling): Record<string, number> {
  return { HSC4: attentionCapacity(HS), OC: columnsPerThread(HS), TR: t.tr };
}

/** Elements of the `delta` scratch tensor the backward needs: (B, NH, N). */
export function attentionScratchSize(dims: AttentionDims): number {
  return dims.B * dims.NH * dims.N;
}

interface Limits {
  maxBindingElems: number;
  maxGroups: number;
  storageBytes: number;
}

function limitsOf(device: GPUDevice, opts: AttentionOptions): Limits {
  return {
    maxBindingElems: Math.floor((opts.maxBindingBytes ?? Number(device.limits.maxStorageBufferBindingSize)) / 4),
    maxGroups: opts.maxWorkgroupsPerDimension ?? Number(device.limits.maxComputeWorkgroupsPerDimension),
    storageBytes: opts.workgroupStorageBytes ?? Number(device.limits.maxComputeWorkgroupStorageSize),
  };
}

function checkDims(what: string, dims: AttentionDims): void {
  assertInteger(`${what}: B`, dims.B, 1);
  assertInteger(`${what}: N`, dims.N, 1);
  assertInteger(`${what}: NH`, dims.NH, 1);
  assertInteger(`${what}: HS`, dims.HS, 1);
  assert(dims.HS <= ATTENTION_MAX_HS, () => `${what}: head size ${dims.HS} exceeds the supported maximum of ${ATTENTION_MAX_HS}`);
}

function checkSize(what: string, t: GpuTensor, need: number, shape: string): void {
  assert(t.size >= need, () => `${what}: tensor "${t.label}" has ${t.size} elements, needs ${need} for ${shape}`);
}

/** WebGPU rejects a dispatch that binds one buffer both read-only and writable; say which tensors collide. */
function checkDistinct(what: string, reads: readonly GpuTensor[], writes: readonly GpuTensor[]): void {
  for (const w of writes) {
    for (const r of reads) {
      assert(w.buffer !== r.buffer, () => `${what}: "${w.label}" (written) and "${r.label}" (read) share buffer "${w.buffer.label}"`);
    }
  }
}

/**
 * Consecutive ranges of batch items such that every tensor's window (count·perItem elements plus up to 63 of
 * alignment slack) fits one binding and count fits one grid dimension.
 */
function batchChunks(what: string, B: number, perItem: readonly number[], lim: Limits): { b0: number; count: number }[] {
  let per = Math.min(B, lim.maxGroups);
  for (const e of perItem) {
    const fit = Math.floor((lim.maxBindingElems - (VIEW_ALIGN - 1)) / e);
    assert(fit >= 1, () => `${what}: one sequence needs ${e * 4} B in one binding, more than the ${lim.maxBindingElems * 4} B limit`);
    per = Math.min(per, fit);
  }
  const chunks: { b0: number; count: number }[] = [];
  for (let b0 = 0; b0 < B; b0 += per) chunks.push({ b0, count: Math.min(per, B - b0) });
  return chunks;
}

/** Binding of elements [start, start + count) of `t`, opened at the 256-byte boundary at or before `start`. */
export async function attentionForward(
  scope: ResourceScope,
  bufs: AttentionForwardBuffers,
  dims: AttentionDims,
  opts: AttentionOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  checkDims('attentionForward', dims);
  const { B, N, NH, HS } = dims;
  const E = NH * HS;
  checkSize('attentionForward', bufs.qkv, B * N * 3 * E, `qkv (B, N, 3·NH·HS) = (${B}, ${N}, ${3 * E})`);
  checkSize('attentionForward', bufs.out, B * N * E, `out (B, N, NH·HS) = (${B}, ${N}, ${E})`);
  checkSize('attentionForward', bufs.lse, B * NH * N, `lse (B, NH, N) = (${B}, ${NH}, ${N})`);
  checkDistinct('attentionForward', [bufs.qkv], [bufs.out, bufs.lse]);
  const lim = limitsOf(device, opts);
  const t = attentionTiling('forward', HS, lim.storageBytes);
  const BQ = t.tr * t.rows;
  assert(cdiv(N, BQ) <= lim.maxGroups && NH <= lim.maxGroups, () => `attentionForward: grid (${cdiv(N, BQ)}, ${NH}) exceeds ${lim.maxGroups} per dimension`);
  const label = 'attention_forward';
  const pipeline = await getPipeline(device, {
    label,
    code: attentionForwardWgsl,
    constants: { ...shapeConstants(HS, t), RQ: t.rows, CK: t.cols },
  });
  const scaleLog2 = Math.LOG2E / Math.sqrt(HS);
  return batchChunks('attentionForward', B, [N * 3 * E, N * E, NH * N], lim).map(({ b0, count }) => {
    const qkv = windowOf(bufs.qkv, b0 * N * 3 * E, count * N * 3 * E);
    const out = windowOf(bufs.out, b0 * N * E, count * N * E);
    const lse = windowOf(bufs.lse, b0 * NH * N, count * NH * N);
    const name = `${label}:${bufs.out.label}[${b0}:${b0 + count}]`;
    const params = scope.uniform(name, [
      ['u32', N],
      ['u32', NH],
      ['u32', HS],
      ['u32', qkv.base],
      ['u32', out.base],
      ['u32', lse.base],
      ['f32', scaleLog2],
    ]);
    const bg = bindGroup(device, pipeline, name, [qkv.binding, out.binding, lse.binding, params]);
    return { label: name, pipeline, bindGroup: bg, workgroups: [cdiv(N, BQ), NH, count] as const };
  });
}

/** Dispatches in order: D = rowsum(dOut ∘ out), then dK/dV, then dQ, per batch chunk. */
export async function attentionBackward(
  scope: ResourceScope,
  bufs: AttentionBackwardBuffers,
  dims: AttentionDims,
  opts: AttentionOptions = {},
): Promise<Dispatch[]> {
  const { device } = scope;
  checkDims('attentionBackward', dims);
  const { B, N, NH, HS } = dims;
  const E = NH * HS;
  const what = 'attentionBackward';
  checkSize(what, bufs.qkv, B * N * 3 * E, `qkv (B, N, 3·NH·HS) = (${B}, ${N}, ${3 * E})`);
  checkSize(what, bufs.out, B * N * E, `out (B, N, NH·HS) = (${B}, ${N}, ${E})`);
  checkSize(what, bufs.lse, B * NH * N, `lse (B, NH, N) = (${B}, ${NH}, ${N})`);
  checkSize(what, bufs.dOut, B * N * E, `dOut (B, N, NH·HS) = (${B}, ${N}, ${E})`);
  checkSize(what, bufs.dqkv, B * N * 3 * E, `dqkv (B, N, 3·NH·HS) = (${B}, ${N}, ${3 * E})`);
  checkSize(what, bufs.delta, B * NH * N, `delta scratch (B, NH, N) = (${B}, ${NH}, ${N})`);
  // delta is written by the first kernel and read by the other two, dqkv written by the last two.
  checkDistinct(what, [bufs.qkv, bufs.out, bufs.lse, bufs.dOut], [bufs.dqkv, bufs.delta]);
  checkDistinct(what, [bufs.delta], [bufs.dqkv]);
  const lim = limitsOf(device, opts);
  const tkv = attentionTiling('dkdv', HS, lim.storageBytes);
  const tq = attentionTiling('dq', HS, lim.storageBytes);
  const BK = tkv.tr * tkv.rows;
  const BQ = tq.tr * tq.rows;
  const DELTA_WG = 64;
  assert(
    Math.max(cdiv(N, BK), cdiv(N, BQ), cdiv(N, DELTA_WG), NH) <= lim.maxGroups,
    () => `${what}: grid (${cdiv(N, Math.min(BK, BQ))}, ${NH}) exceeds ${lim.maxGroups} per dimension`,
  );
  const [deltaPipe, dkdvPipe, dqPipe] = await Promise.all([
    getPipeline(device, { label: 'attention_backward_delta', code: attentionBackwardDeltaWgsl, constants: { WG: DELTA_WG } }),
    getPipeline(device, {
      label: 'attention_backward_dkdv',
      code: attentionBackwardDkdvWgsl,
      constants: { ...shapeConstants(HS, tkv), RK: tkv.rows, CQ: tkv.cols },
    }),
    getPipeline(device, {
      label: 'attention_backward_dq',
      code: attentionBackwardDqWgsl,
      constants: { ...shapeConstants(HS, tq), RQ: tq.rows, CK: tq.cols },
    }),
  ]);
  const scale = 1 / Math.sqrt(HS);
  const dispatches: Dispatch[] = [];
  for (const { b0, count } of batchChunks(what, B, [N * 3 * E, N * E, NH * N], lim)) {
    const qkv = windowOf(bufs.qkv, b0 * N * 3 * E, count * N * 3 * E);
    const out = windowOf(bufs.out, b0 * N * E, count * N * E);
    const lse = windowOf(bufs.lse, b0 * NH * N, count * NH * N);
    const dOut = windowOf(bufs.dOut, b0 * N * E, count * N * E);
    const dqkv = windowOf(bufs.dqkv, b0 * N * 3 * E, count * N * 3 * E);
    const delta = windowOf(bufs.delta, b0 * NH * N, count * NH * N);
    const range = `${bufs.dqkv.label}[${b0}:${b0 + count}]`;

    const deltaName = `attention_backward_delta:${range}`;
    const deltaParams = scope.uniform(deltaName, [
      ['u32', N],
      ['u32', NH],
      ['u32', HS],
      ['u32', out.base],
      ['u32', dOut.base],
      ['u32', delta.base],
    ]);
    dispatches.push({
      label: deltaName,
      pipeline: deltaPipe,
      bindGroup: bindGroup(device, deltaPipe, deltaName, [out.binding, dOut.binding, delta.binding, deltaParams]),
      workgroups: [cdiv(N, DELTA_WG), NH, count],
    });

    // dkdv and dq share one Params layout.
    const fields = (name: string) =>
      scope.uniform(name, [
        ['u32', N],
        ['u32', NH],
        ['u32', HS],
        ['u32', qkv.base],
        ['u32', dOut.base],
        ['u32', lse.base],
        ['u32', delta.base],
        ['u32', dqkv.base],
        ['f32', scale * Math.LOG2E],
        ['f32', scale],
      ]);
    const resources = (params: GPUBuffer) => [qkv.binding, dOut.binding, lse.binding, delta.binding, dqkv.binding, params];
    const kvName = `attention_backward_dkdv:${range}`;
    dispatches.push({
      label: kvName,
      pipeline: dkdvPipe,
      bindGroup: bindGroup(device, dkdvPipe, kvName, resources(fields(kvName))),
      workgroups: [cdiv(N, BK), NH, count],
    });
    const qName = `attention_backward_dq:${range}`;
    dispatches.push({
      label: qName,
      pipeline: dqPipe,
      bindGroup: bindGroup(device, dqPipe, qName, resources(fields(qName))),
      workgroups: [cdiv(N, BQ), NH, count],
    });
  }
  return dispatches;
}
