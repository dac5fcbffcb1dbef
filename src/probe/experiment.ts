/**
 * Ablation experiments (MAESTRO's design choices, method.md §2.14): pre-train several model variants on the same
 * data with the same seeds and step budget, probe each frozen encoder on the same held-out split, and report the
 * probe scores per variant with their spread over seeds, as a table, an ASCII chart and JSON for the studio.
 *
 * Factors (each variant fixes all three):
 *   targetNorm  'none' | 'patch' | 'patch-group'      reconstruction target normalisation (§2.10)
 *   fusion      'joint' | 'token'                      spectral fusion: all bands in one token per patch (MAESTRO), or
 *                                                      one token per band group — the normalisation groups when a
 *                                                      modality has several, else one per band (§2.4)
 *   masking     any of MASK_STRATEGIES (config.ts)     'random' | 'structured' | 'anchor' (A²-MAE-style, §7.2)
 * The experiment file (JSON; relative paths are relative to the file) — documented in docs/readme-probe.md:
 *   { "name", "data": [paths], "labels": path | {"path": [paths], "match", "dated", "ignore", "classes"},
 *     "dataset": {"sampleMeters", "numDates", "patchSize"}, "model": {"preset", "encoder", "decoder"},
 *     "pretrain": {"steps", "batch", "lr"}, "probe": {"heads", "steps", "batch", "lr", "split", "testFraction",
 *     "allDates"}, "seeds": [..], "base": {factor: value}, "ablate": [factors] | "variants": [{name?, factor: value}] }
 * "ablate" is one-factor-at-a-time around "base": the base variant, then every other value of each named factor.
 * The studio's Evaluate section runs the same loop (`runVariants`) around the user's current configuration
 * (`withVariant` changes only the ablated factors), with progress hooks and an AbortSignal.
 * Invariants: every variant × seed sees the same training dataset, the same evaluation samples and the same probe
 * split (split seed 0); seed s drives the initialisation, batches and masks of pre-training and the probe's
 * initialisation and batch order. Spread = sample standard deviation over seeds (0 for one seed).
 */
import { Dataset } from '../data/dataset';
import type { Sample } from '../data/sample';
import { assert } from '../lib/assert';
import { type MaeConfig, MASK_STRATEGIES, type MaskStrategy, type PresetName, type TargetNorm, validateConfig, type EncoderConfig, type DecoderConfig } from '../model/config';
import { DEFAULT_OPTIMIZER, Trainer } from '../train/trainer';
import { configFromDataset, type DatasetModality } from '../train/datasetConfig';
import type { DecodeCache } from '../data/raster';
import { evaluationSamples, type InspectedData } from './data';
import { HEAD_KINDS, type HeadKind } from './heads';
import { buildTask, runProbes, type ProbeLabels, type ProbeReport, type SampleOrigins } from './run';
import { SPLIT_KINDS, type SplitKind } from './tasks';
import { embedSamples } from './tokens';

export const TARGET_NORMS: readonly TargetNorm[] = ['none', 'patch', 'patch-group'];
export type Fusion = 'joint' | 'token';
export const FUSIONS: readonly Fusion[] = ['joint', 'token'];
export type Factor = 'targetNorm' | 'fusion' | 'masking';
export const FACTORS: readonly Factor[] = ['targetNorm', 'fusion', 'masking'];

export interface Variant {
  name: string;
  targetNorm: TargetNorm;
  fusion: Fusion;
  masking: MaskStrategy;
}

export interface LabelSpec {
  path: string[];
  /** Regex: which files inside label folders are label rasters (default: Fmask/label/class/mask names). */
  match?: string;
  dated?: 'auto' | 'dated' | 'static';
  ignore?: number[];
  classes?: Record<string, string>;
}

