/**
 * The model workloads of the train and infer suites: the studio's presets (src/model/config.ts PRESETS) on one
 * Sentinel-2-like modality — 10 bands in MAESTRO's [4, 4, 2] normalisation groups, 4 dates, 32 × 32 px, patch 4 —
 * i.e. N = 4·8² = 256 tokens per sample, K = 64 visible at the default 75 % masking, with every other setting at the
 * studio's default (structured masking, patch-group targets, L1). One modality in one fusion group is what the TF.js
 * peer implements (bench/peers/tfjsMae.ts). A first, smaller case (tiny preset on 16 px: N = 64) exists so that a
 * software adapter, where one 32 px step of TF.js takes most of a minute, still gets a measured same-page ratio.
 * Cases run smallest first: the time budget predicts a case's cost from the previous one by FLOPs.
 * Pure data plus derived counts.
 */
import { buildConfig, groupTokenCounts, type MaeConfig, type ModalityDescription, type PresetName } from '../../src/model/config';

export const S2_LIKE: ModalityDescription = {
  name: 's2',
  bands: ['B2', 'B3', 'B4', 'B8', 'B5', 'B6', 'B7', 'B8A', 'B11', 'B12'],
  normGroups: [4, 4, 2],
  patchSize: 4,
  imageSize: 32,
  gsd: 10,
  dates: 4,
};

export interface ModelCase {
  id: string;
  label: string;
  preset: PresetName;
  /** Image side in pixels (default S2_LIKE's 32). */
  imageSize?: number;
}

export const MODEL_CASES: readonly ModelCase[] = [
  { id: 'tiny16', label: 'tiny preset, 16 px', preset: 'tiny', imageSize: 16 },
  { id: 'tiny', label: 'tiny preset', preset: 'tiny' },
  { id: 'small', label: 'small preset', preset: 'small' },
];

/** Samples per training step. */
export const TRAIN_BATCH = 2;
/** Samples per encoder inference call; figures are reported per sample. */
export const INFER_BATCH = 4;

export function caseConfig(c: ModelCase): MaeConfig {
  return buildConfig(c.preset, [{ ...S2_LIKE, imageSize: c.imageSize ?? S2_LIKE.imageSize }]);
}

/** Tokens one training step processes: every token of every sample (the decoder reconstructs all of them). */
export function stepTokens(config: MaeConfig, B: number): number {
  return B * groupTokenCounts(config).reduce((s, g) => s + g.N, 0);
}

/** e.g. "B=2 · s2 10 bands × 4 dates × 32 px, P=4 · N=256, K=64 · E=128×4 blocks, Dd=128×1". */
export function caseShape(config: MaeConfig, B: number, encoderOnly = false): string {
  const mods = config.modalities.map((m) => `${m.name} ${m.bands.length} bands × ${m.dates} dates × ${m.imageSize} px, P=${m.patchSize}`).join(' + ');
  const counts = groupTokenCounts(config);
  const tokens = counts.map((g) => (encoderOnly ? `N=${g.N}` : `N=${g.N}, K=${g.K}`)).join('; ');
  const e = config.encoder;
  const enc = `E=${e.width}×${e.groupDepth + e.interDepth} blocks`;
  return `B=${B} · ${mods} · ${tokens} · ${encoderOnly ? enc : `${enc}, Dd=${config.decoder.width}×${config.decoder.depth}`}`;
}
