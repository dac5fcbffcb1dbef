/**
 * Inspecting files: open, validate, sample pixels, recognise the sensor, resolve bands/nodata/date/scaling and
 * compute statistics — one InspectRecord per file, never an exception.
 *
 * Pixels are sampled by block-aligned windows (whole tiles or strip bands spread evenly over the image) up to a
 * pixel budget, so inspecting a 10 GB mosaic decodes a few MB. A file whose sample holds no valid pixel is scanned
 * further (block by block, stopping at the first valid pixel) before it is refused as all-nodata, so a mostly-empty
 * edge tile is not thrown away by bad luck. Each file runs under its own timeout; a bad file only yields a
 * FailedRecord naming the reason.
 * Invariants: records keep the input order; `inspectFiles` never rejects (except when the whole call is aborted).
 * Reference: /work/shared/data/README.md (the real files); /work/shared/docs/data.md §1.13 (window reads).
 */
import type { Pool } from 'geotiff';
import { DataError, toDataError, withTimeout } from './errors';
import { RasterFile, type DecodeCache, type IoStats, type PixelWindow } from './raster';
import type { ByteSource } from './source';
import { recognize, bandNamesFor, nodataFor, sensorScaling, type RecognitionInput } from './recognize';
import { resolveDate, formatDate } from './dates';
import type { Scaling } from './scaling';
import { histogramStats, integerHistogram, MAX_LISTED_VALUES, type IntegerHistogram } from './histogram';
import { StatsAccumulator, type BandStats } from './stats';
import { integerRange, type TiffLayout } from './tiffInfo';
import type { FileRecord, InspectRecord } from './record';

export interface InspectOptions {
  signal?: AbortSignal;
  /** Per-file time limit in ms (default 30 s). */
  timeoutMs?: number;
  /** Pixels per file to sample for statistics (default 262 144 = 512²). */
  sampleBudget?: number;
  /** Files inspected at once (default 4). */
  concurrency?: number;
  io?: IoStats;
  pool?: Pool | null;
  /**
   * Decoded pixels to share with later reads (Dataset.open passes its own): a small file is then decoded whole once,
   * for inspection and for every training window after it. Without one, inspection decodes only its sample windows.
   */
  cache?: DecodeCache | null;
}

/** Block-aligned windows spread over the image, together about `budget` pixels. */
export function planSampleWindows(layout: Pick<TiffLayout, 'width' | 'height' | 'tiled' | 'blockWidth' | 'blockHeight'>, budget: number): { windows: PixelWindow[]; whole: boolean } {
  const { width: W, height: H, blockWidth: bw, blockHeight: bh } = layout;
  if (W * H <= budget) return { windows: [[0, 0, W, H]], whole: true };
  if (layout.tiled) {
    const across = Math.ceil(W / bw);
    const down = Math.ceil(H / bh);
    const total = across * down;
    const n = Math.min(total, Math.max(1, Math.ceil(budget / (bw * bh))));
    const picked = new Set<number>();
    for (let k = 0; k < n; k++) picked.add(Math.min(total - 1, Math.floor(((k + 0.5) * total) / n)));
    const windows = [...picked].map((t): PixelWindow => {
      const tx = t % across;
      const ty = Math.floor(t / across);
      return [tx * bw, ty * bh, Math.min(W, (tx + 1) * bw), Math.min(H, (ty + 1) * bh)];
    });
    return { windows, whole: n === total };
  }
  const bands = 8;
  const rows = Math.max(bh, Math.ceil(budget / bands / W / bh) * bh);
  const nStrips = Math.ceil(H / rows);
  const n = Math.min(bands, nStrips);
  const picked = new Set<number>();
  for (let k = 0; k < n; k++) picked.add(Math.min(nStrips - 1, Math.floor(((k + 0.5) * nStrips) / n)));
  const windows = [...picked].map((s): PixelWindow => [0, s * rows, W, Math.min(H, (s + 1) * rows)]);
  return { windows, whole: n === nStrips };
}

interface PixelSample {
  /**
   * One array per file band (alpha included): the decoded window itself when the sample is one window (read-only: it
   * may be the decode cache's), else the windows concatenated into a Float64Array.
   */
  bands: ArrayLike<number>[];
  count: number;
  whole: boolean;
}