export interface ExperimentSpec {
  name: string;
  data: string[];
  labels: LabelSpec;
  dataset: { sampleMeters?: number; numDates?: number; patchSize?: number };
  model: { preset: PresetName; encoder?: Partial<EncoderConfig>; decoder?: Partial<DecoderConfig>; maskRatio?: number };
  pretrain: { steps: number; batch: number; lr: number };
  probe: { heads: HeadKind[]; steps: number; batch: number; lr: number; split: SplitKind | 'auto'; testFraction: number; allDates: boolean | 'auto' };
  seeds: number[];
  variants: Variant[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates an experiment file; `resolve` turns a relative path into a usable one. Throws listing every problem. */
export function parseExperiment(text: string, resolve: (p: string) => string = (p) => p): ExperimentSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`experiment file is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  assert(isObj(json), 'experiment file: must be a JSON object');
  const problems: string[] = [];
  const bad = (msg: string) => problems.push(msg);
  const o = json;
  const strings = (v: unknown, field: string): string[] => {
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
    bad(`${field}: must be a path or a non-empty array of paths`);
    return [];
  };
  const num = (v: unknown, field: string, def: number, min: number, int: boolean): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) {
      bad(`${field}: ${JSON.stringify(v)} must be ${int ? 'an integer' : 'a number'} ≥ ${min}`);
      return def;
    }
    return v;
  };
  const sub = (k: string): Obj => {
    const v = o[k];
    if (v === undefined) return {};
    if (!isObj(v)) {
      bad(`${k}: must be an object`);
      return {};
    }
    return v;
  };

  const data = strings(o.data, 'data').map(resolve);
  let labels: LabelSpec = { path: [] };
  if (typeof o.labels === 'string' || Array.isArray(o.labels)) labels = { path: strings(o.labels, 'labels').map(resolve) };
  else if (isObj(o.labels)) {
    const l = o.labels;
    labels = { path: strings(l.path, 'labels.path').map(resolve) };
    if (l.match !== undefined) {
      if (typeof l.match !== 'string') bad('labels.match: must be a regular expression string');
      else labels.match = l.match;
    }
    if (l.dated !== undefined) {
      if (l.dated !== 'auto' && l.dated !== 'dated' && l.dated !== 'static') bad('labels.dated: must be "auto", "dated" or "static"');
      else labels.dated = l.dated;
    }
    if (l.ignore !== undefined) {
      if (!Array.isArray(l.ignore) || !l.ignore.every((x) => Number.isInteger(x))) bad('labels.ignore: must be an array of integer label values');
      else labels.ignore = l.ignore as number[];
    }
    if (l.classes !== undefined) {
      if (!isObj(l.classes) || !Object.values(l.classes).every((x) => typeof x === 'string')) bad('labels.classes: must map label values to names');
      else labels.classes = l.classes as Record<string, string>;
    }
  } else bad('labels: must be a path or {"path": …}');

  const ds = sub('dataset');
  const dataset = {
    sampleMeters: ds.sampleMeters === undefined ? undefined : num(ds.sampleMeters, 'dataset.sampleMeters', 0, 1e-9, false),
    numDates: ds.numDates === undefined ? undefined : num(ds.numDates, 'dataset.numDates', 1, 1, true),
    patchSize: ds.patchSize === undefined ? undefined : num(ds.patchSize, 'dataset.patchSize', 1, 1, true),
  };
  const mo = sub('model');
  const preset = (mo.preset ?? 'tiny') as PresetName;
  if (!['tiny', 'small', 'base'].includes(preset)) bad(`model.preset: ${JSON.stringify(mo.preset)} is not tiny, small or base`);
  for (const k of ['encoder', 'decoder'] as const) if (mo[k] !== undefined && !isObj(mo[k])) bad(`model.${k}: must be an object`);
  const model = {
    preset,
    encoder: mo.encoder as Partial<EncoderConfig> | undefined,
    decoder: mo.decoder as Partial<DecoderConfig> | undefined,
    maskRatio: mo.maskRatio === undefined ? undefined : num(mo.maskRatio, 'model.maskRatio', 0.75, 0, false),
  };
  const pt = sub('pretrain');
  const pretrain = { steps: num(pt.steps, 'pretrain.steps', 200, 1, true), batch: num(pt.batch, 'pretrain.batch', 8, 1, true), lr: num(pt.lr, 'pretrain.lr', 1e-3, 0, false) };
  const pr = sub('probe');
  const heads = pr.heads === undefined ? (['linear', 'attentive'] as HeadKind[]) : (pr.heads as HeadKind[]);
  if (!Array.isArray(heads) || heads.length === 0 || !heads.every((h) => HEAD_KINDS.includes(h))) bad(`probe.heads: must be a non-empty array of ${HEAD_KINDS.join(', ')}`);
  const split = (pr.split ?? 'auto') as SplitKind | 'auto';
  if (split !== 'auto' && !SPLIT_KINDS.includes(split)) bad(`probe.split: ${JSON.stringify(pr.split)} is not auto, ${SPLIT_KINDS.join(', ')}`);
  const allDates = pr.allDates ?? 'auto';
  if (allDates !== 'auto' && typeof allDates !== 'boolean') bad('probe.allDates: must be true, false or "auto"');
  const probe = {
    heads,
    steps: num(pr.steps, 'probe.steps', 300, 1, true),
    batch: num(pr.batch, 'probe.batch', 64, 1, true),
    lr: num(pr.lr, 'probe.lr', 3e-3, 0, false),
    split,
    testFraction: num(pr.testFraction, 'probe.testFraction', 0.3, 1e-9, false),
    allDates: allDates as boolean | 'auto',
  };
  if (probe.testFraction >= 1) bad('probe.testFraction: must be below 1');
  const seeds = o.seeds === undefined ? [0] : (o.seeds as number[]);
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0)) bad('seeds: must be a non-empty array of integers ≥ 0');

  const base = sub('base');
  const baseVariant: Variant = { name: 'base', targetNorm: 'patch-group', fusion: 'joint', masking: 'structured' };
  const checkFactor = (f: string, v: unknown, where: string): boolean => {
    const allowed: readonly unknown[] = f === 'targetNorm' ? TARGET_NORMS : f === 'fusion' ? FUSIONS : f === 'masking' ? MASK_STRATEGIES : [];
    if (!(FACTORS as readonly string[]).includes(f)) {
      bad(`${where}: "${f}" is not a factor (${FACTORS.join(', ')})`);
      return false;
    }
    if (!allowed.includes(v)) {
      bad(`${where}.${f}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
      return false;
    }
    return true;
  };
  for (const [f, v] of Object.entries(base)) if (checkFactor(f, v, 'base')) (baseVariant as unknown as Obj)[f] = v;
  let variants: Variant[] = [];
  if (o.ablate !== undefined && o.variants !== undefined) bad('give either "ablate" or "variants", not both');
  if (o.ablate !== undefined) {
    if (!Array.isArray(o.ablate) || !o.ablate.every((f) => (FACTORS as readonly unknown[]).includes(f))) bad(`ablate: must be an array of factors (${FACTORS.join(', ')})`);
    else variants = expandAblation(baseVariant, o.ablate as Factor[]);
  } else if (o.variants !== undefined) {
    if (!Array.isArray(o.variants) || o.variants.length === 0) bad('variants: must be a non-empty array');
    else
      variants = o.variants.map((v: unknown, i: number) => {
        const out: Variant = { ...baseVariant };
        if (!isObj(v)) {
          bad(`variants[${i}]: must be an object`);
          return out;
        }
        const changed: string[] = [];
        for (const [f, val] of Object.entries(v)) {
          if (f === 'name') continue;
          if (checkFactor(f, val, `variants[${i}]`)) {
            (out as unknown as Obj)[f] = val;
            changed.push(`${f}=${String(val)}`);
          }
        }
        out.name = typeof v.name === 'string' ? v.name : changed.join(' ') || 'base';
        return out;
      });
  } else variants = [baseVariant];
  const names = variants.map((v) => v.name);
  if (new Set(names).size !== names.length) bad(`variants: names must be unique (${names.join(', ')})`);
  if (problems.length) throw new Error(`invalid experiment file: ${problems.join('; ')}`);
  return { name: typeof o.name === 'string' ? o.name : 'ablation', data, labels, dataset, model, pretrain, probe, seeds, variants };
}

