/**
 * Aligned multi-modal sampling on a synthetic site whose pixels encode their own ground coordinates: a 10 m and a
 * 30 m raster over the same UTM area. Every fine pixel of a sample must lie inside the coarse pixel at the same
 * relative position (window sizes from the GSD ratio, origins on the coarse grid), under any flip/transpose, and the
 * WGS84 footprint must follow the flips. Also: deterministic validation tiles, seeded training samples, collate,
 * standardisation, and the real Sentinel-2 file sampled with the default 10 training bands.
 * Reference: method.md §2.3 (sizes[mod] = meters / GSD, crops on the gcd grid, identical flips for all modalities).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { toLonLat, crsFromEpsg, type CrsInfo } from './crs';
import { Dataset, applyFlips, permuteFootprint, validFraction } from './dataset';
import { collate, type Footprint, type Sample } from './sample';
import { bufferSource, type ByteSource } from './source';
import { writeTiff } from './testing/tiffWriter';
import { sharedDataAvailable, sharedSource } from './testing/sharedData';

const X0 = 500000;
const Y0 = 4000000;

/** A float32 raster whose bands are the pixel centre's easting − X0 and Y0 − northing. */
async function coordRaster(name: string, gsd: number, n: number, offset = 0): Promise<ByteSource> {
  const bx = Array.from({ length: n * n }, (_, i) => (i % n) * gsd + gsd / 2 + offset);
  const by = Array.from({ length: n * n }, (_, i) => Math.floor(i / n) * gsd + gsd / 2);
  const bytes = await writeTiff({ width: n, height: n, bands: [bx, by], dtype: 'float32', tile: 16, compression: 8, geo: { pixelScale: [gsd, gsd], tiepoint: [X0, Y0], epsg: 32631 } });
  return bufferSource(bytes, name);
}

let ds: Dataset;
const utm = crsFromEpsg(32631) as CrsInfo;

