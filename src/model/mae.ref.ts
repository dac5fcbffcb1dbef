/**
 * Whole-graph float64 CPU reference of the MAESTRO masked autoencoder: forward (loss, predictions) and a hand-written
 * backward giving the gradient of every parameter. It DEFINES the model's semantics; the GPU graph (mae.ts) must match
 * it loss for loss and gradient for gradient. Reference: method.md §2.4–§2.11, IGNF/MAESTRO maestro/ssl/{mim,mae}.py.
 *
 * Forward, per batch (shape letters: B batch, T dates, C bands, H/W pixels, P patch, L = (H/P)² locations, Gt token
 * band groups, Cj bands of token group j, V = P²·Cj values per token, N_g / K_g full / visible tokens of group g,
 * E encoder width, Dd decoder width):
 *  1. patch embedding per (modality m, token group j): patchify (B, T, L, P²·Cj) → Linear(P²·Cj, E) → GroupNorm(1, E)
 *     over each (sample, date) token map (masked tokens included, quirk 1);
 *  2. group sequence X_g (B, N_g, E): member modalities in group order, each laid out (j, t, l), plus [PE ‖ DE];
 *  3. keep the visible tokens (masks are INPUTS, from masking.ts): (B, K_g, E), original order;
 *  4. per-group Transformer (groupDepth blocks + LN);
 *  5. if interDepth > 0: one Transformer over the concatenation of all groups' visible tokens per sample (+ LN), split;
 *  6. per-group Linear(E, Dd); scatter back to (B, N_g, Dd) with the modality/token-group mask token at masked
 *     positions; + decoder [PE ‖ DE];
 *  7. per-group decoder Transformer (depth blocks + LN);
 *  8. per (m, j) pixel head Linear(Dd, P²·Cj) → prediction (B·T·L, P²·Cj) in patchify order (py, px, c);
 *  9. target = patchify(x) normalised per row (none | whole token | per normalisation group, unbiased var, 1e-6);
 * 10. ℓ_m = mean of |pred − target| (l1) or (pred − target)² (l2) over every value of every masked token of m (all
 *     its token groups pooled; 0 if none is masked); loss = Σ_m w_m·ℓ_m / Σ_m w_m with w_m = T_m·L_m (MAESTRO
 *     compute_loss_rec: D·h·w).
 * Backward: the same steps in reverse, each through the backward of its per-op reference.
 * Geographic encoding (A²-MAE-style, method.md §7.3; only when weights.geo is present): the constant features Φ_g
 * (B, N_g, Fg) of each group sequence (geo.ts) go through the learned maps, Φ_g·W_enc added in step 2 and Φ_g·W_dec
 * in step 6 (geo.ref.ts); their gradients are Φ_gᵀ·dX_g (zero at masked tokens) and Φ_gᵀ·dFull_g.
 *
 * Inputs are plain structures (MaeRefSpec is the subset of MaeConfig used here; MaeRefWeights has the shape of
 * params.ts MaeParams<Float64Array>), so this file imports only src/lib and other *.ref.ts files.
 */
import { assert } from '../lib/assert';
import { encodingAddRef } from '../kernels/encoding.ref';
import { gatherRowsRef, scatterRowsRef } from '../kernels/gather.ref';
import { groupNormBackwardRef, groupNormForwardRef } from '../kernels/groupnorm.ref';
import { maskedLossBackwardRef, maskedLossForwardRef } from '../kernels/loss.ref';
import { linearBackwardRef, matmulRef } from '../kernels/matmul.ref';
import { patchifyRef } from '../kernels/patchify.ref';
import { targetNormRef } from '../kernels/targetnorm.ref';
import { geoMapBackwardRef, geoMapForwardRef } from './geo.ref';
import { addInto, transformerBackwardRef, transformerForwardRef, type RefLinear, type RefNorm, type RefTransformer, type StackActs, type StackDims } from './transformer.ref';

// ---------------------------------------------------------------------------------------------------------------
// Inputs

export interface MaeRefModality {
  name: string;
  bands: readonly string[]; // C = bands.length
  normGroups: readonly number[];
  tokenGroups: readonly number[];
  patchSize: number;
  imageSize: number;
  dates: number;
}

