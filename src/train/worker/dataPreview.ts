/**
 * Previews of one acquisition for the Data section: grey band thumbnails and RGB composites with a per-channel
 * 2–98 % cumulative-cut stretch (QGIS/torchgeo convention), rendered in the worker to RGBA bytes.
 *
 * The acquisition is read once onto a downsampled copy of its own grid (all requested bands in one read, through
 * src/data GeoImage so per-band files, scaling and nodata behave exactly as in training), without its cloud mask so
 * clouds stay visible. Images larger than MAX_READ_PIXELS are previewed by their centre crop so a 10 000² mosaic
 * never decodes whole. Composite recipes are chosen from the bands' common names (red, green, blue, nir, swir …).
 * Invariants: alpha is 0 exactly where the pixel is invalid (nodata, outside the file, NaN) in any channel of that
 * tile; a constant channel renders mid-grey instead of dividing by zero.
 * Reference: /work/shared/docs/data.md §4 (2–98 % stretch), §5 (composite presets); src/data/image.ts.
 */
import type { Pool } from 'geotiff';
import type { Acquisition } from '../../data/catalog';
import { acquisitionScaling, shiftedTransform } from '../../data/dataset';
import { GeoImage, type TargetGrid } from '../../data/image';
import type { RasterFile } from '../../data/raster';
import type { FileRecord } from '../../data/record';
import type { SensorKind } from '../../data/recognize';
import { selectScaling } from '../../data/scaling';
import type { CompositePreset, PreviewReply, PreviewTile, PreviewTileRequest } from '../protocol/data';

/** Above this many grid pixels only the centre is previewed (bounded decode for huge mosaics). */
export const MAX_READ_PIXELS = 2048 * 2048;
/** Values kept for the percentile estimate (every k-th valid value). */
const PERCENTILE_SAMPLE = 65536;

// ---------------------------------------------------------------------------------------------------------------
// Stretch

/**
 * The lo/hi quantiles (default 2 % and 98 %) of the valid, finite values of `values[offset … offset+n)`. Returns null
 * when there is no valid value.
 */
export function percentileRange(values: Float32Array, offset: number, n: number, valid: Uint8Array, lo = 0.02, hi = 0.98): [number, number] | null {
  let count = 0;
  for (let i = 0; i < n; i++) if (valid[i] && Number.isFinite(values[offset + i])) count++;
  if (count === 0) return null;
  const stride = Math.max(1, Math.floor(count / PERCENTILE_SAMPLE));
  const kept = new Float64Array(Math.ceil(count / stride));
  let k = 0;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const v = values[offset + i];
    if (!valid[i] || !Number.isFinite(v)) continue;
    if (seen++ % stride === 0) kept[k++] = v;
  }
  const sorted = kept.subarray(0, k).sort();
  const q = (p: number) => {
    const pos = p * (sorted.length - 1);
    const a = Math.floor(pos);
    const b = Math.min(sorted.length - 1, a + 1);
    return sorted[a] + (sorted[b] - sorted[a]) * (pos - a);
  };
  return [q(lo), q(hi)];
}

/**
 * RGBA of 1 (grey) or 3 (RGB) channels of HW values each, stretched linearly from range[c] to 0…255 and clamped.
 * `valid` (HW) sets alpha; a channel whose range is empty (constant) is drawn at 128.
 */
