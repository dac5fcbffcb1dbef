/**
 * Probe heads on the GPU, composed from the existing kernels (no probe-specific WGSL): a forward from a step's input
 * to class logits, and a backward from the logits' gradient (computed on the CPU, loss.ts) to every head parameter.
 *
 *   linear     input (R, E) = token sets already mean-pooled on the CPU (features are frozen, so pooling once is
 *              exactly the graph's first op) → logits = input·W + b                                   linear
 *   attentive  input (R·N, E) = R sets of N tokens → MAESTRO AttentiveReduce → logits = ·W + b:
 *                xn  = LN₁(x)                                         layernorm
 *                kv  = xn·Wkv (E, 2E), no bias                        linear
 *                qkv = [0 | kv] + [q | 0 | 0] per token               rowcopy + bias add
 *                att = attention core over each set (R, N, 3E)        attention (every query row is the learned
 *                      q, so every row holds the pooled vector; row 0 is kept — N× redundant work, but it reuses
 *                      the tiled, tested attention kernels for the softmax over tokens)
 *                o   = att[:, 0]                                      rowcopy
 *                      (N = 1: o = v exactly — softmax over one token is 1 — so the attention is skipped)
 *                z   = LN₂(o); logits = z·W + b                       layernorm, linear
 *              backward: the reverse, with d(att) zero outside row 0 (so the other query rows give zero dq), dq =
 *              the q-part of the column sum of dqkv (the gradient of the broadcast bias), dkv = its k,v parts.
 *
 * Invariants: parameters and gradients are two flat buffers in the `headLayout` order with 64-element-aligned views
 * (one AdamW dispatch updates them all); every gradient is written exactly once per backward, so nothing needs
 * clearing between steps; q's slots of `qkvBase` and the k,v slots of `qBias` are never written and stay zero; every
 * activation owns its buffer (a dispatch may not read and write one buffer); with N = 1 the gradients of q and of
 * the k half of dkv are never written and stay zero, which is their exact value. Heads NH must divide E (MAESTRO: 8).
 * Reference: heads.ref.ts (float64 oracle), method.md §2.12.
 */
import { TensorAllocator } from '../gpu/allocator';
import { createBufferUnchecked } from '../gpu/buffers';
import type { ResourceScope } from '../gpu/scope';
import { VIEW_ALIGN, viewOf, wholeTensor, type GpuTensor } from '../gpu/tensor';
import { attentionBackward, attentionForward } from '../kernels/attention';
import type { Dispatch } from '../kernels/dispatch';
import { biasAddForward } from '../kernels/elementwise';
import { layernormBackward, layernormForward } from '../kernels/layernorm';
import { linearBackward, linearForward } from '../kernels/linear';
import { columnSumForward } from '../kernels/reduce';
import { rowCopy } from '../kernels/rowcopy';
import { assert } from '../lib/assert';
import { Rng } from '../lib/rng';

export type HeadKind = 'linear' | 'attentive';
export const HEAD_KINDS: readonly HeadKind[] = ['linear', 'attentive'];

export interface HeadSpec {
  kind: HeadKind;
  /** Feature width. */
  E: number;
  /** Classes (logits per set). */
  K: number;
  /** Tokens per set (attentive; the linear head's input is already pooled). */
  N: number;
  /** Sets per step (the graph's batch). */
  R: number;
  /** Attention heads of AttentiveReduce (MAESTRO: 8); must divide E. */
  NH: number;
  /** LayerNorm eps (PyTorch default 1e-5). */
  eps: number;
}

export interface HeadParamEntry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface HeadLayout {
  entries: HeadParamEntry[];
  /** Flat length, padded to the 64-element view alignment. */
  size: number;
}

/** The learned tensors of a head, in flat order. */
export function headLayout(spec: Pick<HeadSpec, 'kind' | 'E' | 'K'>): HeadLayout {
  const { E, K } = spec;
  const entries: HeadParamEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset, size });
    offset += Math.ceil(size / VIEW_ALIGN) * VIEW_ALIGN;
  };
  if (spec.kind === 'attentive') {
    add('ln1.g', [E]);
    add('ln1.b', [E]);
    add('wkv', [E, 2 * E]);
    add('q', [E]);
    add('ln2.g', [E]);
    add('ln2.b', [E]);
  }
  add('cls.w', [E, K]);
  add('cls.b', [K]);
  return { entries, size: offset };
}

export function headEntry(layout: HeadLayout, name: string): HeadParamEntry {
  const e = layout.entries.find((x) => x.name === name);
  assert(e, () => `head layout has no "${name}"`);
  return e;
}

/**
 * Seeded initial parameters: LayerNorms γ = 1, β = 0; Linear weights U(−1/√E, 1/√E) (PyTorch nn.Linear's default
 * bound for fan-in E); classifier bias 0; the query N(0, 1) (MAESTRO `torch.randn(dim)`).
 */