/** The base variant, then each other value of each factor (one factor changed at a time). */
export function expandAblation(base: Variant, factors: readonly Factor[]): Variant[] {
  const out: Variant[] = [{ ...base, name: 'base' }];
  for (const f of factors) {
    const values: readonly string[] = f === 'targetNorm' ? TARGET_NORMS : f === 'fusion' ? FUSIONS : MASK_STRATEGIES;
    for (const v of values) if (v !== base[f]) out.push({ ...base, [f]: v, name: `${f}=${v}` });
  }
  return out;
}

/** A modality's token band groups with token-based spectral fusion: its normalisation groups, else one per band. */
export function tokenFusionGroups(normGroups: readonly number[], C: number): number[] {
  return normGroups.length > 1 ? [...normGroups] : Array.from({ length: C }, () => 1);
}

/** The model configuration of one variant for the dataset's modalities. */
export function variantConfig(modalities: readonly DatasetModality[], spec: Pick<ExperimentSpec, 'model' | 'dataset'>, v: Variant): MaeConfig {
  const patchSizes = spec.dataset.patchSize ? Object.fromEntries(modalities.map((m) => [m.name, spec.dataset.patchSize!])) : undefined;
  const base = configFromDataset(modalities, spec.model.preset, {
    encoder: spec.model.encoder,
    decoder: spec.model.decoder,
    targetNorm: v.targetNorm,
    masking: { strategy: v.masking, ...(spec.model.maskRatio !== undefined ? { ratio: spec.model.maskRatio } : {}) },
    patchSizes,
  });
  return v.fusion === 'joint' ? base : withFusion(base, 'token');
}

