// Geographic encoding (A²-MAE-style, method.md §7.3, our design): feature widths and layout, continuity (every band is
// Lipschitz in ground distance), the antimeridian and the poles, GSD features without aliasing, the float64 reference
// of the learned map and its gradient, GSD-aware ground positions, and the parameter layout / estimate additions.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { matmulRef } from '../kernels/matmul.ref';
import { buildConfig, type MaeConfig } from './config';
import { encodingTables, groundPositionEncoding, poolToGrid, positionEncoding, sincosTable } from './encodings';
import { estimateModel } from './estimate';
import { GEO_FREQUENCIES, geoFeatureMatrices, geoFeatureWidth, geoWavelengths, tokenCentres, tokenGeoFeatures } from './geo';
import { geoMapBackwardRef, geoMapForwardRef } from './geo.ref';
import { EARTH_RADIUS_M, chord, lonLatOf, unitVector, type Vec3 } from './geoSphere';
import { buildParamLayout, flatViews, initParams, paramEntry } from './params';
import { imageSetBatch, squareFootprint, twoSourceConfig, twoSourceStatsConfig } from './testing/imageSets';
import { treesatLike } from './testing/configs';

const feats = (lon: number, lat: number, gsd = 10) => tokenGeoFeatures('full', unitVector({ lon, lat }), gsd);

