/**
 * PCA of token features to RGB, on the CPU (features of one image are small: tokens × width, e.g. 256 × 128): the
 * classic way to look at what an encoder sees. `pcaRgb` is a pure function the studio can call on any (n, E) block.
 *
 *   covariance C = (1/n) Σ (x − μ)(x − μ)ᵀ   (float64, E × E)
 *   the 3 leading eigenvectors by power iteration with deflation: v ← C·v / ‖C·v‖ until the direction changes by
 *   < 1e-10 (or 500 iterations), λ = vᵀ·C·v, then C ← C − λ·v·vᵀ for the next one
 *   sign convention: each component's largest-magnitude loading is positive (so colours do not flip between runs)
 *   RGB: component scores mapped linearly from their 2nd..98th percentile to 0..255 (clipped), alpha 255.
 * Invariants: deterministic (fixed start vector from a seeded Rng); degenerate input (n < 2 or zero variance) gives
 * zero components and mid-grey pixels instead of NaN.
 */
import { Rng } from '../lib/rng';
import type { TokenTable } from './tokens';

export interface Pca {
  E: number;
  mean: Float64Array; // (E)
  /** (3, E) unit eigenvectors, largest eigenvalue first. */
  components: Float64Array;
  /** Eigenvalues (variances along the components). */
  variance: number[];
  /** variance / total variance (trace of C). */
  explained: number[];
}

/** The 3 principal components of n rows of width E. */
export function pca3(x: ArrayLike<number>, n: number, E: number, seed = 0): Pca {
  const mean = new Float64Array(E);
  for (let i = 0; i < n; i++) for (let e = 0; e < E; e++) mean[e] += x[i * E + e] / n;
  const C = new Float64Array(E * E); // (E, E)
  const d = new Float64Array(E);
  for (let i = 0; i < n; i++) {
    for (let e = 0; e < E; e++) d[e] = x[i * E + e] - mean[e];
    for (let a = 0; a < E; a++) {
      const da = d[a] / n;
      if (da === 0) continue;
      for (let b = a; b < E; b++) C[a * E + b] += da * d[b];
    }
  }
  for (let a = 0; a < E; a++) for (let b = 0; b < a; b++) C[a * E + b] = C[b * E + a];
  let trace = 0;
  for (let a = 0; a < E; a++) trace += C[a * E + a];
  const components = new Float64Array(3 * E);
  const variance: number[] = [];
  const rng = new Rng(seed, 17);
  const Cv = new Float64Array(E);
  const mul = (v: Float64Array) => {
    for (let a = 0; a < E; a++) {
      let s = 0;
      for (let b = 0; b < E; b++) s += C[a * E + b] * v[b];
      Cv[a] = s;
    }
  };
  for (let c = 0; c < Math.min(3, E); c++) {
    let v = rng.normalArray(E);
    let norm = Math.hypot(...v);
    v = v.map((t) => t / norm);
    for (let it = 0; it < 500; it++) {
      mul(v);
      norm = Math.hypot(...Cv);
      if (!(norm > 1e-300)) {
        v.fill(0);
        break;
      }
      let change = 0;
      for (let a = 0; a < E; a++) {
        const nv = Cv[a] / norm;
        change = Math.max(change, Math.abs(nv - v[a]));
        v[a] = nv;
      }
      if (change < 1e-10) break;
    }
    mul(v);
    let lambda = 0;
    for (let a = 0; a < E; a++) lambda += v[a] * Cv[a];
    let big = 0;
    for (let a = 1; a < E; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
    if (v[big] < 0) for (let a = 0; a < E; a++) v[a] = -v[a];
    components.set(v, c * E);
    variance.push(Math.max(0, lambda));
    for (let a = 0; a < E; a++) for (let b = 0; b < E; b++) C[a * E + b] -= lambda * v[a] * v[b];
  }
  while (variance.length < 3) variance.push(0);
  return { E, mean, components, variance, explained: variance.map((l) => (trace > 0 ? l / trace : 0)) };
}

/** (n, 3) component scores of rows x (n, E). */
export function pcaScores(p: Pca, x: ArrayLike<number>, n: number): Float64Array {
  const { E } = p;
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += (x[i * E + e] - p.mean[e]) * p.components[c * E + e];
      out[i * 3 + c] = s;
    }
  }
  return out;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface PcaRgbOptions {
  /** A PCA to reuse (e.g. one fitted over several images so their colours agree); fitted on `x` when absent. */
  pca?: Pca;
  /** Percentiles mapped to 0 and 255 (default [2, 98]). */
  clip?: [number, number];
  seed?: number;
}

/** RGBA (n·4) of rows x (n, E): the first three principal components as red, green and blue. */
export function pcaRgb(x: ArrayLike<number>, n: number, E: number, opts: PcaRgbOptions = {}): { rgba: Uint8ClampedArray; pca: Pca } {
  const p = opts.pca ?? pca3(x, n, E, opts.seed ?? 0);
  const scores = pcaScores(p, x, n);
  const [qlo, qhi] = opts.clip ?? [2, 98];
  const rgba = new Uint8ClampedArray(n * 4);
  for (let c = 0; c < 3; c++) {
    const col = Float64Array.from({ length: n }, (_, i) => scores[i * 3 + c]).sort();
    const lo = percentile(col, qlo);
    const hi = percentile(col, qhi);
    for (let i = 0; i < n; i++) rgba[i * 4 + c] = hi > lo ? Math.round(((scores[i * 3 + c] - lo) / (hi - lo)) * 255) : 128;
  }
  for (let i = 0; i < n; i++) rgba[i * 4 + 3] = 255;
  return { rgba, pca: p };
}

/**
 * RGBA per token of a token table, with one PCA per (modality, band group, acquisition date) fitted over every
 * sample's tokens of that image: the "per modality and date over the image" view. Returns (count, 4).
 */
export function pcaRgbPerImage(t: TokenTable): Uint8ClampedArray {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < t.count; i++) {
    const key = `${t.modality[i]}:${t.bandGroup[i]}:${t.year[i]}:${t.doy[i]}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(i);
  }
  const out = new Uint8ClampedArray(t.count * 4);
  for (const rows of groups.values()) {
    const x = new Float32Array(rows.length * t.E);
    rows.forEach((r, k) => x.set(t.features.subarray(r * t.E, (r + 1) * t.E), k * t.E));
    const { rgba } = pcaRgb(x, rows.length, t.E);
    rows.forEach((r, k) => out.set(rgba.subarray(k * 4, k * 4 + 4), r * 4));
  }
  return out;
}
