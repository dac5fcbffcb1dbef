/**
 * Evaluate section state: the worker's context (current weights, validation tiles, ablation factors), the label
 * summary, the probe and ablation settings, the job in progress (progress and ETA pushed by the worker) and the
 * latest results. Everything here is small: label summaries, probe reports (a K × K confusion matrix of a few
 * classes), ablation rows — no pixels, no features.
 * Label files go to the worker as File handles, like data files (never read on the page). A refused file or a failed
 * job never clears what was shown before: labels and results are only replaced by a worker reply.
 * Training: a job is not started while the training run steps (the worker refuses too); the user pauses it first.
 */
import type { StateCreator } from 'zustand';
import type { IncomingFile } from '../train/protocol/data';
import type {
  ExperimentResult,
  ExperimentRunRow,
  ExperimentSettings,
  Factor,
  LabelProblem,
  LabelSummary,
  LabelUpdate,
  ProbeContext,
  ProbeProgress,
  ProbeResult,
  ProbeRunReply,
  ProbeSettings,
} from '../train/protocol/probe';
import { studioClient } from './client';
import type { StudioState } from './index';

export type {
  ClassMetrics,
  ExperimentResult,
  ExperimentRunRow,
  ExperimentSettings,
  Factor,
  FactorChoice,
  FactorValue,
  HeadKind,
  HeadReport,
  LabelClass,
  LabelFileInfo,
  LabelProblem,
  LabelSummary,
  ProbeContext,
  ProbeProgress,
  ProbeResult,
  ProbeSettings,
  ProbeWeightsInfo,
  SplitKind,
  SummaryRow,
} from '../train/protocol/probe';
export * from './probeView';

export interface EvalJob {
  kind: 'probe' | 'experiment';
  progress: ProbeProgress | null;
  /** ms since epoch. */
  startedAt: number;
  cancelling: boolean;
}

export interface ProbeUiState {
  context: ProbeContext | null;
  contextError: string | null;
  labels: LabelSummary | null;
  /** Files of the last drop that were refused, each with the reason. */
  labelProblems: LabelProblem[];
  labelMessages: string[];
  labelsBusy: boolean;
  /** A label request that failed as a whole (worker error), in words. */
  labelsError: string | null;
  settings: ProbeSettings;
  ablation: AblationSettings;
  job: EvalJob | null;
  probe: { result: ProbeResult | null; error: string | null; cancelled: boolean };
  experiment: { result: ExperimentResult | null; liveRuns: ExperimentRunRow[]; error: string | null };
}

export interface ProbeSlice {
  evaluate: ProbeUiState;
  loadProbeContext: () => Promise<void>;
  /** Posts label files (handles) to the worker; `notes` are client-side skips. */
  addLabelFiles: (files: IncomingFile[], notes?: string[]) => Promise<void>;
  clearLabels: () => Promise<void>;
  setProbeSettings: (p: Partial<ProbeSettings>) => void;
  setAblationSettings: (p: Partial<Omit<AblationSettings, 'values'>>) => void;
  /** Adds or removes one value of a factor from the ablation. */
  toggleAblationValue: (factor: Factor, value: string, on: boolean) => void;
  runProbe: () => Promise<void>;
  runAblation: () => Promise<void>;
  cancelEvaluation: () => Promise<void>;
}

/**
 * The ablation panel's own settings; its probes use the probe panel's head, split, held-out share and tiles with
 * their own step count (`experimentRequest`).
 */
export type AblationSettings = Omit<ExperimentSettings, 'probe'> & { probeSteps: number };

export const DEFAULT_PROBE_SETTINGS: ProbeSettings = { heads: ['linear'], steps: 200, split: 'auto', testFraction: 0.3, maxTiles: 64 };
export const DEFAULT_ABLATION: AblationSettings = {
  values: { targetNorm: [], fusion: [], masking: [] },
  seeds: 1,
  pretrainSteps: 20,
  pretrainBatch: 4,
  pretrainLr: 1e-3,
  probeSteps: 100,
};

/** What `probe.experiment` is sent. */
export function experimentRequest(probe: ProbeSettings, a: AblationSettings): ExperimentSettings {
  const { probeSteps, ...rest } = a;
  return { ...rest, probe: { ...probe, steps: probeSteps } };
}

export const INITIAL_EVALUATE: ProbeUiState = {
  context: null,
  contextError: null,
  labels: null,
  labelProblems: [],
  labelMessages: [],
  labelsBusy: false,
  labelsError: null,
  settings: DEFAULT_PROBE_SETTINGS,
  ablation: DEFAULT_ABLATION,
  job: null,
  probe: { result: null, error: null, cancelled: false },
  experiment: { result: null, liveRuns: [], error: null },
};

/** Why a job cannot start now (training steps, another job runs), or null. */
export function blockedReason(s: Pick<StudioState, 'evaluate'> & { train?: { status: { phase: string } } }): string | null {
  const phase = s.train?.status.phase;
  if (phase === 'running' || phase === 'starting') return 'Training is running: pause or stop it in the Train section first (an evaluation shares the GPU with it).';
  if (s.evaluate.job) return s.evaluate.job.kind === 'probe' ? 'A probe is running.' : 'An ablation is running.';
  if (!s.evaluate.context) return 'Checking the data and the model…';
  if (s.evaluate.context.missing) return s.evaluate.context.missing;
  if (!s.evaluate.labels) return 'Add labels first.';
  return null;
}

