/**
 * The data pipeline in a real browser: this file uses no GPU; it lives in the GPU tiers only because those are the
 * project's tiers that run inside headless Chromium (gpu-browser) as well as Node (gpu-node). It checks what differs
 * between the two runtimes: File/Blob slicing as dropped files are read, CompressionStream-written Deflate tiles,
 * geotiff's worker `Pool` (blob-URL workers in the browser, worker_threads in Node) decoding the same pixels as
 * inline decoding, proj4 footprints, and a full Dataset → Sample → collate round on a two-modality synthetic site.
 * Reference: src/data/source.ts (why not fromBlob), src/data/pool.ts; data.md §1.2, §1.10.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { Dataset } from './dataset';
import { inspectFile } from './inspect';
import { createDecodePool, destroyDecodePool } from './pool';
import { RasterFile } from './raster';
import { collate } from './sample';
import { blobSource } from './source';
import { writeTiff } from './testing/tiffWriter';

async function siteFile(name: string, gsd: number, n: number, bands: number): Promise<File> {
  const data = Array.from({ length: bands }, (_, b) => Array.from({ length: n * n }, (_, i) => 1000 + ((i * 31 + b * 17) % 4000)));
  const bytes = await writeTiff({ width: n, height: n, bands: data, dtype: 'uint16', tile: 32, compression: 8, predictor: 2, geo: { pixelScale: [gsd, gsd], tiepoint: [300000, 5800000], epsg: 32633 } });
  return new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'image/tiff' });
}

describe('data pipeline in this runtime', () => {
  it('reads a dropped File lazily and recognises it', async () => {
    const file = await siteFile('S2A_MSIL2A_20200601T101031_N0214_R022_T33UUU_20200601T120000.tif', 10, 96, 12);
    const r = await inspectFile(blobSource(file));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.path).toBe(file.name);
    expect([r.recognition.sensor, r.recognition.level, r.bands.length, r.dateText]).toEqual(['sentinel-2', 'L2A', 12, '2020-06-01T10h']);
    expect(r.footprint?.[0].lon).toBeCloseTo(12.07, 1);
  });

  it('decodes the same pixels with the geotiff worker Pool as inline', async () => {
    const file = await siteFile('pool_check.tif', 10, 96, 3);
    const pool = createDecodePool(2);
    expect(pool).not.toBeNull();
    try {
      const f = await RasterFile.open(blobSource(file));
      const inline = await f.readWindow([5, 7, 90, 80]);
      const pooled = await f.readWindow([5, 7, 90, 80], { pool });
      for (let b = 0; b < 3; b++) expect(Array.from(pooled.bands[b])).toEqual(Array.from(inline.bands[b]));
    } finally {
      await destroyDecodePool(pool);
    }
  });

  it('builds aligned two-modality samples and collates them', async () => {
    const files = [await siteFile('site/fine_20200601.tif', 10, 96, 2), await siteFile('site/coarse_20200601.tif', 30, 32, 2)];
    const ds = await Dataset.open(files.map((f) => blobSource(f, f.name)), { modalities: ['fine', 'coarse'], sampleMeters: 480 });
    const rng = new Rng(1);
    const batch = collate([await ds.sample(rng), await ds.sample(rng)]);
    expect([batch.B, batch.modalities.fine.H, batch.modalities.coarse.H]).toEqual([2, 48, 16]);
    expect(batch.modalities.fine.valid.every((v) => v === 1)).toBe(true);
  });
});
