/**
 * GeoImage: one acquisition (a multi-band file, or a stack of per-band files plus an optional cloud mask) read onto
 * any axis-aligned target grid as scaled Float32 values with a validity mask.
 *
 * For each file involved, the target grid's corners are projected into that file's CRS and pixel space (proj4 when
 * the CRSs differ), the covering pixel window (+1 px margin for bilinear) is read, and each band is resampled with
 * resample.ts while DN → physical scaling is applied; then the scaling's post step (dB / ln) and normFac run on the
 * valid pixels. A pixel is valid only if it is inside every file, not nodata/NaN in any band, not transparent in an
 * alpha band and not flagged by the cloud mask.
 * Invariants: output data (C, H, W) holds 0 where valid (H, W) is 0; the same target gives the same pixels whatever
 * file a band comes from (stacking is just reading several files onto one grid).
 * Reference: method.md §2.3 (cloud mask: invalid if mask > threshold); data.md §3.5 (Fmask/SCL/QA_PIXEL classes).
 */
import type { Pool } from 'geotiff';
import { acquisitionPaths, type Acquisition } from './catalog';
import { transformer, type CrsInfo } from './crs';
import { crsToPixel, pixelToCrs, type GeoTransform } from './georef';
import type { DecodeCache, RasterFile, RawRegion } from './raster';
import type { FileRecord } from './record';
import { isAligned, resampleBand, type GridMap, type ResampleMethod } from './resample';
import { applyPost, type Scaling } from './scaling';
import type { ValidityIndex } from './validityIndex';

/** An axis-aligned grid to read onto: pixel (i, j) covers transform(i..i+1, j..j+1) in `crs`. */
export interface TargetGrid {
  crs: CrsInfo;
  transform: GeoTransform;
  width: number;
  height: number;
}

export interface ImageReadOptions {
  /** Indices into the acquisition's bands (default all), in output channel order. */
  bands?: number[];
  /** Scaling for the selected bands, in the same order. */
  scaling: Scaling;
  method?: ResampleMethod;
  signal?: AbortSignal;
  pool?: Pool | null;
  cache?: DecodeCache | null;
  /** Compute only `valid` (the same mask a full read gives); `data` comes back empty. */
  validOnly?: boolean;
}

export interface ImageRead {
  /** (C, H, W); empty with validOnly. */
  data: Float32Array;
  /** (H, W) */
  valid: Uint8Array;
}

interface Mapped {
  map: GridMap;
  window: [number, number, number, number];
}

/**
 * A corner within 1e-6 px of a pixel edge is on it: the projection round trip leaves ~1e-12 px of noise, which would
 * otherwise turn a grid aligned with the file's into a fractional one (and lose resample.ts's aligned copy).
 */
function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r : v;
}

/** Where the target grid falls in a file's pixel space: the window to read and the target→window map. */
function mapTarget(target: TargetGrid, crs: CrsInfo, gt: GeoTransform, margin: number): Mapped {
  const toFile = transformer(target.crs, crs);
  const px = (i: number, j: number) => {
    const [x, y] = pixelToCrs(target.transform, i, j);
    const [fx, fy] = toFile(x, y);
    const [c, r] = crsToPixel(gt, fx, fy);
    return [snap(c), snap(r)];
  };
  const ul = px(0, 0);
  const ur = px(target.width, 0);
  const ll = px(0, target.height);
  const cMin = Math.min(ul[0], ur[0]);
  const cMax = Math.max(ul[0], ur[0]);
  const rMin = Math.min(ul[1], ll[1]);
  const rMax = Math.max(ul[1], ll[1]);
  const window: [number, number, number, number] = [Math.floor(cMin) - margin, Math.floor(rMin) - margin, Math.ceil(cMax) + margin, Math.ceil(rMax) + margin];
  return { window, map: { x0: ul[0], dx: (ur[0] - ul[0]) / target.width, y0: ul[1], dy: (ll[1] - ul[1]) / target.height } };
}

