/**
 * Colour scales for the Inspect grid, applied in the worker: percentile stretches, colormap lookup tables and the
 * RGBA rendering of single-band and RGB-composite images.
 *
 * Conventions (data.md §5): inputs use the 2–98 % cumulative-cut stretch (torchgeo percentile_normalization, QGIS
 * CumulativeCut) over the valid pixels of ALL dates of a row, so dates are comparable; invalid pixels are transparent
 * (alpha 0, like OpenLayers' nodata alpha band). Colormaps are perceptually uniform (viridis for values, magma for
 * errors), built by linear interpolation in sRGB between matplotlib's published control colours.
 * Invariants: every rendered image is (H, W, 4) RGBA row-major; a degenerate range (hi ≤ lo) is widened so nothing
 * divides by zero; the legend `stops` of a colormap are exactly the colours its lookup table interpolates.
 */
import type { ColormapName } from '../protocol/inspect';

/** Control colours from lo to hi (matplotlib viridis / magma at 9 evenly spaced positions). */
export const COLORMAP_STOPS: Record<ColormapName, string[]> = {
  gray: ['#000000', '#ffffff'],
  viridis: ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'],
  magma: ['#000004', '#180f3d', '#440f76', '#721f81', '#9e2f7f', '#cd4071', '#f1605d', '#fd9668', '#fcfdbf'],
};

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const lutCache = new Map<ColormapName, Uint8Array>();

/** (256, 3) RGB lookup table of a colormap. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = lutCache.get(name);
  if (lut) return lut;
  const stops = COLORMAP_STOPS[name].map(hexRgb);
  lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  lutCache.set(name, lut);
  return lut;
}

export interface Range {
  lo: number;
  hi: number;
}

/** At most this many values are sorted for a percentile; larger inputs are sampled with a fixed stride. */
const MAX_SORTED = 200_000;

/**
 * The [pLo, pHi] percentiles (fractions) of the finite values where `include(i)` holds (all when absent), with a
 * degenerate range widened around its value. Empty input → [0, 1].
 */
export function percentileRange(values: ArrayLike<number>, pLo: number, pHi: number, include?: (i: number) => boolean): Range {
  let count = 0;
  for (let i = 0; i < values.length; i++) if ((!include || include(i)) && Number.isFinite(values[i])) count++;
  if (count === 0) return { lo: 0, hi: 1 };
  const stride = Math.max(1, Math.ceil(count / MAX_SORTED));
  const picked = new Float64Array(Math.ceil(count / stride));
  let seen = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if ((include && !include(i)) || !Number.isFinite(values[i])) continue;
    if (seen++ % stride === 0) picked[n++] = values[i];
  }
  const sorted = picked.subarray(0, n).sort();
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))))];
  return widen({ lo: at(pLo), hi: at(pHi) });
}

/** A range with hi > lo: a flat range becomes lo ± a small margin (so a constant image renders mid-scale). */
export function widen(r: Range): Range {
  if (r.hi > r.lo) return r;
  const eps = Math.max(1e-6, Math.abs(r.lo) * 1e-3);
  return { lo: r.lo - eps, hi: r.lo + eps };
}

/** Position of v in [lo, hi] as a lookup-table index 0…255 (clamped). */
export function lutIndex(v: number, r: Range): number {
  const t = (v - r.lo) / (r.hi - r.lo);
  return t <= 0 || !Number.isFinite(t) ? 0 : t >= 1 ? 255 : Math.round(t * 255);
}

/**
 * Renders (H·W) scalar values into `out` at pixel offset `px0` (RGBA), colour from `lut` over `range`.
 * `alpha(i)` returns false for pixels to leave transparent; `fallback(i)` may return an RGB to use instead of the
 * colormap (e.g. visible patches in the error view).
 */
export function renderScalar(
  values: ArrayLike<number>,
  range: Range,
  lut: Uint8Array,
  out: Uint8ClampedArray,
  px0: number,
  opts: { alpha?: (i: number) => boolean; fallback?: (i: number) => readonly [number, number, number] | null } = {},
): void {
  for (let i = 0; i < values.length; i++) {
    const o = (px0 + i) * 4;
    const fb = opts.fallback?.(i) ?? null;
    if (fb) {
      out[o] = fb[0];
      out[o + 1] = fb[1];
      out[o + 2] = fb[2];
      out[o + 3] = 255;
      continue;
    }
    const k = lutIndex(values[i], range) * 3;
    out[o] = lut[k];
    out[o + 1] = lut[k + 1];
    out[o + 2] = lut[k + 2];
    out[o + 3] = opts.alpha && !opts.alpha(i) ? 0 : 255;
  }
}

/** Renders three (H·W) planes as an RGB composite, each stretched by its own range, into `out` at pixel `px0`. */
export function renderRgb(planes: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>], ranges: readonly [Range, Range, Range], out: Uint8ClampedArray, px0: number, alpha?: (i: number) => boolean): void {
  const n = planes[0].length;
  for (let i = 0; i < n; i++) {
    const o = (px0 + i) * 4;
    for (let c = 0; c < 3; c++) out[o + c] = lutIndex(planes[c][i], ranges[c]);
    out[o + 3] = alpha && !alpha(i) ? 0 : 255;
  }
}
