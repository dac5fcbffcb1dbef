// The acquisition calendar must look like the real missions' (revisit grids, product names, processing baselines,
// orbits) and the sun geometry must match known solar positions, since it places the cloud shadows.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng';
import { aerialAcquisition, compactTime, dayOfYear, sentinel1Acquisitions, sentinel2Acquisitions, sunPosition, Weather } from './acquisitions';

const centre = { lat: 48.17, lon: 1.39 };

describe('sunPosition', () => {
  it('matches known positions at 48.17° N', () => {
    // Solar noon at the June solstice: zenith = lat − 23.44° ≈ 24.7°, sun due south.
    const june = sunPosition(new Date(Date.UTC(2021, 5, 21, 11, 53, 0)), 48.17, 1.39);
    expect(june.zenithDeg).toBeCloseTo(24.7, 0);
    expect(Math.abs(june.azimuthDeg - 180)).toBeLessThan(2);
    // December solstice noon: zenith ≈ lat + 23.44° ≈ 71.6°.
    const dec = sunPosition(new Date(Date.UTC(2021, 11, 21, 11, 45, 0)), 48.17, 1.39);
    expect(dec.zenithDeg).toBeCloseTo(71.6, 0);
    // Morning: the sun is in the south-east (azimuth < 180°), evening in the south-west.
    expect(sunPosition(new Date(Date.UTC(2021, 3, 15, 9, 0, 0)), 48.17, 1.39).azimuthDeg).toBeLessThan(150);
    expect(sunPosition(new Date(Date.UTC(2021, 3, 15, 15, 0, 0)), 48.17, 1.39).azimuthDeg).toBeGreaterThan(210);
  });
});

describe('Sentinel-2 calendar', () => {
  const s2 = sentinel2Acquisitions(new Rng(1), centre);

  it('has one L2A acquisition per month on the 5-day revisit grid of R051, mid-morning', () => {
    expect(s2.map((a) => a.time.getUTCMonth())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const r051 = s2.filter((a) => a.relativeOrbit === 51);
    expect(r051).toHaveLength(11);
    const day0 = Date.UTC(2021, 0, 5);
    for (const a of r051) {
      const days = Math.round((Date.UTC(a.time.getUTCFullYear(), a.time.getUTCMonth(), a.time.getUTCDate()) - day0) / 86400000);
      expect(days % 5).toBe(0);
      expect(a.spacecraft).toBe((days / 5) % 2 === 0 ? 'S2A' : 'S2B'); // S2A and S2B alternate every 5 days
      expect(a.time.getUTCHours()).toBe(10);
    }
    expect(s2.filter((a) => a.swathEdge).map((a) => a.relativeOrbit)).toEqual([94]);
  });

  it('names products like ESA with the baseline in force (all < 04.00: no radiometric offset)', () => {
    for (const a of s2) {
      expect(a.product).toMatch(new RegExp(`^${a.spacecraft}_MSIL2A_${compactTime(a.time)}_N0(214|300|301)_R0(51|94)_T31UCP_\\d{8}T\\d{6}$`));
      const processed = /_(\d{8}T\d{6})$/.exec(a.product)?.[1] as string;
      expect(processed > compactTime(a.time)).toBe(true);
    }
    expect(s2[0].baseline).toBe('N0214'); // 15 Jan 2021, before PB 03.00 (26 Jan 2021)
    expect(s2[6].baseline).toBe('N0301'); // July 2021, after PB 03.01 (30 Jun 2021)
  });
});

describe('Sentinel-1 calendar', () => {
  const s1 = sentinel1Acquisitions(new Rng(2));

  it('has 8 ascending evening and 8 descending morning IW GRDH passes, 48 days apart', () => {
    for (const [dir, hour] of [['ASCENDING', 17], ['DESCENDING', 5]] as const) {
      const passes = s1.filter((a) => a.direction === dir);
      expect(passes).toHaveLength(8);
      passes.forEach((a, i) => {
        expect(a.time.getUTCHours()).toBe(hour);
        if (i > 0) {
          expect(Math.round((a.time.getTime() - passes[i - 1].time.getTime()) / 86400000)).toBe(48);
          expect(a.absoluteOrbit - passes[i - 1].absoluteOrbit).toBe(700); // 4 cycles × 175 orbits
        }
        expect(((a.absoluteOrbit - 73) % 175) + 1).toBe(a.relativeOrbit);
        expect(a.product).toMatch(new RegExp(`^S1A_IW_GRDH_1SDV_${compactTime(a.time)}_\\d{8}T\\d{6}_0${a.absoluteOrbit}_[0-9A-F]{6}_[0-9A-F]{4}$`));
      });
    }
  });
});

describe('aerial survey and weather', () => {
  it('flies mid-June around solar noon', () => {
    const a = aerialAcquisition(centre);
    expect(dayOfYear(a.time)).toBe(169);
    expect(a.sun.zenithDeg).toBeLessThan(30);
  });

  it('keeps soil wetness in [0, 1), wetter in winter than in summer on average, and is reproducible', () => {
    const w = new Weather(new Rng(4));
    const avg = (from: number, to: number) => {
      let s = 0;
      for (let d = from; d <= to; d++) s += w.soilWetness(d);
      return s / (to - from + 1);
    };
    for (let d = 1; d <= 366; d++) {
      expect(w.soilWetness(d)).toBeGreaterThanOrEqual(0);
      expect(w.soilWetness(d)).toBeLessThan(1);
    }
    expect(avg(1, 59)).toBeGreaterThan(avg(182, 243));
    expect(new Weather(new Rng(4)).soilWetness(100)).toBe(w.soilWetness(100));
    const t = new Date(Date.UTC(2021, 4, 1, 17));
    expect(w.wind(t)).toBeGreaterThanOrEqual(0);
    expect(w.wind(t)).toBeLessThan(1);
  });
});