function inInvalidSet(v: number, set: readonly number[]): boolean {
  for (let k = 0; k < set.length; k++) if (set[k] === v) return true;
  return false;
}

/** How one file serves a band selection: which of its bands to read and where each lands in the output. */
interface FilePlan {
  file: RasterFile;
  rec: FileRecord;
  /** The file's bands needed (first appearance order), then its alpha band when it has one. */
  readBands: number[];
  /** Bands before the alpha band in readBands. */
  spectral: number;
  /** Output channel ← index into readBands. */
  outs: { out: number; k: number }[];
}

export class GeoImage {
  /** Read plans by band selection (a series item always asks for the same bands). */
  private readonly plans = new Map<string, FilePlan[]>();

  constructor(
    readonly acq: Acquisition,
    private readonly files: ReadonlyMap<string, RasterFile>,
    private readonly records: ReadonlyMap<string, FileRecord>,
  ) {
    for (const p of acquisitionPaths(acq)) {
      if (!files.has(p) || !records.has(p)) throw new Error(`GeoImage ${acq.id}: file ${p} is not open`);
    }
  }

  /** The acquisition's own pixel grid (its finest band's file). */
  grid(): TargetGrid {
    const r = this.records.get(this.acq.gridPath) as FileRecord;
    return { crs: r.crs as CrsInfo, transform: r.transform as GeoTransform, width: r.width, height: r.height };
  }

  /** Groups the selected bands by file so each file is decoded once per read. */
  private planFor(sel: readonly number[]): FilePlan[] {
    const key = sel.join(',');
    const known = this.plans.get(key);
    if (known) return known;
    const byFile = new Map<string, { out: number; band: number }[]>();
    sel.forEach((bi, out) => {
      const part = this.acq.parts[bi];
      if (!part) throw new Error(`GeoImage ${this.acq.id}: band index ${bi} out of range`);
      byFile.set(part.path, [...(byFile.get(part.path) ?? []), { out, band: part.band }]);
    });
    const plan: FilePlan[] = [];
    for (const [path, list] of byFile) {
      const rec = this.records.get(path) as FileRecord;
      const fileBands = [...new Set(list.map((l) => l.band))];
      const readBands = rec.alphaBand !== null ? [...fileBands, rec.alphaBand] : fileBands;
      plan.push({ file: this.files.get(path) as RasterFile, rec, readBands, spectral: fileBands.length, outs: list.map((l) => ({ out: l.out, k: fileBands.indexOf(l.band) })) });
    }
    this.plans.set(key, plan);
    return plan;
  }

  /** Reads the selected bands onto `target`. */
  async read(target: TargetGrid, opts: ImageReadOptions): Promise<ImageRead> {
    const sel = this.selection(opts);
    const C = sel.length;
    const { width: W, height: H } = target;
    const HW = W * H;
    const validOnly = opts.validOnly === true;
    const data = new Float32Array(validOnly ? 0 : C * HW);
    const valid = new Uint8Array(HW).fill(1);
    const method = opts.method ?? 'nearest';
    const margin = method === 'bilinear' ? 1 : 0;
    for (const { file, rec, readBands, spectral, outs } of this.planFor(sel)) {
      const { map, window } = mapTarget(target, rec.crs as CrsInfo, rec.transform as GeoTransform, margin);
      const raw = await file.readRegion(window, { bands: readBands, signal: opts.signal, pool: opts.pool ?? null, cache: opts.cache ?? null });
      if (raw.width === 0 || raw.height === 0) {
        valid.fill(0);
        continue;
      }
      // Source validity: nodata/NaN in any band read from this file, or transparent alpha. One band without alpha
      // needs no mask: the resampler tests its nodata value directly (a NaN nodata takes the mask path, which marks
      // every pixel invalid, as it always has).
      const nd = rec.nodata;
      const direct = spectral === 1 && readBands.length === 1 && !(nd !== null && Number.isNaN(nd));
      const srcValid = direct ? null : sourceValidity(raw, spectral, nd, rec.alphaBand !== null);
      const local: GridMap = { x0: map.x0 - raw.window[0], dx: map.dx, y0: map.y0 - raw.window[1], dy: map.dy };
      for (const { out, k } of outs) {
        const src = { data: raw.bands[k], width: raw.width, height: raw.height, valid: srcValid, offset: raw.offset, stride: raw.stride, nodata: direct ? nd : null };
        resampleBand(src, validOnly ? null : data, out * HW, valid, W, H, local, method, [opts.scaling.scale[out], opts.scaling.offset[out]]);
      }
    }
    if (this.acq.mask) await this.applyMask(target, valid, opts);
    if (!validOnly) applyPost(opts.scaling, data, C, HW, valid);
    return { data, valid };
  }

