/**
 * estimateModel: parameter count, analytic minimum training memory and FLOPs per training step of a MaeConfig at
 * batch size B, before anything is allocated (the UI shows it next to the preset picker; the trainer checks it
 * against the adapter's limits).
 *
 * Conventions (float32 everywhere, 4 bytes per value):
 * - memory = params + grads + 2 AdamW moments (each the padded flat layout) + the activations the backward needs,
 *   counted tensor by tensor as the whole-graph reference saves them (mae.ref.ts): per transformer block of R rows,
 *   width D, MLP width M and NH heads, R·(8D + 2M + 4 + NH) values: input, LN1 out, qkv (3D), attention out,
 *   residual, LN2 out, the MLP pre-activation and GELU output (2M), 4 LayerNorm statistics and the attention
 *   log-sum-exp per head (attention probabilities are recomputed, never stored); plus patches, patch-embedding
 *   outputs, predictions and targets. Transient buffers are not counted, hence "minimum".
 * - FLOPs count multiply-adds as 2: every linear 2·rows·in·out; attention 4·N²·D per sequence (q·kᵀ and p·v).
 *   Backward = 2 × forward for linears (dX and dW) except the patch embedding (no dX: the input is data) and 2 × for
 *   attention. Norms, GELU, gathers and the loss are O(values) and left out (< 1 % at every preset).
 */
import { type MaeConfig, groupTokenCounts, gridSize } from './config';
import { geoFeatureWidth } from './geo';
import { buildParamLayout } from './params';

export interface ModelEstimate {
  /** Learned scalars. */
  params: number;
  /** Length of the padded flat parameter array. */
  flatLength: number;
  /** Per fusion group: full sequence N and visible K tokens per sample. */
  tokens: { group: string; N: number; K: number }[];
  bytes: { params: number; grads: number; adam: number; activations: number; total: number };
  flops: { forward: number; backward: number; total: number };
}

const F32 = 4;

export function estimateModel(config: MaeConfig, B: number): ModelEstimate {
  const layout = buildParamLayout(config);
  const counts = groupTokenCounts(config);
  const E = config.encoder.width;
  const M = E * config.encoder.mlpRatio;
  const Dd = config.decoder.width;
  let acts = 0;
  let fwd = 0;
  let bwd = 0;

  const linear = (rows: number, fin: number, fout: number, needDx = true) => {
    const f = 2 * rows * fin * fout;
    fwd += f;
    bwd += needDx ? 2 * f : f;
  };
  /** A stack of `depth` blocks on B sequences of N tokens, width D, MLP width Mh, then its final LN. */
  const stack = (depth: number, N: number, D: number, Mh: number, NH: number) => {
    const R = B * N;
    for (let i = 0; i < depth; i++) {
      acts += R * (8 * D + 2 * Mh + 4 + NH); // x, ln1, qkv (3D), att, x2, ln2; fc1, gelu; LN stats; lse
      linear(R, D, 3 * D);
      linear(R, D, D);
      linear(R, D, Mh);
      linear(R, Mh, D);
      const attn = 4 * B * N * N * D;
      fwd += attn;
      bwd += 2 * attn;
    }
    acts += R * (D + 2); // final LN input + statistics
  };

  // Patch embedding, targets and predictions per modality and token group.
  for (const m of config.modalities) {
    const L = gridSize(m) ** 2;
    const R = B * m.dates * L;
    for (const Cg of m.tokenGroups) {
      const V = m.patchSize * m.patchSize * Cg;
      acts += R * V + R * E + 2 * B * m.dates; // patches, conv out, GroupNorm statistics
      linear(R, V, E, false);
      acts += 2 * R * V; // prediction and target
      linear(R, Dd, V);
    }
  }
  counts.forEach(({ N, K }) => {
    stack(config.encoder.groupDepth, K, E, M, config.encoder.heads);
    acts += B * K * E; // enc→dec input
    linear(B * K, E, Dd);
    stack(config.decoder.depth, N, Dd, config.decoder.mlpHidden, config.decoder.heads);
    acts += B * N * Dd; // head input
  });
  // Geographic encoding (geo.ts): features (B·N, Fg) per group; Φ·W into the encoder and decoder inputs, and only
  // dW = Φᵀ·dX backward (the features are data).
  const Fg = geoFeatureWidth(config.geoEncoding);
  if (Fg > 0)
    counts.forEach(({ N }) => {
      acts += B * N * Fg;
      linear(B * N, Fg, E, false);
      linear(B * N, Fg, Dd, false);
    });
  if (config.encoder.interDepth > 0) {
    const Ktot = counts.reduce((s, c) => s + c.K, 0);
    stack(config.encoder.interDepth, Ktot, E, M, config.encoder.heads);
  }

  const paramBytes = layout.size * F32;
  const activations = acts * F32;
  return {
    params: layout.count,
    flatLength: layout.size,
    tokens: config.groups.map((g, gi) => ({ group: g.name, N: counts[gi].N, K: counts[gi].K })),
    bytes: { params: paramBytes, grads: paramBytes, adam: 2 * paramBytes, activations, total: 4 * paramBytes + activations },
    flops: { forward: fwd, backward: bwd, total: fwd + bwd },
  };
}
