// Real-data verification of the probe pipeline (Node only: reads ../shared/data). A small MAE is pre-trained briefly
// on the reflectance bands (b3, b4, b5) of the 105-date Landsat series; its frozen encoder embeds every acquisition
// (date chunks of the model's 8 dates, 16 px = 480 m tiles, 4 px patches); the Fmask rasters of the same dates are
// the labels (dated labels: each token takes the majority Fmask class of its 4×4 pixels on its own date). Linear and
// attentive probes trained on our kernels must beat the chance mIoU of the held-out tiles clearly, and the
// embeddings must carry consistent positions and dates.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset';
import { SHARED_DATA } from '../data/testing/sharedData';
import { gpuCase } from '../gpu/testing/harness';
import { configFromDataset } from '../train/datasetConfig';
import { DEFAULT_OPTIMIZER, Trainer } from '../train/trainer';
import { datasetFor, evaluationSamples } from './data';
import { dateKey } from './labels';
import { loadImages, loadLabels } from './nodeInputs';
import { buildTask, formatProbeReport, runProbes } from './run';
import { embedSamples } from './tokens';

const SERIES = path.join(SHARED_DATA, 'landsat-lsts-105dates');

describe('Fmask probe on the real Landsat series', () => {
  it('beats chance mIoU after a short pre-training, for both heads', async () => {
    const t0 = performance.now();
    const lap = (what: string) => console.log(`[fmask probe] ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const labels = await loadLabels([SERIES]);
    expect(labels.labels.kind).toBe('raster');
    if (labels.labels.kind !== 'raster') return;
    expect(labels.labels.rasters).toHaveLength(105);
    expect(labels.labels.dated).toBe(true);
    expect(labels.labels.rasters.every((r) => r.kind === 'fmask')).toBe(true);
    const { data, files } = await loadImages([SERIES], labels.files);
    expect(files).toHaveLength(315); // b3, b4, b5 of 105 dates; the Fmask files are labels, not bands
    const shapes = await Dataset.fromRecords(data.records, data.files, { seed: 0, sampleMeters: 480, numDates: 8 }, { cache: data.cache });
    const config = configFromDataset(shapes.modalities, 'tiny', {
      encoder: { width: 64, heads: 4, groupDepth: 1, interDepth: 1, mlpRatio: 2 },
      decoder: { width: 64, heads: 4, depth: 1, mlpHidden: 128 },
      masking: { strategy: 'random', ratio: 0.75 },
      patchSizes: { landsat: 4 },
    });
    const train = await datasetFor(data, config, 0);
    lap('data');

    await gpuCase(async ({ device }) => {
      const steps = 20;
      const optimizer = { ...DEFAULT_OPTIMIZER, schedule: { kind: 'one-cycle' as const, options: { maxLr: 2e-3, totalSteps: steps } } };
      const trainer = await Trainer.create(device, { config, batchSize: 4, seed: 0, optimizer }, { batch: (rng, B) => train.batch(rng, B, true) });
      const losses: number[] = [];
      let params: Float32Array;
      try {
        for (let s = 0; s < steps; s++) losses.push((await trainer.trainStep()).loss);
        params = (await trainer.snapshot()).params;
      } finally {
        trainer.destroy();
      }
      lap(`pre-training ${losses[0].toFixed(3)} → ${losses[steps - 1].toFixed(3)}`);
      expect(losses[steps - 1]).toBeLessThan(losses[0]);

      const ev = await evaluationSamples(data, config, { allDates: true, seed: 0 });
      expect(ev.chunks).toBe(Math.ceil(105 / 8));
      const emb = await embedSamples(device, config, params, ev.samples, { batch: 16 });
      lap(`embedded ${ev.samples.length} tiles, ${emb.tokens.count} tokens`);
      const t = emb.tokens;
      // Every acquisition embedded once with real pixels; token centres inside their tile's footprint.
      const realDates = new Set<string>();
      for (let i = 0; i < t.count; i++) if (t.valid[i] > 0) realDates.add(dateKey({ year: t.year[i], doy: t.doy[i], hour: 0 }));
      expect(realDates.size).toBe(105);
      for (let i = 0; i < t.count; i += 97) {
        const fp = emb.samples[t.sample[i]].footprint;
        expect(t.lon[i]).toBeGreaterThan(Math.min(...fp.map((c) => c.lon)));
        expect(t.lon[i]).toBeLessThan(Math.max(...fp.map((c) => c.lon)));
        expect(t.lat[i]).toBeGreaterThan(Math.min(...fp.map((c) => c.lat)));
        expect(t.lat[i]).toBeLessThan(Math.max(...fp.map((c) => c.lat)));
      }

      const { task, notes } = await buildTask(emb, labels.labels, { location: ev.location, files: ev.files }, data.cache);
      expect(notes).toEqual([]);
      expect(task.classNames).toEqual(expect.arrayContaining(['clear', 'shadow', 'snow', 'cloud']));
      const report = await runProbes(device, emb, task, {
        heads: ['linear', 'attentive'],
        fit: { steps: 200, batch: 64, lr: 3e-3, weightDecay: 0.01, seed: 0 },
        split: 'auto',
        testFraction: 0.3,
        splitSeed: 0,
      });
      lap('probes');
      console.log(formatProbeReport(report));
      expect(report.split.kind).toBe('tile');
      const chance = report.chance!;
      for (const h of report.heads) {
        expect(h.single!.mIoU, `${h.head} mIoU vs chance ${chance.mIoU}`).toBeGreaterThan(chance.mIoU + 0.1);
        expect(h.single!.accuracy, `${h.head} accuracy vs majority ${chance.majorityAccuracy}`).toBeGreaterThan(chance.majorityAccuracy);
      }
    });
    lap('total');
  });
});
