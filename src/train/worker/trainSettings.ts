/**
 * The studio's training settings ↔ the Trainer's options: validation with plain-language messages per field, the
 * optimizer options a run uses, the settings a checkpoint implies, the pre-start estimate (work, memory, expected
 * seconds per step on software adapters) and the check that a dataset can feed a model configuration.
 *
 * Invariants: `settingsProblems` is the single authority on valid settings (the page shows its messages next to the
 * fields; `train.start` refuses with the first one); `optimizerFor(settingsFromState(s)) ≡ s.optimizer` for the
 * schedules the studio writes, so a resumed run continues with the very same schedule.
 * Reference: src/train/schedule.ts (one-cycle), src/model/estimate.ts, docs webgpu.md §8 (software adapter speeds).
 */
import type { ModalityInfo } from '../../data/dataset';
import { groupTokenCounts, type MaeConfig } from '../../model/config';
import { estimateModel } from '../../model/estimate';
import type { TrainState } from '../checkpoint';
import type { TrainEstimate, TrainSettings } from '../protocol/train';
import { DEFAULT_OPTIMIZER, type OptimizerOptions } from '../trainer';

/** MAESTRO/PyTorch OneCycleLR defaults the studio keeps fixed (method.md §2.13): start at peak/1000, end at start/1e4. */
const DIV_FACTOR = 1000;
const FINAL_DIV_FACTOR = 1e4;

type Problem = { field: keyof TrainSettings; message: string };

const isInt = (v: number) => Number.isInteger(v);

/** Every invalid field with a message saying what is allowed. Empty when the settings can start a run. */
export function settingsProblems(s: TrainSettings): Problem[] {
  const p: Problem[] = [];
  const intIn = (field: keyof TrainSettings, v: number, min: number, max: number, what: string) => {
    if (!isInt(v) || v < min || v > max) p.push({ field, message: `${what} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}.` });
  };
  intIn('steps', s.steps, 1, 10_000_000, 'Steps');
  intIn('batchSize', s.batchSize, 1, 4096, 'Batch size');
  if (!Number.isFinite(s.peakLr) || s.peakLr <= 0 || s.peakLr > 1) p.push({ field: 'peakLr', message: 'The learning rate must be a number above 0 and at most 1 (typical: 1e-4 to 3e-3).' });
  if (s.schedule !== 'one-cycle' && s.schedule !== 'constant') p.push({ field: 'schedule', message: 'The schedule must be one-cycle or constant.' });
  if (s.schedule === 'one-cycle' && (!Number.isFinite(s.warmupPct) || s.warmupPct < 0 || s.warmupPct > 100)) p.push({ field: 'warmupPct', message: 'Warm-up must be between 0 and 100 % of the steps.' });
  if (!Number.isFinite(s.weightDecay) || s.weightDecay < 0 || s.weightDecay > 1) p.push({ field: 'weightDecay', message: 'Weight decay must be between 0 and 1 (typical: 0.01 to 0.05).' });
  if (s.clipNorm !== null && (!Number.isFinite(s.clipNorm) || s.clipNorm <= 0)) p.push({ field: 'clipNorm', message: 'The clipping threshold must be a number above 0 (or clipping off).' });
  intIn('seed', s.seed, 0, 4294967295, 'The seed');
  intIn('validateEvery', s.validateEvery, 0, 10_000_000, 'Validation interval');
  intIn('validationTiles', s.validationTiles, 1, 4096, 'Validation tiles');
  intIn('autosaveEvery', s.autosaveEvery, 0, 10_000_000, 'Autosave interval');
  return p;
}

/** The cadence fields alone (they may change during a run): the first problem, or null. */
export function cadenceProblem(c: Pick<TrainSettings, 'autosaveEvery' | 'validateEvery'>): string | null {
  const p = settingsProblems({ steps: 1, batchSize: 1, peakLr: 1e-3, schedule: 'constant', warmupPct: 0, weightDecay: 0, clipNorm: null, seed: 0, validationTiles: 1, ...c });
  return p[0]?.message ?? null;
}

/** Throws the first problem (for requests that must not start with invalid settings). */
export function assertValidSettings(s: TrainSettings): void {
  const p = settingsProblems(s);
  if (p.length) throw new Error(p[0].message);
}

export function optimizerFor(s: TrainSettings): OptimizerOptions {
  return {
    ...DEFAULT_OPTIMIZER,
    schedule:
      s.schedule === 'constant'
        ? { kind: 'constant', lr: s.peakLr }
        : { kind: 'one-cycle', options: { maxLr: s.peakLr, totalSteps: s.steps, pctStart: s.warmupPct / 100, divFactor: DIV_FACTOR, finalDivFactor: FINAL_DIV_FACTOR } },
    weightDecay: s.weightDecay,
    clipNorm: s.clipNorm,
  };
}

