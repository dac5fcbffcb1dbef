/**
 * Benchmark helper for the lead's bench: the whole preparation (open + inspect + stats, stack, scale, bin, sample,
 * collate) on a list of files, next to plain geotiff `readRasters()` of every whole image on the same files.
 *
 * Reports seconds and decoded megabytes for both, plus bytes fetched and samples per second for the pipeline, so a
 * regression in either decoding or the pipeline's own work shows up separately. Runs in Node and in the browser;
 * pass a geotiff Pool to measure worker decoding (the plain baseline uses the same pool).
 * Invariants: the baseline and the pipeline read through separate ByteSource wrappers, so neither warms the other's
 * decode cache; results are plain numbers (JSON-serialisable).
 * Reference: bench/ (the lead's runner); data.md §1.12 quirk 2 (readRasters timings).
 */
import { GeoTIFF, type Pool } from 'geotiff';
import { Rng } from '../lib/rng';
import { Dataset, type DatasetConfig } from './dataset';
import { DecodeCache, newIoStats } from './raster';
import { toGeotiffSource, type ByteSource } from './source';

export interface BenchOptions {
  /** Training samples to draw after preparation (default 16), collated in batches of `batchSize` (default 8). */
  samples?: number;
  batchSize?: number;
  config?: DatasetConfig;
  pool?: Pool | null;
  seed?: number;
}

export interface BenchResult {
  files: number;
  pool: 'workers' | 'inline';
  pipeline: {
    seconds: number;
    prepareSeconds: number;
    sampleSeconds: number;
    decodedMB: number;
    fetchedMB: number;
    samples: number;
    samplesPerSecond: number;
    modalities: string[];
    unusedFiles: number;
  };
  plain: { seconds: number; decodedMB: number; files: number; failed: number };
}

const MB = 2 ** 20;

/** Plain geotiff: open every file and decode its whole first image. */
async function plainReadRasters(sources: readonly ByteSource[], pool: Pool | null): Promise<BenchResult['plain']> {
  const t0 = performance.now();
  let bytes = 0;
  let failed = 0;
  for (const s of sources) {
    try {
      const tiff = await GeoTIFF.fromSource(toGeotiffSource(s));
      const image = await tiff.getImage(0);
      const r = await image.readRasters({ pool });
      bytes += (r as unknown as ArrayBufferView[]).reduce((a, b) => a + b.byteLength, 0);
    } catch {
      failed++;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, decodedMB: bytes / MB, files: sources.length, failed };
}

export async function benchPreparation(sources: readonly ByteSource[], opts: BenchOptions = {}): Promise<BenchResult> {
  const pool = opts.pool ?? null;
  const nSamples = opts.samples ?? 16;
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const io = newIoStats();
  const t0 = performance.now();
  const ds = await Dataset.open(sources, opts.config ?? {}, { io, pool, cache: new DecodeCache() });
  const t1 = performance.now();
  const rng = new Rng(opts.seed ?? 0);
  let drawn = 0;
  if (ds.modalities.length > 0) {
    while (drawn < nSamples) {
      const B = Math.min(batchSize, nSamples - drawn);
      await ds.batch(rng, B);
      drawn += B;
    }
  }
  const t2 = performance.now();
  const plain = await plainReadRasters(sources, pool);
  const sampleSeconds = (t2 - t1) / 1000;
  return {
    files: sources.length,
    pool: pool ? 'workers' : 'inline',
    pipeline: {
      seconds: (t2 - t0) / 1000,
      prepareSeconds: (t1 - t0) / 1000,
      sampleSeconds,
      decodedMB: io.bytesDecoded / MB,
      fetchedMB: io.bytes / MB,
      samples: drawn,
      samplesPerSecond: sampleSeconds > 0 ? drawn / sampleSeconds : 0,
      modalities: ds.modalities.map((m) => m.name),
      unusedFiles: new Set(ds.catalog.unused.map((u) => u.path)).size,
    },
    plain,
  };
}
