import { describe, expect, it } from 'vitest';
import { choosePatchSize, configFromDataset, fusionGroupOf } from './datasetConfig';

describe('configFromDataset', () => {
  it('picks patch sizes that give grids near 8', () => {
    expect(choosePatchSize(32)).toBe(4);
    expect(choosePatchSize(6)).toBe(1);
    expect(choosePatchSize(60)).toBe(6); // grid 10 vs 6 (P=10) or 12 (P=5)
    expect(choosePatchSize(7)).toBe(1);
  });
  it('keeps a token within the decoder width when it can', () => {
    expect(choosePatchSize(32, 8, 10, 128)).toBe(2); // 4²·10 = 160 > 128
    expect(choosePatchSize(32, 8, 10, 512)).toBe(4);
    expect(choosePatchSize(32, 8, 200, 128)).toBe(4); // nothing fits: fall back to the grid rule
  });
  it('fuses Sentinel-1 orbit directions and keeps the rest apart', () => {
    expect(fusionGroupOf('s1_asc')).toBe('s1');
    expect(fusionGroupOf('s1_des')).toBe('s1');
    expect(fusionGroupOf('s2')).toBe('s2');
    const c = configFromDataset(
      [
        { name: 's2', bands: ['B02', 'B03', 'B04', 'B08', 'B05', 'B06', 'B07', 'B8A', 'B11', 'B12'], normGroups: [4, 4, 2], gsd: 10, size: 32, T: 4 },
        { name: 's1_asc', bands: ['VV', 'VH'], normGroups: [1, 1], gsd: 10, size: 32, T: 3 },
        { name: 's1_des', bands: ['VV', 'VH'], normGroups: null, gsd: 10, size: 32, T: 3 },
      ],
      'tiny',
    );
    expect(c.groups.map((g) => [g.name, g.modalities])).toEqual([
      ['s2', ['s2']],
      ['s1', ['s1_asc', 's1_des']],
    ]);
    expect(c.modalities[0].normGroups).toEqual([4, 4, 2]);
    expect(c.modalities[2].normGroups).toEqual([2]);
    expect(c.modalities[0].patchSize).toBe(2); // tiny: Dd = 128 < 4²·10
  });
});
