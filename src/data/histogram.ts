/**
 * Statistics of integer bands through a histogram: the figures a StatsAccumulator reports (count, min, max, and the
 * 2 / 98 % percentiles of the same subsample exactly; mean and std up to rounding), for the raw values and for any
 * affine scaling of them, from one pass over the pixels.
 *
 * Why: inspection computes statistics of every file, raw and scaled; most EO rasters are 8- or 16-bit integers. The
 * counting runs in one module-level scratch histogram (65 536 bins, zeroed again over the occupied range after each
 * call): the function is synchronous, so interleaved async inspections never share it mid-use, and a folder of
 * hundreds of small files allocates no histogram per band. The result keeps only what histogramStats needs.
 * Invariants: a histogram covers at most max(4096, 4n, 65 536 for a known 16-bit range) values, else null (the
 * caller uses a StatsAccumulator); percentile ranks follow stats.ts's kept subsample (every stride-th valid value).
 * Reference: stats.ts (the accumulator these figures must equal); inspect.ts (the caller).
 */
import { emptyStats, finalStride, type BandStats } from './stats';

/** An affine scaling v ↦ (v · scale + offset) / normFac (scaleValue with post 'none'). */
export interface AffineScaling {
  scale: number;
  offset: number;
  normFac: number;
}

/** The most distinct values `IntegerHistogram.values` lists. */
export const MAX_LISTED_VALUES = 32;

/** What histogramStats needs of an integer band's histogram (see integerHistogram). */
export interface IntegerHistogram {
  count: number;
  min: number;
  max: number;
  /** Values in the StatsAccumulator subsample (every stride-th counted value). */
  kept: number;
  /** Mean and sum of squared deviations of the counted values (NaN and 0 when there are none). */
  mean: number;
  m2: number;
  /** Subsample rank → value, for the ranks the 2 % and 98 % percentiles use, in both orders. */
  ranks: Map<number, number>;
  /** The distinct counted values, ascending, when there are at most MAX_LISTED_VALUES of them; else null. */
  values: number[] | null;
}

const SCRATCH_BINS = 65536;
/** Zero outside a call (each call zeroes the bins it used). */
const scratchH = new Uint32Array(SCRATCH_BINS);
const scratchSub = new Uint32Array(SCRATCH_BINS);

/** The histogram of no values (all pixels invalid). */
function noValues(): IntegerHistogram {
  return { count: 0, min: NaN, max: NaN, kept: 0, mean: NaN, m2: 0, ranks: new Map(), values: [] };
}

/** The subsample ranks the 2 % and 98 % percentiles interpolate between: [lo2, lo2 + 1, lo98, lo98 + 1] (clamped). */
function percentileRanks(kept: number): { pos2: number; pos98: number; ranks: number[] } {
  const last = kept - 1;
  const pos2 = 0.02 * last;
  const pos98 = 0.98 * last;
  const lo2 = Math.floor(pos2);
  const lo98 = Math.floor(pos98);
  return { pos2, pos98, ranks: [lo2, Math.min(last, lo2 + 1), lo98, Math.min(last, lo98 + 1)] };
}

/** True when `data` is an 8- or 16-bit integer array whose whole type range lies inside `bounds`. */
function holdsOnly(data: ArrayLike<number>, bounds: readonly [number, number]): boolean {
  const range =
    data instanceof Uint8Array || data instanceof Uint8ClampedArray ? [0, 255]
    : data instanceof Int8Array ? [-128, 127]
    : data instanceof Uint16Array ? [0, 65535]
    : data instanceof Int16Array ? [-32768, 32767]
    : null;
  return range !== null && bounds[0] <= range[0] && bounds[1] >= range[1];
}

/**
 * Histogram statistics of the integer values data[i], i < n, where valid[i] (or all), and of the subsample a
 * StatsAccumulator(capacity) would keep of them. `bounds` (the data type's range) lets a type of ≤ 65 536 values be
 * counted in one pass; otherwise a first pass finds the range. Null when a value is not an integer (or lies outside
 * `bounds`), or the range is too wide for a histogram.
 */