export function initHeadParams(spec: Pick<HeadSpec, 'kind' | 'E' | 'K'>, seed: number): Float32Array {
  const layout = headLayout(spec);
  const flat = new Float32Array(layout.size);
  const rng = new Rng(seed, 77);
  const bound = 1 / Math.sqrt(spec.E);
  for (const e of layout.entries) {
    const v = flat.subarray(e.offset, e.offset + e.size);
    if (e.name.endsWith('.g')) v.fill(1);
    else if (e.name === 'wkv' || e.name === 'cls.w') for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * bound;
    else if (e.name === 'q') for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  }
  return flat;
}

/** Checks a spec and says what is wrong. */
export function validateHeadSpec(spec: HeadSpec): void {
  for (const k of ['E', 'K', 'N', 'R', 'NH'] as const) assert(Number.isInteger(spec[k]) && spec[k] >= 1, () => `probe head: ${k} must be a positive integer, got ${spec[k]}`);
  assert(spec.kind === 'linear' || spec.kind === 'attentive', () => `probe head: unknown kind "${String(spec.kind)}"`);
  assert(spec.kind === 'linear' || spec.E % spec.NH === 0, () => `probe head: ${spec.NH} attention heads do not divide the feature width ${spec.E}`);
}

export interface HeadGraph {
  spec: HeadSpec;
  layout: HeadLayout;
  params: GpuTensor; // (layout.size)
  grads: GpuTensor; // (layout.size)
  /** Step input: (R, E) pooled sets (linear) or (R·N, E) token sets (attentive). */
  input: GpuTensor;
  logits: GpuTensor; // (R, K)
  /** Gradient of the loss w.r.t. the logits, written by the caller before `backward`. */
  dLogits: GpuTensor; // (R, K)
  /** The pooled set representation fed to the classifier: (R, E). */
  pooled: GpuTensor;
  forward: Dispatch[];
  backward: Dispatch[];
  /** View of one parameter or gradient by layout name. */
  param(name: string): GpuTensor;
  grad(name: string): GpuTensor;
  destroy(): void;
}

