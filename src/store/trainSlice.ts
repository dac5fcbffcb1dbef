/**
 * Train and Export section state: the settings form, the run status the worker reports, scalar metrics for the
 * charts (plain number arrays), validation losses, progress (rates, ETA), autosave facts and the resume offer.
 *
 * Invariants:
 * - Small facts only. Checkpoint and weight files pass through actions as return values (for the page to download)
 *   and are never kept here; uploaded checkpoint Files go straight to the worker.
 * - Metrics belong to one run (`metrics.runId`); a status with another run id starts empty series, and a rewind
 *   (recovery from a checkpoint) drops the points after the restored step, so a chart never mixes runs.
 * - Per-step events arrive batched (≤ ~10/s) and append new arrays, so transient subscribers (the charts) can compare
 *   references; components select single fields so a step does not re-render the whole section.
 * - Every failed action leaves an inline message keyed by the action (`actionError`) and never clears loaded state.
 */
import type { StateCreator } from 'zustand';
import type {
  AutosaveInfo,
  ExportFile,
  ProgressInfo,
  StepRow,
  TrainPlan,
  TrainRequest,
  TrainSettings,
  TrainStatus,
  ValidationRow,
} from '../train/protocol/train';
import { studioClient } from './client';
import type { StudioState } from './index';

export { formatDuration } from '../lib/progress';

export type {
  AutosaveInfo,
  ExportFile,
  LrScheduleKind,
  ProgressInfo,
  StepRow,
  TrainEstimate,
  TrainFailure,
  TrainPhase,
  TrainPlan,
  TrainSettings,
  TrainStatus,
  ValidationRow,
} from '../train/protocol/train';

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  steps: 200,
  batchSize: 4,
  peakLr: 1e-3,
  schedule: 'one-cycle',
  warmupPct: 20,
  weightDecay: 0.01,
  clipNorm: 1,
  seed: 0,
  validateEvery: 25,
  validationTiles: 8,
  autosaveEvery: 20,
};

/** Debounce of re-planning while the user types in the settings form. */
export const PLAN_DEBOUNCE_MS = 250;

export type TrainAction =
  | 'start'
  | 'pause'
  | 'resume'
  | 'stop'
  | 'recover'
  | 'options'
  | 'resumeAutosave'
  | 'discardAutosave'
  | 'saveCheckpoint'
  | 'loadCheckpoint'
  | 'exportConfig'
  | 'exportWeights'
  | 'simulateDeviceLoss';

export interface TrainMetrics {
  runId: number;
  /** Per step of the run, in step order. */
  step: number[];
  loss: number[];
  gradNorm: number[];
  lr: number[];
  ms: number[];
  /** [modality][i] loss of modality m at step[i], modalities in `status.modalities` order. */
  modality: number[][];
}

export interface ValidationSeries {
  runId: number;
  step: number[];
  loss: number[];
  modality: number[][];
  tiles: number;
}

export interface TrainUiState {
  settings: TrainSettings;
  status: TrainStatus;
  plan: TrainPlan | null;
  planError: string | null;
  metrics: TrainMetrics;
  validation: ValidationSeries;
  progress: ProgressInfo | null;
  autosave: { last: AutosaveInfo | null; error: string | null };
  /** An autosaved run found at page load that this page has not resumed or discarded. */
  resumeOffer: AutosaveInfo | null;
  /** The action waiting for the worker, if any (buttons show it busy). */
  pending: TrainAction | null;
  /** The last failed action and its plain-language message (shown next to its control). */
  actionError: { action: TrainAction; message: string } | null;
  /** The last successful file action, in words ("Saved … (1.2 MB)"). */
  notice: { action: TrainAction; message: string } | null;
}

export interface TrainSlice {
  train: TrainUiState;
  setTrainSettings: (patch: Partial<TrainSettings>) => void;
  /** Subscribes to the worker's training events and looks for an autosave (once per page). */
  connectTraining: () => void;
  planTraining: () => Promise<void>;
  startTraining: () => Promise<void>;
  pauseTraining: () => Promise<void>;
  resumeTraining: () => Promise<void>;
  stopTraining: () => Promise<void>;
  /** After a NaN, a lost device or an error: continue from the run's last checkpoint with the current settings. */
  recoverTraining: () => Promise<void>;
  /** Autosave / validation cadence; applied to a running run too. */
  setTrainCadence: (patch: Partial<Pick<TrainSettings, 'autosaveEvery' | 'validateEvery'>>) => Promise<void>;
  checkAutosave: () => Promise<void>;
  resumeAutosave: () => Promise<void>;
  discardAutosave: () => Promise<void>;
  /** The current weights as a checkpoint file (null when it failed; see actionError). */
  saveCheckpoint: () => Promise<ExportFile | null>;
  /** True when the checkpoint was loaded; a wrong file leaves everything as it was. */
  loadCheckpoint: (file: File) => Promise<boolean>;
  exportTrainConfig: () => Promise<ExportFile | null>;
  exportWeights: () => Promise<ExportFile | null>;
  simulateDeviceLoss: () => Promise<void>;
}