  /**
   * Valid pixels of the validOnly read of `target` (the same count), from `index`'s table of this acquisition, or null
   * when no table applies: the target is not aligned with the acquisition's grid, its files do not share that grid, or
   * building the table would decode more than the decode cache already holds whole.
   */
  async validCount(target: TargetGrid, index: ValidityIndex, opts: ImageReadOptions): Promise<number | null> {
    const cache = opts.cache ?? null;
    if (!cache || !this.onOneGrid()) return null;
    const grid = this.grid();
    const { map } = mapTarget(target, grid.crs, grid.transform, 0);
    if (!isAligned(map)) return null;
    const sel = this.selection(opts);
    const files = this.planFor(sel).map((p) => p.file);
    if (this.acq.mask) files.push(this.files.get(this.acq.mask.path) as RasterFile);
    if (files.some((f) => f.layout.decodedBytes > cache.wholeFileLimit)) return null;
    const build = async () => (await this.read(grid, { ...opts, bands: sel, validOnly: true })).valid;
    const table = await index.table(this, sel.join(','), grid.width, grid.height, target.width * target.height, build);
    return table ? table.count(map.x0, map.y0, target.width, target.height) : null;
  }

  /** The selected band indices (default every band). */
  private selection(opts: ImageReadOptions): number[] {
    return opts.bands ?? this.acq.bands.map((_, i) => i);
  }

  private oneGrid: boolean | null = null;

  /** Whether every file of the acquisition (bands and mask) has the grid's CRS, transform and size. */
  private onOneGrid(): boolean {
    if (this.oneGrid === null) {
      const g = this.records.get(this.acq.gridPath) as FileRecord;
      const gt = g.transform;
      const same = (r: FileRecord) => r.crs?.id === g.crs?.id && r.width === g.width && r.height === g.height && r.transform !== null && r.transform.every((v, i) => v === gt?.[i]);
      this.oneGrid = g.crs !== null && gt !== null && acquisitionPaths(this.acq).every((p) => same(this.records.get(p) as FileRecord));
    }
    return this.oneGrid;
  }

