/**
 * Inspect section state: the chosen sample, masking ratio, strategy and mask draw, the facts of the latest
 * reconstruction (labels, colour scales, masked counts, loss) and the ratio sweep (progress and points).
 *
 * Big arrays never enter the state: the RGBA tiles and hover values of the latest run live in a module-level Map
 * (`inspectPixels(key)`, and `inspectOverlayPixels()` for the ground overlay), replaced as a whole when a run completes; `result.runId` changes at the same moment so
 * components re-read it.
 * Runs are coalesced: the slider is debounced (DEBOUNCE_MS), at most one `inspect.run` is in flight, and a change that
 * arrives meanwhile triggers exactly one more run with the newest settings when the current one returns.
 */
import type { StateCreator } from 'zustand';
import type {
  InspectOverlayPixels,
  InspectRowMeta,
  InspectRowPixels,
  InspectRunMeta,
  InspectRunReply,
  InspectSampleChoice,
  InspectSampleList,
  InspectStrategy,
  InspectWeightsInfo,
  SweepPoint,
  SweepResult,
} from '../train/protocol/inspect';
import { studioClient } from './client';
import type { StudioState } from './index';

export type { ColorScale, InspectModalityMeta, InspectOverlayMeta, InspectOverlayPixels, InspectRowMeta, InspectRowPixels, InspectRunMeta, InspectSampleChoice, InspectStrategy, InspectWeightsInfo, SweepPoint } from '../train/protocol/inspect';

/** Debounce of the ratio slider: long enough to skip intermediate positions of a drag, short enough to feel live. */
export const DEBOUNCE_MS = 150;
export const RATIO_MIN = 0.05;
export const RATIO_MAX = 0.95;

/** Ratio lists offered for the sweep (about 10 points by default, from 0.1 to 0.95). */
export const SWEEP_RATIOS: Record<number, number[]> = {
  4: [0.25, 0.5, 0.75, 0.9],
  10: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
  18: Array.from({ length: 18 }, (_, i) => Math.round((0.1 + 0.05 * i) * 100) / 100),
};

export interface SweepSettings {
  /** A key of SWEEP_RATIOS. */
  points: number;
  tiles: number;
  draws: number;
}

export interface SweepState {
  running: boolean;
  done: number;
  total: number;
  /** ms since epoch when the sweep started; ETA = elapsed / done · (total − done). */
  startedAt: number | null;
  etaSeconds: number | null;
  points: SweepPoint[];
  weights: InspectWeightsInfo | null;
  cancelled: boolean;
  error: string | null;
  ms: number | null;
}

export interface InspectState {
  samples: InspectSampleList | null;
  samplesError: string | null;
  sample: InspectSampleChoice;
  ratio: number;
  /** The user moved the slider: the model's default ratio no longer replaces it. */
  ratioTouched: boolean;
  strategy: InspectStrategy;
  strategyTouched: boolean;
  maskSeed: number;
  running: boolean;
  error: string | null;
  result: InspectRunMeta | null;
  sweep: SweepState;
  sweepSettings: SweepSettings;
}

export interface InspectSlice {
  inspect: InspectState;
  /** Lists the samples and the current weights, then runs the inspection. */
  loadInspectSamples: () => Promise<void>;
  selectInspectSample: (choice: InspectSampleChoice) => void;
  inspectRandomSample: () => void;
  /** Moves the ratio at once and re-runs after the debounce. */
  setInspectRatio: (ratio: number) => void;
  setInspectStrategy: (strategy: InspectStrategy) => void;
  /** A new mask draw at the same ratio. */
  redrawInspectMask: () => void;
  /** Runs now (or once more after the run in flight). Resolves when no run is in flight any more. */
  runInspection: () => Promise<void>;
  startRatioSweep: () => Promise<void>;
  cancelRatioSweep: () => Promise<void>;
  setSweepSettings: (s: Partial<SweepSettings>) => void;
}

const INITIAL_SWEEP: SweepState = { running: false, done: 0, total: 0, startedAt: null, etaSeconds: null, points: [], weights: null, cancelled: false, error: null, ms: null };

export const INITIAL_INSPECT: InspectState = {
  samples: null,
  samplesError: null,
  sample: { kind: 'tile', index: 0 },
  ratio: 0.75,
  ratioTouched: false,
  strategy: 'random',
  strategyTouched: false,
  maskSeed: 1,
  running: false,
  error: null,
  result: null,
  sweep: INITIAL_SWEEP,
  sweepSettings: { points: 10, tiles: 3, draws: 2 },
};

// ---------------------------------------------------------------------------------------------------------------
// Outside the state: big arrays and scheduling

const pixels = new Map<string, InspectRowPixels>();
let overlayPixels: InspectOverlayPixels | null = null;

/** RGBA tiles and hover values of a row of the latest run (by InspectRowMeta.key). */
export function inspectPixels(key: string): InspectRowPixels | undefined {
  return pixels.get(key);
}

