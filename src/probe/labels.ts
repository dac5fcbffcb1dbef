/**
 * Labels for probes, aligned to the model's tokens.
 *
 * Segmentation labels are GeoTIFF rasters of class ids (band 1). A sample's label image is read on the sample's own
 * pixel grid: every model pixel centre is placed inside the sample footprint (its WGS84 corners, moved into the label
 * raster's CRS, interpolated bilinearly — exact when the label raster shares the image CRS, as a map on the same grid
 * does) and takes the label pixel it falls in (nearest). A token's label is then the MAJORITY class over its P×P
 * pixels; nodata, user-ignored values and pixels outside the raster do not vote, a token with no voting pixel has no
 * label (-1), ties go to the smaller class id. So metrics are per token (one token = P×P pixels), not per pixel.
 * A series of label rasters with distinct dates (e.g. one Fmask per acquisition) is "dated": a token takes the label
 * raster of its own acquisition date (same year and day), and has no label when there is none.
 *
 * Tile labels map a key to one class or several (multi-label): CSV "key,label" (optional header; ';' or tab also
 * separate columns; several labels joined by '|'), or JSON {key: label | [labels]} or [{key, label | labels}]. A key
 * names a sample (its id, e.g. "loc0:x16:y0"), a location id ("loc0") or a file of the location (its path, the end
 * of its path, its base name, or a folder on its path).
 * Reference: method.md §2.12 (segmentation labels at the reference grid, missing value ignored).
 */
import { transformer, WGS84, type CrsInfo } from '../data/crs';
import type { DecodeCache, RasterFile } from '../data/raster';
import { crsToPixel, type GeoTransform } from '../data/georef';
import { mapLimit, openAndInspect } from '../data/inspect';
import type { AcqDate, Footprint } from '../data/sample';
import type { ByteSource } from '../data/source';
import type { Embedded } from './tokens';

/** No label (nodata, ignored value, outside the raster, or a token without a voting pixel). */
export const NO_LABEL = -1;

/** Fmask classes (the Landsat series' masks, /work/shared/data README); 255 is its fill value. */
export const FMASK_CLASS_NAMES: Readonly<Record<number, string>> = { 0: 'clear', 1: 'water', 2: 'shadow', 3: 'snow', 4: 'cloud' };

export interface LabelRaster {
  name: string;
  crs: CrsInfo;
  transform: GeoTransform;
  width: number;
  height: number;
  nodata: number | null;
  date: AcqDate | null;
  /** 'fmask' when the file was recognised as an Fmask cloud mask (its class names are known). */
  kind: 'fmask' | 'generic';
  file: RasterFile;
  band: number;
}

/** Opens label rasters; files that are not georeferenced single-band rasters are reported, not thrown. */
export async function openLabelRasters(sources: readonly ByteSource[]): Promise<{ rasters: LabelRaster[]; problems: string[] }> {
  const opened = await mapLimit(sources, 4, (s) => openAndInspect(s));
  const rasters: LabelRaster[] = [];
  const problems: string[] = [];
  for (const { record, file } of opened) {
    if (!record.ok || !file) {
      problems.push(`${record.path}: ${record.ok ? 'could not be opened' : record.error}`);
      continue;
    }
    if (!record.crs || !record.transform) {
      problems.push(`${record.path}: not georeferenced, so it cannot be aligned with the samples`);
      continue;
    }
    rasters.push({
      name: record.path,
      crs: record.crs,
      transform: record.transform,
      width: record.width,
      height: record.height,
      nodata: record.nodata,
      date: record.date,
      kind: record.recognition.maskKind === 'fmask' ? 'fmask' : 'generic',
      file,
      band: record.bandIndices[0] ?? 0,
    });
  }
  return { rasters, problems };
}

export const dateKey = (d: AcqDate): string => `${d.year}-${String(d.doy).padStart(3, '0')}`;

/** 'auto': dated when there are at least two rasters and all have distinct dates. */
export function isDatedSeries(rasters: readonly LabelRaster[], mode: 'auto' | 'dated' | 'static' = 'auto'): boolean {
  if (mode !== 'auto') return mode === 'dated';
  if (rasters.length < 2 || rasters.some((r) => !r.date)) return false;
  return new Set(rasters.map((r) => dateKey(r.date!))).size === rasters.length;
}

