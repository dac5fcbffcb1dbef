/**
 * CPU-side assembly of the Inspect grid: unpatchify inverts the model's patch layout, masks land on the right
 * patches, rows follow the normalisation groups (+ RGB composites), and the rendered tiles put predictions on masked
 * patches only, errors on masked patches only and nodata as transparency.
 */
import { describe, expect, it } from 'vitest';
import { patchifyRef } from '../../kernels/patchify.ref';
import { Rng } from '../../lib/rng';
import { buildConfig, gridSize } from '../../model/config';
import { maeGeometry } from '../../model/mae';
import { completeMask, makeMasks, type GroupMask } from '../../model/masking';
import { randomBatch } from '../../model/testing/batches';
import { tinyTwoGroupConfig } from '../../model/testing/configs';
import { assembleInspection, findRgb, isoDate, planRows, segmentMask, transferablesOf, unpatchifyTokens, type SegmentOutputs } from './inspectAssemble';
import { colormapLut } from './inspectColor';

describe('unpatchifyTokens', () => {
  it.each([
    { T: 2, C: 3, H: 6, W: 6, P: 3 },
    { T: 1, C: 1, H: 4, W: 4, P: 1 },
    { T: 3, C: 2, H: 8, W: 8, P: 4 },
  ])('inverts patchify for %o', (d) => {
    const x = Float32Array.from(new Rng(1).normalArray(d.T * d.C * d.H * d.W));
    const tokens = patchifyRef(x, { B: 1, ...d });
    expect(unpatchifyTokens(tokens, d)).toEqual(x);
  });

  it('refuses a token array of the wrong length', () => {
    expect(() => unpatchifyTokens(new Float32Array(10), { T: 1, C: 1, H: 4, W: 4, P: 2 })).toThrow(/expected/);
  });
});

describe('segmentMask', () => {
  it('reads the (T, L) flags of a segment out of the group sequence', () => {
    // N = 12 tokens: masked 1, 4, 5, 11.
    const m = completeMask('g', new Uint8Array(12), 1, 12, 4, new Rng(3));
    const flags = new Uint8Array(12);
    for (const i of m.masked) flags[i] = 1;
    expect([...segmentMask(m, 4, 2, 3)]).toEqual([...flags.subarray(4, 10)]);
  });

  it('refuses a batch mask', () => {
    const m: GroupMask = completeMask('g', new Uint8Array(8), 2, 4, 1, new Rng(0));
    expect(() => segmentMask(m, 0, 1, 4)).toThrow(/one sample/);
  });
});

describe('rows and names', () => {
  it('plans one row per normalisation group, then the RGB composite', () => {
    const config = buildConfig('tiny', [{ name: 's2', bands: ['B02', 'B03', 'B04', 'B08', 'B11'], normGroups: [4, 1], patchSize: 2, imageSize: 4, gsd: 10, dates: 1 }]);
    const rows = planRows(config.modalities[0], findRgb(config.modalities[0].bands));
    expect(rows.map((r) => [r.key, r.kind, r.channels])).toEqual([
      ['s2/ng0', 'group', [0, 1, 2, 3]],
      ['s2/ng1', 'group', [4]],
      ['s2/rgb', 'rgb', [2, 1, 0]],
    ]);
    expect(rows[2].label).toBe('True colour: B04 B03 B02');
  });

  it('finds red, green and blue from common names, Sentinel-2 names or literal names', () => {
    expect(findRgb(['B1', 'B2', 'B3', 'B4'], new Map([['B1', 'blue'], ['B2', 'green'], ['B3', 'red'], ['B4', 'nir']]))).toEqual([2, 1, 0]);
    expect(findRgb(['B08', 'B04', 'B03', 'B02'])).toEqual([1, 2, 3]);
    expect(findRgb(['red', 'green', 'blue', 'nir'])).toEqual([0, 1, 2]);
    expect(findRgb(['VV', 'VH'])).toBeNull();
    // Landsat TM b3/b4/b5 (red, NIR, SWIR1): no blue, so no true-colour composite.
    expect(findRgb(['b3', 'b4', 'b5'], new Map([['b3', 'red'], ['b4', 'nir'], ['b5', 'swir1']]))).toBeNull();
  });

  it('formats year + day of year as an ISO date', () => {
    expect(isoDate({ year: 2020, doy: 60, hour: 0 })).toBe('2020-02-29');
    expect(isoDate({ year: 2008, doy: 118, hour: 10 })).toBe('2008-04-27');
  });
});

