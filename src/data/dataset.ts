/**
 * The training dataset: inspected files → catalog → per-location image series, band statistics, and aligned samples
 * in the src/data/sample.ts contract (random training windows and a deterministic validation tiling).
 *
 * Alignment: each location gets a reference grid (its finest acquisition's grid and CRS). A sample covers
 * `sampleMeters` of ground; modality m gets round(sampleMeters / GSD_m) pixels (window sizes from GSD ratios, as
 * MAESTRO's sizes[mod] = total_meters / GSD). Window origins lie on the coarsest modality's pixel grid, so when the
 * grids are aligned every modality reads whole pixels; otherwise images are resampled (nearest by default, as
 * MAESTRO's `interpolate="nearest"`). Training samples draw a location uniformly, a position uniformly, bins dates
 * with MAESTRO's cloud-aware rule (random candidate), and apply the same H-flip / V-flip / transpose to every
 * modality; validation tiles are non-overlapping, in a fixed order, without flips, with the median rule and an RNG
 * seeded per tile. All randomness comes from src/lib/rng.ts.
 * Invariants: every Sample has the same modalities and shapes (collate-able); invalid pixels hold 0 with valid = 0;
 * refused files are in `errors` from the start; a file that fails while sampling is dropped from its series and added
 * to `errors`, never crashing the run.
 * Reference: method.md §2.3 (sizes, gcd grid, binning, flips), §2.15 quirk 7; src/data/sample.ts.
 */
import type { Pool } from 'geotiff';
import { Rng } from '../lib/rng';
import type { AcqDate, Batch, Footprint, ModalitySample, Sample } from './sample';
import { collate } from './sample';
import { buildCatalog, type Acquisition, type Catalog, type CatalogOptions } from './catalog';
import { transformer, type CrsInfo } from './crs';
import { DataError } from './errors';
import { crsToPixel, footprintOf, pixelToCrs, type GeoTransform } from './georef';
import { GeoImage, type ImageReadOptions, type TargetGrid } from './image';
import { mapLimit, openAndInspect, type InspectOptions } from './inspect';
import { DecodeCache, newIoStats, type IoStats, type RasterFile } from './raster';
import { scalingForRecord, type FileRecord, type InspectRecord } from './record';
import type { ResampleMethod } from './resample';
import { selectScaling, type Scaling, type ScalingMode } from './scaling';
import { S2_NORM_GROUPS, S2_TRAINING_BANDS } from './sensors';
import type { ByteSource } from './source';
import { StatsAccumulator, type BandStats } from './stats';
import { binCandidates, medianDeviations, pickCandidate, planBins, type ChoiceRule } from './binning';
import { ValidityIndex } from './validityIndex';

export interface DatasetConfig {
  /** Modalities every sample carries (default: the most common modality set among locations). */
  modalities?: string[];
  /** Ground size of a sample in metres (default 32 pixels of the coarsest modality, shrunk to fit every location). */
  sampleMeters?: number;
  /** Dates per modality after temporal binning (default min(16, shortest series)). */
  numDates?: number | Record<string, number>;
  /** Cap of the default number of dates (default 16, MAESTRO's largest); ignored where numDates is given. */
  maxDates?: number;
  /** Sample side in pixels of the coarsest modality when sampleMeters is not given (default 32). */
  samplePixels?: number;
  /** Bands per modality (default: S2 → the 10 training bands in [4, 4, 2] group order; others → all). */
  bands?: Record<string, string[]>;
  /** Scaling per modality (default 'sensor'). */
  scaling?: Record<string, ScalingMode>;
  resample?: ResampleMethod;
  /** Standardise each band with the dataset statistics (default false: values stay in sensor/MAESTRO units). */
  standardize?: boolean;
  seed?: number;
  /** Training windows with a smaller fraction of valid pixels (over all modalities and dates) are redrawn (default 0.05). */
  minValidFraction?: number;
  catalog?: CatalogOptions;
}

export interface DatasetOptions extends InspectOptions {
  pool?: Pool | null;
  cache?: DecodeCache;
  /**
   * Valid-pixel tables that let training pick a bin's date without reading every candidate's window
   * (validityIndex.ts; default: a new one, 64 MB at most). null reads every candidate (the same samples, slower).
   */
  validity?: ValidityIndex | null;
}

