/**
 * The parameter layout: every learned tensor of the model, in one fixed order, as a view into ONE flat array
 * (llm.c ParameterTensors). Params, gradients and both AdamW moments share this layout, so AdamW is one dispatch over
 * one buffer and a checkpoint is one array plus this table.
 *
 * Invariants:
 * - Offsets are multiples of VIEW_ALIGN = 64 elements (256 bytes), so every tensor can be bound as its own GPU view;
 *   the gaps are zero and stay zero (their gradient is zero).
 * - Linear weights are stored (in, out): y = x·W + b. PyTorch stores nn.Linear weights (out, in), so a MAESTRO
 *   state_dict tensor maps to ours by a transpose (`torch.layout` says exactly how, per tensor).
 * - The order of entries and the order of random draws in `initParams` depend only on the config: same config and
 *   seed ⇒ bit-identical parameters.
 *
 * MAESTRO module names follow IGNF/MAESTRO maestro/ssl/{mim,mae}.py with vit-pytorch's Transformer (method.md §2.9):
 * `encoder.<group>.layers.<i>.0` is the attention (norm, to_qkv, to_out.0) and `.1.net` the MLP (0 LN, 1 Linear,
 * 4 Linear).
 * With a geographic encoding (config.geoEncoding 'gsd' | 'full', geo.ts) two more tensors come LAST, so every other
 * offset is the same as without it: `geo.enc.w` (Fg, E) and `geo.dec.w` (Fg, Dd), the learned maps of the geo
 * features; zero-initialised so that switching the encoding on starts from the same function as off (the gradient
 * Φᵀ·dX is non-zero from the first step); no MAESTRO counterpart.
 */
import { VIEW_ALIGN } from '../gpu/tensor';
import { Rng } from '../lib/rng';
import { type MaeConfig, tokenGroupRanges } from './config';
import { geoFeatureWidth } from './geo';

/** How a MAESTRO PyTorch tensor maps to ours. */
export type TorchLayout =
  /** identical shape and order */
  | 'same'
  /** nn.Linear weight (out, in) → ours (in, out) */
  | 'transpose'
  /** Conv2d patch weight (E, Cg, P, P) → ours (P·P·Cg, E) with row (py·P + px)·Cg + c: permute (2,3,1,0) then reshape */
  | 'conv-permute'
  /** Pixelify 1×1 Conv2d weight (P²·Cg, Ddec, 1, 1) → ours (Ddec, P²·Cg): drop the 1×1, transpose */
  | 'conv1x1-transpose'
  /** mask_token (1, Gt, 1, 1, Ddec) → ours (Gt, Ddec): reshape */
  | 'reshape';

export type InitRule =
  /** U(−a, a), a = sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio 2010; MAE initialises its linears and patch conv so) */
  | { kind: 'xavier'; fanIn: number; fanOut: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number };

export interface ParamEntry {
  /** Our name, e.g. 'enc.s2.0.qkv.w'. */
  name: string;
  shape: number[];
  /** Offset into the flat array, a multiple of VIEW_ALIGN. */
  offset: number;
  /** Number of elements (product of shape). */
  size: number;
  init: InitRule;
  /** Weight decay applies (MAE convention: matrices only; MAESTRO decays everything, see method.md §2.15.6). */
  decay: boolean;
  /** The MAESTRO state_dict key and how to map it, or null where MAESTRO has no counterpart. */
  torch: { name: string; layout: TorchLayout } | null;
}

