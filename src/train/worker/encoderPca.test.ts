// The PCA embedding map's CPU assembly: nearest upsampling of the token grid, the input composite (true colour where
// red/green/blue exist, grey mean otherwise, nodata transparent), and the per-image / per-series PCA tiles on a token
// table whose features are built so the expected structure is known (a feature direction that varies along the
// grid columns must become a colour gradient; identical dates must get identical colours when fitted as a series).
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../data/sample';
import { buildConfig, type MaeConfig } from '../../model/config';
import { emptyTokenTable, type TokenTable } from '../../probe/tokens';
import { assemblePca, renderInputComposite, upsampleTokens } from './encoderPca';

/** One modality, 4 bands in two token groups [3, 1], 8×8 px, patch 2 → 4×4 token grid, T dates, width E = 8. */
function config(T: number): MaeConfig {
  return buildConfig(
    'tiny',
    [{ name: 's2', bands: ['B04', 'B03', 'B02', 'B08'], normGroups: [3, 1], tokenGroups: [3, 1], patchSize: 2, imageSize: 8, gsd: 10, dates: T }],
    { encoder: { width: 8, heads: 2, groupDepth: 1, interDepth: 0, mlpRatio: 2 } },
  );
}

function sample(T: number): Sample {
  const [C, H, W] = [4, 8, 8];
  const data = new Float32Array(T * C * H * W); // (T, C, H, W)
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 101;
  const valid = new Uint8Array(T * H * W).fill(1); // (T, H, W)
  valid[0] = 0; // pixel (0, 0) of date 0 is nodata
  const dates = Array.from({ length: T }, (_, t) => ({ year: 2020, doy: 10 + 30 * t, hour: 0 }));
  const fp = [
    { lon: 0, lat: 1 },
    { lon: 1, lat: 1 },
    { lon: 1, lat: 0 },
    { lon: 0, lat: 0 },
  ] as const;
  return { id: 'loc0:x0:y0', modalities: { s2: { modality: 's2', bands: ['B04', 'B03', 'B02', 'B08'], gsd: 10, T, C, H, W, data, valid, dates, footprint: [...fp] } } };
}

/**
 * Token table of one sample in tokens.ts order (token group j, date t, cell l), features (count, E): feature 0 = the
 * grid column, feature 1 = the grid row · 0.3, feature 2 = j, the rest small and fixed; `dateShift` adds t · shift to
 * feature 3, so dates differ only when it is non-zero.
 */
function table(T: number, dateShift: number): TokenTable {
  const [g, E, J] = [4, 8, 2];
  const count = J * T * g * g;
  const t = emptyTokenTable(E, count, [0], count);
  t.valid.fill(1);
  let i = 0;
  for (let j = 0; j < J; j++)
    for (let d = 0; d < T; d++)
      for (let l = 0; l < g * g; l++, i++) {
        const [row, col] = [Math.floor(l / g), l % g];
        t.bandGroup[i] = j;
        t.dateIndex[i] = d;
        t.row[i] = row;
        t.col[i] = col;
        t.features.set([col, 0.3 * row, j, d * dateShift + 0.01 * ((l * 7) % 5), 0.001 * l, 0, 0, 0], i * E);
      }
  return t;
}

describe('upsampleTokens', () => {
  it('repeats each token colour over its P×P pixels, date by date', () => {
    // T = 2, g = 2, P = 2: token colours are (t·4 + l) in every channel.
    const colors = new Uint8ClampedArray(2 * 4 * 4).map((_, k) => Math.floor(k / 4));
    const out = upsampleTokens(colors, 2, 2, 2); // (2, 4, 4, 4)
    expect(out.length).toBe(2 * 16 * 4);
    const at = (t: number, y: number, x: number) => out[((t * 4 + y) * 4 + x) * 4];
    expect([at(0, 0, 0), at(0, 1, 1), at(0, 0, 2), at(0, 3, 3), at(1, 2, 1)]).toEqual([0, 0, 1, 3, 6]);
  });
});

