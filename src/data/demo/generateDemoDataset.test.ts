// End-to-end checks of the built-in demo dataset, read back the way the studio reads real files (geotiff.js):
// file set and names, sizes, dtypes, band counts and names, georeferencing, nodata and dates of every file;
// determinism; and physical plausibility of what the pixels say (crop phenology in NDVI, dark water in NIR, cloud
// cover in the stated range, bright clouds and dark shadows, VV above VH, bright built-up areas). The default dataset
// is generated once and its generation time is reported and loosely bounded (not a performance gate).
import { beforeAll, describe, expect, it } from 'vitest';
import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import { generateDemoDataset, S1_NODATA, type DemoFile } from './generateDemoDataset';
import { buildDemoScene, type DemoScene } from './scene';
import { DEMO_EPSG, DEMO_ORIGIN } from './acquisitions';
import { BAND, CROP_CLASSES, Crop, LandCover, NB, S2_BANDS } from './surfaces';
import { SCL } from './renderSentinel2';

type Raster = Uint8Array | Uint16Array | Float32Array;

interface Parsed {
  file: DemoFile;
  image: GeoTIFFImage;
  /** Band planes, (C) × (H·W). */
  bands: Raster[];
}

async function parse(file: DemoFile): Promise<Parsed> {
  const tiff = await fromArrayBuffer(file.bytes);
  const image = await tiff.getImage();
  const bands = (await image.readRasters()) as unknown as Raster[];
  return { file, image, bands };
}

const mean = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / Math.max(1, a.length);
};

const S2_NAME = /^S2[AB]_MSIL2A_(\d{8})T(\d{6})_N0(2|3)\d{2}_R\d{3}_T31UCP_\d{8}T\d{6}\.tif$/;
const SCL_NAME = /^T31UCP_(\d{8})T(\d{6})_SCL_10m\.tif$/;
const S1_NAME = /^S1A_IW_GRDH_1SDV_(\d{8})T(\d{6})_\d{8}T\d{6}_\d{6}_[0-9A-F]{6}_[0-9A-F]{4}_(ASCENDING|DESCENDING)_VV_VH_sigma0_dB\.tif$/;