export function stretchToRgba(channels: Float32Array[], valid: Uint8Array, ranges: [number, number][], HW: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(HW * 4); // (H, W, 4)
  const rgb = channels.length === 1 ? [0, 0, 0] : [0, 1, 2];
  const scale = ranges.map(([a, b]) => (b > a ? 255 / (b - a) : 0));
  for (let i = 0; i < HW; i++) {
    for (let k = 0; k < 3; k++) {
      const c = rgb[k];
      const [a] = ranges[c];
      out[i * 4 + k] = scale[c] > 0 ? (channels[c][i] - a) * scale[c] : 128;
    }
    out[i * 4 + 3] = valid[i] ? 255 : 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Composite recipes

/** Normalised common name of a band ("red", "nir", "nir08", "swir1", "swir2", "vv" …) from its name and STAC name. */
export function commonName(name: string, common: string | null): string {
  const c = (common ?? name).toLowerCase();
  const aliases: Record<string, string> = { r: 'red', g: 'green', b: 'blue', swir16: 'swir1', swir22: 'swir2', nir08: 'nir08', n: 'nir' };
  return aliases[c] ?? c;
}

/**
 * Composite presets available for a band list: true colour, false colour (NIR-R-G), SWIR (SWIR2-NIR-R), SWIR1-NIR-R,
 * Sentinel-1 VV/VH/VV−VH, else the first three bands. `commons` are the bands' STAC common names (null when unknown).
 */
export function compositePresets(sensor: SensorKind, bands: readonly string[], commons: readonly (string | null)[]): CompositePreset[] {
  const by = new Map<string, string>();
  bands.forEach((b, i) => {
    const c = commonName(b, commons[i] ?? null);
    if (!by.has(c)) by.set(c, b);
  });
  const pick = (...names: string[]) => names.map((n) => by.get(n)).find((b) => b !== undefined);
  const out: CompositePreset[] = [];
  const add = (id: string, label: string, ch: (string | undefined)[]) => {
    if (ch.every((c): c is string => c !== undefined) && !out.some((p) => p.channels.join() === ch.join())) out.push({ id, label, channels: [ch[0], ch[1], ch[2]] });
  };
  add('true', 'True colour', [pick('red'), pick('green'), pick('blue')]);
  add('false', 'False colour (NIR, red, green)', [pick('nir', 'nir08'), pick('red'), pick('green')]);
  add('swir', 'SWIR (SWIR2, narrow NIR, red)', [pick('swir2'), pick('nir08', 'nir'), pick('red')]);
  add('swir1', 'SWIR1, NIR, red', [pick('swir1'), pick('nir', 'nir08'), pick('red')]);
  if (sensor === 'sentinel-1' || (by.has('vv') && by.has('vh'))) {
    const vv = pick('vv');
    const vh = pick('vh');
    if (vv && vh) add('sar', 'VV, VH, VV−VH', [vv, vh, `${vv}-${vh}`]);
  }
  if (out.length === 0 && bands.length >= 3) add('first3', `Bands ${bands[0]}, ${bands[1]}, ${bands[2]}`, [bands[0], bands[1], bands[2]]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Splits "A-B" into [A, B] when both are bands; a plain band name gives [name]. Throws for unknown names. */
export function parseChannel(channel: string, bands: readonly string[]): string[] {
  if (bands.includes(channel)) return [channel];
  const parts = channel.split('-');
  if (parts.length === 2 && bands.includes(parts[0]) && bands.includes(parts[1])) return parts;
  throw new Error(`"${channel}" is not a band of this image (bands: ${bands.join(', ')})`);
}

/** The (possibly cropped) downsampled grid a preview is read on. */
export function previewGrid(grid: TargetGrid, maxSize: number): { target: TargetGrid; crop: PreviewReply['crop'] } {
  let x = 0;
  let y = 0;
  let w = grid.width;
  let h = grid.height;
  let crop: PreviewReply['crop'] = null;
  if (w * h > MAX_READ_PIXELS) {
    const side = Math.floor(Math.sqrt(MAX_READ_PIXELS));
    const cw = Math.min(w, side);
    const ch = Math.min(h, Math.floor(MAX_READ_PIXELS / cw));
    x = Math.floor((w - cw) / 2);
    y = Math.floor((h - ch) / 2);
    crop = { x, y, width: cw, height: ch, of: [w, h] };
    w = cw;
    h = ch;
  }
  const s = Math.max(1, Math.max(w, h) / Math.max(1, maxSize));
  const width = Math.max(1, Math.round(w / s));
  const height = Math.max(1, Math.round(h / s));
  // Pixel size along each axis so the output exactly covers the (cropped) rectangle.
  const base = shiftedTransform(grid.transform, x, y, 1);
  const sx = w / width;
  const sy = h / height;
  const transform: TargetGrid['transform'] = [base[0], base[1] * sx, base[2] * sy, base[3], base[4] * sx, base[5] * sy];
  return { target: { crs: grid.crs, transform, width, height }, crop };
}

/** Reads and renders the requested tiles of acquisition `acq`. */
export async function renderPreview(
  acq: Acquisition,
  files: ReadonlyMap<string, RasterFile>,
  records: ReadonlyMap<string, FileRecord>,
  tiles: readonly PreviewTileRequest[],
  maxSize: number,
  pool: Pool | null = null,
): Promise<{ reply: PreviewReply; transfer: Transferable[] }> {
  if (tiles.length === 0) throw new Error('no preview tile requested');
  // Without the mask: a preview should show the clouds the mask would remove.
  const image = new GeoImage({ ...acq, mask: null }, files, records);
  const { target, crop } = previewGrid(image.grid(), Math.min(1024, Math.max(16, Math.round(maxSize))));
  const parsed = tiles.map((t) => {
    if (t.channels.length !== 1 && t.channels.length !== 3) throw new Error(`a preview has 1 or 3 channels, got ${t.channels.length}`);
    return t.channels.map((c) => parseChannel(c, acq.bands));
  });
  const needed = [...new Set(parsed.flat(2))];
  const bandIdx = needed.map((b) => acq.bands.indexOf(b));
  const scaling = selectScaling(acquisitionScaling(acq, records, 'sensor'), bandIdx);
  const HW = target.width * target.height;
  const read = await image.read(target, { bands: bandIdx, scaling, method: 'bilinear', pool }); // data (C, H, W), valid (H, W)
  const bandData = (name: string) => read.data.subarray(needed.indexOf(name) * HW, (needed.indexOf(name) + 1) * HW);
  const out: PreviewTile[] = parsed.map((channels, ti) => {
    const valid = read.valid.slice();
    const values = channels.map((parts) => {
      if (parts.length === 1) return bandData(parts[0]);
      const a = bandData(parts[0]);
      const b = bandData(parts[1]);
      const d = new Float32Array(HW); // (H, W)
      for (let i = 0; i < HW; i++) d[i] = a[i] - b[i];
      return d;
    });
    for (const v of values) for (let i = 0; i < HW; i++) if (!Number.isFinite(v[i])) valid[i] = 0;
    const ranges = values.map((v): [number, number] => percentileRange(v, 0, HW, valid) ?? [0, 0]);
    return { channels: [...tiles[ti].channels], width: target.width, height: target.height, rgba: stretchToRgba(values, valid, ranges, HW), ranges };
  });
  return { reply: { acquisition: acq.id, unit: scaling.unit, tiles: out, crop }, transfer: out.map((t) => t.rgba.buffer) };
}
