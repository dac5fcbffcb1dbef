/**
 * The peer of the train suite: the SAME masked autoencoder as src/model/mae.ts, written the way a TensorFlow.js user
 * would write it — tfjs-core ops, tape autograd (tf.variableGrads) and tf.train.adam — for one fusion group holding
 * one modality with one token band group (e.g. one Sentinel-2-like modality; `tfjsMaeUnsupported` names what else
 * it refuses). Backend-agnostic: the bench page runs it on the `webgpu` backend, the unit test on `cpu` against the
 * float64 whole-graph reference (bench/peers/tfjsMae.test.ts).
 *
 * Forward (mae.ref.ts steps 1–10; shape letters as there, R = B·T·L = B·N rows, N = T·L, K visible, M masked):
 *   patchify (B, T, C, H, W) → (R, V)      reshape/transpose, value order (py, px, c) as patchifyRef
 *   Linear(V, E) → GroupNorm(1, E) per (sample, date) over its L·E values (biased variance) → + [PE ‖ DE] constant
 *   gather visible rows (B·K, E) → groupDepth pre-LN blocks + LN → interDepth blocks + LN (one group: the concat of
 *   all groups is this group) → Linear(E, Dd) → gather with the mask-token row appended = un-mask (B·N, Dd)
 *   → + decoder [PE ‖ DE] → decoder blocks + LN → pixel head Linear(Dd, V) → pred (R, V)
 *   target = patch(-group)-normalised patches (unbiased variance, 1e-6); loss = masked mean of |pred − target| (l1) or
 *   (pred − target)² (l2) over the M masked rows' values.
 *   Block: x2 = x + proj(MHSA(qkv(LN1 x))) (qkv without bias, columns (q|k|v, head, dim)); x3 = x2 + fc2(GELU_erf(fc1(LN2 x2))).
 * Parameters are initialised from the SAME flat array as ours (params.ts layout, weights (in, out)), so the step-1
 * loss of both models must agree to float32 rounding; the train suite checks that in the page.
 *
 * One training step = tf.variableGrads (forward + tape backward) → read the loss back (ours reads it every step too:
 * NaN guard, metrics) → decoupled weight decay p ← p·(1 − lr·wd) on every parameter (AdamW; tf.train.adam has no
 * decay, and our Trainer decays every tensor by default, MAESTRO) → optimizer.applyGradients (Adam, same β1, β2, ε).
 * Reference: src/model/mae.ref.ts, src/model/transformer.ref.ts, src/kernels/adamw.ref.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Batch } from '../../src/data/sample';
import { encodingAddRef } from '../../src/kernels/encoding.ref';
import { gridSize, normGroupsOfTokenGroup, type MaeConfig } from '../../src/model/config';
import { encodingTables } from '../../src/model/encodings';
import type { GroupMask } from '../../src/model/masking';
import { buildParamLayout, paramViews, type BlockParams, type LinearParams, type NormParams, type TransformerParams } from '../../src/model/params';

export interface AdamwHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface TfjsMae {
  /** Variables by our parameter name (params.ts), in layout order. */
  variables: Map<string, tf.Variable>;
  /** The scalar loss of the current weights (record it inside tf.tidy or dispose it). */
  loss(): tf.Scalar;
  /** One AdamW training step; resolves to the loss computed before the update. */
  step(): Promise<number>;
  /** Parameter gradients of the current weights, by parameter name (for tests; the caller disposes them). */
  grads(): { loss: tf.Scalar; grads: Map<string, tf.Tensor> };
  dispose(): void;
}

/** Why this config is outside what the TF.js peer implements, or null when it is supported. */
export function tfjsMaeUnsupported(config: MaeConfig): string | null {
  if (config.groups.length !== 1 || config.modalities.length !== 1) return 'the TF.js peer implements one fusion group of one modality';
  if (config.modalities[0].tokenGroups.length !== 1) return 'the TF.js peer implements joint-band tokens only (one token band group)';
  return null;
}

let instances = 0;