export interface ModalityInfo {
  name: string;
  bands: string[];
  /** MAESTRO-style normalisation groups (band counts), when known. */
  normGroups: number[] | null;
  /** GSD used for window sizing (the finest GSD of this modality over the used locations), metres. */
  gsd: number;
  /** Pixels per side of a sample. */
  size: number;
  T: number;
  scalingDescription: string;
  unit: string;
}

interface SeriesItem {
  image: GeoImage;
  scaling: Scaling;
  bandIdx: number[];
  date: AcqDate;
}

interface SamplingLocation {
  id: string;
  crs: CrsInfo;
  /** Reference grid transform (finest acquisition). */
  refGt: GeoTransform;
  /** Reference pixels per sample side. */
  nRef: number;
  /** Origin of the coarse alignment grid in reference pixels, and its step. */
  ox: number;
  oy: number;
  step: number;
  /** Allowed steps along x and y: origin = o + n·step for n in [n0, n1]. */
  nx: [number, number];
  ny: [number, number];
  series: Record<string, SeriesItem[]>;
}

export interface TileSpec {
  location: string;
  col: number;
  row: number;
}

export interface BinReport {
  location: string;
  modality: string;
  S: number;
  T: number;
  offset: number;
  k: number;
  /** Per series date: fraction of valid pixels over the read area. */
  validFraction: number[];
  chosen: { index: number; dateText: string; validFraction: number; rule: ChoiceRule; candidates: number[] }[];
}

const FALLBACK_DATE: AcqDate = { year: 1970, doy: 1, hour: 0 };

export class Dataset {
  readonly errors: DataError[] = [];
  readonly warnings: string[] = [];
  readonly io: IoStats;
  readonly cache: DecodeCache;
  private readonly validity: ValidityIndex | null;
  modalities: ModalityInfo[] = [];
  stats: Record<string, { bands: string[]; stats: BandStats[] }> = {};
  sampleMeters = 0;
  private locations: SamplingLocation[] = [];
  private tiles: TileSpec[] = [];

  private constructor(
    readonly records: InspectRecord[],
    readonly catalog: Catalog,
    private readonly files: Map<string, RasterFile>,
    private readonly config: DatasetConfig,
    private readonly opts: DatasetOptions,
  ) {
    this.io = opts.io ?? newIoStats();
    this.cache = opts.cache ?? new DecodeCache();
    this.validity = opts.validity === undefined ? new ValidityIndex() : opts.validity;
  }

  /** Inspects `sources`, builds the catalog and prepares sampling. Bad files end up in `catalog.unused`. */
  static async open(sources: readonly ByteSource[], config: DatasetConfig = {}, opts: DatasetOptions = {}): Promise<Dataset> {
    const io = opts.io ?? newIoStats();
    // Inspection decodes into the dataset's cache, so a small file is decoded once for inspection and sampling.
    const cache = opts.cache ?? new DecodeCache();
    const opened = await mapLimit(sources, opts.concurrency ?? 4, (s) => openAndInspect(s, { ...opts, io, cache }));
    const files = new Map<string, RasterFile>();
    opened.forEach((o) => {
      if (o.file && o.record.ok) files.set(o.record.path, o.file);
    });
    const records = opened.map((o) => o.record);
    const ds = new Dataset(records, buildCatalog(records, config.catalog), files, config, { ...opts, io, cache });
    await ds.prepare();
    return ds;
  }

  /** Builds a dataset from records the caller already inspected (and possibly corrected) and their open files. */
  static async fromRecords(records: InspectRecord[], files: Map<string, RasterFile>, config: DatasetConfig = {}, opts: DatasetOptions = {}): Promise<Dataset> {
    const ds = new Dataset(records, buildCatalog(records, config.catalog), files, config, opts);
    await ds.prepare();
    return ds;
  }

  get locationIds(): string[] {
    return this.locations.map((l) => l.id);
  }

  get tileCount(): number {
    return this.tiles.length;
  }

  validationTiles(): TileSpec[] {
    return [...this.tiles];
  }

  // -------------------------------------------------------------------------------------------------------------
  // preparation

  private recordMap(): Map<string, FileRecord> {
    const m = new Map<string, FileRecord>();
    for (const r of this.records) if (r.ok) m.set(r.path, r);
    return m;
  }