export const IDLE_STATUS: TrainStatus = {
  phase: 'idle',
  runId: 0,
  step: 0,
  totalSteps: 0,
  settings: null,
  preset: null,
  modalities: [],
  params: null,
  tokensPerStep: null,
  failure: null,
  checkpointStep: null,
  canRecover: false,
  note: null,
  validationNote: null,
};

export function emptyMetrics(runId: number, modalities: number): TrainMetrics {
  return { runId, step: [], loss: [], gradNorm: [], lr: [], ms: [], modality: Array.from({ length: modalities }, () => []) };
}

export function emptyValidation(runId: number, modalities: number): ValidationSeries {
  return { runId, step: [], loss: [], modality: Array.from({ length: modalities }, () => []), tiles: 0 };
}

export function initialTrainState(): TrainUiState {
  return {
    settings: { ...DEFAULT_TRAIN_SETTINGS },
    status: IDLE_STATUS,
    plan: null,
    planError: null,
    metrics: emptyMetrics(0, 0),
    validation: emptyValidation(0, 0),
    progress: null,
    autosave: { last: null, error: null },
    resumeOffer: null,
    pending: null,
    actionError: null,
    notice: null,
  };
}

/** Appends step rows (ignoring any at or before the last recorded step, e.g. a duplicate batch). */
export function appendSteps(m: TrainMetrics, rows: readonly StepRow[]): TrainMetrics {
  const last = m.step.length ? m.step[m.step.length - 1] : -Infinity;
  const fresh = rows.filter((r) => r.step > last);
  if (fresh.length === 0) return m;
  const width = Math.max(m.modality.length, ...fresh.map((r) => r.modalityLoss.length));
  const modality = Array.from({ length: width }, (_, k) => [...(m.modality[k] ?? new Array<number>(m.step.length).fill(NaN)), ...fresh.map((r) => r.modalityLoss[k] ?? NaN)]);
  return {
    runId: m.runId,
    step: [...m.step, ...fresh.map((r) => r.step)],
    loss: [...m.loss, ...fresh.map((r) => r.loss)],
    gradNorm: [...m.gradNorm, ...fresh.map((r) => r.gradNorm)],
    lr: [...m.lr, ...fresh.map((r) => r.lr)],
    ms: [...m.ms, ...fresh.map((r) => r.ms)],
    modality,
  };
}

export function appendValidation(v: ValidationSeries, row: ValidationRow): ValidationSeries {
  // Recovery can evaluate a step again: the newer value replaces the older one.
  const keep = v.step.map((s) => s < row.step);
  const pick = <T>(a: T[]) => a.filter((_, i) => keep[i]);
  const width = Math.max(v.modality.length, row.modalityLoss.length);
  return {
    runId: v.runId,
    step: [...pick(v.step), row.step],
    loss: [...pick(v.loss), row.loss],
    modality: Array.from({ length: width }, (_, k) => [...pick(v.modality[k] ?? new Array<number>(v.step.length).fill(NaN)), row.modalityLoss[k] ?? NaN]),
    tiles: row.tiles,
  };
}

/** Keeps the points at or before `step` (recovery from the checkpoint of that step). */
export function truncateMetrics(m: TrainMetrics, step: number): TrainMetrics {
  const n = m.step.findIndex((s) => s > step);
  if (n < 0) return m;
  return { runId: m.runId, step: m.step.slice(0, n), loss: m.loss.slice(0, n), gradNorm: m.gradNorm.slice(0, n), lr: m.lr.slice(0, n), ms: m.ms.slice(0, n), modality: m.modality.map((a) => a.slice(0, n)) };
}

