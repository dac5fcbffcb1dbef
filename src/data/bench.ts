/**
 * Benchmark helper for the lead's bench (`npm run bench -- data`): the whole preparation (open + inspect + stats,
 * stack, scale, bin, sample, collate) on a list of files, next to plain geotiff.js `readRasters()` on the same files.
 *
 * Two plain baselines, both GeoTIFF.fromSource + getImage(0) + readRasters({ pool }) per file, files
 * `concurrency` at a time like Dataset.open:
 *   - same reads: exactly the decodes the pipeline made (its IoStats log: file, window, bands), with geotiff's own
 *     tile cache on (`cache: true`), so both sides decode the same blocks and return the same decoded bytes. Its time
 *     over the pipeline's is what the preparation adds to plain decoding (issue 5's ≤ 25 % goal);
 *   - whole files: every pixel of every first image once (the reference MB/s of plain decoding).
 * Each figure also reports process CPU time where the runtime exposes it (Node: process.cpuUsage, which includes the
 * Pool's worker threads), so CPU utilisation = CPU time / (wall × cores) says whether decoding uses every core.
 * Invariants: the three passes read through separate ByteSource wrappers and separate GeoTIFF objects, so none warms
 * another's decode cache; results are plain numbers (JSON-serialisable). Runs in Node and in the browser.
 * Reference: bench/suites/data.ts (the runner); data.md §1.12 quirk 2 (readRasters timings).
 */
import { GeoTIFF, type Pool } from 'geotiff';
import { Rng } from '../lib/rng';
import { Dataset, type DatasetConfig } from './dataset';
import { mapLimit } from './inspect';
import { logicalCores } from './pool';
import { DecodeCache, newIoStats, type DecodeRecord } from './raster';
import { toGeotiffSource, type ByteSource } from './source';

export interface BenchOptions {
  /** Training samples to draw after preparation (default 16), collated in batches of `batchSize` (default 8). */
  samples?: number;
  batchSize?: number;
  config?: DatasetConfig;
  pool?: Pool | null;
  seed?: number;
  /** Files opened at once, by the pipeline and by both baselines (default 4, Dataset.open's default). */
  concurrency?: number;
  /** Logical cores for the utilisation figures (default: this runtime's, src/data/pool.ts logicalCores). */
  cores?: number;
  /** Skip the whole-file baseline (the same-reads baseline always runs). */
  skipWhole?: boolean;
}

/** Wall and CPU time of one pass. */
export interface PassTiming {
  seconds: number;
  /** Process CPU seconds (all threads), or null where the runtime has no CPU clock (browsers). */
  cpuSeconds: number | null;
  /** cpuSeconds / (seconds × cores), or null. */
  utilisation: number | null;
}

export interface PlainResult extends PassTiming {
  decodedMB: number;
  files: number;
  /** readRasters calls. */
  reads: number;
  failed: number;
}

export interface BenchResult {
  files: number;
  pool: 'workers' | 'inline';
  cores: number;
  pipeline: PassTiming & {
    prepareSeconds: number;
    sampleSeconds: number;
    decodedMB: number;
    fetchedMB: number;
    decodeCalls: number;
    samples: number;
    samplesPerSecond: number;
    modalities: string[];
    unusedFiles: number;
  };
  /** readRasters of exactly the pipeline's decodes. */
  plain: PlainResult;
  /** readRasters of every whole first image (absent with skipWhole). */
  whole: PlainResult | null;
  /** plain.seconds / pipeline.seconds: ≥ 0.8 meets "preparation adds ≤ 25 % over plain decoding". */
  ratio: number;
}

const MB = 2 ** 20;

type CpuClock = () => number;

/** Process CPU time in seconds (Node, all threads), or null in runtimes without one. */
export function cpuClock(): CpuClock | null {
  const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (typeof proc?.cpuUsage !== 'function') return null;
  return () => {
    const u = proc.cpuUsage!();
    return (u.user + u.system) / 1e6;
  };
}

function timing(t0: number, c0: number | null, clock: CpuClock | null, cores: number): PassTiming {
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = clock && c0 !== null ? clock() - c0 : null;
  return { seconds, cpuSeconds, utilisation: cpuSeconds !== null && seconds > 0 ? cpuSeconds / (seconds * cores) : null };
}

/**
 * Plain geotiff on each file of `plan`: open, then readRasters of each listed window (null: the whole image).
 * `cache` turns on geotiff's own decoded-tile cache for the file.
 */
async function plainPass(
  sources: readonly ByteSource[],
  plan: ReadonlyMap<string, (DecodeRecord | null)[]>,
  pool: Pool | null,
  cache: boolean,
  concurrency: number,
  clock: CpuClock | null,
  cores: number,
): Promise<PlainResult> {
  const byName = new Map(sources.map((s) => [s.name, s]));
  const entries = [...plan.entries()];
  const t0 = performance.now();
  const c0 = clock ? clock() : null;
  let bytes = 0;
  let failed = 0;
  let reads = 0;
  await mapLimit(entries, concurrency, async ([name, list]) => {
    try {
      const tiff = await GeoTIFF.fromSource(toGeotiffSource(byName.get(name) as ByteSource), { cache });
      const image = await tiff.getImage(0);
      for (const r of list) {
        const out = r ? await image.readRasters({ window: [...r.window], samples: [...r.bands], pool, interleave: false }) : await image.readRasters({ pool });
        reads++;
        bytes += (out as unknown as ArrayBufferView[]).reduce((a, b) => a + b.byteLength, 0);
      }
    } catch {
      failed++;
    }
  });
  return { ...timing(t0, c0, clock, cores), decodedMB: bytes / MB, files: entries.length, reads, failed };
}

export async function benchPreparation(sources: readonly ByteSource[], opts: BenchOptions = {}): Promise<BenchResult> {
  const pool = opts.pool ?? null;
  const nSamples = opts.samples ?? 16;
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const cores = Math.max(1, opts.cores ?? logicalCores());
  const clock = cpuClock();
  const io = newIoStats(true);
  const t0 = performance.now();
  const c0 = clock ? clock() : null;
  const ds = await Dataset.open(sources, opts.config ?? {}, { io, pool, cache: new DecodeCache(), concurrency });
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
  const pipeTiming = timing(t0, c0, clock, cores);
  // The same decodes, file by file in the order the pipeline first touched each file.
  const same = new Map<string, DecodeRecord[]>();
  for (const r of io.log ?? []) {
    const list = same.get(r.file);
    if (list) list.push(r);
    else same.set(r.file, [r]);
  }
  const plain = await plainPass(sources, same, pool, true, concurrency, clock, cores);
  const whole = opts.skipWhole ? null : await plainPass(sources, new Map(sources.map((s) => [s.name, [null]])), pool, false, concurrency, clock, cores);
  const sampleSeconds = (t2 - t1) / 1000;
  return {
    files: sources.length,
    pool: pool ? 'workers' : 'inline',
    cores,
    pipeline: {
      ...pipeTiming,
      prepareSeconds: (t1 - t0) / 1000,
      sampleSeconds,
      decodedMB: io.bytesDecoded / MB,
      fetchedMB: io.bytes / MB,
      decodeCalls: io.decodeCalls,
      samples: drawn,
      samplesPerSecond: sampleSeconds > 0 ? drawn / sampleSeconds : 0,
      modalities: ds.modalities.map((m) => m.name),
      unusedFiles: new Set(ds.catalog.unused.map((u) => u.path)).size,
    },
    plain,
    whole,
    ratio: pipeTiming.seconds > 0 ? plain.seconds / pipeTiming.seconds : 0,
  };
}
