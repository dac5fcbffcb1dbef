/**
 * MaeConfig: the complete, plain-JSON description of one MAESTRO-style masked autoencoder (method.md §2), plus the
 * size presets and the factory that combines a preset with a dataset's modalities.
 *
 * Invariants (enforced by `validateConfig`, which names the offending field in every message):
 * - Every modality's patch size divides its image size; its token grid g = imageSize / patchSize is ≤ posGrid.
 * - normGroups and tokenGroups are band counts summing to the modality's C; every tokenGroups boundary is also a
 *   normGroups boundary, so each token's reconstruction target can be normalised on its own (method.md §2.10).
 * - Every modality belongs to exactly one fusion group (modalities of a group share one sequence and encoder, §2.7).
 * - Widths are multiples of 4 and ≥ 8 (the sin-cos table uses (width − 8)/4 frequencies, §2.5), heads divide widths.
 * - The masking ratio leaves at least one visible and one masked token in every group (§2.8); with the A²-MAE-style
 *   'anchor' strategy the per-group count is the anchor-rule expectation of the per-image targets (§7.2,
 *   `anchorGroupMasked`), so every sample of a group still has the same visible count K.
 * - Optional A²-MAE-style fields (method.md §7): `masking.anchor`, `geoEncoding` ('off' when absent) and `positions`
 *   ('pooled' when absent), so configurations saved before they existed stay valid and mean the same model.
 * A config contains only JSON values (no functions, no typed arrays) so it can be saved, diffed and sent to a worker.
 *
 * Reference: IGNF/MAESTRO maestro/ssl/mae.py (sizes mae_tiny … mae_large), maestro/conf/mask.py, maestro/conf/model.py.
 */
import type { AcqDate } from '../data/sample';

export const CONFIG_VERSION = 1;

/** Input scaling applied by the data pipeline before the model: MAESTRO's `x /= norm_fac` (after ln(max(x,1e-10)) when
 * log), or a per-band standardisation (x − mean)/std for datasets whose statistics are known. */
export type ScalingConfig =
  | { kind: 'divide'; divisor: number; log: boolean }
  | { kind: 'standardize'; mean: number[]; std: number[] };

export interface ModalityConfig {
  /** Key in the Batch, e.g. 's2', 's1_asc'. Letters, digits and '_' only (it becomes part of parameter names). */
  name: string;
  /** Band names in channel order; C = bands.length. */
  bands: string[];
  /** Optional centre wavelengths in nm, one per band (metadata for the UI and for spectral encodings). */
  wavelengths?: number[];
  /** Target-normalisation band groups as band counts, summing to C (MAESTRO norm_bands, e.g. S2 [4,4,2]). */
  normGroups: number[];
  /** Token band groups as band counts, summing to C. [C] = joint-token fusion (MAESTRO default); one entry per
   * group = one token per band group and patch (token-based spectral fusion). Contiguous channel ranges. */
  tokenGroups: number[];
  /** Patch side in pixels (P). */
  patchSize: number;
  /** Image side in pixels fed to the model (H = W). */
  imageSize: number;
  /** Ground sampling distance in metres per pixel. */
  gsd: number;
  /** Number of dates T per sample. */
  dates: number;
  scaling: ScalingConfig;
}

export interface FusionGroupConfig {
  /** Group name, e.g. 's1' for s1_asc + s1_des; also the MAESTRO module key (encoder.<name>). */
  name: string;
  /** Member modality names; their sequences are concatenated in this order. */
  modalities: string[];
}

export interface EncoderConfig {
  /** Token width E. */
  width: number;
  /** Attention heads NH (head size HS = E / NH). */
  heads: number;
  /** Blocks of each fusion group's own encoder (MAESTRO depth − inter_depth). */
  groupDepth: number;
  /** Blocks of the shared encoder over the concatenated visible tokens of all groups (MAESTRO inter_depth). */
  interDepth: number;
  /** MLP hidden width = width · mlpRatio (must be an integer). */
  mlpRatio: number;
}

export interface DecoderConfig {
  /** Decoder token width. */
  width: number;
  /** Blocks of each fusion group's decoder. */
  depth: number;
  heads: number;
  /** Decoder MLP hidden width. MAESTRO uses 4 × the ENCODER width here (method.md §2.9 quirk 3). */
  mlpHidden: number;
}

/** Mask strategies. Adding one = extend this union, MASK_STRATEGIES and the switch in masking.ts (it is exhaustive,
 * so the compiler points at it). 'anchor' is the A²-MAE-style anchor-aware masking of method.md §7.2
 * (src/model/anchorMasking.ts). */
