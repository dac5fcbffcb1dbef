// A²-MAE-style multi-source pre-training on real data (method.md §7): the real Sentinel-2 L1C stack of ../shared/data
// (Austria, 2017-02-16, 10 m) plus a "Landsat-like" second source made from the SAME windows — six S2 bands
// (B02 B03 B04 B8A B11 B12, the Landsat OLI blue … SWIR2 equivalents) block-averaged 3×3 to 30 m. The real Landsat
// files of ../shared/data (Colorado, Peru) do not overlap the S2 tile, so this resampled source is how a co-located
// 10 m + 30 m image set is built from the shared data; it shares the S2 footprint and date (so anchor projection is
// exact and date adaptation is neutral). Tiny preset, anchor-aware masking (random anchor rule) and the full
// geographic encoding: training on fresh random windows every step must lower the loss. Node only (reads the file).
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset';
import type { Batch, ModalityBatch } from '../data/sample';
import { blobSource } from '../data/source';
import { gpuCase } from '../gpu/testing/harness';
import type { Rng } from '../lib/rng';
import { groupTokenCounts } from '../model/config';
import { configFromDataset } from './datasetConfig';
import { DEFAULT_OPTIMIZER, Trainer, type BatchSource } from './trainer';

const S2 = path.resolve(process.cwd(), '../shared/data/sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif');
const LANDSAT_LIKE = ['B02', 'B03', 'B04', 'B8A', 'B11', 'B12'];
const LANDSAT_NAMES = ['blue', 'green', 'red', 'nir', 'swir1', 'swir2'];

/** The 30 m Landsat-like modality of an S2 batch: the chosen bands averaged over 3×3 pixel blocks (valid pixels only). */
function landsatLike(s2: ModalityBatch): ModalityBatch {
  const { B, T, H } = s2;
  const h = H / 3;
  const C = LANDSAT_LIKE.length;
  const idx = LANDSAT_LIKE.map((b) => s2.bands.indexOf(b));
  if (!Number.isInteger(h) || idx.some((i) => i < 0)) throw new Error(`cannot derive a 30 m source from ${H} px with bands ${s2.bands.join(',')}`);
  const data = new Float32Array(B * T * C * h * h);
  const valid = new Uint8Array(B * T * h * h);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < h; x++) {
          let n = 0;
          const sums = new Float64Array(C);
          for (let dy = 0; dy < 3; dy++)
            for (let dx = 0; dx < 3; dx++) {
              const p = (3 * y + dy) * H + 3 * x + dx;
              if (!s2.valid[(b * T + t) * H * H + p]) continue;
              n++;
              idx.forEach((ci, c) => (sums[c] += s2.data[((b * T + t) * s2.C + ci) * H * H + p]));
            }
          valid[(b * T + t) * h * h + y * h + x] = n > 0 ? 1 : 0;
          for (let c = 0; c < C; c++) data[((b * T + t) * C + c) * h * h + y * h + x] = n > 0 ? sums[c] / n : 0;
        }
  return { ...s2, modality: 'landsat', bands: [...LANDSAT_NAMES], gsd: s2.gsd * 3, C, H: h, W: h, data, valid, dates: s2.dates.map((d) => [...d]), footprints: [...s2.footprints] };
}

describe('A²-MAE-style two-source pre-training on real Sentinel-2 (+ a 30 m Landsat-like resampling)', () => {
  it('anchor masking + full geo encoding: the loss falls on fresh random windows', async () => {
    const dataset = await Dataset.open([blobSource(await openAsBlob(S2), S2)], { seed: 1, sampleMeters: 240 });
    const s2 = dataset.modalities[0];
    expect([s2.name, s2.size, s2.gsd]).toEqual(['s2', 24, 10]);
    const source: BatchSource = {
      batch: async (rng: Rng, B: number): Promise<Batch> => {
        const batch = await dataset.batch(rng, B, true);
        return { ...batch, modalities: { ...batch.modalities, landsat: landsatLike(batch.modalities.s2) } };
      },
    };
    const config = configFromDataset([s2, { name: 'landsat', bands: LANDSAT_NAMES, normGroups: null, gsd: 30, size: 8, T: 1 }], 'tiny', {
      masking: { strategy: 'anchor', ratio: 0.75 },
      geoEncoding: 'full',
      patchSizes: { s2: 2, landsat: 2 },
    });
    // s2: 12×12 tokens of 20 m, landsat: 4×4 tokens of 60 m, one fusion group each.
    expect(groupTokenCounts(config)).toEqual([
      { N: 144, masked: 119, K: 25 },
      { N: 16, masked: 10, K: 6 },
    ]);
    await gpuCase(async ({ device }) => {
      const steps = 20;
      const trainer = await Trainer.create(
        device,
        { config, batchSize: 2, seed: 3, optimizer: { ...DEFAULT_OPTIMIZER, schedule: { kind: 'one-cycle', options: { maxLr: 2e-3, totalSteps: steps, pctStart: 0.2, divFactor: 20, finalDivFactor: 10 } } } },
        source,
      );
      const losses: number[] = [];
      const t0 = performance.now();
      try {
        for (let s = 0; s < steps; s++) losses.push((await trainer.trainStep()).loss);
      } finally {
        trainer.destroy();
      }
      const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      const first = mean(losses.slice(0, 5));
      const last = mean(losses.slice(-5));
      console.log(`[a2mae real] ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s: loss ${first.toFixed(4)} (first 5) → ${last.toFixed(4)} (last 5), ${((100 * last) / first).toFixed(1)} %; every 10th: ${losses.filter((_, i) => i % 10 === 0).map((l) => l.toFixed(3)).join(' ')}`);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(last).toBeLessThan(0.6 * first);
    });
  });
});
