import { describe, expect, it } from 'vitest';
import { maestroLr, oneCycleLr } from './schedule';

describe('oneCycleLr (PyTorch OneCycleLR, cos annealing)', () => {
  const o = { maxLr: 1e-3, totalSteps: 100, pctStart: 0.2, divFactor: 1000, finalDivFactor: 1e4 };
  it('starts at max/div, peaks at max at the end of warm-up, ends at min', () => {
    expect(oneCycleLr(o, 0)).toBeCloseTo(1e-6, 15);
    expect(oneCycleLr(o, 19)).toBeCloseTo(1e-3, 15);
    expect(oneCycleLr(o, 99)).toBeCloseTo(1e-10, 18);
  });
  it('uses PyTorch phase boundaries: warm-up ends at step pct·total − 1, decay at total − 1', () => {
    // Phase 1 anneals 1e-6 → 1e-3 over steps 0..19 (pct = k/19); phase 2 anneals 1e-3 → 1e-10 over 19..99.
    const k10 = 1e-3 + ((1e-6 - 1e-3) / 2) * (1 + Math.cos((Math.PI * 10) / 19));
    expect(oneCycleLr(o, 10)).toBeCloseTo(k10, 15);
    const k60 = 1e-10 + ((1e-3 - 1e-10) / 2) * (1 + Math.cos((Math.PI * (60 - 19)) / (99 - 19)));
    expect(oneCycleLr(o, 60)).toBeCloseTo(k60, 15);
  });
  it('is monotone up then down', () => {
    for (let s = 1; s < 20; s++) expect(oneCycleLr(o, s)).toBeGreaterThan(oneCycleLr(o, s - 1));
    for (let s = 20; s < 100; s++) expect(oneCycleLr(o, s)).toBeLessThan(oneCycleLr(o, s - 1));
  });
  it('scales MAESTRO base lr by sqrt(batch/3)', () => {
    expect(maestroLr(3e-5, 32)).toBeCloseTo(9.798e-5, 8);
  });
});
