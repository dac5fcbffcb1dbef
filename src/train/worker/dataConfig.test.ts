/**
 * Keeping the model configuration consistent with a changing dataset: user choices survive a data change where they
 * still apply, invalid drafts stay visible with their problems, the dataset checks, presets and imports.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetModality } from '../datasetConfig';
import { applyPreset, datasetProblems, normaliseConfig, parseImportedConfig, reconcileConfig } from './dataConfig';

const S2: DatasetModality = { name: 's2', bands: ['B02', 'B03', 'B04', 'B08', 'B05', 'B06', 'B07', 'B8A', 'B11', 'B12'], normGroups: [4, 4, 2], gsd: 10, size: 32, T: 4 };
const ASC: DatasetModality = { name: 's1_asc', bands: ['VV', 'VH'], normGroups: null, gsd: 10, size: 32, T: 3 };
const DES: DatasetModality = { ...ASC, name: 's1_des' };

describe('reconcileConfig', () => {
  it('builds the MAESTRO default for a new dataset', () => {
    const { config, problems } = reconcileConfig(null, [S2, ASC, DES]);
    expect(problems).toEqual([]);
    expect(config?.preset).toBe('tiny');
    expect(config?.groups).toEqual([
      { name: 's2', modalities: ['s2'] },
      { name: 's1', modalities: ['s1_asc', 's1_des'] },
    ]);
    expect(config?.modalities[0].normGroups).toEqual([4, 4, 2]);
  });

  it('keeps the user’s choices when files are added, and adapts what no longer applies', () => {
    const first = reconcileConfig(null, [S2, ASC]).config!;
    const edited = {
      ...first,
      preset: 'small' as const,
      loss: 'l2' as const,
      targetNorm: 'patch' as const,
      masking: { ...first.masking, ratio: 0.6, strategy: 'random' as const },
      modalities: first.modalities.map((m) => (m.name === 's2' ? { ...m, tokenGroups: [4, 4, 2], patchSize: 8 } : m)),
    };
    // More dates of s2, and a new modality s1_des, which joins s1_asc in MAESTRO's s1 group.
    const next = reconcileConfig(edited, [{ ...S2, T: 6 }, ASC, DES]);
    const c = next.config!;
    expect(next.problems).toEqual([]);
    expect(c.preset).toBe('small');
    expect(c.encoder.width).toBe(384);
    expect(c.loss).toBe('l2');
    expect(c.targetNorm).toBe('patch');
    expect(c.masking).toMatchObject({ ratio: 0.6, strategy: 'random' });
    const s2 = c.modalities.find((m) => m.name === 's2')!;
    expect(s2).toMatchObject({ dates: 6, patchSize: 8, tokenGroups: [4, 4, 2] });
    expect(c.groups).toEqual([
      { name: 's2', modalities: ['s2'] },
      { name: 's1', modalities: ['s1_asc', 's1_des'] },
    ]);
    // A modality the user moved to its own group stays there when data changes.
    const apart = { ...c, groups: [{ name: 's2', modalities: ['s2'] }, { name: 's1', modalities: ['s1_asc'] }, { name: 's1_des', modalities: ['s1_des'] }] };
    expect(reconcileConfig(apart, [S2, ASC, DES]).config?.groups).toEqual(apart.groups);
    expect(c.posGrid).toBe(8);
    // A sample size the old patch does not divide: back to the default, with a note.
    const smaller = reconcileConfig(c, [{ ...S2, size: 12 }]);
    expect(smaller.config?.modalities[0].patchSize).not.toBe(8);
    expect(smaller.notes.join(' ')).toMatch(/patch size 8 does not divide/);
  });

  it('carries the A²-MAE-style settings over (anchor masking, geographic and position encodings)', () => {
    const first = reconcileConfig(null, [S2, ASC]).config!;
    const anchored = normaliseConfig({ ...first, masking: { ...first.masking, strategy: 'anchor' }, geoEncoding: 'full', positions: 'ground' });
    expect(anchored.masking.anchor).toMatchObject({ rule: 'random', modality: null });
    const tuned = { ...anchored, masking: { ...anchored.masking, anchor: { ...anchored.masking.anchor!, rule: 'modality' as const, modality: 's2', pHi: 0.8 } } };
    const r = reconcileConfig(tuned, [{ ...S2, T: 2 }, ASC, DES]);
    expect(r.problems).toEqual([]);
    expect(r.config).toMatchObject({ geoEncoding: 'full', positions: 'ground', masking: { strategy: 'anchor', anchor: { rule: 'modality', modality: 's2', pHi: 0.8 } } });
  });

  it('carries an invalid draft over with its problems instead of silently fixing it', () => {
    const first = reconcileConfig(null, [S2]).config!;
    const bad = { ...first, masking: { ...first.masking, ratio: 1.5 } };
    const r = reconcileConfig(bad, [S2]);
    expect(r.config?.masking.ratio).toBe(1.5);
    expect(r.problems.some((p) => p.startsWith('masking.ratio:'))).toBe(true);
  });

  it('resets band groups of a modality whose bands changed', () => {
    const first = reconcileConfig(null, [S2]).config!;
    const regrouped = { ...first, modalities: [{ ...first.modalities[0], normGroups: [10], tokenGroups: [10] }] };
    const r = reconcileConfig(regrouped, [{ ...S2, bands: S2.bands.slice(0, 4), normGroups: null }]);
    expect(r.config?.modalities[0].normGroups).toEqual([4]);
    expect(r.notes.join(' ')).toMatch(/bands changed/);
  });
});

describe('dataset checks, presets, posGrid, import', () => {
  it('names every mismatch with the dataset by field', () => {
    const c = reconcileConfig(null, [S2]).config!;
    expect(datasetProblems(c, [S2])).toEqual([]);
    const p = datasetProblems({ ...c, modalities: [{ ...c.modalities[0], dates: 2, imageSize: 64 }] }, [S2, ASC]);
    expect(p).toEqual([
      'modalities[0].imageSize: 64 px, but the dataset\'s s2 samples are 32 px',
      'modalities[0].dates: 2, but the dataset gives 4 dates of s2 per sample',
      'modalities: the dataset\'s modality "s1_asc" has no entry',
    ]);
  });

  it('applies a preset with its default patch sizes and derives posGrid from the token grids', () => {
    const c = reconcileConfig(null, [S2, ASC]).config!;
    expect(c.modalities[0].patchSize).toBe(2); // P²·C ≤ 128 for the tiny decoder
    const { config, notes } = applyPreset(c, 'small', [S2, ASC]);
    expect(config.preset).toBe('small');
    expect(config.decoder.width).toBe(512);
    expect(config.modalities[0].patchSize).toBe(4);
    expect(notes.join(' ')).toMatch(/s2: patch size 2 → 4/);
    expect(config.posGrid).toBe(8);
    expect(normaliseConfig({ ...c, modalities: [{ ...c.modalities[0], patchSize: 16 }, { ...c.modalities[1], patchSize: 8 }] }).posGrid).toBe(4);
  });

  it('parses an imported file: a config, a checkpoint state.json, or a plain refusal', () => {
    const c = reconcileConfig(null, [S2]).config!;
    expect(parseImportedConfig(JSON.stringify(c)).config).toEqual(c);
    expect(parseImportedConfig(JSON.stringify({ format: 'x', config: c, step: 3 })).config).toEqual(c);
    expect(parseImportedConfig('{').problems[0]).toMatch(/not JSON/);
    expect(parseImportedConfig('{"version": 1}').problems.some((p) => p.startsWith('modalities:'))).toBe(true);
  });
});
