/**
 * Inspect requests and events (the Inspect section; handled by train/worker/inspectHandlers.ts).
 *
 * `inspect.run` re-masks one sample at a chosen ratio and strategy and runs the CURRENT weights forward only (the
 * trainer's parameters when a trainer exists, else the seeded initialisation, so Inspect works before training).
 * Its reply has two parts: `meta`, small JSON facts that may enter the store (labels, colour scales, counts, loss),
 * and `pixels`, the big arrays (RGBA tiles and hover values) that are transferred and kept OUTSIDE the store.
 * `inspect.sweep` evaluates the reconstruction loss over a list of masking ratios and pushes one progress event per
 * forward pass (with the finished points so far) so the chart can grow live; `inspect.cancelSweep` stops it early.
 *
 * Value spaces: inputs are in the data pipeline's input units (what the model is fed); targets and predictions are in
 * the normalised-target space the loss compares (MAESTRO normalises targets per token and normalisation group), so
 * reconstructions are never "un-normalised" here.
 */

import type { MaskStrategy } from '../../model/config';

/** The masking strategies of the model (src/model/config.ts MASK_STRATEGIES). */
export type InspectStrategy = MaskStrategy;

/** A strategy as the selector offers it. */
export interface StrategyInfo {
  id: InspectStrategy;
  label: string;
  help: string;
}

/** Which sample to inspect: a deterministic validation tile, or a random (un-augmented) window drawn with `seed`. */
export type InspectSampleChoice = { kind: 'tile'; index: number } | { kind: 'random'; seed: number };

export interface InspectRunParams {
  sample: InspectSampleChoice;
  /** Masking ratio in (0, 1): exactly round(ratio · N_g) tokens of every fusion group are masked. */
  ratio: number;
  strategy: InspectStrategy;
  /** Seed of the mask draw: the same seed and ratio give the same mask. */
  maskSeed: number;
}

export interface InspectWeightsInfo {
  /** 'trained': the trainer's current parameters; 'initial': the seeded initialisation (no trainer yet). */
  source: 'trained' | 'initial';
  /** Optimizer steps behind the weights (0 for initial weights). */
  step: number;
  preset: string;
  /** One plain sentence for the UI. */
  note: string;
}

export interface InspectTileInfo {
  index: number;
  label: string;
}

export interface InspectSampleList {
  tiles: InspectTileInfo[];
  modalities: string[];
  weights: InspectWeightsInfo;
  /** The model's own masking, a sensible starting point for the slider and the strategy selector. */
  defaults: { ratio: number; strategy: InspectStrategy };
  strategies: StrategyInfo[];
}

export type ColormapName = 'gray' | 'viridis' | 'magma';

/** A colour scale shared by every date of one grid row; `stops` are CSS colours from lo to hi for the legend bar. */
export interface ColorScale {
  lo: number;
  hi: number;
  colormap: ColormapName | 'rgb';
  stops: string[];
  /** RGB composites: the per-channel stretch (band name and range). */
  channels?: { band: string; lo: number; hi: number }[];
}

export interface InspectRowMeta {
  /** Stable key, e.g. "s2/ng0" (normalisation group 0) or "s2/rgb". */
  key: string;
  kind: 'group' | 'rgb';
  modality: string;
  label: string;
  /** Bands of the row, in the order of its hover values. */
  bands: string[];
  /** Token band group(s) the row's channels are tokenised in. */
  tokenGroups: number[];
  input: ColorScale;
  value: ColorScale;
  error: ColorScale;
  /** Masked patches per date (the row's own mask; token-based fusion can mask band groups differently). */
  maskedPerDate: number[];
}

export interface InspectModalityMeta {
  name: string;
  T: number;
  H: number;
  W: number;
  /** Patch size P and token grid side g = H / P (L = g² patches per date). */
  P: number;
  grid: number;
  /** ISO dates (YYYY-MM-DD) of the sample's T dates. */
  dates: string[];
  unit: string;
  rows: InspectRowMeta[];
}

export interface InspectGroupCount {
  name: string;
  N: number;
  masked: number;
  visible: number;
}

/** One image (modality, date) of the sample's image set in the ground overlay. */
export interface OverlayImageMeta {
  modality: string;
  /** Date slot and ISO date. */
  t: number;
  date: string;
  group: string;
  isAnchor: boolean;
  gsd: number;
  /** Masked share of the image's tokens. */
  maskedRatio: number;
}

