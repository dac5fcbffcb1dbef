// Position/date encodings: MAESTRO's sin-cos layout, pooling that preserves the mean, PyTorch-exact bilinear resize,
// comparable encodings for co-located tokens of different GSDs, and date-encoding values.
import { describe, expect, it } from 'vitest';
import { buildConfig } from './config';
import { DATE_DIM, dateEncoding, encodingTables, frequencies, poolToGrid, positionEncoding, resizeBilinear, sincosTable } from './encodings';

describe('sin-cos table', () => {
  it('spans frequencies 1 … 1e-4 over (D − 8)/4 channels', () => {
    const w = frequencies(24); // n = 4
    expect(w.length).toBe(4);
    expect(w[0]).toBe(1);
    expect(w[3]).toBeCloseTo(1e-4, 15);
    expect(w[1]).toBeCloseTo(Math.pow(10000, -1 / 3), 15);
    expect([...frequencies(12)]).toEqual([1]);
    expect(frequencies(8).length).toBe(0);
    expect(() => frequencies(10)).toThrow(/multiple of 4/);
  });

  it('puts sin/cos of the column, then of the row, in the first D − 8 channels', () => {
    const D = 24;
    const DP = D - DATE_DIM;
    const G = 5;
    const t = sincosTable(G, D);
    expect(t.length).toBe(G * G * DP);
    const w = frequencies(D);
    const y = 3;
    const x = 2;
    const v = t.subarray((y * G + x) * DP, (y * G + x + 1) * DP);
    for (let k = 0; k < 4; k++) {
      expect(v[k]).toBeCloseTo(Math.sin(x * w[k]), 14);
      expect(v[4 + k]).toBeCloseTo(Math.cos(x * w[k]), 14);
      expect(v[8 + k]).toBeCloseTo(Math.sin(y * w[k]), 14);
      expect(v[12 + k]).toBeCloseTo(Math.cos(y * w[k]), 14);
    }
  });
});

describe('pooling and resizing', () => {
  it('average pooling preserves the mean of every channel', () => {
    const G = 12;
    const D = 12; // sin-cos channels of a width-20 token
    const t = sincosTable(G, 20);
    for (const g of [1, 2, 3, 4, 6, 12]) {
      const p = poolToGrid(t, G, g, D);
      for (let c = 0; c < D; c++) {
        let fine = 0;
        let coarse = 0;
        for (let i = 0; i < G * G; i++) fine += t[i * D + c];
        for (let i = 0; i < g * g; i++) coarse += p[i * D + c];
        expect(coarse / (g * g)).toBeCloseTo(fine / (G * G), 12);
      }
    }
  });

  it('resizes bilinearly like F.interpolate(align_corners=False)', () => {
    // 2×2 → 4×4 of a single channel [[0, 1], [2, 3]]: source coords −0.25→0, 0.25, 0.75, 1.25→(1, clamp).
    const out = resizeBilinear(Float64Array.from([0, 1, 2, 3]), 2, 4, 1);
    const expected = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
    [...out].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
    // Downscale 4 → 3: coords (i + 0.5)·4/3 − 0.5 = 1/6, 3/2, 17/6 of a linear ramp reproduce the coordinate.
    const ramp = Float64Array.from({ length: 16 }, (_, i) => i % 4);
    const down = resizeBilinear(ramp, 4, 3, 1);
    [1 / 6, 1.5, 17 / 6].forEach((x, i) => expect(down[i]).toBeCloseTo(x, 14));
    expect([...resizeBilinear(ramp, 4, 4, 1)]).toEqual([...ramp]);
  });

  it('resizes to g·round(G/g) first when g does not divide G (TreeSatAI aerial: 96 → 90, pool 6×6)', () => {
    const D = 4;
    const t = sincosTable(96, 12);
    const direct = poolToGrid(resizeBilinear(t, 96, 90, D), 90, 15, D);
    expect(poolToGrid(t, 96, 15, D)).toEqual(direct);
    expect(direct.length).toBe(15 * 15 * D);
  });
});

