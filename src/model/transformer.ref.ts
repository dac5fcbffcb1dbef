/**
 * Float64 CPU reference of a vit-pytorch Transformer stack (MAESTRO's encoders, inter-group encoder and decoders):
 * `depth` pre-LN blocks then a final LayerNorm, forward and hand-written backward (llm.c gpt2_forward/backward style).
 *
 *   block:  x2 = x + proj(attn(qkv(LN1(x))))          qkv: Linear(D, 3D, bias=False); proj: Linear(D, D)
 *           x3 = x2 + fc2(GELU(fc1(LN2(x2))))          fc1: Linear(D, M); fc2: Linear(M, D); exact-erf GELU
 *   stack:  out = LN(blocks(x))
 * Attention runs independently per sequence b of the (B, N, D) input (no masking inside a sequence; masked tokens are
 * simply absent, MAESTRO mask_seq). Reference: lucidrains/vit-pytorch vit.py (Attention, FeedForward, Transformer).
 *
 * Built only from the per-op references in src/kernels/*.ref.ts so that a bug here and a bug in a WGSL kernel cannot
 * cancel. The backward ACCUMULATES into the gradient views it is given (a parameter may be reached twice, and the
 * caller zeroes the flat gradient once per step).
 */
import { attentionBackwardRef, attentionForwardRef } from '../kernels/attention.ref';
import { geluBackwardRef, geluForwardRef } from '../kernels/gelu.ref';
import { layernormBackwardRef, layernormForwardRef } from '../kernels/layernorm.ref';
import { linearBackwardRef, matmulRef } from '../kernels/matmul.ref';

export interface RefNorm {
  g: Float64Array; // (D)
  b: Float64Array; // (D)
}
export interface RefLinear {
  w: Float64Array; // (in, out)
  b: Float64Array; // (out)
}
export interface RefBlock {
  ln1: RefNorm;
  qkv: Float64Array; // (D, 3·D)
  proj: RefLinear; // (D, D)
  ln2: RefNorm;
  fc1: RefLinear; // (D, M)
  fc2: RefLinear; // (M, D)
}
export interface RefTransformer {
  blocks: RefBlock[];
  ln: RefNorm;
}

export interface StackDims {
  /** Sequences. */
  B: number;
  /** Tokens per sequence. */
  N: number;
  /** Width. */
  D: number;
  /** Heads (head size D / NH). */
  NH: number;
  /** MLP hidden width. */
  M: number;
  /** LayerNorm eps. */
  eps: number;
}

interface NormOut {
  out: Float64Array; // (R, D)
  mean: Float64Array; // (R)
  rstd: Float64Array; // (R)
}

/** Everything one block's backward needs (llm.c ActivationTensors for one layer). */
interface BlockActs {
  x: Float64Array; // (B, N, D) block input
  ln1: NormOut;
  qkv: Float64Array; // (B, N, 3·D)
  att: Float64Array; // (B, N, D) heads concatenated
  lse: Float64Array; // (B, NH, N)
  x2: Float64Array; // (B, N, D) after the attention residual
  ln2: NormOut;
  h: Float64Array; // (B, N, M) fc1 output, before GELU
  a: Float64Array; // (B, N, M) GELU output
}

export interface StackActs {
  blocks: BlockActs[];
  xLast: Float64Array; // (B, N, D) input of the final LN
  ln: NormOut;
}

export function addInto(dst: Float64Array, src: ArrayLike<number>): void {
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}

