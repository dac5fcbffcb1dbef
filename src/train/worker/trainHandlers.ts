/**
 * Train and Export requests, handled in the studio worker: plan, start, pause, resume, stop, recover after a NaN or a
 * lost GPU device, autosave to OPFS with a resume offer after reload, checkpoint download/upload, configuration and
 * weights export. Exports `currentTrainer` / `pauseForInspection` for the Inspect handlers.
 *
 * Invariants:
 * - State-changing requests run one at a time (a queue), so a stop never races a pause or a start.
 * - A request its checks refuse (invalid settings, missing data, a file that is not a checkpoint, another model
 *   configuration, data of another shape) changes nothing: the old run, its weights and its autosave stay. Only when
 *   building the new trainer itself fails (out of GPU memory) is the old run already gone from the GPU; its autosave
 *   stays.
 * - The loop stops or parks only at step boundaries (trainLoop.ts), and every checkpoint, download and weights
 *   export reads the weights at such a boundary, so weights, moments and the step counter agree.
 * - After a device loss the dead trainer is dropped at once (currentTrainer → null); a recovery acquires a new device
 *   and restores the run's newest checkpoint (or restarts at step 0 when none was saved yet).
 * Reference: src/cli/train.ts (the same wiring in Node), src/train/trainer.ts, src/train/checkpoint.ts.
 */
import type { Dataset } from '../../data/dataset';
import type { GpuContext } from '../../gpu/device';
import { withErrorScopes } from '../../gpu/errors';
import { readF32 } from '../../gpu/readback';
import { f32Tensor, writeSafetensors, type SafeTensor } from '../../lib/safetensors';
import type { MaeConfig } from '../../model/config';
import { buildParamLayout } from '../../model/params';
import { assertSameModel, CHECKPOINT_FORMAT, decodeCheckpointBundle, encodeCheckpointBundle, type Checkpoint, type TrainState } from '../checkpoint';
import type { ExportFile, TrainFailure, TrainPhase, TrainReplies, TrainRequest, TrainSettings, TrainStatus } from '../protocol/train';
import { NonFiniteLossError, Trainer, type StepMetrics } from '../trainer';
import type { WorkerState } from './context';
import { currentConfig, currentDataset } from './dataHandlers';
import { openAutosaveStore, type AutosaveStore } from './trainAutosave';
import { TrainLoop } from './trainLoop';
import { assertDatasetFits, assertValidSettings, cadenceProblem, estimateRun, optimizerFor, settingsFromState, settingsProblems, tokensPerStep } from './trainSettings';
import { ValidationEvaluator } from './trainValidation';

/** One training run: the model, its data, its device and its loop. */
interface Run {
  ctx: GpuContext;
  config: MaeConfig;
  settings: TrainSettings;
  dataset: Dataset;
  /** Null once the device is lost (the weights died with it). */
  trainer: Trainer | null;
  loop: TrainLoop | null;
  /** Settles when the loop's end has been handled (phase set, final autosave written). */
  ended: Promise<void> | null;
  validator: ValidationEvaluator | null;
  validationNote: string | null;
  /** Steps completed (kept when the trainer is gone). */
  step: number;
  lastLoss: number | null;
  /** The newest checkpoint of THIS run in the autosave store (recovery restarts there). */
  checkpoint: { step: number; savedAt: string } | null;
  deviceLost: boolean;
  /** Whether the loop was stepping when the device was lost (a recovery then goes on stepping; else it waits). */
  lostWhileRunning: boolean;
  offLost: () => void;
}

interface TrainRecord {
  runId: number;
  phase: TrainPhase;
  run: Run | null;
  failure: TrainFailure | null;
  note: string | null;
  store: Promise<AutosaveStore> | null;
  queue: Promise<unknown>;
  /** The device these handlers used last: a different one means the old was lost, and the page's badge must hear it. */
  lastCtx: GpuContext | null;
}