export interface MaeRefSpec {
  modalities: readonly MaeRefModality[];
  groups: readonly { name: string; modalities: readonly string[] }[];
  encoder: { width: number; heads: number; groupDepth: number; interDepth: number; mlpRatio: number };
  decoder: { width: number; depth: number; heads: number; mlpHidden: number };
  targetNorm: 'none' | 'patch' | 'patch-group';
  loss: 'l1' | 'l2';
  lnEps: number;
  groupNormEps: number;
}

export interface MaeRefWeights {
  embed: { patch: RefLinear; norm: RefNorm }[][]; // [m][j] (P²·Cj, E), GroupNorm (E)
  encoder: RefTransformer[]; // [g] width E
  inter: RefTransformer | null; // width E
  encToDec: RefLinear[]; // [g] (E, Dd)
  maskToken: Float64Array[]; // [m] (Gt, Dd)
  decoder: RefTransformer[]; // [g] width Dd
  head: RefLinear[][]; // [m][j] (Dd, P²·Cj)
  /** Geographic maps (Fg, E) and (Fg, Dd); absent or null = no geographic encoding. */
  geo?: { enc: Float64Array; dec: Float64Array } | null;
}

export interface MaeRefInputs {
  B: number;
  /** [m] (B, T, C, H, W) model-ready pixels. */
  pixels: readonly ArrayLike<number>[];
  /** [g] visible token indices (B, K), ascending per sample (masking.ts GroupMask). */
  masks: readonly { K: number; visible: ArrayLike<number> }[];
  /** [m] encoder tables: pos (L, E − 8), date (B, T, 8) (encodings.ts). */
  encEncodings: readonly { pos: ArrayLike<number>; date: ArrayLike<number> }[];
  /** [m] decoder tables: pos (L, Dd − 8), date (B, T, 8). */
  decEncodings: readonly { pos: ArrayLike<number>; date: ArrayLike<number> }[];
  /** [g] (B, N_g, Fg) geographic features (geo.ts geoFeatureMatrices); required when weights.geo is present. */
  geo?: readonly ArrayLike<number>[];
}

// ---------------------------------------------------------------------------------------------------------------
// Static geometry derived from the spec

interface Segment {
  m: number; // modality index
  j: number; // token group
  start: number; // first token of the segment in its group sequence
  bands: number[]; // channels of the token group
  normGroups: number[]; // normalisation groups inside the token group (band counts)
  V: number; // P²·Cj values per token
}

interface Geometry {
  T: number[]; // [m]
  L: number[]; // [m]
  groupOf: number[]; // [m] → g
  offset: number[]; // [m] first token of modality m in its group sequence
  N: number[]; // [g]
  segments: Segment[][]; // [g] → segments in sequence order
}

function geometry(spec: MaeRefSpec): Geometry {
  const mods = spec.modalities;
  const T = mods.map((m) => m.dates);
  const L = mods.map((m) => (m.imageSize / m.patchSize) ** 2);
  const groupOf = new Array<number>(mods.length).fill(-1);
  const offset = new Array<number>(mods.length).fill(0);
  const segments: Segment[][] = [];
  const N = spec.groups.map((g, gi) => {
    let n = 0;
    segments.push([]);
    for (const name of g.modalities) {
      const mi = mods.findIndex((x) => x.name === name);
      assert(mi >= 0, () => `group "${g.name}" names unknown modality "${name}"`);
      const m = mods[mi];
      groupOf[mi] = gi;
      offset[mi] = n;
      let c0 = 0;
      m.tokenGroups.forEach((Cj, j) => {
        const bands = Array.from({ length: Cj }, (_, c) => c0 + c);
        segments[gi].push({ m: mi, j, start: n + j * T[mi] * L[mi], bands, normGroups: normGroupsIn(m.normGroups, c0, c0 + Cj), V: m.patchSize * m.patchSize * Cj });
        c0 += Cj;
      });
      n += m.tokenGroups.length * T[mi] * L[mi];
    }
    return n;
  });
  return { T, L, groupOf, offset, N, segments };
}

