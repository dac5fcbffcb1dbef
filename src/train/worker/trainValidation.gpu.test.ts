// The validation evaluator's forward-only graph on the trainer's own parameter buffer: on the batch and masks of a
// training step it gives the very loss that step reports (same kernels, same weights), it follows the weights as they
// train (no stale copy), the tile evaluation is deterministic, and destroying it leaves the trainer working.
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../data/sample';
import { gpuCase } from '../../gpu/testing/harness';
import { randomBatch } from '../../model/testing/batches';
import { buildConfig } from '../../model/config';
import { DEFAULT_OPTIMIZER, Trainer, type BatchSource } from '../trainer';
import { ValidationEvaluator, type TileSource } from './trainValidation';

// Two modalities in one fusion group: per-modality losses are exercised, with few kernels to compile (SwiftShader).
const config = buildConfig(
  'tiny',
  [
    { name: 'A', bands: ['a0', 'a1', 'a2'], normGroups: [2, 1], patchSize: 2, imageSize: 4, gsd: 10, dates: 2, group: 'G' },
    { name: 'B', bands: ['b0', 'b1'], patchSize: 2, imageSize: 4, gsd: 10, dates: 1, group: 'G' },
  ],
  { encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 0, mlpRatio: 2 }, decoder: { width: 12, heads: 2, depth: 1, mlpHidden: 20 }, loss: 'l2' },
);
const B = 2;
const source: BatchSource = { batch: async (rng, b) => randomBatch(config, b, rng.nextU32()) };
const optimizer = { ...DEFAULT_OPTIMIZER, schedule: { kind: 'constant' as const, lr: 3e-3 } };

/** Tile i: one synthetic sample, the same every time it is read. */
const tiles: TileSource = {
  tileCount: 5,
  async tile(i: number): Promise<Sample> {
    const b = randomBatch(config, 1, 9000 + i);
    const modalities: Sample['modalities'] = {};
    for (const [k, m] of Object.entries(b.modalities)) {
      modalities[k] = { modality: k, bands: m.bands, gsd: m.gsd, T: m.T, C: m.C, H: m.H, W: m.W, data: m.data, valid: m.valid, dates: m.dates[0], footprint: m.footprints[0] };
    }
    return { id: `tile-${i}`, modalities };
  },
};

describe('ValidationEvaluator on GPU', () => {
  it('matches the training loss on the same batch and follows the weights', async () => {
    await gpuCase(async ({ device }) => {
      const trainer = await Trainer.create(device, { config, batchSize: B, seed: 3, optimizer }, source);
      const evaluator = await ValidationEvaluator.create(device, config, trainer.params, tiles, { maxTiles: 5, trainBatch: B, seed: 3 });
      try {
        // 5 tiles at batch 2 → 2 batches, 4 tiles (each tile counts once).
        expect(evaluator.tiles).toBe(4);
        const { batch, masks } = await trainer.inputsFor(0);
        const before = await evaluator.lossOf(batch, masks);
        const m1 = await trainer.trainStep();
        console.log(`[validation] eval ${before.loss.toFixed(6)} vs step-1 loss ${m1.loss.toFixed(6)}`);
        expect(Math.abs(before.loss - m1.loss) / m1.loss).toBeLessThan(1e-5);
        before.modalityLoss.forEach((v, i) => expect(Math.abs(v - m1.modalityLoss[i]) / m1.modalityLoss[i]).toBeLessThan(1e-5));

        const v1 = await evaluator.evaluate(1);
        const v1again = await evaluator.evaluate(1);
        expect(v1again.loss).toBe(v1.loss);
        expect(v1.tiles).toBe(4);
        expect(Number.isFinite(v1.loss)).toBe(true);

        const after = await evaluator.lossOf(batch, masks);
        expect(after.loss).not.toBe(before.loss);
        for (let i = 0; i < 2; i++) await trainer.trainStep();
        const v3 = await evaluator.evaluate(3);
        console.log(`[validation] tile loss step 1 ${v1.loss.toFixed(5)} → step 3 ${v3.loss.toFixed(5)}`);
        expect(v3.loss).not.toBe(v1.loss);
      } finally {
        evaluator.destroy();
      }
      // The trainer owns its parameters: freeing the evaluator must not touch them.
      const m = await trainer.trainStep();
      expect(Number.isFinite(m.loss)).toBe(true);
      trainer.destroy();
    });
  });

  it('refuses a source without tiles with a plain message', async () => {
    await gpuCase(async ({ device }) => {
      const trainer = await Trainer.create(device, { config, batchSize: B, seed: 3, optimizer }, source);
      try {
        await expect(ValidationEvaluator.create(device, config, trainer.params, { tileCount: 0, tile: tiles.tile }, { maxTiles: 4, trainBatch: B, seed: 0 })).rejects.toThrow(/no validation tiles/);
      } finally {
        trainer.destroy();
      }
    });
  });
});