/** The number of variant × seed runs an ablation setting asks for (the base is always run). */
export function ablationRunCount(a: Pick<ExperimentSettings, 'values' | 'seeds'>): number {
  return (1 + a.values.targetNorm.length + a.values.fusion.length + a.values.masking.length) * a.seeds;
}

let eventsBound = false;

/** Test hook: forget module-level state between unit tests. */
export function resetProbeModule(): void {
  eventsBound = false;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const createProbeSlice: StateCreator<StudioState, [], [], ProbeSlice> = (set, get) => {
  const patch = (p: Partial<ProbeUiState>) => set((s) => ({ evaluate: { ...s.evaluate, ...p } }));

  const bindEvents = () => {
    if (eventsBound) return;
    eventsBound = true;
    const client = studioClient();
    client.on('probe.progress', (e) => {
      const job = get().evaluate.job;
      if (job) patch({ job: { ...job, progress: e.progress } });
    });
    client.on('probe.runDone', (e) => {
      const ex = get().evaluate.experiment;
      patch({ experiment: { ...ex, liveRuns: [...ex.liveRuns, e.run] } });
    });
  };

  const applyLabels = (u: LabelUpdate) => {
    const ctx = get().evaluate.context;
    patch({ labels: u.labels, labelProblems: u.problems, labelMessages: u.messages, labelsError: null, context: ctx ? { ...ctx, labels: u.labels } : ctx });
  };

  const startJob = (kind: EvalJob['kind']): boolean => {
    const why = blockedReason(get() as StudioState);
    if (why) {
      if (kind === 'probe') patch({ probe: { ...get().evaluate.probe, error: why } });
      else patch({ experiment: { ...get().evaluate.experiment, error: why } });
      return false;
    }
    bindEvents();
    patch({ job: { kind, progress: null, startedAt: Date.now(), cancelling: false } });
    return true;
  };

  return {
    evaluate: INITIAL_EVALUATE,

    loadProbeContext: async () => {
      bindEvents();
      try {
        const context = await studioClient().request<ProbeContext>({ kind: 'probe.context' });
        patch({ context, contextError: null, labels: context.labels });
      } catch (e) {
        patch({ contextError: message(e) });
      }
    },

    addLabelFiles: async (files, notes = []) => {
      if (files.length === 0) {
        patch({ labelMessages: notes.length ? notes : ['No files to add.'], labelProblems: [] });
        return;
      }
      patch({ labelsBusy: true, labelsError: null });
      try {
        const u = await studioClient().request<LabelUpdate>({ kind: 'probe.labels.add', files });
        applyLabels({ ...u, messages: [...u.messages, ...notes] });
      } catch (e) {
        patch({ labelsError: message(e) });
      } finally {
        patch({ labelsBusy: false });
      }
    },

    clearLabels: async () => {
      patch({ labelsBusy: true, labelsError: null });
      try {
        applyLabels(await studioClient().request<LabelUpdate>({ kind: 'probe.labels.clear' }));
      } catch (e) {
        patch({ labelsError: message(e) });
      } finally {
        patch({ labelsBusy: false });
      }
    },

    setProbeSettings: (p) => patch({ settings: { ...get().evaluate.settings, ...p } }),

    setAblationSettings: (p) => patch({ ablation: { ...get().evaluate.ablation, ...p } }),

    toggleAblationValue: (factor, value, on) => {
      const a = get().evaluate.ablation;
      const list = a.values[factor] as string[];
      const next = on ? (list.includes(value) ? list : [...list, value]) : list.filter((v) => v !== value);
      patch({ ablation: { ...a, values: { ...a.values, [factor]: next } } });
    },

    runProbe: async () => {
      if (!startJob('probe')) return;
      patch({ probe: { ...get().evaluate.probe, error: null, cancelled: false } });
      try {
        const r = await studioClient().request<ProbeRunReply>({ kind: 'probe.run', settings: get().evaluate.settings });
        if (r.status === 'done') patch({ probe: { result: r.result, error: null, cancelled: false } });
        else patch({ probe: { ...get().evaluate.probe, cancelled: true } });
      } catch (e) {
        patch({ probe: { ...get().evaluate.probe, error: message(e) } });
      } finally {
        patch({ job: null });
      }
    },

    runAblation: async () => {
      if (!startJob('experiment')) return;
      patch({ experiment: { ...get().evaluate.experiment, liveRuns: [], error: null } });
      try {
        const { settings, ablation } = get().evaluate;
        const result = await studioClient().request<ExperimentResult>({ kind: 'probe.experiment', settings: experimentRequest(settings, ablation) });
        patch({ experiment: { result, liveRuns: result.runs, error: null } });
      } catch (e) {
        patch({ experiment: { ...get().evaluate.experiment, error: message(e) } });
      } finally {
        patch({ job: null });
      }
    },

    cancelEvaluation: async () => {
      const job = get().evaluate.job;
      if (!job || job.cancelling) return;
      patch({ job: { ...job, cancelling: true } });
      try {
        await studioClient().request<boolean>({ kind: 'probe.cancel' });
      } catch (e) {
        patch({ probe: { ...get().evaluate.probe, error: message(e) } });
      }
    },
  };
};