  private chooseModalities(): string[] {
    if (this.config.modalities?.length) return this.config.modalities;
    const sets = new Map<string, number>();
    for (const l of this.catalog.locations) {
      const key = Object.keys(l.modalities).sort().join('+');
      if (key) sets.set(key, (sets.get(key) ?? 0) + 1);
    }
    const best = [...sets.entries()].sort((a, b) => b[1] - a[1] || b[0].split('+').length - a[0].split('+').length)[0];
    return best ? best[0].split('+') : [];
  }

  private async prepare(): Promise<void> {
    const records = this.recordMap();
    // Refused files are errors; files understood but left out of the catalog (duplicates, no georeferencing …) are notes.
    for (const r of this.records) if (!r.ok) this.errors.push(new DataError(r.path, r.reason, r.error.startsWith(`${r.path}: `) ? r.error.slice(r.path.length + 2) : r.error));
    for (const u of this.catalog.unused) if (records.has(u.path)) this.warnings.push(u.reason);
    const mods = this.chooseModalities();
    if (mods.length === 0) {
      this.warnings.push('no usable modality: every file was refused or lacks georeferencing');
      return;
    }
    const acqById = new Map(this.catalog.acquisitions.map((a) => [a.id, a]));
    // Bands per modality: from the config, else the S2 training set, else the first location's list.
    const bandsFor: Record<string, string[]> = {};
    for (const m of mods) {
      const first = this.catalog.locations.find((l) => l.modalities[m]);
      const available = first?.modalities[m].bands ?? [];
      const asked = this.config.bands?.[m];
      if (asked) bandsFor[m] = asked;
      else if (S2_TRAINING_BANDS.every((b) => available.includes(b)) && acqById.get(first?.modalities[m].acquisitions[0] ?? '')?.sensor === 'sentinel-2') bandsFor[m] = [...S2_TRAINING_BANDS];
      else bandsFor[m] = available;
    }
    // Locations that have every modality with the needed bands.
    const usable = this.catalog.locations.filter((l) => {
      for (const m of mods) {
        const e = l.modalities[m];
        if (!e) return false;
        const missing = bandsFor[m].filter((b) => !e.bands.includes(b));
        if (missing.length) {
          this.warnings.push(`${l.id} left out: its ${m} images lack band(s) ${missing.join(', ')}`);
          return false;
        }
      }
      return true;
    });
    if (usable.length === 0) {
      this.warnings.push(`no location has all of the modalities ${mods.join(', ')}`);
      return;
    }
    const gsdOf = (m: string) => Math.min(...usable.map((l) => l.modalities[m].gsd));
    const gsds = Object.fromEntries(mods.map((m) => [m, gsdOf(m)]));
    const coarsest = Math.max(...Object.values(gsds));
    const T: Record<string, number> = {};
    for (const m of mods) {
      const cfg = this.config.numDates;
      const shortest = Math.min(...usable.map((l) => l.modalities[m].acquisitions.length));
      T[m] = typeof cfg === 'number' ? cfg : cfg?.[m] ?? Math.min(this.config.maxDates ?? 16, shortest);
      if (!(Number.isInteger(T[m]) && T[m] >= 1)) throw new Error(`numDates for ${m} must be an integer ≥ 1, got ${T[m]}`);
      if (shortest < T[m]) this.warnings.push(`${m}: some locations have only ${shortest} dates for ${T[m]} slots; the missing slots are padded as invalid`);
    }

    // Per-location sampling geometry.
    const locs: SamplingLocation[] = [];
    let sampleMeters = this.config.sampleMeters ?? (this.config.samplePixels ?? 32) * coarsest;
    const geometry: { loc: (typeof usable)[number]; items: Record<string, SeriesItem[]>; ref: Acquisition; coarse: Acquisition; region: [number, number, number, number] }[] = [];
    for (const l of usable) {
      const items: Record<string, SeriesItem[]> = {};
      const all: Acquisition[] = [];
      for (const m of mods) {
        items[m] = l.modalities[m].acquisitions.map((id) => {
          const acq = acqById.get(id) as Acquisition;
          all.push(acq);
          const image = new GeoImage(acq, this.files, records);
          const bandIdx = bandsFor[m].map((b) => acq.bands.indexOf(b));
          const scaling = selectScaling(acquisitionScaling(acq, records, this.config.scaling?.[m] ?? 'sensor'), bandIdx);
          return { image, scaling, bandIdx, date: acq.date ?? FALLBACK_DATE };
        });
      }
      const ref = all.reduce((a, b) => (b.gsd < a.gsd ? b : a));
      const coarse = all.reduce((a, b) => (b.gsd > a.gsd ? b : a));
      const refRec = records.get(ref.gridPath) as FileRecord;
      const refGt = refRec.transform as GeoTransform;
      const refCrs = refRec.crs as CrsInfo;
      // Intersection of all acquisitions' extents, in reference pixels.
      let region: [number, number, number, number] = [-Infinity, -Infinity, Infinity, Infinity];
      for (const a of all) {
        for (const p of new Set(a.parts.map((x) => x.path))) {
          const r = records.get(p) as FileRecord;
          const toRef = transformer(r.crs as CrsInfo, refCrs);
          const pts = [0, r.width].flatMap((c) => [0, r.height].map((rr) => {
            const [x, y] = pixelToCrs(r.transform as GeoTransform, c, rr);
            const [rx, ry] = toRef(x, y);
            return crsToPixel(refGt, rx, ry);
          }));
          const xs = pts.map((q) => q[0]);
          const ys = pts.map((q) => q[1]);
          region = [Math.max(region[0], Math.min(...xs)), Math.max(region[1], Math.min(...ys)), Math.min(region[2], Math.max(...xs)), Math.min(region[3], Math.max(...ys))];
        }
      }
      geometry.push({ loc: l, items, ref, coarse, region });
    }
    if (this.config.sampleMeters === undefined) {
      // Shrink the default window to the largest multiple of the coarsest GSD that fits every location.
      for (const g of geometry) {
        const refGsd = g.ref.gsd;
        const fit = Math.min(g.region[2] - g.region[0], g.region[3] - g.region[1]) * refGsd;
        sampleMeters = Math.min(sampleMeters, Math.floor(fit / coarsest + 1e-6) * coarsest);
      }
      if (!(sampleMeters > 0)) sampleMeters = coarsest;
    }
    this.sampleMeters = sampleMeters;
    for (const g of geometry) {
      const refRec = records.get(g.ref.gridPath) as FileRecord;
      const refGt = refRec.transform as GeoTransform;
      const refCrs = refRec.crs as CrsInfo;
      const nRef = Math.round(sampleMeters / g.ref.gsd);
      const coarseRec = records.get(g.coarse.gridPath) as FileRecord;
      const [cx, cy] = transformer(coarseRec.crs as CrsInfo, refCrs)(...pixelToCrs(coarseRec.transform as GeoTransform, 0, 0));
      const [ox, oy] = crsToPixel(refGt, cx, cy).map(snap);
      const step = Math.max(1e-9, g.coarse.gsd / g.ref.gsd);
      const nx: [number, number] = [Math.ceil((g.region[0] - ox) / step - 1e-6), Math.floor((g.region[2] - nRef - ox) / step + 1e-6)];
      const ny: [number, number] = [Math.ceil((g.region[1] - oy) / step - 1e-6), Math.floor((g.region[3] - nRef - oy) / step + 1e-6)];
      if (nx[1] < nx[0] || ny[1] < ny[0]) {
        this.warnings.push(`${g.loc.id} left out: its common area is smaller than a ${sampleMeters} m sample`);
        continue;
      }
      locs.push({ id: g.loc.id, crs: refCrs, refGt, nRef, ox, oy, step, nx, ny, series: g.items });
      if (Math.abs(sampleMeters / g.ref.gsd - nRef) > 0.01 * nRef) this.warnings.push(`${g.loc.id}: ${sampleMeters} m is not a whole number of ${g.ref.gsd} m pixels; windows are rounded to ${nRef} px`);
    }
    this.locations = locs;
    const undated = locs.flatMap((l) => Object.values(l.series).flat()).filter((it) => it.image.acq.date === null);
    if (undated.length > 0) {
      this.warnings.push(`${undated.length} acquisition(s) have no date (e.g. ${undated[0].image.acq.gridPath}); their samples carry 1970-01-01: set dates to use the date encoding`);
    }
    this.modalities = mods.map((m) => {
      const size = Math.max(1, Math.round(sampleMeters / gsds[m]));
      if (Math.abs(sampleMeters / gsds[m] - size) > 0.01 * size) this.warnings.push(`${m}: ${sampleMeters} m is ${(sampleMeters / gsds[m]).toFixed(2)} pixels of ${gsds[m]} m; resampled to ${size} px`);
      const firstItem = locs[0]?.series[m]?.[0];
      const isS2 = firstItem?.image.acq.sensor === 'sentinel-2';
      return {
        name: m,
        bands: bandsFor[m],
        normGroups: isS2 && bandsFor[m].join(',') === S2_TRAINING_BANDS.join(',') ? [...S2_NORM_GROUPS] : null,
        gsd: gsds[m],
        size,
        T: T[m],
        scalingDescription: firstItem?.scaling.description ?? '',
        unit: firstItem?.scaling.unit ?? '',
      };
    });
    this.tiles = this.buildTiles();
    await this.computeStats();
  }

