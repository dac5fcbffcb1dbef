// The ablation runner's pure parts: experiment-file parsing (defaults, relative paths, every problem listed), the
// one-factor-at-a-time expansion, variant configurations (target norm, masking, token-based spectral fusion with
// per-band or normalisation-group tokens), the spread over seeds, the summary table and the ASCII chart.
import { describe, expect, it } from 'vitest';
import { MASK_STRATEGIES } from '../model/config';
import { asciiChart, expandAblation, formatSummaryTable, parseExperiment, sampleStd, summarize, tokenFusionGroups, variantConfig, type RunResult, type SummaryRow } from './experiment';
import type { ProbeReport } from './run';

const minimal = { data: ['imgs'], labels: { path: ['masks'], match: 'fmask' } };

describe('parseExperiment', () => {
  it('fills defaults and resolves paths', () => {
    const spec = parseExperiment(JSON.stringify(minimal), (p) => `/root/${p}`);
    expect(spec.data).toEqual(['/root/imgs']);
    expect(spec.labels).toEqual({ path: ['/root/masks'], match: 'fmask' });
    expect(spec.model.preset).toBe('tiny');
    expect(spec.seeds).toEqual([0]);
    expect(spec.probe).toMatchObject({ heads: ['linear', 'attentive'], split: 'auto', testFraction: 0.3, allDates: 'auto' });
    expect(spec.variants).toEqual([{ name: 'base', targetNorm: 'patch-group', fusion: 'joint', masking: 'structured' }]);
  });

  it('expands "ablate" around "base" and names explicit variants by their changes', () => {
    const a = parseExperiment(JSON.stringify({ ...minimal, base: { masking: 'random' }, ablate: ['targetNorm', 'fusion'] }));
    expect(a.variants.map((v) => v.name)).toEqual(['base', 'targetNorm=none', 'targetNorm=patch', 'fusion=token']);
    expect(a.variants.every((v) => v.masking === 'random')).toBe(true);
    const b = parseExperiment(JSON.stringify({ ...minimal, variants: [{ targetNorm: 'none' }, { name: 'mine', fusion: 'token', masking: 'random' }] }));
    expect(b.variants).toEqual([
      { name: 'targetNorm=none', targetNorm: 'none', fusion: 'joint', masking: 'structured' },
      { name: 'mine', targetNorm: 'patch-group', fusion: 'token', masking: 'random' },
    ]);
  });

  it('lists every problem at once', () => {
    const bad = { data: 3, labels: { path: 'm', dated: 'sometimes' }, pretrain: { steps: 0 }, probe: { heads: ['mlp'], split: 'random' }, seeds: [-1], variants: [{ fusion: 'early' }, { colour: 'red' }] };
    let message = '';
    try {
      parseExperiment(JSON.stringify(bad));
    } catch (e) {
      message = (e as Error).message;
    }
    for (const part of ['data:', 'labels.dated', 'pretrain.steps', 'probe.heads', 'probe.split', 'seeds', 'variants[0].fusion', 'variants[1]: "colour" is not a factor']) expect(message).toContain(part);
    expect(() => parseExperiment('{')).toThrow(/not valid JSON/);
  });
});