export function truncateValidation(v: ValidationSeries, step: number): ValidationSeries {
  const n = v.step.findIndex((s) => s > step);
  if (n < 0) return v;
  return { runId: v.runId, step: v.step.slice(0, n), loss: v.loss.slice(0, n), modality: v.modality.map((a) => a.slice(0, n)), tiles: v.tiles };
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

const fmtMB = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`);

/** Phases in which a run holds the worker's attention: a new start, a load or a resume-from-autosave is refused. */
export const ACTIVE_PHASES: readonly TrainStatus['phase'][] = ['starting', 'running', 'paused'];

export const createTrainSlice: StateCreator<StudioState, [], [], TrainSlice> = (set, get) => {
  const patch = (p: Partial<TrainUiState>) => set((s) => ({ train: { ...s.train, ...p } }));
  let connected = false;
  let planTimer: ReturnType<typeof setTimeout> | null = null;
  let planSeq = 0;

  const onStatus = (status: TrainStatus) =>
    set((s) => {
      const t = s.train;
      const fresh = status.runId !== t.metrics.runId;
      const active = ACTIVE_PHASES.includes(status.phase);
      return {
        train: {
          ...t,
          status,
          metrics: fresh ? emptyMetrics(status.runId, status.modalities.length) : t.metrics,
          validation: fresh ? emptyValidation(status.runId, status.modalities.length) : t.validation,
          progress: fresh ? null : t.progress,
          // A run of this page supersedes the offer to resume an older one.
          resumeOffer: active && status.runId > 0 ? null : t.resumeOffer,
        },
      };
    });

  /** Runs an action against the worker, recording it as pending and its failure inline; null when it failed. */
  async function act<T>(action: TrainAction, req: TrainRequest, transfer?: Transferable[]): Promise<{ value: T } | null> {
    ensureConnected();
    const t0 = get().train;
    patch({ pending: action, actionError: t0.actionError?.action === action ? null : t0.actionError });
    const done = (p: Partial<TrainUiState>) => patch({ pending: get().train.pending === action ? null : get().train.pending, ...p });
    try {
      const value = await studioClient().request<T>(req, transfer);
      done({});
      return { value };
    } catch (e) {
      done({ actionError: { action, message: messageOf(e) } });
      return null;
    }
  }

  function ensureConnected(): void {
    if (connected) return;
    connected = true;
    const client = studioClient();
    client.on('train.state', (e) => onStatus(e.status));
    client.on('train.steps', (e) =>
      set((s) => {
        const t = s.train;
        const base = e.runId === t.metrics.runId ? t.metrics : emptyMetrics(e.runId, e.rows[0]?.modalityLoss.length ?? 0);
        const status = t.status.runId === e.runId ? { ...t.status, step: e.progress.step } : t.status;
        return { train: { ...t, status, metrics: appendSteps(base, e.rows), progress: e.progress } };
      }),
    );
    client.on('train.validated', (e) =>
      set((s) => {
        const t = s.train;
        const base = e.runId === t.validation.runId ? t.validation : emptyValidation(e.runId, e.row.modalityLoss.length);
        return { train: { ...t, validation: appendValidation(base, e.row) } };
      }),
    );
    client.on('train.rewound', (e) =>
      set((s) => {
        const t = s.train;
        if (e.runId !== t.metrics.runId) return {};
        return { train: { ...t, metrics: truncateMetrics(t.metrics, e.step), validation: truncateValidation(t.validation, e.step), progress: null } };
      }),
    );
    client.on('train.saved', (e) => patch({ autosave: { last: e.info ?? get().train.autosave.last, error: e.error } }));
  }

  const settingsReq = () => get().train.settings;
  const cadence = () => {
    const s = settingsReq();
    return { autosaveEvery: s.autosaveEvery, validateEvery: s.validateEvery, validationTiles: s.validationTiles };
  };
  /**
   * The Model section estimates memory for a batch size: keep it equal to the training batch, so both sections talk
   * about the same run (the Train section adopts the Model's value the other way, see TrainSection).
   */
  const syncModelBatch = (batchSize: number) => {
    const s = get();
    if (Number.isInteger(batchSize) && batchSize >= 1 && s.model && s.model.batchSize !== batchSize) void s.setEstimateBatch(batchSize);
  };
  /** Adopts the settings of a run that came from a checkpoint (its schedule, steps, batch …) into the form. */
  const adopt = (status: TrainStatus | null) => {
    if (!status?.settings) return;
    patch({ settings: { ...status.settings } });
    syncModelBatch(status.settings.batchSize);
  };

  return {
    train: initialTrainState(),

    setTrainSettings: (p) => {
      patch({ settings: { ...get().train.settings, ...p } });
      if (p.batchSize !== undefined) syncModelBatch(p.batchSize);
      if (planTimer) clearTimeout(planTimer);
      planTimer = setTimeout(() => {
        planTimer = null;
        void get().planTraining();
      }, PLAN_DEBOUNCE_MS);
    },

    connectTraining: () => {
      const first = !connected;
      ensureConnected();
      if (!first) return;
      void studioClient()
        .request<TrainStatus>({ kind: 'train.status' })
        .then(onStatus, () => undefined);
      void get().checkAutosave();
    },

    planTraining: async () => {
      ensureConnected();
      const seq = ++planSeq;
      try {
        const plan = await studioClient().request<TrainPlan>({ kind: 'train.plan', settings: settingsReq() });
        if (seq === planSeq) patch({ plan, planError: null });
      } catch (e) {
        if (seq === planSeq) patch({ planError: messageOf(e) });
      }
    },

    startTraining: async () => {
      patch({ notice: null });
      await act<TrainStatus>('start', { kind: 'train.start', settings: settingsReq() });
    },

    pauseTraining: async () => {
      await act<TrainStatus>('pause', { kind: 'train.pause' });
    },

    resumeTraining: async () => {
      await act<TrainStatus>('resume', { kind: 'train.resume' });
    },

    stopTraining: async () => {
      await act<TrainStatus>('stop', { kind: 'train.stop' });
    },

    recoverTraining: async () => {
      await act<TrainStatus>('recover', { kind: 'train.recover', settings: settingsReq() });
    },

    setTrainCadence: async (p) => {
      const settings = { ...get().train.settings, ...p };
      patch({ settings });
      await act<TrainStatus>('options', { kind: 'train.options', autosaveEvery: settings.autosaveEvery, validateEvery: settings.validateEvery });
    },

    checkAutosave: async () => {
      ensureConnected();
      try {
        const info = await studioClient().request<AutosaveInfo | null>({ kind: 'train.autosave.find' });
        const t = get().train;
        // Only an autosave this page did not write itself is an offer.
        const mine = t.status.runId > 0 && t.status.phase !== 'idle';
        patch({ resumeOffer: info && !mine ? info : null, autosave: { ...t.autosave, last: t.autosave.last ?? info } });
      } catch (e) {
        patch({ autosave: { ...get().train.autosave, error: `Could not look for an autosave: ${messageOf(e)}` } });
      }
    },

    resumeAutosave: async () => {
      const r = await act<TrainStatus>('resumeAutosave', { kind: 'train.autosave.resume', ...cadence() });
      if (!r) return;
      adopt(r.value);
      patch({ resumeOffer: null });
    },

    discardAutosave: async () => {
      const r = await act<null>('discardAutosave', { kind: 'train.autosave.discard' });
      if (r) patch({ resumeOffer: null, autosave: { last: null, error: null } });
    },

    saveCheckpoint: async () => {
      const r = await act<ExportFile>('saveCheckpoint', { kind: 'train.checkpoint.save' });
      if (!r) return null;
      patch({ notice: { action: 'saveCheckpoint', message: `Saved ${r.value.name} (${fmtMB(r.value.bytes.byteLength)}).` } });
      return r.value;
    },

    loadCheckpoint: async (file) => {
      const r = await act<TrainStatus>('loadCheckpoint', { kind: 'train.checkpoint.load', file, ...cadence() });
      if (!r) return false;
      adopt(r.value);
      patch({ resumeOffer: null, notice: { action: 'loadCheckpoint', message: r.value.note ?? `Loaded ${file.name}.` } });
      return true;
    },

    exportTrainConfig: async () => {
      const r = await act<ExportFile>('exportConfig', { kind: 'train.export.config' });
      if (!r) return null;
      patch({ notice: { action: 'exportConfig', message: `Exported ${r.value.name}.` } });
      return r.value;
    },

    exportWeights: async () => {
      const r = await act<ExportFile>('exportWeights', { kind: 'train.export.weights' });
      if (!r) return null;
      patch({ notice: { action: 'exportWeights', message: `Exported ${r.value.name} (${fmtMB(r.value.bytes.byteLength)}).` } });
      return r.value;
    },

    simulateDeviceLoss: async () => {
      await act<null>('simulateDeviceLoss', { kind: 'train.simulateDeviceLoss' });
    },
  };
};

/** True when the form may start a run now (the worker has the final word). */
export function selectCanStart(s: StudioState): boolean {
  const t = s.train;
  return !ACTIVE_PHASES.includes(t.status.phase) && t.pending === null && !!t.plan && t.plan.missing.length === 0 && t.plan.problems.length === 0;
}