describe('generateDemoDataset — default dataset', () => {
  let files: DemoFile[];
  let parsed: Parsed[];
  let scene: DemoScene;
  let generationMs: number;
  let s2: Parsed[];
  let scl: Parsed[];
  let s1: Parsed[];
  let aerial: Parsed;

  beforeAll(async () => {
    const t0 = performance.now();
    files = generateDemoDataset();
    generationMs = performance.now() - t0;
    parsed = await Promise.all(files.map(parse));
    scene = buildDemoScene(); // the same landscape: its 10 m land-cover truth labels the plausibility checks
    s2 = parsed.filter((p) => p.file.modality === 's2');
    scl = parsed.filter((p) => p.file.modality === 's2_scl');
    s1 = parsed.filter((p) => p.file.modality === 's1_asc' || p.file.modality === 's1_des');
    aerial = parsed.find((p) => p.file.modality === 'aerial') as Parsed;
  }, 180_000);

  it('generates in reasonable time (measured, loosely bounded: not a performance gate)', () => {
    console.log(`default demo dataset: ${files.length} files, ${(files.reduce((s, f) => s + f.bytes.byteLength, 0) / 1e6).toFixed(1)} MB in ${(generationMs / 1000).toFixed(2)} s`);
    expect(generationMs).toBeLessThan(120_000);
  });

  it('holds 12 S2 + 12 SCL, 8 ascending + 8 descending S1 and 1 aerial file, named like the real products', () => {
    expect(files).toHaveLength(41);
    expect(s2.map((p) => p.file.name).every((n) => S2_NAME.test(n))).toBe(true);
    expect(scl.map((p) => p.file.name).every((n) => SCL_NAME.test(n))).toBe(true);
    expect(s1.map((p) => p.file.name).every((n) => S1_NAME.test(n))).toBe(true);
    expect(s1.filter((p) => p.file.name.includes('_ASCENDING_'))).toHaveLength(8);
    expect(s1.filter((p) => p.file.name.includes('_DESCENDING_'))).toHaveLength(8);
    expect(aerial.file.name).toBe('aerial_RGBN_20210618_2m.tif');
    expect(new Set(files.map((f) => f.name)).size).toBe(files.length);
  });

  it('puts one Sentinel-2 date in each month and Sentinel-1 dates 48 days apart, consistent with names and DateTime', async () => {
    const months = s2.map((p) => new Date(p.file.time as string).getUTCMonth());
    expect(months).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const dir of ['ASCENDING', 'DESCENDING']) {
      const t = s1.filter((p) => p.file.name.includes(`_${dir}_`)).map((p) => Date.parse(p.file.time as string));
      for (let i = 1; i < t.length; i++) expect(Math.round((t[i] - t[i - 1]) / 86400000)).toBe(48);
    }
    for (const p of parsed) {
      const iso = p.file.time as string;
      const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
      expect(p.file.name).toContain(stamp);
      const tag = String(await p.image.getFileDirectory().loadValue('DateTime')).replace(/\0$/, '');
      expect(tag).toBe(`${iso.slice(0, 4)}:${iso.slice(5, 7)}:${iso.slice(8, 10)} ${iso.slice(11, 19)}`);
    }
  });

  it('every file parses with the right size, dtype, band count, band names and nodata', async () => {
    const expectFormat = (p: Parsed, bits: number, format: number, C: number, W: number) => {
      expect([p.image.getWidth(), p.image.getHeight(), p.image.getSamplesPerPixel()]).toEqual([W, W, C]);
      for (let b = 0; b < C; b++) {
        expect(p.image.getBitsPerSample(b)).toBe(bits);
        expect(p.image.getSampleFormat(b)).toBe(format);
      }
      expect(p.bands).toHaveLength(C);
    };
    // Sequential on purpose: geotiff.js 3.0.5 returns null to concurrent first getGDALMetadata calls on one image.
    const descriptions = async (p: Parsed) => {
      const out: unknown[] = [];
      for (let b = 0; b < p.image.getSamplesPerPixel(); b++) out.push((await p.image.getGDALMetadata(b))?.DESCRIPTION);
      return out;
    };
    for (const p of s2) {
      expectFormat(p, 16, 1, 10, 256);
      expect(p.bands[0]).toBeInstanceOf(Uint16Array);
      expect(await descriptions(p)).toEqual([...S2_BANDS]);
      expect(p.image.getGDALNoData()).toBe(0);
      const md = (await p.image.getGDALMetadata(null)) as Record<string, string>;
      expect(md.PRODUCT_TYPE).toBe('S2MSI2A');
      expect(md.BOA_ADD_OFFSET).toBe('0');
      expect(Number(md.PROCESSING_BASELINE)).toBeLessThan(4);
      expect(md.SYNTHETIC).toMatch(/not a real acquisition/);
    }
    for (const p of scl) {
      expectFormat(p, 8, 1, 1, 256);
      expect(await descriptions(p)).toEqual(['SCL']);
      expect(p.image.getGDALNoData()).toBe(0);
    }
    for (const p of s1) {
      expectFormat(p, 32, 3, 2, 256);
      expect(p.bands[0]).toBeInstanceOf(Float32Array);
      expect(await descriptions(p)).toEqual(['VV', 'VH']);
      expect(p.image.getGDALNoData()).toBe(S1_NODATA);
      const md = (await p.image.getGDALMetadata(null)) as Record<string, string>;
      expect(md.ORBIT_DIRECTION).toBe(p.file.name.includes('_ASCENDING_') ? 'ASCENDING' : 'DESCENDING');
      expect(md.UNITS).toBe('dB');
      for (const band of p.bands) for (let i = 0; i < band.length; i++) if (!Number.isFinite(band[i]) || band[i] === S1_NODATA) throw new Error(`${p.file.name}: invalid σ⁰ ${band[i]}`);
    }
    expectFormat(aerial, 8, 1, 4, 1280);
    expect(await descriptions(aerial)).toEqual(['Red', 'Green', 'Blue', 'NIR']);
    expect(aerial.image.getGDALNoData()).toBe(0);
    for (const band of aerial.bands) {
      let min = 255;
      for (let i = 0; i < band.length; i++) min = Math.min(min, band[i]);
      expect(min).toBeGreaterThanOrEqual(1);
    }
  });

  it('georeferences every file in WGS 84 / UTM 31N over the same 2.56 km square', async () => {
    for (const p of parsed) {
      const keys = p.image.getGeoKeys();
      expect(keys?.ProjectedCSTypeGeoKey).toBe(DEMO_EPSG);
      expect(keys?.GTModelTypeGeoKey).toBe(1);
      expect(keys?.GTRasterTypeGeoKey).toBe(1);
      const gsd = p.file.modality === 'aerial' ? 2 : 10;
      expect(Array.from(p.image.getFileDirectory().getValue('ModelPixelScale') as ArrayLike<number>)).toEqual([gsd, gsd, 0]);
      expect(await p.image.getTiePoints()).toEqual([{ i: 0, j: 0, k: 0, x: DEMO_ORIGIN.x, y: DEMO_ORIGIN.y, z: 0 }]);
      expect(p.image.getBoundingBox()).toEqual([DEMO_ORIGIN.x, DEMO_ORIGIN.y - 2560, DEMO_ORIGIN.x + 2560, DEMO_ORIGIN.y]);
    }
    // The area sits near Bonneval (Eure-et-Loir): 48.18° N, 1.39° E.
    expect(scene.centre.lat).toBeCloseTo(48.17, 1);
    expect(scene.centre.lon).toBeCloseTo(1.39, 1);
  });

  it('marks nodata consistently: only the swath-edge date has DN 0, exactly where SCL is 0', () => {
    s2.forEach((p, t) => {
      let nodata = 0;
      let inconsistent = 0;
      for (let i = 0; i < p.bands[0].length; i++) {
        const zero = p.bands[0][i] === 0;
        if (zero) nodata++;
        for (let b = 1; b < NB; b++) if ((p.bands[b][i] === 0) !== zero) inconsistent++;
        if ((scl[t].bands[0][i] === SCL.NoData) !== zero) inconsistent++;
      }
      expect(inconsistent).toBe(0);
      const frac = nodata / p.bands[0].length;
      if (p.file.name.includes('_R094_')) {
        expect(frac).toBeGreaterThan(0.2);
        expect(frac).toBeLessThan(0.35);
      } else expect(frac).toBe(0);
    });
  });

  /** Pixels of one land-cover class, pure at 10 m (no mixed edge pixels). */
  const pure = (cls: readonly number[]) => {
    const out: number[] = [];
    for (let p = 0; p < scene.mix.labels.length; p++) if (scene.mix.purity[p] === 1 && cls.includes(scene.mix.labels[p])) out.push(p);
    return out;
  };
  const clearOf = (t: number, pixels: number[]) => pixels.filter((p) => scl[t].bands[0][p] === SCL.Vegetation || scl[t].bands[0][p] === SCL.NotVegetated || scl[t].bands[0][p] === SCL.Water);
  const ndvi = (t: number, pixels: number[]) => mean(clearOf(t, pixels).map((p) => (s2[t].bands[BAND.B08][p] - s2[t].bands[BAND.B04][p]) / (s2[t].bands[BAND.B08][p] + s2[t].bands[BAND.B04][p])));

  it('shows crop phenology: field NDVI is higher in summer than in winter, per crop as its calendar says', () => {
    const fields = pure(CROP_CLASSES);
    const summer = Math.max(...[4, 5, 6, 7].map((t) => ndvi(t, fields)));
    const winter = [0, 1, 11].map((t) => ndvi(t, fields));
    for (const w of winter) expect(summer).toBeGreaterThan(w + 0.1);
    // Winter wheat peaks in May, maize in August, both far above their bare / tillering stages.
    expect(ndvi(4, pure([Crop.WinterWheat]))).toBeGreaterThan(ndvi(0, pure([Crop.WinterWheat])) + 0.2);
    expect(ndvi(7, pure([Crop.Maize]))).toBeGreaterThan(ndvi(3, pure([Crop.Maize])) + 0.35);
    // Harvested wheat (August) is back near bare soil while maize is at its peak.
    expect(ndvi(7, pure([Crop.WinterWheat]))).toBeLessThan(ndvi(7, pure([Crop.Maize])) - 0.2);
    // Deciduous forest: leaf-off in winter, leaf-on in summer; coniferous forest evergreen.
    expect(ndvi(6, pure([LandCover.DeciduousForest]))).toBeGreaterThan(0.7);
    expect(ndvi(6, pure([LandCover.DeciduousForest]))).toBeGreaterThan(ndvi(0, pure([LandCover.DeciduousForest])) + 0.25);
    expect(ndvi(0, pure([LandCover.ConiferousForest]))).toBeGreaterThan(0.65);
  });

  it('keeps open water dark in NIR (< 0.05 reflectance) and SWIR on clear dates', () => {
    // Interior water: pure, with pure-water neighbours, so the 20 m bands' 2×2 blocks hold no shore either.
    const isWater = (i: number, j: number) => i >= 0 && j >= 0 && i < 256 && j < 256 && scene.mix.purity[j * 256 + i] === 1 && scene.mix.labels[j * 256 + i] === LandCover.Water;
    const water = pure([LandCover.Water]).filter((p) => {
      const [i, j] = [p % 256, Math.floor(p / 256)];
      for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) if (!isWater(i + di, j + dj)) return false;
      return true;
    });
    expect(water.length).toBeGreaterThan(30);
    // Dates with little cloud and at least 30 unmasked interior water pixels (thin cirrus may veil the lakes).
    const clearDates = s2.map((_, t) => t).filter((t) => Number(s2[t].file.info.cloudPct) < 2 && clearOf(t, water).length >= 30);
    expect(clearDates.length).toBeGreaterThanOrEqual(2);
    for (const t of clearDates) {
      const nir = clearOf(t, water).map((p) => s2[t].bands[BAND.B08][p] / 10000).sort((a, b) => a - b);
      expect(nir[Math.floor(nir.length * 0.5)]).toBeLessThan(0.03);
      expect(nir[Math.floor(nir.length * 0.95)]).toBeLessThan(0.05);
      expect(mean(clearOf(t, water).map((p) => s2[t].bands[BAND.B11][p] / 10000))).toBeLessThan(0.03);
    }
  });

  it('has cloud cover within the stated range: mean 12–28 %, ≥ 3 nearly clear dates (< 2 %), one date > 40 %', () => {
    const cover = scl.map((p) => {
      let cloud = 0;
      let valid = 0;
      for (const v of p.bands[0]) {
        if (v === SCL.NoData) continue;
        valid++;
        if (v === SCL.CloudMedium || v === SCL.CloudHigh) cloud++;
      }
      return cloud / valid;
    });
    expect(mean(cover)).toBeGreaterThan(0.12);
    expect(mean(cover)).toBeLessThan(0.28);
    expect(cover.filter((c) => c < 0.02).length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...cover)).toBeGreaterThan(0.4);
    // The reported cloud percentage is what the mask says.
    cover.forEach((c, t) => expect(Number(scl[t].file.info.cloudPct)).toBeCloseTo(100 * c, 1));
  });

  it('renders bright clouds and dark cloud shadows', () => {
    for (let t = 0; t < 12; t++) {
      const m = scl[t].bands[0];
      const high: number[] = [];
      const shadow: number[] = [];
      const clear: number[] = [];
      for (let p = 0; p < m.length; p++) {
        if (m[p] === SCL.CloudHigh) high.push(p);
        else if (m[p] === SCL.CloudShadow) shadow.push(p);
        else if (m[p] === SCL.Vegetation || m[p] === SCL.NotVegetated) clear.push(p);
      }
      if (high.length > 100) expect(mean(high.map((p) => s2[t].bands[BAND.B02][p] / 10000))).toBeGreaterThan(0.35);
      if (shadow.length > 100) expect(mean(shadow.map((p) => s2[t].bands[BAND.B08][p]))).toBeLessThan(0.75 * mean(clear.map((p) => s2[t].bands[BAND.B08][p])));
    }
  });

  it('replicates each 20 m band over 2×2 blocks, as a 20 m band resampled to 10 m', () => {
    const p = s2[6]; // a clear July date
    for (const b of [3, 4, 5, 7, 8, 9]) {
      const v = p.bands[b];
      for (let j = 0; j < 256; j += 2) for (let i = 0; i < 256; i += 2) {
        const a = v[j * 256 + i];
        if (v[j * 256 + i + 1] !== a || v[(j + 1) * 256 + i] !== a || v[(j + 1) * 256 + i + 1] !== a) throw new Error(`band ${S2_BANDS[b]} differs inside block (${i}, ${j})`);
      }
    }
    // 10 m bands do vary inside blocks.
    const b04 = p.bands[BAND.B04];
    let differ = 0;
    for (let j = 0; j < 256; j += 2) for (let i = 0; i < 256; i += 2) if (b04[j * 256 + i] !== b04[j * 256 + i + 1]) differ++;
    expect(differ).toBeGreaterThan(1000);
  });

  it('gives Sentinel-1 VV above VH, dark water, bright built-up areas and the wheat spring VV drop', () => {
    const water = pure([LandCover.Water]);
    const built = pure([LandCover.Building]);
    const fields = pure(CROP_CLASSES);
    const wheat = pure([Crop.WinterWheat]);
    for (const p of s1) {
      const [vv, vh] = p.bands;
      expect(mean(vv) - mean(vh)).toBeGreaterThan(4);
      expect(mean(vv)).toBeGreaterThan(-16);
      expect(mean(vv)).toBeLessThan(-7);
      expect(mean(water.map((q) => vv[q]))).toBeLessThan(mean(fields.map((q) => vv[q])) - 2);
      expect(mean(built.map((q) => vv[q]))).toBeGreaterThan(mean(fields.map((q) => vv[q])) + 5);
    }
    const asc = s1.filter((p) => p.file.modality === 's1_asc');
    const wheatVv = (p: Parsed) => mean(wheat.map((q) => p.bands[0][q]));
    // 21 Feb (tillering) vs 28 May (stems elongated): vertical stems attenuate VV.
    expect(wheatVv(asc[3])).toBeLessThan(wheatVv(asc[1]) - 1);
  });

  it('gives Sentinel-1 speckle the equivalent number of looks of IW GRDH (≈ 4.4) over homogeneous forest', () => {
    // Interior coniferous forest (pure in a 5×5 neighbourhood): constant σ⁰, so mean² / variance of linear σ⁰ is the ENL.
    const isConifer = (i: number, j: number) => i >= 0 && j >= 0 && i < 256 && j < 256 && scene.mix.purity[j * 256 + i] === 1 && scene.mix.labels[j * 256 + i] === LandCover.ConiferousForest;
    const interior = pure([LandCover.ConiferousForest]).filter((p) => {
      const [i, j] = [p % 256, Math.floor(p / 256)];
      for (let dj = -2; dj <= 2; dj++) for (let di = -2; di <= 2; di++) if (!isConifer(i + di, j + dj)) return false;
      return true;
    });
    expect(interior.length).toBeGreaterThan(200);
    const enl: number[] = [];
    for (const p of s1) {
      for (const band of p.bands) {
        const lin = interior.map((q) => 10 ** (band[q] / 10));
        const m = mean(lin);
        enl.push((m * m) / mean(lin.map((v) => (v - m) ** 2)));
      }
    }
    expect(mean(enl)).toBeGreaterThan(3.8);
    expect(mean(enl)).toBeLessThan(5);
  });

  it('renders the aerial image with vegetation bright in NIR, dark water and bright roofs', () => {
    const np = 1280 * 1280;
    const classes = scene.fine.classes;
    const perClass = (cls: number, band: number) => {
      let s = 0;
      let c = 0;
      for (let p = 0; p < np; p++) if (classes[p] === cls) {
        s += aerial.bands[band][p];
        c++;
      }
      return s / c;
    };
    const [R, , , NIR] = [0, 1, 2, 3];
    expect(perClass(LandCover.DeciduousForest, NIR)).toBeGreaterThan(2.5 * perClass(LandCover.DeciduousForest, R));
    expect(perClass(LandCover.Water, NIR)).toBeLessThan(40);
    expect(perClass(LandCover.Building, R)).toBeGreaterThan(perClass(LandCover.Grassland, R) + 20);
  });
});

