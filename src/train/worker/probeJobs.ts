/**
 * The two long Evaluate jobs, run in the worker on the loaded data:
 * - probe: the frozen encoder of the CURRENT weights (the training run's, read once at a step boundary; else the
 *   seeded initial weights of the Model section's configuration) embeds the validation tiles, and linear and/or
 *   attentive probes are trained and scored on a held-out split (src/probe/run.ts).
 * - ablation: one fresh model per variant × seed (src/probe/experiment.ts runVariants), pre-trained on the loaded
 *   dataset with the same seeds and step budget, then probed like above. The user's trainer, its weights and its
 *   autosave are never touched: every variant has its own Trainer, destroyed after its run.
 * Both refuse to start while training runs (they would share the GPU), post progress with an ETA (probeProgress.ts)
 * and stop at the next step when their AbortSignal fires.
 * Invariants: replies are small plain data; a failure or a cancellation leaves the data, the model and the labels as
 * they were; GPU resources of a job are released whatever happens (the library's try/finally blocks).
 */
import type { Dataset } from '../../data/dataset';
import type { Sample } from '../../data/sample';
import type { MaeConfig } from '../../model/config';
import { assertMatchesConfig } from '../../probe/data';
import { runVariants, summarize, type RunResult, type Variant } from '../../probe/experiment';
import { DEFAULT_FIT } from '../../probe/fit';
import { buildTask, runProbes, type ProbeLabels, type SampleOrigins } from '../../probe/run';
import { embedSamples } from '../../probe/tokens';
import type { ExperimentResult, ExperimentRunRow, ExperimentSettings, ProbeProgress, ProbeResult, ProbeSettings, ProbeWeightsInfo } from '../protocol/probe';
import type { TrainStatus } from '../protocol/train';
import type { WorkerState } from './context';
import { currentConfig, currentDataset } from './dataHandlers';
import { currentWeightsConfig as currentEncoderWeightsConfig, INIT_SEED, readCurrentWeights } from './encoderSource';
import { sampleOrigins, tileIds } from './probeLabels';
import { PhasedEta, type PhasePlan, type UnitKind } from './probeProgress';
import { experimentSettingsProblems, probeSettingsProblems, spreadIndices, studioVariants, variantOf } from './probeSettings';
import { handleTrainRequest } from './trainHandlers';

/** Samples per encoder forward while embedding. */
const EMBED_BATCH = 8;
/** Progress events per second at most (plus every phase change and the end). */
const PROGRESS_HZ = 8;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------------------------
// Preconditions and inputs

/** Refuses while a training run steps: both would share the (software) GPU and crawl. */
export async function assertTrainingIdle(state: WorkerState): Promise<void> {
  const status = (await handleTrainRequest(state, { kind: 'train.status' })).value as TrainStatus;
  if (status.phase === 'running' || status.phase === 'starting') {
    throw new Error('Training is running. Pause or stop it in the Train section first: an evaluation would share the GPU with it. Your training run and its weights are not touched either way.');
  }
}

export function weightsInfo(step: number | null): ProbeWeightsInfo {
  if (step === null) return { source: 'initial', step: 0, note: `Random initial weights (seed ${INIT_SEED}): nothing is learned yet, so the probe measures what an untrained encoder already separates.` };
  return { source: 'trained', step, note: step === 0 ? 'Initial weights of the training run (no step taken yet).' : `The training run's weights after ${plural(step, 'step')}.` };
}

/** The configuration the current weights belong to, without reading them (the rule of encoderSource.ts). */
export function currentWeightsConfig(state: WorkerState): { config: MaeConfig; info: ProbeWeightsInfo } {
  const { config, info } = currentEncoderWeightsConfig(state);
  return { config, info: weightsInfo(info.source === 'initial' ? null : info.step) };
}

/** The current weights as a CPU copy (encoderSource.ts: a running loop is parked, so the array is one consistent step). */
async function readWeights(state: WorkerState): Promise<{ config: MaeConfig; params: Float32Array; info: ProbeWeightsInfo }> {
  const { config, params, info } = await readCurrentWeights(state);
  return { config, params, info: weightsInfo(info.source === 'initial' ? null : info.step) };
}

