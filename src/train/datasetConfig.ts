/**
 * Builds a model configuration for a dataset: one modality per dataset modality (its bands, normalisation groups,
 * sample size, GSD and number of dates), a patch size that gives each modality a token grid of about 8×8 (MAESTRO's
 * grids are 3–32 per side) while keeping the values of a token (P²·C) within the decoder width, and MAESTRO's fusion
 * groups (s1_asc + s1_des share one sequence and encoder, every other modality has its own). Pixels arrive already
 * scaled by the data pipeline, so the model's scaling is the identity.
 *
 * Why the decoder-width bound: the pixel head is Linear(Dd, P²·C), so with P²·C > Dd its predictions live in a
 * Dd-dimensional subspace of the token's values. Patch-group-normalised targets spread their variance over all P²·C
 * directions, so the excess is unpredictable: measured on the real Sentinel-2 stack with the tiny preset
 * (Dd = 128, P = 4, C = 10 → 160 values), memorising one batch stalled at 32 % of the initial loss, and at P = 2
 * (40 values, MAESTRO's S2 patch) it did not.
 */
import type { ModalityInfo } from '../data/dataset';
import { buildConfig, PRESETS, type ConfigOverrides, type MaeConfig, type ModalityDescription, type PresetName } from '../model/config';

/** What the model needs of a dataset modality (src/data/dataset.ts ModalityInfo). */
export type DatasetModality = Pick<ModalityInfo, 'name' | 'bands' | 'normGroups' | 'gsd' | 'size' | 'T'>;

/**
 * The divisor P of `size` whose grid size/P is closest to `targetGrid` (ties: the larger grid), among those with
 * P²·channels ≤ maxValues when any exists.
 */
export function choosePatchSize(size: number, targetGrid = 8, channels = 1, maxValues = Infinity): number {
  let best = size;
  let bestErr = Infinity;
  const fits = (P: number) => P * P * channels <= maxValues;
  const anyFits = fits(1);
  for (let P = 1; P <= size; P++) {
    if (size % P !== 0 || (anyFits && !fits(P))) continue;
    const err = Math.abs(Math.log((size / P) / targetGrid));
    if (err < bestErr - 1e-12) {
      best = P;
      bestErr = err;
    }
  }
  return best;
}

/** MAESTRO fuses the two Sentinel-1 orbit directions into one group (method.md §2.7). */
export function fusionGroupOf(modality: string): string {
  return /^s1[_-]?(asc|des|ascending|descending)$/i.test(modality) ? 's1' : modality;
}

export function configFromDataset(modalities: readonly DatasetModality[], preset: PresetName, overrides: ConfigOverrides & { patchSizes?: Record<string, number> } = {}): MaeConfig {
  const { patchSizes, ...rest } = overrides;
  const decoderWidth = rest.decoder?.width ?? PRESETS[preset].decoder.width;
  const descs: ModalityDescription[] = modalities.map((m) => ({
    name: m.name.replace(/[^A-Za-z0-9_]/g, '_'),
    bands: [...m.bands],
    normGroups: m.normGroups && m.normGroups.reduce((a, b) => a + b, 0) === m.bands.length ? [...m.normGroups] : undefined,
    patchSize: patchSizes?.[m.name] ?? choosePatchSize(m.size, 8, m.bands.length, decoderWidth),
    imageSize: m.size,
    gsd: m.gsd,
    dates: m.T,
    group: fusionGroupOf(m.name),
  }));
  // The date reference: the first date of the first modality of each sample (MAESTRO uses the aerial date).
  return buildConfig(preset, descs, { dateEncoding: { enabled: true, reference: { kind: 'modality', modality: descs[0].name } }, ...rest });
}
