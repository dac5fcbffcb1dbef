/**
 * ONNX export of the pre-trained encoder of one MaeConfig: pixels and date encodings in, per-fusion-group token
 * features out — the same function as mae.ref.ts steps 1–5 with every token visible (method.md §2.4–§2.11).
 *
 * Graph (shape letters: b = the symbolic 'batch' dim, T dates, C bands, H = W pixels, P patch, g = H/P, L = g²,
 * Cj bands of token group j, V = P²·Cj, E width, NH heads, HS = E/NH, N_g tokens of fusion group g):
 *   per modality m, token group j:
 *     pixels_m (b, T, C, H, W) → Slice bands → Reshape (b·T, Cj, g, P, g, P) → Transpose (b·T, gy, gx, py, px, Cj)
 *       → Reshape (b, T, L, V)                                       patchify, value order (py, px, c) as patchifyRef
 *     → MatMul W (V, E) + bias                                       Linear (weights stored (in, out))
 *     → GroupNorm(1, E) per (sample, date): ReduceMean over (L, E), biased variance, per-channel γ, β
 *     → + PE (L, E) [sin-cos table in the first E − 8 channels, zeros after]
 *       + DE (b, T, 1, E) [dates_m (b, T, 8) padded with E − 8 leading zeros]
 *     → Reshape (b, T·L, E)                                          token order (t, l)
 *   per fusion group: Concat of its segments in (modality, token group) order → (b, N_g, E)
 *     [+ geo_<group> (b, N_g, Fg) · geo.enc.w (Fg, E) with a geographic encoding (geo.ts)] → groupDepth pre-LN blocks
 *     (LayerNormalization, MatMul qkv, per-head MatMul/Softmax attention, MatMul proj + residual, LayerNormalization,
 *     MatMul fc1, exact GELU, MatMul fc2 + residual) → LayerNormalization
 *   inter-group (interDepth > 0): Concat of all groups (b, ΣN_g, E) → interDepth blocks → LayerNormalization → Slice
 *   outputs features_<group> (b, N_g, E).
 *
 * Invariants: the batch dimension is symbolic ('batch'); every other dimension is fixed by the config. Weights are
 * float32 initializers named by our parameter names (params.ts), the position tables are initializers named
 * `pe.<modality>`. The date encoding is an INPUT because it depends on each sample's acquisition dates: the caller
 * computes it with encodings.ts (encoderFeeds.ts does), all zeros when config.dateEncoding.enabled is false. The
 * geographic features are inputs for the same reason (they depend on each sample's footprint): geo.ts
 * geoFeatureMatrices, one (b, N_g, Fg) input per fusion group, present only when config.geoEncoding is not 'off'.
 * Opset 17 (default) writes GELU as ½·x·(1 + erf(x/√2)); opset 20 uses the Gelu operator.
 * Reference: src/model/mae.ref.ts, src/model/transformer.ref.ts, src/kernels/{patchify,groupnorm,attention}.ref.ts.
 */
import { assert } from '../lib/assert';
import { type MaeConfig, type ModalityConfig, gridSize, modalityByName, tokenGroupRanges, validateConfig } from '../model/config';
import { DATE_DIM, positionEncoding } from '../model/encodings';
import { geoFeatureWidth } from '../model/geo';
import { buildParamLayout, type EmbedParams, paramViews, type TransformerParams } from '../model/params';
import { GraphBuilder } from './onnxGraph';
import { encodeOnnxModel, ONNX_FLOAT, type OnnxValueInfo } from './onnxProto';

export const ENCODER_ONNX_OPSETS = [17, 20] as const;
export type EncoderOnnxOpset = (typeof ENCODER_ONNX_OPSETS)[number];

export interface EncoderOnnxOptions {
  /** 17 (default; GELU via Erf, for any runtime with opset 17) or 20 (the Gelu operator). */
  opset?: EncoderOnnxOpset;
  /** Written into ModelProto.producer_version. */
  producerVersion?: string;
  /** Extra ModelProto.metadata_props entries (e.g. the checkpoint step). */
  metadata?: Record<string, string>;
}

/** One graph input or output: its name and shape ('batch' is the symbolic batch dimension). */
export interface EncoderTensorSpec {
  name: string;
  shape: (number | 'batch')[];
}

export interface EncoderOnnxSignature {
  /**
   * pixels_<m> (batch, T, C, H, W) then dates_<m> (batch, T, 8), per modality in config order; then, with a geographic
   * encoding, geo_<group> (batch, N_g, Fg) per fusion group in config order.
   */
  inputs: EncoderTensorSpec[];
  /** features_<group> (batch, N_g, E) in config.groups order. */
  outputs: EncoderTensorSpec[];
}

