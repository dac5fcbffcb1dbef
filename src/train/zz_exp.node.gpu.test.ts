import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { Dataset } from '../data/dataset';
import { blobSource } from '../data/source';
import { gpuCase } from '../gpu/testing/harness';
import { Rng } from '../lib/rng';
import { configFromDataset } from '../train/datasetConfig';
import { DEFAULT_OPTIMIZER, Trainer } from '../train/trainer';
const S2 = path.resolve('/work/shared/data/sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif');
for (const [B, lr, ratio, tn] of [[2, 3e-3, 0.75, 'patch-group'], [4, 2e-3, 0.75, 'none'], [4, 2e-3, 0.5, 'patch-group']] as const)
it(`B${B} lr${lr} r${ratio} ${tn}`, async () => {
  const dataset = await Dataset.open([blobSource(await openAsBlob(S2), S2)], { seed: 1 });
  const batch = await dataset.batch(new Rng(3), B, false);
  const config = configFromDataset(dataset.modalities, 'tiny', { masking: { strategy: 'random', ratio }, targetNorm: tn });
  await gpuCase(async ({ device }) => {
    const trainer = await Trainer.create(device, { config, batchSize: B, seed: 5, fixedMasks: true, optimizer: { ...DEFAULT_OPTIMIZER, schedule: { kind: 'constant', lr }, weightDecay: 0 } }, { batch: async () => batch });
    const losses: number[] = [];
    for (let s = 0; s < 100; s++) losses.push((await trainer.trainStep()).loss);
    trainer.destroy();
    console.log(`EXP B${B} lr${lr} r${ratio} ${tn}: ${losses.filter((_, i) => i % 10 === 0).map((l) => l.toFixed(3)).join(' ')} final ${(losses[99] / losses[0] * 100).toFixed(1)}%`);
  });
}, 600000);
