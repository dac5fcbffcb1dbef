/**
 * GPU transformer stack (vit-pytorch Transformer as MAESTRO uses it): `depth` pre-LN blocks then a final LayerNorm,
 * forward and hand-written backward as recorded dispatch lists. It mirrors transformer.ref.ts step for step — the
 * reference defines the semantics, and graph tests compare every gradient against it.
 *
 *   block:  x2 = x + proj(attn(qkv(LN1(x))))          x3 = x2 + fc2(GELU(fc1(LN2(x2))))
 *   stack:  out = LN(blocks(x))
 *
 * Activations (llm.c ActivationTensors, one buffer each) are kept for the backward. Backward scratch (the gradient of
 * the residual stream and of the branch intermediates) is shared by all stacks of the same shape through `scratch`.
 * Parameter gradients are ACCUMULATED (the graph zeroes the flat gradient buffer once per step), because an
 * inter-group stack or a shared weight may be reached more than once.
 */
import type { TensorAllocator } from '../gpu/allocator';
import type { ResourceScope } from '../gpu/scope';
import type { GpuTensor } from '../gpu/tensor';
import { attentionBackward, attentionForward } from '../kernels/attention';
import type { Dispatch } from '../kernels/dispatch';
import { accumulateForward } from '../kernels/elementwise';
import { geluBackward, geluForward } from '../kernels/gelu';
import { layernormBackward, layernormForward } from '../kernels/layernorm';
import { linearBackward, linearForward } from '../kernels/linear';
import type { NormParams, TransformerParams } from './params';

export interface StackShape {
  /** Sequences. */
  B: number;
  /** Tokens per sequence. */
  N: number;
  /** Width. */
  D: number;
  /** Heads. */
  NH: number;
  /** MLP hidden width. */
  M: number;
  eps: number;
}

interface NormActs {
  out: GpuTensor; // (R, D)
  mean: GpuTensor; // (R)
  rstd: GpuTensor; // (R)
}

interface BlockActs {
  x: GpuTensor; // (B, N, D) block input
  ln1: NormActs;
  qkv: GpuTensor; // (B, N, 3·D)
  att: GpuTensor; // (B, N, D)
  lse: GpuTensor; // (B, NH, N)
  x2: GpuTensor; // (B, N, D)
  ln2: NormActs;
  h: GpuTensor; // (B, N, M) fc1 output
  a: GpuTensor; // (B, N, M) GELU(h)
}

/** Backward scratch for one stack shape; reused by every stack of that shape (they run one after another). */
export interface StackScratch {
  dRes: GpuTensor; // (B, N, D) gradient of the residual stream
  dLn: GpuTensor; // (B, N, D) gradient of an LN output
  dAtt: GpuTensor; // (B, N, D)
  dQkv: GpuTensor; // (B, N, 3·D)
  dA: GpuTensor; // (B, N, M)
  dH: GpuTensor; // (B, N, M)
  delta: GpuTensor; // (B, NH, N) attention backward scratch
}

export function allocStackScratch(alloc: TensorAllocator, name: string, s: StackShape): StackScratch {
  const { B, N, D, NH, M } = s;
  return {
    dRes: alloc.tensor(`${name}.dRes`, [B, N, D]),
    dLn: alloc.tensor(`${name}.dLn`, [B, N, D]),
    dAtt: alloc.tensor(`${name}.dAtt`, [B, N, D]),
    dQkv: alloc.tensor(`${name}.dQkv`, [B, N, 3 * D]),
    dA: alloc.tensor(`${name}.dA`, [B, N, M]),
    dH: alloc.tensor(`${name}.dH`, [B, N, M]),
    delta: alloc.tensor(`${name}.delta`, [B, NH, N]),
  };
}

export interface GpuStack {
  /** x (B, N, D) → out (B, N, D). */
  forward: Dispatch[];
  /** dOut (B, N, D) → dIn (B, N, D) (overwritten), parameter gradients accumulated. */
  backward: Dispatch[];
  /** The stack input: write the sequence here before `forward`. */
  input: GpuTensor;
  out: GpuTensor;
}

/**
 * Records the forward and backward of one stack. `dOut` is read by the backward; `dIn` receives the gradient of the
 * input (it may be the scratch dRes of another shape, never the stack's own scratch).
 */
