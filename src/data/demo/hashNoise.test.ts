// The demo's fast randomness must be deterministic per seed, have the moments its users rely on (sensor noise,
// Gamma speckle with ENL 4.4 and the 0.62 pre-smoothing shape), and give continuous, bounded noise fields.
import { describe, expect, it } from 'vitest';
import { angularNoise, FastRng, fbm, hash2, valueNoise } from './hashNoise';

function moments(draw: () => number, n: number): { mean: number; variance: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean, min, max };
}

describe('FastRng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new FastRng(7);
    const b = new FastRng(7);
    const c = new FastRng(8);
    const xa = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(xa);
  });

  it('draws uniforms in [0, 1) and normals with mean 0, variance 1', () => {
    const r = new FastRng(1);
    const u = moments(() => r.uniform(), 200_000);
    expect(u.min).toBeGreaterThanOrEqual(0);
    expect(u.max).toBeLessThan(1);
    expect(u.mean).toBeCloseTo(0.5, 2);
    expect(u.variance).toBeCloseTo(1 / 12, 3);
    for (const draw of [() => r.normal(), () => r.approxNormal()]) {
      const m = moments(draw, 200_000);
      expect(Math.abs(m.mean)).toBeLessThan(0.01);
      expect(m.variance).toBeGreaterThan(0.98);
      expect(m.variance).toBeLessThan(1.02);
    }
    const bounded = moments(() => r.approxNormal(), 100_000);
    expect(Math.max(-bounded.min, bounded.max)).toBeLessThanOrEqual(3);
  });

  it('draws Gamma(k) with mean k and variance k, for the speckle shapes used (0.62 and 4.4)', () => {
    const r = new FastRng(3);
    for (const k of [0.62, 4.4]) {
      const m = moments(() => r.gamma(k), 200_000);
      expect(m.min).toBeGreaterThan(0);
      expect(m.mean / k).toBeCloseTo(1, 1);
      expect(m.variance / k).toBeGreaterThan(0.95);
      expect(m.variance / k).toBeLessThan(1.05);
    }
  });
});

describe('noise fields', () => {
  it('hashes lattice points deterministically and spreads neighbours', () => {
    expect(hash2(3, 4, 9)).toBe(hash2(3, 4, 9));
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) seen.add(hash2(i, j, 1));
    expect(seen.size).toBe(64 * 64);
  });

  it('gives value noise and fbm in [-1, 1], continuous, and lattice values at integer points', () => {
    let min = Infinity;
    let max = -Infinity;
    let maxStep = 0;
    let prev = valueNoise(0, 0.37, 5);
    for (let i = 1; i < 20_000; i++) {
      const v = valueNoise(i * 0.001, 0.37, 5);
      maxStep = Math.max(maxStep, Math.abs(v - prev));
      prev = v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      const f = fbm(i * 3.1, i * 1.7, 200, 5, 4);
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(maxStep).toBeLessThan(0.01); // steps of 0.001 lattice units move the value by little
    expect(valueNoise(2, 3, 5)).toBeCloseTo((hash2(2, 3, 5) / 4294967295) * 2 - 1, 12);
  });

  it('makes angular noise periodic over a full turn', () => {
    for (const t of [0, 0.3, 2, 5.9]) expect(angularNoise(t, 7, 11)).toBeCloseTo(angularNoise(t + 2 * Math.PI, 7, 11), 9);
  });
});
