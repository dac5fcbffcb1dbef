/**
 * The model configuration as the Model section edits it, kept consistent with the loaded dataset.
 *
 * - `reconcileConfig` builds the dataset's default (configFromDataset) and carries over every choice of the previous
 *   configuration that still applies: preset or custom sizes, objective, masking (with its anchor settings), date,
 *   geographic and position encodings, and per modality
 *   (same name and bands) its band groups and patch size (when it still divides the sample size); fusion groups
 *   keep each surviving modality's group. Invalid previous choices are carried over too, so the page keeps showing
 *   the user's draft with its problems instead of silently replacing it.
 * - `normaliseConfig` derives what the user does not edit: posGrid = lcm of the token grids (MAESTRO's fine grid
 *   pooled to every modality), empty fusion groups dropped, default anchor settings for the 'anchor' strategy.
 * - `datasetProblems` adds the checks configProblems cannot do: every modality must match the dataset's (bands in
 *   order, sample size, dates), because training feeds the dataset's samples to this configuration.
 * Invariants: the functions are pure (plain JSON in, plain JSON out) and never throw for a bad draft; problems are
 * "<field path>: <what is wrong>" like configProblems so the page can show each next to its field.
 * Reference: src/train/datasetConfig.ts (defaults), src/model/config.ts (validation), method.md §2.5 (posGrid).
 */
import { ConfigError, configProblems, DEFAULT_ANCHOR, PRESETS, type ConfigOverrides, type MaeConfig, type PresetName } from '../../model/config';
import { choosePatchSize, configFromDataset, fusionGroupOf, type DatasetModality } from '../datasetConfig';

/** The config name of a dataset modality (configFromDataset's sanitising). */
export function configModalityName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * posGrid = lcm of the modalities' token grids (when every patch size divides its image size); the anchor settings
 * filled with their defaults when the 'anchor' strategy is chosen without them (the page cannot know the defaults).
 */
export function normaliseConfig(config: MaeConfig): MaeConfig {
  const c: MaeConfig = structuredClone(config);
  if (c.masking?.strategy === 'anchor' && c.masking.anchor === undefined) c.masking.anchor = { ...DEFAULT_ANCHOR };
  const grids = c.modalities.map((m) => (Number.isInteger(m.patchSize) && m.patchSize > 0 && m.imageSize % m.patchSize === 0 ? m.imageSize / m.patchSize : null));
  if (grids.length > 0 && grids.every((g): g is number => g !== null && g > 0)) c.posGrid = grids.reduce((a, b) => (a / gcd(a, b)) * b, 1);
  c.groups = c.groups.filter((g) => g.modalities.length > 0);
  return c;
}

/** Problems of `config` as a model for `modalities` (names, bands, sample size and dates must match the dataset). */
export function datasetProblems(config: MaeConfig, modalities: readonly DatasetModality[]): string[] {
  const out: string[] = [];
  if (!Array.isArray(config.modalities)) return out;
  const byName = new Map(modalities.map((m) => [configModalityName(m.name), m]));
  config.modalities.forEach((m, i) => {
    const d = byName.get(m.name);
    if (!d) {
      out.push(`modalities[${i}].name: "${m.name}" is not a modality of the loaded dataset (${[...byName.keys()].join(', ') || 'none'})`);
      return;
    }
    if (!Array.isArray(m.bands) || m.bands.join(',') !== d.bands.join(',')) out.push(`modalities[${i}].bands: the dataset's ${d.name} bands are [${d.bands.join(', ')}]`);
    if (m.imageSize !== d.size) out.push(`modalities[${i}].imageSize: ${m.imageSize} px, but the dataset's ${d.name} samples are ${d.size} px`);
    if (m.dates !== d.T) out.push(`modalities[${i}].dates: ${m.dates}, but the dataset gives ${d.T} dates of ${d.name} per sample`);
  });
  for (const [name] of byName) if (!config.modalities.some((m) => m.name === name)) out.push(`modalities: the dataset's modality "${name}" has no entry`);
  return out;
}

/** configProblems + datasetProblems, deduplicated. */
export function allProblems(config: MaeConfig, modalities: readonly DatasetModality[]): string[] {
  return [...new Set([...configProblems(config), ...datasetProblems(config, modalities)])];
}

function presetOf(c: MaeConfig | null): PresetName {
  return c && c.preset !== 'custom' && c.preset in PRESETS ? c.preset : 'tiny';
}