/** Largest |Δ| of the position features in band k (6 values: 3 components × sin/cos). */
function bandDiff(a: Float64Array, b: Float64Array, k: number): number {
  let m = 0;
  for (let i = 6 * k; i < 6 * k + 6; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const omega = Array.from(geoWavelengths(), (l) => (2 * Math.PI * EARTH_RADIUS_M) / l);

/** Every band within its Lipschitz bound ω_k·|p − q|. */
function expectLipschitz(p: Vec3, q: Vec3) {
  const fp = tokenGeoFeatures('full', p, 10);
  const fq = tokenGeoFeatures('full', q, 10);
  const d = chord(p, q);
  for (let k = 0; k < GEO_FREQUENCIES; k++) expect(bandDiff(fp, fq, k)).toBeLessThanOrEqual(omega[k] * d * (1 + 1e-9) + 1e-12);
}

describe('geo features', () => {
  it('has the documented widths and wavelengths', () => {
    expect([geoFeatureWidth('off'), geoFeatureWidth('gsd'), geoFeatureWidth('full'), geoFeatureWidth(undefined)]).toEqual([0, 8, 56, 0]);
    const l = geoWavelengths();
    expect(l[0]).toBeCloseTo(1e3, 6);
    expect(l[GEO_FREQUENCIES - 1]).toBeCloseTo(1e7, 0);
    for (let k = 1; k < l.length; k++) expect(l[k] / l[k - 1]).toBeCloseTo(Math.pow(10, 4 / 7), 9);
    const f = feats(2.35, 48.85);
    expect(f.length).toBe(56);
    expect(f.every((x) => Math.abs(x) <= 1)).toBe(true);
    expect(tokenGeoFeatures('gsd', null, 10)).toEqual(f.subarray(48));
  });

  it('is continuous: every band moves at most 2π·d/λ_k for points d metres apart', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const p = unitVector({ lon: -180 + 360 * rng.uniform(), lat: -89 + 178 * rng.uniform() });
      const step = (1 + 5000 * rng.uniform()) / EARTH_RADIUS_M;
      const dir = unitVector({ lon: 360 * rng.uniform(), lat: -90 + 180 * rng.uniform() });
      const q: Vec3 = [p[0] + step * dir[0], p[1] + step * dir[1], p[2] + step * dir[2]];
      const n = Math.hypot(...q);
      expectLipschitz(p, [q[0] / n, q[1] / n, q[2] / n]);
    }
    // Neighbouring 20 m tokens: the bands of 10 km and more differ by < 0.013.
    const a = feats(10, 45);
    const b = feats(10 + 20 / (EARTH_RADIUS_M * Math.cos((45 * Math.PI) / 180)) * (180 / Math.PI), 45);
    for (let k = 0; k < GEO_FREQUENCIES; k++) if (geoWavelengths()[k] >= 1e4) expect(bandDiff(a, b, k)).toBeLessThan(0.013);
    // Far-apart places do differ.
    expect(bandDiff(feats(10, 45), feats(12, 45), GEO_FREQUENCIES - 3)).toBeGreaterThan(0.1);
  });

  it('has no seam at the antimeridian', () => {
    const east = feats(179.99, 0);
    const west = feats(-179.99, 0);
    const greenwichE = feats(0.01, 0);
    const greenwichW = feats(-0.01, 0);
    expectLipschitz(unitVector({ lon: 179.99, lat: 0 }), unitVector({ lon: -179.99, lat: 0 }));
    for (let k = 0; k < GEO_FREQUENCIES; k++)
      if (geoWavelengths()[k] >= 1e5) {
        // 2.2 km apart, exactly like two points straddling Greenwich.
        expect(bandDiff(east, west, k)).toBeLessThan(0.15);
        expect(Math.abs(bandDiff(east, west, k) - bandDiff(greenwichE, greenwichW, k))).toBeLessThan(0.15);
      }
    // A footprint across the antimeridian: token centres stay by ±180°, not at 0°.
    const m = twoSourceConfig().modalities[0];
    for (const p of tokenCentres(m, squareFootprint({ lon: 180, lat: 10 }, 120))) expect(Math.abs(lonLatOf(p).lon)).toBeGreaterThan(179.99);
  });

  it('is finite and continuous at the poles', () => {
    const pole = feats(0, 90);
    for (const lon of [90, -135, 180]) expect(Math.max(...feats(lon, 90).map((x, i) => Math.abs(x - pole[i])))).toBeLessThan(1e-9);
    expectLipschitz(unitVector({ lon: 37, lat: 89.9999 }), unitVector({ lon: 0, lat: 90 }));
    // A footprint around the North Pole.
    const fp = [
      { lon: -45, lat: 89.999 },
      { lon: 45, lat: 89.999 },
      { lon: 135, lat: 89.999 },
      { lon: -135, lat: 89.999 },
    ] as const;
    const m = twoSourceConfig().modalities[0];
    for (const p of tokenCentres(m, fp)) {
      expect(lonLatOf(p).lat).toBeGreaterThan(89.998);
      expect(tokenGeoFeatures('full', p, 10).every(Number.isFinite)).toBe(true);
    }
  });

  it('separates GSDs from 1 cm to 1 km, including the pair a single sin/cos of log2 GSD would alias', () => {
    const g = (x: number) => tokenGeoFeatures('gsd', null, x);
    const dist = (a: Float64Array, b: Float64Array) => Math.hypot(...a.map((x, i) => x - b[i]));
    const ladder = Array.from({ length: 200 }, (_, i) => 0.01 * Math.pow(1e5, i / 199)); // 6 % steps
    for (let i = 0; i < ladder.length; i++)
      for (let j = i + 1; j < ladder.length; j++) expect(dist(g(ladder[i]), g(ladder[j]))).toBeGreaterThan(0.02);
    expect(dist(g(0.2), g(0.2 * 2 ** (2 * Math.PI)))).toBeGreaterThan(0.5);
  });

  it('lays out one feature matrix per group; every (token group, date) of a location shares its row', () => {
    const config = twoSourceConfig();
    const batch = imageSetBatch(config, 2, 3);
    const [s2, landsat] = geoFeatureMatrices(config, batch);
    expect(s2.length).toBe(2 * 72 * 56);
    expect(landsat.length).toBe(2 * 4 * 56);
    const row = (a: Float64Array, r: number) => Array.from(a.subarray(r * 56, (r + 1) * 56));
    for (let b = 0; b < 2; b++)
      for (let l = 0; l < 36; l++) {
        expect(row(s2, b * 72 + 36 + l)).toEqual(row(s2, b * 72 + l)); // date 1 = date 0
        const centre = tokenCentres(config.modalities[0], batch.modalities.s2.footprints[b])[l];
        expect(row(s2, b * 72 + l)).toEqual(Array.from(tokenGeoFeatures('full', centre, 10)));
      }
    expect(row(s2, 0)).not.toEqual(row(s2, 1));
    // 'gsd': constant per modality; 'off': empty.
    const gsdOnly = geoFeatureMatrices({ ...config, geoEncoding: 'gsd' }, batch);
    expect(row(gsdOnly[0].subarray(0, 8 * 72), 0).slice(0, 8)).toEqual(Array.from(gsdOnly[0].subarray(8 * 71, 8 * 72)));
    expect(Array.from(gsdOnly[1].subarray(0, 8))).not.toEqual(Array.from(gsdOnly[0].subarray(0, 8)));
    expect(geoFeatureMatrices({ ...config, geoEncoding: 'off' }, batch).map((a) => a.length)).toEqual([0, 0]);
    expect(() => geoFeatureMatrices(config, { B: 2, modalities: {} })).toThrow(/needs the footprint of modality "s2"/);
  });
});

