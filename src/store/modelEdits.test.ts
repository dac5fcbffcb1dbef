/** The Model section's pure config edits: spectral fusion modes, fusion-group moves, band-count parsing, field problems. */
import { describe, expect, it } from 'vitest';
import type { MaeConfig } from '../train/protocol/data';
import {
  divisors,
  fusionGroupOfModality,
  groupBands,
  parseCounts,
  problemsFor,
  problemText,
  spectralFusionOf,
  withAnchor,
  withFusionGroup,
  withGeoEncoding,
  withNormGroups,
  withPositions,
  withSpectralFusion,
  withTokenGroups,
} from './modelEdits';
import { fakeConfig } from './testing/fakeStudioClient';

function threeModalities(): MaeConfig {
  const base = fakeConfig();
  const m = base.modalities[0];
  return {
    ...base,
    modalities: [
      { ...m, name: 's2', bands: ['B02', 'B03', 'B04', 'B08', 'B05', 'B06', 'B07', 'B8A', 'B11', 'B12'], normGroups: [4, 4, 2], tokenGroups: [10] },
      { ...m, name: 's1_asc', bands: ['VV', 'VH'], normGroups: [2], tokenGroups: [2] },
      { ...m, name: 's1_des', bands: ['VV', 'VH'], normGroups: [2], tokenGroups: [2] },
    ],
    groups: [
      { name: 's2', modalities: ['s2'] },
      { name: 's1', modalities: ['s1_asc', 's1_des'] },
    ],
  };
}

describe('model config edits', () => {
  it('switches spectral fusion between one joint token and one token per band group', () => {
    const c = threeModalities();
    expect(spectralFusionOf(c.modalities[0])).toBe('joint');
    const per = withSpectralFusion(c, 's2', 'per-group');
    expect(per.modalities[0].tokenGroups).toEqual([4, 4, 2]);
    expect(spectralFusionOf(per.modalities[0])).toBe('per-group');
    expect(c.modalities[0].tokenGroups).toEqual([10]);
    // Regrouping a per-group modality keeps it per-group; a joint one stays joint.
    expect(withNormGroups(per, 's2', [4, 6]).modalities[0].tokenGroups).toEqual([4, 6]);
    expect(withNormGroups(c, 's2', [4, 6]).modalities[0].tokenGroups).toEqual([10]);
    expect(spectralFusionOf(withTokenGroups(c, 's2', [8, 2]).modalities[0])).toBe('custom');
    expect(withSpectralFusion(per, 's2', 'joint').modalities[0].tokenGroups).toEqual([10]);
  });

  it('moves modalities between fusion groups, keeping order and dropping empty groups', () => {
    const c = threeModalities();
    const apart = withFusionGroup(c, 's1_des', 's1_des');
    expect(apart.groups).toEqual([
      { name: 's2', modalities: ['s2'] },
      { name: 's1', modalities: ['s1_asc'] },
      { name: 's1_des', modalities: ['s1_des'] },
    ]);
    const together = withFusionGroup(withFusionGroup(apart, 's2', 's1'), 's1_des', 's1');
    expect(together.groups).toEqual([{ name: 's1', modalities: ['s2', 's1_asc', 's1_des'] }]);
    expect(fusionGroupOfModality(together, 's1_des')).toBe('s1');
    expect(withFusionGroup(c, 'nope', 's1')).toBe(c);
  });

  it('edits the anchor settings, keeping an anchor modality only for the rule that needs one', () => {
    const c = threeModalities();
    expect(withAnchor(c, { pHi: 0.5 })).toBe(c); // no anchor settings yet: the worker fills them
    const anchored: MaeConfig = { ...c, masking: { ...c.masking, strategy: 'anchor', anchor: { rule: 'random', modality: null, pHi: 0.9, gammaGsd: 0.5, dateAdaptation: true, dateHalfLifeDays: 180, rMin: 0.4, rMax: 0.9 } } };
    const byModality = withAnchor(anchored, { rule: 'modality' });
    expect(byModality.masking.anchor).toMatchObject({ rule: 'modality', modality: 's2' });
    expect(withAnchor(byModality, { modality: 's1_des' }).masking.anchor?.modality).toBe('s1_des');
    expect(withAnchor(byModality, { rule: 'finest-gsd' }).masking.anchor).toMatchObject({ rule: 'finest-gsd', modality: null });
    expect(withGeoEncoding(c, 'gsd').geoEncoding).toBe('gsd');
    expect(withPositions(c, 'ground').positions).toBe('ground');
  });

  it('parses band counts and splits bands by them', () => {
    expect(parseCounts('4, 4, 2')).toEqual([4, 4, 2]);
    expect(parseCounts('4+4 2')).toEqual([4, 4, 2]);
    expect(parseCounts('4, x')).toBeNull();
    expect(parseCounts('0, 3')).toBeNull();
    expect(parseCounts('')).toBeNull();
    expect(groupBands(['a', 'b', 'c', 'd', 'e'], [2, 2])).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(groupBands(['a', 'b'], [3])).toEqual([['a', 'b']]);
    expect(divisors(12)).toEqual([1, 2, 3, 4, 6, 12]);
  });

  it('finds the problems of a field, and only those', () => {
    const problems = ['masking.ratio: 1.5 must be in (0, 1)', 'masking.dropDate: 1 must be a probability in [0, 1)', 'modalities[0].normGroups: [4,4,3] sums to 11, not to the 10 bands', 'modalities[10].patchSize: 3 does not divide imageSize 32'];
    expect(problemsFor(problems, 'masking.ratio')).toEqual([problems[0]]);
    expect(problemsFor(problems, 'masking')).toHaveLength(2);
    expect(problemsFor(problems, 'modalities[0].normGroups')).toEqual([problems[2]]);
    expect(problemsFor(problems, 'modalities[1]')).toEqual([]);
    expect(problemText(problems[0])).toBe('1.5 must be in (0, 1)');
  });
});
