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
import type { Acquisition } from './catalog';
import { transformer, type CrsInfo } from './crs';
import { crsToPixel, pixelToCrs, type GeoTransform } from './georef';
import type { DecodeCache, RasterFile } from './raster';
import type { FileRecord } from './record';
import { resampleBand, type GridMap, type ResampleMethod } from './resample';
import { applyPost, type Scaling } from './scaling';

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
}

export interface ImageRead {
  /** (C, H, W) */
  data: Float32Array;
  /** (H, W) */
  valid: Uint8Array;
}

interface Mapped {
  map: GridMap;
  window: [number, number, number, number];
}

/** Where the target grid falls in a file's pixel space: the window to read and the target→window map. */
function mapTarget(target: TargetGrid, crs: CrsInfo, gt: GeoTransform, margin: number): Mapped {
  const toFile = transformer(target.crs, crs);
  const px = (i: number, j: number) => {
    const [x, y] = pixelToCrs(target.transform, i, j);
    const [fx, fy] = toFile(x, y);
    return crsToPixel(gt, fx, fy);
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

export class GeoImage {
  constructor(
    readonly acq: Acquisition,
    private readonly files: ReadonlyMap<string, RasterFile>,
    private readonly records: ReadonlyMap<string, FileRecord>,
  ) {
    for (const p of [...acq.parts.map((x) => x.path), ...(acq.mask ? [acq.mask.path] : [])]) {
      if (!files.has(p) || !records.has(p)) throw new Error(`GeoImage ${acq.id}: file ${p} is not open`);
    }
  }

  /** The acquisition's own pixel grid (its finest band's file). */
  grid(): TargetGrid {
    const r = this.records.get(this.acq.gridPath) as FileRecord;
    return { crs: r.crs as CrsInfo, transform: r.transform as GeoTransform, width: r.width, height: r.height };
  }

  /** Reads the selected bands onto `target`. */
  async read(target: TargetGrid, opts: ImageReadOptions): Promise<ImageRead> {
    const sel = opts.bands ?? this.acq.bands.map((_, i) => i);
    const C = sel.length;
    const { width: W, height: H } = target;
    const HW = W * H;
    const data = new Float32Array(C * HW);
    const valid = new Uint8Array(HW).fill(1);
    const method = opts.method ?? 'nearest';
    const margin = method === 'bilinear' ? 1 : 0;
    // Group the selected bands by file so each file is decoded once per read.
    const byFile = new Map<string, { out: number; band: number }[]>();
    sel.forEach((bi, out) => {
      const part = this.acq.parts[bi];
      if (!part) throw new Error(`GeoImage ${this.acq.id}: band index ${bi} out of range`);
      byFile.set(part.path, [...(byFile.get(part.path) ?? []), { out, band: part.band }]);
    });
    for (const [path, list] of byFile) {
      const file = this.files.get(path) as RasterFile;
      const rec = this.records.get(path) as FileRecord;
      const { map, window } = mapTarget(target, rec.crs as CrsInfo, rec.transform as GeoTransform, margin);
      const fileBands = [...new Set(list.map((l) => l.band))];
      const readBands = rec.alphaBand !== null ? [...fileBands, rec.alphaBand] : fileBands;
      const raw = await file.readWindow(window, { bands: readBands, signal: opts.signal, pool: opts.pool ?? null, cache: opts.cache ?? null });
      if (raw.width === 0 || raw.height === 0) {
        valid.fill(0);
        continue;
      }
      // Source validity: nodata/NaN in any band read from this file, or transparent alpha.
      const n = raw.width * raw.height;
      const srcValid = new Uint8Array(n).fill(1);
      const nd = rec.nodata;
      const ndNaN = nd !== null && Number.isNaN(nd);
      fileBands.forEach((_, k) => {
        const a = raw.bands[k];
        for (let i = 0; i < n; i++) {
          const v = a[i];
          if (v !== v || (nd !== null && (v === nd || ndNaN))) srcValid[i] = 0;
        }
      });
      if (rec.alphaBand !== null) {
        const a = raw.bands[readBands.length - 1];
        for (let i = 0; i < n; i++) if (a[i] === 0) srcValid[i] = 0;
      }
      const local: GridMap = { x0: map.x0 - raw.window[0], dx: map.dx, y0: map.y0 - raw.window[1], dy: map.dy };
      for (const { out, band } of list) {
        const k = fileBands.indexOf(band);
        resampleBand({ data: raw.bands[k], width: raw.width, height: raw.height, valid: srcValid }, data, out * HW, valid, W, H, local, method, [opts.scaling.scale[out], opts.scaling.offset[out]]);
      }
    }
    if (this.acq.mask) await this.applyMask(target, valid, opts);
    applyPost(opts.scaling, data, C, HW, valid);
    return { data, valid };
  }

  /** Cloud/shadow/fill pixels of the paired mask become invalid (nearest-neighbour: classes must not blend). */
  private async applyMask(target: TargetGrid, valid: Uint8Array, opts: ImageReadOptions): Promise<void> {
    const m = this.acq.mask;
    if (!m) return;
    const file = this.files.get(m.path) as RasterFile;
    const rec = this.records.get(m.path) as FileRecord;
    const { map, window } = mapTarget(target, rec.crs as CrsInfo, rec.transform as GeoTransform, 0);
    const raw = await file.readWindow(window, { bands: [rec.bandIndices[0]], signal: opts.signal, pool: opts.pool ?? null, cache: opts.cache ?? null });
    const HW = target.width * target.height;
    if (raw.width === 0 || raw.height === 0) {
      valid.fill(0);
      return;
    }
    const cls = new Float32Array(HW);
    const inside = new Uint8Array(HW).fill(1);
    const local: GridMap = { x0: map.x0 - raw.window[0], dx: map.dx, y0: map.y0 - raw.window[1], dy: map.dy };
    resampleBand({ data: raw.bands[0], width: raw.width, height: raw.height, valid: null }, cls, 0, inside, target.width, target.height, local, 'nearest');
    const generic = m.invalid.length === 0 && !m.qaBits;
    for (let i = 0; i < HW; i++) {
      if (!inside[i]) {
        valid[i] = 0;
        continue;
      }
      const v = cls[i];
      let bad: boolean;
      if (m.qaBits) bad = m.qaBits.some((b) => (v & (1 << b)) !== 0);
      else if (generic) bad = v > 0;
      else bad = inInvalidSet(v, m.invalid);
      if (bad) valid[i] = 0;
    }
  }
}
