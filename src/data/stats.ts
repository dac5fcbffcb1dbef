/**
 * Per-band statistics from sampled pixels: count, mean, std, min, max and the 2 % / 98 % percentiles (the
 * cumulative-cut stretch QGIS and torchgeo use for previews, and a robust range for normalisation).
 *
 * Mean and variance use Chan et al.'s pairwise update in float64 over blocks of 512 values (two-pass within a
 * block), so adding tiles in any order or chunking gives the same result up to rounding. Percentiles come from a bounded, deterministic subsample (every k-th valid value, k growing as more
 * pixels arrive), so memory stays O(capacity) for any dataset size.
 * Invariants: only valid pixels (valid[h·W + w] = 1) and finite values are counted; std is the population std.
 * Reference: Chan, Golub & LeVeque (1983) pairwise variance; /work/shared/docs/data.md §4 (2–98 % stretch).
 */

export interface BandStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  p2: number;
  p98: number;
}

const EMPTY: BandStats = { count: 0, mean: NaN, std: NaN, min: NaN, max: NaN, p2: NaN, p98: NaN };

/** The statistics of no values (a fresh object). */
export function emptyStats(): BandStats {
  return { ...EMPTY };
}

/**
 * The values of ranks `lo` and `lo + 1` (0-based, ascending; the second clamped to the last rank) of a[0..n), or of
 * ranks counted from the top when `fromTop`. One pass with a bounded heap of the lo + 2 extreme values: the 2 % and 98 %
 * ranks sit near the ends, so almost every value is rejected by a single comparison with the heap's root. Exact (the
 * same values a full sort gives, ties included).
 */
function extremeRanks(a: Float64Array, n: number, lo: number, fromTop: boolean): [number, number] {
  const size = Math.min(n, lo + 2);
  // Max-heap of the `size` smallest values (or min-heap of the largest, via negation).
  const h = new Float64Array(size);
  const sign = fromTop ? -1 : 1;
  let len = 0;
  for (let i = 0; i < n; i++) {
    const v = sign * a[i];
    if (len < size) {
      let c = len++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (h[p] >= v) break;
        h[c] = h[p];
        c = p;
      }
      h[c] = v;
    } else if (v < h[0]) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && h[r] > h[l] ? r : l;
        if (h[m] <= v) break;
        h[c] = h[m];
        c = m;
      }
      h[c] = v;
    }
  }
  // h holds ranks 0..size-1 (from the chosen end); its root is rank size-1, the larger child rank size-2.
  const top = h[0];
  const second = size >= 3 ? Math.max(h[1], h[2]) : size === 2 ? h[1] : h[0];
  const byRank = size === lo + 2 ? [second, top] : [top, top];
  return fromTop ? [-byRank[0], -byRank[1]] : [byRank[0], byRank[1]];
}

/** Values per block of the blocked mean/variance update (a scratch buffer shared by all accumulators: JS is single-threaded). */
const BLOCK = 512;
const scratch = new Float64Array(BLOCK);

class BandAccumulator {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  /**
   * The kept subsample, reservoir[0..kept): the values whose number (0-based, among valid finite values) is a multiple
   * of `stride`, where stride is the smallest power of two leaving fewer than `capacity` of them. This is exactly what
   * keeping every stride-th value and, whenever `capacity` are kept, dropping every other one and doubling the stride
   * leaves — computed per block of values instead of per value.
   */
  reservoir: Float64Array = new Float64Array(0);
  kept = 0;
  stride = 1;
  private readonly capacity: number;

  constructor(capacity: number) {
    // Fewer than 2 would leave no stride with fewer than `capacity` values kept.
    this.capacity = Math.max(2, Math.floor(capacity));
  }

  /**
   * Merges a block of `c` values (scratch[0..c), whose differences from `shift` = scratch[0] sum to `sum`) into the
   * running mean and M2 (Chan et al.'s update) and the kept subsample. The shift keeps a constant band's mean exact
   * and its M2 exactly 0.
   */
  private mergeBlock(c: number, sum: number, shift: number): void {
    const mc = shift + sum / c;
    let m2c = 0;
    for (let i = 0; i < c; i++) {
      const d = scratch[i] - mc;
      m2c += d * d;
    }
    const before = this.count;
    if (before === 0) {
      this.mean = mc;
      this.m2 = m2c;
    } else {
      const n = before + c;
      const delta = mc - this.mean;
      this.mean += (delta * c) / n;
      this.m2 += m2c + (delta * delta * before * c) / n;
    }
    this.count = before + c;
    this.keep(before, c);
  }