describe('aligned sampling across GSDs', () => {
  beforeAll(async () => {
    const sources = [await coordRaster('site/fine_20200601.tif', 10, 96), await coordRaster('site/coarse_20200601.tif', 30, 32), await coordRaster('site/coarse_20200701.tif', 30, 32, 1000)];
    ds = await Dataset.open(sources, { modalities: ['fine', 'coarse'], sampleMeters: 480, numDates: { fine: 1, coarse: 2 }, seed: 1 });
  });

  it('sizes windows from the GSD ratio', () => {
    expect(ds.warnings).toEqual([]);
    expect(ds.modalities.map((m) => [m.name, m.size, m.T, m.bands.length])).toEqual([
      ['fine', 48, 1, 2],
      ['coarse', 16, 2, 2],
    ]);
  });

  function checkAlignment(s: Sample): void {
    const f = s.modalities.fine;
    const c = s.modalities.coarse;
    expect([f.H, c.H, f.gsd, c.gsd]).toEqual([48, 16, 10, 30]);
    let maxDist = 0;
    let offGrid = 0;
    for (let t = 0; t < 2; t++) {
      for (let j = 0; j < 48; j++) {
        for (let i = 0; i < 48; i++) {
          const fx = f.data[0 * 2304 + j * 48 + i];
          const fy = f.data[1 * 2304 + j * 48 + i];
          const ci = Math.floor(i / 3);
          const cj = Math.floor(j / 3);
          const cx = c.data[(t * 2 + 0) * 256 + cj * 16 + ci] - (t === 1 ? 1000 : 0);
          const cy = c.data[(t * 2 + 1) * 256 + cj * 16 + ci];
          maxDist = Math.max(maxDist, Math.abs(fx - cx), Math.abs(fy - cy));
          // Origins on the coarse grid: coarse pixels are read whole (centres at 15 + 30·k m, no resampling).
          if ((((cx - 15) % 30) + 30) % 30 !== 0) offGrid++;
        }
      }
    }
    // The fine pixel centre lies within the coarse pixel at the same relative position (centres ≤ 10 m apart).
    expect(maxDist).toBeLessThanOrEqual(10);
    expect(offGrid).toBe(0);
    expect(f.valid.every((v) => v === 1)).toBe(true);
    expect(c.valid.every((v) => v === 1)).toBe(true);
    // The footprint's first corner is the ground corner next to data pixel (0, 0), whatever the flips.
    const x = X0 + f.data[0];
    const y = Y0 - f.data[2304];
    const p = toLonLat(utm, x, y);
    expect(Math.abs(f.footprint[0].lon - p.lon)).toBeLessThan(1e-4);
    expect(Math.abs(f.footprint[0].lat - p.lat)).toBeLessThan(1e-4);
    expect(c.footprint).toEqual(f.footprint);
    expect(c.dates.map((d) => d.doy)).toEqual([153, 183]);
  }

  it('keeps every modality on the same ground, with identical flips/transposes', async () => {
    const rng = new Rng(5);
    const seen = new Set<string>();
    for (let k = 0; k < 12; k++) {
      const s = await ds.sample(rng);
      seen.add(s.id.split(':').slice(3).join(':'));
      checkAlignment(s);
    }
    // Several flip combinations occurred.
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it('gives the same samples with and without validity tables', async () => {
    const sources = [await coordRaster('site/fine_20200601.tif', 10, 96), await coordRaster('site/coarse_20200601.tif', 30, 32), await coordRaster('site/coarse_20200701.tif', 30, 32, 1000)];
    const config = { modalities: ['fine', 'coarse'], sampleMeters: 480, numDates: { fine: 1, coarse: 1 }, seed: 1 };
    // One coarse slot for two dates: every sample picks between them.
    const tabled = await Dataset.open(sources, config);
    const plain = await Dataset.open(sources, config, { validity: null });
    const a = new Rng(8);
    const b = new Rng(8);
    for (let k = 0; k < 4; k++) {
      const x = await tabled.sample(a);
      const y = await plain.sample(b);
      expect(x.id).toBe(y.id);
      for (const m of ['fine', 'coarse']) {
        expect(Array.from(x.modalities[m].data)).toEqual(Array.from(y.modalities[m].data));
        expect(Array.from(x.modalities[m].valid)).toEqual(Array.from(y.modalities[m].valid));
      }
    }
  });

  it('is reproducible from the seed', async () => {
    const a = await ds.sample(new Rng(9));
    const b = await ds.sample(new Rng(9));
    expect(a.id).toBe(b.id);
    expect(Array.from(a.modalities.coarse.data)).toEqual(Array.from(b.modalities.coarse.data));
  });

  it('tiles the site deterministically without overlap or flips', async () => {
    expect(ds.tileCount).toBe(4);
    const tiles = ds.validationTiles();
    expect(tiles.map((t) => [t.col, t.row])).toEqual([
      [0, 0],
      [48, 0],
      [0, 48],
      [48, 48],
    ]);
    for (let i = 0; i < 4; i++) {
      const s = await ds.tile(i);
      expect(s.id).toBe(`loc0:x${tiles[i].col}:y${tiles[i].row}`);
      checkAlignment(s);
      // Unflipped: x grows along columns, y along rows.
      expect(s.modalities.fine.data[0]).toBe(tiles[i].col * 10 + 5);
      expect(s.modalities.fine.data[2304]).toBe(tiles[i].row * 10 + 5);
    }
  });

  it('batches samples with collate', async () => {
    const b = await ds.batch(new Rng(1), 3);
    expect(b.B).toBe(3);
    expect(b.modalities.coarse.data.length).toBe(3 * 2 * 2 * 16 * 16);
    expect(b.modalities.fine.footprints.length).toBe(3);
  });

  it('standardises bands with the dataset statistics when asked', async () => {
    const sources = [await coordRaster('site/fine_20200601.tif', 10, 96), await coordRaster('site/coarse_20200601.tif', 30, 32)];
    const z = await Dataset.open(sources, { modalities: ['fine', 'coarse'], sampleMeters: 960, standardize: true, seed: 2 });
    const s = await z.tile(0);
    const v = s.modalities.fine.data.subarray(0, 96 * 96);
    const mean = v.reduce((a, x) => a + x, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(Math.max(...v)).toBeLessThan(3);
  });
});

describe('windows that are mostly nodata', () => {
  it('are redrawn until at least minValidFraction of the pixels are valid', async () => {
    // 128 × 128 px, only the right-most 32 columns hold data (nodata 0 elsewhere).
    const n = 128;
    const band = Array.from({ length: n * n }, (_, i) => (i % n >= 96 ? 500 : 0));
    const bytes = await writeTiff({ width: n, height: n, bands: [band], dtype: 'uint16', tile: 32, compression: 8, nodata: '0', geo: { pixelScale: [10, 10], tiepoint: [X0, Y0], epsg: 32631 } });
    const src = bufferSource(bytes, 'sparse/edge_tile.tif');
    const strict = await Dataset.open([src], { sampleMeters: 160, seed: 1 });
    const loose = await Dataset.open([src], { sampleMeters: 160, seed: 1, minValidFraction: 0 });
    const rng = new Rng(3);
    const rng2 = new Rng(3);
    let emptyLoose = 0;
    for (let k = 0; k < 20; k++) {
      expect(validFraction(await strict.sample(rng))).toBeGreaterThanOrEqual(0.05);
      if (validFraction(await loose.sample(rng2)) === 0) emptyLoose++;
    }
    expect(emptyLoose).toBeGreaterThan(5);
  });
});

describe('refused files', () => {
  it('are reported in dataset.errors while the good files are used', async () => {
    const good = await coordRaster('site/fine_20200601.tif', 10, 96);
    const bad = bufferSource(new TextEncoder().encode('not a tiff'), 'site/readme.tif');
    const z = await Dataset.open([good, bad], { sampleMeters: 320 });
    expect(z.errors.map((e) => [e.file, e.reason])).toEqual([['site/readme.tif', 'not-tiff']]);
    expect(z.errors[0].message).toMatch(/^site\/readme\.tif: is not a TIFF file/);
    expect(z.modalities.map((m) => m.name)).toEqual(['fine']);
  });
});

describe('flip helpers', () => {
  it('applyFlips and permuteFootprint agree on where the corners go', () => {
    const S = 3;
    // (1, 1, S, S) data holding the pixel index; corners labelled 0=UL 1=UR 2=LR 3=LL.
    const data = Float32Array.from({ length: 9 }, (_, i) => i);
    const valid = new Uint8Array(9).fill(1);
    const corner = { 0: 0, 1: 2, 2: 8, 3: 6 } as Record<number, number>;
    const fp: Footprint = [0, 1, 2, 3].map((k) => ({ lon: k, lat: k })) as unknown as Footprint;
    for (const h of [false, true]) {
      for (const v of [false, true]) {
        for (const t of [false, true]) {
          const out = applyFlips(data, valid, 1, 1, S, { h, v, t }).data;
          const p = permuteFootprint(fp, { h, v, t });
          expect([out[0], out[2], out[8], out[6]]).toEqual(p.map((c) => corner[c.lon]));
        }
      }
    }
  });
});

describe.skipIf(!sharedDataAvailable())('the real Sentinel-2 file', () => {
  it('samples the 10 training bands in [4, 4, 2] group order, in reflectance', async () => {
    const src = await sharedSource('sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif');
    const s2 = await Dataset.open([src], { sampleMeters: 320 });
    expect(s2.modalities[0]).toMatchObject({ name: 's2', bands: ['B02', 'B03', 'B04', 'B08', 'B05', 'B06', 'B07', 'B8A', 'B11', 'B12'], normGroups: [4, 4, 2], size: 32, T: 1, unit: 'reflectance' });
    const s = await s2.sample(new Rng(3));
    const m = s.modalities.s2;
    expect([m.T, m.C, m.H, m.W]).toEqual([1, 10, 32, 32]);
    expect(m.dates).toEqual([{ year: 2017, doy: 47, hour: 10 }]);
    const b04 = m.data.subarray(2 * 1024, 3 * 1024);
    expect(Math.min(...b04)).toBeGreaterThan(0);
    expect(Math.max(...b04)).toBeLessThan(1);
    expect(s2.tileCount).toBe(48 * 24);
    expect(collate([s]).modalities.s2.B).toBe(1);
  });
});