  private buildTiles(): TileSpec[] {
    const tiles: TileSpec[] = [];
    for (const l of this.locations) {
      // Non-overlapping windows: advance by the sample size rounded up to whole alignment steps.
      const stride = Math.max(1, Math.ceil(l.nRef / l.step - 1e-6));
      for (let ny = l.ny[0]; ny <= l.ny[1]; ny += stride) {
        for (let nx = l.nx[0]; nx <= l.nx[1]; nx += stride) tiles.push({ location: l.id, col: l.ox + nx * l.step, row: l.oy + ny * l.step });
      }
    }
    return tiles;
  }

  private async computeStats(): Promise<void> {
    const rng = new Rng(this.config.seed ?? 0, 7);
    for (const m of this.modalities) {
      const acc = new StatsAccumulator(m.bands.length);
      for (const l of this.locations) {
        const series = l.series[m.name];
        const picks = series.length <= 8 ? series.map((_, i) => i) : Array.from({ length: 8 }, (_, k) => Math.floor(((k + 0.5) * series.length) / 8));
        for (const i of picks) {
          const item = series[i];
          const grid = item.image.grid();
          const size = Math.min(128, grid.width, grid.height);
          const c = rng.int(grid.width - size + 1);
          const r = rng.int(grid.height - size + 1);
          const target: TargetGrid = { crs: grid.crs, transform: shiftedTransform(grid.transform, c, r, 1), width: size, height: size };
          try {
            const read = await item.image.read(target, { bands: item.bandIdx, scaling: item.scaling, method: 'nearest', pool: this.opts.pool ?? null, cache: this.cache, signal: this.opts.signal });
            acc.add(read.data, size * size, read.valid);
          } catch (e) {
            this.noteError(e, l, m.name, item);
          }
        }
      }
      this.stats[m.name] = { bands: m.bands, stats: acc.result() };
    }
  }

