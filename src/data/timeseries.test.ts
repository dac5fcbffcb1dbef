/**
 * The real 105-date Landsat series (b3/b4/b5 + Fmask per scene): per-band stacking, Fmask-aware MAESTRO binning to a
 * few dates, and training/validation samples in the sample.ts contract.
 * Reference: method.md §2.3 (temporal binning); /work/shared/data/README.md (landsat-lsts-105dates).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { Dataset } from './dataset';
import { mapLimit, openAndInspect } from './inspect';
import type { RasterFile } from './raster';
import { collate } from './sample';
import { ValidityIndex } from './validityIndex';
import { listSharedFiles, sharedDataAvailable, sharedSource } from './testing/sharedData';

const d = describe.skipIf(!sharedDataAvailable());

let withMask: Dataset;
let noMask: Dataset;

d('105-date Landsat series', () => {
  beforeAll(async () => {
    const all = listSharedFiles('landsat-lsts-105dates');
    const sources = await Promise.all(all.map(sharedSource));
    // Inspect once; build one dataset with the Fmask files and one without them from the same records.
    const opened = await mapLimit(sources, 4, (s) => openAndInspect(s));
    const records = opened.map((o) => o.record);
    const files = new Map(opened.filter((o) => o.file).map((o) => [o.record.path, o.file as RasterFile]));
    const config = { modalities: ['landsat'], numDates: 8, seed: 3 };
    withMask = await Dataset.fromRecords(records, files, config);
    noMask = await Dataset.fromRecords(
      records.filter((r) => !r.path.endsWith('_fmask.tif')),
      files,
      config,
    );
  }, 120_000);

  it('stacks b3/b4/b5 per scene and pairs every Fmask', () => {
    expect(withMask.catalog.acquisitions.length).toBe(105);
    expect(withMask.catalog.unused).toEqual([]);
    expect(withMask.modalities.map((m) => [m.name, m.bands, m.T, m.size])).toEqual([['landsat', ['B3', 'B4', 'B5'], 8, 32]]);
    expect(withMask.sampleMeters).toBe(960);
    expect(withMask.modalities[0].scalingDescription).toMatch(/DN \/ 10000/);
  });

  it('bins 105 dates into 8 bins of 13 and picks, per bin, a date with the most valid (cloud-free, non-fill) pixels', async () => {
    const rep = await withMask.binSeries('loc0', 'landsat', 'eval');
    expect([rep.S, rep.T, rep.k]).toEqual([105, 8, 13]);
    expect(rep.offset).toBeGreaterThanOrEqual(0);
    expect(rep.offset).toBeLessThanOrEqual(105 % 8);
    expect(rep.chosen.length).toBe(8);
    const idx = rep.chosen.map((c) => c.index);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    rep.chosen.forEach((c, t) => {
      const bin = Array.from({ length: 13 }, (_, j) => rep.offset + t * 13 + j);
      expect(bin).toContain(c.index);
      const best = Math.max(...bin.map((i) => rep.validFraction[i]));
      expect(c.validFraction).toBeCloseTo(best, 12);
      if (best === 1) expect(c.rule).toBe('clear');
    });
  });

  it('uses the Fmask: cloudy dates lose valid pixels and the choice changes when the mask is removed', async () => {
    const a = await withMask.binSeries('loc0', 'landsat', 'eval');
    const b = await noMask.binSeries('loc0', 'landsat', 'eval');
    expect(a.offset).toBe(b.offset);
    // With the mask, valid fractions can only drop (cloud, shadow and fill pixels are removed).
    let dropped = 0;
    a.validFraction.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      expect(v).toBeLessThanOrEqual(b.validFraction[i] + 1e-12);
      if (v < b.validFraction[i] - 0.05) dropped++;
    });
    expect(dropped).toBeGreaterThan(10);
    expect(a.chosen.map((c) => c.index)).not.toEqual(b.chosen.map((c) => c.index));
  });

  it('draws seeded training samples with 8 binned dates, shapes and dates in the sample contract', async () => {
    const s1 = await withMask.sample(new Rng(11));
    const s2 = await withMask.sample(new Rng(11));
    expect(s1.id).toBe(s2.id);
    const m = s1.modalities.landsat;
    expect([m.T, m.C, m.H, m.W, m.gsd]).toEqual([8, 3, 32, 32, 30]);
    expect(m.data.length).toBe(8 * 3 * 32 * 32);
    expect(m.valid.length).toBe(8 * 32 * 32);
    expect(Array.from(m.data)).toEqual(Array.from(s2.modalities.landsat.data));
    for (let t = 1; t < 8; t++) {
      const a = m.dates[t - 1];
      const b = m.dates[t];
      expect(b.year * 366 + b.doy).toBeGreaterThan(a.year * 366 + a.doy);
    }
    // Invalid pixels hold 0; valid reflectances are in a plausible range.
    for (let t = 0; t < 8; t++) {
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 1024; p++) {
          const v = m.data[(t * 3 + c) * 1024 + p];
          if (!m.valid[t * 1024 + p]) expect(v).toBe(0);
          else expect(v).toBeGreaterThan(-0.1);
        }
      }
    }
    const batch = collate([s1, await withMask.sample(new Rng(12))]);
    expect(batch.modalities.landsat.data.length).toBe(2 * 8 * 3 * 32 * 32);
  });

  it('picks the same dates, pixels and masks from validity tables as from reading every candidate', async () => {
    // The tables (validityIndex.ts) replace the candidates' validity reads; the samples must not change at all.
    const all = listSharedFiles('landsat-lsts-105dates');
    const opened = await mapLimit(await Promise.all(all.map(sharedSource)), 4, (s) => openAndInspect(s));
    const files = new Map(opened.filter((o) => o.file).map((o) => [o.record.path, o.file as RasterFile]));
    const records = opened.map((o) => o.record);
    const config = { modalities: ['landsat'], numDates: 8, seed: 3 };
    const index = new ValidityIndex();
    const tabled = await Dataset.fromRecords(records, files, config, { validity: index });
    const read = await Dataset.fromRecords(records, files, config, { validity: null });
    const a = new Rng(21);
    const b = new Rng(21);
    for (let k = 0; k < 6; k++) {
      const x = (await tabled.sample(a)).modalities.landsat;
      const y = (await read.sample(b)).modalities.landsat;
      expect(x.dates).toEqual(y.dates);
      expect(Buffer.from(x.valid.buffer).equals(Buffer.from(y.valid.buffer)), `sample ${k} valid`).toBe(true);
      expect(Buffer.from(x.data.buffer).equals(Buffer.from(y.data.buffer)), `sample ${k} data`).toBe(true);
    }
    // One table per acquisition that a sample's bins counted: (61 + 1)² counts each.
    expect(index.bytes).toBeGreaterThan(0);
    expect(index.bytes % (62 * 62 * 4)).toBe(0);
  });

  it('tiles the series deterministically for validation', async () => {
    expect(withMask.tileCount).toBeGreaterThanOrEqual(1);
    const a = await withMask.tile(0);
    const b = await withMask.tile(0);
    expect(a.id).toBe(b.id);
    expect(a.id).not.toMatch(/flip/);
    expect(Array.from(a.modalities.landsat.valid)).toEqual(Array.from(b.modalities.landsat.valid));
  });

  it('keeps per-band statistics with the dataset', () => {
    const st = withMask.stats.landsat;
    expect(st.bands).toEqual(['B3', 'B4', 'B5']);
    for (const s of st.stats) {
      expect(s.count).toBeGreaterThan(1000);
      expect(s.mean).toBeGreaterThan(0);
      expect(s.mean).toBeLessThan(1);
      expect(s.p98).toBeGreaterThan(s.p2);
    }
  });
});