export type MaskStrategy = 'random' | 'structured' | 'anchor';
export const MASK_STRATEGIES: readonly MaskStrategy[] = ['random', 'structured', 'anchor'];

/** How the anchor image of each sample is chosen (method.md §7.2 step 1). An image = one (modality, date) token map. */
export type AnchorRule = 'random' | 'finest-gsd' | 'most-recent' | 'modality';
export const ANCHOR_RULES: readonly AnchorRule[] = ['random', 'finest-gsd', 'most-recent', 'modality'];

/** Settings of the A²-MAE-style anchor-aware masking (our design, method.md §7.2; the paper's algorithm is not public). */
export interface AnchorMaskingConfig {
  /** 'random': any image of the set, uniformly; 'finest-gsd': a date of the finest modality; 'most-recent': the
   * latest acquisition (ties at random); 'modality': a date of `modality`. */
  rule: AnchorRule;
  /** The anchor modality for rule 'modality' (null otherwise). */
  modality: string | null;
  /** Probability of masking a non-anchor token over anchor-VISIBLE ground (p_hi). p_lo follows from the target. */
  pHi: number;
  /** γ_gsd: target ratio r_i = clamp(r · (GSD_anchor / GSD_i)^γ, rMin, rMax) of a non-anchor image. */
  gammaGsd: number;
  /** Weaken the complementarity of images far in time from the anchor: p_hi → r_i + (p_hi − r_i)·2^(−|Δdays|/halfLife). */
  dateAdaptation: boolean;
  dateHalfLifeDays: number;
  rMin: number;
  rMax: number;
}

export const DEFAULT_ANCHOR: AnchorMaskingConfig = { rule: 'random', modality: null, pHi: 0.9, gammaGsd: 0.5, dateAdaptation: true, dateHalfLifeDays: 180, rMin: 0.4, rMax: 0.9 };

export interface MaskingConfig {
  /** Fraction of every group sequence that is masked: exactly round(ratio · N_g) tokens (Python round). With the
   * 'anchor' strategy: the anchor image's ratio r (other images follow the anchor settings). */
  ratio: number;
  strategy: MaskStrategy;
  /** Structured drops (MAESTRO mask_dates / mask_loc / mask_mod): probability of dropping a whole date, a location
   * tube across all dates, or a whole modality (only in groups of > 1 modality). Ignored by 'random' and 'anchor'. */
  dropDate: number;
  dropLocation: number;
  dropModality: number;
  /** Anchor-aware settings; used by the 'anchor' strategy, DEFAULT_ANCHOR when absent. */
  anchor?: AnchorMaskingConfig;
}

/** Geographic encoding (method.md §7.3): 'off'; 'gsd' = sin/cos features of log2(GSD) only; 'full' = GSD + the
 * token's position on the sphere (lat/lon). The features go through a learned linear map (src/model/geo.ts). */
export type GeoEncodingMode = 'off' | 'gsd' | 'full';
export const GEO_ENCODING_MODES: readonly GeoEncodingMode[] = ['off', 'gsd', 'full'];

/** 2D position encoding: MAESTRO's fine table pooled to each grid (§2.5), or sin-cos of ground coordinates in metres
 * from the sample centre divided by the finest token size (§7.3, GSD-aware). */
export type PositionMode = 'pooled' | 'ground';
export const POSITION_MODES: readonly PositionMode[] = ['pooled', 'ground'];

export type TargetNorm = 'none' | 'patch' | 'patch-group';
export type LossKind = 'l1' | 'l2';

/** The date every Δ (signed years) of the date encoding is measured from (method.md §2.6). */
export type DateReference = { kind: 'fixed'; date: AcqDate } | { kind: 'modality'; modality: string };

export interface DateEncodingConfig {
  /** Off = MAESTRO fac_date_enc 0: the 8 date channels stay zero. */
  enabled: boolean;
  /** 'modality': the first date of that modality in each sample (MAESTRO: the aerial date); 'fixed': one date. */
  reference: DateReference;
}

export type PresetName = 'tiny' | 'small' | 'base';

export interface MaeConfig {
  version: typeof CONFIG_VERSION;
  /** The preset the sizes came from, or 'custom'. Informational. */
  preset: PresetName | 'custom';
  modalities: ModalityConfig[];
  groups: FusionGroupConfig[];
  encoder: EncoderConfig;
  decoder: DecoderConfig;
  /** Reconstruction target: raw patches, MAE norm_pix_loss per token, or MAESTRO per normalisation group. */
  targetNorm: TargetNorm;
  loss: LossKind;
  masking: MaskingConfig;
  dateEncoding: DateEncodingConfig;
  /** Side G of the fine sin-cos reference grid that is pooled to every modality grid (MAESTRO grid_pos_enc). */
  posGrid: number;
  /** LayerNorm eps (MAESTRO/PyTorch default 1e-5; MAE uses 1e-6). */
  lnEps: number;
  /** GroupNorm(1, E) eps of the patch embedding (PyTorch default 1e-5). */
  groupNormEps: number;
  /** Geographic encoding; 'off' when absent. */
  geoEncoding?: GeoEncodingMode;
  /** Position encoding; 'pooled' when absent. */
  positions?: PositionMode;
}

