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
  /** (srcH, srcW) values. */
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** (srcH, srcW) 1 = valid, or null when every pixel is valid. */
  valid: Uint8Array | null;
}

/**
 * Resamples `src` into `out` (outH, outW) at `outOffset`, AND-ing validity into `outValid` (outH, outW).
 * `affine` (a, b) converts each source value to a·v + b before interpolation (DN → physical units).
 */
export function resampleBand(
  src: SourceBand,
  out: Float32Array,
  outOffset: number,
  outValid: Uint8Array,
  outW: number,
  outH: number,
  map: GridMap,
  method: ResampleMethod,
  affine: [number, number] = [1, 0],
): void {
  const { data, width: W, height: H, valid } = src;
  const [a, b] = affine;
  // Per-column source coordinates are the same for every row: precompute them once.
  const colLo = new Int32Array(outW);
  const colFrac = new Float64Array(outW);
  const colIn = new Uint8Array(outW);
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
      const srow = r * W;
      for (let i = 0; i < outW; i++) {
        const o = orow + i;
        if (!colIn[i] || !outValid[o]) {
          outValid[o] = 0;
          continue;
        }
        const s = srow + colLo[i];
        const v = data[s];
        if ((valid && !valid[s]) || v !== v) {
          outValid[o] = 0;
          continue;
        }
        out[outOffset + o] = a * v + b;
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
      let v = data[i00];
      if (w00 > 0 && !(valid && !valid[i00]) && v === v) {
        sum += w00 * v;
        wsum += w00;
      }
      v = data[i01];
      if (w01 > 0 && !(valid && !valid[i01]) && v === v) {
        sum += w01 * v;
        wsum += w01;
      }
      v = data[i10];
      if (w10 > 0 && !(valid && !valid[i10]) && v === v) {
        sum += w10 * v;
        wsum += w10;
      }
      v = data[i11];
      if (w11 > 0 && !(valid && !valid[i11]) && v === v) {
        sum += w11 * v;
        wsum += w11;
      }
      if (wsum <= 1e-12) {
        outValid[o] = 0;
        continue;
      }
      out[outOffset + o] = a * (sum / wsum) + b;
    }
  }
}
