/**
 * The Evaluate worker handlers end to end on real files (gpu-node only: reads ../shared/data with node:fs). The data
 * handlers load b3/b4/b5 of the first four Landsat acquisitions (the studio's 16 px samples, 4 dates); their Fmask
 * rasters are the labels. Checks: what the label summary understood (dated Fmask series, classes, alignment) and that
 * a bad file is refused by name without losing the accepted labels; a probe refused while training runs, then run
 * on the paused run's weights with progress and an ETA; a two-variant ablation (patch-group vs none, 1 seed, 2 pre-training steps) with
 * its summary; a cancelled ablation that reports the finished run only; and the user's run untouched throughout
 * (same step, bit-identical weights).
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listSharedFiles, SHARED_DATA } from '../../data/testing/sharedData';
import { acquireDevice, type GpuContext } from '../../gpu/device';
import { readF32 } from '../../gpu/readback';
import type { WorkerEvent } from '../protocol';
import type { ExperimentResult, ExperimentSettings, LabelUpdate, ProbeContext, ProbeProgress, ProbeRunReply, ProbeSettings } from '../protocol/probe';
import type { TrainSettings, TrainStatus } from '../protocol/train';
import type { WorkerState } from './context';
import { handleDataRequest } from './dataHandlers';
import { handleProbeRequest } from './probeHandlers';
import { currentTrainer, handleTrainRequest } from './trainHandlers';

const SERIES = 'landsat-lsts-105dates';
const SCENES = [...new Set(listSharedFiles(SERIES).map((f) => f.split('/')[1]))].slice(0, 4);
const IMAGES = listSharedFiles(SERIES).filter((f) => SCENES.includes(f.split('/')[1]) && /_b[345]\.tif$/.test(f));
const MASKS = listSharedFiles(SERIES).filter((f) => SCENES.includes(f.split('/')[1]) && /_fmask\.tif$/.test(f));

const events: WorkerEvent[] = [];
let state: WorkerState;

const blobs = (rels: string[]) => Promise.all(rels.map(async (rel) => ({ file: await openAsBlob(path.join(SHARED_DATA, rel)), path: rel })));
const probe = async <T,>(req: Parameters<typeof handleProbeRequest>[1]): Promise<T> => (await handleProbeRequest(state, req)).value as T;
const train = async <T,>(req: Parameters<typeof handleTrainRequest>[1]): Promise<T> => (await handleTrainRequest(state, req)).value as T;
const progressEvents = (): (ProbeProgress | null)[] => events.flatMap((e) => (e.kind === 'probe.progress' ? [e.progress] : []));

const PROBE: ProbeSettings = { heads: ['linear'], steps: 40, split: 'auto', testFraction: 0.3, maxTiles: 64 };
const TRAIN: TrainSettings = { steps: 500, batchSize: 2, peakLr: 1e-3, schedule: 'one-cycle', warmupPct: 20, weightDecay: 0.01, clipNorm: 1, seed: 0, validateEvery: 0, validationTiles: 2, autosaveEvery: 0 };

async function until(what: string, ok: (s: TrainStatus) => boolean): Promise<TrainStatus> {
  const t0 = Date.now();
  for (;;) {
    const s = await train<TrainStatus>({ kind: 'train.status' });
    if (ok(s)) return s;
    if (Date.now() - t0 > 120_000) throw new Error(`timed out waiting for ${what}: ${s.phase} step ${s.step}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function liveParams(): Promise<Float32Array> {
  const t = currentTrainer(state)!;
  return readF32(t.device, t.params.buffer);
}

beforeAll(async () => {
  let ctx: Promise<GpuContext> | null = null;
  state = {
    post: (e) => events.push(e),
    device: () => (ctx ??= acquireDevice(navigator.gpu, { runtime: 'node (Dawn)', label: 'probe-handlers-test' })),
    resetDevice() {
      ctx = null;
    },
    data: null,
    train: null,
    inspect: null,
  };
  expect(IMAGES).toHaveLength(12);
  await handleDataRequest(state, { kind: 'data.addFiles', files: await blobs(IMAGES) });
}, 120_000);

describe('probe handlers on real Landsat data and Fmask labels', () => {
  it('says what the labels are, and refuses a bad file by name without losing the others', async () => {
    const before = await probe<ProbeContext>({ kind: 'probe.context' });
    expect(before.missing).toBeNull();
    expect(before.labels).toBeNull();
    expect(before.weights?.source).toBe('initial');
    expect(before.tiles).toBe(9); // 3 × 3 tiles of 16 px in the 61 px scenes
    expect(before.factors.map((f) => f.factor)).toEqual(['targetNorm', 'fusion', 'masking']);
    // Four dates per sample: anchor-aware masking has images to anchor on.
    expect(before.factors[2].values.find((v) => v.value === 'anchor')?.available).toBe(true);

    const garbage = new Blob([new Uint8Array(64).fill(7)]);
    const added = await probe<LabelUpdate>({ kind: 'probe.labels.add', files: [...(await blobs(MASKS)), { file: garbage, path: 'broken_fmask.tif' }] });
    console.log(`[probe] labels: ${added.labels?.facts.join(' | ')} | warnings: ${added.labels?.warnings.join(' | ')} | problems: ${JSON.stringify(added.problems)}`);
    expect(added.problems.map((p) => p.path)).toEqual(['broken_fmask.tif']);
    expect(added.problems[0].reason.length).toBeGreaterThan(10);
    const l = added.labels!;
    expect(l).toMatchObject({ kind: 'raster', dated: true, countUnit: 'pixels', multiLabel: false });
    expect(l.files).toHaveLength(4);
    expect(l.files.every((f) => f.kind === 'fmask' && f.alignsWith === 1 && f.nodata === 255)).toBe(true);
    expect(l.classes.length).toBeGreaterThanOrEqual(2);
    expect(l.classes.every((c) => ['clear', 'water', 'shadow', 'snow', 'cloud'].includes(c.name))).toBe(true);
    expect(l.labelled).toBe(l.classes.reduce((a, c) => a + c.count, 0));
    expect(l.facts.join(' ')).toMatch(/Aligned with 4 of 4 loaded acquisitions/);

    // An image given as labels is refused; the Fmask labels stay.
    const image = await probe<LabelUpdate>({ kind: 'probe.labels.add', files: await blobs([IMAGES[0]]) });
    expect(image.problems).toHaveLength(1);
    expect(image.labels?.files).toHaveLength(4);
    const csv = await probe<LabelUpdate>({ kind: 'probe.labels.add', files: [{ file: new Blob(['just one column\n']), path: 'tiles.csv' }] });
    expect(csv.problems[0]).toMatchObject({ path: 'tiles.csv' });
    expect(csv.problems[0].reason).toMatch(/key,label/);
    expect(csv.labels?.kind).toBe('raster');
  });

  it('refuses while training runs, then probes the paused run’s weights with progress', async () => {
    await train({ kind: 'train.start', settings: TRAIN });
    await until('step 2', (s) => s.step >= 2);
    await expect(probe({ kind: 'probe.run', settings: PROBE })).rejects.toThrow(/Training is running/);
    const paused = await train<TrainStatus>({ kind: 'train.pause' });
    const weights = await liveParams();

    events.length = 0;
    const reply = await probe<ProbeRunReply>({ kind: 'probe.run', settings: PROBE });
    expect(reply.status).toBe('done');
    if (reply.status !== 'done') return;
    const { result } = reply;
    const h = result.report.heads[0];
    console.log(
      `[probe] ${result.weights.note} ${result.tiles} tiles; ${result.report.task.description}; split ${JSON.stringify(result.report.split)}; ` +
        `accuracy ${(100 * h.single!.accuracy).toFixed(1)}%, mIoU ${(100 * h.score).toFixed(1)}% (chance ${(100 * result.report.chance!.mIoU).toFixed(1)}%); ${result.ms.totalMs.toFixed(0)} ms`,
    );
    expect(result.weights).toMatchObject({ source: 'trained', step: paused.step });
    expect(result.tiles).toBe(9);
    expect(h.scoreName).toBe('mIoU');
    const K = result.report.task.classNames.length;
    expect(h.single!.confusion).toHaveLength(K);
    expect(h.single!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(result.report.split.test);
    expect(h.single!.accuracy).toBeGreaterThanOrEqual(0);
    expect(h.single!.accuracy).toBeLessThanOrEqual(1);
    const progress = progressEvents();
    expect(progress.at(-1)).toBeNull();
    const live = progress.filter((p): p is ProbeProgress => p !== null);
    expect(live.some((p) => p.etaSeconds !== null && p.etaSeconds >= 0)).toBe(true);
    expect(live.every((p) => p.job === 'probe' && p.done <= p.total)).toBe(true);
    // Probing read the weights; it changed nothing.
    expect((await train<TrainStatus>({ kind: 'train.status' })).step).toBe(paused.step);
    expect(await liveParams()).toEqual(weights);
  });

  it('runs a two-variant ablation on separate models, and a cancelled one keeps its finished runs', async () => {
    const status = await train<TrainStatus>({ kind: 'train.status' });
    expect(status.phase).toBe('paused');
    const weights = await liveParams();
    const settings: ExperimentSettings = { values: { targetNorm: ['none'], fusion: [], masking: [] }, seeds: 1, pretrainSteps: 2, pretrainBatch: 2, pretrainLr: 1e-3, probe: { ...PROBE, steps: 20 } };

    events.length = 0;
    const r = await probe<ExperimentResult>({ kind: 'probe.experiment', settings });
    console.log(`[probe] ablation in ${(r.ms / 1000).toFixed(1)} s: ${r.summary.map((s) => `${s.variant} ${s.head} ${(100 * s.mean).toFixed(1)}% ± ${(100 * s.std).toFixed(1)}`).join('; ')}`);
    expect(r.cancelled).toBe(false);
    expect(r.variants.map((v) => v.name)).toEqual(['base', 'targetNorm=none']);
    expect(r.variants[0].targetNorm).toBe('patch-group');
    expect(r.runs.map((x) => `${x.variant}/${x.seed}`)).toEqual(['base/0', 'targetNorm=none/0']);
    expect(r.runs.every((x) => Number.isFinite(x.pretrainLoss.last) && x.scores[0].score >= 0 && x.scores[0].score <= 1)).toBe(true);
    expect(r.summary.map((s) => [s.variant, s.n, s.std])).toEqual([
      ['base', 1, 0],
      ['targetNorm=none', 1, 0],
    ]);
    expect(r.summary[1].mean).toBe(r.runs[1].scores[0].score);
    expect(events.filter((e) => e.kind === 'probe.runDone')).toHaveLength(2);
    const live = progressEvents().filter((p): p is ProbeProgress => p !== null);
    expect(new Set(live.map((p) => p.run?.variant).filter(Boolean))).toEqual(new Set(['base', 'targetNorm=none']));

    // Cancelled as soon as the first run is reported: the second is dropped, the first kept.
    events.length = 0;
    let cancelled = false;
    const stop = () => {
      if (!cancelled && events.some((e) => e.kind === 'probe.runDone')) {
        cancelled = true;
        void probe({ kind: 'probe.cancel' });
      }
    };
    const post = state.post;
    state.post = (e, t) => {
      post(e, t);
      stop();
    };
    try {
      const c = await probe<ExperimentResult>({ kind: 'probe.experiment', settings: { ...settings, seeds: 2 } });
      expect(c.cancelled).toBe(true);
      expect(c.runs.map((x) => `${x.variant}/${x.seed}`)).toEqual(['base/0']);
      expect(c.summary.map((s) => s.variant)).toEqual(['base']);
    } finally {
      state.post = post;
    }
    expect(await probe<boolean>({ kind: 'probe.cancel' })).toBe(false);

    // The user's run: same phase, same step, the same weights bit for bit.
    const after = await train<TrainStatus>({ kind: 'train.status' });
    expect([after.phase, after.step]).toEqual(['paused', status.step]);
    expect(await liveParams()).toEqual(weights);
    await train({ kind: 'train.stop' });
  });
});
