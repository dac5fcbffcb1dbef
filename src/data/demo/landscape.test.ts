// The landscape must contain every land-cover class in plausible shares for any seed (fields dominate, then forest,
// town, water), realistic parcel sizes, consistent key/class packing, and per-10 m-pixel mixtures that are exact area
// fractions of the fine raster.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng';
import { Landscape, mixing, rasterizeLandscape } from './landscape';
import { CROP_CLASSES, LandCover, SURFACE_COUNT } from './surfaces';

function shares(classes: Uint8Array): number[] {
  const counts = new Array<number>(16).fill(0);
  for (const c of classes) counts[c]++;
  return counts.map((c) => c / classes.length);
}

describe('Landscape', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: all classes present in plausible shares at the default 2.56 km extent`, () => {
      const land = new Landscape(new Rng(seed), 2560);
      const fine = rasterizeLandscape(land, 512, 5);
      const s = shares(fine.classes);
      const fields = CROP_CLASSES.reduce((a, c) => a + s[c], 0);
      const forest = s[LandCover.DeciduousForest] + s[LandCover.ConiferousForest];
      const town = s[LandCover.Building] + s[LandCover.UrbanGreen];
      expect(s[0]).toBe(0); // every point is something
      expect(fields).toBeGreaterThan(0.45);
      expect(fields).toBeLessThan(0.85);
      expect(forest).toBeGreaterThan(0.06);
      expect(forest).toBeLessThan(0.3);
      expect(s[LandCover.Water]).toBeGreaterThan(0.005);
      expect(s[LandCover.Water]).toBeLessThan(0.08);
      expect(town).toBeGreaterThan(0.02);
      expect(town).toBeLessThan(0.2);
      expect(s[LandCover.Building]).toBeGreaterThan(0.003);
      expect(s[LandCover.Road]).toBeGreaterThan(0.005);
      for (const c of CROP_CLASSES) expect(s[c]).toBeGreaterThan(0);
    });
  }

  it('cuts fields of ~2–40 ha (Beauce-sized), with a few paved roads and tracks', () => {
    const land = new Landscape(new Rng(1), 2560);
    const areas = land.parcels.map((p) => p.areaHa).sort((a, b) => a - b);
    const median = areas[Math.floor(areas.length / 2)];
    expect(land.parcels.length).toBeGreaterThan(40);
    expect(median).toBeGreaterThan(2);
    expect(median).toBeLessThan(20);
    expect(areas[areas.length - 1]).toBeLessThan(40);
    for (const p of land.parcels) {
      expect(p.vigour).toBeGreaterThanOrEqual(0.82);
      expect(p.vigour).toBeLessThanOrEqual(1);
      expect(p.soilBrightness).toBeGreaterThanOrEqual(0.85);
      expect(p.soilBrightness).toBeLessThanOrEqual(1.15);
    }
  });

  it('packs key and class consistently and is a pure function of the seed', () => {
    const a = new Landscape(new Rng(9), 1280);
    const b = new Landscape(new Rng(9), 1280);
    expect(a.keyCount).toBe(a.parcels.length + SURFACE_COUNT);
    for (let k = 0; k < 500; k++) {
      const x = (k * 37.3) % 1280;
      const y = (k * 91.7) % 1280;
      const packed = a.sample(x, y);
      expect(b.sample(x, y)).toBe(packed);
      const key = packed >> 4;
      const cls = packed & 15;
      expect(key).toBeGreaterThanOrEqual(0);
      expect(key).toBeLessThan(a.keyCount);
      // Garden trees use the deciduous spectrum but are urban green; otherwise a key's class is its own.
      if (cls !== LandCover.UrbanGreen) expect(a.classOfKey(key)).toBe(cls);
    }
  });
});

describe('mixing', () => {
  it('gives per-pixel area fractions summing to 1, majority labels and purity that match the fine raster', () => {
    const land = new Landscape(new Rng(2), 640);
    const fine = rasterizeLandscape(land, 320, 2);
    const m = mixing(fine, 64);
    for (let p = 0; p < 64 * 64; p++) {
      let sum = 0;
      for (let e = m.offsets[p]; e < m.offsets[p + 1]; e++) sum += m.weights[e];
      expect(sum).toBeCloseTo(1, 6);
      // Recount the 5×5 block directly.
      const [I, J] = [p % 64, Math.floor(p / 64)];
      const counts = new Map<number, number>();
      for (let dj = 0; dj < 5; dj++) for (let di = 0; di < 5; di++) {
        const c = fine.classes[(J * 5 + dj) * 320 + I * 5 + di];
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      const top = Math.max(...counts.values());
      expect(m.purity[p]).toBeCloseTo(top / 25, 6);
      expect(counts.get(m.labels[p])).toBe(top);
    }
    expect(() => mixing(fine, 60)).toThrow(/not an integer multiple/);
  });
});