/**
 * `config` with its spectral fusion replaced: 'joint' = one token of all bands per patch; 'token' = one token per
 * normalisation group when a modality has several, else one per band (with per-band normalisation groups, since a
 * token's target is normalised on its own).
 */
export function withFusion(config: MaeConfig, fusion: Fusion): MaeConfig {
  const modalities = config.modalities.map((m) => {
    if (fusion === 'joint') return { ...m, tokenGroups: [m.bands.length] };
    const groups = tokenFusionGroups(m.normGroups, m.bands.length);
    return { ...m, tokenGroups: groups, normGroups: m.normGroups.length > 1 ? m.normGroups : groups };
  });
  return validateConfig({ ...config, modalities });
}

/** The spectral fusion of a configuration: 'joint' when every modality has one token per patch, else 'token'. */
export function fusionOf(config: MaeConfig): Fusion {
  return config.modalities.every((m) => m.tokenGroups.length === 1) ? 'joint' : 'token';
}

/** A configuration's own values of the three factors (the studio's base variant). */
export function factorsOf(config: MaeConfig): Omit<Variant, 'name'> {
  return { targetNorm: config.targetNorm, fusion: fusionOf(config), masking: config.masking.strategy };
}

/**
 * `config` with the factors of `v` that differ from its own replaced; every other setting (sizes, dates, patch
 * sizes, masking ratio, encodings) is kept, so a studio ablation varies exactly the named factors. Throws
 * (ConfigError) when the result is not a valid configuration.
 */
export function withVariant(config: MaeConfig, v: Omit<Variant, 'name'>): MaeConfig {
  const own = factorsOf(config);
  let c: MaeConfig = { ...config, targetNorm: v.targetNorm, masking: { ...config.masking, strategy: v.masking } };
  if (v.fusion !== own.fusion) c = withFusion(c, v.fusion);
  return validateConfig(c);
}

// ---------------------------------------------------------------------------------------------------------------
// Running

export interface ExperimentInputs {
  /** Training data: one dataset with the variants' (common) sample shapes. */
  train: Dataset;
  /** Evaluation samples (validation tiles, date chunks) and where they come from. */
  samples: Sample[];
  origins: SampleOrigins;
  labels: ProbeLabels;
  cache: DecodeCache;
}

/**
 * The shared inputs: the training dataset (the experiment's sample size and dates, seed 0) and the evaluation tiles,
 * read once for all runs. allDates 'auto' = on for dated label rasters (every acquisition gets its label).
 */
