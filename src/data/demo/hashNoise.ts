/**
 * Fast seeded randomness for the demo landscape: a small-state generator for per-pixel noise (sensor noise, speckle)
 * and hash-based lattice value noise / fractal noise for spatial fields (clouds, soil patterns, crop vigour).
 *
 * Why not src/lib/rng.ts for everything: its PCG32 runs on BigInt (~0.25 µs per draw measured), and the default dataset
 * needs ~20 M per-pixel draws. The demo therefore uses lib's Rng for every discrete decision (layout, crops, weather)
 * and derives 32-bit seeds from it for the generators here, so one top-level seed still fixes every byte.
 *
 * Invariants: everything is a pure function of its seed — bit-identical run to run in one JS engine (hashes use
 * Math.imul; Box–Muller and the gamma sampler use Math.log/sin/cos, whose last ulp may differ between engines); value
 * noise is continuous in (x, y) and lies in [-1, 1]; fbm is normalised by the sum of octave amplitudes.
 * Reference: sfc32 (Chris Doty-Humphrey, PractRand); lowbias32 hash (Chris Wellons, "Prospecting for hash functions");
 * Marsaglia & Tsang (2000), "A simple method for generating gamma variables".
 */
/** A 32-bit integer hash with good avalanche (lowbias32). */
export function hash32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of an integer lattice point and a seed, as a u32 (one lowbias32 round over a linear mix of the inputs). */
export function hash2(ix: number, iy: number, seed: number): number {
  return hash32((Math.imul(ix | 0, 0x27d4eb2d) + Math.imul(iy | 0, 0x165667b1)) ^ seed);
}

/** Uniform in [0, 1) from a lattice point and a seed. */
export function hashUniform(ix: number, iy: number, seed: number): number {
  return hash2(ix, iy, seed) / 4294967296;
}

/**
 * sfc32: a small chaotic generator with 128-bit state from the PractRand suite; ~10× faster than the BigInt PCG for
 * bulk noise.
 */
export class FastRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm-up decorrelates nearby seeds (sfc32's recommendation is 12+ rounds).
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Approximately standard normal from one 32-bit draw: the sum of three 10-bit uniforms, centred and scaled to
   * variance 1 (bounded at ±3). Used for sensor noise, where only the first two moments matter and Box–Muller's
   * log and sin per draw would dominate the run time.
   */
  approxNormal(): number {
    const r = this.nextU32();
    const sum = (r & 1023) + ((r >>> 10) & 1023) + ((r >>> 20) & 1023) + 1.5; // +0.5 per part: centre of each 1/1024 bin
    return (sum / 1024 - 1.5) * 2;
  }

  /** Gamma(shape, scale 1) by Marsaglia–Tsang; shape < 1 uses the boost Gamma(k+1)·U^(1/k). */
  gamma(shape: number): number {
    if (shape < 1) {
      let u = 0;
      while (u === 0) u = this.uniform();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}

/** Quintic fade 6t⁵ − 15t⁴ + 10t³ (C² continuous lattice interpolation). */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/** 2D value noise in [-1, 1] with unit lattice spacing; continuous in x and y. */
export function valueNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const tx = fade(x - x0);
  const ty = fade(y - y0);
  const v00 = hash2(x0, y0, seed);
  const v10 = hash2(x0 + 1, y0, seed);
  const v01 = hash2(x0, y0 + 1, seed);
  const v11 = hash2(x0 + 1, y0 + 1, seed);
  const top = v00 + (v10 - v00) * tx;
  const bottom = v01 + (v11 - v01) * tx;
  return ((top + (bottom - top) * ty) / 4294967295) * 2 - 1;
}

/**
 * Fractal (fBm) value noise in [-1, 1]: `octaves` layers, each at twice the frequency and `gain` times the amplitude of
 * the previous one. `scale` is the feature size of the first octave in the caller's units (metres here).
 */
export function fbm(x: number, y: number, scale: number, seed: number, octaves = 4, gain = 0.5): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  let fx = x / scale;
  let fy = y / scale;
  for (let o = 0; o < octaves; o++) {
    sum += amp * valueNoise(fx, fy, (seed + Math.imul(o, 0x9e3779b1)) >>> 0);
    norm += amp;
    amp *= gain;
    // The irrational-ish offsets keep octave lattices from lining up (visible grid artefacts otherwise).
    fx = fx * 2.03 + 17.17;
    fy = fy * 2.03 + 31.31;
  }
  return sum / norm;
}

/** 1D periodic value noise in [-1, 1] over an angle (period 2π, `cells` lattice cells per turn). */
export function angularNoise(theta: number, cells: number, seed: number): number {
  const t = ((theta / (2 * Math.PI)) % 1 + 1) % 1 * cells;
  const i0 = Math.floor(t);
  const f = fade(t - i0);
  const a = hashUniform(i0 % cells, 0, seed);
  const b = hashUniform((i0 + 1) % cells, 0, seed);
  return (a + (b - a) * f) * 2 - 1;
}
