// Crop calendars must stay physical (fractions in [0, 1] partitioning the parcel with soil) for every crop, day,
// farm shift and vigour, and put each crop's green peak and harvest where the Beauce calendar has them.
import { describe, expect, it } from 'vitest';
import { cropCanopy, deciduousLeafOn, lawnCanopy } from './phenology';
import { Crop, type CropType } from './surfaces';

const CROPS: CropType[] = [Crop.WinterWheat, Crop.Maize, Crop.Rapeseed, Crop.Grassland, Crop.BareSoil];

describe('cropCanopy', () => {
  it('keeps green, dry and flower cover in [0, 1] with a sum ≤ 1 for every crop, day, shift and vigour', () => {
    const bad: string[] = [];
    for (const crop of CROPS) {
      for (let doy = -30; doy <= 400; doy++) {
        for (const [shift, vigour] of [[0, 1], [-18, 0.82], [18, 1], [10, 1.3]]) {
          const c = cropCanopy(crop, doy, shift, vigour);
          const ok = [c.green, c.dry, c.flower].every((v) => v >= 0 && v <= 1) && c.green + c.dry + c.flower <= 1 + 1e-12;
          if (!ok) bad.push(`crop ${crop} day ${doy} shift ${shift} vigour ${vigour}: ${JSON.stringify(c)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('is periodic over the year and continuous across New Year', () => {
    for (const crop of CROPS) {
      expect(cropCanopy(crop, 10)).toEqual(cropCanopy(crop, 375));
      const dec31 = cropCanopy(crop, 365);
      const jan1 = cropCanopy(crop, 1);
      expect(Math.abs(dec31.green - jan1.green)).toBeLessThan(0.02);
    }
  });

  it('puts green peaks and harvests in the right months', () => {
    const peakDay = (crop: CropType) => {
      let best = 1;
      for (let d = 1; d <= 365; d++) if (cropCanopy(crop, d).green > cropCanopy(crop, best).green) best = d;
      return best;
    };
    expect(peakDay(Crop.WinterWheat)).toBeGreaterThanOrEqual(121); // May
    expect(peakDay(Crop.WinterWheat)).toBeLessThanOrEqual(160);
    expect(peakDay(Crop.Maize)).toBeGreaterThanOrEqual(200); // late July – August
    expect(peakDay(Crop.Maize)).toBeLessThanOrEqual(243);
    expect(cropCanopy(Crop.WinterWheat, 210).green).toBeLessThan(0.1); // harvested by late July
    expect(cropCanopy(Crop.Maize, 60).green).toBe(0); // bare in winter
    expect(cropCanopy(Crop.Rapeseed, 112).flower).toBeGreaterThan(0.4); // flowering in April
    expect(cropCanopy(Crop.Grassland, 20).green).toBeGreaterThan(0.5); // meadows stay green
    expect(cropCanopy(Crop.BareSoil, 150).green).toBeLessThan(0.2);
  });

  it('shifts the whole calendar by the farm shift and scales green by vigour', () => {
    expect(cropCanopy(Crop.Maize, 210, 10)).toEqual(cropCanopy(Crop.Maize, 200));
    expect(cropCanopy(Crop.WinterWheat, 130, 0, 0.8).green).toBeCloseTo(0.8 * cropCanopy(Crop.WinterWheat, 130).green, 12);
  });
});

describe('trees and lawns', () => {
  it('has deciduous leaves off in winter and on in summer', () => {
    expect(deciduousLeafOn(20)).toBeLessThan(0.01);
    expect(deciduousLeafOn(200)).toBeGreaterThan(0.99);
    expect(deciduousLeafOn(350)).toBeLessThan(0.05);
  });

  it('keeps lawns mostly green, drier in August', () => {
    expect(lawnCanopy(225).dry).toBeGreaterThan(lawnCanopy(45).dry);
    expect(lawnCanopy(45).green).toBeGreaterThan(0.6);
  });
});
