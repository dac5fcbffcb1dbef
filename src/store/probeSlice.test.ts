/**
 * The Evaluate slice against a fake worker client: the context and labels arrive from the worker, a refused drop or a
 * failed request never clears what is shown, jobs are refused in words while training runs, progress and finished
 * ablation runs flow in from events, cancellation keeps the previous result; and the pure view data (confusion
 * shares, ablation table with per-seed scores and the change against the base, chart bars and axis).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { ExperimentResult, ExperimentRunRow, ExperimentSettings, LabelSummary, ProbeContext, ProbeResult, SummaryRow } from '../train/protocol/probe';
import type { StudioState } from './index';
import { createManualClient } from './testing/fakeStudioClient';

const fake = createManualClient();
const client = fake.client;

vi.mock('./client', () => ({ studioClient: () => client }));

const { createProbeSlice, resetProbeModule, ablationChart, ablationRows, ablationRunCount, blockedReason, confusionView, experimentRequest, labelClassShares, DEFAULT_ABLATION, DEFAULT_PROBE_SETTINGS } = await import('./probeSlice');

/** The probe slice plus the one fact of the train slice it reads (the training phase). */
function makeStore(phase = 'idle') {
  return create<StudioState>()((...a) => ({ ...createProbeSlice(...a), train: { status: { phase } } }) as unknown as StudioState);
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

const LABELS: LabelSummary = {
  kind: 'raster',
  files: [{ path: 'a_fmask.tif', kind: 'fmask', width: 61, height: 61, crs: 'EPSG:32613 WGS 84 / UTM zone 13N', date: '2008-04-27', nodata: 255, alignsWith: 1 }],
  dated: true,
  multiLabel: false,
  classes: [
    { value: '0', name: 'clear', count: 300 },
    { value: '4', name: 'cloud', count: 100 },
  ],
  countUnit: 'pixels',
  labelled: 400,
  facts: ['1 label raster'],
  warnings: [],
};

const CONTEXT: ProbeContext = { missing: null, weights: { source: 'initial', step: 0, note: 'Random initial weights' }, tiles: 9, samples: ['landsat: 3 bands, 4 dates, 16 px'], labels: null, factors: [] };

const RESULT = { report: { heads: [] }, notes: [], weights: CONTEXT.weights, tiles: 9, tilesTotal: 9, ms: { embedMs: 1, probeMs: 1, totalMs: 2 } } as unknown as ProbeResult;

async function withLabels(store: ReturnType<typeof makeStore>) {
  const load = store.getState().loadProbeContext();
  fake.take('probe.context').resolve(CONTEXT);
  await load;
  const add = store.getState().addLabelFiles([{ file: new Blob(['x']), path: 'a_fmask.tif' }]);
  fake.take('probe.labels.add').resolve({ labels: LABELS, problems: [], messages: ['Added 1 label raster.'] });
  await add;
}

beforeEach(() => {
  fake.calls = [];
  fake.listeners.clear();
  resetProbeModule();
});

describe('probe slice: labels', () => {
  it('posts file handles and shows what the worker understood; a refused drop keeps the labels', async () => {
    const store = makeStore();
    await withLabels(store);
    expect(store.getState().evaluate.labels).toEqual(LABELS);
    expect(store.getState().evaluate.context?.labels).toEqual(LABELS);
    expect(store.getState().evaluate.labelMessages).toEqual(['Added 1 label raster.']);

    const bad = store.getState().addLabelFiles([{ file: new Blob(['y']), path: 'b3.tif' }], ['1 non-raster file in the folder was skipped.']);
    expect(store.getState().evaluate.labelsBusy).toBe(true);
    const call = fake.take('probe.labels.add');
    expect((call.req as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(['b3.tif']);
    call.resolve({ labels: LABELS, problems: [{ path: 'b3.tif', reason: 'too many values' }], messages: [] });
    await bad;
    expect(store.getState().evaluate).toMatchObject({ labels: LABELS, labelProblems: [{ path: 'b3.tif', reason: 'too many values' }], labelMessages: ['1 non-raster file in the folder was skipped.'], labelsBusy: false });

    const broken = store.getState().addLabelFiles([{ file: new Blob(['z']), path: 'c.tif' }]);
    fake.take('probe.labels.add').reject(new Error('The studio worker stopped'));
    await broken;
    expect(store.getState().evaluate.labels).toEqual(LABELS);
    expect(store.getState().evaluate.labelsError).toMatch(/worker stopped/);
  });
});

describe('probe slice: jobs', () => {
  it('refuses in words while training runs, or without labels', async () => {
    const running = makeStore('running');
    await withLabels(running);
    await running.getState().runProbe();
    expect(fake.calls).toEqual([]);
    expect(running.getState().evaluate.probe.error).toMatch(/Training is running/);
    const fresh = makeStore();
    const load = fresh.getState().loadProbeContext();
    fake.take('probe.context').resolve(CONTEXT);
    await load;
    expect(blockedReason(fresh.getState())).toMatch(/Add labels/);
  });

  it('runs a probe with live progress, and a cancelled run keeps the previous result', async () => {
    const store = makeStore();
    await withLabels(store);
    store.getState().setProbeSettings({ heads: ['linear', 'attentive'], steps: 50 });
    const run = store.getState().runProbe();
    expect(store.getState().evaluate.job?.kind).toBe('probe');
    expect(blockedReason(store.getState())).toMatch(/probe is running/);
    const call = fake.take('probe.run');
    expect((call.req as { settings: unknown }).settings).toEqual({ ...DEFAULT_PROBE_SETTINGS, heads: ['linear', 'attentive'], steps: 50 });
    const progress = { job: 'probe' as const, phase: 'Embedding tiles: 4 of 9', done: 300, total: 1000, etaSeconds: 12, run: null };
    fake.emit({ kind: 'probe.progress', progress });
    expect(store.getState().evaluate.job?.progress).toEqual(progress);
    call.resolve({ status: 'done', result: RESULT });
    await run;
    expect(store.getState().evaluate.job).toBeNull();
    expect(store.getState().evaluate.probe).toEqual({ result: RESULT, error: null, cancelled: false });

    const again = store.getState().runProbe();
    const cancel = store.getState().cancelEvaluation();
    expect(store.getState().evaluate.job?.cancelling).toBe(true);
    fake.take('probe.cancel').resolve(true);
    await cancel;
    fake.take('probe.run').resolve({ status: 'cancelled' });
    await again;
    expect(store.getState().evaluate.probe).toEqual({ result: RESULT, error: null, cancelled: true });

    const failing = store.getState().runProbe();
    fake.take('probe.run').reject(new Error('segmentation: no token has a label'));
    await failing;
    expect(store.getState().evaluate.probe.result).toBe(RESULT);
    expect(store.getState().evaluate.probe.error).toMatch(/no token has a label/);
  });

  it('sends the ablation with the probe settings, collects finished runs and keeps the final result', async () => {
    const store = makeStore();
    await withLabels(store);
    store.getState().toggleAblationValue('targetNorm', 'patch', true);
    store.getState().toggleAblationValue('masking', 'random', true);
    store.getState().toggleAblationValue('masking', 'random', false);
    store.getState().setAblationSettings({ seeds: 2, pretrainSteps: 3, probeSteps: 7 });
    expect(ablationRunCount(store.getState().evaluate.ablation)).toBe(4);
    const run = store.getState().runAblation();
    const call = fake.take('probe.experiment');
    const sent = (call.req as { settings: ExperimentSettings }).settings;
    expect(sent).toEqual({ ...DEFAULT_ABLATION, probeSteps: undefined, values: { targetNorm: ['patch'], fusion: [], masking: [] }, seeds: 2, pretrainSteps: 3, probe: { ...DEFAULT_PROBE_SETTINGS, steps: 7 } });
    expect('probeSteps' in sent).toBe(false);
    const row: ExperimentRunRow = { variant: 'base', seed: 0, scores: [{ head: 'linear', scoreName: 'mIoU', score: 0.5, accuracy: 0.8 }], pretrainLoss: { first: 1, last: 0.9 }, ms: 100, phaseMs: { pretrain: 80, embed: 15, probe: 5 } };
    fake.emit({ kind: 'probe.runDone', run: row });
    expect(store.getState().evaluate.experiment.liveRuns).toEqual([row]);
    const result = { runs: [row], summary: [], cancelled: true } as unknown as ExperimentResult;
    call.resolve(result);
    await run;
    expect(store.getState().evaluate.experiment).toEqual({ result, liveRuns: [row], error: null });
    await flush();
  });
});

describe('view data', () => {
  it('confusion shares are per true class', () => {
    const v = confusionView({ confusion: [
      [8, 2],
      [0, 0],
    ] }, ['clear', 'cloud']);
    expect(v.cells[0].map((c) => c.rowShare)).toEqual([0.8, 0.2]);
    expect(v.cells[1].map((c) => c.rowShare)).toEqual([0, 0]);
    expect(v.support).toEqual([10, 0]);
    expect(v.total).toBe(10);
    expect(labelClassShares(LABELS).map((c) => c.share)).toEqual([0.75, 0.25]);
  });

  it('ablation rows carry every seed and the change against the base', () => {
    const summary: SummaryRow[] = [
      { variant: 'base', head: 'linear', scoreName: 'mIoU', mean: 0.5, std: 0.1, min: 0.4, max: 0.6, n: 2, accuracy: 0.8, pretrainLoss: 0.9 },
      { variant: 'targetNorm=patch', head: 'linear', scoreName: 'mIoU', mean: 0.45, std: 0, min: 0.45, max: 0.45, n: 1, accuracy: NaN, pretrainLoss: 0.8 },
    ];
    const run = (variant: string, seed: number, score: number): ExperimentRunRow => ({ variant, seed, scores: [{ head: 'linear', scoreName: 'mIoU', score, accuracy: null }], pretrainLoss: { first: 1, last: 1 }, ms: 1, phaseMs: { pretrain: 1, embed: 0, probe: 0 } });
    const rows = ablationRows(summary, [run('base', 0, 0.4), run('base', 1, 0.6), run('targetNorm=patch', 0, 0.45)], [0, 1]);
    expect(rows[0]).toMatchObject({ perSeed: [0.4, 0.6], delta: 0, accuracy: 0.8 });
    expect(rows[1]).toMatchObject({ perSeed: [0.45, null], accuracy: null });
    expect(rows[1].delta).toBeCloseTo(-0.05, 12);

    const chart = ablationChart({ summary, chance: { majorityAccuracy: 0.6, majorityMIoU: 0.3, priorMIoU: 0.2, mIoU: 0.3 } });
    expect(chart.bars.map((b) => [b.label, b.lo, b.hi])).toEqual([
      ['base', 0.4, 0.6],
      ['targetNorm=patch', 0.45, 0.45],
    ]);
    expect(chart.top).toBe(0.6);
    expect(chart.chance).toBe(0.3);
    // Whiskers never leave [0, 1]; the axis stops at 100 %.
    const wide = ablationChart({ summary: [{ ...summary[0], mean: 0.95, std: 0.2 }], chance: null });
    expect([wide.bars[0].hi, wide.top]).toEqual([1, 1]);
  });

  it('the experiment request uses the probe panel’s head, split and tiles with the ablation’s probe steps', () => {
    const r = experimentRequest({ ...DEFAULT_PROBE_SETTINGS, heads: ['attentive'], maxTiles: 16 }, { ...DEFAULT_ABLATION, probeSteps: 9 });
    expect(r.probe).toEqual({ ...DEFAULT_PROBE_SETTINGS, heads: ['attentive'], maxTiles: 16, steps: 9 });
  });
});