  private noteError(e: unknown, l: SamplingLocation, m: string, item: SeriesItem): void {
    if (!(e instanceof DataError)) throw e;
    this.errors.push(e);
    l.series[m] = l.series[m].filter((x) => x !== item);
    this.warnings.push(`${item.image.acq.id} dropped while reading: ${e.message}`);
  }

  // -------------------------------------------------------------------------------------------------------------
  // sampling

  /** Target grid of modality `m` for the window at reference pixel (col, row). */
  private targetFor(l: SamplingLocation, m: ModalityInfo, col: number, row: number): TargetGrid {
    const pxPerRef = l.nRef / m.size;
    return { crs: l.crs, transform: shiftedTransform(l.refGt, col, row, pxPerRef), width: m.size, height: m.size };
  }

  /** Reads one modality's T binned dates for a window. */
  private async readModality(l: SamplingLocation, m: ModalityInfo, target: TargetGrid, mode: 'train' | 'eval', rng: Rng): Promise<{ data: Float32Array; valid: Uint8Array; dates: AcqDate[]; report: BinReport }> {
    const series = l.series[m.name];
    const HW = m.size * m.size;
    const C = m.bands.length;
    const plan = planBins(series.length, m.T, rng);
    const frames = new Map<number, { data: Float32Array | null; valid: Uint8Array | null; fraction: number }>();
    const readOpts = (i: number, validOnly: boolean): ImageReadOptions => {
      const item = series[i];
      return { bands: item.bandIdx, scaling: item.scaling, method: this.config.resample ?? 'nearest', pool: this.opts.pool ?? null, cache: this.cache, signal: this.opts.signal, validOnly };
    };
    const readItem = (i: number, validOnly: boolean) => series[i].image.read(target, readOpts(i, validOnly));
    // Training picks among the bin's dates by validity alone, so only the picked date's pixels are scaled and kept
    // (and, where a validity table applies, only its window is read at all); evaluation compares the candidates'
    // pixels (median rule) and reads them all.
    const lazy = mode === 'train';
    const readAt = async (i: number, alone: boolean) => {
      // A bin of one date has no choice to make: its pixels are read once, with their validity.
      const lazyHere = lazy && !alone;
      const counted = lazyHere && this.validity ? await series[i].image.validCount(target, this.validity, readOpts(i, true)) : null;
      if (counted !== null) {
        frames.set(i, { data: null, valid: null, fraction: counted / HW });
        return;
      }
      const r = await readItem(i, lazyHere);
      let n = 0;
      for (let p = 0; p < HW; p++) n += r.valid[p];
      frames.set(i, { data: lazyHere ? null : r.data, valid: r.valid, fraction: n / HW });
    };
    for (const bin of plan.bins) for (const i of bin) await readAt(i, bin.length === 1);
    const validFraction = series.map((_, i) => frames.get(i)?.fraction ?? NaN);
    const data = new Float32Array(m.T * C * HW);
    const valid = new Uint8Array(m.T * HW);
    const dates: AcqDate[] = [];
    const chosen: BinReport['chosen'] = [];
    for (let t = 0; t < plan.bins.length; t++) {
      const bin = plan.bins[t];
      const { candidates, rule } = binCandidates(bin, validFraction);
      let index: number;
      if (mode === 'eval' && candidates.length > 1) {
        const f = bin.map((i) => frames.get(i) as { data: Float32Array; valid: Uint8Array });
        const pos = candidates.map((c) => bin.indexOf(c));
        const dev = medianDeviations(
          f.map((x) => x.data),
          f.map((x) => x.valid),
          C,
          HW,
          pos,
        );
        index = pickCandidate(candidates, 'eval', null, dev);
      } else index = pickCandidate(candidates, mode, rng);
      const fr = frames.get(index) as { data: Float32Array | null; valid: Uint8Array | null; fraction: number };
      // The same read with pixels: its validity is the one already computed (or counted).
      const full = fr.data && fr.valid ? { data: fr.data, valid: fr.valid } : await readItem(index, false);
      data.set(full.data, t * C * HW);
      valid.set(full.valid, t * HW);
      dates.push(series[index].date);
      chosen.push({ index, dateText: series[index].image.acq.dateText ?? '', validFraction: fr.fraction, rule, candidates });
    }
    // S < T: pad with all-invalid frames dated like the last real one.
    for (let t = plan.bins.length; t < m.T; t++) dates.push(dates[dates.length - 1] ?? FALLBACK_DATE);
    return { data, valid, dates, report: { location: l.id, modality: m.name, S: series.length, T: m.T, offset: plan.offset, k: plan.k, validFraction, chosen } };
  }

