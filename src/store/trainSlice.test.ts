/**
 * The train slice against a fake worker client: it plans with the form's settings (debounced), sends each action
 * once and tracks it as pending, shows a failed action's message inline without touching the run, keeps metrics per
 * run (batched steps appended, a new run starts empty, a rewind drops later points), aligns validation points,
 * surfaces the resume offer only for an autosave it did not write, adopts a loaded checkpoint's settings, and never
 * keeps checkpoint bytes in the state.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { AutosaveInfo, ExportFile, StepRow, TrainPlan, TrainStatus } from '../train/protocol/train';
import type { StudioState } from './index';
import { createManualClient } from './testing/fakeStudioClient';

// ---- fake client (replaces store/client.ts for this file)

const fake = createManualClient();
const client = fake.client;

vi.mock('./client', () => ({ studioClient: () => client }));

const { createTrainSlice, DEFAULT_TRAIN_SETTINGS, IDLE_STATUS, PLAN_DEBOUNCE_MS, selectCanStart, appendSteps, emptyMetrics, truncateMetrics } = await import('./trainSlice');

function makeStore() {
  return create<StudioState>()((...a) => ({ ...createTrainSlice(...a) }) as unknown as StudioState);
}

const flush = () => new Promise((r) => setTimeout(r, 0));

const status = (p: Partial<TrainStatus>): TrainStatus => ({ ...IDLE_STATUS, ...p });
const row = (step: number, loss = 1 / step): StepRow => ({ step, loss, modalityLoss: [loss, 2 * loss], gradNorm: 1, lr: 1e-3, ms: 100 });
const readyPlan: TrainPlan = { missing: [], problems: [], estimate: null };

beforeEach(() => {
  fake.calls = [];
  fake.listeners.clear();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('trainSlice', () => {
  it('plans with the form settings, debounced, and only the newest plan counts', async () => {
    vi.useFakeTimers();
    const store = makeStore();
    store.getState().setTrainSettings({ steps: 10 });
    store.getState().setTrainSettings({ steps: 12 });
    store.getState().setTrainSettings({ batchSize: 2 });
    expect(fake.pending('train.plan')).toHaveLength(0);
    vi.advanceTimersByTime(PLAN_DEBOUNCE_MS);
    const call = fake.only('train.plan');
    expect(call.req).toEqual({ kind: 'train.plan', settings: { ...DEFAULT_TRAIN_SETTINGS, steps: 12, batchSize: 2 } });
    // An older plan answering after a newer one is ignored.
    void store.getState().planTraining();
    const newer = fake.pending('train.plan')[1];
    newer.resolve({ ...readyPlan, missing: ['newest'] });
    call.resolve({ ...readyPlan, missing: ['stale'] });
    await vi.runAllTimersAsync();
    expect(store.getState().train.plan?.missing).toEqual(['newest']);
  });

  it('can start only when the plan is clean and nothing runs', async () => {
    const store = makeStore();
    expect(selectCanStart(store.getState())).toBe(false);
    void store.getState().planTraining();
    fake.only('train.plan').resolve({ ...readyPlan, missing: ['No data is loaded'] });
    await flush();
    expect(selectCanStart(store.getState())).toBe(false);
    fake.calls = [];
    void store.getState().planTraining();
    fake.only('train.plan').resolve(readyPlan);
    await flush();
    expect(selectCanStart(store.getState())).toBe(true);
    fake.emit({ kind: 'train.state', status: status({ phase: 'running', runId: 1, totalSteps: 5 }) });
    expect(selectCanStart(store.getState())).toBe(false);
  });

  it('tracks an action as pending and shows its failure inline, leaving the run as it was', async () => {
    const store = makeStore();
    store.getState().connectTraining();
    fake.emit({ kind: 'train.state', status: status({ phase: 'paused', runId: 3, step: 4, totalSteps: 10, modalities: ['s2'] }) });
    const p = store.getState().resumeTraining();
    expect(store.getState().train.pending).toBe('resume');
    fake.only('train.resume').reject(new Error('Training is not paused.'));
    await p;
    const t = store.getState().train;
    expect(t.pending).toBeNull();
    expect(t.actionError).toEqual({ action: 'resume', message: 'Training is not paused.' });
    expect(t.status.phase).toBe('paused');
    expect(t.status.step).toBe(4);
    // The same action succeeding clears its error.
    const q = store.getState().resumeTraining();
    fake.pending('train.resume')[1].resolve(status({ phase: 'running', runId: 3 }));
    await q;
    expect(store.getState().train.actionError).toBeNull();
  });

  it('sends start with the settings, and the run lifecycle drives the metrics', async () => {
    const store = makeStore();
    store.setState((s) => ({ train: { ...s.train, settings: { ...s.train.settings, steps: 5 } } }));
    void store.getState().startTraining();
    expect(fake.only('train.start').req).toEqual({ kind: 'train.start', settings: { ...DEFAULT_TRAIN_SETTINGS, steps: 5 } });
    fake.emit({ kind: 'train.state', status: status({ phase: 'starting', runId: 1, totalSteps: 5, modalities: ['s2', 's1'] }) });
    fake.emit({ kind: 'train.state', status: status({ phase: 'running', runId: 1, totalSteps: 5, modalities: ['s2', 's1'] }) });
    const progress = { step: 2, totalSteps: 5, stepsPerSecond: 0.5, tokensPerSecond: 300, etaSeconds: 6, elapsedSeconds: 4 };
    fake.emit({ kind: 'train.steps', runId: 1, rows: [row(1), row(2)], progress });
    fake.emit({ kind: 'train.steps', runId: 1, rows: [row(2), row(3)], progress: { ...progress, step: 3 } }); // step 2 again: ignored
    let t = store.getState().train;
    expect(t.metrics.step).toEqual([1, 2, 3]);
    expect(t.metrics.modality).toEqual([
      [1, 0.5, 1 / 3],
      [2, 1, 2 / 3],
    ]);
    expect(t.status.step).toBe(3);
    expect(t.progress?.etaSeconds).toBe(6);

    fake.emit({ kind: 'train.validated', runId: 1, row: { step: 2, loss: 0.7, modalityLoss: [0.6, 0.8], tiles: 4, ms: 50 } });
    expect(store.getState().train.validation).toMatchObject({ step: [2], loss: [0.7], modality: [[0.6], [0.8]], tiles: 4 });

    // Recovery to the checkpoint of step 2 drops the later points; the same step evaluated again replaces its value.
    fake.emit({ kind: 'train.rewound', runId: 1, step: 2 });
    t = store.getState().train;
    expect(t.metrics.step).toEqual([1, 2]);
    fake.emit({ kind: 'train.validated', runId: 1, row: { step: 2, loss: 0.69, modalityLoss: [0.6, 0.78], tiles: 4, ms: 50 } });
    expect(store.getState().train.validation.loss).toEqual([0.69]);

    // A new run starts with empty series.
    const before = store.getState().train.metrics;
    fake.emit({ kind: 'train.state', status: status({ phase: 'starting', runId: 2, totalSteps: 5, modalities: ['s2'] }) });
    t = store.getState().train;
    expect(t.metrics).not.toBe(before);
    expect(t.metrics).toEqual(emptyMetrics(2, 1));
    expect(t.validation.step).toEqual([]);
    // Late steps of the old run are not mixed into the new one.
    fake.emit({ kind: 'train.steps', runId: 1, rows: [row(4)], progress });
    expect(store.getState().train.metrics.runId).toBe(1); // a stale batch replaces nothing of run 2 …
    fake.emit({ kind: 'train.state', status: status({ phase: 'running', runId: 2, totalSteps: 5, modalities: ['s2'] }) });
    expect(store.getState().train.metrics).toEqual(emptyMetrics(2, 1)); // … and the next status of run 2 resets it
  });

  it('offers to resume an autosave found at page load, not one of its own run', async () => {
    const info: AutosaveInfo = { step: 40, totalSteps: 100, savedAt: '2026-11-21T10:00:00.000Z', bytes: 1e6, where: 'opfs', preset: 'tiny', modalities: ['s2'], lastLoss: 0.5 };
    const store = makeStore();
    store.getState().connectTraining();
    store.getState().connectTraining(); // once per page
    expect(fake.pending('train.status')).toHaveLength(1);
    fake.only('train.status').resolve(IDLE_STATUS);
    fake.only('train.autosave.find').resolve(info);
    await flush();
    expect(store.getState().train.resumeOffer).toEqual(info);
    expect(store.getState().train.autosave.last).toEqual(info);

    // Resume: sends the page's cadence, adopts the run's settings, drops the offer.
    store.setState((s) => ({ train: { ...s.train, settings: { ...s.train.settings, autosaveEvery: 3, validateEvery: 9, validationTiles: 2 } } }));
    const p = store.getState().resumeAutosave();
    expect(fake.only('train.autosave.resume').req).toEqual({ kind: 'train.autosave.resume', autosaveEvery: 3, validateEvery: 9, validationTiles: 2 });
    const runSettings = { ...DEFAULT_TRAIN_SETTINGS, steps: 100, batchSize: 2, peakLr: 5e-4, autosaveEvery: 3, validateEvery: 9, validationTiles: 2 };
    fake.only('train.autosave.resume').resolve(status({ phase: 'running', runId: 1, step: 40, totalSteps: 100, settings: runSettings }));
    await p;
    expect(store.getState().train.resumeOffer).toBeNull();
    expect(store.getState().train.settings).toEqual(runSettings);

    // A page with a run of its own: its autosave is not an offer.
    const other = makeStore();
    other.setState((s) => ({ train: { ...s.train, status: status({ phase: 'done', runId: 1 }) } }));
    void other.getState().checkAutosave();
    fake.pending('train.autosave.find').at(-1)!.resolve(info);
    await flush();
    expect(other.getState().train.resumeOffer).toBeNull();
  });

  it('a failed resume keeps the offer and says why; discard clears it', async () => {
    const info: AutosaveInfo = { step: 4, totalSteps: 5, savedAt: '2026-11-21T10:00:00.000Z', bytes: 1e6, where: 'opfs', preset: 'tiny', modalities: ['s2'], lastLoss: 0.5 };
    const store = makeStore();
    store.setState((s) => ({ train: { ...s.train, resumeOffer: info } }));
    const p = store.getState().resumeAutosave();
    fake.only('train.autosave.resume').reject(new Error('Load the data the run was trained on first'));
    await p;
    expect(store.getState().train.resumeOffer).toEqual(info);
    expect(store.getState().train.actionError?.action).toBe('resumeAutosave');
    const d = store.getState().discardAutosave();
    fake.only('train.autosave.discard').resolve(null);
    await d;
    expect(store.getState().train.resumeOffer).toBeNull();
    expect(store.getState().train.autosave.last).toBeNull();
  });

  it('returns checkpoint files to the caller and never keeps their bytes', async () => {
    const store = makeStore();
    const p = store.getState().saveCheckpoint();
    const file: ExportFile = { name: 'eo-mae-tiny-step5.safetensors', mime: 'application/octet-stream', bytes: new ArrayBuffer(2_500_000) };
    fake.only('train.checkpoint.save').resolve(file);
    expect(await p).toBe(file);
    const t = store.getState().train;
    expect(t.notice).toEqual({ action: 'saveCheckpoint', message: 'Saved eo-mae-tiny-step5.safetensors (2.5 MB).' });
    const hasBuffer = (v: unknown): boolean => v instanceof ArrayBuffer || ArrayBuffer.isView(v) || (typeof v === 'object' && v !== null && Object.values(v).some(hasBuffer));
    expect(hasBuffer(t)).toBe(false);
  });

  it('loads a checkpoint file: the File goes to the worker; a refusal changes nothing', async () => {
    const store = makeStore();
    store.getState().connectTraining();
    fake.emit({ kind: 'train.state', status: status({ phase: 'done', runId: 2, step: 5, totalSteps: 5 }) });
    const settingsBefore = store.getState().train.settings;
    const file = new File([new Uint8Array([1, 2, 3])], 'other.safetensors');
    const bad = store.getState().loadCheckpoint(file);
    const call = fake.only('train.checkpoint.load');
    expect((call.req as { file: File }).file).toBe(file);
    call.reject(new Error('The checkpoint was trained with a different model configuration (first difference: …).'));
    expect(await bad).toBe(false);
    let t = store.getState().train;
    expect(t.actionError?.message).toMatch(/different model configuration/);
    expect(t.status.runId).toBe(2);
    expect(t.settings).toBe(settingsBefore);

    const good = store.getState().loadCheckpoint(file);
    const runSettings = { ...DEFAULT_TRAIN_SETTINGS, steps: 50, batchSize: 2 };
    fake.pending('train.checkpoint.load')[1].resolve(status({ phase: 'paused', runId: 3, step: 20, totalSteps: 50, settings: runSettings, note: 'Loaded other.safetensors at step 20 of 50.' }));
    expect(await good).toBe(true);
    t = store.getState().train;
    expect(t.settings).toEqual(runSettings);
    expect(t.notice?.message).toBe('Loaded other.safetensors at step 20 of 50.');
    expect(t.actionError).toBeNull();
  });

  it('applies the cadence to a running run', async () => {
    const store = makeStore();
    const p = store.getState().setTrainCadence({ autosaveEvery: 7 });
    expect(fake.only('train.options').req).toEqual({ kind: 'train.options', autosaveEvery: 7, validateEvery: DEFAULT_TRAIN_SETTINGS.validateEvery });
    fake.only('train.options').resolve(status({}));
    await p;
    expect(store.getState().train.settings.autosaveEvery).toBe(7);
  });

  it('keeps the model section on the same batch size', () => {
    const setEstimateBatch = vi.fn(async () => undefined);
    const store = create<StudioState>()(
      (...a) => ({ ...createTrainSlice(...a), model: { batchSize: 8 }, setEstimateBatch }) as unknown as StudioState,
    );
    store.getState().setTrainSettings({ batchSize: 2 });
    expect(setEstimateBatch).toHaveBeenCalledWith(2);
    store.getState().setTrainSettings({ batchSize: 2.5 }); // invalid: not propagated
    store.getState().setTrainSettings({ steps: 3 });
    expect(setEstimateBatch).toHaveBeenCalledTimes(1);
  });
});

describe('metric helpers', () => {
  it('append and truncate keep the columns aligned', () => {
    let m = emptyMetrics(1, 2);
    m = appendSteps(m, [row(1), row(2), row(3)]);
    expect(m.step).toEqual([1, 2, 3]);
    expect(m.modality.map((a) => a.length)).toEqual([3, 3]);
    const t = truncateMetrics(m, 1);
    expect(t.step).toEqual([1]);
    expect(t.loss).toEqual([1]);
    expect(t.modality).toEqual([[1], [2]]);
    expect(truncateMetrics(m, 9)).toBe(m);
  });
});