// ---------------------------------------------------------------------------------------------------------------
// Presets

export interface SizePreset {
  encoder: EncoderConfig;
  decoder: DecoderConfig;
}

/**
 * tiny: the browser default, small enough for a software adapter. small: MAESTRO mae_small. base: MAESTRO mae_medium
 * ("Base" in the paper: 768 wide, 9 per-group + 3 inter-group blocks, decoder 512 × 3, MLP 4E, decoder MLP 4·768).
 * MAESTRO's tiny/small use an MLP ratio of 2, kept here.
 */
export const PRESETS: Readonly<Record<PresetName, SizePreset>> = {
  tiny: {
    encoder: { width: 128, heads: 4, groupDepth: 3, interDepth: 1, mlpRatio: 2 },
    decoder: { width: 128, depth: 1, heads: 4, mlpHidden: 4 * 128 },
  },
  small: {
    encoder: { width: 384, heads: 6, groupDepth: 9, interDepth: 3, mlpRatio: 2 },
    decoder: { width: 512, depth: 2, heads: 16, mlpHidden: 4 * 384 },
  },
  base: {
    encoder: { width: 768, heads: 12, groupDepth: 9, interDepth: 3, mlpRatio: 4 },
    decoder: { width: 512, depth: 3, heads: 16, mlpHidden: 4 * 768 },
  },
};

/** MAESTRO maestro/conf/mask.py defaults, with structured masking on. */
export const DEFAULT_MASKING: MaskingConfig = { ratio: 0.75, strategy: 'structured', dropDate: 0.25, dropLocation: 0.25, dropModality: 0.25 };

/** A dataset's description of one modality: normGroups/tokenGroups/scaling default to one group / divide by 1; `group`
 * names its fusion group (default: its own name). */
export type ModalityDescription = Omit<ModalityConfig, 'normGroups' | 'tokenGroups' | 'scaling'> &
  Partial<Pick<ModalityConfig, 'normGroups' | 'tokenGroups' | 'scaling'>> & { group?: string };

export interface ConfigOverrides {
  encoder?: Partial<EncoderConfig>;
  decoder?: Partial<DecoderConfig>;
  masking?: Partial<Omit<MaskingConfig, 'anchor'>> & { anchor?: Partial<AnchorMaskingConfig> };
  targetNorm?: TargetNorm;
  loss?: LossKind;
  dateEncoding?: Partial<DateEncodingConfig>;
  posGrid?: number;
  lnEps?: number;
  groupNormEps?: number;
  geoEncoding?: GeoEncodingMode;
  positions?: PositionMode;
}

/** Builds and validates a config from a preset and the dataset's modalities. Throws ConfigError on any problem. */
export function buildConfig(preset: PresetName, modalities: readonly ModalityDescription[], overrides: ConfigOverrides = {}): MaeConfig {
  const p = PRESETS[preset];
  if (!p) throw new ConfigError([`preset: unknown preset "${String(preset)}" (expected ${Object.keys(PRESETS).join(', ')})`]);
  const mods: ModalityConfig[] = modalities.map((d) => {
    const { group: _group, ...rest } = d;
    const C = d.bands.length;
    return {
      ...rest,
      bands: [...d.bands],
      normGroups: d.normGroups ? [...d.normGroups] : [C],
      tokenGroups: d.tokenGroups ? [...d.tokenGroups] : [C],
      scaling: d.scaling ?? { kind: 'divide', divisor: 1, log: false },
    };
  });
  const groups: FusionGroupConfig[] = [];
  for (const d of modalities) {
    const name = d.group ?? d.name;
    let g = groups.find((x) => x.name === name);
    if (!g) groups.push((g = { name, modalities: [] }));
    g.modalities.push(d.name);
  }
  const grids = mods.map((m) => (m.patchSize > 0 ? m.imageSize / m.patchSize : 1)).filter((g) => Number.isInteger(g) && g > 0);
  const config: MaeConfig = {
    version: CONFIG_VERSION,
    preset: overrides.encoder || overrides.decoder ? 'custom' : preset,
    modalities: mods,
    groups,
    encoder: { ...p.encoder, ...overrides.encoder },
    decoder: { ...p.decoder, ...overrides.decoder },
    targetNorm: overrides.targetNorm ?? 'patch-group',
    loss: overrides.loss ?? 'l1',
    masking: buildMasking(overrides.masking),
    dateEncoding: {
      enabled: overrides.dateEncoding?.enabled ?? true,
      reference: overrides.dateEncoding?.reference ?? { kind: 'modality', modality: mods[0]?.name ?? '' },
    },
    posGrid: overrides.posGrid ?? (grids.length ? grids.reduce(lcm, 1) : 1),
    lnEps: overrides.lnEps ?? 1e-5,
    groupNormEps: overrides.groupNormEps ?? 1e-5,
    geoEncoding: overrides.geoEncoding ?? 'off',
    positions: overrides.positions ?? 'pooled',
  };
  return validateConfig(config);
}