describe('renderInputComposite', () => {
  it('draws true colour from the listed channels, leaves nodata transparent, and says what it shows', () => {
    const s = sample(1).modalities.s2;
    const { rgba, label } = renderInputComposite(s.data, s.valid, s, s.bands, [0, 1, 2]);
    expect(label).toBe('True colour: B04 B03 B02');
    expect(rgba.length).toBe(64 * 4);
    expect(rgba[3]).toBe(0);
    expect(rgba[7]).toBe(255);
    const reds = new Set(Array.from({ length: 64 }, (_, p) => rgba[p * 4]));
    expect(reds.size).toBeGreaterThan(4);
  });

  it('falls back to the grey mean of all bands without red, green and blue', () => {
    const s = sample(2).modalities.s2;
    const { rgba, label } = renderInputComposite(s.data, s.valid, s, s.bands, null);
    expect(label).toBe('Mean of 4 bands (grey)');
    expect(rgba.length).toBe(2 * 64 * 4);
    for (let p = 1; p < 128; p++) expect(rgba[p * 4]).toBe(rgba[p * 4 + 1]);
  });
});

describe('assemblePca', () => {
  it('one PCA per image: a map per token group and date, non-constant, with sorted explained-variance shares', () => {
    const T = 2;
    const out = assemblePca({ config: config(T), sample: sample(T), tokens: table(T, 5), fit: 'image' });
    expect(out.modalities).toHaveLength(1);
    const m = out.modalities[0];
    expect(m).toMatchObject({ name: 's2', T, H: 8, W: 8, P: 2, grid: 4, dates: ['2020-01-10', '2020-02-09'], input: { key: 's2/input', label: 'True colour: B04 B03 B02' } });
    expect(m.groups.map((g) => [g.key, g.index, g.bands])).toEqual([
      ['s2/pca0', 0, ['B04', 'B03', 'B02']],
      ['s2/pca1', 1, ['B08']],
    ]);
    expect(out.pixels.map((p) => [p.key, p.rgba.length])).toEqual([
      ['s2/input', T * 64 * 4],
      ['s2/pca0', T * 64 * 4],
      ['s2/pca1', T * 64 * 4],
    ]);
    for (const g of m.groups)
      for (const e of g.explained) {
        expect(e[0]).toBeGreaterThanOrEqual(e[1]);
        expect(e[1]).toBeGreaterThanOrEqual(e[2]);
        expect(e[0] + e[1] + e[2]).toBeLessThanOrEqual(1 + 1e-9);
        // Columns carry most of the variance (feature 0 spans 0..3, the row feature 0..0.9).
        expect(e[0]).toBeGreaterThan(0.8);
      }
    // PC1 follows the grid column: within a token (2×2 px) the colour is constant, across columns it changes.
    const px = out.pixels[1].rgba;
    const red = (t: number, y: number, x: number) => px[((t * 8 + y) * 8 + x) * 4];
    expect(red(0, 0, 0)).toBe(red(0, 1, 1));
    const byCol = [0, 2, 4, 6].map((x) => red(0, 0, x));
    expect(new Set(byCol).size).toBe(4);
    expect(byCol[0] < byCol[3] || byCol[0] > byCol[3]).toBe(true);
    expect(px[3]).toBe(255);
  });

  it('one PCA per series: identical dates get identical colours and the same explained variance', () => {
    const T = 3;
    const out = assemblePca({ config: config(T), sample: sample(T), tokens: table(T, 0), fit: 'series' });
    const g = out.modalities[0].groups[0];
    expect(g.explained[0]).toEqual(g.explained[1]);
    expect(g.explained[1]).toEqual(g.explained[2]);
    const px = out.pixels[1].rgba;
    const tile = (t: number) => px.subarray(t * 256, (t + 1) * 256);
    expect(tile(1)).toEqual(tile(0));
    expect(tile(2)).toEqual(tile(0));
  });

  it('a date shift is visible across dates with a series PCA', () => {
    const T = 2;
    const out = assemblePca({ config: config(T), sample: sample(T), tokens: table(T, 40), fit: 'series' });
    const px = out.pixels[1].rgba;
    expect(px.subarray(256, 512)).not.toEqual(px.subarray(0, 256));
  });

  it('refuses a table of several samples or one that lacks tokens', () => {
    const t = table(2, 1);
    expect(() => assemblePca({ config: config(2), sample: sample(2), tokens: { ...t, perSample: t.count / 2 }, fit: 'image' })).toThrow(/one sample/);
    const broken = table(2, 1);
    broken.col[5] = broken.col[4]; // two tokens on one cell, one cell empty
    expect(() => assemblePca({ config: config(2), sample: sample(2), tokens: broken, fit: 'image' })).toThrow(/lacks tokens/);
  });
});