async function samplePixels(file: RasterFile, budget: number, opts: InspectOptions): Promise<PixelSample> {
  const { windows, whole } = planSampleWindows(file.layout, budget);
  const read = (w: PixelWindow) => file.readWindow(w, { signal: opts.signal, pool: opts.pool ?? null, cache: opts.cache ?? null });
  if (windows.length === 1) {
    const r = await read(windows[0]);
    return { bands: r.bands, count: r.width * r.height, whole };
  }
  const total = windows.reduce((s, w) => s + (w[2] - w[0]) * (w[3] - w[1]), 0);
  const bands = Array.from({ length: file.layout.bandCount }, () => new Float64Array(total));
  let at = 0;
  for (const w of windows) {
    const r = await read(w);
    r.bands.forEach((arr, b) => bands[b].set(arr, at));
    at += r.width * r.height;
  }
  return { bands, count: at, whole };
}

/**
 * The sorted distinct values of one band's sampled pixels (valid or not), or null when there are more than
 * MAX_LISTED_VALUES. With the band's histogram of valid pixels and no alpha band, every invalid pixel holds the nodata
 * value, so the histogram's values (plus nodata when a pixel was invalid) are the answer without another pass.
 */
function distinctValues(values: ArrayLike<number>, count: number, hg: IntegerHistogram | null, nodata: number | null, alpha: boolean): number[] | null {
  if (hg && !alpha) {
    if (!hg.values) return null;
    const out = hg.count < count && nodata !== null ? [nodata, ...hg.values] : hg.values;
    return out.length > MAX_LISTED_VALUES ? null : [...out].sort((x, y) => x - y);
  }
  const set = new Set<number>();
  for (let i = 0; i < count && set.size <= MAX_LISTED_VALUES; i++) set.add(values[i]);
  return set.size <= MAX_LISTED_VALUES ? [...set].sort((x, y) => x - y) : null;
}

/** (count) validity of sampled pixels for nodata/alpha/NaN over the given bands. */
function validity(sample: PixelSample, bandIdx: number[], nodata: number | null, alpha: number | null): Uint8Array {
  const v = new Uint8Array(sample.count).fill(1);
  // A NaN nodata (GDAL_NODATA=nan) marks NaN pixels, which x !== x already catches; NaN === NaN is false.
  for (const b of bandIdx) {
    const a = sample.bands[b];
    for (let i = 0; i < sample.count; i++) {
      const x = a[i];
      if (x !== x || (nodata !== null && x === nodata)) v[i] = 0;
    }
  }
  if (alpha !== null) {
    const a = sample.bands[alpha];
    for (let i = 0; i < sample.count; i++) if (a[i] === 0) v[i] = 0;
  }
  return v;
}

/** out[i] = scaleValue(dn = src[i]) where valid[i] (dn · a + b, then the post step, then / normFac); others untouched. */
function scaleValid(src: ArrayLike<number>, n: number, valid: Uint8Array, a: number, b: number, post: Scaling['post'], normFac: number, out: Float64Array): void {
  if (post === 'none') {
    for (let i = 0; i < n; i++) if (valid[i] !== 0) out[i] = (src[i] * a + b) / normFac;
  } else if (post === 'dB') {
    for (let i = 0; i < n; i++) if (valid[i] !== 0) out[i] = (10 * Math.log10(Math.max(src[i] * a + b, 1e-10))) / normFac;
  } else {
    for (let i = 0; i < n; i++) if (valid[i] !== 0) out[i] = Math.log(Math.max(src[i] * a + b, 1e-10)) / normFac;
  }
}

function countValid(v: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i];
  return n;
}

/** Looks for any valid pixel block by block (bounded memory); true as soon as one is found. */
async function scanForValid(file: RasterFile, bandIdx: number[], nodata: number | null, alpha: number | null, opts: InspectOptions): Promise<boolean> {
  const { width: W, height: H, blockHeight: bh, tiled, blockWidth: bw } = file.layout;
  const stepY = bh;
  const stepX = tiled ? bw : W;
  for (let y = 0; y < H; y += stepY) {
    for (let x = 0; x < W; x += stepX) {
      const win: PixelWindow = [x, y, Math.min(W, x + stepX), Math.min(H, y + stepY)];
      const r = await file.readWindow(win, { signal: opts.signal, pool: opts.pool ?? null, cache: opts.cache ?? null });
      const s: PixelSample = { bands: r.bands.map((a) => Float64Array.from(a)), count: r.width * r.height, whole: false };
      if (countValid(validity(s, bandIdx, nodata, alpha)) > 0) return true;
    }
  }
  return false;
}