export async function prepareExperiment(spec: ExperimentSpec, data: InspectedData, labels: ProbeLabels): Promise<ExperimentInputs & { warnings: string[]; chunks: number }> {
  const train = await Dataset.fromRecords(data.records, data.files, { seed: 0, sampleMeters: spec.dataset.sampleMeters, numDates: spec.dataset.numDates }, { cache: data.cache, pool: data.pool });
  assert(train.modalities.length > 0, () => `the experiment data has nothing to train on: ${[...data.problems, ...train.warnings].join('; ') || 'no usable files'}`);
  const config = variantConfig(train.modalities, spec, spec.variants[0]);
  const allDates = spec.probe.allDates === 'auto' ? labels.kind === 'raster' && labels.dated : spec.probe.allDates;
  const ev = await evaluationSamples(data, config, { allDates, seed: 0 });
  return { train, samples: ev.samples, origins: { location: ev.location, files: ev.files }, labels, cache: data.cache, warnings: [...train.warnings], chunks: ev.chunks };
}

export interface RunResult {
  variant: string;
  seed: number;
  pretrain: { firstLoss: number; lastLoss: number; ms: number };
  embedMs: number;
  report: ProbeReport;
}

export interface ExperimentHooks {
  onRunStart?: (variant: Variant, seed: number, index: number, total: number) => void;
  onPretrainStep?: (step: number, loss: number) => void;
  /** Evaluation samples encoded so far in the current run. */
  onEmbed?: (done: number, total: number) => void;
  /** A probe head starts training (index among the requested heads). */
  onProbeHead?: (head: HeadKind, index: number, count: number) => void;
  /** Probe training steps of the current head. */
  onProbeStep?: (step: number, steps: number) => void;
  onRunEnd?: (r: RunResult) => void;
  /**
   * Checked at every pre-training and probe step and between phases: once aborted, the run in progress is dropped
   * (its trainer destroyed) and the runner rejects with the signal's reason; the runs already finished went to
   * `onRunEnd`.
   */
  signal?: AbortSignal;
}

/** What the runner needs besides the inputs: the variants, seeds and budgets, and how a variant becomes a model. */
export interface VariantPlan {
  variants: readonly Variant[];
  seeds: readonly number[];
  pretrain: ExperimentSpec['pretrain'];
  probe: Omit<ExperimentSpec['probe'], 'allDates'>;
  configFor: (v: Variant) => MaeConfig;
}

/** Pre-trains and probes every variant × seed (see the header). */
export async function runExperiment(device: GPUDevice, spec: ExperimentSpec, inputs: ExperimentInputs, hooks: ExperimentHooks = {}): Promise<RunResult[]> {
  return runVariants(device, { ...spec, configFor: (v) => variantConfig(inputs.train.modalities, spec, v) }, inputs, hooks);
}

/**
 * The runner shared by the CLI (runExperiment) and the studio: for each variant × seed, a fresh Trainer (nothing is
 * shared with any other model) pre-trained for `pretrain.steps` on `inputs.train`, then the frozen encoder embeds the
 * evaluation samples and the probes are trained and scored on the split of seed 0.
 */
