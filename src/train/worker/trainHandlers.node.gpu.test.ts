// The Train/Export request handlers end to end in Node on Dawn, with the real Data handlers on a real file
// (../shared/data/rasterio/RGB.byte.tif; Node only because it reads the file from disk — the browser path of the same
// handlers runs in e2e/train.spec.ts): no start without data; a run streams batched steps, validation and autosaves
// and exports a checkpoint, the weights and the configuration; pause, inspection holds and stop happen at step
// boundaries; a NaN stops with the step and tensor and recovery resumes from the last checkpoint; a lost device is
// replaced on recovery; a checkpoint upload refuses garbage and other models without changing anything, and a good
// one arrives paused and continues.
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDevice, type GpuContext } from '../../gpu/device';
import { readF32 } from '../../gpu/readback';
import { readSafetensors } from '../../lib/safetensors';
import { buildParamLayout } from '../../model/params';
import { tinyTwoGroupConfig } from '../../model/testing/configs';
import { CHECKPOINT_FORMAT, decodeCheckpointBundle, encodeCheckpointBundle } from '../checkpoint';
import type { WorkerEvent } from '../protocol';
import type { ExportFile, StepRow, TrainPlan, TrainSettings, TrainStatus } from '../protocol/train';
import { DEFAULT_OPTIMIZER } from '../trainer';
import type { WorkerState } from './context';
import { handleDataRequest } from './dataHandlers';
import { currentTrainer, handleTrainRequest, pauseForInspection } from './trainHandlers';

const RGB = path.resolve(process.cwd(), '../shared/data/rasterio/RGB.byte.tif');

const SETTINGS: TrainSettings = { steps: 6, batchSize: 2, peakLr: 1e-3, schedule: 'one-cycle', warmupPct: 20, weightDecay: 0.01, clipNorm: 1, seed: 0, validateEvery: 0, validationTiles: 2, autosaveEvery: 0 };