/** The ground overlay maps of the latest run (null when it was not drawn). */
export function inspectOverlayPixels(): InspectOverlayPixels | null {
  return overlayPixels;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let inFlight: Promise<void> | null = null;
let again = false;
let sweepListening = false;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Clamps to the slider range and to its 0.01 resolution. */
export function clampRatio(r: number): number {
  return Math.round(Math.min(RATIO_MAX, Math.max(RATIO_MIN, r)) * 100) / 100;
}

/** Masked patches of a row summed over its dates (what the grid shows). */
export const rowMaskedCount = (row: InspectRowMeta): number => row.maskedPerDate.reduce((a, b) => a + b, 0);

export const createInspectSlice: StateCreator<StudioState, [], [], InspectSlice> = (set, get) => {
  const patch = (p: Partial<InspectState>) => set((s) => ({ inspect: { ...s.inspect, ...p } }));
  const patchSweep = (p: Partial<SweepState>) => set((s) => ({ inspect: { ...s.inspect, sweep: { ...s.inspect.sweep, ...p } } }));

  const runLoop = async () => {
    patch({ running: true });
    try {
      do {
        again = false;
        const { sample, ratio, strategy, maskSeed } = get().inspect;
        try {
          const reply = await studioClient().request<InspectRunReply>({ kind: 'inspect.run', params: { sample, ratio, strategy, maskSeed } });
          pixels.clear();
          for (const p of reply.pixels) pixels.set(p.key, p);
          overlayPixels = reply.overlay;
          patch({ result: reply.meta, error: null });
        } catch (e) {
          patch({ error: message(e) });
        }
      } while (again);
    } finally {
      inFlight = null;
      patch({ running: false });
    }
  };

  const runNow = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = runLoop();
    return inFlight;
  };

  const runSoon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void runNow();
    }, DEBOUNCE_MS);
  };

  return {
    inspect: INITIAL_INSPECT,

    loadInspectSamples: async () => {
      try {
        const list = await studioClient().request<InspectSampleList>({ kind: 'inspect.samples' });
        const s = get().inspect;
        const sample: InspectSampleChoice =
          s.sample.kind === 'tile' && s.sample.index >= list.tiles.length ? (list.tiles.length > 0 ? { kind: 'tile', index: 0 } : { kind: 'random', seed: 1 }) : s.sample;
        patch({
          samples: list,
          samplesError: null,
          sample,
          ratio: s.ratioTouched ? s.ratio : clampRatio(list.defaults.ratio),
          strategy: s.strategyTouched ? s.strategy : list.defaults.strategy,
          sweepSettings: { ...s.sweepSettings, tiles: Math.max(1, Math.min(s.sweepSettings.tiles, list.tiles.length || 1)) },
        });
      } catch (e) {
        patch({ samplesError: message(e) });
        return;
      }
      await runNow();
    },

    selectInspectSample: (choice) => {
      patch({ sample: choice });
      void runNow();
    },

    inspectRandomSample: () => {
      const prev = get().inspect.sample;
      patch({ sample: { kind: 'random', seed: prev.kind === 'random' ? prev.seed + 1 : 1 } });
      void runNow();
    },

    setInspectRatio: (ratio) => {
      patch({ ratio: clampRatio(ratio), ratioTouched: true });
      runSoon();
    },

    setInspectStrategy: (strategy) => {
      patch({ strategy, strategyTouched: true });
      void runNow();
    },

    redrawInspectMask: () => {
      patch({ maskSeed: get().inspect.maskSeed + 1 });
      void runNow();
    },

    runInspection: () => runNow(),

    startRatioSweep: async () => {
      if (get().inspect.sweep.running) return;
      const client = studioClient();
      if (!sweepListening) {
        sweepListening = true;
        client.on('inspect.sweepProgress', (e) => {
          const started = get().inspect.sweep.startedAt;
          const elapsed = started === null ? 0 : (Date.now() - started) / 1000;
          patchSweep({ done: e.done, total: e.total, points: e.points, etaSeconds: e.done > 0 ? (elapsed / e.done) * (e.total - e.done) : null });
        });
      }
      const { sweepSettings: cfg, strategy } = get().inspect;
      patchSweep({ ...INITIAL_SWEEP, running: true, startedAt: Date.now() });
      try {
        const r = await client.request<SweepResult>({ kind: 'inspect.sweep', params: { ratios: SWEEP_RATIOS[cfg.points] ?? SWEEP_RATIOS[10], tiles: cfg.tiles, draws: cfg.draws, strategy } });
        patchSweep({ points: r.points, weights: r.weights, cancelled: r.cancelled, ms: r.ms, etaSeconds: 0 });
      } catch (e) {
        patchSweep({ error: message(e) });
      } finally {
        patchSweep({ running: false });
      }
    },

    cancelRatioSweep: async () => {
      if (!get().inspect.sweep.running) return;
      await studioClient().request({ kind: 'inspect.cancelSweep' });
    },

    setSweepSettings: (p) => patch({ sweepSettings: { ...get().inspect.sweepSettings, ...p } }),
  };
};