/** MAESTRO's defaults plus the overrides; the anchor settings are filled in only for the 'anchor' strategy or when
 * given, so a config built without them keeps today's JSON exactly. */
function buildMasking(o: ConfigOverrides['masking'] = {}): MaskingConfig {
  const { anchor, ...rest } = o;
  const masking: MaskingConfig = { ...DEFAULT_MASKING, ...rest };
  if (anchor || masking.strategy === 'anchor') masking.anchor = { ...DEFAULT_ANCHOR, ...anchor };
  return masking;
}

/** The anchor settings in effect (DEFAULT_ANCHOR when the config has none). */
export function anchorSettings(config: MaeConfig): AnchorMaskingConfig {
  return config.masking.anchor ?? DEFAULT_ANCHOR;
}

// ---------------------------------------------------------------------------------------------------------------
// Derived sizes (used by masking, params, encodings, estimate and the graphs; all assume a validated config)

/** Token grid side g = imageSize / patchSize; L = g² tokens per (date, token group). */
export function gridSize(m: ModalityConfig): number {
  return m.imageSize / m.patchSize;
}

/** Tokens of modality m per sample: tokenGroups · dates · g², ordered (token group, date, row, col). */
export function modalityTokens(m: ModalityConfig): number {
  return m.tokenGroups.length * m.dates * gridSize(m) ** 2;
}

export interface GroupTokenCounts {
  /** Full sequence length N_g (all member modalities, dates, token groups and locations). */
  N: number;
  /** Masked tokens per sample: round(ratio · N) with Python's round-half-to-even (MAESTRO mask_seq). */
  masked: number;
  /** Visible tokens K_g = N − masked, the encoder sequence length. */
  K: number;
}

export function modalityByName(config: MaeConfig, name: string): ModalityConfig {
  const m = config.modalities.find((x) => x.name === name);
  if (!m) throw new Error(`unknown modality "${name}"`);
  return m;
}