/** The label image of one sample: raw label values (H, H) at the model pixel centres, NO_LABEL where none. */
export async function sampleLabelGrid(raster: LabelRaster, footprint: Footprint, H: number, ignore: ReadonlySet<number>, cache: DecodeCache): Promise<Int32Array> {
  const toLabel = transformer(WGS84, raster.crs);
  const corners = footprint.map((c) => toLabel(c.lon, c.lat)); // UL, UR, LR, LL in the label CRS
  const cols = new Float64Array(H * H);
  const rows = new Float64Array(H * H);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < H; px++) {
      const u = (px + 0.5) / H;
      const v = (py + 0.5) / H;
      const w = [(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v];
      const x = w[0] * corners[0][0] + w[1] * corners[1][0] + w[2] * corners[2][0] + w[3] * corners[3][0];
      const y = w[0] * corners[0][1] + w[1] * corners[1][1] + w[2] * corners[2][1] + w[3] * corners[3][1];
      const [c, r] = crsToPixel(raster.transform, x, y);
      const i = py * H + px;
      cols[i] = Math.floor(c);
      rows[i] = Math.floor(r);
      x0 = Math.min(x0, cols[i]);
      y0 = Math.min(y0, rows[i]);
      x1 = Math.max(x1, cols[i] + 1);
      y1 = Math.max(y1, rows[i] + 1);
    }
  }
  const out = new Int32Array(H * H).fill(NO_LABEL);
  const win = await raster.file.readWindow([x0, y0, x1, y1], { bands: [raster.band], cache });
  const [wx0, wy0] = win.window;
  const values = win.bands[0];
  for (let i = 0; i < H * H; i++) {
    const c = cols[i] - wx0;
    const r = rows[i] - wy0;
    if (c < 0 || r < 0 || c >= win.width || r >= win.height) continue;
    const v = values[r * win.width + c];
    if (!Number.isFinite(v) || v === raster.nodata || ignore.has(v)) continue;
    out[i] = Math.round(v);
  }
  return out;
}

/** Most frequent value among `values` ≥ 0 (ties: the smaller value); NO_LABEL when none. */
export function majority(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) if (values[i] >= 0) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  let best = NO_LABEL;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && v < best)) [best, bestCount] = [v, c];
  return best;
}

/** Per token of a g×g grid (g = H/P), the majority label of its P×P pixels of an (H, H) label image. */
export function tokenMajority(grid: ArrayLike<number>, H: number, P: number): Int32Array {
  const g = H / P;
  const out = new Int32Array(g * g); // (g, g)
  const cell = new Int32Array(P * P);
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) cell[y * P + x] = grid[(row * P + y) * H + col * P + x];
      out[row * g + col] = majority(cell);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Tile labels

export interface TileLabel {
  key: string;
  labels: string[];
}