const MAX_SCAN_BYTES = 512 * 2 ** 20;

/** Builds the record of an opened file (throws DataError for all-nodata files). */
export async function recordOf(file: RasterFile, opts: InspectOptions = {}): Promise<FileRecord> {
  const { layout, meta, georef } = file;
  const warnings = [...meta.warnings, ...georef.warnings];
  if (layout.imageCount > 1) warnings.push(`the file holds ${layout.imageCount} images (overviews or pages); the full-resolution first image is used`);
  if (layout.dtype === 'mixed') warnings.push(`bands have different data types (${layout.dtypes.join(', ')})`);
  if (!georef.transform) warnings.push('not georeferenced: the file cannot be placed on the ground or grouped with other files by location');
  else if (!georef.crs) warnings.push('no usable CRS: the file cannot be grouped with other files by location until a CRS is set');
  const sample = await samplePixels(file, opts.sampleBudget ?? 262144, opts);
  const allIdx = Array.from({ length: layout.bandCount }, (_, i) => i);
  const spectralIdx = allIdx.filter((i) => i !== layout.alphaBand);

  // Integer bands go through a histogram (stats.ts integerHistogram: the accumulator's figures in one pass over the
  // pixels, and the scaled figures without another); other bands through a StatsAccumulator.
  const rawStatsWith = (nodata: number | null) => {
    const v = validity(sample, spectralIdx, nodata, layout.alphaBand);
    const hists = spectralIdx.map((b) => {
      const dt = layout.dtypes[b];
      return dt && !dt.startsWith('float') ? integerHistogram(sample.bands[b], sample.count, v, integerRange(dt)) : null;
    });
    const stats = spectralIdx.map((b, k): BandStats => {
      const hg = hists[k];
      if (hg) return histogramStats(hg) as BandStats;
      const acc = new StatsAccumulator(1);
      acc.addBand(0, sample.bands[b], 0, sample.count, v);
      return acc.result()[0];
    });
    return { valid: v, stats, hists };
  };
  let raw = rawStatsWith(meta.nodata);
  const distinct =
    spectralIdx.length === 1 && !layout.dtype.startsWith('float')
      ? distinctValues(sample.bands[spectralIdx[0]], sample.count, raw.hists[0], meta.nodata, layout.alphaBand !== null)
      : null;
  const recInput: RecognitionInput = {
    path: file.name,
    bandCount: layout.bandCount,
    dtype: layout.dtype,
    photometric: layout.photometric,
    alphaBand: layout.alphaBand,
    bandDescriptions: meta.bandDescriptions,
    colorInterp: meta.colorInterp,
    gsd: georef.gsd,
    rawStats: raw.stats,
    distinctValues: distinct,
  };
  const recognition = recognize(recInput);
  const names = bandNamesFor(recognition, recInput);
  warnings.push(...names.warnings);
  const nd = nodataFor(recognition, meta.nodata, layout.dtype);
  if (nd.reason) warnings.push(nd.reason);
  if (nd.nodata !== meta.nodata) {
    raw = rawStatsWith(nd.nodata);
    recInput.rawStats = raw.stats;
  }
  const nValid = countValid(raw.valid);
  if (nValid === 0) {
    const what = nd.nodata !== null ? `equals the nodata value ${nd.nodata}` : 'is NaN';
    const alphaNote = layout.alphaBand !== null ? ' or is transparent in the alpha band' : '';
    if (sample.whole) {
      throw new DataError(file.name, 'all-nodata', `has no valid pixel: every one of the ${layout.width * layout.height} pixels in all ${spectralIdx.length} bands ${what}${alphaNote}; there is nothing to train on`);
    }
    if (layout.decodedBytes <= MAX_SCAN_BYTES) {
      if (!(await scanForValid(file, spectralIdx, nd.nodata, layout.alphaBand, opts))) {
        throw new DataError(file.name, 'all-nodata', `has no valid pixel: every one of the ${layout.width * layout.height} pixels in all ${spectralIdx.length} bands ${what}${alphaNote}; there is nothing to train on`);
      }
      warnings.push(`no valid pixel in the ${sample.count} sampled pixels, but the full scan found some: the file is almost entirely nodata`);
    } else {
      warnings.push(`no valid pixel in the ${sample.count} sampled pixels: the file may be almost entirely nodata`);
    }
  }
  const scaling = sensorScaling(recognition, recInput, spectralIdx.length, spectralIdx.map((i) => meta.bandScale[i]), spectralIdx.map((i) => meta.bandOffset[i]));
  // Scaled statistics: from the band's histogram under an affine scaling, else from the scaled pixels (one band at a
  // time through a reused buffer).
  let scaled: Float64Array | null = null;
  const scaledStats = spectralIdx.map((b, k) => {
    const hg = raw.hists[k];
    const fast = hg && scaling.post === 'none' ? histogramStats(hg, { scale: scaling.scale[k], offset: scaling.offset[k], normFac: scaling.normFac }) : null;
    if (fast) return fast;
    scaled ??= new Float64Array(sample.count);
    scaleValid(sample.bands[b], sample.count, raw.valid, scaling.scale[k], scaling.offset[k], scaling.post, scaling.normFac, scaled);
    const acc = new StatsAccumulator(1);
    acc.addBand(0, scaled, 0, sample.count, raw.valid);
    return acc.result()[0];
  });
  const { date, warnings: dateWarnings } = resolveDate(file.name, meta.datasetMetadata, meta.dateTime);
  warnings.push(...dateWarnings);
  if (!date && recognition.role === 'image') warnings.push('no acquisition date found in the name or metadata: set one to use the file in a time series');
  if (recognition.sensor === 'sentinel-2' && !recognition.baseline && date && date.date.year >= 2022) {
    warnings.push('acquired after the 2022-01-25 switch to processing baseline 04.00 but the name gives no baseline (_N04xx_): if the product carries the −1000 DN offset, correct the scaling');
  }
  return {
    ok: true,
    path: file.name,
    sizeBytes: file.source.size,
    width: layout.width,
    height: layout.height,
    bandCount: layout.bandCount,
    dtype: layout.dtype,
    dtypes: layout.dtypes,
    compression: layout.compressionName,
    tiled: layout.tiled,
    blockWidth: layout.blockWidth,
    blockHeight: layout.blockHeight,
    planar: layout.planar,
    imageCount: layout.imageCount,
    alphaBand: layout.alphaBand,
    bands: names.bands,
    bandIndices: spectralIdx,
    bandInfo: names.infos,
    bandSource: names.source,
    nodata: nd.nodata,
    nodataSource: nd.source,
    fileNodataRaw: meta.nodataRaw,
    metadataScale: meta.bandScale,
    metadataOffset: meta.bandOffset,
    crs: georef.crs,
    transform: georef.transform,
    rotated: georef.rotated,
    gsd: georef.gsd,
    gsdX: georef.gsdX,
    gsdY: georef.gsdY,
    footprint: georef.footprint,
    date: date?.date ?? null,
    dateText: date ? formatDate(date.date, date.precision) : null,
    datePrecision: date?.precision ?? null,
    dateSource: date?.source ?? null,
    datePattern: date?.pattern ?? null,
    recognition,
    recognitionInput: recInput,
    scaling,
    validFraction: sample.count > 0 ? nValid / sample.count : 0,
    sampledPixels: sample.count,
    stats: scaledStats,
    rawStats: raw.stats,
    warnings,
    corrected: [],
  };
}

