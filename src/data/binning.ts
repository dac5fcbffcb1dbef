/**
 * MAESTRO temporal binning: S acquisitions → T dates, one real acquisition per bin chosen cloud- and nodata-aware.
 *
 * 1. offset o ∈ [0, S mod T] from the RNG (MAESTRO draws it even at evaluation; callers pass a seeded RNG there);
 * 2. keep dates [o, o + T·k), k = ⌊S/T⌋, as T consecutive bins of k dates;
 * 3. a date is a candidate if it has no invalid pixel (cloud-mask, nodata); MAESTRO switches masking off for a bin in
 *    which every date has an invalid pixel — here the candidates are then the dates with the largest valid fraction,
 *    which is the same when a clear date exists and keeps the choice nodata-aware when none does;
 * 4. evaluation: the candidate minimising mean_{C,H,W} |x − nanmedian_bin(x)| (over its valid pixels); training:
 *    a uniformly random candidate.
 * With S < T every date is its own bin and the caller pads the remaining T − S slots as invalid.
 * Invariants: chosen indices are strictly increasing across bins; output holds single acquisitions, never averages.
 * Reference: method.md §2.3 (maestro/dataset/dataset.py temporal binning), §2.15 quirk 7.
 */
import type { Rng } from '../lib/rng';

export interface BinPlan {
  S: number;
  T: number;
  offset: number;
  /** Dates per bin. */
  k: number;
  /** T bins (or S when S < T) of date indices into the series. */
  bins: number[][];
}

export function planBins(S: number, T: number, rng: Rng | null): BinPlan {
  if (!(Number.isInteger(S) && S >= 0 && Number.isInteger(T) && T >= 1)) throw new Error(`planBins: need S ≥ 0 and T ≥ 1 integers, got S=${S}, T=${T}`);
  if (S <= T) return { S, T, offset: 0, k: 1, bins: Array.from({ length: S }, (_, i) => [i]) };
  const k = Math.floor(S / T);
  const r = S % T;
  const offset = rng ? rng.int(r + 1) : Math.floor(r / 2);
  const bins = Array.from({ length: T }, (_, t) => Array.from({ length: k }, (_, j) => offset + t * k + j));
  return { S, T, offset, k, bins };
}

export type ChoiceRule = 'clear' | 'max-valid' | 'none-valid';

export interface BinChoice {
  index: number;
  candidates: number[];
  rule: ChoiceRule;
}

/** Candidates of one bin by valid fraction (1 = clear); `validFraction` is indexed by series date index. */
export function binCandidates(bin: readonly number[], validFraction: ArrayLike<number>): { candidates: number[]; rule: ChoiceRule } {
  const clear = bin.filter((i) => validFraction[i] >= 1);
  if (clear.length > 0) return { candidates: clear, rule: 'clear' };
  const best = Math.max(...bin.map((i) => validFraction[i]));
  if (!(best > 0)) return { candidates: [...bin], rule: 'none-valid' };
  return { candidates: bin.filter((i) => validFraction[i] >= best - 1e-9), rule: 'max-valid' };
}

/**
 * Mean absolute deviation of each candidate from the per-pixel median of the bin (median over the dates valid at
 * that pixel). `frames[d]` is (C, HW) and `valids[d]` (HW) for every date d of the bin, in `bin` order;
 * `candidates` are positions in `frames` (not series indices).
 */
export function medianDeviations(frames: readonly Float32Array[], valids: readonly Uint8Array[], C: number, HW: number, candidates: readonly number[]): number[] {
  const k = frames.length;
  const sums = new Float64Array(candidates.length);
  const counts = new Float64Array(candidates.length);
  const buf = new Float64Array(k);
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < HW; p++) {
      let n = 0;
      for (let d = 0; d < k; d++) if (valids[d][p]) buf[n++] = frames[d][c * HW + p];
      if (n === 0) continue;
      const s = buf.subarray(0, n).sort();
      const med = n % 2 ? s[(n - 1) >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
      candidates.forEach((d, ci) => {
        if (!valids[d][p]) return;
        sums[ci] += Math.abs(frames[d][c * HW + p] - med);
        counts[ci] += 1;
      });
    }
  }
  return candidates.map((_, ci) => (counts[ci] > 0 ? sums[ci] / counts[ci] : Infinity));
}

/** Picks one candidate: random in training, least deviation from the bin median in evaluation (earliest on ties). */
export function pickCandidate(candidates: readonly number[], mode: 'train' | 'eval', rng: Rng | null, deviations?: readonly number[]): number {
  if (candidates.length === 1) return candidates[0];
  if (mode === 'train') {
    if (!rng) throw new Error('pickCandidate: training mode needs an RNG');
    return candidates[rng.int(candidates.length)];
  }
  if (!deviations) return candidates[0];
  let best = 0;
  for (let i = 1; i < candidates.length; i++) if (deviations[i] < deviations[best]) best = i;
  return candidates[best];
}
