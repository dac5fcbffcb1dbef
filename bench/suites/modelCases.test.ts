// Unit tests of the train/infer workloads (bench/suites/modelCases.ts): the configs are valid studio configs with
// the advertised token counts, cases run smallest first, and the shape text says what was measured.
import { describe, expect, it } from 'vitest';
import { estimateModel } from '../../src/model/estimate';
import { encoderForwardFlops } from '../flops';
import { tfjsMaeUnsupported } from '../peers/tfjsMae';
import { caseConfig, caseShape, MODEL_CASES, stepTokens, TRAIN_BATCH } from './modelCases';

describe('model cases', () => {
  it('one S2-like modality: N = 4 dates · 8² = 256 tokens, K = 64 visible, the studio defaults', () => {
    const c = caseConfig(MODEL_CASES[1]);
    expect(estimateModel(c, 1).tokens).toEqual([{ group: 's2', N: 256, K: 64 }]);
    expect(c).toMatchObject({ targetNorm: 'patch-group', loss: 'l1', masking: { strategy: 'structured', ratio: 0.75 } });
    expect(stepTokens(c, TRAIN_BATCH)).toBe(512);
    expect(MODEL_CASES.every((m) => tfjsMaeUnsupported(caseConfig(m)) === null)).toBe(true);
    expect(estimateModel(caseConfig(MODEL_CASES[0]), 1).tokens).toEqual([{ group: 's2', N: 64, K: 16 }]);
  });

  it('presets in increasing cost, so a case can be budgeted from the previous one', () => {
    const flops = MODEL_CASES.map((m) => estimateModel(caseConfig(m), TRAIN_BATCH).flops.total);
    const enc = MODEL_CASES.map((m) => encoderForwardFlops(caseConfig(m), 1));
    expect(MODEL_CASES.map((m) => m.preset)).toEqual(['tiny', 'tiny', 'small']);
    for (let i = 1; i < MODEL_CASES.length; i++) {
      expect(flops[i]).toBeGreaterThan(flops[i - 1]);
      expect(enc[i]).toBeGreaterThan(enc[i - 1]);
    }
  });

  it('shape text', () => {
    const c = caseConfig(MODEL_CASES[1]);
    expect(caseShape(c, 2)).toBe('B=2 · s2 10 bands × 4 dates × 32 px, P=4 · N=256, K=64 · E=128×4 blocks, Dd=128×1');
    expect(caseShape(caseConfig(MODEL_CASES[2]), 4, true)).toBe('B=4 · s2 10 bands × 4 dates × 32 px, P=4 · N=256 · E=384×12 blocks');
  });
});
