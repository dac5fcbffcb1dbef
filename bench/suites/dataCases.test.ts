// Unit tests of the data suite's file sets and pool settings (bench/suites/dataCases.ts).
import { describe, expect, it } from 'vitest';
import { caseFiles, DATA_CASES, GOAL_RATIO, poolSettings, summarizeRatios } from './dataCases';

describe('data cases', () => {
  it('a case takes every listed file of its folder, or only those its pattern matches', () => {
    const s2 = DATA_CASES.find((c) => c.id === 's2')!;
    const listed = ['sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif', 'sentinel2-l1c-T33UUU-20170216/per-band/T33UUU_20170216T102101_B01.tif'];
    expect(caseFiles(s2, listed)).toEqual([listed[0]]);
    const peru = DATA_CASES.find((c) => c.id === 'peru')!;
    expect(caseFiles(peru, ['a.tif', 'b.tif'])).toEqual(['a.tif', 'b.tif']);
    expect(new Set(DATA_CASES.map((c) => c.id)).size).toBe(DATA_CASES.length);
  });

  it('pool settings: inline, the studio default, and every core when that is more', () => {
    expect(poolSettings(1, 2).map((p) => [p.id, p.size])).toEqual([
      ['inline', 0],
      ['pool1', 1],
      ['pool2', 2],
    ]);
    expect(poolSettings(7, 8).map((p) => p.size)).toEqual([0, 7, 8]);
    expect(poolSettings(8, 8).map((p) => p.size)).toEqual([0, 8]);
    expect(poolSettings(0, 1).map((p) => p.size)).toEqual([0, 1]);
    expect(poolSettings(1, 2)[1].label).toBe('Pool(1) (studio default) of 2 cores');
  });

  it('summary: geometric mean, worst case and the goal count (speed-up ≥ 0.8 = adds ≤ 25 %)', () => {
    expect(GOAL_RATIO).toBeCloseTo(0.8, 12);
    const s = summarizeRatios([{ ratio: 0.5 }, { ratio: 2 }, { ratio: 0.8 }])!;
    expect(s.geomean).toBeCloseTo(Math.cbrt(0.8), 12);
    expect(s.worst).toBe(0.5);
    expect([s.n, s.met]).toEqual([3, 2]);
    expect(summarizeRatios([])).toBeNull();
    expect(summarizeRatios([{ ratio: NaN }])).toBeNull();
  });
});
