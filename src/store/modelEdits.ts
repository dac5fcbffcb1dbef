/**
 * Pure edits of a model configuration draft, one per control of the Model section. Each returns a new object and
 * never validates: the worker answers every draft with its problems (configProblems + the dataset checks), which the
 * page shows next to the field they name, so a half-typed invalid value stays visible with its message.
 *
 * Spectral fusion (MAESTRO §2.4): 'joint' = one token per patch carrying all bands (tokenGroups [C]); 'per-group' =
 * one token per normalisation group (tokenGroups = normGroups); anything else is 'custom'. Changing the
 * normalisation groups keeps a 'per-group' modality per-group.
 * Invariants: inputs are never mutated; an edit of an unknown modality returns the config unchanged.
 */
import type { AnchorMaskingConfig, GeoEncodingMode, LossKind, MaeConfig, MaskingConfig, ModalityConfig, PositionMode, TargetNorm } from '../train/protocol/data';

export type SpectralFusion = 'joint' | 'per-group' | 'custom';

function mapModality(c: MaeConfig, name: string, fn: (m: ModalityConfig) => ModalityConfig): MaeConfig {
  if (!c.modalities.some((m) => m.name === name)) return c;
  return { ...c, modalities: c.modalities.map((m) => (m.name === name ? fn(m) : m)) };
}

export function spectralFusionOf(m: Pick<ModalityConfig, 'normGroups' | 'tokenGroups'>): SpectralFusion {
  if (m.tokenGroups.length === 1) return 'joint';
  if (m.tokenGroups.join(',') === m.normGroups.join(',')) return 'per-group';
  return 'custom';
}

export function withPatchSize(c: MaeConfig, name: string, patchSize: number): MaeConfig {
  return mapModality(c, name, (m) => ({ ...m, patchSize }));
}

export function withNormGroups(c: MaeConfig, name: string, normGroups: number[]): MaeConfig {
  return mapModality(c, name, (m) => ({ ...m, normGroups: [...normGroups], tokenGroups: spectralFusionOf(m) === 'per-group' ? [...normGroups] : m.tokenGroups }));
}

export function withTokenGroups(c: MaeConfig, name: string, tokenGroups: number[]): MaeConfig {
  return mapModality(c, name, (m) => ({ ...m, tokenGroups: [...tokenGroups] }));
}

export function withSpectralFusion(c: MaeConfig, name: string, mode: Exclude<SpectralFusion, 'custom'>): MaeConfig {
  return mapModality(c, name, (m) => ({ ...m, tokenGroups: mode === 'joint' ? [m.bands.length] : [...m.normGroups] }));
}

/** Moves a modality into the fusion group `group` (created at the end when new); empty groups disappear. */
export function withFusionGroup(c: MaeConfig, name: string, group: string): MaeConfig {
  if (!c.modalities.some((m) => m.name === name)) return c;
  const groups = c.groups.map((g) => ({ ...g, modalities: g.modalities.filter((m) => m !== name) }));
  const target = groups.find((g) => g.name === group);
  if (target) {
    // Keep the group's members in the order of the modalities list (their sequences are concatenated so).
    const members = new Set([...target.modalities, name]);
    target.modalities = c.modalities.map((m) => m.name).filter((m) => members.has(m));
  } else groups.push({ name: group, modalities: [name] });
  return { ...c, groups: groups.filter((g) => g.modalities.length > 0) };
}

/** The fusion group a modality is in (its own name when, unexpectedly, none). */
export function fusionGroupOfModality(c: MaeConfig, name: string): string {
  return c.groups.find((g) => g.modalities.includes(name))?.name ?? name;
}

export function withMasking(c: MaeConfig, patch: Partial<MaskingConfig>): MaeConfig {
  return { ...c, masking: { ...c.masking, ...patch } };
}

/**
 * Edits the anchor-aware masking settings (present once the 'anchor' strategy is chosen: the worker fills the
 * defaults). The anchor modality is kept only for rule 'modality', which needs one (the first modality by default).
 */
export function withAnchor(c: MaeConfig, patch: Partial<AnchorMaskingConfig>): MaeConfig {
  const a = c.masking.anchor;
  if (!a) return c;
  const next: AnchorMaskingConfig = { ...a, ...patch };
  if (next.rule !== 'modality') next.modality = null;
  else if (next.modality === null) next.modality = c.modalities[0]?.name ?? null;
  return { ...c, masking: { ...c.masking, anchor: next } };
}

export function withGeoEncoding(c: MaeConfig, geoEncoding: GeoEncodingMode): MaeConfig {
  return { ...c, geoEncoding };
}

export function withPositions(c: MaeConfig, positions: PositionMode): MaeConfig {
  return { ...c, positions };
}

export function withTargetNorm(c: MaeConfig, targetNorm: TargetNorm): MaeConfig {
  return { ...c, targetNorm };
}

export function withLoss(c: MaeConfig, loss: LossKind): MaeConfig {
  return { ...c, loss };
}

export function withDateEncoding(c: MaeConfig, enabled: boolean): MaeConfig {
  return { ...c, dateEncoding: { ...c.dateEncoding, enabled } };
}

export function withDateReference(c: MaeConfig, modality: string): MaeConfig {
  return { ...c, dateEncoding: { ...c.dateEncoding, reference: { kind: 'modality', modality } } };
}

/**
 * Band counts typed as "4, 4, 2" (commas, spaces or '+'); null when the text is not a list of positive integers.
 * Sums are not checked here: the worker reports "sums to 9, not to the 10 bands" next to the field.
 */
export function parseCounts(text: string): number[] | null {
  const parts = text.split(/[\s,+]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const out = parts.map(Number);
  return out.every((n) => Number.isInteger(n) && n >= 1) ? out : null;
}

/** Band names split by counts (a short last group when the counts do not add up). */
export function groupBands(bands: readonly string[], counts: readonly number[]): string[][] {
  const out: string[][] = [];
  let at = 0;
  for (const n of counts) {
    if (at >= bands.length) break;
    out.push(bands.slice(at, at + n));
    at += n;
  }
  if (at < bands.length) out.push(bands.slice(at));
  return out;
}

/** Divisors of n, ascending (the patch sizes a modality's image size allows). */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/**
 * Problems that concern one field: those whose path is the field or inside it ("masking.ratio" for the ratio input,
 * "modalities[0]" for everything of the first modality).
 */
export function problemsFor(problems: readonly string[], field: string): string[] {
  return problems.filter((p) => {
    const path = p.slice(0, p.indexOf(':'));
    return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
  });
}

/** A problem without its "<field path>: " prefix, for showing next to the field. */
export function problemText(problem: string): string {
  const i = problem.indexOf(': ');
  return i >= 0 ? problem.slice(i + 2) : problem;
}
