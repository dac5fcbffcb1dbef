// Unit tests of the kernel suite's cases (bench/suites/kernelCases.ts): preset shapes, and the ordering by work that
// the time budget's predictions rely on.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/model/config';
import {
  ATTENTION_CASES,
  attentionWork,
  GELU_CASES,
  geluWork,
  LAYERNORM_CASES,
  layernormWork,
  MATMUL_CASES,
  matmulWork,
  type NormCase,
} from './kernelCases';

function nonDecreasing<T>(items: readonly T[], work: (t: T) => number): boolean {
  return items.every((t, i) => i === 0 || work(items[i - 1]) <= work(t));
}

describe('kernel suite cases', () => {
  it('matmul: the presets MLP shapes and the squares 256…2048, smallest work first', () => {
    const byId = Object.fromEntries(MATMUL_CASES.map((c) => [c.id, c]));
    expect(byId['tiny-mlp']).toMatchObject({ M: 2 * 441, K: PRESETS.tiny.encoder.width, N: PRESETS.tiny.decoder.mlpHidden });
    expect(byId['base-mlp']).toMatchObject({ K: PRESETS.base.encoder.width, N: PRESETS.base.encoder.width * PRESETS.base.encoder.mlpRatio });
    for (const n of [256, 512, 1024, 2048]) expect(byId[`square-${n}`]).toMatchObject({ M: n, N: n, K: n });
    expect(nonDecreasing(MATMUL_CASES, matmulWork)).toBe(true);
  });

  it('attention: head count and head size of the tiny and base presets', () => {
    const tiny = ATTENTION_CASES.find((c) => c.id === 'tiny-fwd')!;
    const base = ATTENTION_CASES.find((c) => c.id === 'base-fwd')!;
    expect(tiny).toMatchObject({ NH: PRESETS.tiny.encoder.heads, HS: PRESETS.tiny.encoder.width / PRESETS.tiny.encoder.heads, N: 441 });
    expect(base).toMatchObject({ NH: PRESETS.base.encoder.heads, HS: PRESETS.base.encoder.width / PRESETS.base.encoder.heads, N: 1024 });
  });

  it('every series (kernel and pass) runs smallest work first', () => {
    for (const pass of ['forward', 'forward+backward'] as const) {
      expect(nonDecreasing(ATTENTION_CASES.filter((c) => c.pass === pass), attentionWork)).toBe(true);
    }
    const normSeries = (cases: readonly NormCase[], work: (c: NormCase) => number) =>
      (['forward', 'backward'] as const).every((pass) => nonDecreasing(cases.filter((c) => c.pass === pass), work));
    expect(normSeries(LAYERNORM_CASES, layernormWork)).toBe(true);
    expect(normSeries(GELU_CASES, geluWork)).toBe(true);
  });

  it('case ids are unique within each section', () => {
    for (const cases of [MATMUL_CASES, ATTENTION_CASES, LAYERNORM_CASES, GELU_CASES]) {
      expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    }
  });
});
