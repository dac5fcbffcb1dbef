/**
 * The inspect slice against a fake worker client: defaults come from the model, the slider is debounced, runs are
 * coalesced (never two in flight, always one more with the newest settings), errors keep the last good result, big
 * arrays stay outside the state, and the sweep reports progress, ETA, points and cancellation.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { InspectRunParams, InspectRunReply, InspectSampleList, SweepResult } from '../train/protocol/inspect';
import type { StudioState } from './index';
import { createManualClient } from './testing/fakeStudioClient';

// ---- fake client (replaces store/client.ts for this file)

const fake = createManualClient();
const client = fake.client;

vi.mock('./client', () => ({ studioClient: () => client }));

const { createInspectSlice, inspectPixels, inspectOverlayPixels, clampRatio, DEBOUNCE_MS, SWEEP_RATIOS, rowMaskedCount } = await import('./inspectSlice');

function makeStore() {
  return create<StudioState>()((...a) => ({ ...createInspectSlice(...a) }) as unknown as StudioState);
}

const samples: InspectSampleList = {
  tiles: [
    { index: 0, label: 'Tile 1' },
    { index: 1, label: 'Tile 2' },
  ],
  modalities: ['s2'],
  weights: { source: 'initial', step: 0, preset: 'tiny', note: 'Random initial weights' },
  defaults: { ratio: 0.6, strategy: 'structured' },
  strategies: [
    { id: 'random', label: 'Random', help: '' },
    { id: 'structured', label: 'Structured', help: '' },
  ],
};

function reply(params: InspectRunParams, runId: number): InspectRunReply {
  const masked = Math.round(params.ratio * 64);
  return {
    meta: {
      runId,
      sampleId: 'loc0:x0:y0',
      sampleLabel: 'Tile 1',
      ratio: params.ratio,
      strategy: params.strategy,
      maskSeed: params.maskSeed,
      weights: samples.weights,
      loss: 1.5,
      modalityLoss: [{ modality: 's2', loss: 1.5 }],
      groups: [{ name: 's2', N: 64, masked, visible: 64 - masked }],
      maskedTokens: masked,
      totalTokens: 64,
      ms: { total: 10, forward: 5 },
      modalities: [],
      overlay: null,
      overlayNote: null,
    },
    overlay: { images: new Uint8ClampedArray(8), seen: new Uint8ClampedArray(4).fill(runId) },
    pixels: [
      {
        key: 's2/ng0',
        input: new Uint8ClampedArray(16),
        reconstruction: new Uint8ClampedArray(16),
        target: new Uint8ClampedArray(16),
        error: new Uint8ClampedArray(16),
        mask: new Uint8Array(4),
        valid: new Uint8Array(4),
        inputValues: new Float32Array(4).fill(runId),
        targetValues: new Float32Array(4),
        predValues: new Float32Array(4),
      },
    ],
  };
}

/** Answers every pending `inspect.run` (oldest first) and lets the slice continue. */
async function answerRuns(): Promise<InspectRunParams[]> {
  const runs = fake.pending('inspect.run');
  fake.calls = fake.calls.filter((c) => !runs.includes(c));
  const params = runs.map((c) => (c.req as { params: InspectRunParams }).params);
  runs.forEach((c, i) => c.resolve(reply(params[i], i + 1)));
  await flush();
  return params;
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

async function answerSamples(list = samples) {
  await flush();
  const c = fake.pending('inspect.samples')[0];
  fake.calls = fake.calls.filter((x) => x !== c);
  c.resolve(list);
  await flush();
}

beforeEach(() => {
  fake.calls = [];
  fake.listeners.clear();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('inspect slice', () => {
  it('adopts the model masking as defaults, runs, and keeps pixels outside the state', async () => {
    const store = makeStore();
    const done = store.getState().loadInspectSamples();
    await answerSamples();
    expect(store.getState().inspect.ratio).toBe(0.6);
    expect(store.getState().inspect.strategy).toBe('structured');
    expect(store.getState().inspect.running).toBe(true);
    const [p] = await answerRuns();
    await done;
    expect(p).toEqual({ sample: { kind: 'tile', index: 0 }, ratio: 0.6, strategy: 'structured', maskSeed: 1 });
    const s = store.getState().inspect;
    expect(s.running).toBe(false);
    expect(s.result?.maskedTokens).toBe(38);
    expect(inspectPixels('s2/ng0')?.inputValues[0]).toBe(1);
    expect(inspectOverlayPixels()?.seen[0]).toBe(1);
    // No typed array anywhere in the state.
    const hasTyped = (v: unknown): boolean => ArrayBuffer.isView(v) || (typeof v === 'object' && v !== null && Object.values(v).some(hasTyped));
    expect(hasTyped(s)).toBe(false);
  });

  it('keeps a ratio the user already chose and falls back to a random window when there are no tiles', async () => {
    vi.useFakeTimers();
    const store = makeStore();
    store.getState().setInspectRatio(0.3);
    store.getState().selectInspectSample({ kind: 'tile', index: 5 });
    vi.useRealTimers();
    await answerRuns();
    const done = store.getState().loadInspectSamples();
    await answerSamples({ ...samples, tiles: [] });
    const [p] = await answerRuns();
    await done;
    expect(p.ratio).toBe(0.3);
    expect(p.sample).toEqual({ kind: 'random', seed: 1 });
  });

  it('debounces the slider: a drag produces one run with the final ratio', async () => {
    vi.useFakeTimers();
    const store = makeStore();
    for (const r of [0.5, 0.55, 0.61, 0.7]) {
      store.getState().setInspectRatio(r);
      vi.advanceTimersByTime(DEBOUNCE_MS / 3);
    }
    expect(store.getState().inspect.ratio).toBe(0.7);
    expect(fake.pending('inspect.run')).toHaveLength(0);
    vi.advanceTimersByTime(DEBOUNCE_MS);
    vi.useRealTimers();
    const params = await answerRuns();
    expect(params.map((p) => p.ratio)).toEqual([0.7]);
  });

  it('coalesces changes made during a run into exactly one more run with the newest settings', async () => {
    const store = makeStore();
    const first = store.getState().runInspection();
    await flush();
    expect(fake.pending('inspect.run')).toHaveLength(1);
    store.getState().redrawInspectMask();
    store.getState().setInspectStrategy('structured');
    store.getState().inspectRandomSample();
    await flush();
    expect(fake.pending('inspect.run')).toHaveLength(1); // never two in flight
    await answerRuns();
    expect(fake.pending('inspect.run')).toHaveLength(1);
    const [second] = await answerRuns();
    await first;
    expect(second).toEqual({ sample: { kind: 'random', seed: 1 }, ratio: 0.75, strategy: 'structured', maskSeed: 2 });
    expect(fake.pending('inspect.run')).toHaveLength(0);
    expect(store.getState().inspect.running).toBe(false);
  });

  it('shows a failed run as an error and keeps the previous result', async () => {
    const store = makeStore();
    const first = store.getState().runInspection();
    await answerRuns();
    await first;
    const good = store.getState().inspect.result;
    const second = store.getState().runInspection();
    await flush();
    const c = fake.pending('inspect.run')[0];
    fake.calls = [];
    c.reject(new Error('No data loaded: add files in the Data section.'));
    await second;
    expect(store.getState().inspect.error).toBe('No data loaded: add files in the Data section.');
    expect(store.getState().inspect.result).toBe(good);
    // The next successful run clears the error.
    const third = store.getState().runInspection();
    await answerRuns();
    await third;
    expect(store.getState().inspect.error).toBeNull();
  });

  it('reports a failure to list samples without running', async () => {
    const store = makeStore();
    const done = store.getState().loadInspectSamples();
    await flush();
    fake.pending('inspect.samples')[0].reject(new Error('No model yet.'));
    await done;
    expect(store.getState().inspect.samplesError).toBe('No model yet.');
    expect(fake.pending('inspect.run')).toHaveLength(0);
  });

  it('runs a ratio sweep with progress, ETA and the final points', async () => {
    const store = makeStore();
    store.getState().setSweepSettings({ points: 4, tiles: 2, draws: 1 });
    const done = store.getState().startRatioSweep();
    await flush();
    const call = fake.pending('inspect.sweep')[0];
    expect(call.req).toEqual({ kind: 'inspect.sweep', params: { ratios: SWEEP_RATIOS[4], tiles: 2, draws: 1, strategy: 'random' } });
    expect(store.getState().inspect.sweep.running).toBe(true);
    const point = { ratio: 0.25, mean: 1, min: 0.9, max: 1.1, std: 0.1, n: 2 };
    fake.emit({ kind: 'inspect.sweepProgress', done: 2, total: 8, points: [point] });
    const mid = store.getState().inspect.sweep;
    expect([mid.done, mid.total, mid.points]).toEqual([2, 8, [point]]);
    expect(mid.etaSeconds).not.toBeNull();
    expect(mid.etaSeconds!).toBeGreaterThanOrEqual(0);
    // A second start while running is ignored.
    await store.getState().startRatioSweep();
    expect(fake.pending('inspect.sweep')).toHaveLength(1);
    const result: SweepResult = { points: [point, { ...point, ratio: 0.5 }], weights: samples.weights, cancelled: false, ms: 1234 };
    call.resolve(result);
    await done;
    const s = store.getState().inspect.sweep;
    expect([s.running, s.points.length, s.ms, s.cancelled, s.error]).toEqual([false, 2, 1234, false, null]);
  });

  it('cancels a running sweep and reports sweep errors', async () => {
    const store = makeStore();
    await store.getState().cancelRatioSweep(); // nothing running: no request
    expect(fake.calls).toHaveLength(0);
    const done = store.getState().startRatioSweep();
    await flush();
    const cancel = store.getState().cancelRatioSweep();
    await flush();
    fake.pending('inspect.cancelSweep')[0].resolve(null);
    await cancel;
    fake.pending('inspect.sweep')[0].reject(new Error('A masking ratio of 0.95 hides all 4 patches of "s2"; choose a lower ratio.'));
    await done;
    expect(store.getState().inspect.sweep.error).toMatch(/hides all 4 patches/);
    expect(store.getState().inspect.sweep.running).toBe(false);
  });

  it('clamps ratios to the slider range and counts masked patches of a row', () => {
    expect([clampRatio(0), clampRatio(0.333), clampRatio(1)]).toEqual([0.05, 0.33, 0.95]);
    expect(SWEEP_RATIOS[10]).toHaveLength(10);
    expect(SWEEP_RATIOS[18][17]).toBe(0.95);
    expect(rowMaskedCount({ maskedPerDate: [3, 4, 0] } as never)).toBe(7);
  });
});