  private async buildSample(l: SamplingLocation, col: number, row: number, mode: 'train' | 'eval', rng: Rng, flips: { h: boolean; v: boolean; t: boolean }): Promise<Sample> {
    const modalities: Record<string, ModalitySample> = {};
    let fp: Footprint = footprintOf(l.crs, l.refGt, col, row, col + l.nRef, row + l.nRef);
    fp = permuteFootprint(fp, flips);
    for (const m of this.modalities) {
      const target = this.targetFor(l, m, col, row);
      const r = await this.readModality(l, m, target, mode, rng);
      const C = m.bands.length;
      if (this.config.standardize) standardize(r.data, r.valid, m.T, C, m.size * m.size, this.stats[m.name]?.stats ?? []);
      const { data, valid } = applyFlips(r.data, r.valid, m.T, C, m.size, flips);
      modalities[m.name] = { modality: m.name, bands: [...m.bands], gsd: this.sampleMeters / m.size, T: m.T, C, H: m.size, W: m.size, data, valid, dates: r.dates, footprint: fp };
    }
    const tag = [flips.h ? 'flipH' : '', flips.v ? 'flipV' : '', flips.t ? 'T' : ''].filter(Boolean).join(':');
    return { id: `${l.id}:x${Math.round(col)}:y${Math.round(row)}${tag ? `:${tag}` : ''}`, modalities };
  }