export function failedRecord(src: ByteSource, e: unknown): InspectRecord {
  const err = toDataError(src.name, e, 'inspecting');
  return { ok: false, path: src.name, sizeBytes: src.size, reason: err.reason, error: err.message };
}

/** Opens and inspects one file; the RasterFile is returned open (for the dataset) when the record is ok. */
export async function openAndInspect(src: ByteSource, opts: InspectOptions = {}): Promise<{ record: InspectRecord; file: RasterFile | null }> {
  const work = (async () => {
    const file = await RasterFile.open(src, { signal: opts.signal, io: opts.io });
    try {
      return { record: await recordOf(file, opts), file };
    } finally {
      file.releaseReadAhead();
    }
  })();
  try {
    return await withTimeout(src.name, work, opts.timeoutMs ?? 30000, 'inspecting the file');
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    // A timed-out inspection keeps running in the background; its result is dropped.
    work.catch(() => undefined);
    return { record: failedRecord(src, e), file: null };
  }
}

export async function inspectFile(src: ByteSource, opts: InspectOptions = {}): Promise<InspectRecord> {
  return (await openAndInspect(src, opts)).record;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export async function inspectFiles(srcs: readonly ByteSource[], opts: InspectOptions = {}): Promise<InspectRecord[]> {
  return mapLimit(srcs, opts.concurrency ?? 4, (s) => inspectFile(s, opts));
}
