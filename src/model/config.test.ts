// MaeConfig: presets combine with modality descriptions, the result is plain JSON, and every invalid field is
// reported by its path with a message that says what is wrong.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  buildConfig,
  configProblems,
  groupTokenCounts,
  normGroupsOfTokenGroup,
  roundHalfEven,
  tokenGroupRanges,
  validateConfig,
  type MaeConfig,
} from './config';
import { treesatLike } from './testing/configs';


const problemsOf = (mutate: (c: MaeConfig) => void): string[] => {
  const c = structuredClone(buildConfig('tiny', treesatLike));
  mutate(c);
  return configProblems(c);
};

describe('buildConfig', () => {
  it('combines a preset with modality descriptions and fusion groups', () => {
    const c = buildConfig('base', treesatLike);
    expect(c.encoder).toEqual({ width: 768, heads: 12, groupDepth: 9, interDepth: 3, mlpRatio: 4 });
    expect(c.decoder).toEqual({ width: 512, depth: 3, heads: 16, mlpHidden: 3072 });
    expect(c.groups).toEqual([
      { name: 'aerial', modalities: ['aerial'] },
      { name: 's2', modalities: ['s2'] },
      { name: 's1', modalities: ['s1_asc', 's1_des'] },
    ]);
    expect(c.modalities[1].tokenGroups).toEqual([10]);
    expect(c.posGrid).toBe(15); // lcm(15, 3, 3, 3)
    expect(c.preset).toBe('base');
    // Tokens per sample 225 + 144 + 36 + 36 (method.md §2.2) and MAESTRO's visible counts (§6 table: 56 / 36 / 18).
    expect(groupTokenCounts(c)).toEqual([
      { N: 225, masked: 169, K: 56 },
      { N: 144, masked: 108, K: 36 },
      { N: 72, masked: 54, K: 18 },
    ]);
  });

  it('produces plain JSON that survives a round trip and revalidates', () => {
    const c = buildConfig('tiny', treesatLike, { encoder: { groupDepth: 2 }, masking: { strategy: 'random' } });
    expect(c.preset).toBe('custom');
    const back = validateConfig(JSON.parse(JSON.stringify(c)));
    expect(back).toEqual(c);
  });

  it('rejects an unknown preset', () => {
    expect(() => buildConfig('huge' as 'tiny', treesatLike)).toThrow(/preset: unknown preset "huge"/);
  });
});

describe('validateConfig', () => {
  it('accepts the presets', () => {
    for (const p of ['tiny', 'small', 'base'] as const) expect(configProblems(buildConfig(p, treesatLike))).toEqual([]);
  });

  it('names the field when a patch size does not divide the image size', () => {
    const mods = structuredClone(treesatLike);
    mods[1] = { ...mods[1], patchSize: 7, imageSize: 32 };
    expect(() => buildConfig('tiny', mods)).toThrow(ConfigError);
    expect(() => buildConfig('tiny', mods)).toThrow('modalities[1].patchSize: 7 does not divide imageSize 32');
  });

  it('reports every problem with its path', () => {
    expect(problemsOf((c) => (c.modalities[1].normGroups = [4, 4, 3]))).toEqual(['modalities[1].normGroups: [4,4,3] sums to 11, not to the 10 bands']);
    expect(problemsOf((c) => (c.modalities[1].tokenGroups = [3, 7]))).toEqual([
      'modalities[1].tokenGroups: token group boundary at band 3 is not a normGroups boundary ([4,4,2])',
    ]);
    expect(problemsOf((c) => (c.modalities[0].name = 's2'))).toContain('modalities[1].name: duplicate modality name "s2"');
    expect(problemsOf((c) => (c.groups[2].modalities = ['s1_asc', 'nope']))).toEqual([
      'groups[2].modalities[1]: "nope" is not a modality',
      'groups: modality "s1_des" is in no fusion group',
    ]);
    expect(problemsOf((c) => (c.encoder.heads = 3))).toEqual(['encoder.heads: 3 does not divide width 128']);
    expect(problemsOf((c) => (c.decoder.width = 130))).toContain('decoder.width: 130 must be a multiple of 4 and ≥ 8 (8 date channels + 4 per sin-cos frequency)');
    expect(problemsOf((c) => (c.encoder.mlpRatio = 2.001))).toEqual(['encoder.mlpRatio: width 128 × 2.001 is not an integer MLP width']);
    expect(problemsOf((c) => (c.masking.ratio = 1))).toEqual(['masking.ratio: 1 must be in (0, 1)']);
    expect(problemsOf((c) => (c.masking.ratio = 0.995))).toEqual(['masking.ratio: 0.995 leaves no visible token in group "s1" (N=72)']);
    expect(problemsOf((c) => (c.masking.dropDate = 1))).toEqual(['masking.dropDate: 1 must be a probability in [0, 1)']);
    expect(problemsOf((c) => ((c.masking as { strategy: string }).strategy = 'checkerboard'))).toEqual(['masking.strategy: "checkerboard" is not one of random, structured, anchor']);
    expect(problemsOf((c) => (c.posGrid = 10))).toEqual(['posGrid: 10 is smaller than the 15×15 token grid of modality "aerial"']);
    expect(problemsOf((c) => (c.dateEncoding.reference = { kind: 'modality', modality: 'landsat' }))).toEqual([
      'dateEncoding.reference.modality: "landsat" is not a modality',
    ]);
    expect(problemsOf((c) => (c.modalities[0].scaling = { kind: 'standardize', mean: [0, 0, 0, 0], std: [1, 0, 1, 1] }))).toEqual([
      'modalities[0].scaling.std: must be 4 positive numbers',
    ]);
    expect(problemsOf((c) => (c.loss = 'huber' as 'l1'))).toEqual(['loss: "huber" is not "l1" or "l2"']);
    expect(configProblems(null)).toEqual(['config: not an object']);
  });
});

describe('derived sizes', () => {
  it('rounds like Python 3 (half to even)', () => {
    expect([0.5, 1.5, 2.5, 4.5, 5.5, 4.4, 4.6, 3.0000000000000004].map(roundHalfEven)).toEqual([0, 2, 2, 4, 6, 4, 5, 3]);
  });

  it('splits token groups into channel ranges and their normalisation groups', () => {
    const c = buildConfig('tiny', [{ name: 'a', bands: ['1', '2', '3', '4', '5'], normGroups: [2, 2, 1], tokenGroups: [2, 3], patchSize: 2, imageSize: 4, gsd: 10, dates: 3 }]);
    expect(tokenGroupRanges(c.modalities[0])).toEqual([
      [0, 2],
      [2, 5],
    ]);
    expect(normGroupsOfTokenGroup(c.modalities[0], 0)).toEqual([2]);
    expect(normGroupsOfTokenGroup(c.modalities[0], 1)).toEqual([2, 1]);
    // 2 token groups × 3 dates × 4 locations = 24 tokens; round(0.75·24) = 18 masked.
    expect(groupTokenCounts(c)).toEqual([{ N: 24, masked: 18, K: 6 }]);
  });
});
