/**
 * Builds a model configuration for a dataset: one modality per dataset modality (its bands, normalisation groups,
 * sample size, GSD and number of dates), a patch size that gives each modality a token grid of about 8×8 (MAESTRO's
 * grids are 3–32 per side), and MAESTRO's fusion groups (s1_asc + s1_des share one sequence and encoder, every other
 * modality has its own). Pixels arrive already scaled by the data pipeline, so the model's scaling is the identity.
 */
import { buildConfig, type ConfigOverrides, type MaeConfig, type ModalityDescription, type PresetName } from '../model/config';

export interface DatasetModality {
  name: string;
  bands: string[];
  normGroups: number[] | null;
  gsd: number;
  /** Pixels per sample side. */
  size: number;
  T: number;
}

/** The divisor of `size` whose grid size/P is closest to `targetGrid` (ties: the larger grid). */
export function choosePatchSize(size: number, targetGrid = 8): number {
  let best = size;
  let bestErr = Infinity;
  for (let P = 1; P <= size; P++) {
    if (size % P !== 0) continue;
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
  const descs: ModalityDescription[] = modalities.map((m) => ({
    name: m.name.replace(/[^A-Za-z0-9_]/g, '_'),
    bands: [...m.bands],
    normGroups: m.normGroups && m.normGroups.reduce((a, b) => a + b, 0) === m.bands.length ? [...m.normGroups] : undefined,
    patchSize: patchSizes?.[m.name] ?? choosePatchSize(m.size),
    imageSize: m.size,
    gsd: m.gsd,
    dates: m.T,
    group: fusionGroupOf(m.name),
  }));
  // The date reference: the first date of the first modality of each sample (MAESTRO uses the aerial date).
  return buildConfig(preset, descs, { dateEncoding: { enabled: true, reference: { kind: 'modality', modality: descs[0].name } }, ...rest });
}