export interface ParamLayout {
  entries: ParamEntry[];
  /** Length of the flat array (padded). */
  size: number;
  /** Number of learned scalars (without padding). */
  count: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Structured views (the same shape for Float32Array, Float64Array or GpuTensor leaves)

export interface LinearParams<T> {
  w: T; // (in, out)
  b: T; // (out)
}
export interface NormParams<T> {
  g: T; // (D) gamma
  b: T; // (D) beta
}
/** One pre-LN transformer block (vit-pytorch Attention + FeedForward). */
export interface BlockParams<T> {
  ln1: NormParams<T>; // (D)
  qkv: T; // (D, 3·D) no bias; columns (which ∈ q,k,v ; head ; dim)
  proj: LinearParams<T>; // (D, D), (D)
  ln2: NormParams<T>; // (D)
  fc1: LinearParams<T>; // (D, M), (M)
  fc2: LinearParams<T>; // (M, D), (D)
}
/** A stack of blocks followed by its final LayerNorm (vit-pytorch Transformer.norm). */
export interface TransformerParams<T> {
  blocks: BlockParams<T>[];
  ln: NormParams<T>; // (D)
}
/** Patch embedding of one (modality, token band group): Conv2d(Cg, E, P, stride P) as a linear map + GroupNorm(1, E). */
export interface EmbedParams<T> {
  patch: LinearParams<T>; // (P·P·Cg, E), (E)
  norm: NormParams<T>; // (E)
}

/** All parameters; arrays are indexed like config.modalities / config.groups / tokenGroups. */
export interface MaeParams<T> {
  embed: EmbedParams<T>[][]; // [modality][token group]
  encoder: TransformerParams<T>[]; // [group], width E
  inter: TransformerParams<T> | null; // width E, null when interDepth = 0
  encToDec: LinearParams<T>[]; // [group] (E, Ddec), (Ddec)
  maskToken: T[]; // [modality] (Gt, Ddec)
  decoder: TransformerParams<T>[]; // [group], width Ddec
  head: LinearParams<T>[][]; // [modality][token group] (Ddec, P·P·Cg), (P·P·Cg)
  /** Learned geographic maps, null when config.geoEncoding is off. */
  geo: GeoParams<T> | null;
}

/** The geographic encoding's maps (A²-MAE-style, method.md §7.3): token addend = Φ (features) · W, no bias. */
export interface GeoParams<T> {
  enc: T; // (Fg, E)
  dec: T; // (Fg, Ddec)
}

// ---------------------------------------------------------------------------------------------------------------
// Layout

/**
 * Mask tokens start as N(0, 1), as MAESTRO's `torch.randn` (MAE uses std 0.02): they replace decoder inputs that are
 * LayerNorm-ed encoder features mapped by enc_to_dec plus O(1) sin-cos encodings, so unit scale keeps them on the
 * same scale as the visible tokens from the first step.
 */
export const MASK_TOKEN_STD = 1;

export function buildParamLayout(config: MaeConfig): ParamLayout {
  const entries: ParamEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], init: InitRule, decay: boolean, torch: ParamEntry['torch']) => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset, size, init, decay, torch });
    offset += Math.ceil(size / VIEW_ALIGN) * VIEW_ALIGN;
  };
  const linear = (name: string, fanIn: number, fanOut: number, torchName: string | null, bias = true) => {
    add(`${name}.w`, [fanIn, fanOut], { kind: 'xavier', fanIn, fanOut }, true, torchName ? { name: `${torchName}.weight`, layout: 'transpose' } : null);
    if (bias) add(`${name}.b`, [fanOut], { kind: 'zeros' }, false, torchName ? { name: `${torchName}.bias`, layout: 'same' } : null);
  };
  const norm = (name: string, D: number, torchName: string | null) => {
    add(`${name}.g`, [D], { kind: 'ones' }, false, torchName ? { name: `${torchName}.weight`, layout: 'same' } : null);
    add(`${name}.b`, [D], { kind: 'zeros' }, false, torchName ? { name: `${torchName}.bias`, layout: 'same' } : null);
  };
  const transformer = (name: string, torchName: string, depth: number, D: number, M: number) => {
    for (let i = 0; i < depth; i++) {
      const p = `${name}.${i}`;
      const t = `${torchName}.layers.${i}`;
      norm(`${p}.ln1`, D, `${t}.0.norm`);
      linear(`${p}.qkv`, D, 3 * D, `${t}.0.to_qkv`, false);
      linear(`${p}.proj`, D, D, `${t}.0.to_out.0`);
      norm(`${p}.ln2`, D, `${t}.1.net.0`);
      linear(`${p}.fc1`, D, M, `${t}.1.net.1`);
      linear(`${p}.fc2`, M, D, `${t}.1.net.4`);
    }
    norm(`${name}.ln`, D, `${torchName}.norm`);
  };

  const E = config.encoder.width;
  const Dd = config.decoder.width;
  const M = E * config.encoder.mlpRatio;

  for (const m of config.modalities) {
    tokenGroupRanges(m).forEach(([c0, c1], j) => {
      const t = `patch_embed.${m.name}.patchify_bands.${j}`;
      const K = m.patchSize * m.patchSize * (c1 - c0);
      add(`embed.${m.name}.${j}.patch.w`, [K, E], { kind: 'xavier', fanIn: K, fanOut: E }, true, { name: `${t}.conv_skip.weight`, layout: 'conv-permute' });
      add(`embed.${m.name}.${j}.patch.b`, [E], { kind: 'zeros' }, false, { name: `${t}.conv_skip.bias`, layout: 'same' });
      norm(`embed.${m.name}.${j}.norm`, E, `${t}.norm_skip`);
    });
  }
  for (const g of config.groups) transformer(`enc.${g.name}`, `encoder.${g.name}`, config.encoder.groupDepth, E, M);
  if (config.encoder.interDepth > 0) transformer('inter', 'encoder_inter', config.encoder.interDepth, E, M);
  // MAESTRO uses nn.Identity when E == Ddec; we always keep the linear so every preset has the same graph.
  for (const g of config.groups) linear(`enc2dec.${g.name}`, E, Dd, E === Dd ? null : `enc_to_dec.${g.name}`);
  for (const m of config.modalities)
    add(`mask.${m.name}`, [m.tokenGroups.length, Dd], { kind: 'normal', std: MASK_TOKEN_STD }, false, { name: `mask_token.${m.name}`, layout: 'reshape' });
  for (const g of config.groups) transformer(`dec.${g.name}`, `decoder.${g.name}`, config.decoder.depth, Dd, config.decoder.mlpHidden);
  for (const m of config.modalities) {
    tokenGroupRanges(m).forEach(([c0, c1], j) => {
      const t = `embed_to_rec.${m.name}.pixelify_bands.${j}.conv_skip`;
      const V = m.patchSize * m.patchSize * (c1 - c0);
      add(`head.${m.name}.${j}.w`, [Dd, V], { kind: 'xavier', fanIn: Dd, fanOut: V }, true, { name: `${t}.weight`, layout: 'conv1x1-transpose' });
      add(`head.${m.name}.${j}.b`, [V], { kind: 'zeros' }, false, { name: `${t}.bias`, layout: 'same' });
    });
  }
  const Fg = geoFeatureWidth(config.geoEncoding);
  if (Fg > 0) {
    add('geo.enc.w', [Fg, E], { kind: 'zeros' }, true, null);
    add('geo.dec.w', [Fg, Dd], { kind: 'zeros' }, true, null);
  }
  return { entries, size: offset, count: entries.reduce((s, e) => s + e.size, 0) };
}

