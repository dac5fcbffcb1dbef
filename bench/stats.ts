/**
 * Summary statistics of benchmark samples (per-operation times in ms). Benchmarks report the MEDIAN of repetitions
 * (robust to the occasional slow repetition a shared machine produces) with the interquartile spread relative to it, so
 * a reader can tell a stable figure from a noisy one. Pure functions: no GPU, no clock.
 */

/** The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics (NumPy's default "linear" method). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile q must be in [0, 1], got ${q}`);
  const s = [...samples].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  p25: number;
  p75: number;
  /** (p75 − p25) / median: 0.02 means the middle half of the repetitions lie within ±1 % of the median. */
  relSpread: number;
}

export function summarize(samples: readonly number[]): Summary {
  const m = median(samples);
  const p25 = quantile(samples, 0.25);
  const p75 = quantile(samples, 0.75);
  return {
    n: samples.length,
    median: m,
    min: Math.min(...samples),
    max: Math.max(...samples),
    p25,
    p75,
    relSpread: m > 0 ? (p75 - p25) / m : 0,
  };
}