/** Parses a CSV or JSON tile-label file; throws naming the line or entry that is wrong. */
export function parseTileLabels(text: string, name = 'labels'): TileLabel[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`${name}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    const asLabels = (v: unknown, where: string): string[] => {
      if (typeof v === 'string' || typeof v === 'number') return [String(v)];
      if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
      throw new Error(`${name}: ${where} must be a label or an array of labels`);
    };
    if (Array.isArray(json)) {
      return json.map((e, i) => {
        if (typeof e !== 'object' || e === null) throw new Error(`${name}: entry ${i} is not an object`);
        const o = e as Record<string, unknown>;
        const key = o.key ?? o.file ?? o.location ?? o.tile;
        if (typeof key !== 'string' || !key) throw new Error(`${name}: entry ${i} has no "key" (or "file", "location", "tile")`);
        return { key, labels: asLabels(o.labels ?? o.label ?? o.class, `entry ${i} "label"`) };
      });
    }
    return Object.entries(json as Record<string, unknown>).map(([key, v]) => ({ key, labels: asLabels(v, `"${key}"`) }));
  }
  const out: TileLabel[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const cols = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cols.length < 2 || !cols[0] || !cols[1]) throw new Error(`${name}:${i + 1}: expected "key,label", got "${line}"`);
    if (out.length === 0 && /^(key|file|path|location|tile|id)$/i.test(cols[0]) && /^(labels?|class(es)?|category)$/i.test(cols[1])) return;
    out.push({ key: cols[0], labels: cols[1].split('|').map((s) => s.trim()).filter(Boolean) });
  });
  if (out.length === 0) throw new Error(`${name}: no labels found`);
  return out;
}

const norm = (p: string) => p.replace(/\\/g, '/');
const base = (p: string) => norm(p).split('/').pop() ?? p;

/** Does `key` name `file` (same path, a trailing part of it, its base name, or a folder on its path)? */
export function keyMatchesFile(key: string, file: string): boolean {
  const k = norm(key).replace(/\/+$/, '');
  const f = norm(file);
  return f === k || f.endsWith(`/${k}`) || base(f) === k || f.startsWith(`${k}/`) || f.includes(`/${k}/`);
}

/** Labels of a sample: by sample id, then location id, then any of the location's files. Null when unlabelled. */
export function matchTileLabel(entries: readonly TileLabel[], sample: { id: string; location: string; files: readonly string[] }): string[] | null {
  const bySample = entries.find((e) => e.key === sample.id);
  if (bySample) return bySample.labels;
  const byLocation = entries.find((e) => e.key === sample.location);
  if (byLocation) return byLocation.labels;
  const byFile = entries.find((e) => sample.files.some((f) => keyMatchesFile(e.key, f)));
  return byFile ? byFile.labels : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-token labels of embedded samples

export interface TokenLabels {
  /** (tokens) raw label value per token, NO_LABEL where none. */
  labels: Int32Array;
  /** Distinct (sample, modality, date) images that found their label raster (dated) or were labelled (static). */
  labelledImages: number;
  /** Dates of images without a label raster of the same day (dated series only). */
  unmatchedDates: string[];
}

/**
 * Majority label of every token of `emb` (see the header). Static labels: the rasters form one mosaic (the first
 * raster holding a label wins per pixel). Dated labels: each (sample, modality, date) image uses the raster of its day.
 */
export async function tokenLabels(emb: Embedded, rasters: readonly LabelRaster[], opts: { dated: boolean; ignore?: ReadonlySet<number>; cache: DecodeCache }): Promise<TokenLabels> {
  const { config, tokens: t, samples } = emb;
  const ignore = opts.ignore ?? new Set<number>();
  const byDate = new Map<string, LabelRaster>();
  if (opts.dated) for (const r of rasters) if (r.date) byDate.set(dateKey(r.date), r);
  const labels = new Int32Array(t.count).fill(NO_LABEL);
  const unmatched = new Set<string>();
  let labelledImages = 0;
  for (let s = 0; s < samples.length; s++) {
    const base = s * t.perSample;
    // (modality, date index) → per-token majority over that image's g×g grid; static labels use date index 0.
    const grids = new Map<string, Int32Array | null>();
    const gridFor = async (m: number, d: number, row: number): Promise<Int32Array | null> => {
      const key = `${m}:${opts.dated ? d : 0}`;
      if (grids.has(key)) return grids.get(key)!;
      const mod = config.modalities[m];
      const H = mod.imageSize;
      let image: Int32Array | null = null;
      if (opts.dated) {
        const k = dateKey({ year: t.year[row], doy: t.doy[row], hour: 0 });
        const r = byDate.get(k);
        if (r) image = await sampleLabelGrid(r, samples[s].footprint, H, ignore, opts.cache);
        else unmatched.add(k);
      } else {
        for (const r of rasters) {
          const g = await sampleLabelGrid(r, samples[s].footprint, H, ignore, opts.cache);
          if (!image) image = g;
          else for (let i = 0; i < g.length; i++) if (image[i] === NO_LABEL) image[i] = g[i];
        }
      }
      const maj = image ? tokenMajority(image, H, mod.patchSize) : null;
      if (maj) labelledImages++;
      grids.set(key, maj);
      return maj;
    };
    for (let i = base; i < base + t.perSample; i++) {
      const maj = await gridFor(t.modality[i], t.dateIndex[i], i);
      if (!maj) continue;
      const g = config.modalities[t.modality[i]].imageSize / config.modalities[t.modality[i]].patchSize;
      labels[i] = maj[t.row[i] * g + t.col[i]];
    }
  }
  return { labels, labelledImages, unmatchedDates: [...unmatched].sort() };
}