/** Normalisation groups (band counts) lying inside channels [c0, c1); boundaries are aligned (config validation). */
function normGroupsIn(normGroups: readonly number[], c0: number, c1: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (const n of normGroups) {
    if (s >= c0 && s + n <= c1) out.push(n);
    s += n;
  }
  assert(out.reduce((a, b) => a + b, 0) === c1 - c0, () => `normalisation groups [${normGroups.join(',')}] do not tile bands [${c0}, ${c1})`);
  return out;
}

/** (B, N) flags, 1 = masked, from the visible lists. */
function maskedFlags(mask: { K: number; visible: ArrayLike<number> }, B: number, N: number): Uint8Array {
  const flags = new Uint8Array(B * N).fill(1);
  for (let b = 0; b < B; b++) for (let k = 0; k < mask.K; k++) flags[b * N + mask.visible[b * mask.K + k]] = 0;
  return flags;
}

/** (B, N, D) constant [PE ‖ DE] addend of a group sequence, modality by modality (encodingAddRef on zeros). */
function encodingAddend(spec: MaeRefSpec, geo: Geometry, gi: number, B: number, D: number, tables: MaeRefInputs['encEncodings']): Float64Array {
  const N = geo.N[gi];
  const out = new Float64Array(B * N * D);
  for (const name of spec.groups[gi].modalities) {
    const mi = spec.modalities.findIndex((x) => x.name === name);
    const R = spec.modalities[mi].tokenGroups.length * geo.T[mi] * geo.L[mi];
    const add = encodingAddRef(new Float64Array(B * R * D), tables[mi].pos, tables[mi].date, { B, R, D, L: geo.L[mi], T: geo.T[mi] });
    for (let b = 0; b < B; b++) out.set(add.subarray(b * R * D, (b + 1) * R * D), (b * N + geo.offset[mi]) * D);
  }
  return out;
}

/** Copies rows [start, start + R) of every sequence of a (B, N, D) tensor into (B·R, D). */
function sliceRows(x: Float64Array, B: number, N: number, D: number, start: number, R: number): Float64Array {
  const out = new Float64Array(B * R * D);
  for (let b = 0; b < B; b++) out.set(x.subarray((b * N + start) * D, (b * N + start + R) * D), b * R * D);
  return out;
}