  /** Cloud/shadow/fill pixels of the paired mask become invalid (nearest-neighbour: classes must not blend). */
  private async applyMask(target: TargetGrid, valid: Uint8Array, opts: ImageReadOptions): Promise<void> {
    const m = this.acq.mask;
    if (!m) return;
    const file = this.files.get(m.path) as RasterFile;
    const rec = this.records.get(m.path) as FileRecord;
    const { map, window } = mapTarget(target, rec.crs as CrsInfo, rec.transform as GeoTransform, 0);
    const raw = await file.readRegion(window, { bands: [rec.bandIndices[0]], signal: opts.signal, pool: opts.pool ?? null, cache: opts.cache ?? null });
    if (raw.width === 0 || raw.height === 0) {
      valid.fill(0);
      return;
    }
    // Nearest-neighbour lookup of each target pixel's class, as resampleBand('nearest') maps pixels: a target pixel
    // whose centre falls outside the mask, or whose class is NaN, is invalid.
    const { width: mw, height: mh, offset, stride } = raw;
    const cls = raw.bands[0];
    const tw = target.width;
    const x0 = map.x0 - raw.window[0];
    const y0 = map.y0 - raw.window[1];
    const bad = maskRule(m);
    const lut = maskTable(m, bad);
    const cols = maskColumns(tw);
    for (let i = 0; i < tw; i++) {
      const sx = x0 + (i + 0.5) * map.dx;
      cols[i] = sx >= 0 && sx < mw ? Math.min(mw - 1, Math.max(0, Math.floor(sx))) : -1;
    }
    for (let j = 0; j < target.height; j++) {
      const sy = y0 + (j + 0.5) * map.dy;
      const row = j * tw;
      if (!(sy >= 0 && sy < mh)) {
        for (let i = 0; i < tw; i++) valid[row + i] = 0;
        continue;
      }
      const srow = offset + Math.min(mh - 1, Math.max(0, Math.floor(sy))) * stride;
      for (let i = 0; i < tw; i++) {
        const c = cols[i];
        if (c < 0) {
          valid[row + i] = 0;
          continue;
        }
        if (!valid[row + i]) continue;
        const k = cls[srow + c];
        // Small non-negative integer classes (Fmask, SCL) go through the table; anything else through the rule,
        // on the class as resampleBand stored it (a Float32Array value).
        if (k >= 0 && k < 256 && (k | 0) === k ? lut[k] : bad(Math.fround(k))) valid[row + i] = 0;
      }
    }
  }
}

/** Column scratch of applyMask (synchronous between its awaits, so one buffer serves every call). */
let maskCols = new Int32Array(64);

function maskColumns(n: number): Int32Array {
  if (maskCols.length < n) maskCols = new Int32Array(Math.max(n, 2 * maskCols.length));
  return maskCols;
}

type MaskSpec = NonNullable<Acquisition['mask']>;

/** Whether a mask class (NaN included) marks the pixel invalid: QA bits set, any class > 0, or a listed class. */
function maskRule(m: MaskSpec): (v: number) => boolean {
  if (m.qaBits) {
    const qaMask = m.qaBits.reduce((acc, b) => acc | (1 << b), 0);
    return (v) => v !== v || (v & qaMask) !== 0;
  }
  if (m.invalid.length === 0) return (v) => v !== v || v > 0;
  const set = m.invalid;
  return (v) => v !== v || inInvalidSet(v, set);
}

const maskTables = new WeakMap<MaskSpec, Uint8Array>();

/** maskRule over the classes 0…255, once per mask. */
function maskTable(m: MaskSpec, rule: (v: number) => boolean): Uint8Array {
  let t = maskTables.get(m);
  if (!t) {
    t = new Uint8Array(256);
    for (let v = 0; v < 256; v++) t[v] = rule(v) ? 1 : 0;
    maskTables.set(m, t);
  }
  return t;
}

/** (h, w) validity of a region: 0 where any of its first `spectral` bands is NaN or nodata, or the alpha band (the next one) is 0. */
function sourceValidity(raw: RawRegion, spectral: number, nd: number | null, alpha: boolean): Uint8Array {
  const { width: w, height: h, offset, stride } = raw;
  const srcValid = new Uint8Array(w * h).fill(1);
  // A NaN nodata (GDAL_NODATA=nan) marks NaN pixels, which v !== v already catches; NaN === NaN is false.
  for (let k = 0; k < spectral; k++) {
    const a = raw.bands[k];
    for (let y = 0; y < h; y++) {
      const s = offset + y * stride;
      const d = y * w;
      for (let x = 0; x < w; x++) {
        const v = a[s + x];
        if (v !== v || (nd !== null && v === nd)) srcValid[d + x] = 0;
      }
    }
  }
  if (alpha) {
    const a = raw.bands[spectral];
    for (let y = 0; y < h; y++) {
      const s = offset + y * stride;
      const d = y * w;
      for (let x = 0; x < w; x++) if (a[s + x] === 0) srcValid[d + x] = 0;
    }
  }
  return srcValid;
}
