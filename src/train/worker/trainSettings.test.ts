// Training settings: every invalid field is named with what is allowed; the optimizer options round-trip through a
// checkpoint's state (a resumed run keeps its schedule); the pre-start estimate gives seconds per step on software
// adapters only; a dataset that cannot feed a model is refused with a message naming the modality and the shapes.
import { describe, expect, it } from 'vitest';
import type { ModalityInfo } from '../../data/dataset';
import { tinyTwoGroupConfig } from '../../model/testing/configs';
import { CHECKPOINT_FORMAT, type TrainState } from '../checkpoint';
import type { TrainSettings } from '../protocol/train';
import { learningRate } from '../schedule';
import { assertDatasetFits, assertValidSettings, cadenceProblem, estimateRun, optimizerFor, settingsFromState, settingsProblems, tokensPerStep } from './trainSettings';

const good: TrainSettings = { steps: 100, batchSize: 4, peakLr: 1e-3, schedule: 'one-cycle', warmupPct: 20, weightDecay: 0.01, clipNorm: 1, seed: 0, validateEvery: 10, validationTiles: 8, autosaveEvery: 20 };

describe('settingsProblems', () => {
  it('accepts good settings and names every bad field', () => {
    expect(settingsProblems(good)).toEqual([]);
    expect(settingsProblems({ ...good, clipNorm: null, schedule: 'constant', warmupPct: -5 })).toEqual([]); // warm-up ignored when constant
    const bad = settingsProblems({ ...good, steps: 0, batchSize: 2.5, peakLr: NaN, warmupPct: 120, weightDecay: -1, clipNorm: 0, seed: -1, validateEvery: 1.5, validationTiles: 0, autosaveEvery: -2 });
    expect(bad.map((p) => p.field)).toEqual(['steps', 'batchSize', 'peakLr', 'warmupPct', 'weightDecay', 'clipNorm', 'seed', 'validateEvery', 'validationTiles', 'autosaveEvery']);
    expect(bad[0].message).toBe('Steps must be a whole number from 1 to 10,000,000.');
    expect(() => assertValidSettings({ ...good, batchSize: 0 })).toThrow(/Batch size must be a whole number/);
  });
  it('checks the cadence on its own (it may change during a run)', () => {
    expect(cadenceProblem({ autosaveEvery: 0, validateEvery: 10 })).toBeNull();
    expect(cadenceProblem({ autosaveEvery: 2.5, validateEvery: 10 })).toMatch(/^Autosave interval must be a whole number/);
    expect(cadenceProblem({ autosaveEvery: 1, validateEvery: NaN })).toMatch(/^Validation interval/);
  });
});

describe('optimizer options', () => {
  it('one-cycle with warm-up, or constant; clipping and weight decay pass through', () => {
    const o = optimizerFor(good);
    expect(o.schedule).toEqual({ kind: 'one-cycle', options: { maxLr: 1e-3, totalSteps: 100, pctStart: 0.2, divFactor: 1000, finalDivFactor: 1e4 } });
    expect(o.clipNorm).toBe(1);
    expect(o.weightDecay).toBe(0.01);
    // Peak at the end of the warm-up (step 19 of 100), start at peak/1000.
    expect(learningRate(o.schedule, 19)).toBeCloseTo(1e-3, 12);
    expect(learningRate(o.schedule, 0)).toBeCloseTo(1e-6, 12);
    const c = optimizerFor({ ...good, schedule: 'constant', clipNorm: null });
    expect(c.schedule).toEqual({ kind: 'constant', lr: 1e-3 });
    expect(c.clipNorm).toBeNull();
  });

  it('round-trips through a checkpoint state (resume keeps the schedule)', () => {
    const cadence = { validateEvery: 5, validationTiles: 2, autosaveEvery: 7 };
    for (const s of [good, { ...good, schedule: 'constant' as const, peakLr: 3e-4, clipNorm: null, warmupPct: 20 }, { ...good, warmupPct: 12.5, seed: 42, batchSize: 2, steps: 333 }]) {
      const state: TrainState = { format: CHECKPOINT_FORMAT, config: tinyTwoGroupConfig(), optimizer: optimizerFor(s), batchSize: s.batchSize, seed: s.seed, step: 3, totalSteps: s.steps, adapter: 'x', lastLoss: null, savedAt: '2026-01-01T00:00:00.000Z' };
      const back = settingsFromState(state, cadence);
      expect(back).toEqual({ ...s, ...cadence });
      expect(optimizerFor(back)).toEqual(state.optimizer);
    }
  });
});

describe('estimateRun', () => {
  const config = tinyTwoGroupConfig();
  it('expects seconds per step on a software adapter, and says so', () => {
    const e = estimateRun(config, 2, { name: 'google swiftshader — software', isSoftware: true });
    expect(e.expectedSecondsPerStep).toBeGreaterThan(0);
    expect(e.expectedSecondsPerStep).toBeCloseTo(1 + e.flopsPerStep / 0.3e9, 9);
    expect(e.basis).toMatch(/SwiftShader/);
    expect(e.tokensPerStep).toBe(tokensPerStep(config, 2));
    expect(e.tokensPerStep).toBe(2 * (24 + 26)); // groups A (24 tokens) and B (26 tokens)
    const lvp = estimateRun(config, 2, { name: 'mesa software (llvmpipe)', isSoftware: true });
    expect(lvp.expectedSecondsPerStep!).toBeLessThan(e.expectedSecondsPerStep!);
  });
  it('leaves hardware adapters to measurement', () => {
    const e = estimateRun(config, 2, { name: 'nvidia ampere', isSoftware: false });
    expect(e.expectedSecondsPerStep).toBeNull();
    expect(e.memoryBytes).toBeGreaterThan(0);
    expect(e.params).toBeGreaterThan(0);
  });
});

describe('assertDatasetFits', () => {
  const config = tinyTwoGroupConfig();
  const mod = (name: string, C: number, T: number, size: number): ModalityInfo => ({ name, bands: Array.from({ length: C }, (_, i) => `b${i}`), normGroups: null, gsd: 10, size, T, scalingDescription: '', unit: '' });
  const fits = [mod('A', 5, 3, 4), mod('B1', 2, 2, 6), mod('B2', 2, 2, 6)];
  it('accepts matching data, sanitised names included', () => {
    expect(() => assertDatasetFits(config, fits)).not.toThrow();
    const renamed = tinyTwoGroupConfig();
    renamed.modalities[0].name = 's1_asc';
    renamed.groups[0].modalities = ['s1_asc'];
    expect(() => assertDatasetFits(renamed, [mod('s1-asc', 5, 3, 4), fits[1], fits[2]])).not.toThrow();
  });
  it('names the missing modality and the shape that differs', () => {
    expect(() => assertDatasetFits(config, [fits[0], fits[1]], 'The saved run')).toThrow(/^The saved run does not fit the loaded data: it needs modality B2/);
    expect(() => assertDatasetFits(config, [mod('A', 5, 6, 4), fits[1], fits[2]])).toThrow(/A must be 5 bands × 3 dates × 4 px, the loaded data gives 5 bands × 6 dates × 4 px/);
  });
});