/** A worker state like context.ts's, on Dawn (`navigator.gpu` from the test setup), recording every event. */
function testWorker() {
  const events: WorkerEvent[] = [];
  let ctx: Promise<GpuContext> | null = null;
  const state: WorkerState = {
    post: (e) => events.push(e),
    device() {
      if (!ctx) {
        const p = acquireDevice(navigator.gpu, { runtime: 'node (Dawn)', label: 'train-handlers-test' });
        ctx = p;
        p.then((c) => c.onLost(() => (ctx = null)));
      }
      return ctx;
    },
    resetDevice() {
      ctx = null;
    },
    data: null,
    train: null,
    inspect: null,
  };
  const request = async <T,>(req: Parameters<typeof handleTrainRequest>[1]): Promise<T> => (await handleTrainRequest(state, req)).value as T;
  const status = () => request<TrainStatus>({ kind: 'train.status' });
  const until = async (what: string, ok: (s: TrainStatus) => boolean, timeoutMs = 120_000): Promise<TrainStatus> => {
    const t0 = Date.now();
    for (;;) {
      const s = await status();
      if (ok(s)) return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; status ${JSON.stringify({ phase: s.phase, step: s.step, failure: s.failure })}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const rows = (): StepRow[] => events.flatMap((e) => (e.kind === 'train.steps' ? e.rows : []));
  const loadData = async () => {
    await handleDataRequest(state, { kind: 'data.addFiles', files: [{ file: await openAsBlob(RGB), path: 'rasterio/RGB.byte.tif' }] });
  };
  return { state, events, request, status, until, rows, loadData };
}

/** Ends whatever run is going, so the next test starts from a quiet worker. */
async function finish(w: ReturnType<typeof testWorker>): Promise<void> {
  const s = await w.status();
  if (s.phase === 'running' || s.phase === 'paused') await w.request({ kind: 'train.stop' });
}

// One worker for the whole file, as in the studio: one device (kernels compile once) and the data loaded once. The
// tests run in order; the device-loss test comes last because it replaces the device.
describe('train handlers (Node, Dawn, real file)', () => {
  const w = testWorker();

  it('never starts without data, and says what is missing', async () => {
    const plan = await w.request<TrainPlan>({ kind: 'train.plan', settings: SETTINGS });
    expect(plan.missing[0]).toMatch(/No data is loaded/);
    expect(plan.estimate).toBeNull();
    await expect(w.request({ kind: 'train.start', settings: SETTINGS })).rejects.toThrow(/No data is loaded/);
    expect((await w.status()).phase).toBe('idle');
    const bad = await w.request<TrainPlan>({ kind: 'train.plan', settings: { ...SETTINGS, steps: 0, peakLr: -1 } });
    expect(bad.problems.map((p) => p.field)).toEqual(['steps', 'peakLr']);
  });

  it('trains with batched steps, validation and autosaves, and exports checkpoint, weights and configuration', async () => {
    await w.loadData();
    const plan = await w.request<TrainPlan>({ kind: 'train.plan', settings: SETTINGS });
    expect(plan.missing).toEqual([]);
    expect(plan.estimate?.tokensPerStep).toBe(128);
    const started = await w.request<TrainStatus>({ kind: 'train.start', settings: { ...SETTINGS, validateEvery: 3, autosaveEvery: 2 } });
    expect(started).toMatchObject({ phase: 'running', runId: 1, totalSteps: 6, modalities: ['rgb'], preset: 'tiny' });
    const done = await w.until('done', (s) => s.phase === 'done');
    expect(done.step).toBe(6);
    expect(done.checkpointStep).toBe(6);

    const rows = w.rows();
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of rows) expect(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm) && r.modalityLoss.length === 1).toBe(true);
    const validated = w.events.flatMap((e) => (e.kind === 'train.validated' ? [e.row] : []));
    expect(validated.map((v) => v.step)).toEqual([3, 6]);
    expect(validated.every((v) => Number.isFinite(v.loss) && v.tiles === 2)).toBe(true);
    const saved = w.events.flatMap((e) => (e.kind === 'train.saved' && e.info ? [e] : []));
    expect(saved.map((e) => e.info!.step)).toEqual([2, 4, 6]);
    // Node has no origin-private file system: the autosave lives in memory, and the page is told why.
    expect(saved[0].info!.where).toBe('memory');
    expect(saved[0].error).toMatch(/memory only/);
    const phases = w.events.flatMap((e) => (e.kind === 'train.state' ? [e.status.phase] : []));
    expect(phases[0]).toBe('starting');
    expect(phases.at(-1)).toBe('done');
    console.log(`[handlers] losses ${rows.map((r) => r.loss.toFixed(4)).join(' ')}; validation ${validated.map((v) => v.loss.toFixed(4)).join(' ')}`);

    const ck = await w.request<ExportFile>({ kind: 'train.checkpoint.save' });
    expect(ck.name).toBe('eo-mae-tiny-step6.safetensors');
    const bundle = decodeCheckpointBundle(new Uint8Array(ck.bytes));
    expect(bundle.state).toMatchObject({ format: CHECKPOINT_FORMAT, step: 6, totalSteps: 6, batchSize: 2, lastLoss: rows[5].loss });
    const live = await readF32(currentTrainer(w.state)!.device, currentTrainer(w.state)!.params.buffer);
    expect(bundle.params).toEqual(live);

    const weights = readSafetensors(new Uint8Array((await w.request<ExportFile>({ kind: 'train.export.weights' })).bytes));
    expect(weights.metadata.step).toBe('6');
    expect(Object.keys(weights.tensors)).toEqual(buildParamLayout(bundle.state.config).entries.map((e) => e.name));
    const cfg = JSON.parse(new TextDecoder().decode((await w.request<ExportFile>({ kind: 'train.export.config' })).bytes));
    expect(cfg).toEqual(bundle.state.config);
    await finish(w);
  });

  it('pauses, holds for inspection and stops only at step boundaries', async () => {
    await w.request({ kind: 'train.start', settings: { ...SETTINGS, steps: 200 } });
    await w.until('step 1', (s) => s.step >= 1);
    const paused = await w.request<TrainStatus>({ kind: 'train.pause' });
    expect(paused.phase).toBe('paused');
    // Pausing autosaves the paused step.
    expect(paused.checkpointStep).toBe(paused.step);
    await new Promise((r) => setTimeout(r, 300));
    expect((await w.status()).step).toBe(paused.step);
    // A hold while paused is immediate, and its release does not resume.
    (await pauseForInspection(w.state))();
    await new Promise((r) => setTimeout(r, 100));
    expect((await w.status()).phase).toBe('paused');
    await expect(w.request({ kind: 'train.pause' })).rejects.toThrow('Training is not running.');

    await w.request({ kind: 'train.resume' });
    await w.until('two more steps', (s) => s.step >= paused.step + 2);
    const release = await pauseForInspection(w.state);
    const trainer = currentTrainer(w.state)!;
    const heldAt = trainer.step;
    const p1 = await readF32(trainer.device, trainer.params.buffer);
    await new Promise((r) => setTimeout(r, 300));
    expect(trainer.step).toBe(heldAt);
    expect(await readF32(trainer.device, trainer.params.buffer)).toEqual(p1);
    expect((await w.status()).phase).toBe('running'); // no visible pause
    release();
    await w.until('a step after the hold', (s) => s.step > heldAt);
    const stopped = await w.request<TrainStatus>({ kind: 'train.stop' });
    expect(stopped.phase).toBe('stopped');
    expect(stopped.step).toBeLessThan(200);
    expect(stopped.checkpointStep).toBe(stopped.step);
    expect(currentTrainer(w.state)).not.toBeNull(); // the weights stay for inspection
    await finish(w);
  });

  it('a NaN stops with the step and tensor; recovery resumes from the last checkpoint', async () => {
    await w.request({ kind: 'train.start', settings: { ...SETTINGS, steps: 6, autosaveEvery: 1 } });
    await w.until('step 2', (s) => s.step >= 2);
    const release = await pauseForInspection(w.state);
    const trainer = currentTrainer(w.state)!;
    const good = trainer.step;
    const layout = buildParamLayout(trainer.config);
    const victim = layout.entries.find((e) => e.name.includes('fc1.w'))!;
    trainer.device.queue.writeBuffer(trainer.params.buffer, (victim.offset + 3) * 4, new Float32Array([NaN]));
    release();
    const failed = await w.until('failed', (s) => s.phase === 'failed');
    expect(failed.failure).toMatchObject({ kind: 'nan', step: good + 1, tensor: `parameter ${victim.name}` });
    expect(failed.failure!.message).toMatch(new RegExp(`Training stopped at step ${good + 1}: the loss became NaN .*resume from the last checkpoint`));
    expect(failed.step).toBe(good);
    expect(failed.checkpointStep).toBe(good);
    expect(failed.canRecover).toBe(true);
    expect(currentTrainer(w.state)).not.toBeNull();

    const before = w.events.length;
    const resumed = await w.request<TrainStatus>({ kind: 'train.recover', settings: { ...SETTINGS, steps: 6, autosaveEvery: 1, peakLr: 5e-4 } });
    expect(resumed).toMatchObject({ phase: 'running', runId: failed.runId, failure: null });
    expect(resumed.note).toBe(`Resumed from the checkpoint of step ${good}.`);
    expect(w.events.slice(before).find((e) => e.kind === 'train.rewound')).toEqual({ kind: 'train.rewound', runId: failed.runId, step: good });
    const done = await w.until('done', (s) => s.phase === 'done');
    expect(done.step).toBe(6);
    const after = w.events.slice(before).flatMap((e) => (e.kind === 'train.steps' ? e.rows : []));
    expect(after.map((r) => r.step)).toEqual(Array.from({ length: 6 - good }, (_, i) => good + 1 + i));
    expect(after.every((r) => Number.isFinite(r.loss))).toBe(true);
    await finish(w);
  });

  it('a checkpoint upload refuses garbage and other models unchanged; a good one arrives paused and continues', async () => {
    await w.request({ kind: 'train.start', settings: { ...SETTINGS, steps: 4 } });
    await w.until('step 2', (s) => s.step >= 2);
    await expect(w.request({ kind: 'train.checkpoint.load', file: new File([new Uint8Array(4)], 'x.safetensors'), autosaveEvery: 0, validateEvery: 0, validationTiles: 1 })).rejects.toThrow(
      'Pause or stop the training before loading a checkpoint.',
    );
    const stopped = await w.request<TrainStatus>({ kind: 'train.stop' });
    const mine = await w.request<ExportFile>({ kind: 'train.checkpoint.save' });
    const cadence = { autosaveEvery: 0, validateEvery: 0, validationTiles: 1 };

    const garbage = new File([new TextEncoder().encode('definitely not a checkpoint')], 'notes.txt');
    await expect(w.request({ kind: 'train.checkpoint.load', file: garbage, ...cadence })).rejects.toThrow(/^notes\.txt: /);
    const config = tinyTwoGroupConfig();
    const n = buildParamLayout(config).size;
    const foreignBytes = encodeCheckpointBundle({
      state: { format: CHECKPOINT_FORMAT, config, optimizer: DEFAULT_OPTIMIZER, batchSize: 2, seed: 0, step: 3, totalSteps: 10, adapter: 'x', lastLoss: null, savedAt: new Date().toISOString() },
      params: new Float32Array(n),
      m: new Float32Array(n),
      v: new Float32Array(n),
      ema: null,
    });
    await expect(w.request({ kind: 'train.checkpoint.load', file: new File([foreignBytes as Uint8Array<ArrayBuffer>], 'foreign.safetensors'), ...cadence })).rejects.toThrow(/different model configuration/);
    expect(await w.status()).toMatchObject({ phase: 'stopped', runId: stopped.runId, step: stopped.step });

    const loaded = await w.request<TrainStatus>({ kind: 'train.checkpoint.load', file: new File([mine.bytes], mine.name), ...cadence });
    expect(loaded).toMatchObject({ phase: 'paused', step: stopped.step, totalSteps: 4, runId: stopped.runId + 1, checkpointStep: stopped.step });
    expect(loaded.note).toBe(`Loaded ${mine.name} at step ${stopped.step} of 4. Resume to continue training.`);
    await w.request({ kind: 'train.resume' });
    expect((await w.until('done', (s) => s.phase === 'done')).step).toBe(4);
    await finish(w);
  });

  it('a lost device pauses the run; recovery acquires a new device and continues from the checkpoint', async () => {
    await w.request({ kind: 'train.start', settings: { ...SETTINGS, steps: 5, autosaveEvery: 1 } });
    await w.until('the autosave of step 2', (s) => (s.checkpointStep ?? 0) >= 2);
    const oldDevice = currentTrainer(w.state)!.device;
    await w.request({ kind: 'train.simulateDeviceLoss' });
    const lost = await w.until('lost', (s) => s.phase === 'lost');
    expect(lost.failure?.kind).toBe('device-lost');
    expect(lost.failure?.message).toMatch(/The GPU device was lost .*resuming acquires a new device/);
    expect(currentTrainer(w.state)).toBeNull();
    await expect(w.request({ kind: 'train.checkpoint.save' })).rejects.toThrow(/no trained weights|lost/);
    const from = lost.checkpointStep!;
    expect(from).toBeGreaterThanOrEqual(2);

    const before = w.events.length;
    await w.request({ kind: 'train.recover', settings: { ...SETTINGS, steps: 5, autosaveEvery: 1 } });
    expect(currentTrainer(w.state)!.device).not.toBe(oldDevice);
    // The page's GPU badge said "lost"; it hears about the new device.
    expect(w.events.slice(before).some((e) => e.kind === 'gpu.status' && e.status.state === 'ready')).toBe(true);
    expect(w.events.slice(before).find((e) => e.kind === 'train.rewound')).toMatchObject({ step: from });
    const done = await w.until('done', (s) => s.phase === 'done');
    expect(done.step).toBe(5);
    await finish(w);
  });
});