describe('variants', () => {
  it('expandAblation changes one factor at a time, over every mask strategy of config.ts', () => {
    const v = expandAblation({ name: 'x', targetNorm: 'patch', fusion: 'token', masking: MASK_STRATEGIES[0] }, ['masking']);
    expect(v.map((x) => x.name)).toEqual(['base', ...MASK_STRATEGIES.slice(1).map((m) => `masking=${m}`)]);
  });

  it('token-based fusion uses normalisation groups when there are several, else one token per band', () => {
    expect(tokenFusionGroups([4, 4, 2], 10)).toEqual([4, 4, 2]);
    expect(tokenFusionGroups([3], 3)).toEqual([1, 1, 1]);
  });

  it('builds valid configurations for each factor', () => {
    const modalities = [{ name: 'landsat', bands: ['B3', 'B4', 'B5'], normGroups: null, gsd: 30, size: 16, T: 8 }];
    const spec = { model: { preset: 'tiny' as const, encoder: { width: 32, heads: 2 } }, dataset: { patchSize: 4 } };
    const joint = variantConfig(modalities, spec, { name: 'a', targetNorm: 'none', fusion: 'joint', masking: 'random' });
    expect(joint.targetNorm).toBe('none');
    expect(joint.masking.strategy).toBe('random');
    expect(joint.modalities[0]).toMatchObject({ patchSize: 4, tokenGroups: [3], normGroups: [3] });
    expect(joint.encoder.width).toBe(32);
    const token = variantConfig(modalities, spec, { name: 'b', targetNorm: 'patch-group', fusion: 'token', masking: 'structured' });
    expect(token.modalities[0]).toMatchObject({ tokenGroups: [1, 1, 1], normGroups: [1, 1, 1] });
  });
});

function fakeRun(variant: string, seed: number, linear: number, attentive: number): RunResult {
  const head = (h: 'linear' | 'attentive', score: number) => ({
    head: h,
    score,
    scoreName: 'mIoU' as const,
    single: { accuracy: score + 0.2 } as never,
    multi: null,
    firstLoss: 1,
    lastLoss: 0.5,
    trainMs: 1,
    evalMs: 1,
  });
  return { variant, seed, pretrain: { firstLoss: 1, lastLoss: 0.4 + seed / 10, ms: 1 }, embedMs: 1, report: { heads: [head('linear', linear), head('attentive', attentive)] } as unknown as ProbeReport };
}

describe('summary', () => {
  it('computes the sample standard deviation', () => {
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStd([3])).toBe(0);
  });

  it('summarises per variant and head, in variant order', () => {
    const rows = summarize([fakeRun('b', 0, 0.5, 0.4), fakeRun('a', 0, 0.3, 0.2), fakeRun('b', 1, 0.7, 0.4)], ['b', 'a']);
    expect(rows.map((r) => `${r.variant}/${r.head}`)).toEqual(['b/linear', 'b/attentive', 'a/linear', 'a/attentive']);
    expect(rows[0]).toMatchObject({ mean: 0.6, min: 0.5, max: 0.7, n: 2 });
    expect(rows[0].std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(rows[0].accuracy).toBeCloseTo(0.8, 12);
    expect(rows[0].pretrainLoss).toBeCloseTo(0.45, 12);
    expect(rows[1].std).toBe(0);
  });

  it('draws bars proportional to the mean, with a whisker for the spread', () => {
    const rows: SummaryRow[] = [
      { variant: 'base', head: 'linear', scoreName: 'mIoU', mean: 0.5, std: 0.1, min: 0.4, max: 0.6, n: 2, accuracy: 0.7, pretrainLoss: 0.5 },
      { variant: 'targetNorm=none', head: 'linear', scoreName: 'mIoU', mean: 0.3, std: 0, min: 0.3, max: 0.3, n: 2, accuracy: 0.6, pretrainLoss: 0.6 },
    ];
    const chart = asciiChart(rows, 30).split('\n');
    expect(chart[0]).toBe('mIoU (%), 0 … 60.0');
    // scale: 60 % = 30 cells → 50 % = 25 full cells, whisker from 20 to 30; 30 % = 15 cells.
    expect(chart[1]).toBe(`base             linear  |${'█'.repeat(20)}├${'█'.repeat(4)}────┤| 50.0 ± 10.0`);
    expect(chart[2]).toBe(`targetNorm=none  linear  |${'█'.repeat(15)}${' '.repeat(15)}| 30.0 ± 0.0`);
    const table = formatSummaryTable(rows).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toContain('50.0 ± 10.0');
    expect(table[2]).toContain('40.0–60.0');
  });
});