/** Builds the head's buffers and records its forward and backward dispatches; `initial` fills the parameters. */
export async function buildHeadGraph(scope: ResourceScope, spec: HeadSpec, initial: Float32Array): Promise<HeadGraph> {
  validateHeadSpec(spec);
  const { device } = scope;
  const { E, K, N, R, NH, eps } = spec;
  const layout = headLayout(spec);
  assert(initial.length === layout.size, () => `probe head: ${initial.length} initial values, the layout needs ${layout.size}`);
  const flat = (label: string) => wholeTensor(scope.track(createBufferUnchecked(device, { label, size: layout.size * 4 })), [layout.size], label);
  const params = flat('probe.params');
  const grads = flat('probe.grads');
  device.queue.writeBuffer(params.buffer, 0, initial.buffer, initial.byteOffset, initial.byteLength);
  const view = (t: GpuTensor, name: string) => {
    const e = headEntry(layout, name);
    return viewOf(t.buffer, e.offset, e.shape, `${t.label}:${name}`);
  };
  const p = (name: string) => view(params, name);
  const g = (name: string) => view(grads, name);

  const alloc = new TensorAllocator(device, 'probe');
  const logits = alloc.tensor('logits', [R, K]);
  const dLogits = alloc.tensor('dLogits', [R, K]);
  const forward: Dispatch[] = [];
  const backward: Dispatch[] = [];
  let input: GpuTensor;
  let pooled: GpuTensor;
  let classifierIn: GpuTensor;
  const dClassifierIn = alloc.tensor('dz', [R, E]);

  if (spec.kind === 'linear') {
    input = alloc.tensor('input', [R, E]);
    pooled = input;
    classifierIn = input;
  } else {
    const HS = E / NH;
    const rows = R * N;
    input = alloc.tensor('input', [rows, E]);
    const xn = alloc.tensor('xn', [rows, E]);
    const mean1 = alloc.tensor('ln1.mean', [rows]);
    const rstd1 = alloc.tensor('ln1.rstd', [rows]);
    const kv = alloc.tensor('kv', [rows, 2 * E]);
    pooled = alloc.tensor('pooled', [R, E]);
    const z = alloc.tensor('z', [R, E]);
    const mean2 = alloc.tensor('ln2.mean', [R]);
    const rstd2 = alloc.tensor('ln2.rstd', [R]);
    classifierIn = z;
    forward.push(
      ...(await layernormForward(scope, { x: input, gamma: p('ln1.g'), beta: p('ln1.b'), out: xn, mean: mean1, rstd: rstd1 }, { R: rows, D: E, eps })),
      ...(await linearForward(scope, { x: xn, w: p('wkv'), y: kv }, { M: rows, K: E, N: 2 * E })),
    );
    const dPooled = alloc.tensor('dPooled', [R, E]);
    const dkv = alloc.tensor('dkv', [rows, 2 * E]);
    const dxn = alloc.tensor('dxn', [rows, E]);
    const dx = alloc.tensor('dx', [rows, E]);
    const poolBackward: Dispatch[] = [];
    if (N === 1) {
      // A single token gets softmax weight 1 whatever q and k: the pooled vector is its v (exactly), dv = dPooled,
      // and k, q get no gradient (dkv's k half and q's gradient stay zero). Skips an attention tile per set.
      forward.push(await rowCopy(scope, { src: kv, dst: pooled }, { B: R, R: 1, D: E, srcRows: 2, srcRow0: 1, dstRows: 1, dstRow0: 0 }));
      poolBackward.push(await rowCopy(scope, { src: dPooled, dst: dkv }, { B: R, R: 1, D: E, srcRows: 1, srcRow0: 0, dstRows: 2, dstRow0: 1 }));
    } else {
      const qkvBase = alloc.tensor('qkv.base', [rows, 3 * E]);
      const qBias = alloc.tensor('qkv.qbias', [3 * E]);
      const qkv = alloc.tensor('qkv', [rows, 3 * E]);
      const att = alloc.tensor('att', [rows, E]);
      const lse = alloc.tensor('att.lse', [R, NH, N]);
      forward.push(
        // Each token's (k, v) rows go to slots 1 and 2 of its (q, k, v) triple; slot 0 stays zero.
        await rowCopy(scope, { src: kv, dst: qkvBase }, { B: rows, R: 2, D: E, srcRows: 2, srcRow0: 0, dstRows: 3, dstRow0: 1 }),
        // The learned query becomes slot 0 of a (3E) bias added to every token.
        await rowCopy(scope, { src: p('q'), dst: qBias }, { B: 1, R: 1, D: E, srcRows: 1, srcRow0: 0, dstRows: 3, dstRow0: 0 }),
        ...(await biasAddForward(scope, { x: qkvBase, bias: qBias, out: qkv }, { R: rows, C: 3 * E })),
        ...(await attentionForward(scope, { qkv, out: att, lse }, { B: R, N, NH, HS })),
        await rowCopy(scope, { src: att, dst: pooled }, { B: R, R: 1, D: E, srcRows: N, srcRow0: 0, dstRows: 1, dstRow0: 0 }),
      );
      const dAtt = alloc.tensor('dAtt', [rows, E]);
      const dqkv = alloc.tensor('dqkv', [rows, 3 * E]);
      const delta = alloc.tensor('att.delta', [R, NH, N]);
      const dqBias = alloc.tensor('dqBias', [3 * E]);
      poolBackward.push(
        // Only row 0 of each set was used: its gradient goes there, the other rows of dAtt stay zero.
        await rowCopy(scope, { src: dPooled, dst: dAtt }, { B: R, R: 1, D: E, srcRows: 1, srcRow0: 0, dstRows: N, dstRow0: 0 }),
        ...(await attentionBackward(scope, { qkv, out: att, lse, dOut: dAtt, dqkv, delta }, { B: R, N, NH, HS })),
        ...(await columnSumForward(scope, { x: dqkv, out: dqBias }, { M: rows, N: 3 * E })),
        await rowCopy(scope, { src: dqBias, dst: g('q') }, { B: 1, R: 1, D: E, srcRows: 3, srcRow0: 0, dstRows: 1, dstRow0: 0 }),
        await rowCopy(scope, { src: dqkv, dst: dkv }, { B: rows, R: 2, D: E, srcRows: 3, srcRow0: 1, dstRows: 2, dstRow0: 0 }),
      );
    }
    forward.push(...(await layernormForward(scope, { x: pooled, gamma: p('ln2.g'), beta: p('ln2.b'), out: z, mean: mean2, rstd: rstd2 }, { R, D: E, eps })));
    // Recorded after the classifier's backward (below): dz → … → dLN₁.
    backward.push(
      ...(await layernormBackward(scope, { x: pooled, gamma: p('ln2.g'), mean: mean2, rstd: rstd2, dOut: dClassifierIn, dx: dPooled, dGamma: g('ln2.g'), dBeta: g('ln2.b') }, { R, D: E })),
      ...poolBackward,
      ...(await linearBackward(scope, { x: xn, w: p('wkv'), dy: dkv, dx: dxn, dw: g('wkv') }, { M: rows, K: E, N: 2 * E })),
      ...(await layernormBackward(scope, { x: input, gamma: p('ln1.g'), mean: mean1, rstd: rstd1, dOut: dxn, dx, dGamma: g('ln1.g'), dBeta: g('ln1.b') }, { R: rows, D: E })),
    );
  }

  forward.push(...(await linearForward(scope, { x: classifierIn, w: p('cls.w'), b: p('cls.b'), y: logits }, { M: R, K: E, N: K })));
  // The classifier's backward comes first; the attentive part (already recorded above) follows it.
  backward.unshift(
    ...(await linearBackward(
      scope,
      { x: classifierIn, w: p('cls.w'), dy: dLogits, dx: spec.kind === 'attentive' ? dClassifierIn : undefined, dw: g('cls.w'), db: g('cls.b') },
      { M: R, K: E, N: K },
    )),
  );

  return {
    spec,
    layout,
    params,
    grads,
    input,
    logits,
    dLogits,
    pooled,
    forward,
    backward,
    param: p,
    grad: g,
    destroy: () => alloc.destroy(),
  };
}
