/**
 * Training and export requests and events between the page and the studio worker (handled in
 * train/worker/trainHandlers.ts; the store side is store/trainSlice.ts).
 *
 * Invariants: everything here is small, plain JSON (settings, statuses, scalar metrics); the only large payloads are
 * checkpoint and weight files, which travel as transferred ArrayBuffers in replies (never in events, never in the
 * store) and a File handle in `train.checkpoint.load`. Metrics are batched by the worker (at most ~10 events/s).
 * Reference: src/train/trainer.ts (StepMetrics, NonFiniteLossError), src/train/checkpoint.ts (bundle format).
 */

export type LrScheduleKind = 'one-cycle' | 'constant';

/** What the user sets before a run. All numbers; the worker validates them (`train.plan` lists the problems). */
export interface TrainSettings {
  /** Optimizer steps of the run (also the length of the one-cycle schedule). */
  steps: number;
  batchSize: number;
  /** Peak learning rate (one-cycle) or the constant rate. */
  peakLr: number;
  schedule: LrScheduleKind;
  /** Warm-up share of the one-cycle schedule, in percent of the steps (PyTorch OneCycleLR pct_start × 100). */
  warmupPct: number;
  weightDecay: number;
  /** Global gradient-norm clipping threshold, or null for none. */
  clipNorm: number | null;
  seed: number;
  /** Validation loss every N steps (0 = never). */
  validateEvery: number;
  /** At most this many validation tiles per evaluation. */
  validationTiles: number;
  /** Autosave (OPFS) every N steps (0 = only when the run pauses, stops or ends). */
  autosaveEvery: number;
}

export type TrainPhase =
  /** No trainer in the worker. */
  | 'idle'
  /** Building the trainer: compiling kernels, allocating GPU memory, restoring a checkpoint. */
  | 'starting'
  | 'running'
  | 'paused'
  /** Stopped by the user before the last step; the weights stay for inspection and export. */
  | 'stopped'
  /** Reached the last step. */
  | 'done'
  /** Stopped by a non-finite loss (the weights of the previous step are kept). */
  | 'failed'
  /** The GPU device was lost; a resume acquires a new one. */
  | 'lost'
  /** Any other error (data read, out of memory …). */
  | 'error';

export interface TrainFailure {
  kind: 'nan' | 'device-lost' | 'error';
  /** Plain-language message, shown inline. */
  message: string;
  /** 1-based step that failed (NaN) or was running (device loss). */
  step: number | null;
  /** The first non-finite tensor (NaN only). */
  tensor: string | null;
}

export interface TrainStatus {
  phase: TrainPhase;
  /** Increments with every new run (start, checkpoint load, autosave resume); the page clears its charts on a change. */
  runId: number;
  /** Optimizer steps completed. */
  step: number;
  totalSteps: number;
  /** The settings the run uses (from the checkpoint when it was loaded or resumed). */
  settings: TrainSettings | null;
  /** Model facts for labels: preset, modality names in config order (the order of `modalityLoss`). */
  preset: string | null;
  modalities: string[];
  params: number | null;
  tokensPerStep: number | null;
  failure: TrainFailure | null;
  /** Step of the newest checkpoint of this run a recovery restarts from; null when none was saved yet (step 0). */
  checkpointStep: number | null;
  /** A failed run exists that `train.recover` can bring back (false when the trainer could not even be built). */
  canRecover: boolean;
  /** One line about what just happened ("Resumed from the autosave at step 40"), or null. */
  note: string | null;
  /** Validation is off for this run, and why (no tiles, out of memory …); null when it works or is disabled. */
  validationNote: string | null;
}

export interface StepRow {
  step: number;
  loss: number;
  /** Per modality, in `TrainStatus.modalities` order. */
  modalityLoss: number[];
  gradNorm: number;
  lr: number;
  /** Milliseconds of the training step itself (data, forward, backward, update). */
  ms: number;
}