export function integerHistogram(data: ArrayLike<number>, n: number, valid: Uint8Array | null, bounds: readonly [number, number] | null = null, capacity = 20000): IntegerHistogram | null {
  const limit = Math.max(4096, 4 * n);
  let base: number;
  let size: number;
  let h: Uint32Array;
  let count = 0;
  // Bins holding a value, and their span [lo, hi].
  let occupied = 0;
  let lo = Infinity;
  let hi = -Infinity;
  // Σ (value − base) over the counted values, summed by the counting pass (exact: integers below 2^53).
  let sumK = 0;
  if (bounds && bounds[1] - bounds[0] + 1 <= Math.max(limit, SCRATCH_BINS)) {
    base = bounds[0];
    size = bounds[1] - bounds[0] + 1;
    h = size <= SCRATCH_BINS ? scratchH : new Uint32Array(size);
    // An 8/16-bit integer array whose type fits the bounds holds only integers in range: none needs testing.
    const checked = !holdsOnly(data, bounds);
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const k = data[i] - base;
      // In range and an integer (NaN fails every test).
      if (checked && (!(k >= 0 && k < size) || (k | 0) !== k)) {
        if (count > 0) h.fill(0, lo, hi + 1);
        return null;
      }
      if (h[k]++ === 0) occupied++;
      if (k < lo) lo = k;
      if (k > hi) hi = k;
      sumK += k;
      count++;
    }
  } else {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const v = data[i];
      if ((v | 0) !== v) return null;
      if (v < min) min = v;
      if (v > max) max = v;
      count++;
    }
    if (count === 0) return noValues();
    if (max - min + 1 > limit) return null;
    base = min;
    size = max - min + 1;
    lo = 0;
    hi = size - 1;
    h = size <= SCRATCH_BINS ? scratchH : new Uint32Array(size);
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const k = data[i] - base;
      if (h[k]++ === 0) occupied++;
      sumK += k;
    }
  }
  if (count === 0) return noValues();

  const stride = finalStride(count, capacity);
  let sub = h;
  let kept = count;
  if (stride > 1) {
    sub = size <= SCRATCH_BINS ? scratchSub : new Uint32Array(size);
    kept = 0;
    // Value number j (among the counted ones) is kept when j is a multiple of the stride, a power of two.
    const mask = stride - 1;
    let seen = 0;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      if ((seen++ & mask) === 0) {
        sub[data[i] - base]++;
        kept++;
      }
    }
  }

  // Mean from the exact integer sum of offsets from the minimum (a constant band's mean is its value), then M2: over
  // the bins, or over the values when the span is the longer loop (a 16-bit type counts few values over many bins).
  const shift = base + lo;
  // Σ (value − shift), the same exact integer as the counting pass's sum.
  const sum = sumK - count * lo;
  const dMean = sum / count;
  let m2 = 0;
  if (hi - lo + 1 <= n) {
    for (let k = lo; k <= hi; k++) {
      const c = h[k];
      if (c === 0) continue;
      const d = k - lo - dMean;
      m2 += c * d * d;
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const d = data[i] - shift - dMean;
      m2 += d * d;
    }
  }
  let values: number[] | null = null;
  if (occupied <= MAX_LISTED_VALUES) {
    values = [];
    for (let k = lo; k <= hi; k++) if (h[k] !== 0) values.push(base + k);
  }

  // The subsample values at the percentile ranks, counted from either end (a negative scaling reverses the order):
  // the low ranks by a scan up from the minimum, the high ones down from the maximum, each stopping at its last rank.
  const last = kept - 1;
  const { ranks: up } = percentileRanks(kept);
  const wanted = [...new Set([...up, ...up.map((r) => last - r)])];
  const low = wanted.filter((r) => 2 * r <= last).sort((a, b) => a - b);
  const high = wanted.filter((r) => 2 * r > last).sort((a, b) => b - a);
  const ranks = new Map<number, number>();
  let cum = 0;
  for (let k = lo, j = 0; j < low.length; k++) {
    cum += sub[k];
    while (j < low.length && low[j] < cum) ranks.set(low[j++], base + k);
  }
  cum = 0;
  for (let k = hi, j = 0; j < high.length; k--) {
    cum += sub[k];
    // Bin k holds ranks [kept − cum, kept − cum + sub[k]).
    while (j < high.length && high[j] >= kept - cum) ranks.set(high[j++], base + k);
  }

  if (h === scratchH) h.fill(0, lo, hi + 1);
  if (sub === scratchSub) sub.fill(0, lo, hi + 1);
  return { count, min: base + lo, max: base + hi, kept, mean: shift + sum / count, m2, ranks, values };
}

/**
 * The BandStats a StatsAccumulator reports for the histogram's values or, with `affine` (normFac > 0), for the scaled
 * values (v · scale + offset) / normFac, without touching the pixels again: the map is monotone in floating point
 * too, so the scaled order statistics are the mapped raw ones (reversed for a negative scale), the mean moves with
 * the map and the std scales by |scale| / normFac. Null when a scaled value would not be finite (the accumulator
 * would skip it): the caller then scales the pixels.
 */
export function histogramStats(hg: IntegerHistogram, affine: AffineScaling | null = null): BandStats | null {
  const { count, kept } = hg;
  if (count === 0) return emptyStats();
  const f = affine ? (v: number) => (v * affine.scale + affine.offset) / affine.normFac : (v: number) => v;
  if (affine && (!(affine.normFac > 0) || !Number.isFinite(f(hg.min)) || !Number.isFinite(f(hg.max)))) return null;
  const last = kept - 1;
  const { pos2, pos98, ranks } = percentileRanks(kept);
  // A decreasing scaling reverses the order: scaled rank r is raw rank last − r.
  const reversed = affine !== null && affine.scale < 0;
  const sv = (i: number) => f(hg.ranks.get(reversed ? last - ranks[i] : ranks[i]) as number);
  const interp = (pos: number, lo: number, a: number, b: number) => a + (b - a) * (pos - lo);
  const std = Math.sqrt(hg.m2 / count);
  return {
    count,
    mean: f(hg.mean),
    std: affine ? (std * Math.abs(affine.scale)) / affine.normFac : std,
    min: reversed ? f(hg.max) : f(hg.min),
    max: reversed ? f(hg.min) : f(hg.max),
    p2: interp(pos2, ranks[0], sv(0), sv(1)),
    p98: interp(pos98, ranks[2], sv(2), sv(3)),
  };
}

/** integerHistogram + histogramStats for the raw values and, with `affine`, the scaled ones (tests, one-off use). */
export function integerStats(
  data: ArrayLike<number>,
  n: number,
  valid: Uint8Array | null,
  affine: AffineScaling | null = null,
  capacity = 20000,
): { raw: BandStats; scaled: BandStats | null } | null {
  const hg = integerHistogram(data, n, valid, null, capacity);
  if (!hg) return null;
  return { raw: histogramStats(hg) as BandStats, scaled: affine ? histogramStats(hg, affine) : null };
}
