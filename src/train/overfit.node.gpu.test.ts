// On a real batch from ../shared/data (the Sentinel-2 L1C 13-band stack), the tiny preset must overfit: training on
// that one batch (with one fixed set of masks) drives the loss below 30 % of its initial value. Node only: it reads
// the file from disk.
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset';
import { blobSource } from '../data/source';
import { gpuCase } from '../gpu/testing/harness';
import { Rng } from '../lib/rng';
import { configFromDataset } from './datasetConfig';
import { DEFAULT_OPTIMIZER, Trainer } from './trainer';

const S2 = path.resolve(process.cwd(), '../shared/data/sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif');

describe('tiny preset on a real Sentinel-2 batch', () => {
  it('overfits one batch: loss < 30 % of the initial loss', async () => {
    // Default 32-px windows: with the tiny preset's 2-px patches (datasetConfig.ts), 256 tokens per sample.
    const dataset = await Dataset.open([blobSource(await openAsBlob(S2), S2)], { seed: 1 });
    const batch = await dataset.batch(new Rng(3), 2, false);
    const config = configFromDataset(dataset.modalities, 'tiny', { masking: { strategy: 'random', ratio: 0.75 } });
    await gpuCase(async ({ device }) => {
      const steps = 40;
      const trainer = await Trainer.create(
        device,
        { config, batchSize: 2, seed: 5, fixedMasks: true, optimizer: { ...DEFAULT_OPTIMIZER, schedule: { kind: 'constant', lr: 2e-3 }, weightDecay: 0 } },
        { batch: async () => batch },
      );
      const losses: number[] = [];
      try {
        for (let s = 0; s < steps; s++) losses.push((await trainer.trainStep()).loss);
      } finally {
        trainer.destroy();
      }
      const initial = losses[0];
      const final = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
      console.log(`[overfit] loss ${initial.toFixed(4)} → ${final.toFixed(4)} (${((100 * final) / initial).toFixed(1)} %) after ${steps} steps; every 10th: ${losses.filter((_, i) => i % 10 === 0).map((l) => l.toFixed(3)).join(' ')}`);
      expect(final).toBeLessThan(0.3 * initial);
    });
  });
});