describe('generateDemoDataset — options and determinism', () => {
  it('gives byte-identical files for the same options and different ones for another seed', () => {
    const opts = { seed: 42, size: 48, aerialGsd: 5 };
    const a = generateDemoDataset(opts);
    const b = generateDemoDataset(opts);
    const c = generateDemoDataset({ ...opts, seed: 43 });
    const same = (x: ArrayBuffer, y: ArrayBuffer) => {
      if (x.byteLength !== y.byteLength) return false;
      const [u, v] = [new Uint8Array(x), new Uint8Array(y)];
      for (let k = 0; k < u.length; k++) if (u[k] !== v[k]) return false;
      return true;
    };
    expect(a.map((f) => f.name)).toEqual(b.map((f) => f.name));
    expect(a.filter((f, i) => !same(f.bytes, b[i].bytes)).map((f) => f.name)).toEqual([]);
    // Another seed changes every file's pixels (names share the fixed calendar but not the product ids).
    expect(a.filter((f, i) => same(f.bytes, c[i].bytes)).map((f) => f.name)).toEqual([]);
  }, 120_000);

  it('honours size, aerial GSD, --no-scl and the land-cover option', async () => {
    const files = generateDemoDataset({ seed: 5, size: 40, aerialGsd: 2.5, scl: false, landcover: true });
    expect(files.filter((f) => f.modality === 's2_scl')).toHaveLength(0);
    expect(files).toHaveLength(12 + 16 + 1 + 1);
    const aerialFile = files.find((f) => f.modality === 'aerial') as DemoFile;
    expect(aerialFile.name).toBe('aerial_RGBN_20210618_2p5m.tif');
    const aerialImage = await (await fromArrayBuffer(aerialFile.bytes)).getImage();
    expect([aerialImage.getWidth(), aerialImage.getHeight()]).toEqual([160, 160]);
    const lc = await parse(files.find((f) => f.modality === 'landcover') as DemoFile);
    expect([lc.image.getWidth(), lc.image.getSamplesPerPixel(), lc.image.getBitsPerSample(0)]).toEqual([40, 1, 8]);
    const md = (await lc.image.getGDALMetadata(null)) as Record<string, string>;
    expect(md.CLASS_1).toBe('winter wheat');
    // The land-cover raster is the scene's 10 m truth.
    expect(Array.from(lc.bands[0])).toEqual(Array.from(buildDemoScene({ seed: 5, size: 40, aerialGsd: 2.5 }).mix.labels));
  }, 60_000);

  it('reports progress once per file and rejects invalid options with a clear message', () => {
    const seen: string[] = [];
    const files = generateDemoDataset({ size: 32, aerialGsd: 10, onProgress: (done, total, name) => seen.push(`${done}/${total} ${name}`) });
    expect(seen).toEqual(files.map((f, i) => `${i + 1}/${files.length} ${f.name}`));
    expect(() => generateDemoDataset({ size: 20 })).toThrow(/size must be an integer in \[32, 1024\]/);
    expect(() => generateDemoDataset({ aerialGsd: 3 })).toThrow(/aerialGsd must be one of 1, 2, 2.5, 5, 10/);
    expect(() => generateDemoDataset({ seed: 1.5 })).toThrow(/seed must be an integer/);
  }, 60_000);
});
