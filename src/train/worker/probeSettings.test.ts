// The pure parts of the Evaluate jobs: settings checks in words, which ablation values the current model can use
// (anchor-aware masking needs two images per sample), the one-factor-at-a-time studio variants around the model's
// own values, and the evenly spread tile subset.
import { describe, expect, it } from 'vitest';
import { buildConfig, type MaeConfig } from '../../model/config';
import { factorsOf, withVariant } from '../../probe/experiment';
import type { ExperimentSettings, ProbeSettings } from '../protocol/probe';
import { experimentSettingsProblems, factorChoices, probeSettingsProblems, spreadIndices, studioVariants, variantOf } from './probeSettings';

function landsat(dates: number): MaeConfig {
  return buildConfig('tiny', [{ name: 'landsat', bands: ['b3', 'b4', 'b5'], patchSize: 4, imageSize: 16, gsd: 30, dates }], {
    encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 1 },
    decoder: { width: 16, heads: 2, depth: 1, mlpHidden: 32 },
  });
}

const PROBE: ProbeSettings = { heads: ['linear'], steps: 100, split: 'auto', testFraction: 0.3, maxTiles: 64 };

describe('settings checks', () => {
  it('accepts sensible settings and names every bad one', () => {
    expect(probeSettingsProblems(PROBE)).toEqual([]);
    const bad = probeSettingsProblems({ heads: [], steps: 0.5, split: 'random' as never, testFraction: 1, maxTiles: 0 });
    expect(bad).toHaveLength(5);
    expect(bad.join(' ')).toMatch(/probe head.*Probe steps.*split.*held-out share.*Tiles/);
    const exp: ExperimentSettings = { values: { targetNorm: ['patch'], fusion: [], masking: [] }, seeds: 2, pretrainSteps: 10, pretrainBatch: 4, pretrainLr: 1e-3, probe: PROBE };
    expect(experimentSettingsProblems(exp)).toEqual([]);
    expect(experimentSettingsProblems({ ...exp, seeds: 0, pretrainSteps: -1, pretrainBatch: 1000, pretrainLr: 0 })).toHaveLength(4);
  });
});

describe('ablation factors of the current model', () => {
  it('offers every value with the model’s own as the base', () => {
    const c = landsat(4);
    const f = factorChoices(c);
    expect(f.map((x) => [x.factor, x.base])).toEqual([
      ['targetNorm', 'patch-group'],
      ['fusion', 'joint'],
      ['masking', c.masking.strategy],
    ]);
    // One normalisation group per token: "per patch" would repeat the base exactly, so it is not offered.
    const patch = f[0].values.find((v) => v.value === 'patch')!;
    expect(patch.available).toBe(false);
    expect(patch.reason).toMatch(/same as the current one/);
    expect(f.flatMap((x) => x.values).filter((v) => v.value !== 'patch').every((v) => v.available && v.reason === null)).toBe(true);
  });

  it('offers per-patch targets when a token holds several normalisation groups', () => {
    const c = buildConfig('tiny', [{ name: 's2', bands: ['a', 'b', 'c', 'd'], normGroups: [2, 2], patchSize: 4, imageSize: 16, gsd: 10, dates: 2 }], {
      encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 1 },
      decoder: { width: 16, heads: 2, depth: 1, mlpHidden: 32 },
    });
    expect(factorChoices(c)[0].values.every((v) => v.available)).toBe(true);
  });

  it('explains why anchor-aware masking is not offered for one image per sample', () => {
    const anchor = factorChoices(landsat(1))[2].values.find((v) => v.value === 'anchor')!;
    expect(anchor.available).toBe(false);
    expect(anchor.reason).toMatch(/at least two images per sample/);
  });

  it('token-based fusion gives one token per band and keeps everything else', () => {
    const c = landsat(4);
    const r = variantOf(c, { ...factorsOf(c), fusion: 'token' });
    expect('config' in r).toBe(true);
    if (!('config' in r)) return;
    expect(r.config.modalities[0].tokenGroups).toEqual([1, 1, 1]);
    expect(r.config.modalities[0].normGroups).toEqual([1, 1, 1]);
    expect({ ...r.config, modalities: c.modalities }).toEqual(c);
    // Back to joint fusion: one token of all bands again.
    expect(withVariant(r.config, { ...factorsOf(c), fusion: 'joint' }).modalities[0].tokenGroups).toEqual([3]);
  });

  it('builds the base, then one variant per chosen value, skipping the base value and repeats', () => {
    const c = landsat(4);
    const v = studioVariants(c, { targetNorm: ['none', c.targetNorm, 'none'], fusion: ['token'], masking: ['random'] });
    expect(v.map((x) => x.name)).toEqual(['base', 'targetNorm=none', 'fusion=token', 'masking=random']);
    expect(v[1]).toMatchObject({ targetNorm: 'none', fusion: 'joint', masking: c.masking.strategy });
    expect(v[3]).toMatchObject({ targetNorm: c.targetNorm, fusion: 'joint', masking: 'random' });
  });
});

describe('tile subset', () => {
  it('takes every tile up to the limit, else spreads the limit evenly', () => {
    expect(spreadIndices(3, 5)).toEqual([0, 1, 2]);
    expect(spreadIndices(10, 4)).toEqual([1, 3, 6, 8]);
    expect(new Set(spreadIndices(1000, 64)).size).toBe(64);
  });
});