/** Builds the model on the current backend from flat parameters, one batch and its (fixed) masks. */
export function createTfjsMae(config: MaeConfig, params: Float32Array, batch: Batch, masks: readonly GroupMask[], opt: AdamwHyper): TfjsMae {
  const why = tfjsMaeUnsupported(config);
  if (why) throw new Error(why);
  const mod = config.modalities[0];
  const mask = masks[0];
  const B = batch.B;
  const [T, C, H, P] = [mod.dates, mod.bands.length, mod.imageSize, mod.patchSize];
  const g = gridSize(mod);
  const L = g * g;
  const N = T * L; // tokens of the group sequence, ordered (t, l)
  const V = P * P * C;
  const K = mask.K;
  const E = config.encoder.width;
  const Dd = config.decoder.width;
  if (mask.B !== B || mask.N !== N) throw new Error(`masks are (${mask.B}, ${mask.N}), the batch needs (${B}, ${N})`);

  // ---- parameters: one variable per layout entry, initialised from the flat array
  const id = instances++;
  const layout = buildParamLayout(config);
  const variables = new Map<string, tf.Variable>();
  for (const e of layout.entries) variables.set(e.name, tf.variable(tf.tensor(params.subarray(e.offset, e.offset + e.size), e.shape), true, `mae${id}/${e.name}`));
  const p = paramViews(config, layout, (e) => variables.get(e.name)!);
  const varList = [...variables.values()];

  // ---- constants of the batch: pixels, encodings, gather indices, masked-row flags
  const mb = batch.modalities[mod.name];
  const pixels = tf.tensor5d(mb.data, [B, T, C, H, H]); // (B, T, C, H, W)
  const addend = (D: number) => {
    const t = encodingTables(config, batch, D)[0];
    return tf.tensor2d(Float32Array.from(encodingAddRef(new Float64Array(B * N * D), t.pos, t.date, { B, R: N, D, L, T })), [B * N, D]); // (B·N, D)
  };
  const encAdd = addend(E); // (B·N, E)
  const decAdd = addend(Dd); // (B·N, Dd)
  const vis = new Int32Array(B * K); // (B·K) rows of the (B·N, E) sequence the encoder keeps
  const unmask = new Int32Array(B * N).fill(B * K); // (B·N) row of [encoded (B·K, Dd); mask token (1, Dd)] per token
  const rowMask = new Float32Array(B * N).fill(1); // (B·N) 1 = masked
  for (let b = 0; b < B; b++)
    for (let k = 0; k < K; k++) {
      const n = mask.visible[b * K + k];
      vis[b * K + k] = b * N + n;
      unmask[b * N + n] = b * K + k;
      rowMask[b * N + n] = 0;
    }
  const visIdx = tf.tensor1d(vis, 'int32');
  const unmaskIdx = tf.tensor1d(unmask, 'int32');
  const masked = tf.tensor2d(rowMask, [B * N, 1]); // (B·N, 1)
  const lossScale = 1 / (B * (N - K) * V);
  const normGroups = config.targetNorm === 'patch-group' ? normGroupsOfTokenGroup(mod, 0) : config.targetNorm === 'patch' ? [C] : [];
  const constants = [pixels, encAdd, decAdd, visIdx, unmaskIdx, masked];

  // ---- layers
  const linear = (x: tf.Tensor, q: LinearParams<tf.Variable>): tf.Tensor => tf.fused.matMul({ a: x, b: q.w, bias: q.b });
  const layerNorm = (x: tf.Tensor, q: NormParams<tf.Variable>): tf.Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, config.lnEps))), q.g), q.b);
  };
  const gelu = (x: tf.Tensor): tf.Tensor => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  /** Multi-head self-attention of x (B·n, D) per sequence; returns the heads concatenated (B·n, D). */
  const attention = (x: tf.Tensor, w: tf.Variable, n: number, NH: number): tf.Tensor => {
    const D = x.shape[1]!;
    const HS = D / NH;
    const qkv = tf.matMul(x, w); // (B·n, 3·D), columns (q|k|v, head, dim)
    const split = tf.reshape(tf.transpose(tf.reshape(qkv, [B, n, 3, NH, HS]), [2, 0, 3, 1, 4]), [3, B * NH, n, HS]); // (3, B·NH, n, HS)
    const [q, k, v] = tf.unstack(split); // (B·NH, n, HS) each
    const probs = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(HS))); // (B·NH, n, n)
    const out = tf.matMul(probs, v); // (B·NH, n, HS)
    return tf.reshape(tf.transpose(tf.reshape(out, [B, NH, n, HS]), [0, 2, 1, 3]), [B * n, D]);
  };
  const block = (x: tf.Tensor, q: BlockParams<tf.Variable>, n: number, NH: number): tf.Tensor => {
    const x2 = tf.add(x, linear(attention(layerNorm(x, q.ln1), q.qkv, n, NH), q.proj));
    return tf.add(x2, linear(gelu(linear(layerNorm(x2, q.ln2), q.fc1)), q.fc2));
  };
  const stack = (x: tf.Tensor, q: TransformerParams<tf.Variable>, n: number, NH: number): tf.Tensor => layerNorm(q.blocks.reduce((h, blk) => block(h, blk, n, NH), x), q.ln);

  /** Patch(-group)-normalised reconstruction targets of the patches (R, V); constants of the loss. */
  const targets = (patches: tf.Tensor): tf.Tensor => {
    if (normGroups.length === 0) return patches;
    const R = patches.shape[0];
    const pix = tf.reshape(patches, [R, P * P, C]); // (R, P², C)
    let c0 = 0;
    const parts = normGroups.map((ck) => {
      const m = P * P * ck;
      const x = tf.reshape(tf.slice(pix, [0, 0, c0], [R, P * P, ck]), [R, m]); // (R, P²·Ck)
      c0 += ck;
      const d = tf.sub(x, tf.mean(x, 1, true));
      // Unbiased variance (torch.var); a single-value group has none and normalises to 0 (targetNormRef).
      const variance = m > 1 ? tf.div(tf.sum(tf.square(d), 1, true), m - 1) : tf.zerosLike(tf.mean(x, 1, true));
      return tf.reshape(tf.mul(d, tf.rsqrt(tf.add(variance, 1e-6))), [R, P * P, ck]);
    });
    return tf.reshape(parts.length === 1 ? parts[0] : tf.concat(parts, 2), [R, V]);
  };

  const loss = (): tf.Scalar => {
    const patches = tf.reshape(tf.transpose(tf.reshape(pixels, [B * T, C, g, P, g, P]), [0, 2, 4, 3, 5, 1]), [B * N, V]); // (R, V)
    const emb = tf.reshape(linear(patches, p.embed[0][0].patch), [B * T, L * E]); // (B·T, L·E)
    const { mean, variance } = tf.moments(emb, 1, true); // (B·T, 1): GroupNorm(1, E) statistics per (sample, date)
    const normed = tf.reshape(tf.mul(tf.sub(emb, mean), tf.rsqrt(tf.add(variance, config.groupNormEps))), [B * N, E]);
    const X = tf.add(tf.add(tf.mul(normed, p.embed[0][0].norm.g), p.embed[0][0].norm.b), encAdd); // (B·N, E)
    let enc = stack(tf.gather(X, visIdx), p.encoder[0], K, config.encoder.heads); // (B·K, E)
    if (p.inter) enc = stack(enc, p.inter, K, config.encoder.heads);
    const d = linear(enc, p.encToDec[0]); // (B·K, Dd)
    const full = tf.add(tf.gather(tf.concat([d, p.maskToken[0]], 0), unmaskIdx), decAdd); // (B·N, Dd)
    const pred = linear(stack(full, p.decoder[0], N, config.decoder.heads), p.head[0][0]); // (R, V)
    const diff = tf.sub(pred, targets(patches));
    const err = config.loss === 'l1' ? tf.abs(diff) : tf.square(diff);
    return tf.mul(tf.sum(tf.mul(err, masked)), lossScale);
  };

  const optimizer = tf.train.adam(opt.lr, opt.beta1, opt.beta2, opt.eps);
  const decay = 1 - opt.lr * opt.weightDecay;

  return {
    variables,
    loss,
    async step() {
      const { value, grads } = tf.variableGrads(loss, varList);
      try {
        const l = (await value.data())[0];
        tf.tidy(() => {
          for (const v of varList) v.assign(tf.mul(v, decay));
        });
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        return l;
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
    },
    grads() {
      const { value, grads } = tf.variableGrads(loss, varList);
      const byName = new Map<string, tf.Tensor>();
      for (const [name, v] of variables) byName.set(name, grads[v.name]);
      return { loss: value, grads: byName };
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([...constants, ...varList]);
    },
  };
}