/** Adds (B·R, D) into rows [start, start + R) of every sequence of a (B, N, D) tensor. */
function addRows(dst: Float64Array, src: Float64Array, B: number, N: number, D: number, start: number, R: number): void {
  for (let b = 0; b < B; b++) {
    const o = (b * N + start) * D;
    for (let i = 0; i < R * D; i++) dst[o + i] += src[b * R * D + i];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Forward

interface EmbedActs {
  patches: Float64Array; // (B·T·L, V)
  emb: Float64Array; // (B·T, L, E) linear output, GroupNorm input
  mean: Float64Array; // (B·T)
  rstd: Float64Array; // (B·T)
}

interface GroupActs {
  enc: StackActs;
  encOut: Float64Array; // (B, K, E) after the inter-group stage (input of enc→dec)
  dec: StackActs;
  decOut: Float64Array; // (B, N, Dd)
}

export interface MaeRefForward {
  loss: number;
  /** [m] ℓ_m. */
  modalityLoss: number[];
  /** [m][j] (B·T·L, P²·Cj) predictions, patchify order. */
  pred: Float64Array[][];
  /** [m][j] (B·T·L, P²·Cj) normalised targets. */
  target: Float64Array[][];
  /** [m][j] (B·T·L) 1 = masked token. */
  rowMask: Uint8Array[][];
  /** Saved activations for maeBackwardRef. */
  acts: { embed: EmbedActs[][]; groups: GroupActs[]; inter: StackActs | null; lossScale: number[][] };
}

function stackDims(spec: MaeRefSpec, B: number, N: number, which: 'encoder' | 'decoder'): StackDims {
  const E = spec.encoder.width;
  return which === 'encoder'
    ? { B, N, D: E, NH: spec.encoder.heads, M: E * spec.encoder.mlpRatio, eps: spec.lnEps }
    : { B, N, D: spec.decoder.width, NH: spec.decoder.heads, M: spec.decoder.mlpHidden, eps: spec.lnEps };
}

/** Throws naming the first input whose size does not match the spec. */
function checkInputs(spec: MaeRefSpec, geo: Geometry, w: MaeRefWeights, inputs: MaeRefInputs): void {
  const { B } = inputs;
  assert((spec.encoder.interDepth > 0) === (w.inter !== null), 'weights.inter must be present exactly when encoder.interDepth > 0');
  assert(inputs.masks.length === spec.groups.length, () => `${inputs.masks.length} masks for ${spec.groups.length} fusion groups`);
  spec.modalities.forEach((m, mi) => {
    const n = B * m.dates * m.bands.length * m.imageSize * m.imageSize;
    assert(inputs.pixels[mi]?.length === n, () => `pixels of "${m.name}" have ${inputs.pixels[mi]?.length} values, expected B·T·C·H·W = ${n}`);
    const L = geo.L[mi];
    assert(inputs.encEncodings[mi]?.pos.length === L * (spec.encoder.width - 8), () => `encoder position table of "${m.name}" is not (L, E − 8)`);
    assert(inputs.decEncodings[mi]?.pos.length === L * (spec.decoder.width - 8), () => `decoder position table of "${m.name}" is not (L, Dd − 8)`);
    assert(inputs.encEncodings[mi].date.length === B * m.dates * 8, () => `encoder date table of "${m.name}" is not (B, T, 8)`);
    assert(inputs.decEncodings[mi].date.length === B * m.dates * 8, () => `decoder date table of "${m.name}" is not (B, T, 8)`);
  });
  if (w.geo) {
    const Fg = w.geo.enc.length / spec.encoder.width;
    assert(Number.isInteger(Fg) && w.geo.dec.length === Fg * spec.decoder.width, 'weights.geo must be (Fg, E) and (Fg, Dd)');
    assert(inputs.geo?.length === spec.groups.length, () => `geo encoding needs one feature matrix per fusion group, got ${inputs.geo?.length ?? 0}`);
    inputs.geo.forEach((f, gi) => assert(f.length === B * geo.N[gi] * Fg, () => `geo features of group "${spec.groups[gi].name}" are not (B, N, Fg) = (${B}, ${geo.N[gi]}, ${Fg})`));
  }
  inputs.masks.forEach((mk, gi) => {
    assert(mk.K >= 1 && mk.K <= geo.N[gi] && mk.visible.length === B * mk.K, () => `mask of group "${spec.groups[gi].name}" must list B·K visible tokens with 1 ≤ K ≤ ${geo.N[gi]}`);
  });
}

export function maeForwardRef(spec: MaeRefSpec, w: MaeRefWeights, inputs: MaeRefInputs): MaeRefForward {
  const { B } = inputs;
  const geo = geometry(spec);
  checkInputs(spec, geo, w, inputs);
  const E = spec.encoder.width;
  const Dd = spec.decoder.width;
  const G = spec.groups.length;
  const mods = spec.modalities;

  // 1–2. Patch embedding + GroupNorm, into the group sequences, plus encodings.
  const X = spec.groups.map((_, gi) => encodingAddend(spec, geo, gi, B, E, inputs.encEncodings)); // [g] (B, N, E)
  const embed: EmbedActs[][] = mods.map((m, mi) => {
    const [T, L, gi] = [geo.T[mi], geo.L[mi], geo.groupOf[mi]];
    const P = m.patchSize;
    const H = m.imageSize;
    return geo.segments[gi]
      .filter((s) => s.m === mi)
      .map((s) => {
        const patches = patchifyRef(inputs.pixels[mi], { B, T, C: m.bands.length, H, W: H, P, bands: s.bands }); // (B·T·L, V)
        const p = w.embed[mi][s.j];
        const emb = matmulRef(patches, p.patch.w, { M: B * T * L, N: E, K: s.V }, p.patch.b); // (B·T, L, E)
        const gn = groupNormForwardRef(emb, p.norm.g, p.norm.b, { S: B * T, L, E, eps: spec.groupNormEps });
        addRows(X[gi], gn.out, B, geo.N[gi], E, s.start, T * L);
        return { patches, emb, mean: gn.mean, rstd: gn.rstd };
      });
  });

  // 2b. Geographic addend Φ_g·W_enc.
  const Fg = w.geo ? w.geo.enc.length / E : 0;
  if (w.geo) for (let gi = 0; gi < G; gi++) addInto(X[gi], geoMapForwardRef(inputs.geo![gi], w.geo.enc, { R: B * geo.N[gi], F: Fg, D: E }));

  // 3–4. Visible tokens through each group's encoder.
  const encActs: StackActs[] = [];
  const encOut: Float64Array[] = []; // [g] (B, K, E)
  for (let gi = 0; gi < G; gi++) {
    const { K, visible } = inputs.masks[gi];
    const visibleIn = gatherRowsRef(X[gi], visible, { B, N: geo.N[gi], K, D: E }); // (B, K, E)
    const enc = transformerForwardRef(visibleIn, w.encoder[gi], stackDims(spec, B, K, 'encoder'));
    encActs.push(enc.acts);
    encOut.push(enc.out);
  }

  // 5. Inter-group blocks over all visible tokens of a sample.
  const Ks = inputs.masks.map((m) => m.K);
  const Ktot = Ks.reduce((a, b) => a + b, 0);
  let inter: StackActs | null = null;
  if (w.inter) {
    const Z = new Float64Array(B * Ktot * E); // (B, ΣK, E)
    let k0 = 0;
    for (let gi = 0; gi < G; gi++) {
      addRows(Z, encOut[gi], B, Ktot, E, k0, Ks[gi]);
      k0 += Ks[gi];
    }
    const res = transformerForwardRef(Z, w.inter, stackDims(spec, B, Ktot, 'encoder'));
    inter = res.acts;
    k0 = 0;
    for (let gi = 0; gi < G; gi++) {
      encOut[gi] = sliceRows(res.out, B, Ktot, E, k0, Ks[gi]);
      k0 += Ks[gi];
    }
  }

  // 6–7. enc→dec, un-masking with mask tokens, decoder encodings, decoder.
  const groups: GroupActs[] = [];
  for (let gi = 0; gi < G; gi++) {
    const { K, visible } = inputs.masks[gi];
    const N = geo.N[gi];
    const d = matmulRef(encOut[gi], w.encToDec[gi].w, { M: B * K, N: Dd, K: E }, w.encToDec[gi].b); // (B, K, Dd)
    const full = scatterRowsRef(d, visible, { B, N, K, D: Dd }); // (B, N, Dd), zeros at masked rows
    const flags = maskedFlags(inputs.masks[gi], B, N);
    for (const s of geo.segments[gi]) {
      const tok = w.maskToken[s.m].subarray(s.j * Dd, (s.j + 1) * Dd);
      const R = geo.T[s.m] * geo.L[s.m];
      for (let b = 0; b < B; b++)
        for (let r = 0; r < R; r++) if (flags[b * N + s.start + r]) full.set(tok, (b * N + s.start + r) * Dd);
    }
    addInto(full, encodingAddend(spec, geo, gi, B, Dd, inputs.decEncodings));
    if (w.geo) addInto(full, geoMapForwardRef(inputs.geo![gi], w.geo.dec, { R: B * N, F: Fg, D: Dd }));
    const dec = transformerForwardRef(full, w.decoder[gi], stackDims(spec, B, N, 'decoder'));
    groups.push({ enc: encActs[gi], encOut: encOut[gi], dec: dec.acts, decOut: dec.out });
  }

  // 8–10. Pixel heads, targets, masked losses.
  const pred: Float64Array[][] = mods.map(() => []);
  const target: Float64Array[][] = mods.map(() => []);
  const rowMask: Uint8Array[][] = mods.map(() => []);
  const partial: number[][] = mods.map(() => []); // ℓ_{m,j}
  const counts: number[][] = mods.map(() => []); // masked values of (m, j)
  for (let gi = 0; gi < G; gi++) {
    const N = geo.N[gi];
    const flags = maskedFlags(inputs.masks[gi], B, N);
    for (const s of geo.segments[gi]) {
      const m = mods[s.m];
      const R = geo.T[s.m] * geo.L[s.m];
      const x = sliceRows(groups[gi].decOut, B, N, Dd, s.start, R); // (B·T·L, Dd)
      const h = w.head[s.m][s.j];
      const y = matmulRef(x, h.w, { M: B * R, N: s.V, K: Dd }, h.b); // (B·T·L, V)
      const mask = new Uint8Array(B * R);
      for (let b = 0; b < B; b++) for (let r = 0; r < R; r++) mask[b * R + r] = flags[b * N + s.start + r];
      const tgt = targetNormRef(embed[s.m][s.j].patches, {
        R: B * R,
        P: m.patchSize,
        C: s.bands.length,
        mode: spec.targetNorm,
        groups: spec.targetNorm === 'patch-group' ? s.normGroups : undefined,
      });
      pred[s.m][s.j] = y;
      target[s.m][s.j] = tgt;
      rowMask[s.m][s.j] = mask;
      partial[s.m][s.j] = maskedLossForwardRef(y, tgt, mask, { R: B * R, V: s.V, kind: spec.loss });
      counts[s.m][s.j] = mask.reduce((a, v) => a + v, 0) * s.V;
    }
  }
  const weights = mods.map((_, mi) => geo.T[mi] * geo.L[mi]);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const modalityLoss = mods.map((_, mi) => {
    const n = counts[mi].reduce((a, b) => a + b, 0);
    return n === 0 ? 0 : partial[mi].reduce((a, l, j) => a + l * counts[mi][j], 0) / n;
  });
  const loss = modalityLoss.reduce((a, l, mi) => a + weights[mi] * l, 0) / wSum;
  // ∂loss/∂ℓ_{m,j} = (w_m / Σw) · (n_{m,j} / Σ_j n_{m,j}).
  const lossScale = mods.map((_, mi) => {
    const n = counts[mi].reduce((a, b) => a + b, 0);
    return counts[mi].map((c) => (n === 0 ? 0 : (weights[mi] / wSum) * (c / n)));
  });
  return { loss, modalityLoss, pred, target, rowMask, acts: { embed, groups, inter, lossScale } };
}

// ---------------------------------------------------------------------------------------------------------------
// Backward

/**
 * Accumulates d(loss)/d(parameter) into `grads` (views of one zeroed flat array, same structure as the weights).
 * Returns nothing: pixels, masks and encodings are constants.
 */
export function maeBackwardRef(spec: MaeRefSpec, w: MaeRefWeights, inputs: MaeRefInputs, fwd: MaeRefForward, grads: MaeRefWeights): void {
  const { B } = inputs;
  const geo = geometry(spec);
  const E = spec.encoder.width;
  const Dd = spec.decoder.width;
  const G = spec.groups.length;
  const { embed, groups, inter, lossScale } = fwd.acts;

  // 10–8. Loss → pixel heads → decoder output gradient per group.
  const dDecOut = geo.N.map((N) => new Float64Array(B * N * Dd)); // [g] (B, N, Dd)
  for (let gi = 0; gi < G; gi++) {
    const N = geo.N[gi];
    for (const s of geo.segments[gi]) {
      const R = geo.T[s.m] * geo.L[s.m];
      const dPred = maskedLossBackwardRef(fwd.pred[s.m][s.j], fwd.target[s.m][s.j], fwd.rowMask[s.m][s.j], { R: B * R, V: s.V, kind: spec.loss }, lossScale[s.m][s.j]);
      const x = sliceRows(groups[gi].decOut, B, N, Dd, s.start, R);
      const h = linearBackwardRef(x, w.head[s.m][s.j].w, dPred, { M: B * R, K: Dd, N: s.V });
      addInto(grads.head[s.m][s.j].w, h.dw);
      addInto(grads.head[s.m][s.j].b, h.db);
      addRows(dDecOut[gi], h.dx, B, N, Dd, s.start, R);
    }
  }

  // 7–6. Decoder, mask tokens, un-masking, enc→dec.
  const dEncOut: Float64Array[] = [];
  for (let gi = 0; gi < G; gi++) {
    const { K, visible } = inputs.masks[gi];
    const N = geo.N[gi];
    const dFull = transformerBackwardRef(dDecOut[gi], w.decoder[gi], grads.decoder[gi], groups[gi].dec, stackDims(spec, B, N, 'decoder')); // (B, N, Dd)
    if (w.geo && grads.geo) addInto(grads.geo.dec, geoMapBackwardRef(inputs.geo![gi], dFull, { R: B * N, F: w.geo.dec.length / Dd, D: Dd }));
    const flags = maskedFlags(inputs.masks[gi], B, N);
    for (const s of geo.segments[gi]) {
      const dTok = grads.maskToken[s.m].subarray(s.j * Dd, (s.j + 1) * Dd);
      const R = geo.T[s.m] * geo.L[s.m];
      for (let b = 0; b < B; b++)
        for (let r = 0; r < R; r++) if (flags[b * N + s.start + r]) addInto(dTok, dFull.subarray((b * N + s.start + r) * Dd, (b * N + s.start + r + 1) * Dd));
    }
    const dD = gatherRowsRef(dFull, visible, { B, N, K, D: Dd }); // (B, K, Dd)
    const lin = linearBackwardRef(groups[gi].encOut, w.encToDec[gi].w, dD, { M: B * K, K: E, N: Dd });
    addInto(grads.encToDec[gi].w, lin.dw);
    addInto(grads.encToDec[gi].b, lin.db);
    dEncOut.push(lin.dx); // (B, K, E)
  }

  // 5. Inter-group blocks.
  if (w.inter && inter && grads.inter) {
    const Ks = inputs.masks.map((m) => m.K);
    const Ktot = Ks.reduce((a, b) => a + b, 0);
    const dZ = new Float64Array(B * Ktot * E);
    let k0 = 0;
    for (let gi = 0; gi < G; gi++) {
      addRows(dZ, dEncOut[gi], B, Ktot, E, k0, Ks[gi]);
      k0 += Ks[gi];
    }
    const dIn = transformerBackwardRef(dZ, w.inter, grads.inter, inter, stackDims(spec, B, Ktot, 'encoder'));
    k0 = 0;
    for (let gi = 0; gi < G; gi++) {
      dEncOut[gi] = sliceRows(dIn, B, Ktot, E, k0, Ks[gi]);
      k0 += Ks[gi];
    }
  }

  // 4–1. Group encoders, visible-token gather, patch embeddings.
  for (let gi = 0; gi < G; gi++) {
    const { K, visible } = inputs.masks[gi];
    const N = geo.N[gi];
    const dVis = transformerBackwardRef(dEncOut[gi], w.encoder[gi], grads.encoder[gi], groups[gi].enc, stackDims(spec, B, K, 'encoder'));
    const dX = scatterRowsRef(dVis, visible, { B, N, K, D: E }); // (B, N, E), zero at masked tokens
    if (w.geo && grads.geo) addInto(grads.geo.enc, geoMapBackwardRef(inputs.geo![gi], dX, { R: B * N, F: w.geo.enc.length / E, D: E }));
    for (const s of geo.segments[gi]) {
      const [T, L] = [geo.T[s.m], geo.L[s.m]];
      const a = embed[s.m][s.j];
      const p = w.embed[s.m][s.j];
      const gp = grads.embed[s.m][s.j];
      const dGn = sliceRows(dX, B, N, E, s.start, T * L); // (B·T, L, E)
      const gn = groupNormBackwardRef(a.emb, p.norm.g, a.mean, a.rstd, dGn, { S: B * T, L, E, eps: spec.groupNormEps });
      addInto(gp.norm.g, gn.dGamma);
      addInto(gp.norm.b, gn.dBeta);
      const lin = linearBackwardRef(a.patches, p.patch.w, gn.dx, { M: B * T * L, K: s.V, N: E });
      addInto(gp.patch.w, lin.dw);
      addInto(gp.patch.b, lin.db);
    }
  }
}
