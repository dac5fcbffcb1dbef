/**
 * Nodata-aware resampling of one band onto an axis-aligned target grid (nearest or bilinear).
 *
 * Coordinates are continuous source-pixel coordinates with pixel k covering [k, k+1) and its centre at k + 0.5;
 * output pixel i samples the source at srcX(i) = x0 + (i + 0.5)·dx. This is GDAL's convention, so upsampling a
 * 20 m Sentinel-2 band to 10 m reproduces `gdalwarp/gdal_translate -r bilinear` (edges replicate, as GDAL's
 * kernel renormalises over in-image pixels). Invalid neighbours are dropped and the remaining bilinear weights
 * renormalised (GDAL's behaviour with nodata); an output pixel with no valid neighbour, or whose centre falls
 * outside the source, is invalid.
 * geotiff.js's own resampler maps pixel corners (x·in/out) and writes back into the integer input type, so it is
 * not used for alignment-sensitive work.
 * Invariants: `outValid` is AND-ed (never set to 1 here); `out` is written only where the result is valid.
 * Reference: GDAL gcore/overview & alg/gdalwarpkernel bilinear with nodata; /work/shared/docs/data.md §1.4.
 */

export type ResampleMethod = 'nearest' | 'bilinear';

/** Output pixel i ↦ source coordinate x0 + (i + 0.5)·dx (same for rows with y0, dy). */
export interface GridMap {
  x0: number;
  dx: number;
  y0: number;
  dy: number;
}

export interface SourceBand {
  /** Values of the (height, width) window: pixel (r, c) at data[offset + r·stride + c]. */
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** (height, width) 1 = valid, indexed r·width + c, or null when every pixel is valid. */
  valid: Uint8Array | null;
  /** Index of pixel (0, 0) in `data` (default 0): a window can be read in place from a larger array. */
  offset?: number;
  /** Elements between rows of `data` (default `width`). */
  stride?: number;
  /** A value that marks a source pixel invalid (as valid[i] = 0 would), or null/undefined for none. NaN is always invalid. */
  nodata?: number | null;
}

/** Whether `map` puts output pixel (i, j) exactly on source pixel (x0 + i, y0 + j) (unit scale, integer offset). */
export function isAligned(map: GridMap): boolean {
  return map.dx === 1 && map.dy === 1 && Number.isInteger(map.x0) && Number.isInteger(map.y0);
}

/** Per-column scratch reused across calls (resampling is synchronous, so one set serves every call). */
let colLo = new Int32Array(64);
let colFrac = new Float64Array(64);
let colIn = new Uint8Array(64);

function columnScratch(n: number): void {
  if (colLo.length >= n) return;
  const size = Math.max(n, 2 * colLo.length);
  colLo = new Int32Array(size);
  colFrac = new Float64Array(size);
  colIn = new Uint8Array(size);
}

/**
 * Resamples `src` into `out` (outH, outW) at `outOffset`, AND-ing validity into `outValid` (outH, outW).
 * `affine` (a, b) converts each source value to a·v + b before interpolation (DN → physical units).
 * With `out` null only the validity is computed (the same validity a full call gives).
 */
