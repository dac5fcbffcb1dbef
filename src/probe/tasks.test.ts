// Probe task construction on a synthetic token table (no GPU): dated per-(date, location) sets with token-based band
// groups, static per-location sets over two modalities with different token grids (nearest coarse token), sets
// without valid input dropped, classification sets with single and multiple labels, gathering of the features, and
// group splits that never put one tile / date / block on both sides.
import { describe, expect, it } from 'vitest';
import { buildConfig, type MaeConfig } from '../model/config';
import { NO_LABEL } from './labels';
import { chooseSplit, classificationTask, referenceModality, segmentationTask, splitTask, taskExamples } from './tasks';
import { emptyTokenTable, tokenSlots, type Embedded } from './tokens';

/** Two modalities in one fusion group: "a" (3 bands, token groups [1, 2], 2 dates, 2×2 grid) and "b" (1 band, 1 date, 1×1 grid). */
function twoModalConfig(): MaeConfig {
  return buildConfig(
    'tiny',
    [
      { name: 'a', bands: ['a0', 'a1', 'a2'], normGroups: [1, 2], tokenGroups: [1, 2], patchSize: 2, imageSize: 4, gsd: 10, dates: 2 },
      { name: 'b', bands: ['b0'], patchSize: 4, imageSize: 4, gsd: 10, dates: 1, group: 'a' },
    ],
    { encoder: { width: 8, heads: 2, groupDepth: 1, interDepth: 0, mlpRatio: 2 }, decoder: { width: 8, heads: 2, depth: 1, mlpHidden: 8 } },
  );
}

/** A token table for `S` samples whose feature e of token row i is i + e/100 (so gathers can be checked). */
function syntheticEmbedded(config: MaeConfig, S: number): Embedded {
  const slots = tokenSlots(config);
  const N = slots.map((s) => s.length);
  const perSample = N.reduce((a, b) => a + b, 0);
  const groupOffset = N.map((_, g) => N.slice(0, g).reduce((a, b) => a + b, 0));
  const E = 3;
  const count = S * perSample;
  const t = emptyTokenTable(E, perSample, groupOffset, count);
  t.features.set(Float32Array.from({ length: count * E }, (_, k) => Math.floor(k / E) + (k % E) / 100));
  t.year.fill(2020);
  t.valid.fill(1);
  for (let s = 0; s < S; s++) {
    slots.forEach((gs, g) =>
      gs.forEach((slot, n) => {
        const i = s * perSample + groupOffset[g] + n;
        t.sample[i] = s;
        t.modality[i] = slot.m;
        t.group[i] = g;
        t.bandGroup[i] = slot.j;
        t.dateIndex[i] = slot.t;
        t.doy[i] = 100 + 10 * slot.t + s; // a different acquisition day per sample and date
        t.row[i] = slot.row;
        t.col[i] = slot.col;
      }),
    );
  }
  const fp = [{ lon: 0, lat: 1 }, { lon: 1, lat: 1 }, { lon: 1, lat: 0 }, { lon: 0, lat: 0 }] as const;
  return { config, tokens: t, samples: Array.from({ length: S }, (_, s) => ({ id: `loc0:x${4 * s}:y0`, footprint: fp })) };
}

