/**
 * The pure parts of the Evaluate jobs: checking the settings the page sends, which factor values an ablation of the
 * current model can use (and why not), the variants of a studio ablation, and which validation tiles are evaluated.
 *
 * Studio ablations are one factor at a time around the CURRENT model configuration (the base variant, run as it
 * is): each chosen value of each factor gives one variant that differs from the base in that factor only
 * (src/probe/experiment.ts withVariant).
 * Invariants: no I/O, no GPU; every problem is a plain sentence naming the setting.
 */
import { ConfigError, groupTokenCounts, type MaeConfig, MASK_STRATEGIES, type MaskStrategy, type TargetNorm } from '../../model/config';
import { factorsOf, FUSIONS, TARGET_NORMS, withVariant, type Factor, type Fusion, type Variant } from '../../probe/experiment';
import { HEAD_KINDS } from '../../probe/heads';
import { SPLIT_KINDS } from '../../probe/tasks';
import type { ExperimentSettings, FactorChoice, FactorValue, ProbeSettings } from '../protocol/probe';

/** Limits that keep a studio job within what a page can reasonably run. */
export const LIMITS = { probeSteps: 5000, tiles: 1024, seeds: 5, pretrainSteps: 10000, pretrainBatch: 64 } as const;

const FACTOR_LABELS: Record<Factor, string> = { targetNorm: 'Target normalisation', fusion: 'Spectral fusion', masking: 'Masking' };
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

export function probeSettingsProblems(s: ProbeSettings): string[] {
  const out: string[] = [];
  if (!Array.isArray(s.heads) || s.heads.length === 0 || !s.heads.every((h) => HEAD_KINDS.includes(h))) out.push('Choose a probe head (linear, attentive or both).');
  if (!isInt(s.steps, 1, LIMITS.probeSteps)) out.push(`Probe steps must be a whole number from 1 to ${LIMITS.probeSteps}.`);
  if (s.split !== 'auto' && !SPLIT_KINDS.includes(s.split)) out.push(`The split must be auto, ${SPLIT_KINDS.join(', ')}.`);
  if (!(typeof s.testFraction === 'number' && s.testFraction >= 0.05 && s.testFraction <= 0.9)) out.push('The held-out share must be between 5 % and 90 %.');
  if (!isInt(s.maxTiles, 1, LIMITS.tiles)) out.push(`Tiles must be a whole number from 1 to ${LIMITS.tiles}.`);
  return out;
}

export function experimentSettingsProblems(s: ExperimentSettings): string[] {
  const out = probeSettingsProblems(s.probe);
  if (!isInt(s.seeds, 1, LIMITS.seeds)) out.push(`Seeds must be a whole number from 1 to ${LIMITS.seeds}.`);
  if (!isInt(s.pretrainSteps, 1, LIMITS.pretrainSteps)) out.push(`Pre-training steps must be a whole number from 1 to ${LIMITS.pretrainSteps}.`);
  if (!isInt(s.pretrainBatch, 1, LIMITS.pretrainBatch)) out.push(`The pre-training batch must be a whole number from 1 to ${LIMITS.pretrainBatch}.`);
  if (!(typeof s.pretrainLr === 'number' && s.pretrainLr > 0 && s.pretrainLr <= 1)) out.push('The pre-training learning rate must be above 0 and at most 1.');
  return out;
}

const why = (e: unknown) => (e instanceof ConfigError ? e.problems.join('; ') : e instanceof Error ? e.message : String(e));

/** Why `config` cannot be trained with its masking (every group must keep ≥ 1 visible and ≥ 1 masked token), or null. */
function maskingProblem(config: MaeConfig): string | null {
  for (const [g, n] of groupTokenCounts(config).entries()) {
    if (n.K < 1) return `the masking would hide every token of "${config.groups[g].name}"`;
    if (n.masked < 1) return `the masking would hide no token of "${config.groups[g].name}"`;
  }
  return null;
}

/** Images (modality × date) per sample: anchor-aware masking needs at least two to have an anchor and others. */
const imagesPerSample = (config: MaeConfig) => config.modalities.reduce((a, m) => a + m.dates, 0);

/**
 * Per-patch and per-(patch, normalisation group) targets are the same numbers when every token holds exactly one
 * normalisation group (e.g. Landsat b3/b4/b5 with one group, or token-based fusion): such a variant would only repeat
 * the base at the cost of a full pre-training.
 */
function sameTargets(a: MaeConfig, b: MaeConfig): boolean {
  const pair = new Set([a.targetNorm, b.targetNorm]);
  if (!(pair.has('patch') && pair.has('patch-group') && pair.size === 2)) return false;
  return [a, b].every((c) => c.modalities.every((m) => m.normGroups.length === m.tokenGroups.length));
}

/** The configuration of one variant of `config`, or why it cannot be built (or would repeat `config`). */
export function variantOf(config: MaeConfig, v: Omit<Variant, 'name'>): { config: MaeConfig } | { problem: string } {
  if (v.masking === 'anchor' && imagesPerSample(config) < 2) return { problem: 'anchor-aware masking needs at least two images per sample (several dates or modalities)' };
  let c: MaeConfig;
  try {
    c = withVariant(config, v);
  } catch (e) {
    return { problem: why(e) };
  }
  if (sameTargets(config, c)) return { problem: 'every token of this model holds one normalisation group, so this target is the same as the current one' };
  const m = maskingProblem(c);
  return m ? { problem: m } : { config: c };
}

/** Per factor: the base (the model's own value) and every value with whether a variant can use it. */
export function factorChoices(config: MaeConfig): FactorChoice[] {
  const base = factorsOf(config);
  const choice = (factor: Factor, values: readonly (TargetNorm | Fusion | MaskStrategy)[]): FactorChoice => ({
    factor,
    label: FACTOR_LABELS[factor],
    base: base[factor],
    values: values.map((value): FactorValue => {
      if (value === base[factor]) return { value, available: true, reason: null };
      const r = variantOf(config, { ...base, [factor]: value });
      return 'problem' in r ? { value, available: false, reason: r.problem } : { value, available: true, reason: null };
    }),
  });
  return [choice('targetNorm', TARGET_NORMS), choice('fusion', FUSIONS), choice('masking', MASK_STRATEGIES)];
}

/** The base variant, then one variant per chosen non-base value of each factor (in factor order), named "factor=value". */
export function studioVariants(config: MaeConfig, values: ExperimentSettings['values']): Variant[] {
  const base = factorsOf(config);
  const out: Variant[] = [{ name: 'base', ...base }];
  for (const [factor, list] of [
    ['targetNorm', values.targetNorm],
    ['fusion', values.fusion],
    ['masking', values.masking],
  ] as const) {
    for (const value of list) {
      if (value === base[factor] || out.some((v) => v.name === `${factor}=${value}`)) continue;
      out.push({ ...base, [factor]: value, name: `${factor}=${value}` });
    }
  }
  return out;
}

/** `max` indices spread evenly over 0 … n − 1 (all of them when n ≤ max), ascending. */
export function spreadIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.min(n - 1, Math.floor(((i + 0.5) * n) / max)));
}