export function resampleBand(
  src: SourceBand,
  out: Float32Array | null,
  outOffset: number,
  outValid: Uint8Array,
  outW: number,
  outH: number,
  map: GridMap,
  method: ResampleMethod,
  affine: readonly [number, number] = [1, 0],
): void {
  const { data, width: W, height: H, valid } = src;
  const base = src.offset ?? 0;
  const stride = src.stride ?? W;
  // NaN never equals anything, so "no nodata" is a comparison that is always false.
  const nd = src.nodata ?? NaN;
  const a = affine[0];
  const b = affine[1];
  if (isAligned(map)) {
    copyAligned(data, base, stride, W, H, valid, nd, out, outOffset, outValid, outW, outH, map.x0, map.y0, a, b);
    return;
  }
  // Per-column source coordinates are the same for every row: computed once per call.
  columnScratch(outW);
  for (let i = 0; i < outW; i++) {
    const sx = map.x0 + (i + 0.5) * map.dx;
    colIn[i] = sx >= 0 && sx < W ? 1 : 0;
    if (method === 'nearest') {
      colLo[i] = Math.min(W - 1, Math.max(0, Math.floor(sx)));
    } else {
      const c = sx - 0.5;
      const lo = Math.floor(c);
      colLo[i] = lo;
      colFrac[i] = c - lo;
    }
  }
  for (let j = 0; j < outH; j++) {
    const sy = map.y0 + (j + 0.5) * map.dy;
    const rowIn = sy >= 0 && sy < H;
    const orow = j * outW;
    if (!rowIn) {
      for (let i = 0; i < outW; i++) outValid[orow + i] = 0;
      continue;
    }
    if (method === 'nearest') {
      const r = Math.min(H - 1, Math.max(0, Math.floor(sy)));
      const srow = base + r * stride;
      const vrow = r * W;
      for (let i = 0; i < outW; i++) {
        const o = orow + i;
        if (!colIn[i] || !outValid[o]) {
          outValid[o] = 0;
          continue;
        }
        const v = data[srow + colLo[i]];
        if ((valid !== null && !valid[vrow + colLo[i]]) || v !== v || v === nd) {
          outValid[o] = 0;
          continue;
        }
        if (out !== null) out[outOffset + o] = a * v + b;
      }
      continue;
    }
    const cy = sy - 0.5;
    const ylo = Math.floor(cy);
    const fy = cy - ylo;
    const r0 = Math.min(H - 1, Math.max(0, ylo));
    const r1 = Math.min(H - 1, Math.max(0, ylo + 1));
    for (let i = 0; i < outW; i++) {
      const o = orow + i;
      if (!colIn[i] || !outValid[o]) {
        outValid[o] = 0;
        continue;
      }
      const c0 = Math.min(W - 1, Math.max(0, colLo[i]));
      const c1 = Math.min(W - 1, Math.max(0, colLo[i] + 1));
      const fx = colFrac[i];
      const i00 = r0 * W + c0;
      const i01 = r0 * W + c1;
      const i10 = r1 * W + c0;
      const i11 = r1 * W + c1;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      let sum = 0;
      let wsum = 0;
      let v = data[base + r0 * stride + c0];
      if (w00 > 0 && !(valid !== null && !valid[i00]) && v === v && v !== nd) {
        sum += w00 * v;
        wsum += w00;
      }
      v = data[base + r0 * stride + c1];
      if (w01 > 0 && !(valid !== null && !valid[i01]) && v === v && v !== nd) {
        sum += w01 * v;
        wsum += w01;
      }
      v = data[base + r1 * stride + c0];
      if (w10 > 0 && !(valid !== null && !valid[i10]) && v === v && v !== nd) {
        sum += w10 * v;
        wsum += w10;
      }
      v = data[base + r1 * stride + c1];
      if (w11 > 0 && !(valid !== null && !valid[i11]) && v === v && v !== nd) {
        sum += w11 * v;
        wsum += w11;
      }
      if (wsum <= 1e-12) {
        outValid[o] = 0;
        continue;
      }
      if (out !== null) out[outOffset + o] = a * (sum / wsum) + b;
    }
  }
}

/**
 * resampleBand on a grid aligned with the source's (unit scale, integer offset): output pixel (i, j) is source pixel
 * (x0 + i, y0 + j). Nearest and bilinear both reduce to that pixel there (bilinear weights are 1, 0, 0, 0), so this is
 * the general loop's result without its per-column coordinates — the common case of files on one grid.
 */
function copyAligned(
  data: ArrayLike<number>,
  base: number,
  stride: number,
  W: number,
  H: number,
  valid: Uint8Array | null,
  nd: number,
  out: Float32Array | null,
  outOffset: number,
  outValid: Uint8Array,
  outW: number,
  outH: number,
  x0: number,
  y0: number,
  a: number,
  b: number,
): void {
  // Output columns [i0, i1) fall inside the source; the others are invalid on every row.
  const i0 = Math.min(outW, Math.max(0, -x0));
  const i1 = Math.max(i0, Math.min(outW, W - x0));
  for (let j = 0; j < outH; j++) {
    const r = y0 + j;
    const orow = j * outW;
    if (r < 0 || r >= H) {
      outValid.fill(0, orow, orow + outW);
      continue;
    }
    outValid.fill(0, orow, orow + i0);
    outValid.fill(0, orow + i1, orow + outW);
    const s = base + r * stride + x0;
    const vr = r * W + x0;
    for (let i = i0; i < i1; i++) {
      const o = orow + i;
      if (outValid[o] === 0) continue;
      const v = data[s + i];
      if ((valid !== null && valid[vr + i] === 0) || v !== v || v === nd) outValid[o] = 0;
      else if (out !== null) out[outOffset + o] = a * v + b;
    }
  }
}