  /** Updates the kept subsample for values number [first, first + c), held in scratch[0..c). */
  private keep(first: number, c: number): void {
    const total = first + c;
    let stride = this.stride;
    while (Math.ceil(total / stride) >= this.capacity) stride *= 2;
    let res = this.reservoir;
    let kept = this.kept;
    if (stride !== this.stride) {
      // Drop the kept values whose number is no longer a multiple of the stride (they sat at multiples of the old one).
      const step = stride / this.stride;
      let w = 0;
      for (let r = 0; r < kept; r += step) res[w++] = res[r];
      kept = w;
      this.stride = stride;
    }
    const need = Math.ceil(total / stride);
    if (need > res.length) {
      const next = new Float64Array(Math.min(this.capacity, Math.max(need, 2 * res.length, 64)));
      next.set(res.subarray(0, kept));
      res = next;
      this.reservoir = next;
    }
    // The first multiple of the stride at or after `first`.
    for (let i = Math.ceil(first / stride) * stride - first; i < c; i += stride) res[kept++] = scratch[i];
    this.kept = kept;
  }

  /**
   * Adds data[offset + i] for i in [0, n) where valid[i] (or every i without a mask), skipping non-finite values.
   * Mean and M2 are updated per block of 512 values (two-pass within the block, then merged), which gives the
   * per-value Welford result up to rounding without a division per value.
   */
  addRange(data: ArrayLike<number>, offset: number, n: number, valid: Uint8Array | null): void {
    // Room for every value this call may keep, allocated once (not grown block by block).
    const most = Math.min(this.capacity, Math.ceil((this.count + n) / this.stride));
    if (most > this.reservoir.length) {
      const next = new Float64Array(most);
      next.set(this.reservoir.subarray(0, this.kept));
      this.reservoir = next;
    }
    let { min, max } = this;
    let b = 0;
    let sum = 0;
    let shift = 0;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const v = data[offset + i];
      // Number.isFinite for numbers: NaN and ±Infinity give NaN here.
      if (v - v !== 0) continue;
      if (b === 0) shift = v;
      scratch[b++] = v;
      sum += v - shift;
      if (v < min) min = v;
      if (v > max) max = v;
      if (b === BLOCK) {
        this.mergeBlock(b, sum, shift);
        b = 0;
        sum = 0;
      }
    }
    if (b > 0) this.mergeBlock(b, sum, shift);
    this.min = min;
    this.max = max;
  }

  result(): BandStats {
    if (this.count === 0) return { ...EMPTY };
    // Percentiles need four order statistics near the ends of the kept values, not a full sort (same values).
    const a = this.reservoir;
    const n = this.kept;
    const last = n - 1;
    const rank = (p: number) => {
      const pos = p * last;
      const lo = Math.floor(pos);
      return { pos, lo, hi: Math.min(last, lo + 1) };
    };
    const r2 = rank(0.02);
    const r98 = rank(0.98);
    const [v2lo, v2hi] = extremeRanks(a, n, r2.lo, false);
    // Counted from the top, rank hi is (last − hi) and rank lo is the one after it.
    const [t98hi, t98lo] = extremeRanks(a, n, last - r98.hi, true);
    const v98lo = r98.hi === r98.lo ? t98hi : t98lo;
    const v98hi = t98hi;
    const q = (r: { pos: number; lo: number }, lo: number, hi: number) => lo + (hi - lo) * (r.pos - r.lo);
    return { count: this.count, mean: this.mean, std: Math.sqrt(this.m2 / this.count), min: this.min, max: this.max, p2: q(r2, v2lo, v2hi), p98: q(r98, v98lo, v98hi) };
  }
}

/** Accumulates statistics for C bands over any number of (C, H·W) chunks. */
export class StatsAccumulator {
  private readonly bands: BandAccumulator[];

  constructor(
    readonly C: number,
    capacity = 20000,
  ) {
    this.bands = Array.from({ length: C }, () => new BandAccumulator(capacity));
  }

  /** `data` (C, HW) band-sequential; `valid` (HW) or null for all valid. */
  add(data: ArrayLike<number>, HW: number, valid: Uint8Array | null): void {
    for (let c = 0; c < this.C; c++) this.bands[c].addRange(data, c * HW, HW, valid);
  }

  /** Adds `n` values of band `c` from data[offset..offset + n), with validity valid[0..n) (or null: all valid). */
  addBand(c: number, data: ArrayLike<number>, offset: number, n: number, valid: Uint8Array | null): void {
    this.bands[c].addRange(data, offset, n, valid);
  }

  result(): BandStats[] {
    return this.bands.map((b) => b.result());
  }
}

export function bandStats(data: ArrayLike<number>, C: number, HW: number, valid: Uint8Array | null): BandStats[] {
  const acc = new StatsAccumulator(C);
  acc.add(data, HW, valid);
  return acc.result();
}

/** The stride a StatsAccumulator of `capacity` ends with after `n` values (see BandAccumulator.reservoir). */
export function finalStride(n: number, capacity: number): number {
  const cap = Math.max(2, Math.floor(capacity));
  let stride = 1;
  while (Math.ceil(n / stride) >= cap) stride *= 2;
  return stride;
}