function add(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** x (B, N, D) → out (B, N, D) and the saved activations. */
export function transformerForwardRef(x: Float64Array, p: RefTransformer, dims: StackDims): { out: Float64Array; acts: StackActs } {
  const { B, N, D, NH, M, eps } = dims;
  const R = B * N;
  const attDims = { B, N, NH, HS: D / NH };
  const blocks: BlockActs[] = [];
  let cur = x;
  for (const blk of p.blocks) {
    const ln1 = layernormForwardRef(cur, blk.ln1.g, blk.ln1.b, { R, D, eps });
    const qkv = matmulRef(ln1.out, blk.qkv, { M: R, N: 3 * D, K: D }); // (B, N, 3D)
    const { out: att, lse } = attentionForwardRef(qkv, attDims);
    const x2 = add(cur, matmulRef(att, blk.proj.w, { M: R, N: D, K: D }, blk.proj.b));
    const ln2 = layernormForwardRef(x2, blk.ln2.g, blk.ln2.b, { R, D, eps });
    const h = matmulRef(ln2.out, blk.fc1.w, { M: R, N: M, K: D }, blk.fc1.b); // (B, N, M)
    const a = geluForwardRef(h);
    const x3 = add(x2, matmulRef(a, blk.fc2.w, { M: R, N: D, K: M }, blk.fc2.b));
    blocks.push({ x: cur, ln1, qkv, att, lse, x2, ln2, h, a });
    cur = x3;
  }
  const ln = layernormForwardRef(cur, p.ln.g, p.ln.b, { R, D, eps });
  return { out: ln.out, acts: { blocks, xLast: cur, ln } };
}

/** dOut (B, N, D) → dx (B, N, D); parameter gradients are accumulated into `g`. */
export function transformerBackwardRef(dOut: Float64Array, p: RefTransformer, g: RefTransformer, acts: StackActs, dims: StackDims): Float64Array {
  const { B, N, D, NH, M } = dims;
  const R = B * N;
  const attDims = { B, N, NH, HS: D / NH };
  const lnB = layernormBackwardRef(acts.xLast, p.ln.g, acts.ln.mean, acts.ln.rstd, dOut, { R, D });
  addInto(g.ln.g, lnB.dGamma);
  addInto(g.ln.b, lnB.dBeta);
  let dx = lnB.dx; // (B, N, D) gradient w.r.t. the current residual stream
  for (let i = p.blocks.length - 1; i >= 0; i--) {
    const blk = p.blocks[i];
    const gb = g.blocks[i];
    const s = acts.blocks[i];
    // MLP branch: x3 = x2 + fc2(gelu(fc1(ln2(x2))))
    const fc2 = linearBackwardRef(s.a, blk.fc2.w, dx, { M: R, K: M, N: D });
    addInto(gb.fc2.w, fc2.dw);
    addInto(gb.fc2.b, fc2.db);
    const dh = geluBackwardRef(s.h, fc2.dx);
    const fc1 = linearBackwardRef(s.ln2.out, blk.fc1.w, dh, { M: R, K: D, N: M });
    addInto(gb.fc1.w, fc1.dw);
    addInto(gb.fc1.b, fc1.db);
    const ln2 = layernormBackwardRef(s.x2, blk.ln2.g, s.ln2.mean, s.ln2.rstd, fc1.dx, { R, D });
    addInto(gb.ln2.g, ln2.dGamma);
    addInto(gb.ln2.b, ln2.dBeta);
    const dx2 = add(dx, ln2.dx);
    // Attention branch: x2 = x + proj(attn(qkv(ln1(x))))
    const proj = linearBackwardRef(s.att, blk.proj.w, dx2, { M: R, K: D, N: D });
    addInto(gb.proj.w, proj.dw);
    addInto(gb.proj.b, proj.db);
    const dqkv = attentionBackwardRef(s.qkv, s.att, s.lse, proj.dx, attDims);
    const qkv = linearBackwardRef(s.ln1.out, blk.qkv, dqkv, { M: R, K: D, N: 3 * D });
    addInto(gb.qkv, qkv.dw); // no bias: qkv.db is dropped
    const ln1 = layernormBackwardRef(s.x, blk.ln1.g, s.ln1.mean, s.ln1.rstd, qkv.dx, { R, D });
    addInto(gb.ln1.g, ln1.dGamma);
    addInto(gb.ln1.b, ln1.dBeta);
    dx = add(dx2, ln1.dx);
  }
  return dx;
}