/** The data must give the samples the model was built for; says what to do when it does not. */
function assertFits(dataset: Dataset, config: MaeConfig, whose: string): void {
  try {
    assertMatchesConfig(dataset, config);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}. ${whose}`, { cause: e });
  }
}

interface EvalInputs {
  samples: Sample[];
  origins: SampleOrigins;
  total: number;
}

const sampleCache = new WeakMap<Dataset, { key: string; samples: Sample[] }>();

/** Validation tiles (at most `maxTiles`, spread over all) with their origins; cached per dataset. */
async function evaluationInputs(dataset: Dataset, maxTiles: number, onRead: (done: number) => void, signal: AbortSignal): Promise<EvalInputs> {
  const total = dataset.tileCount;
  if (total === 0) throw new Error('The loaded data has no validation tile (the images are smaller than one sample). Load larger images, or make samples smaller in the Model section.');
  const indices = spreadIndices(total, maxTiles);
  const key = indices.join(',');
  let hit = sampleCache.get(dataset);
  if (!hit || hit.key !== key) {
    const samples: Sample[] = [];
    for (const i of indices) {
      signal.throwIfAborted();
      samples.push(await dataset.tile(i));
      onRead(samples.length);
    }
    hit = { key, samples };
    sampleCache.set(dataset, hit);
  } else onRead(indices.length);
  const ids = tileIds(dataset);
  return { samples: hit.samples, origins: sampleOrigins(dataset.catalog, indices.map((i) => ids[i])), total };
}

/** Library messages name CLI flags; the studio names its own controls instead. */
export function studioMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m
    .replace(/ \(with dated labels, embed every acquisition: --all-dates\)/, ' (only the dates the model sees per tile are labelled; raise the dates per sample in the Model section, or add label rasters of other days)')
    .replace(/use another --split, or smaller samples for more tiles/, 'choose another split, or load more or larger images for more tiles');
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

class JobProgress {
  private last = 0;
  private phase = '';
  private run: ProbeProgress['run'] = null;

  constructor(
    private readonly state: WorkerState,
    private readonly job: ProbeProgress['job'],
    readonly eta: PhasedEta,
  ) {}

  /** A new phase: posted at once. */
  begin(phase: string, run: ProbeProgress['run'] = this.run): void {
    this.phase = phase;
    this.run = run;
    this.post(true);
  }

  tick(kind: UnitKind, n = 1, phase?: string): void {
    this.eta.tick(kind, n);
    if (phase) this.phase = phase;
    this.post(false);
  }

  private post(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.last < 1000 / PROGRESS_HZ) return;
    this.last = now;
    const total = 1000;
    this.state.post({ kind: 'probe.progress', progress: { job: this.job, phase: this.phase, done: Math.round(this.eta.fraction() * total), total, etaSeconds: this.eta.etaSeconds(), run: this.run } });
  }

  end(): void {
    this.state.post({ kind: 'probe.progress', progress: null });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Probe

export async function probeJob(state: WorkerState, labels: ProbeLabels, settings: ProbeSettings, signal: AbortSignal): Promise<ProbeResult> {
  const problems = probeSettingsProblems(settings);
  if (problems.length) throw new Error(problems.join(' '));
  const t0 = performance.now();
  const dataset = currentDataset(state);
  await assertTrainingIdle(state);
  const { config } = currentWeightsConfig(state);
  assertFits(dataset, config, 'The probe uses the current model; rebuild it in the Model section (or load the data it was trained on).');
  const nTiles = Math.min(settings.maxTiles, dataset.tileCount);
  const plan: PhasePlan[] = [
    { kind: 'read', units: nTiles },
    { kind: 'embed', units: nTiles },
    { kind: 'probe', units: settings.steps * settings.heads.length },
  ];
  const progress = new JobProgress(state, 'probe', new PhasedEta(plan));
  try {
    progress.begin(`Reading ${plural(nTiles, 'validation tile')}`);
    let read = 0;
    const inputs = await evaluationInputs(dataset, settings.maxTiles, (done) => progress.tick('read', done - read, `Reading validation tiles: ${(read = done)} of ${nTiles}`), signal);
    const ctx = await state.device();
    const weights = await readWeights(state);
    signal.throwIfAborted();
    progress.eta.mark();
    progress.begin(`Embedding ${plural(inputs.samples.length, 'tile')} with the frozen encoder`);
    const t1 = performance.now();
    let embedded = 0;
    const emb = await embedSamples(ctx.device, weights.config, weights.params, inputs.samples, {
      batch: EMBED_BATCH,
      onProgress: (done, total) => {
        signal.throwIfAborted();
        progress.tick('embed', done - embedded, `Embedding tiles: ${(embedded = done)} of ${total}`);
      },
    });
    const embedMs = performance.now() - t1;
    signal.throwIfAborted();
    const { task, notes } = await buildTask(emb, labels, inputs.origins, dataset.cache);
    const t2 = performance.now();
    let head = '';
    const report = await runProbes(ctx.device, emb, task, {
      heads: settings.heads,
      fit: { ...DEFAULT_FIT, steps: settings.steps, seed: 0, signal, onStep: (s, steps) => progress.tick('probe', 1, `Training the ${head} probe: step ${s} of ${steps}`) },
      split: settings.split,
      testFraction: settings.testFraction,
      splitSeed: 0,
      onHead: (h) => {
        head = h;
        progress.eta.mark();
        progress.begin(`Training the ${h} probe`);
      },
    });
    const probeMs = performance.now() - t2;
    return { report, notes, weights: weights.info, tiles: inputs.samples.length, tilesTotal: inputs.total, ms: { embedMs, probeMs, totalMs: performance.now() - t0 } };
  } finally {
    progress.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ablation

function runRow(r: RunResult): ExperimentRunRow {
  const probeMs = r.report.heads.reduce((a, h) => a + h.trainMs + h.evalMs, 0);
  return {
    variant: r.variant,
    seed: r.seed,
    scores: r.report.heads.map((h) => ({ head: h.head, scoreName: h.scoreName, score: h.score, accuracy: h.single ? h.single.accuracy : null })),
    pretrainLoss: { first: r.pretrain.firstLoss, last: r.pretrain.lastLoss },
    ms: r.pretrain.ms + r.embedMs + probeMs,
    phaseMs: { pretrain: r.pretrain.ms, embed: r.embedMs, probe: probeMs },
  };
}

export async function experimentJob(state: WorkerState, labels: ProbeLabels, settings: ExperimentSettings, signal: AbortSignal): Promise<ExperimentResult> {
  const problems = experimentSettingsProblems(settings);
  if (problems.length) throw new Error(problems.join(' '));
  const t0 = performance.now();
  const dataset = currentDataset(state);
  await assertTrainingIdle(state);
  // The Model section's configuration is the base: the variants are new models, whatever the training run is.
  const base = currentConfig(state);
  assertFits(dataset, base, 'The ablation starts from the Model section’s configuration; fix it there.');
  const variants = studioVariants(base, settings.values);
  const configs = new Map<string, MaeConfig>();
  for (const v of variants) {
    const r = variantOf(base, v);
    if ('problem' in r) throw new Error(`The variant ${v.name} cannot be built for this model: ${r.problem}.`);
    configs.set(v.name, r.config);
  }
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i);
  const runs = variants.length * seeds.length;
  const nTiles = Math.min(settings.probe.maxTiles, dataset.tileCount);
  const heads = settings.probe.heads.length;
  const plan: PhasePlan[] = [
    { kind: 'read', units: nTiles },
    { kind: 'pretrain', units: runs * settings.pretrainSteps },
    { kind: 'embed', units: runs * nTiles },
    { kind: 'probe', units: runs * settings.probe.steps * heads },
  ];
  const progress = new JobProgress(state, 'experiment', new PhasedEta(plan));
  const finished: RunResult[] = [];
  let cancelled = false;
  try {
    let current: { v: Variant; seed: number; index: number } | null = null;
    let embedded = 0;
    let head = '';
    const label = () => (current ? `${current.v.name}, seed ${current.seed}` : '');
    try {
      progress.begin(`Reading ${plural(nTiles, 'validation tile')}`);
      let read = 0;
      const inputs = await evaluationInputs(dataset, settings.probe.maxTiles, (done) => progress.tick('read', done - read, `Reading validation tiles: ${(read = done)} of ${nTiles}`), signal);
      const ctx = await state.device();
      await runVariants(
        ctx.device,
        {
          variants,
          seeds,
          pretrain: { steps: settings.pretrainSteps, batch: settings.pretrainBatch, lr: settings.pretrainLr },
          probe: { heads: settings.probe.heads, steps: settings.probe.steps, batch: DEFAULT_FIT.batch, lr: DEFAULT_FIT.lr, split: settings.probe.split, testFraction: settings.probe.testFraction },
          configFor: (v) => configs.get(v.name)!,
        },
        { train: dataset, samples: inputs.samples, origins: inputs.origins, labels, cache: dataset.cache },
        {
          signal,
          onRunStart: (v, seed, index, total) => {
            current = { v, seed, index };
            embedded = 0;
            progress.eta.mark();
            progress.begin(`Building model ${index + 1} of ${total} (${label()})`, { index, total, variant: v.name, seed });
          },
          onPretrainStep: (step) => {
            progress.tick('pretrain', 1, `Pre-training ${label()}: step ${step} of ${settings.pretrainSteps}`);
          },
          onEmbed: (done, total) => {
            if (embedded === 0) progress.eta.mark();
            progress.tick('embed', done - embedded, `Embedding tiles for ${label()}: ${(embedded = done)} of ${total}`);
          },
          onProbeHead: (h) => {
            head = h;
            progress.eta.mark();
          },
          onProbeStep: (s, steps) => {
            progress.tick('probe', 1, `Probing ${label()} (${head}): step ${s} of ${steps}`);
          },
          onRunEnd: (r) => {
            finished.push(r);
            state.post({ kind: 'probe.runDone', run: runRow(r) });
          },
        },
      );
    } catch (e) {
      // Cancelled: the run in progress was dropped, the finished ones are reported.
      if (!signal.aborted) throw e;
      cancelled = true;
    }
    const summary = summarize(
      finished,
      variants.map((v) => v.name),
    );
    return {
      variants: variants.map((v) => ({ name: v.name, targetNorm: v.targetNorm, fusion: v.fusion, masking: v.masking })),
      seeds,
      runs: finished.map(runRow),
      summary,
      chance: finished[0]?.report.chance ?? null,
      cancelled,
      ms: performance.now() - t0,
      pretrainSteps: settings.pretrainSteps,
      probeSteps: settings.probe.steps,
    };
  } finally {
    progress.end();
  }
}