  private assertReady(): void {
    if (this.locations.length === 0 || this.modalities.length === 0) {
      throw new Error(`the dataset has nothing to sample: ${this.warnings.join('; ') || 'no usable locations'}`);
    }
  }

  /**
   * A random training sample (seeded by `rng`). Windows with less than `minValidFraction` valid pixels are redrawn
   * (up to 20 draws, then the best one is returned), and a file that fails mid-read is dropped and the draw retried.
   */
  async sample(rng: Rng, augment = true): Promise<Sample> {
    this.assertReady();
    const minValid = this.config.minValidFraction ?? 0.05;
    let best: Sample | null = null;
    let bestFraction = -1;
    let failures = 0;
    for (let draw = 0; draw < 20 && failures < 10; draw++) {
      this.assertReady();
      const l = this.locations[rng.int(this.locations.length)];
      const col = l.ox + (l.nx[0] + rng.int(l.nx[1] - l.nx[0] + 1)) * l.step;
      const row = l.oy + (l.ny[0] + rng.int(l.ny[1] - l.ny[0] + 1)) * l.step;
      const flips = augment ? { h: rng.uniform() < 0.5, v: rng.uniform() < 0.5, t: rng.uniform() < 0.5 } : { h: false, v: false, t: false };
      let s: Sample;
      try {
        s = await this.buildSample(l, col, row, 'train', rng, flips);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        this.errors.push(e);
        this.dropFile(e.file);
        failures++;
        continue;
      }
      const fraction = validFraction(s);
      if (fraction >= minValid) return s;
      if (fraction > bestFraction) {
        best = s;
        bestFraction = fraction;
      }
    }
    if (best) return best;
    throw new Error(`sampling failed ${failures} times: ${this.errors.slice(-3).map((e) => e.message).join('; ')}`);
  }

  /** Validation tile i: fixed window, no flips, median date rule, RNG seeded by (seed, i). */
  async tile(i: number): Promise<Sample> {
    this.assertReady();
    const spec = this.tiles[i];
    if (!spec) throw new Error(`tile ${i} out of range (0..${this.tiles.length - 1})`);
    const l = this.locations.find((x) => x.id === spec.location) as SamplingLocation;
    return this.buildSample(l, spec.col, spec.row, 'eval', new Rng(this.config.seed ?? 0, 1000 + i), { h: false, v: false, t: false });
  }

  async batch(rng: Rng, B: number, augment = true): Promise<Batch> {
    const samples: Sample[] = [];
    for (let b = 0; b < B; b++) samples.push(await this.sample(rng, augment));
    return collate(samples);
  }

  /** Bins one location's series of `modality` over the whole common area (the inspect/CLI view of the binning). */
  async binSeries(location: string, modality: string, mode: 'train' | 'eval' = 'eval', rng: Rng = new Rng(this.config.seed ?? 0, 5)): Promise<BinReport> {
    const l = this.locations.find((x) => x.id === location);
    const m = this.modalities.find((x) => x.name === modality);
    if (!l || !m) throw new Error(`no location ${location} with modality ${modality} in this dataset`);
    const cols = l.nx[1] - l.nx[0];
    const rows = l.ny[1] - l.ny[0];
    // The largest square on the alignment grid inside the common area.
    const span = Math.min(cols, rows) * l.step + l.nRef;
    const whole: ModalityInfo = { ...m, size: Math.max(1, Math.round((span / l.nRef) * m.size)) };
    const target = this.targetFor({ ...l, nRef: span }, whole, l.ox + l.nx[0] * l.step, l.oy + l.ny[0] * l.step);
    return (await this.readModality(l, whole, target, mode, rng)).report;
  }

  private dropFile(path: string): void {
    for (const l of this.locations) {
      for (const m of Object.keys(l.series)) {
        const before = l.series[m].length;
        l.series[m] = l.series[m].filter((x) => !x.image.acq.parts.some((p) => p.path === path) && x.image.acq.mask?.path !== path);
        if (l.series[m].length < before) this.warnings.push(`${path} dropped from ${l.id}/${m} after a read error`);
      }
    }
    this.locations = this.locations.filter((l) => Object.values(l.series).every((s) => s.length > 0));
  }
}