/**
 * The masks of every image resampled onto one ground raster (src/model/anchorOverlay.ts): which ground each image
 * shows the encoder, and how many images see each cell. Works for every strategy; 'anchor' masks mark the anchor.
 */
export interface InspectOverlayMeta {
  rows: number;
  cols: number;
  /** Ground size of a cell in metres (along columns, along rows). */
  cellMetres: [number, number];
  /** Share of the reference footprint seen by at least one visible token. */
  coverage: number;
  anchor: { modality: string; date: string } | null;
  images: OverlayImageMeta[];
  /** Colour scale of the "seen by n images" map (0 … number of images). */
  seen: ColorScale;
}

/** The overlay's RGBA maps (never in the store). */
export interface InspectOverlayPixels {
  /** (images, rows, cols, 4): visible, masked, partly masked, transparent outside the image. */
  images: Uint8ClampedArray<ArrayBuffer>;
  /** (rows, cols, 4): number of images seeing each cell; transparent outside the reference footprint. */
  seen: Uint8ClampedArray<ArrayBuffer>;
}

export interface InspectRunMeta {
  /** Increases with every run of this worker; the store keeps only the newest. */
  runId: number;
  sampleId: string;
  sampleLabel: string;
  ratio: number;
  strategy: InspectStrategy;
  maskSeed: number;
  weights: InspectWeightsInfo;
  /** Masked reconstruction loss of this sample and mask (the training loss formula). */
  loss: number;
  modalityLoss: { modality: string; loss: number }[];
  groups: InspectGroupCount[];
  /** Masked / all patches over every fusion group. */
  maskedTokens: number;
  totalTokens: number;
  ms: { total: number; forward: number };
  modalities: InspectModalityMeta[];
  /** The masks on the ground, or null with the reason (too large to draw, no footprints …). */
  overlay: InspectOverlayMeta | null;
  overlayNote: string | null;
}

/** The big arrays of one grid row (never in the store). T dates, Cr = row bands, H·W pixels, L = g² patches. */
export interface InspectRowPixels {
  key: string;
  /** (T, H, W, 4) RGBA of the input, the reconstruction (prediction on masked patches, target on visible ones), the
   * normalised target and the error |pred − target| (masked patches only). */
  input: Uint8ClampedArray<ArrayBuffer>;
  reconstruction: Uint8ClampedArray<ArrayBuffer>;
  target: Uint8ClampedArray<ArrayBuffer>;
  error: Uint8ClampedArray<ArrayBuffer>;
  /** (T, L) 1 = masked patch. */
  mask: Uint8Array<ArrayBuffer>;
  /** (T, H, W) 1 = valid input pixel. */
  valid: Uint8Array<ArrayBuffer>;
  /** (T, Cr, H, W) hover values: input units, normalised target, prediction. */
  inputValues: Float32Array<ArrayBuffer>;
  targetValues: Float32Array<ArrayBuffer>;
  predValues: Float32Array<ArrayBuffer>;
}

export interface InspectRunReply {
  meta: InspectRunMeta;
  pixels: InspectRowPixels[];
  overlay: InspectOverlayPixels | null;
}

export interface SweepParams {
  /** Masking ratios to evaluate, each in (0, 1). */
  ratios: number[];
  /** Validation tiles averaged per ratio (the first `tiles` of the dataset's tiling). */
  tiles: number;
  /** Mask draws per tile and ratio. */
  draws: number;
  strategy: InspectStrategy;
}

export interface SweepPoint {
  ratio: number;
  mean: number;
  min: number;
  max: number;
  std: number;
  /** Forward passes averaged. */
  n: number;
}

export interface SweepResult {
  points: SweepPoint[];
  weights: InspectWeightsInfo;
  cancelled: boolean;
  ms: number;
}

export type InspectRequest =
  | { kind: 'inspect.samples' }
  | { kind: 'inspect.run'; params: InspectRunParams }
  | { kind: 'inspect.sweep'; params: SweepParams }
  | { kind: 'inspect.cancelSweep' };

export type InspectEvent = { kind: 'inspect.sweepProgress'; done: number; total: number; points: SweepPoint[] };