export async function runVariants(device: GPUDevice, plan: VariantPlan, inputs: ExperimentInputs, hooks: ExperimentHooks = {}): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const total = plan.variants.length * plan.seeds.length;
  const signal = hooks.signal;
  for (const v of plan.variants) {
    const config = plan.configFor(v);
    for (const seed of plan.seeds) {
      signal?.throwIfAborted();
      hooks.onRunStart?.(v, seed, results.length, total);
      const optimizer = { ...DEFAULT_OPTIMIZER, schedule: { kind: 'one-cycle' as const, options: { maxLr: plan.pretrain.lr, totalSteps: plan.pretrain.steps, pctStart: 0.2, divFactor: 1000, finalDivFactor: 1e4 } } };
      const t0 = performance.now();
      const trainer = await Trainer.create(device, { config, batchSize: plan.pretrain.batch, seed, optimizer }, { batch: (rng, B) => inputs.train.batch(rng, B, true) });
      let params: Float32Array;
      let firstLoss = NaN;
      let lastLoss = NaN;
      try {
        for (let s = 0; s < plan.pretrain.steps; s++) {
          signal?.throwIfAborted();
          const m = await trainer.trainStep();
          if (s === 0) firstLoss = m.loss;
          lastLoss = m.loss;
          hooks.onPretrainStep?.(m.step, m.loss);
        }
        params = (await trainer.snapshot()).params;
      } finally {
        trainer.destroy();
      }
      const pretrainMs = performance.now() - t0;
      signal?.throwIfAborted();
      const t1 = performance.now();
      const emb = await embedSamples(device, config, params, inputs.samples, { onProgress: hooks.onEmbed });
      const embedMs = performance.now() - t1;
      signal?.throwIfAborted();
      const { task } = await buildTask(emb, inputs.labels, inputs.origins, inputs.cache);
      const report = await runProbes(device, emb, task, {
        heads: plan.probe.heads,
        fit: { steps: plan.probe.steps, batch: plan.probe.batch, lr: plan.probe.lr, weightDecay: 0.01, seed, onStep: hooks.onProbeStep, signal },
        split: plan.probe.split,
        testFraction: plan.probe.testFraction,
        splitSeed: 0,
        onHead: hooks.onProbeHead,
      });
      const r: RunResult = { variant: v.name, seed, pretrain: { firstLoss, lastLoss, ms: pretrainMs }, embedMs, report };
      results.push(r);
      hooks.onRunEnd?.(r);
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Summary, table, chart

export interface SummaryRow {
  variant: string;
  head: HeadKind;
  scoreName: string;
  /** Over seeds. */
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
  /** Mean accuracy over seeds (single-label tasks; NaN otherwise). */
  accuracy: number;
  /** Mean final pre-training loss. */
  pretrainLoss: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function summarize(results: readonly RunResult[], variants: readonly string[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const variant of variants) {
    const runs = results.filter((r) => r.variant === variant);
    if (runs.length === 0) continue;
    for (const h of runs[0].report.heads) {
      const per = runs.map((r) => r.report.heads.find((x) => x.head === h.head)!);
      const scores = per.map((x) => x.score);
      rows.push({
        variant,
        head: h.head,
        scoreName: h.scoreName,
        mean: mean(scores),
        std: sampleStd(scores),
        min: Math.min(...scores),
        max: Math.max(...scores),
        n: scores.length,
        accuracy: per.every((x) => x.single) ? mean(per.map((x) => x.single!.accuracy)) : NaN,
        pretrainLoss: mean(runs.map((r) => r.pretrain.lastLoss)),
      });
    }
  }
  return rows;
}

const p1 = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(1) : '–');

export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const header = ['variant', 'head', 'score', 'mean ± std (%)', 'min–max (%)', 'accuracy (%)', 'pretrain loss', 'seeds'];
  const body = rows.map((r) => [r.variant, r.head, r.scoreName, `${p1(r.mean)} ± ${p1(r.std)}`, `${p1(r.min)}–${p1(r.max)}`, p1(r.accuracy), r.pretrainLoss.toFixed(4), String(r.n)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * Horizontal bars of the mean score per (variant, head) on a 0..max scale, with the ±std range drawn as a whisker:
 *   base        linear    |██████████████████░░├──┤          | 53.1 ± 2.0
 */
export function asciiChart(rows: readonly SummaryRow[], width = 40): string {
  if (rows.length === 0) return '';
  const top = Math.max(1e-9, ...rows.map((r) => r.mean + r.std));
  const scale = (v: number) => Math.max(0, Math.min(width, Math.round((v / top) * width)));
  const vw = Math.max(...rows.map((r) => r.variant.length));
  const hw = Math.max(...rows.map((r) => r.head.length));
  const lines = rows.map((r) => {
    const cells = new Array<string>(width).fill(' ');
    const m = scale(r.mean);
    for (let i = 0; i < m; i++) cells[i] = '█';
    const lo = scale(r.mean - r.std);
    const hi = scale(r.mean + r.std);
    if (r.std > 0 && hi > lo) {
      for (let i = lo; i < hi && i < width; i++) if (cells[i] === ' ') cells[i] = '─';
      cells[Math.min(width - 1, lo)] = '├';
      cells[Math.min(width - 1, hi - 1)] = hi - 1 > lo ? '┤' : '┼'; // a spread within one cell
    }
    return `${r.variant.padEnd(vw)}  ${r.head.padEnd(hw)}  |${cells.join('')}| ${p1(r.mean)} ± ${p1(r.std)}`;
  });
  return [`${rows[0].scoreName} (%), 0 … ${p1(top)}`, ...lines].join('\n');
}