/** Entry lookup by our name; throws naming the missing tensor. */
export function paramEntry(layout: ParamLayout, name: string): ParamEntry {
  const e = layout.entries.find((x) => x.name === name);
  if (!e) throw new Error(`no parameter named "${name}"`);
  return e;
}

/**
 * The structured view of a flat array (or of GPU buffers): `leaf` turns one entry into a T, e.g.
 * `(e) => flat.subarray(e.offset, e.offset + e.size)` or `(e) => viewOf(buffer, e.offset, e.shape, e.name)`.
 */
export function paramViews<T>(config: MaeConfig, layout: ParamLayout, leaf: (e: ParamEntry) => T): MaeParams<T> {
  const byName = new Map(layout.entries.map((e) => [e.name, e]));
  const get = (name: string): T => {
    const e = byName.get(name);
    if (!e) throw new Error(`parameter layout has no "${name}" (layout built from another config?)`);
    return leaf(e);
  };
  const lin = (p: string): LinearParams<T> => ({ w: get(`${p}.w`), b: get(`${p}.b`) });
  const nrm = (p: string): NormParams<T> => ({ g: get(`${p}.g`), b: get(`${p}.b`) });
  const stack = (p: string, depth: number): TransformerParams<T> => ({
    blocks: Array.from({ length: depth }, (_, i) => ({
      ln1: nrm(`${p}.${i}.ln1`),
      qkv: get(`${p}.${i}.qkv.w`),
      proj: lin(`${p}.${i}.proj`),
      ln2: nrm(`${p}.${i}.ln2`),
      fc1: lin(`${p}.${i}.fc1`),
      fc2: lin(`${p}.${i}.fc2`),
    })),
    ln: nrm(`${p}.ln`),
  });
  const mods = config.modalities;
  return {
    embed: mods.map((m) => m.tokenGroups.map((_, j) => ({ patch: lin(`embed.${m.name}.${j}.patch`), norm: nrm(`embed.${m.name}.${j}.norm`) }))),
    encoder: config.groups.map((g) => stack(`enc.${g.name}`, config.encoder.groupDepth)),
    inter: config.encoder.interDepth > 0 ? stack('inter', config.encoder.interDepth) : null,
    encToDec: config.groups.map((g) => lin(`enc2dec.${g.name}`)),
    maskToken: mods.map((m) => get(`mask.${m.name}`)),
    decoder: config.groups.map((g) => stack(`dec.${g.name}`, config.decoder.depth)),
    head: mods.map((m) => m.tokenGroups.map((_, j) => lin(`head.${m.name}.${j}`))),
    geo: geoFeatureWidth(config.geoEncoding) > 0 ? { enc: get('geo.enc.w'), dec: get('geo.dec.w') } : null,
  };
}

/** Views of a flat CPU array. */
export function flatViews<A extends Float32Array | Float64Array>(config: MaeConfig, layout: ParamLayout, flat: A): MaeParams<A> {
  if (flat.length !== layout.size) throw new Error(`flat parameter array has ${flat.length} elements, layout needs ${layout.size}`);
  return paramViews(config, layout, (e) => flat.subarray(e.offset, e.offset + e.size) as A);
}

// ---------------------------------------------------------------------------------------------------------------
// Initialisation

/** Seeded initialisation (PCG32 stream `seed`): entries in layout order, each filled front to back; padding zero. */
export function initParams(layout: ParamLayout, seed: number): Float32Array {
  const flat = new Float32Array(layout.size);
  const rng = new Rng(seed);
  for (const e of layout.entries) {
    const v = flat.subarray(e.offset, e.offset + e.size);
    const r = e.init;
    switch (r.kind) {
      case 'zeros':
        break;
      case 'ones':
        v.fill(1);
        break;
      case 'normal':
        for (let i = 0; i < v.length; i++) v[i] = rng.normal() * r.std;
        break;
      case 'xavier': {
        const a = Math.sqrt(6 / (r.fanIn + r.fanOut));
        for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * a;
        break;
      }
    }
  }
  return flat;
}

/** 1 where weight decay applies, per flat element (padding 0): the AdamW decayMask. */
export function decayMask(layout: ParamLayout): Uint8Array {
  const mask = new Uint8Array(layout.size);
  for (const e of layout.entries) if (e.decay) mask.fill(1, e.offset, e.offset + e.size);
  return mask;
}