/**
 * Per-band scaling of an acquisition: each band takes the scale/offset its own file's record prescribes (a stack can
 * mix e.g. Landsat reflectance and thermal bands); the post step and normFac come from the grid file.
 */
export function acquisitionScaling(acq: Acquisition, records: ReadonlyMap<string, FileRecord>, mode: ScalingMode): Scaling {
  const gridScaling = scalingForRecord(records.get(acq.gridPath) as FileRecord, mode);
  const scale: number[] = [];
  const offset: number[] = [];
  for (const part of acq.parts) {
    const rec = records.get(part.path) as FileRecord;
    const s = part.path === acq.gridPath ? gridScaling : scalingForRecord(rec, mode);
    const k = Math.max(0, rec.bandIndices.indexOf(part.band));
    scale.push(s.scale[k]);
    offset.push(s.offset[k]);
  }
  return { ...gridScaling, scale, offset };
}

/** Fraction of valid pixels over every modality and date of a sample. */
export function validFraction(s: Sample): number {
  let n = 0;
  let total = 0;
  for (const m of Object.values(s.modalities)) {
    for (let i = 0; i < m.valid.length; i++) n += m.valid[i];
    total += m.valid.length;
  }
  return total > 0 ? n / total : 0;
}

/** Snaps values within 1e-6 of an integer to it (and −0 to 0), so grid arithmetic gives clean pixel indices. */
function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r + 0 : v;
}

/** The transform of a window starting at reference pixel (col, row) with pixels `scale` times the reference's. */
export function shiftedTransform(gt: GeoTransform, col: number, row: number, scale: number): GeoTransform {
  const [x, y] = pixelToCrs(gt, col, row);
  return [x, gt[1] * scale, gt[2] * scale, y, gt[4] * scale, gt[5] * scale];
}

/** Corner order after the flips, applied in MAESTRO's order: H-flip, V-flip, transpose. */
export function permuteFootprint(fp: Footprint, f: { h: boolean; v: boolean; t: boolean }): Footprint {
  let [ul, ur, lr, ll] = fp;
  if (f.h) [ul, ur, lr, ll] = [ur, ul, ll, lr];
  if (f.v) [ul, ur, lr, ll] = [ll, lr, ur, ul];
  if (f.t) [ur, ll] = [ll, ur];
  return [ul, ur, lr, ll];
}

/** Applies the flips to (T, C, S, S) data and (T, S, S) validity; returns new arrays. */
export function applyFlips(data: Float32Array, valid: Uint8Array, T: number, C: number, S: number, f: { h: boolean; v: boolean; t: boolean }): { data: Float32Array; valid: Uint8Array } {
  if (!f.h && !f.v && !f.t) return { data, valid };
  const src = (y: number, x: number): number => {
    // Output (y, x) ← input position, undoing the flips in reverse order (transpose last applied → first undone).
    let yy = y;
    let xx = x;
    if (f.t) [yy, xx] = [xx, yy];
    if (f.v) yy = S - 1 - yy;
    if (f.h) xx = S - 1 - xx;
    return yy * S + xx;
  };
  const HW = S * S;
  const idx = new Uint32Array(HW);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) idx[y * S + x] = src(y, x);
  const outD = new Float32Array(data.length);
  const outV = new Uint8Array(valid.length);
  for (let t = 0; t < T; t++) {
    for (let p = 0; p < HW; p++) outV[t * HW + p] = valid[t * HW + idx[p]];
    for (let c = 0; c < C; c++) {
      const base = (t * C + c) * HW;
      for (let p = 0; p < HW; p++) outD[base + p] = data[base + idx[p]];
    }
  }
  return { data: outD, valid: outV };
}

/** (x − mean) / std per band on valid pixels of (T, C, HW) data. */
function standardize(data: Float32Array, valid: Uint8Array, T: number, C: number, HW: number, stats: BandStats[]): void {
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      const s = stats[c];
      if (!s || !(s.std > 0)) continue;
      const base = (t * C + c) * HW;
      for (let p = 0; p < HW; p++) if (valid[t * HW + p]) data[base + p] = (data[base + p] - s.mean) / s.std;
    }
  }
}