export interface ProgressInfo {
  step: number;
  totalSteps: number;
  /** Wall-clock optimizer steps per second (EMA; includes validation and autosave time), null before two steps. */
  stepsPerSecond: number | null;
  /** Tokens per second through the model during training steps (encoder-visible + decoder-reconstructed). */
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export interface ValidationRow {
  step: number;
  loss: number;
  modalityLoss: number[];
  tiles: number;
  ms: number;
}

export interface AutosaveInfo {
  step: number;
  totalSteps: number;
  /** ISO time of the save. */
  savedAt: string;
  bytes: number;
  /** 'opfs': survives a reload; 'memory': this tab only (the origin-private file system was unavailable). */
  where: 'opfs' | 'memory';
  preset: string;
  modalities: string[];
  lastLoss: number | null;
}

export interface TrainEstimate {
  params: number;
  flopsPerStep: number;
  tokensPerStep: number;
  /** Analytic minimum of GPU memory for training (parameters, gradients, AdamW moments, activations). */
  memoryBytes: number;
  adapter: string;
  isSoftware: boolean;
  /** Expected seconds per step before any step ran; null on hardware adapters (measured after the first steps). */
  expectedSecondsPerStep: number | null;
  /** How the expectation was obtained, in words. */
  basis: string;
}

export interface TrainPlan {
  /** What prevents a start, in plain language (no data, no model, no GPU). Empty when ready. */
  missing: string[];
  /** Invalid settings, by field. */
  problems: { field: keyof TrainSettings; message: string }[];
  estimate: TrainEstimate | null;
}

/** A downloadable file produced in the worker; `bytes` is transferred. */
export interface ExportFile {
  name: string;
  mime: string;
  bytes: ArrayBuffer;
}

export type TrainRequest =
  | { kind: 'train.plan'; settings: TrainSettings }
  | { kind: 'train.start'; settings: TrainSettings }
  | { kind: 'train.pause' }
  | { kind: 'train.resume' }
  | { kind: 'train.stop' }
  /** After a failure (NaN, device loss, error): rebuild from the run's newest checkpoint (or step 0) with `settings`. */
  | { kind: 'train.recover'; settings: TrainSettings }
  /** Settings that may change while a run is going (autosave and validation cadence). */
  | { kind: 'train.options'; autosaveEvery: number; validateEvery: number }
  | { kind: 'train.status' }
  | { kind: 'train.autosave.find' }
  | { kind: 'train.autosave.resume'; autosaveEvery: number; validateEvery: number; validationTiles: number }
  | { kind: 'train.autosave.discard' }
  | { kind: 'train.checkpoint.save' }
  | { kind: 'train.checkpoint.load'; file: File; autosaveEvery: number; validateEvery: number; validationTiles: number }
  | { kind: 'train.export.config' }
  | { kind: 'train.export.weights' }
  /** Destroys the device as a driver crash would (robustness tests and diagnostics). */
  | { kind: 'train.simulateDeviceLoss' };

/** Reply types per request kind. */
export interface TrainReplies {
  'train.plan': TrainPlan;
  'train.start': TrainStatus;
  'train.pause': TrainStatus;
  'train.resume': TrainStatus;
  'train.stop': TrainStatus;
  'train.recover': TrainStatus;
  'train.options': TrainStatus;
  'train.status': TrainStatus;
  'train.autosave.find': AutosaveInfo | null;
  'train.autosave.resume': TrainStatus;
  'train.autosave.discard': null;
  'train.checkpoint.save': ExportFile;
  'train.checkpoint.load': TrainStatus;
  'train.export.config': ExportFile;
  'train.export.weights': ExportFile;
  'train.simulateDeviceLoss': null;
}

export type TrainEvent =
  | { kind: 'train.state'; status: TrainStatus }
  | { kind: 'train.steps'; runId: number; rows: StepRow[]; progress: ProgressInfo }
  | { kind: 'train.validated'; runId: number; row: ValidationRow }
  /** The run went back to an earlier step (recovery from a checkpoint): drop metrics after `step`. */
  | { kind: 'train.rewound'; runId: number; step: number }
  | { kind: 'train.saved'; info: AutosaveInfo | null; error: string | null };