export async function buildStack(
  scope: ResourceScope,
  alloc: TensorAllocator,
  name: string,
  p: TransformerParams<GpuTensor>,
  g: TransformerParams<GpuTensor>,
  shape: StackShape,
  scratch: StackScratch,
  io: { dOut: GpuTensor; dIn: GpuTensor },
): Promise<GpuStack> {
  const { B, N, D, NH, M, eps } = shape;
  const R = B * N;
  const att = { B, N, NH, HS: D / NH };
  const norm = (n: string): NormActs => ({ out: alloc.tensor(`${n}.out`, [R, D]), mean: alloc.tensor(`${n}.mean`, [R]), rstd: alloc.tensor(`${n}.rstd`, [R]) });

  const input = alloc.tensor(`${name}.in`, [B, N, D]);
  const blocks: BlockActs[] = [];
  const forward: Dispatch[] = [];
  let cur = input;
  for (let i = 0; i < p.blocks.length; i++) {
    const blk = p.blocks[i];
    const n = `${name}.${i}`;
    const a: BlockActs = {
      x: cur,
      ln1: norm(`${n}.ln1`),
      qkv: alloc.tensor(`${n}.qkv`, [B, N, 3 * D]),
      att: alloc.tensor(`${n}.att`, [B, N, D]),
      lse: alloc.tensor(`${n}.lse`, [B, NH, N]),
      x2: alloc.tensor(`${n}.x2`, [B, N, D]),
      ln2: norm(`${n}.ln2`),
      h: alloc.tensor(`${n}.h`, [B, N, M]),
      a: alloc.tensor(`${n}.a`, [B, N, M]),
    };
    const x3 = alloc.tensor(`${n}.x3`, [B, N, D]);
    forward.push(
      ...(await layernormForward(scope, { x: a.x, gamma: blk.ln1.g, beta: blk.ln1.b, ...a.ln1 }, { R, D, eps })),
      ...(await linearForward(scope, { x: a.ln1.out, w: blk.qkv, y: a.qkv }, { M: R, K: D, N: 3 * D })),
      ...(await attentionForward(scope, { qkv: a.qkv, out: a.att, lse: a.lse }, att)),
      ...(await linearForward(scope, { x: a.att, w: blk.proj.w, b: blk.proj.b, y: a.x2 }, { M: R, K: D, N: D })),
      ...(await accumulateForward(scope, { x: a.x, out: a.x2 }, { n: R * D })),
      ...(await layernormForward(scope, { x: a.x2, gamma: blk.ln2.g, beta: blk.ln2.b, ...a.ln2 }, { R, D, eps })),
      ...(await linearForward(scope, { x: a.ln2.out, w: blk.fc1.w, b: blk.fc1.b, y: a.h }, { M: R, K: D, N: M })),
      ...(await geluForward(scope, { x: a.h, out: a.a }, { n: R * M })),
      ...(await linearForward(scope, { x: a.a, w: blk.fc2.w, b: blk.fc2.b, y: x3 }, { M: R, K: M, N: D })),
      ...(await accumulateForward(scope, { x: a.x2, out: x3 }, { n: R * D })),
    );
    blocks.push(a);
    cur = x3;
  }
  const ln = norm(`${name}.ln`);
  forward.push(...(await layernormForward(scope, { x: cur, gamma: p.ln.g, beta: p.ln.b, ...ln }, { R, D, eps })));

  // Backward, in exact reverse. dRes holds the gradient of the current residual stream.
  const s = scratch;
  const lnB = (x: GpuTensor, pn: NormParams<GpuTensor>, gn: NormParams<GpuTensor>, acts: NormActs, dOut: GpuTensor, dx: GpuTensor, accumulateDx: boolean) =>
    layernormBackward(
      scope,
      { x, gamma: pn.g, mean: acts.mean, rstd: acts.rstd, dOut, dx, dGamma: gn.g, dBeta: gn.b },
      { R, D, accumulate: true, accumulateDx },
    );
  const backward: Dispatch[] = [];
  const lastRes = p.blocks.length === 0 ? io.dIn : s.dRes;
  backward.push(...(await lnB(cur, p.ln, g.ln, ln, io.dOut, lastRes, false)));
  for (let i = p.blocks.length - 1; i >= 0; i--) {
    const blk = p.blocks[i];
    const gb = g.blocks[i];
    const a = blocks[i];
    backward.push(
      ...(await linearBackward(scope, { x: a.a, w: blk.fc2.w, dy: s.dRes, dx: s.dA, dw: gb.fc2.w, db: gb.fc2.b }, { M: R, K: M, N: D, accumulate: true })),
      ...(await geluBackward(scope, { x: a.h, dOut: s.dA, dx: s.dH }, { n: R * M })),
      ...(await linearBackward(scope, { x: a.ln2.out, w: blk.fc1.w, dy: s.dH, dx: s.dLn, dw: gb.fc1.w, db: gb.fc1.b }, { M: R, K: D, N: M, accumulate: true })),
      ...(await lnB(a.x2, blk.ln2, gb.ln2, a.ln2, s.dLn, s.dRes, true)),
      ...(await linearBackward(scope, { x: a.att, w: blk.proj.w, dy: s.dRes, dx: s.dAtt, dw: gb.proj.w, db: gb.proj.b }, { M: R, K: D, N: D, accumulate: true })),
      ...(await attentionBackward(scope, { qkv: a.qkv, out: a.att, lse: a.lse, dOut: s.dAtt, dqkv: s.dQkv, delta: s.delta }, att)),
      ...(await linearBackward(scope, { x: a.ln1.out, w: blk.qkv, dy: s.dQkv, dx: s.dLn, dw: gb.qkv }, { M: R, K: D, N: 3 * D, accumulate: true })),
    );
    if (i > 0) backward.push(...(await lnB(a.x, blk.ln1, gb.ln1, a.ln1, s.dLn, s.dRes, true)));
    else {
      // The first block's input gradient leaves the stack: dIn = ln1.dx + dRes, written straight into dIn.
      backward.push(...(await lnB(a.x, blk.ln1, gb.ln1, a.ln1, s.dLn, io.dIn, false)));
      backward.push(...(await accumulateForward(scope, { x: s.dRes, out: io.dIn }, { n: R * D })));
    }
  }
  return { forward, backward, input, out: ln.out };
}