function recordOf(state: WorkerState): TrainRecord {
  state.train ??= { runId: 0, phase: 'idle', run: null, failure: null, note: null, store: null, queue: Promise.resolve(), lastCtx: null } satisfies TrainRecord;
  return state.train as TrainRecord;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

// ---------------------------------------------------------------------------------------------------------------
// For the Inspect handlers

/** The trainer whose weights are current, or null (no run yet, building one, or its device was lost). */
export function currentTrainer(state: WorkerState): Trainer | null {
  const rec = recordOf(state);
  if (rec.phase === 'starting' || rec.phase === 'lost') return null;
  return rec.run?.trainer ?? null;
}

/**
 * Parks a running training at its next step boundary (without showing a pause) and resolves with the function that
 * lets it continue. The trainer stays usable for forward passes meanwhile. A no-op release when nothing is running.
 */
export async function pauseForInspection(state: WorkerState): Promise<() => void> {
  const loop = recordOf(state).run?.loop;
  if (!loop || loop.phase !== 'running') return () => undefined;
  return loop.hold();
}

// ---------------------------------------------------------------------------------------------------------------
// Status and events

function statusOf(rec: TrainRecord): TrainStatus {
  const r = rec.run;
  return {
    phase: rec.phase,
    runId: rec.runId,
    step: r ? (r.trainer?.step ?? r.step) : 0,
    totalSteps: r?.settings.steps ?? 0,
    settings: r ? { ...r.settings } : null,
    preset: r?.config.preset ?? null,
    modalities: r?.config.modalities.map((m) => m.name) ?? [],
    params: r ? buildParamLayout(r.config).count : null,
    tokensPerStep: r ? tokensPerStep(r.config, r.settings.batchSize) : null,
    failure: rec.failure,
    checkpointStep: r?.checkpoint?.step ?? null,
    canRecover: r !== null && (rec.phase === 'failed' || rec.phase === 'lost' || rec.phase === 'error'),
    note: rec.note,
    validationNote: r?.validationNote ?? null,
  };
}

function publish(state: WorkerState, rec: TrainRecord): TrainStatus {
  const status = statusOf(rec);
  state.post({ kind: 'train.state', status });
  return status;
}

function setPhase(state: WorkerState, rec: TrainRecord, phase: TrainPhase, note: string | null, failure: TrainFailure | null = null): TrainStatus {
  rec.phase = phase;
  rec.note = note;
  rec.failure = failure;
  return publish(state, rec);
}

// ---------------------------------------------------------------------------------------------------------------
// Checkpoints

function autosaveStore(rec: TrainRecord): Promise<AutosaveStore> {
  rec.store ??= openAutosaveStore((globalThis as { navigator?: Navigator }).navigator?.storage);
  return rec.store;
}

function trainStateOf(run: Run, trainer: Trainer): TrainState {
  return {
    format: CHECKPOINT_FORMAT,
    config: run.config,
    optimizer: trainer.opts.optimizer,
    batchSize: run.settings.batchSize,
    seed: run.settings.seed,
    step: trainer.step,
    totalSteps: run.settings.steps,
    adapter: run.ctx.report.name,
    lastLoss: run.lastLoss,
    savedAt: new Date().toISOString(),
  };
}

/** The run's weights as a checkpoint bundle. Call at a step boundary (parked, held or inside afterStep). */
async function bundleOf(run: Run): Promise<{ state: TrainState; bytes: Uint8Array }> {
  const trainer = run.trainer;
  if (!trainer) throw new Error('The weights are gone with the lost GPU device; resume from the last checkpoint first.');
  const snap = await trainer.snapshot();
  const st = trainStateOf(run, trainer);
  return { state: st, bytes: encodeCheckpointBundle({ state: st, ...snap }) };
}

/** Writes an autosave (OPFS, else memory) and tells the page. Never throws: a failed save must not stop training. */
async function autosave(state: WorkerState, rec: TrainRecord, run: Run): Promise<void> {
  if (!run.trainer || run.checkpoint?.step === run.trainer.step) return;
  try {
    const { state: st, bytes } = await bundleOf(run);
    const store = await autosaveStore(rec);
    const info = await store.save(bytes, st);
    run.checkpoint = { step: st.step, savedAt: st.savedAt };
    state.post({ kind: 'train.saved', info, error: store.fallbackReason });
    if (rec.run === run) publish(state, rec);
  } catch (e) {
    if (run.deviceLost) return;
    state.post({ kind: 'train.saved', info: null, error: `The autosave at step ${run.trainer?.step ?? run.step} failed: ${messageOf(e)}` });
  }
}

/** Runs `fn` with the loop parked at a step boundary (held if it was running). */
async function atBoundary<T>(run: Run, fn: () => Promise<T>): Promise<T> {
  const release = run.loop && run.loop.phase === 'running' ? await run.loop.hold() : () => undefined;
  try {
    return await fn();
  } finally {
    release();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

/** Stops and frees the current run (weights included). The autosave store keeps its files. */
async function teardown(rec: TrainRecord): Promise<void> {
  const run = rec.run;
  if (!run) return;
  rec.run = null;
  if (run.loop && run.loop.phase !== 'ended') {
    if (run.deviceLost) run.loop.abandon();
    else await run.loop.stop();
  }
  run.offLost();
  run.validator?.destroy();
  run.trainer?.destroy();
}

function failureOf(e: unknown, step: number): TrainFailure {
  if (e instanceof NonFiniteLossError) {
    return {
      kind: 'nan',
      step: e.step,
      tensor: e.tensor,
      message: `${e.message} Lower the learning rate or turn on gradient clipping, then resume from the last checkpoint.`,
    };
  }
  return { kind: 'error', step: step + 1, tensor: null, message: `Training stopped at step ${step + 1}: ${messageOf(e)}` };
}

function onDeviceLost(state: WorkerState, rec: TrainRecord, run: Run, reason: string): void {
  if (run.deviceLost || rec.run !== run) return;
  run.deviceLost = true;
  const wasRunning = rec.phase === 'running' || rec.phase === 'starting';
  run.lostWhileRunning = wasRunning;
  run.step = run.trainer?.step ?? run.step;
  run.loop?.abandon();
  run.validator?.destroy();
  run.trainer?.destroy();
  run.validator = null;
  run.trainer = null;
  const ck = run.checkpoint ? `the checkpoint of step ${run.checkpoint.step}` : 'step 0 (no checkpoint was saved yet)';
  setPhase(state, rec, 'lost', null, {
    kind: 'device-lost',
    step: wasRunning ? run.step + 1 : null,
    tensor: null,
    message: `The GPU device was lost (${reason})${wasRunning ? ` during step ${run.step + 1}` : ''}. Training is paused; resuming acquires a new device and continues from ${ck}.`,
  });
}

/** After `trainStep` and before the loop may park: validation and autosave when due. */
async function afterStep(state: WorkerState, rec: TrainRecord, run: Run, m: StepMetrics): Promise<void> {
  run.step = m.step;
  run.lastLoss = m.loss;
  const s = run.settings;
  const last = m.step >= s.steps;
  if (s.validateEvery > 0 && (m.step % s.validateEvery === 0 || last) && !run.validationNote) await validate(state, rec, run, m.step);
  if (s.autosaveEvery > 0 && m.step % s.autosaveEvery === 0) await autosave(state, rec, run);
}

async function validate(state: WorkerState, rec: TrainRecord, run: Run, step: number): Promise<void> {
  const trainer = run.trainer;
  if (!trainer) return;
  try {
    run.validator ??= await ValidationEvaluator.create(run.ctx.device, run.config, trainer.params, run.dataset, {
      maxTiles: run.settings.validationTiles,
      trainBatch: run.settings.batchSize,
      seed: run.settings.seed,
    });
    const row = await run.validator.evaluate(step);
    state.post({ kind: 'train.validated', runId: rec.runId, row });
  } catch (e) {
    if (run.deviceLost) throw e;
    run.validator?.destroy();
    run.validator = null;
    run.validationNote = `Validation is off for this run: ${messageOf(e)}. Training goes on.`;
    publish(state, rec);
  }
}

/** Handles the end of a loop: final autosave and phase, or the failure. */
async function onLoopEnd(state: WorkerState, rec: TrainRecord, run: Run, end: Awaited<ReturnType<TrainLoop['start']>>): Promise<void> {
  if (run.deviceLost || rec.run !== run) return;
  if (end.kind === 'failed') {
    // A lost device often shows first as a failed read-back; give the loss notification a moment to arrive.
    const lost = await Promise.race([run.ctx.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 250))]);
    if (lost || run.deviceLost) {
      onDeviceLost(state, rec, run, messageOf(end.error));
      return;
    }
    const failure = failureOf(end.error, run.trainer?.step ?? run.step);
    setPhase(state, rec, failure.kind === 'nan' ? 'failed' : 'error', null, failure);
    return;
  }
  await autosave(state, rec, run);
  if (rec.run !== run || run.deviceLost) return;
  const step = run.trainer?.step ?? run.step;
  if (end.kind === 'done') setPhase(state, rec, 'done', `Training finished: ${step} steps. The weights are ready to inspect and export.`);
  else setPhase(state, rec, 'stopped', `Stopped at step ${step} of ${run.settings.steps}. The weights stay for inspection and export.`);
}

interface RunSpec {
  ctx: GpuContext;
  config: MaeConfig;
  dataset: Dataset;
  settings: TrainSettings;
  /** Weights, moments and step to start from. */
  initial: Checkpoint | null;
  /** The checkpoint is the run's own newest autosave (recovery restarts there). */
  initialIsAutosave: boolean;
  startPaused: boolean;
  /** Keep the run id (recovery of the same run) instead of starting a new chart. */
  sameRun: boolean;
  note: (step: number) => string;
}

/** Builds a trainer (and restores `initial`), replaces the current run and starts its loop. */
async function launch(state: WorkerState, rec: TrainRecord, spec: RunSpec): Promise<TrainStatus> {
  const { ctx, config, dataset, settings, initial } = spec;
  await teardown(rec);
  if (!spec.sameRun) rec.runId++;
  setPhase(state, rec, 'starting', 'Compiling the kernels and allocating GPU memory…');
  let trainer: Trainer;
  try {
    const source = { batch: (rng: Parameters<Dataset['batch']>[0], B: number) => dataset.batch(rng, B, true) };
    const opts = { config, batchSize: settings.batchSize, seed: settings.seed, optimizer: optimizerFor(settings) };
    trainer = await withErrorScopes(ctx.device, 'allocating the model and compiling its kernels', () => Trainer.create(ctx.device, opts, source, initial?.params));
    if (initial) trainer.restore({ ...initial, step: initial.state.step });
  } catch (e) {
    setPhase(state, rec, 'error', null, { kind: 'error', step: null, tensor: null, message: `The training could not start: ${messageOf(e)}` });
    throw new Error(`The training could not start: ${messageOf(e)}`, { cause: e });
  }
  const run: Run = {
    ctx,
    config,
    settings,
    dataset,
    trainer,
    loop: null,
    ended: null,
    validator: null,
    validationNote: null,
    step: trainer.step,
    lastLoss: initial?.state.lastLoss ?? null,
    checkpoint: initial && spec.initialIsAutosave ? { step: initial.state.step, savedAt: initial.state.savedAt } : null,
    deviceLost: false,
    lostWhileRunning: false,
    offLost: () => undefined,
  };
  rec.run = run;
  run.offLost = ctx.onLost((e) => onDeviceLost(state, rec, run, `${e.reason}: ${e.message}`));
  if (spec.sameRun) state.post({ kind: 'train.rewound', runId: rec.runId, step: trainer.step });
  const loop = new TrainLoop(
    trainer,
    {
      afterStep: (m) => afterStep(state, rec, run, m),
      onSteps: (rows, progress) =>
        state.post({
          kind: 'train.steps',
          runId: rec.runId,
          rows: rows.map((m) => ({ step: m.step, loss: m.loss, modalityLoss: m.modalityLoss, gradNorm: m.gradNorm, lr: m.lr, ms: m.ms })),
          progress,
        }),
    },
    { totalSteps: settings.steps, startPaused: spec.startPaused },
  );
  run.loop = loop;
  const done = trainer.step >= settings.steps;
  const status = setPhase(state, rec, done ? 'done' : spec.startPaused ? 'paused' : 'running', spec.note(trainer.step));
  run.ended = loop.start().then((end) => onLoopEnd(state, rec, run, end));
  return status;
}

/** The dataset and model configuration of the Data and Model sections, or a plain message of what is missing. */
function inputs(state: WorkerState): { dataset: Dataset; config: MaeConfig } {
  return { dataset: currentDataset(state), config: currentConfig(state) };
}

/** Acquires the device; after a loss this is a new one, and the page's GPU badge (still saying "lost") is told. */
async function deviceFor(state: WorkerState, rec: TrainRecord): Promise<GpuContext> {
  const ctx = await state.device();
  if (rec.lastCtx && rec.lastCtx !== ctx) state.post({ kind: 'gpu.status', status: { state: 'ready', report: ctx.report } });
  rec.lastCtx = ctx;
  return ctx;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

const ACTIVE: readonly TrainPhase[] = ['starting', 'running', 'paused'];

function assertNotActive(rec: TrainRecord, what: string): void {
  if (ACTIVE.includes(rec.phase)) throw new Error(`Stop the current training before ${what}.`);
}

async function plan(state: WorkerState, rec: TrainRecord, settings: TrainSettings): Promise<TrainReplies['train.plan']> {
  const missing: string[] = [];
  const problems = settingsProblems(settings);
  let config: MaeConfig | null = null;
  try {
    currentDataset(state);
  } catch (e) {
    missing.push(messageOf(e));
  }
  try {
    config = currentConfig(state);
  } catch (e) {
    if (missing.length === 0) missing.push(messageOf(e));
  }
  let ctx: GpuContext | null = null;
  try {
    ctx = await deviceFor(state, rec);
  } catch (e) {
    missing.push(`No GPU device: ${messageOf(e)}`);
  }
  const batchOk = !problems.some((p) => p.field === 'batchSize');
  const estimate = config && ctx && batchOk ? estimateRun(config, settings.batchSize, ctx.report) : null;
  return { missing, problems, estimate };
}

async function start(state: WorkerState, rec: TrainRecord, settings: TrainSettings): Promise<TrainStatus> {
  assertNotActive(rec, 'starting a new one');
  assertValidSettings(settings);
  const { dataset, config } = inputs(state);
  assertDatasetFits(config, dataset.modalities);
  const ctx = await deviceFor(state, rec);
  return launch(state, rec, { ctx, config, dataset, settings: { ...settings }, initial: null, initialIsAutosave: false, startPaused: false, sameRun: false, note: () => `Training ${settings.steps} steps.` });
}

async function pause(state: WorkerState, rec: TrainRecord): Promise<TrainStatus> {
  const run = rec.run;
  if (rec.phase !== 'running' || !run?.loop) throw new Error('Training is not running.');
  await run.loop.pause();
  if (run.loop.phase === 'ended') {
    await run.ended;
    return statusOf(rec);
  }
  if (rec.run !== run || run.deviceLost) return statusOf(rec);
  await autosave(state, rec, run);
  if (rec.run !== run || run.deviceLost) return statusOf(rec);
  return setPhase(state, rec, 'paused', `Paused after step ${run.trainer?.step ?? run.step}.`);
}

function resume(state: WorkerState, rec: TrainRecord): TrainStatus {
  const run = rec.run;
  if (rec.phase !== 'paused' || !run?.loop) throw new Error('Training is not paused.');
  run.loop.resume();
  return setPhase(state, rec, 'running', null);
}

async function stop(rec: TrainRecord): Promise<TrainStatus> {
  const run = rec.run;
  if ((rec.phase !== 'running' && rec.phase !== 'paused') || !run?.loop) throw new Error('Training is not running.');
  await run.loop.stop();
  await run.ended;
  return statusOf(rec);
}

async function recover(state: WorkerState, rec: TrainRecord, settings: TrainSettings): Promise<TrainStatus> {
  const run = rec.run;
  if (!run || (rec.phase !== 'failed' && rec.phase !== 'lost' && rec.phase !== 'error')) throw new Error('There is no failed run to resume.');
  assertValidSettings(settings);
  let initial: Checkpoint | null = null;
  let note = (s: number) => `No checkpoint of this run had been saved: restarted from step ${s}.`;
  if (run.checkpoint) {
    const store = await autosaveStore(rec);
    const bytes = await store.read();
    const ck = bytes ? decodeCheckpointBundle(bytes, 'the autosave') : null;
    if (ck && ck.state.step === run.checkpoint.step && ck.state.savedAt === run.checkpoint.savedAt) {
      initial = ck;
      note = (s) => `Resumed from the checkpoint of step ${s}.`;
    } else {
      note = (s) => `The checkpoint of this run was replaced in the browser's storage (another tab, or discarded): restarted from step ${s}.`;
    }
  }
  const ctx = await deviceFor(state, rec);
  // A run lost while paused or finished comes back paused (or done); a failed or interrupted one goes on stepping.
  const startPaused = rec.phase === 'lost' && !run.lostWhileRunning;
  return launch(state, rec, { ctx, config: run.config, dataset: run.dataset, settings: { ...settings }, initial, initialIsAutosave: initial !== null, startPaused, sameRun: true, note });
}

async function resumeAutosave(state: WorkerState, rec: TrainRecord, cadence: Pick<TrainSettings, 'validateEvery' | 'validationTiles' | 'autosaveEvery'>): Promise<TrainStatus> {
  assertNotActive(rec, 'resuming a saved run');
  const store = await autosaveStore(rec);
  const bytes = await store.read();
  if (!bytes) throw new Error('No autosaved run was found.');
  const ck = decodeCheckpointBundle(bytes, 'the autosave');
  let dataset: Dataset;
  try {
    dataset = currentDataset(state);
  } catch (e) {
    throw new Error(`Load the data the run was trained on first (${messageOf(e)}), then resume.`, { cause: e });
  }
  assertDatasetFits(ck.state.config, dataset.modalities, 'The saved run');
  const settings = settingsFromState(ck.state, cadence);
  const ctx = await deviceFor(state, rec);
  const when = new Date(ck.state.savedAt).toLocaleString('en-GB');
  return launch(state, rec, {
    ctx,
    config: ck.state.config,
    dataset,
    settings,
    initial: ck,
    initialIsAutosave: true,
    startPaused: false,
    sameRun: false,
    note: (s) => `Resumed the run saved ${when} at step ${s} of ${settings.steps}.`,
  });
}

async function loadCheckpoint(state: WorkerState, rec: TrainRecord, file: File, cadence: Pick<TrainSettings, 'validateEvery' | 'validationTiles' | 'autosaveEvery'>): Promise<TrainStatus> {
  if (rec.phase === 'running' || rec.phase === 'starting') throw new Error('Pause or stop the training before loading a checkpoint.');
  const name = file.name || 'the file';
  const ck = decodeCheckpointBundle(new Uint8Array(await file.arrayBuffer()), name);
  let config: MaeConfig;
  let dataset: Dataset;
  try {
    ({ config, dataset } = inputs(state));
  } catch (e) {
    throw new Error(`${name} is a valid checkpoint, but it needs the data and model it was trained with: ${messageOf(e)}`, { cause: e });
  }
  assertSameModel(ck, config);
  assertDatasetFits(ck.state.config, dataset.modalities, `${name}`);
  const settings = settingsFromState(ck.state, cadence);
  const ctx = await deviceFor(state, rec);
  const status = await launch(state, rec, {
    ctx,
    config: ck.state.config,
    dataset,
    settings,
    initial: ck,
    initialIsAutosave: false,
    startPaused: true,
    sameRun: false,
    note: (s) => (s >= settings.steps ? `Loaded ${name}: a finished run of ${s} steps.` : `Loaded ${name} at step ${s} of ${settings.steps}. Resume to continue training.`),
  });
  // Keep it as the autosave too, so a reload or a device loss comes back to it.
  const run = rec.run;
  if (!run) return status;
  await autosave(state, rec, run);
  return statusOf(rec);
}

async function saveCheckpoint(rec: TrainRecord): Promise<{ value: ExportFile; transfer: Transferable[] }> {
  const run = rec.run;
  if (!run?.trainer || rec.phase === 'starting') throw new Error('There are no trained weights to save yet: start a training run or load a checkpoint first.');
  const { state: st, bytes } = await atBoundary(run, () => bundleOf(run));
  const name = `eo-mae-${st.config.preset}-step${st.step}.safetensors`;
  const buf = bytes.buffer as ArrayBuffer;
  return { value: { name, mime: 'application/octet-stream', bytes: buf }, transfer: [buf] };
}

async function exportWeights(rec: TrainRecord): Promise<{ value: ExportFile; transfer: Transferable[] }> {
  const run = rec.run;
  const trainer = run?.trainer;
  if (!run || !trainer || rec.phase === 'starting') throw new Error('There are no trained weights to export yet: start a training run or load a checkpoint first.');
  const { params, step } = await atBoundary(run, async () => ({ params: await readF32(trainer.device, trainer.params.buffer), step: trainer.step }));
  const layout = buildParamLayout(run.config);
  const tensors: Record<string, SafeTensor> = {};
  for (const e of layout.entries) tensors[e.name] = f32Tensor(e.shape, params.subarray(e.offset, e.offset + e.size));
  const bytes = writeSafetensors(tensors, { format: CHECKPOINT_FORMAT, step: String(step), 'eo-mae-config': JSON.stringify(run.config) });
  const buf = bytes.buffer as ArrayBuffer;
  return { value: { name: 'model.safetensors', mime: 'application/octet-stream', bytes: buf }, transfer: [buf] };
}

function exportConfig(state: WorkerState, rec: TrainRecord): { value: ExportFile; transfer: Transferable[] } {
  const config = rec.run?.config ?? currentConfig(state);
  const buf = new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`).buffer as ArrayBuffer;
  return { value: { name: `eo-mae-config-${config.preset}.json`, mime: 'application/json', bytes: buf }, transfer: [buf] };
}

/** Serialises state-changing requests. */
function queued<T>(rec: TrainRecord, fn: () => Promise<T>): Promise<T> {
  const p = rec.queue.then(fn, fn);
  rec.queue = p.catch(() => undefined);
  return p;
}

export async function handleTrainRequest(state: WorkerState, req: TrainRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  const rec = recordOf(state);
  const cadence = (r: { autosaveEvery: number; validateEvery: number; validationTiles: number }) => ({ autosaveEvery: r.autosaveEvery, validateEvery: r.validateEvery, validationTiles: r.validationTiles });
  switch (req.kind) {
    case 'train.plan':
      return { value: await plan(state, rec, req.settings) };
    case 'train.status':
      return { value: statusOf(rec) };
    case 'train.start':
      return { value: await queued(rec, () => start(state, rec, req.settings)) };
    case 'train.pause':
      return { value: await queued(rec, () => pause(state, rec)) };
    case 'train.resume':
      return { value: await queued(rec, async () => resume(state, rec)) };
    case 'train.stop':
      return { value: await queued(rec, () => stop(rec)) };
    case 'train.recover':
      return { value: await queued(rec, () => recover(state, rec, req.settings)) };
    case 'train.options': {
      const run = rec.run;
      const bad = cadenceProblem(req);
      if (bad) throw new Error(bad);
      if (run) {
        run.settings.autosaveEvery = req.autosaveEvery;
        run.settings.validateEvery = req.validateEvery;
      }
      return { value: publish(state, rec) };
    }
    case 'train.autosave.find':
      return { value: await (await autosaveStore(rec)).latest() };
    case 'train.autosave.resume':
      return { value: await queued(rec, () => resumeAutosave(state, rec, cadence(req))) };
    case 'train.autosave.discard':
      return {
        value: await queued(rec, async () => {
          await (await autosaveStore(rec)).discard();
          if (rec.run) rec.run.checkpoint = null;
          publish(state, rec);
          state.post({ kind: 'train.saved', info: null, error: null });
          return null;
        }),
      };
    case 'train.checkpoint.save':
      return saveCheckpoint(rec);
    case 'train.checkpoint.load':
      return { value: await queued(rec, () => loadCheckpoint(state, rec, req.file, cadence(req))) };
    case 'train.export.config':
      return exportConfig(state, rec);
    case 'train.export.weights':
      return exportWeights(rec);
    case 'train.simulateDeviceLoss': {
      const ctx = rec.run?.ctx ?? (await deviceFor(state, rec));
      ctx.destroy();
      return { value: null };
    }
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}