describe('geo map reference (Y = Φ·W, dW = Φᵀ·dY)', () => {
  it('equals a matmul and passes gradient checks (random directions and the full Jacobian)', () => {
    const rng = new Rng(5);
    const d = { R: 7, F: 5, D: 3 };
    const phi = rng.normalArray(d.R * d.F);
    const w = rng.normalArray(d.F * d.D);
    const y = geoMapForwardRef(phi, w, d);
    const ref = matmulRef(phi, w, { M: d.R, N: d.D, K: d.F });
    y.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
    const res = gradCheck(
      {
        inputs: [phi, w],
        forward: ([p, ww]) => geoMapForwardRef(p, ww, d),
        backward: ([p], dOut) => [null, geoMapBackwardRef(p, dOut, d)],
        fullJacobian: true,
      },
      1e-7,
    );
    expect(res.ok, res.details.join('\n')).toBe(true);
    expect(() => geoMapForwardRef(phi, w, { ...d, F: 4 })).toThrow(/geo features has 35 values, expected 28/);
  });
});

describe('ground positions (positions: "ground")', () => {
  const config: MaeConfig = twoSourceStatsConfig(1, { positions: 'ground' });

  it('gives co-centred tokens of different GSDs the same encoding', () => {
    const D = 24;
    const s2 = groundPositionEncoding(config, config.modalities[0], D); // 12×12 tokens of 20 m
    const l = groundPositionEncoding(config, config.modalities[1], D); // 4×4 tokens of 60 m
    const DP = D - 8;
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        const a = l.subarray((y * 4 + x) * DP, (y * 4 + x + 1) * DP);
        const b = s2.subarray(((3 * y + 1) * 12 + 3 * x + 1) * DP, ((3 * y + 1) * 12 + 3 * x + 2) * DP);
        a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));
      }
    // Neighbouring 20 m tokens are one ground unit apart: the first frequency (ω = 1) advances by 1 radian.
    expect(Math.atan2(s2[1 * DP], s2[1 * DP + 4]) - Math.atan2(s2[0], s2[4])).toBeCloseTo(1, 12);
  });

  it('replaces the pooled table in encodingTables and positionEncoding; pooled stays the default', () => {
    const batch = imageSetBatch(config, 1, 2);
    const t = encodingTables(config, batch, 24);
    expect(Array.from(t[1].pos)).toEqual(Array.from(groundPositionEncoding(config, config.modalities[1], 24)));
    expect(Array.from(positionEncoding(config, config.modalities[1], 24))).toEqual(Array.from(t[1].pos));
    const pooled = { ...config, positions: undefined };
    expect(Array.from(encodingTables(pooled, batch, 24)[1].pos)).toEqual(Array.from(poolToGrid(sincosTable(config.posGrid, 24), config.posGrid, 4, 16)));
  });
});

describe('geo parameters and estimate', () => {
  it('appends zero-initialised maps (Fg, E) and (Fg, Dd) without moving any other tensor', () => {
    const off = buildParamLayout(twoSourceConfig({ geoEncoding: 'off' }));
    const full = buildParamLayout(twoSourceConfig());
    expect(full.entries.slice(0, off.entries.length)).toEqual(off.entries);
    expect(full.entries.slice(off.entries.length).map((e) => [e.name, e.shape, e.decay, e.torch])).toEqual([
      ['geo.enc.w', [56, 16], true, null],
      ['geo.dec.w', [56, 12], true, null],
    ]);
    const gsd = buildParamLayout(twoSourceConfig({ geoEncoding: 'gsd' }));
    expect(paramEntry(gsd, 'geo.enc.w').shape).toEqual([8, 16]);
    const flat = initParams(full, 3);
    const e = paramEntry(full, 'geo.dec.w');
    expect(flat.subarray(e.offset, e.offset + e.size).every((x) => x === 0)).toBe(true);
    const views = flatViews(twoSourceConfig(), full, Float64Array.from(flat));
    expect(views.geo!.enc.length).toBe(56 * 16);
    expect(flatViews(twoSourceConfig({ geoEncoding: 'off' }), off, new Float64Array(off.size)).geo).toBeNull();
  });

  it('counts the geo matmuls and features in the estimate', () => {
    const base = buildConfig('tiny', treesatLike);
    const a = estimateModel(base, 2);
    const b = estimateModel({ ...base, geoEncoding: 'full' }, 2);
    const N = 225 + 144 + 72;
    expect(b.flops.forward - a.flops.forward).toBe(2 * 2 * N * 56 * (128 + 128));
    expect(b.bytes.activations - a.bytes.activations).toBe(4 * 2 * N * 56);
    expect(b.params - a.params).toBe(56 * 128 * 2);
  });
});