describe('segmentationTask', () => {
  it('dated: one set per (sample, date, location) holding the band-group tokens, sets without valid input dropped', () => {
    const config = twoModalConfig();
    const emb = syntheticEmbedded(config, 2);
    const t = emb.tokens;
    // Label of modality-"a" tokens: 7 on date 0, 3 on date 1; modality "b" unlabelled.
    const labels = Int32Array.from({ length: t.count }, (_, i) => (t.modality[i] === 0 ? (t.dateIndex[i] === 0 ? 7 : 3) : NO_LABEL));
    // Sample 1, date 1, location (0, 0): no valid pixel in either band group → dropped.
    for (let i = 0; i < t.count; i++) if (t.sample[i] === 1 && t.modality[i] === 0 && t.dateIndex[i] === 1 && t.row[i] === 0 && t.col[i] === 0) t.valid[i] = 0;
    const task = segmentationTask(emb, labels, { dated: true, names: new Map([[3, 'water']]) });
    expect(task.N).toBe(2);
    expect(task.count).toBe(2 * 2 * 4 - 1);
    expect(task.classNames).toEqual(['water', 'class 7']);
    for (let k = 0; k < task.count; k++) {
      const [r0, r1] = [task.sets[2 * k], task.sets[2 * k + 1]];
      expect([t.bandGroup[r0], t.bandGroup[r1]]).toEqual([0, 1]);
      for (const f of ['sample', 'dateIndex', 'row', 'col'] as const) expect(t[f][r1]).toBe(t[f][r0]);
      expect(task.labels[k]).toBe(t.dateIndex[r0] === 0 ? 1 : 0);
      expect(task.tileKey[k]).toBe(emb.samples[t.sample[r0]].id);
      expect(task.dateKey[k]).toBe(`2020-${100 + 10 * t.dateIndex[r0] + t.sample[r0]}`);
    }
  });

  it('static: one set per reference location over every modality, band group and date (coarse grid by nearest token)', () => {
    const config = twoModalConfig();
    expect(referenceModality(config)).toBe(0);
    const emb = syntheticEmbedded(config, 1);
    const t = emb.tokens;
    // Modality "a" tokens carry label 10·row + col.
    const labels = Int32Array.from({ length: t.count }, (_, i) => (t.modality[i] === 0 ? 10 * t.row[i] + t.col[i] : NO_LABEL));
    const task = segmentationTask(emb, labels, { dated: false });
    expect(task.N).toBe(2 * 2 + 1); // a: 2 band groups × 2 dates; b: 1 × 1
    expect(task.count).toBe(4);
    expect(task.classNames).toEqual(['class 0', 'class 1', 'class 10', 'class 11']);
    for (let k = 0; k < 4; k++) {
      const rows = Array.from(task.sets.subarray(k * 5, k * 5 + 5));
      const a = rows.filter((r) => t.modality[r] === 0);
      const b = rows.filter((r) => t.modality[r] === 1);
      expect(a).toHaveLength(4);
      expect(b).toHaveLength(1);
      expect(new Set(a.map((r) => `${t.row[r]},${t.col[r]}`)).size).toBe(1);
      expect(task.labels[k]).toBe(k); // locations in row-major order ↔ sorted labels 0, 1, 10, 11
      expect(task.dateKey[k]).toBeNull();
    }
  });

  it('says so when no token has a label, or when every set has the same label', () => {
    const emb = syntheticEmbedded(twoModalConfig(), 1);
    expect(() => segmentationTask(emb, new Int32Array(emb.tokens.count).fill(NO_LABEL), { dated: true })).toThrow(/no token has a label/);
    const one = Int32Array.from({ length: emb.tokens.count }, (_, i) => (emb.tokens.modality[i] === 0 ? 4 : NO_LABEL));
    expect(() => segmentationTask(emb, one, { dated: true })).toThrow(/same label \(4\).*--all-dates/);
    expect(() => classificationTask(emb, [['x']])).toThrow(/same label \("x"\)/);
  });
});

describe('classificationTask and taskExamples', () => {
  it('builds one set per labelled sample; several labels make it multi-label', () => {
    const emb = syntheticEmbedded(twoModalConfig(), 3);
    const single = classificationTask(emb, [['forest'], null, ['crop']]);
    expect(single.labelKind).toBe('single');
    expect(single.classNames).toEqual(['crop', 'forest']);
    expect([...single.labels]).toEqual([1, 0]);
    expect(single.N).toBe(emb.tokens.perSample);
    const multi = classificationTask(emb, [['a', 'b'], ['b'], ['c']]);
    expect(multi.labelKind).toBe('multi');
    expect([...multi.labels]).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 1]);
    const ex = taskExamples(single, emb.tokens);
    // Set 1 is sample 2: its first token is row 2·perSample, feature values row + e/100.
    const row = 2 * emb.tokens.perSample;
    expect(ex.features[single.N * 3]).toBeCloseTo(row, 5);
    expect(ex.features[single.N * 3 + 2]).toBeCloseTo(row + 0.02, 5);
  });
});

describe('splitTask', () => {
  it('keeps every group on one side and honours the test fraction', () => {
    const config = twoModalConfig();
    const emb = syntheticEmbedded(config, 6);
    const t = emb.tokens;
    const labels = Int32Array.from({ length: t.count }, (_, i) => (t.modality[i] === 0 ? t.dateIndex[i] : NO_LABEL));
    const task = segmentationTask(emb, labels, { dated: true });
    expect(chooseSplit(task, 'auto')).toBe('tile');
    for (const kind of ['tile', 'date', 'block'] as const) {
      const split = splitTask(task, kind, 0.3, 4);
      const keys = kind === 'tile' ? task.tileKey : kind === 'date' ? task.dateKey : task.blockKey;
      const trainKeys = new Set(Array.from(split.train, (i) => keys[i]));
      for (const i of split.test) expect(trainKeys.has(keys[i])).toBe(false);
      expect(split.train.length + split.test.length).toBe(task.count);
      expect(split.testGroups).toBe(Math.ceil(0.3 * (split.testGroups + split.trainGroups)));
    }
    expect([...splitTask(task, 'tile', 0.3, 4).test]).toEqual([...splitTask(task, 'tile', 0.3, 4).test]);
  });

  it('falls back to dates, then blocks, with few tiles, and refuses a single group', () => {
    const emb = syntheticEmbedded(twoModalConfig(), 1);
    const t = emb.tokens;
    const labels = Int32Array.from({ length: t.count }, (_, i) => (t.modality[i] === 0 ? t.row[i] : NO_LABEL));
    const dated = segmentationTask(emb, labels, { dated: true });
    expect(chooseSplit(dated, 'auto')).toBe('date');
    const stat = segmentationTask(emb, labels, { dated: false });
    expect(chooseSplit(stat, 'auto')).toBe('block');
    expect(() => splitTask(stat, 'tile', 0.3, 0)).toThrow(/only 1 group/);
  });
});