describe('assembleInspection', () => {
  /** Targets = raw patches of the input (as targetNorm 'none'), predictions = targets + `offset`. */
  function setup(offset: number, invalidPixel = false) {
    const config = tinyTwoGroupConfig({ masking: { ratio: 0.5, strategy: 'random' } });
    const geometry = maeGeometry(config);
    const batch = randomBatch(config, 1, 5);
    if (invalidPixel) batch.modalities.A.valid[0] = 0;
    const masks = makeMasks(config, 1, new Rng(9));
    const outputs: SegmentOutputs[] = geometry.segments.map((s) => {
      const mod = config.modalities[s.m];
      const mb = batch.modalities[mod.name];
      const target = Float32Array.from(patchifyRef(mb.data, { B: 1, T: mb.T, C: mb.C, H: mb.H, W: mb.W, P: mod.patchSize, bands: s.bands }));
      return { target, pred: target.map((v) => v + offset) };
    });
    const out = assembleInspection({ config, geometry, batch, masks, outputs, rgb: { A: null, B1: null, B2: [1, 1, 0] }, units: { A: 'reflectance' } });
    return { config, geometry, batch, masks, out };
  }

  it('lays out one row per normalisation group and RGB composite, with dates and units', () => {
    const { out, batch } = setup(0);
    expect(out.modalities.map((m) => [m.name, m.rows.map((r) => r.key)])).toEqual([
      ['A', ['A/ng0', 'A/ng1', 'A/ng2']],
      ['B1', ['B1/ng0', 'B1/ng1']],
      ['B2', ['B2/ng0', 'B2/rgb']],
    ]);
    const a = out.modalities[0];
    expect([a.T, a.H, a.W, a.P, a.grid, a.unit]).toEqual([3, 4, 4, 2, 2, 'reflectance']);
    expect(a.dates).toEqual(batch.modalities.A.dates[0].map(isoDate));
    // A's token groups are [2, 3] bands: normalisation groups [2], [2], [1] → token groups 0, 1, 1.
    expect(a.rows.map((r) => r.tokenGroups)).toEqual([[0], [1], [1]]);
    expect(out.pixels.map((p) => p.key)).toEqual(out.modalities.flatMap((m) => m.rows.map((r) => r.key)));
  });

  it('puts the unpatchified target and prediction in the hover values', () => {
    const { out, batch } = setup(0.5);
    const b1 = batch.modalities.B1;
    const row = out.pixels.find((p) => p.key === 'B1/ng1')!; // band b1 only
    const HW = b1.H * b1.W;
    for (let t = 0; t < b1.T; t++) {
      const band = b1.data.subarray((t * 2 + 1) * HW, (t * 2 + 2) * HW);
      expect(row.inputValues.subarray(t * HW, (t + 1) * HW)).toEqual(band);
      expect(row.targetValues.subarray(t * HW, (t + 1) * HW)).toEqual(band);
      for (let p = 0; p < HW; p++) expect(row.predValues[t * HW + p]).toBeCloseTo(band[p] + 0.5, 5);
    }
  });

  it('counts masked patches per date from the group masks', () => {
    const { out, masks, geometry, config } = setup(0);
    for (const mod of out.modalities) {
      const m = config.modalities.findIndex((x) => x.name === mod.name);
      for (const row of mod.rows) {
        const seg = geometry.segments.find((s) => s.m === m && s.j === row.tokenGroups[0])!;
        const L = gridSize(config.modalities[m]) ** 2;
        const mk = segmentMask(masks[seg.g], seg.start, mod.T, L);
        expect(row.maskedPerDate).toEqual(Array.from({ length: mod.T }, (_, t) => mk.subarray(t * L, (t + 1) * L).reduce((a, b) => a + b, 0)));
        expect([...out.pixels.find((p) => p.key === row.key)!.mask]).toEqual([...mk]);
      }
    }
    const total = out.modalities.flatMap((m) => m.rows.filter((r) => r.kind === 'group' && r.key.endsWith('ng0')));
    expect(total.length).toBe(3);
  });

  it('shows predictions on masked patches, targets on visible ones, and errors only where masked', () => {
    const { out } = setup(3);
    const mod = out.modalities[0]; // A: 4×4 px, P = 2, g = 2
    const row = mod.rows[0];
    const px = out.pixels[0];
    const HW = mod.H * mod.W;
    const magmaTop = [...colormapLut('magma').subarray(255 * 3)];
    let maskedSeen = 0;
    let visibleSeen = 0;
    for (let t = 0; t < mod.T; t++)
      for (let y = 0; y < mod.H; y++)
        for (let x = 0; x < mod.W; x++) {
          const p = t * HW + y * mod.W + x;
          const masked = px.mask[t * 4 + Math.floor(y / 2) * 2 + Math.floor(x / 2)] === 1;
          const rec = [...px.reconstruction.subarray(p * 4, p * 4 + 4)];
          const tgt = [...px.target.subarray(p * 4, p * 4 + 4)];
          const err = [...px.error.subarray(p * 4, p * 4 + 3)];
          if (masked) {
            maskedSeen++;
            expect(err).toEqual(magmaTop); // |pred − target| = 3 everywhere masked: the top of the error scale
          } else {
            visibleSeen++;
            expect(rec).toEqual(tgt);
            expect(err).toEqual([40, 56, 66]);
          }
        }
    expect(maskedSeen).toBeGreaterThan(0);
    expect(visibleSeen).toBeGreaterThan(0);
    expect(row.error.lo).toBe(0);
    expect(row.error.hi).toBeCloseTo(3, 2); // a flat error is widened by 0.1 %
    expect(row.value.stops.length).toBeGreaterThan(2);
  });

  it('renders nodata input pixels transparent and stretches inputs 2–98 % over all dates', () => {
    const { out } = setup(0, true);
    const px = out.pixels[0];
    expect(px.input[3]).toBe(0);
    expect(px.input[7]).toBe(255);
    const row = out.modalities[0].rows[0];
    expect(row.input.lo).toBeLessThan(row.input.hi);
    expect(row.input.colormap).toBe('gray');
  });

  it('builds RGB composites with per-channel stretches', () => {
    const { out } = setup(0);
    const rgb = out.modalities[2].rows[1];
    expect(rgb.kind).toBe('rgb');
    expect(rgb.bands).toEqual(['c1', 'c1', 'c0']);
    expect(rgb.input.channels!.map((c) => c.band)).toEqual(['c1', 'c1', 'c0']);
    const px = out.pixels.find((p) => p.key === 'B2/rgb')!;
    // Red and green come from the same band with the same stretch: identical channels.
    for (let i = 0; i < px.input.length; i += 4) expect(px.input[i]).toBe(px.input[i + 1]);
  });

  it('lists one transferable per array, all distinct', () => {
    const { out } = setup(0);
    const t = transferablesOf(out.pixels);
    expect(t.length).toBe(out.pixels.length * 9);
    expect(new Set(t).size).toBe(t.length);
  });
});