/** The configuration for `modalities`, keeping what still applies of `prev`. */
export function reconcileConfig(prev: MaeConfig | null, modalities: readonly DatasetModality[]): { config: MaeConfig | null; problems: string[]; notes: string[] } {
  const notes: string[] = [];
  if (modalities.length === 0) return { config: null, problems: [], notes };
  const preset = presetOf(prev);
  const sizes: ConfigOverrides = prev?.preset === 'custom' ? { encoder: { ...prev.encoder }, decoder: { ...prev.decoder } } : {};
  const patchSizes: Record<string, number> = {};
  for (const d of modalities) {
    const p = prev?.modalities.find((m) => m.name === configModalityName(d.name));
    if (p && Number.isInteger(p.patchSize) && p.patchSize > 0 && d.size % p.patchSize === 0) patchSizes[d.name] = p.patchSize;
    else if (p) notes.push(`${d.name}: patch size ${p.patchSize} does not divide the new ${d.size} px samples; the default was chosen`);
  }
  let base: MaeConfig;
  try {
    base = configFromDataset(modalities, preset, { ...sizes, patchSizes });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { config: null, problems: e.problems, notes };
  }
  if (!prev) return { config: base, problems: [], notes };
  // Everything that is not derived from the dataset is the user's (objective, masking with its anchor settings,
  // encodings, eps …, including fields added to MaeConfig later); the dataset-derived parts come from `base`.
  const c: MaeConfig = {
    ...structuredClone(prev),
    version: base.version,
    preset: base.preset,
    encoder: base.encoder,
    decoder: base.decoder,
    modalities: base.modalities,
    groups: base.groups,
    posGrid: base.posGrid,
  };
  c.dateEncoding = { enabled: prev.dateEncoding.enabled, reference: base.dateEncoding.reference };
  const ref = prev.dateEncoding.reference;
  if (ref.kind === 'fixed' || c.modalities.some((m) => m.name === ref.modality)) c.dateEncoding.reference = structuredClone(ref);
  for (const m of c.modalities) {
    const p = prev.modalities.find((x) => x.name === m.name);
    if (!p) continue;
    if (p.bands.join(',') === m.bands.join(',')) {
      m.normGroups = [...p.normGroups];
      m.tokenGroups = [...p.tokenGroups];
    } else notes.push(`${m.name}: its bands changed, so its band groups were reset to the default`);
  }
  // Fusion groups: each modality keeps the group it had; new modalities get MAESTRO's default group.
  const groupOf = (name: string) => prev.groups.find((g) => g.modalities.includes(name))?.name ?? fusionGroupOf(name);
  const order = [...prev.groups.map((g) => g.name), ...c.modalities.map((m) => groupOf(m.name))];
  c.groups = [...new Set(order)].map((g) => ({ name: g, modalities: c.modalities.filter((m) => groupOf(m.name) === g).map((m) => m.name) })).filter((g) => g.modalities.length > 0);
  const config = normaliseConfig(c);
  return { config, problems: allProblems(config, modalities), notes };
}

/** Applies a size preset: its encoder/decoder, and every patch size back to that preset's default. */
export function applyPreset(config: MaeConfig, preset: PresetName, modalities: readonly DatasetModality[]): { config: MaeConfig; notes: string[] } {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown preset "${String(preset)}"`);
  const c: MaeConfig = structuredClone(config);
  c.preset = preset;
  c.encoder = { ...p.encoder };
  c.decoder = { ...p.decoder };
  const notes: string[] = [];
  for (const m of c.modalities) {
    const d = modalities.find((x) => configModalityName(x.name) === m.name);
    if (!d) continue;
    const P = choosePatchSize(d.size, 8, d.bands.length, p.decoder.width);
    if (P !== m.patchSize) notes.push(`${m.name}: patch size ${m.patchSize} → ${P} (the ${preset} default)`);
    m.patchSize = P;
  }
  return { config: normaliseConfig(c), notes };
}

/** A fresh default for the dataset (the "Reset" button): the preset kept, everything else MAESTRO's default. */
export function defaultConfig(preset: PresetName, modalities: readonly DatasetModality[]): { config: MaeConfig | null; problems: string[] } {
  try {
    return { config: configFromDataset(modalities, preset), problems: [] };
  } catch (e) {
    if (e instanceof ConfigError) return { config: null, problems: e.problems };
    throw e;
  }
}

/** Validates an imported JSON text as far as parsing and shape go; dataset matching is done by reconcileConfig. */
export function parseImportedConfig(text: string): { config: MaeConfig | null; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { config: null, problems: [`config: the file is not JSON (${e instanceof Error ? e.message : String(e)})`] };
  }
  // A training checkpoint's state.json carries the config under "config"; accept it too.
  if (value && typeof value === 'object' && !Array.isArray(value) && 'config' in value && !('modalities' in value)) value = (value as { config: unknown }).config;
  const problems = configProblems(value);
  if (problems.length) return { config: null, problems };
  return { config: value as MaeConfig, problems: [] };
}