describe('co-located tokens of different GSDs', () => {
  // Same 80 m footprint: 'fine' at 10 m with 2 px patches (4×4 grid), 'coarse' at 20 m with 2 px patches (2×2 grid).
  const config = buildConfig('tiny', [
    { name: 'fine', bands: ['x'], patchSize: 2, imageSize: 8, gsd: 10, dates: 1 },
    { name: 'coarse', bands: ['x'], patchSize: 2, imageSize: 4, gsd: 20, dates: 1 },
  ]);
  const D = config.encoder.width - DATE_DIM;
  const fine = positionEncoding(config, config.modalities[0], config.encoder.width);
  const coarse = positionEncoding(config, config.modalities[1], config.encoder.width);

  it('a coarse token encodes the mean of the fine tokens under its footprint', () => {
    expect(config.posGrid).toBe(4);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 2; x++)
        for (let c = 0; c < D; c++) {
          let mean = 0;
          for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) mean += fine[((2 * y + dy) * 4 + 2 * x + dx) * D + c] / 4;
          expect(coarse[(y * 2 + x) * D + c]).toBeCloseTo(mean, 12);
        }
  });

  it('the nearest fine token of each coarse token lies under its footprint', () => {
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 2; x++) {
        const cv = coarse.subarray((y * 2 + x) * D, (y * 2 + x + 1) * D);
        let best = -1;
        let bestDist = Infinity;
        for (let i = 0; i < 16; i++) {
          let d = 0;
          for (let c = 0; c < D; c++) d += (cv[c] - fine[i * D + c]) ** 2;
          if (d < bestDist) [best, bestDist] = [i, d];
        }
        expect(Math.floor(Math.floor(best / 4) / 2)).toBe(y);
        expect(Math.floor((best % 4) / 2)).toBe(x);
      }
  });
});

describe('date encoding', () => {
  const ref = { year: 2020, doy: 1, hour: 0 };

  it('encodes Δ years (4×), day of year and hour in 8 channels', () => {
    const e = dateEncoding({ year: 2021, doy: 1, hour: 6 }, ref);
    expect(e.length).toBe(DATE_DIM);
    for (let i = 0; i < 4; i++) expect(e[i]).toBeCloseTo(1, 14);
    expect(e[4]).toBeCloseTo(Math.sin((2 * Math.PI) / 365.25), 14);
    expect(e[5]).toBeCloseTo(Math.cos((2 * Math.PI) / 365.25), 14);
    expect(e[6]).toBeCloseTo(1, 14); // sin(2π·6/24)
    expect(e[7]).toBeCloseTo(0, 14);
    const half = dateEncoding({ year: 2019, doy: 183.625, hour: 12 }, ref);
    expect(half[0]).toBeCloseTo(-1 + 182.625 / 365.25, 14); // signed: before the reference
    expect(half[4]).toBeCloseTo(Math.sin(2 * Math.PI * (183.625 / 365.25)), 14);
    expect(half[7]).toBeCloseTo(-1, 14); // cos(π) at noon
    expect([...dateEncoding({ year: 2021, doy: 5, hour: 3 }, ref, false)]).toEqual(new Array(DATE_DIM).fill(0));
  });

  it('builds per-sample tables relative to the reference modality', () => {
    const config = buildConfig('tiny', [
      { name: 'aerial', bands: ['r'], patchSize: 2, imageSize: 4, gsd: 1, dates: 1 },
      { name: 's2', bands: ['b'], patchSize: 1, imageSize: 2, gsd: 10, dates: 2 },
    ]);
    const batch = {
      B: 2,
      modalities: {
        aerial: { dates: [[{ year: 2020, doy: 100, hour: 0 }], [{ year: 2021, doy: 100, hour: 0 }]] },
        s2: {
          dates: [
            [
              { year: 2020, doy: 100, hour: 0 },
              { year: 2020, doy: 200, hour: 0 },
            ],
            [
              { year: 2020, doy: 100, hour: 0 },
              { year: 2022, doy: 100, hour: 0 },
            ],
          ],
        },
      },
    };
    const D = config.encoder.width;
    const [aerial, s2] = encodingTables(config, batch, D);
    expect(aerial.pos.length).toBe(4 * (D - DATE_DIM));
    expect(s2.date.length).toBe(2 * 2 * DATE_DIM);
    const delta = (b: number, t: number) => s2.date[(b * 2 + t) * DATE_DIM];
    expect(delta(0, 0)).toBeCloseTo(0, 14);
    expect(delta(0, 1)).toBeCloseTo(100 / 365.25, 12);
    expect(delta(1, 0)).toBeCloseTo(-1, 12);
    expect(delta(1, 1)).toBeCloseTo(1, 12);
    const off = encodingTables({ ...config, dateEncoding: { ...config.dateEncoding, enabled: false } }, batch, D);
    expect(off[1].date.every((v) => v === 0)).toBe(true);
    expect(() => encodingTables(config, { B: 1, modalities: { aerial: batch.modalities.aerial } }, D)).toThrow('batch has no modality "s2"');
  });
});