export function groupTokenCounts(config: MaeConfig): GroupTokenCounts[] {
  const anchored = config.masking.strategy === 'anchor' ? anchorGroupMasked(config) : null;
  return config.groups.map((g, gi) => {
    const N = g.modalities.reduce((s, name) => s + modalityTokens(modalityByName(config, name)), 0);
    const masked = anchored ? anchored[gi] : roundHalfEven(config.masking.ratio * N);
    return { N, masked, K: N - masked };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Anchor-aware masking counts (method.md §7.2). They live here because the per-group count K is a config-level fact
// (the graph is built for it) that groupTokenCounts, the estimate and the trainer all need without a batch.

/** Tokens of one image (one date of modality m): Gt · g². */
export function imageTokens(m: ModalityConfig): number {
  return m.tokenGroups.length * gridSize(m) ** 2;
}

/** Target ratio r_i of a non-anchor image of GSD `gsdImage` when the anchor has GSD `gsdAnchor`:
 * clamp(r · (GSD_anchor / GSD_i)^γ, rMin, rMax) — coarser images (fewer tokens, each covering more ground) are masked less. */
export function anchorTargetRatio(r: number, gsdAnchor: number, gsdImage: number, a: AnchorMaskingConfig): number {
  return Math.min(a.rMax, Math.max(a.rMin, r * Math.pow(gsdAnchor / gsdImage, a.gammaGsd)));
}

/** Masked tokens targeted in an image of n tokens at ratio q: round(q·n) (half to even), keeping one token visible. */
export function imageTargetCount(q: number, n: number): number {
  return Math.max(0, Math.min(n - 1, roundHalfEven(q * n)));
}

/** Index of the modality with the smallest GSD (the first one on ties): the 'finest-gsd' anchor modality. */
export function finestModality(config: MaeConfig): number {
  let best = 0;
  config.modalities.forEach((m, i) => {
    if (m.gsd < config.modalities[best].gsd) best = i;
  });
  return best;
}

/**
 * Integer weights of each modality providing the anchor, used for the per-group counts: 'modality' and 'finest-gsd'
 * are certain; 'random' picks an image uniformly, so modality m has weight T_m; 'most-recent' depends on the data
 * and uses the same prior (every image equally likely to be the latest).
 */
export function anchorModalityWeights(config: MaeConfig): number[] {
  const a = anchorSettings(config);
  if (a.rule === 'modality') return config.modalities.map((m) => (m.name === a.modality ? 1 : 0));
  if (a.rule === 'finest-gsd') {
    const f = finestModality(config);
    return config.modalities.map((_, i) => (i === f ? 1 : 0));
  }
  return config.modalities.map((m) => m.dates);
}

/**
 * Per-image target counts when the anchor is a date of modality `am`: [m] the count of a NON-anchor image of
 * modality m, and the anchor image's own count round(r·n).
 */
export function anchorImageTargets(config: MaeConfig, am: number): { other: number[]; anchor: number } {
  const a = anchorSettings(config);
  const r = config.masking.ratio;
  const gA = config.modalities[am].gsd;
  return {
    other: config.modalities.map((m) => imageTargetCount(anchorTargetRatio(r, gA, m.gsd, a), imageTokens(m))),
    anchor: imageTargetCount(r, imageTokens(config.modalities[am])),
  };
}

/** Sum of the targets of group gi's images when the anchor is a date of modality am. */
export function anchorGroupTarget(config: MaeConfig, gi: number, am: number): number {
  const t = anchorImageTargets(config, am);
  let s = 0;
  for (const name of config.groups[gi].modalities) {
    const m = config.modalities.findIndex((x) => x.name === name);
    s += config.modalities[m].dates * t.other[m];
    if (m === am) s += t.anchor - t.other[m];
  }
  return s;
}

/**
 * Exact masked count per fusion group under the 'anchor' strategy: the anchor-rule expectation of the group's summed
 * image targets, rounded half to even (computed in integers, so no floating-point tie is ever misrounded). For a
 * deterministic rule ('modality', 'finest-gsd') it equals the targets exactly; for 'random' / 'most-recent' each
 * sample's targets are then reconciled to it (anchorMasking.ts).
 */
export function anchorGroupMasked(config: MaeConfig): number[] {
  const w = anchorModalityWeights(config);
  const den = w.reduce((a, b) => a + b, 0);
  return config.groups.map((_, gi) => {
    let num = 0;
    w.forEach((wm, am) => {
      if (wm > 0) num += wm * anchorGroupTarget(config, gi, am);
    });
    const q = Math.floor(num / den);
    const rem = num - q * den;
    if (2 * rem > den) return q + 1;
    if (2 * rem < den) return q;
    return q % 2 === 0 ? q : q + 1;
  });
}

/** Python 3 round(): halves go to the even neighbour (round(4.5) = 4), which MAESTRO's masked count inherits. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid MaeConfig: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Returns the config typed as MaeConfig when valid; throws ConfigError listing every problem otherwise. */
export function validateConfig(config: unknown): MaeConfig {
  const problems = configProblems(config);
  if (problems.length) throw new ConfigError(problems);
  return config as MaeConfig;
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isPos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

/** Every problem found, each as "<field path>: <what is wrong>"; empty when the config is valid. */
export function configProblems(config: unknown): string[] {
  const out: string[] = [];
  const bad = (path: string, msg: string) => out.push(`${path}: ${msg}`);
  if (!isObj(config)) return ['config: not an object'];
  const c = config;
  if (c.version !== CONFIG_VERSION) bad('version', `${show(c.version)} is not the supported version ${CONFIG_VERSION}`);
  if (c.preset !== 'custom' && !(typeof c.preset === 'string' && c.preset in PRESETS)) bad('preset', `${show(c.preset)} is not a preset name or "custom"`);

  // Modalities
  const names = new Set<string>();
  const grids = new Map<string, number>();
  if (!Array.isArray(c.modalities) || c.modalities.length === 0) bad('modalities', 'must be a non-empty array');
  else
    c.modalities.forEach((m: unknown, i: number) => {
      const p = `modalities[${i}]`;
      if (!isObj(m)) return bad(p, 'not an object');
      if (typeof m.name !== 'string' || !NAME_RE.test(m.name)) bad(`${p}.name`, `${show(m.name)} must be letters, digits or _`);
      else if (names.has(m.name)) bad(`${p}.name`, `duplicate modality name "${m.name}"`);
      else names.add(m.name);
      let C = 0;
      if (!Array.isArray(m.bands) || m.bands.length === 0 || !m.bands.every((b) => typeof b === 'string')) bad(`${p}.bands`, 'must be a non-empty array of band names');
      else C = m.bands.length;
      if (m.wavelengths !== undefined) {
        if (!Array.isArray(m.wavelengths) || m.wavelengths.length !== C) bad(`${p}.wavelengths`, `must have one entry per band (${C})`);
        else if (!m.wavelengths.every(isPos)) bad(`${p}.wavelengths`, 'must be positive numbers (nm)');
      }
      const checkCounts = (field: string, v: unknown): number[] | null => {
        if (!Array.isArray(v) || v.length === 0 || !v.every((x) => isInt(x, 1))) {
          bad(`${p}.${field}`, `${show(v)} must be a non-empty array of positive band counts`);
          return null;
        }
        const sum = v.reduce((a: number, b: number) => a + b, 0);
        if (C && sum !== C) {
          bad(`${p}.${field}`, `${show(v)} sums to ${sum}, not to the ${C} bands`);
          return null;
        }
        return v as number[];
      };
      const norm = checkCounts('normGroups', m.normGroups);
      const tok = checkCounts('tokenGroups', m.tokenGroups);
      if (norm && tok) {
        const normEdges = new Set(prefixSums(norm));
        for (const edge of prefixSums(tok).slice(0, -1))
          if (!normEdges.has(edge)) bad(`${p}.tokenGroups`, `token group boundary at band ${edge} is not a normGroups boundary (${show(norm)})`);
      }
      const psOk = isInt(m.patchSize, 1);
      const isOk = isInt(m.imageSize, 1);
      if (!psOk) bad(`${p}.patchSize`, `${show(m.patchSize)} must be a positive integer`);
      if (!isOk) bad(`${p}.imageSize`, `${show(m.imageSize)} must be a positive integer`);
      if (psOk && isOk) {
        if ((m.imageSize as number) % (m.patchSize as number) !== 0) bad(`${p}.patchSize`, `${m.patchSize} does not divide imageSize ${m.imageSize}`);
        else if (typeof m.name === 'string') grids.set(m.name, (m.imageSize as number) / (m.patchSize as number));
      }
      if (!isPos(m.gsd)) bad(`${p}.gsd`, `${show(m.gsd)} must be a positive number of metres`);
      if (!isInt(m.dates, 1)) bad(`${p}.dates`, `${show(m.dates)} must be an integer ≥ 1`);
      const s = m.scaling;
      if (!isObj(s)) bad(`${p}.scaling`, 'must be an object');
      else if (s.kind === 'divide') {
        if (!isPos(s.divisor)) bad(`${p}.scaling.divisor`, `${show(s.divisor)} must be a positive number`);
        if (typeof s.log !== 'boolean') bad(`${p}.scaling.log`, 'must be a boolean');
      } else if (s.kind === 'standardize') {
        if (!Array.isArray(s.mean) || s.mean.length !== C || !s.mean.every(Number.isFinite)) bad(`${p}.scaling.mean`, `must be ${C} finite numbers`);
        if (!Array.isArray(s.std) || s.std.length !== C || !s.std.every(isPos)) bad(`${p}.scaling.std`, `must be ${C} positive numbers`);
      } else bad(`${p}.scaling.kind`, `${show(s.kind)} is not "divide" or "standardize"`);
    });

  // Fusion groups
  const seen = new Map<string, string>();
  const groupNames = new Set<string>();
  if (!Array.isArray(c.groups) || c.groups.length === 0) bad('groups', 'must be a non-empty array');
  else
    c.groups.forEach((g: unknown, i: number) => {
      const p = `groups[${i}]`;
      if (!isObj(g)) return bad(p, 'not an object');
      if (typeof g.name !== 'string' || !NAME_RE.test(g.name)) bad(`${p}.name`, `${show(g.name)} must be letters, digits or _`);
      else if (groupNames.has(g.name)) bad(`${p}.name`, `duplicate group name "${g.name}"`);
      else groupNames.add(g.name);
      if (!Array.isArray(g.modalities) || g.modalities.length === 0) return bad(`${p}.modalities`, 'must be a non-empty array of modality names');
      g.modalities.forEach((name: unknown, j: number) => {
        if (typeof name !== 'string' || !names.has(name)) bad(`${p}.modalities[${j}]`, `${show(name)} is not a modality`);
        else if (seen.has(name)) bad(`${p}.modalities[${j}]`, `"${name}" is already in group "${seen.get(name)}"`);
        else seen.set(name, String(g.name));
      });
    });
  for (const name of names) if (Array.isArray(c.groups) && !seen.has(name)) bad('groups', `modality "${name}" is in no fusion group`);

  // Widths
  const checkWidthHeads = (p: string, o: Obj) => {
    if (!isInt(o.width, 8) || (o.width as number) % 4 !== 0) bad(`${p}.width`, `${show(o.width)} must be a multiple of 4 and ≥ 8 (8 date channels + 4 per sin-cos frequency)`);
    if (!isInt(o.heads, 1)) bad(`${p}.heads`, `${show(o.heads)} must be a positive integer`);
    else if (isInt(o.width, 1) && (o.width as number) % (o.heads as number) !== 0) bad(`${p}.heads`, `${o.heads} does not divide width ${o.width}`);
  };
  const enc = c.encoder;
  if (!isObj(enc)) bad('encoder', 'must be an object');
  else {
    checkWidthHeads('encoder', enc);
    if (!isInt(enc.groupDepth, 0)) bad('encoder.groupDepth', `${show(enc.groupDepth)} must be an integer ≥ 0`);
    if (!isInt(enc.interDepth, 0)) bad('encoder.interDepth', `${show(enc.interDepth)} must be an integer ≥ 0`);
    if (isInt(enc.groupDepth, 0) && isInt(enc.interDepth, 0) && enc.groupDepth + enc.interDepth === 0) bad('encoder.groupDepth', 'groupDepth + interDepth must be ≥ 1');
    if (!isPos(enc.mlpRatio)) bad('encoder.mlpRatio', `${show(enc.mlpRatio)} must be a positive number`);
    else if (isInt(enc.width, 1) && !Number.isInteger((enc.width as number) * (enc.mlpRatio as number)))
      bad('encoder.mlpRatio', `width ${enc.width} × ${enc.mlpRatio} is not an integer MLP width`);
  }
  const dec = c.decoder;
  if (!isObj(dec)) bad('decoder', 'must be an object');
  else {
    checkWidthHeads('decoder', dec);
    if (!isInt(dec.depth, 1)) bad('decoder.depth', `${show(dec.depth)} must be an integer ≥ 1`);
    if (!isInt(dec.mlpHidden, 1)) bad('decoder.mlpHidden', `${show(dec.mlpHidden)} must be a positive integer`);
  }

  if (!['none', 'patch', 'patch-group'].includes(c.targetNorm as string)) bad('targetNorm', `${show(c.targetNorm)} is not "none", "patch" or "patch-group"`);
  if (!['l1', 'l2'].includes(c.loss as string)) bad('loss', `${show(c.loss)} is not "l1" or "l2"`);

  // Masking
  const mk = c.masking;
  if (!isObj(mk)) bad('masking', 'must be an object');
  else {
    const ratioOk = typeof mk.ratio === 'number' && mk.ratio > 0 && mk.ratio < 1;
    if (!ratioOk) bad('masking.ratio', `${show(mk.ratio)} must be in (0, 1)`);
    if (!MASK_STRATEGIES.includes(mk.strategy as MaskStrategy)) bad('masking.strategy', `${show(mk.strategy)} is not one of ${MASK_STRATEGIES.join(', ')}`);
    for (const f of ['dropDate', 'dropLocation', 'dropModality'] as const) {
      const v = mk[f];
      // A probability of 1 would make every resample of a location/date drop mask everything again: never terminates.
      if (!(typeof v === 'number' && v >= 0 && v < 1)) bad(`masking.${f}`, `${show(v)} must be a probability in [0, 1)`);
    }
    if (mk.anchor !== undefined || mk.strategy === 'anchor') anchorProblems(mk.anchor, names, bad);
    if (ratioOk && out.length === 0) {
      const counts = groupTokenCounts(c as unknown as MaeConfig);
      counts.forEach((n, i) => {
        const gname = (c.groups as FusionGroupConfig[])[i].name;
        if (n.K < 1) bad('masking.ratio', `${mk.ratio} leaves no visible token in group "${gname}" (N=${n.N})`);
        if (n.masked < 1) bad('masking.ratio', `${mk.ratio} masks no token in group "${gname}" (N=${n.N})`);
      });
    }
  }

  // Date encoding
  const de = c.dateEncoding;
  if (!isObj(de)) bad('dateEncoding', 'must be an object');
  else {
    if (typeof de.enabled !== 'boolean') bad('dateEncoding.enabled', 'must be a boolean');
    const r = de.reference;
    if (!isObj(r)) bad('dateEncoding.reference', 'must be an object');
    else if (r.kind === 'modality') {
      if (typeof r.modality !== 'string' || !names.has(r.modality)) bad('dateEncoding.reference.modality', `${show(r.modality)} is not a modality`);
    } else if (r.kind === 'fixed') {
      const d = r.date;
      if (!isObj(d) || !isInt(d.year, 1) || !isInt(d.doy, 1) || (d.doy as number) > 366 || !isInt(d.hour, 0) || (d.hour as number) > 23)
        bad('dateEncoding.reference.date', `${show(d)} must be {year, doy 1..366, hour 0..23}`);
    } else bad('dateEncoding.reference.kind', `${show(r.kind)} is not "modality" or "fixed"`);
  }

  if (c.geoEncoding !== undefined && !GEO_ENCODING_MODES.includes(c.geoEncoding as GeoEncodingMode))
    bad('geoEncoding', `${show(c.geoEncoding)} is not one of ${GEO_ENCODING_MODES.join(', ')}`);
  if (c.positions !== undefined && !POSITION_MODES.includes(c.positions as PositionMode)) bad('positions', `${show(c.positions)} is not one of ${POSITION_MODES.join(', ')}`);

  if (!isInt(c.posGrid, 1)) bad('posGrid', `${show(c.posGrid)} must be a positive integer`);
  else
    for (const [name, g] of grids)
      if (g > (c.posGrid as number)) bad('posGrid', `${c.posGrid} is smaller than the ${g}×${g} token grid of modality "${name}"`);
  if (!isPos(c.lnEps)) bad('lnEps', `${show(c.lnEps)} must be a positive number`);
  if (!isPos(c.groupNormEps)) bad('groupNormEps', `${show(c.groupNormEps)} must be a positive number`);
  return out;
}

/** Problems of masking.anchor (absent = DEFAULT_ANCHOR, valid). */
function anchorProblems(a: unknown, modalities: ReadonlySet<string>, bad: (path: string, msg: string) => void): void {
  if (a === undefined) return;
  const p = 'masking.anchor';
  if (!isObj(a)) return bad(p, 'must be an object');
  if (!ANCHOR_RULES.includes(a.rule as AnchorRule)) bad(`${p}.rule`, `${show(a.rule)} is not one of ${ANCHOR_RULES.join(', ')}`);
  if (a.rule === 'modality') {
    if (typeof a.modality !== 'string' || !modalities.has(a.modality)) bad(`${p}.modality`, `${show(a.modality)} is not a modality (rule "modality" needs one)`);
  } else if (a.modality !== null && a.modality !== undefined) bad(`${p}.modality`, `must be null unless rule is "modality"`);
  const prob = (v: unknown) => typeof v === 'number' && v > 0 && v < 1;
  if (!(typeof a.pHi === 'number' && a.pHi > 0 && a.pHi <= 1)) bad(`${p}.pHi`, `${show(a.pHi)} must be a probability in (0, 1]`);
  if (!(typeof a.gammaGsd === 'number' && Number.isFinite(a.gammaGsd) && a.gammaGsd >= 0)) bad(`${p}.gammaGsd`, `${show(a.gammaGsd)} must be a finite number ≥ 0`);
  if (typeof a.dateAdaptation !== 'boolean') bad(`${p}.dateAdaptation`, 'must be a boolean');
  if (!isPos(a.dateHalfLifeDays)) bad(`${p}.dateHalfLifeDays`, `${show(a.dateHalfLifeDays)} must be a positive number of days`);
  if (!prob(a.rMin)) bad(`${p}.rMin`, `${show(a.rMin)} must be in (0, 1)`);
  if (!prob(a.rMax)) bad(`${p}.rMax`, `${show(a.rMax)} must be in (0, 1)`);
  if (prob(a.rMin) && prob(a.rMax) && (a.rMin as number) > (a.rMax as number)) bad(`${p}.rMin`, `${a.rMin} is larger than rMax ${a.rMax}`);
}

function prefixSums(counts: readonly number[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const c of counts) out.push((s += c));
  return out;
}

/** Channel ranges [start, end) of a modality's token band groups (contiguous, in channel order). */
export function tokenGroupRanges(m: ModalityConfig): [number, number][] {
  const ends = prefixSums(m.tokenGroups);
  return ends.map((e, j) => [j === 0 ? 0 : ends[j - 1], e]);
}

/** The normalisation groups (band counts) that fall inside token group j (valid because boundaries are aligned). */
export function normGroupsOfTokenGroup(m: ModalityConfig, j: number): number[] {
  const [start, end] = tokenGroupRanges(m)[j];
  const out: number[] = [];
  let s = 0;
  for (const n of m.normGroups) {
    if (s >= start && s + n <= end) out.push(n);
    s += n;
  }
  return out;
}