/** The settings a checkpoint was trained with; cadences (validation, autosave) are the page's, not the run's. */
export function settingsFromState(st: TrainState, cadence: Pick<TrainSettings, 'validateEvery' | 'validationTiles' | 'autosaveEvery'>): TrainSettings {
  const sch = st.optimizer.schedule;
  return {
    steps: st.totalSteps,
    batchSize: st.batchSize,
    peakLr: sch.kind === 'constant' ? sch.lr : sch.options.maxLr,
    schedule: sch.kind,
    warmupPct: sch.kind === 'one-cycle' ? Math.round((sch.options.pctStart ?? 0.2) * 1000) / 10 : 20,
    weightDecay: st.optimizer.weightDecay,
    clipNorm: st.optimizer.clipNorm,
    seed: st.seed,
    ...cadence,
  };
}

/** Tokens through the model per step: every token of every fusion-group sequence, for each sample. */
export function tokensPerStep(config: MaeConfig, batchSize: number): number {
  return batchSize * groupTokenCounts(config).reduce((a, c) => a + c.N, 0);
}

/**
 * Time per step on software adapters, modelled as a fixed cost (hundreds of small dispatches and read-backs) plus
 * the estimate's FLOPs at an effective rate. Below the matmul figures of docs/webgpu.md §8 (SwiftShader 0.3–0.46,
 * llvmpipe ≈ 2.3 GFLOP/s) because a step also runs attention, norms, gathers and small kernels. Measured on the
 * studio's tiny preset (docs/readme-ui-train.md), SwiftShader in Chromium: 0.27 GFLOP/step took 1.2 s on a quiet
 * 2-core machine and 2.7–3.3 s on a loaded one, 1.73 GFLOP/step 9.4 s loaded; the constants sit between the two, so
 * the figure is an order of magnitude to plan with (the page shows the measured speed once steps run). llvmpipe
 * (Node, Dawn): 0.47 s/step at 0.28 GFLOP.
 */
const SOFTWARE_SPEED: { pattern: RegExp; name: string; overheadSeconds: number; gflops: number }[] = [
  { pattern: /swiftshader/i, name: 'SwiftShader', overheadSeconds: 1, gflops: 0.3 },
  { pattern: /llvmpipe|lavapipe/i, name: 'llvmpipe', overheadSeconds: 0.2, gflops: 1 },
];
const OTHER_SOFTWARE = { name: 'a software adapter', overheadSeconds: 1, gflops: 0.3 };

export function estimateRun(config: MaeConfig, batchSize: number, adapter: { name: string; isSoftware: boolean }): TrainEstimate {
  const e = estimateModel(config, batchSize);
  let expected: number | null = null;
  let basis = 'Hardware GPU: the time per step is measured after the first steps.';
  if (adapter.isSoftware) {
    const k = SOFTWARE_SPEED.find((x) => x.pattern.test(adapter.name)) ?? OTHER_SOFTWARE;
    expected = k.overheadSeconds + e.flops.total / (k.gflops * 1e9);
    basis = `${(e.flops.total / 1e9).toFixed(2)} GFLOP per step; ${k.name} runs about ${k.gflops} GFLOP/s plus ${k.overheadSeconds} s per step on this studio's steps.`;
  }
  return {
    params: e.params,
    flopsPerStep: e.flops.total,
    tokensPerStep: tokensPerStep(config, batchSize),
    memoryBytes: e.bytes.total,
    adapter: adapter.name,
    isSoftware: adapter.isSoftware,
    expectedSecondsPerStep: expected,
    basis,
  };
}

/** Config modality names are dataset names with anything but letters, digits and '_' replaced (datasetConfig.ts). */
const configName = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

/**
 * Throws a plain message when the dataset cannot feed the model (a checkpoint of other data, or data reloaded with
 * other settings): every model modality must be in the dataset with the same bands count, dates and sample size.
 */
export function assertDatasetFits(config: MaeConfig, modalities: readonly ModalityInfo[], what = 'The model'): void {
  const problems: string[] = [];
  for (const m of config.modalities) {
    const d = modalities.find((x) => x.name === m.name || configName(x.name) === m.name);
    if (!d) {
      problems.push(`it needs modality ${m.name}, which the loaded data does not have`);
      continue;
    }
    const want = `${m.bands.length} bands × ${m.dates} dates × ${m.imageSize} px`;
    const got = `${d.bands.length} bands × ${d.T} dates × ${d.size} px`;
    if (want !== got) problems.push(`${m.name} must be ${want}, the loaded data gives ${got}`);
  }
  if (problems.length) {
    throw new Error(`${what} does not fit the loaded data: ${problems.join('; ')}. Load the same data with the same sample settings it was trained on.`);
  }
}