export const pixelsInputName = (modality: string): string => `pixels_${modality}`;
export const datesInputName = (modality: string): string => `dates_${modality}`;
export const featuresOutputName = (group: string): string => `features_${group}`;
export const geoInputName = (group: string): string => `geo_${group}`;

/** Tokens per sample of fusion group `group`: Σ over its modalities of token groups · dates · L. */
function groupTokens(config: MaeConfig, groupIndex: number): number {
  return config.groups[groupIndex].modalities.reduce((s, name) => {
    const m = modalityByName(config, name);
    return s + m.tokenGroups.length * m.dates * gridSize(m) ** 2;
  }, 0);
}

/** Names and shapes of the exported encoder's inputs and outputs. */
export function encoderOnnxSignature(config: MaeConfig): EncoderOnnxSignature {
  const inputs: EncoderTensorSpec[] = [];
  for (const m of config.modalities) {
    inputs.push({ name: pixelsInputName(m.name), shape: ['batch', m.dates, m.bands.length, m.imageSize, m.imageSize] });
    inputs.push({ name: datesInputName(m.name), shape: ['batch', m.dates, DATE_DIM] });
  }
  const Fg = geoFeatureWidth(config.geoEncoding);
  if (Fg > 0) config.groups.forEach((g, gi) => inputs.push({ name: geoInputName(g.name), shape: ['batch', groupTokens(config, gi), Fg] }));
  const outputs = config.groups.map((g, gi): EncoderTensorSpec => ({ name: featuresOutputName(g.name), shape: ['batch', groupTokens(config, gi), config.encoder.width] }));
  return { inputs, outputs };
}

/** The doc string of each input kind (the name's prefix). */
const INPUT_DOCS: Record<string, string> = {
  pixels: 'model-ready pixels (B, T, C, H, W), scaled as config.modalities[].scaling says',
  dates: 'date encoding (B, T, 8) from encodings.ts dateEncoding, relative to config.dateEncoding.reference; zeros when disabled',
  geo: 'geographic features (B, N_g, Fg) from geo.ts geoFeatureMatrices: sin/cos of each token centre on the Earth and of its GSD',
};

