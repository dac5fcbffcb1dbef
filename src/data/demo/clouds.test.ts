// Cloud plans must honour the stated cover statistics for any seed, the rendered cloud mask must match the planned
// cover exactly, and shadows must be the cloud field displaced away from the sun by height·tan(zenith).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng';
import { CLOUD_OPACITY_MASKED, planClouds, renderClouds, type CloudPlan } from './clouds';

const DOYS = [15, 45, 75, 105, 135, 165, 195, 225, 263, 290, 320, 350];

describe('planClouds', () => {
  it('keeps mean cover 15–23 %, ≥ 3 nearly clear dates and one > 50 % for every seed, cloudier in winter', () => {
    let winter = 0;
    let summer = 0;
    for (let seed = 0; seed < 50; seed++) {
      const plans = planClouds(new Rng(seed), DOYS);
      const cover = plans.map((p) => p.cover);
      const mean = cover.reduce((a, b) => a + b, 0) / cover.length;
      expect(mean).toBeGreaterThan(0.15);
      expect(mean).toBeLessThan(0.23);
      expect(cover.filter((c) => c < 0.02).length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...cover)).toBeGreaterThan(0.5);
      winter += cover[0] + cover[1] + cover[11];
      summer += cover[5] + cover[6] + cover[7];
      for (const p of plans) {
        expect(p.heightM).toBeGreaterThanOrEqual(700);
        expect(p.heightM).toBeLessThanOrEqual(2500);
      }
    }
    expect(winter).toBeGreaterThan(3 * summer);
  });
});

describe('renderClouds', () => {
  const plan: CloudPlan = { cover: 0.3, heightM: 1000, haze: 0.01, cirrus: true, seed: 1234 };

  it('masks exactly the planned share of pixels and keeps opacities in range', () => {
    const f = renderClouds(plan, { zenithDeg: 45, azimuthDeg: 180 }, 128, 10);
    const masked = f.opacity.filter((a) => a >= CLOUD_OPACITY_MASKED).length / f.opacity.length;
    expect(Math.abs(masked - 0.3)).toBeLessThan(2 / f.opacity.length);
    for (const arr of [f.opacity, f.shadow, f.core]) for (const v of arr) if (v < 0 || v > 1) throw new Error(`opacity ${v} out of [0, 1]`);
    expect(Math.max(...f.cirrus)).toBeLessThanOrEqual(0.08);
    expect(Math.max(...f.cirrus)).toBeGreaterThan(0);
  });

  it('casts shadows away from the sun, h·tan(zenith) metres from the cloud', () => {
    // Sun due south at 45°: shadows fall 1000 m (100 px) north of their clouds.
    const f = renderClouds(plan, { zenithDeg: 45, azimuthDeg: 180 }, 128, 10);
    for (let j = 0; j < 28; j++) for (let i = 0; i < 128; i++) expect(f.shadow[j * 128 + i]).toBeCloseTo(f.opacity[(j + 100) * 128 + i], 5);
    // Sun in the west: 1 km clouds at 30° zenith and 333 m clouds at 60° both cast shadows 577 m east.
    const g = renderClouds({ ...plan, heightM: 1000 / 3 }, { zenithDeg: 60, azimuthDeg: 270 }, 128, 10);
    const h = renderClouds(plan, { zenithDeg: 30, azimuthDeg: 270 }, 128, 10);
    for (let j = 0; j < 128; j++) for (let i = 0; i < 128; i++) expect(g.shadow[j * 128 + i]).toBeCloseTo(h.shadow[j * 128 + i], 3);
    let east = 0;
    for (let j = 0; j < 128; j++) for (let i = 0; i < 70; i++) east += Math.abs(h.shadow[j * 128 + i + 58] - h.opacity[j * 128 + i]);
    expect(east / (128 * 70)).toBeLessThan(0.01); // 577 m ≈ 58 px east
  });

  it('has no cloud or shadow on a clear date', () => {
    const f = renderClouds({ ...plan, cover: 0, cirrus: false }, { zenithDeg: 30, azimuthDeg: 160 }, 64, 10);
    expect(Math.max(...f.opacity, ...f.shadow, ...f.cirrus)).toBe(0);
  });
});
