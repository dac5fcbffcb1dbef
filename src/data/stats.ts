/**
 * Per-band statistics from sampled pixels: count, mean, std, min, max and the 2 % / 98 % percentiles (the
 * cumulative-cut stretch QGIS and torchgeo use for previews, and a robust range for normalisation).
 *
 * Mean and variance use Welford/Chan updates in float64 so adding tiles in any order gives the same result up to
 * rounding. Percentiles come from a bounded, deterministic subsample (every k-th valid value, k growing as more
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

class BandAccumulator {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  reservoir: number[] = [];
  stride = 1;
  seen = 0;

  constructor(private readonly capacity: number) {}

  add(v: number): void {
    this.count++;
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.seen++ % this.stride === 0) {
      this.reservoir.push(v);
      if (this.reservoir.length >= this.capacity) {
        // Keep every other kept value and halve the sampling rate: a deterministic, order-stable thinning.
        this.reservoir = this.reservoir.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
  }

  result(): BandStats {
    if (this.count === 0) return { ...EMPTY };
    const sorted = Float64Array.from(this.reservoir).sort();
    const q = (p: number) => {
      const pos = p * (sorted.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.min(sorted.length - 1, lo + 1);
      return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    };
    return { count: this.count, mean: this.mean, std: Math.sqrt(this.m2 / this.count), min: this.min, max: this.max, p2: q(0.02), p98: q(0.98) };
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
    for (let c = 0; c < this.C; c++) {
      const acc = this.bands[c];
      const base = c * HW;
      for (let i = 0; i < HW; i++) {
        if (valid && !valid[i]) continue;
        const v = data[base + i];
        if (Number.isFinite(v)) acc.add(v);
      }
    }
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