/** A named parameter view (name + shape + values) handed to the builder as an initializer. */
interface NamedParam {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Serialises the encoder of `config` with the parameters `flatParams` (the flat array of params.ts, length
 * buildParamLayout(config).size) to ONNX bytes. Throws on an invalid config or a parameter array of the wrong size.
 */
export function exportEncoderOnnx(config: MaeConfig, flatParams: Float32Array, opts: EncoderOnnxOptions = {}): Uint8Array {
  validateConfig(config);
  const opset = opts.opset ?? 17;
  assert((ENCODER_ONNX_OPSETS as readonly number[]).includes(opset), () => `ONNX opset ${opset} is not one of ${ENCODER_ONNX_OPSETS.join(', ')}`);
  const layout = buildParamLayout(config);
  assert(flatParams.length === layout.size, () => `flat parameter array has ${flatParams.length} elements, the layout of this config needs ${layout.size}`);
  for (let i = 0; i < flatParams.length; i++) {
    if (!Number.isFinite(flatParams[i])) throw new Error(`parameter element ${i} is ${flatParams[i]}; refusing to export a non-finite model`);
  }
  const pv = paramViews(config, layout, (e): NamedParam => ({ name: e.name, shape: e.shape, data: flatParams.subarray(e.offset, e.offset + e.size) }));

  const gb = new GraphBuilder(opset);
  const param = (p: NamedParam): string => gb.floatInit(p.name, p.shape, p.data);
  const E = config.encoder.width;
  const sig = encoderOnnxSignature(config);

  // Segments (b, T·L, E) of every modality, keyed by modality index, in token-group order.
  const segments = new Map<number, string[]>();
  config.modalities.forEach((m, mi) => segments.set(mi, embedModality(gb, config, m, pv.embed[mi], param)));

  // Per-group sequences and encoders.
  const N = config.groups.map((_, gi) => groupTokens(config, gi));
  const encoded = config.groups.map((grp, gi) => {
    const parts = grp.modalities.flatMap((name) => segments.get(config.modalities.findIndex((m) => m.name === name)) ?? []);
    let seq = gb.concat(parts, 1, `seq.${grp.name}`); // (b, N_g, E)
    // Geographic addend Φ_g · W_enc (mae.ref.ts step 2b), after the embedded tokens and their encodings.
    if (pv.geo) seq = gb.op('Add', [seq, gb.op('MatMul', [geoInputName(grp.name), param(pv.geo.enc)], `geo.${grp.name}.mm`)], `seq.${grp.name}.geo`); // (b, N_g, E)
    return transformerStack(gb, config, seq, N[gi], pv.encoder[gi], param, `enc.${grp.name}`); // (b, N_g, E)
  });

  // Inter-group stage over the concatenation of all groups, split back per group.
  let features = encoded;
  if (pv.inter) {
    const total = N.reduce((a, b) => a + b, 0);
    const z = transformerStack(gb, config, gb.concat(encoded, 1, 'inter.in'), total, pv.inter, param, 'inter'); // (b, ΣN, E)
    let n0 = 0;
    features = N.map((n) => {
      const part = gb.slice(z, [n0], [n0 + n], [1], 'inter.split'); // (b, N_g, E)
      n0 += n;
      return part;
    });
  }
  features.forEach((f, gi) => gb.node('Identity', [f], { outputs: [sig.outputs[gi].name] }));

  const valueInfo = (s: EncoderTensorSpec, doc: string): OnnxValueInfo => ({ name: s.name, elemType: ONNX_FLOAT, shape: s.shape, doc });
  const inputs = sig.inputs.map((s) =>
    valueInfo(s, INPUT_DOCS[s.name.slice(0, s.name.indexOf('_'))]),
  );
  const outputs = sig.outputs.map((s) => valueInfo(s, 'encoder token features (B, N_g, E), tokens ordered (modality, token group, date, row, col)'));
  const graph = gb.build(
    'eo_mae_encoder',
    inputs,
    outputs,
    `EO-MAE Studio encoder: ${config.modalities.length} modalities, ${config.groups.length} fusion groups, width ${E}, ${config.encoder.groupDepth}+${config.encoder.interDepth} blocks`,
  );
  return encodeOnnxModel({
    irVersion: opset >= 20 ? 9 : 8,
    opsets: [{ domain: '', version: opset }],
    producerName: 'eo-mae-studio',
    producerVersion: opts.producerVersion ?? '0.1.0',
    doc: 'MAESTRO-style masked-autoencoder encoder (all tokens visible). See docs/readme-onnx.md.',
    graph,
    metadata: {
      'eo_mae.config': JSON.stringify(config),
      'eo_mae.inputs': JSON.stringify(sig.inputs),
      'eo_mae.outputs': JSON.stringify(sig.outputs),
      ...opts.metadata,
    },
  });
}

/** Patch embedding + GroupNorm + encodings of every token group of modality m → segments (b, T·L, E). */
function embedModality(
  gb: GraphBuilder,
  config: MaeConfig,
  m: ModalityConfig,
  embed: EmbedParams<NamedParam>[], // [token group]
  param: (p: NamedParam) => string,
): string[] {
  const E = config.encoder.width;
  const [T, P, g] = [m.dates, m.patchSize, gridSize(m)];
  const L = g * g;
  const pixels = pixelsInputName(m.name); // (b, T, C, H, W)

  // [PE ‖ 0] (L, E): the date channels stay zero here and are filled by the date input below.
  const pe = positionEncoding(config, m, E); // (L, E − 8)
  const pePadded = new Float32Array(L * E); // (L, E)
  for (let l = 0; l < L; l++) for (let c = 0; c < E - DATE_DIM; c++) pePadded[l * E + c] = pe[l * (E - DATE_DIM) + c];
  const peName = gb.floatInit(`pe.${m.name}`, [L, E], pePadded);
  // [0 ‖ DE] (b, T, 1, E): Pad puts E − 8 zeros before the 8 date channels.
  const dePadded = gb.op('Pad', [datesInputName(m.name), gb.int64Const([0, 0, E - DATE_DIM, 0, 0, 0])], `de.${m.name}`); // (b, T, E)
  const de = gb.reshape(dePadded, [-1, T, 1, E], `de.${m.name}`); // (b, T, 1, E)

  return tokenGroupRanges(m).map(([c0, c1], j) => {
    const hint = `embed.${m.name}.${j}`;
    const Cj = c1 - c0;
    const p = embed[j];
    const bands = m.tokenGroups.length > 1 ? gb.slice(pixels, [c0], [c1], [2], `${hint}.bands`) : pixels; // (b, T, Cj, H, W)
    const grid = gb.reshape(bands, [-1, Cj, g, P, g, P], `${hint}.grid`); // (b·T, Cj, gy, py, gx, px)
    const perm = gb.transpose(grid, [0, 2, 4, 3, 5, 1], `${hint}.perm`); // (b·T, gy, gx, py, px, Cj)
    const patches = gb.reshape(perm, [-1, T, L, P * P * Cj], `${hint}.patches`); // (b, T, L, V)
    const emb = gb.op('Add', [gb.op('MatMul', [patches, param(p.patch.w)], `${hint}.mm`), param(p.patch.b)], `${hint}.emb`); // (b, T, L, E)

    // GroupNorm(1, E) over each (sample, date) token map: two-pass mean / biased variance, as groupNormForwardRef.
    const mean = gb.reduceMean(emb, [2, 3], `${hint}.gn.mean`); // (b, T, 1, 1)
    const d = gb.op('Sub', [emb, mean], `${hint}.gn.d`); // (b, T, L, E)
    const variance = gb.reduceMean(gb.op('Mul', [d, d], `${hint}.gn.d2`), [2, 3], `${hint}.gn.var`); // (b, T, 1, 1)
    const rstd = gb.op('Reciprocal', [gb.op('Sqrt', [gb.op('Add', [variance, gb.scalar(config.groupNormEps)], `${hint}.gn.veps`)], `${hint}.gn.std`)], `${hint}.gn.rstd`);
    const xhat = gb.op('Mul', [d, rstd], `${hint}.gn.xhat`);
    const gn = gb.op('Add', [gb.op('Mul', [xhat, param(p.norm.g)], `${hint}.gn.scaled`), param(p.norm.b)], `${hint}.gn`); // (b, T, L, E)

    const withPe = gb.op('Add', [gn, peName], `${hint}.pe`); // (b, T, L, E)
    const withDe = gb.op('Add', [withPe, de], `${hint}.de`); // (b, T, L, E)
    return gb.reshape(withDe, [-1, T * L, E], `${hint}.tokens`); // (b, T·L, E)
  });
}

/** vit-pytorch Transformer: pre-LN blocks then a final LayerNorm; x (b, N, E) → (b, N, E). */
function transformerStack(gb: GraphBuilder, config: MaeConfig, x: string, N: number, p: TransformerParams<NamedParam>, param: (p: NamedParam) => string, hint: string): string {
  const E = config.encoder.width;
  const NH = config.encoder.heads;
  const HS = E / NH;
  const eps = config.lnEps;
  const scale = gb.scalar(1 / Math.sqrt(HS));
  let cur = x;
  p.blocks.forEach((blk, i) => {
    const h = `${hint}.${i}`;
    const ln1 = gb.layerNorm(cur, param(blk.ln1.g), param(blk.ln1.b), eps, `${h}.ln1`); // (b, N, E)
    const qkv = gb.reshape(gb.op('MatMul', [ln1, param(blk.qkv)], `${h}.qkv`), [-1, N, 3, NH, HS], `${h}.qkv5`); // (b, N, 3, NH, HS)
    const part = (which: number) => gb.op('Gather', [qkv, gb.int64Scalar(which)], `${h}.${'qkv'[which]}`, [{ name: 'axis', kind: 'int', value: 2 }]); // (b, N, NH, HS)
    const q = gb.transpose(part(0), [0, 2, 1, 3], `${h}.q`); // (b, NH, N, HS)
    const kT = gb.transpose(part(1), [0, 2, 3, 1], `${h}.kT`); // (b, NH, HS, N)
    const v = gb.transpose(part(2), [0, 2, 1, 3], `${h}.v`); // (b, NH, N, HS)
    const scores = gb.op('Mul', [gb.op('MatMul', [q, kT], `${h}.qk`), scale], `${h}.scores`); // (b, NH, N, N)
    const probs = gb.op('Softmax', [scores], `${h}.probs`, [{ name: 'axis', kind: 'int', value: -1 }]); // (b, NH, N, N)
    const heads = gb.op('MatMul', [probs, v], `${h}.att`); // (b, NH, N, HS)
    const att = gb.reshape(gb.transpose(heads, [0, 2, 1, 3], `${h}.att.t`), [-1, N, E], `${h}.att.cat`); // (b, N, E)
    const proj = gb.op('Add', [gb.op('MatMul', [att, param(blk.proj.w)], `${h}.proj.mm`), param(blk.proj.b)], `${h}.proj`); // (b, N, E)
    const x2 = gb.op('Add', [cur, proj], `${h}.x2`); // (b, N, E)
    const ln2 = gb.layerNorm(x2, param(blk.ln2.g), param(blk.ln2.b), eps, `${h}.ln2`); // (b, N, E)
    const fc1 = gb.op('Add', [gb.op('MatMul', [ln2, param(blk.fc1.w)], `${h}.fc1.mm`), param(blk.fc1.b)], `${h}.fc1`); // (b, N, M)
    const fc2 = gb.op('Add', [gb.op('MatMul', [gb.gelu(fc1, `${h}.gelu`), param(blk.fc2.w)], `${h}.fc2.mm`), param(blk.fc2.b)], `${h}.fc2`); // (b, N, E)
    cur = gb.op('Add', [x2, fc2], `${h}.x3`); // (b, N, E)
  });
  return gb.layerNorm(cur, param(p.ln.g), param(p.ln.b), eps, `${hint}.ln`); // (b, N, E)
}
