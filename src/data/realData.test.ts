/**
 * The pipeline against every real GeoTIFF in ../shared/data: sizes, georeferencing (footprints against values
 * computed from the files' tie points), band names, dates, sensible statistics, the all-nodata refusal, the
 * location × modality × date grouping, windowed reads that stay near the window's size, and the per-band Sentinel-2
 * files stacked onto 10 m equal to the 13-band file (made with GDAL bilinear) within its integer rounding.
 * Reference: /work/shared/data/README.md; data.md §1.8 (getResolution sign), §3.1–§3.8.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog, type Catalog } from './catalog';
import { GeoImage } from './image';
import { inspectFiles, openAndInspect } from './inspect';
import { DecodeCache, RasterFile, newIoStats } from './raster';
import type { FileRecord, InspectRecord } from './record';
import { identityScaling } from './scaling';
import { listSharedFiles, sharedDataAvailable, sharedSource } from './testing/sharedData';
import { countingSource, newByteCounter } from './source';
import { monthDay } from './dates';

const S2_STACK = 'sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif';

/** Expected facts per file, from /work/shared/data/README.md and the files' own tags. */
interface Expect {
  w: number;
  h: number;
  bands: string[];
  dtype: string;
  epsg: number;
  gsd: number;
  /** Upper-left corner in the file CRS (from ModelTiepoint / ModelTransformation). */
  ul: [number, number];
  /** Upper-left corner in WGS84 (lon, lat), to 1e-3°. */
  ulLonLat: [number, number];
  sensor: string;
  modality: string;
  date: string | null;
  nodata: number | null;
}

const S2_NAMES = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];

const EXPECTED: Record<string, Expect> = {
  [S2_STACK]: { w: 1536, h: 768, bands: S2_NAMES, dtype: 'uint16', epsg: 32633, gsd: 10, ul: [330000, 5822040], ulLonLat: [12.4942, 52.5219], sensor: 'sentinel-2', modality: 's2', date: '2017-02-16T10h', nodata: 0 },
  'rasterio/RGB.byte.tif': { w: 791, h: 718, bands: ['red', 'green', 'blue'], dtype: 'uint8', epsg: 32618, gsd: 300.04, ul: [101985, 2826915], ulLonLat: [-78.9586, 25.5061], sensor: 'generic', modality: 'rgb', date: null, nodata: 0 },
  'rasterio/shade.tif': { w: 1024, h: 1024, bands: ['band1'], dtype: 'uint8', epsg: 3857, gsd: 9.5546 * Math.cos((39.6 * Math.PI) / 180), ul: [-11858134.8184, 4813698.2926], ulLonLat: [-106.5234, 39.6395], sensor: 'generic', modality: 'shade', date: null, nodata: 255 },
  'rasterio/byte.tif': { w: 20, h: 20, bands: ['band1'], dtype: 'uint8', epsg: 26711, gsd: 60, ul: [440720, 3751320], ulLonLat: [-117.642, 33.9024], sensor: 'generic', modality: 'byte', date: null, nodata: null },
  'rasterio/RGBA.uint16.tif': { w: 634, h: 411, bands: ['blue', 'green', 'red'], dtype: 'uint16', epsg: 32612, gsd: 1.3797, ul: [733268.98, 4078301.24], ulLonLat: [-108.3846, 36.8218], sensor: 'aerial', modality: 'aerial', date: null, nodata: null },
};
for (const y of [1985, 1990, 1995, 2000, 2005, 2010, 2015, 2020]) {
  EXPECTED[`landsat-peru-8dates/${y}.tif`] = {
    w: 697,
    h: 377,
    bands: ['band1', 'band2', 'band3', 'band4'],
    dtype: 'uint8',
    epsg: 4326,
    gsd: 89.2,
    ul: [-74.72249415376068, -8.282107593468341],
    ulLonLat: [-74.7225, -8.2821],
    sensor: 'landsat',
    modality: 'landsat',
    date: `${y}`,
    nodata: 0,
  };
}
const PER_BAND_SIZE: Record<string, [number, number]> = { 10: [1536, 768], 20: [768, 384], 60: [256, 128] };
for (const b of S2_NAMES) {
  const gsd = b === 'B01' || b === 'B09' || b === 'B10' ? 60 : ['B02', 'B03', 'B04', 'B08'].includes(b) ? 10 : 20;
  EXPECTED[`sentinel2-l1c-T33UUU-20170216/per-band/T33UUU_20170216T102101_${b}.tif`] = {
    w: PER_BAND_SIZE[gsd][0],
    h: PER_BAND_SIZE[gsd][1],
    bands: [b],
    dtype: 'uint16',
    epsg: 32633,
    gsd,
    ul: [330000, 5822040],
    ulLonLat: [12.4942, 52.5219],
    sensor: 'sentinel-2',
    modality: 's2',
    date: '2017-02-16T10h',
    nodata: 0,
  };
}

const available = sharedDataAvailable();
const d = describe.skipIf(!available);

let records: InspectRecord[] = [];
let byPath = new Map<string, InspectRecord>();
let catalog: Catalog;

d('every real file in ../shared/data', () => {
  beforeAll(async () => {
    const files = listSharedFiles();
    const sources = await Promise.all(files.map(sharedSource));
    records = await inspectFiles(sources, { concurrency: 4 });
    byPath = new Map(records.map((r) => [r.path, r]));
    catalog = buildCatalog(records);
  }, 120_000);

  it('finds all 447 files and refuses only all-nodata.tif', () => {
    expect(records.length).toBe(447);
    const failed = records.filter((r) => !r.ok);
    expect(failed.map((r) => r.path)).toEqual(['rasterio/all-nodata.tif']);
    const f = failed[0];
    expect(f.ok).toBe(false);
    if (!f.ok) {
      expect(f.reason).toBe('all-nodata');
      expect(f.error).toMatch(/^rasterio\/all-nodata\.tif: has no valid pixel: every one of the 175725 pixels in all 4 bands equals the nodata value 0/);
    }
  });

  it('reads size, bands, dtype, CRS, GSD, footprint, date and nodata of the non-Landsat-series files', () => {
    for (const [path, e] of Object.entries(EXPECTED)) {
      const r = byPath.get(path) as FileRecord;
      expect(r, path).toBeDefined();
      expect(r.ok, path).toBe(true);
      expect([r.width, r.height], path).toEqual([e.w, e.h]);
      expect(r.bands, path).toEqual(e.bands);
      expect(r.dtype, path).toBe(e.dtype);
      expect(r.crs?.epsg, path).toBe(e.epsg);
      expect(r.gsd as number, path).toBeCloseTo(e.gsd, e.gsd > 50 ? 0 : 1);
      expect(r.transform?.[0], path).toBeCloseTo(e.ul[0], 2);
      expect(r.transform?.[3], path).toBeCloseTo(e.ul[1], 2);
      expect(r.footprint?.[0].lon, path).toBeCloseTo(e.ulLonLat[0], 3);
      expect(r.footprint?.[0].lat, path).toBeCloseTo(e.ulLonLat[1], 3);
      expect(r.recognition.sensor, path).toBe(e.sensor);
      expect(r.recognition.modality, path).toBe(e.modality);
      expect(r.dateText, path).toBe(e.date);
      expect(r.nodata, path).toBe(e.nodata);
    }
  });

  it('places footprints with north up: UL is north-west of LR, also for the Earth Engine ModelTransformation export', () => {
    for (const r of records) {
      if (!r.ok) continue;
      expect(r.footprint, r.path).not.toBeNull();
      if (!r.footprint) continue;
      const [ul, ur, lr, ll] = r.footprint;
      expect(ul.lat, r.path).toBeGreaterThan(lr.lat);
      expect(ul.lon, r.path).toBeLessThan(lr.lon);
      // Within grid convergence: RGB.byte.tif spans 237 km of UTM 18N, where grid north is 0.06° off true north.
      expect(Math.abs(ur.lat - ul.lat), r.path).toBeLessThan(0.1);
      expect(Math.abs(ll.lon - ul.lon), r.path).toBeLessThan(0.1);
    }
    // getResolution() reports a positive Y resolution for this file; our transform must still go south.
    const peru = byPath.get('landsat-peru-8dates/1985.tif') as FileRecord;
    expect(peru.transform?.[5]).toBeLessThan(0);
    expect(peru.footprint?.[2].lat).toBeCloseTo(-8.282107593468341 - 377 * 0.0008084837557075694, 6);
    expect(peru.datePrecision).toBe('year');
  });

  it('recognises the Sentinel-2 13-band L1C stack with the UTM 33N footprint over Berlin', () => {
    const r = byPath.get(S2_STACK) as FileRecord;
    expect(r.recognition.level).toBe('L1C');
    expect(r.recognition.platform).toBe('Sentinel-2A');
    expect(r.recognition.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.recognition.reasons.join(' ')).toMatch(/product id/);
    expect(r.bandSource).toBe('gdal-description');
    expect(r.crs?.name).toBe('WGS 84 / UTM zone 33N');
    // LR corner = (330000 + 1536·10, 5822040 − 768·10) in UTM 33N.
    expect(r.footprint?.[2].lon).toBeCloseTo(12.7241, 3);
    expect(r.footprint?.[2].lat).toBeCloseTo(52.4574, 3);
    expect(r.date).toEqual({ year: 2017, doy: 47, hour: 10 });
    expect(r.scaling.description).toMatch(/DN \/ 10000/);
  });

  it('reads the 105-date Landsat series: scene-id dates, bands, nodata, Fmask recognised as cloud mask', () => {
    const series = records.filter((r) => r.path.startsWith('landsat-lsts-105dates/')) as FileRecord[];
    expect(series.length).toBe(420);
    for (const r of series) {
      expect(r.ok).toBe(true);
      expect([r.width, r.height, r.crs?.epsg, Math.round(r.gsd as number)]).toEqual([61, 61, 32613, 30]);
      expect(r.footprint?.[0].lon).toBeCloseTo(-106.9252, 3);
      const id = /L[ET]\d(\d{6})(\d{4})(\d{3})/.exec(r.path) as RegExpExecArray;
      expect(r.date?.year).toBe(Number(id[2]));
      expect(r.date?.doy).toBe(Number(id[3]));
      const isMask = r.path.endsWith('_fmask.tif');
      expect(r.recognition.role).toBe(isMask ? 'mask' : 'image');
      if (isMask) {
        expect(r.recognition.maskKind).toBe('fmask');
        expect(r.warnings.join(' ')).toMatch(/GDAL_NODATA -9999 cannot occur in uint8/);
      } else {
        expect(r.recognition.sensor).toBe('landsat');
        expect(r.nodata).toBe(-9999);
        expect(r.bands).toEqual([/_b(\d)\.tif$/.exec(r.path)?.[1]].map((n) => `B${n}`));
        expect(r.recognition.instrument).toBe(r.path.includes('/LT5') ? 'TM' : 'ETM+');
      }
    }
    // LE70350322008118EDC00 → 2008, day 118 = 27 April (leap year).
    const first = series.find((r) => r.path.includes('LE70350322008118EDC00_b3')) as FileRecord;
    expect(first.date).toEqual({ year: 2008, doy: 118, hour: 0 });
    expect(monthDay(2008, 118)).toEqual({ month: 4, day: 27 });
    expect(first.dateText).toBe('2008-04-27');
  });

  it('computes sensible statistics in model units for every understood file', () => {
    for (const r of records) {
      if (!r.ok) continue;
      expect(r.stats.length, r.path).toBe(r.bands.length);
      for (const s of r.stats) {
        if (s.count === 0) continue;
        expect(Number.isFinite(s.mean), r.path).toBe(true);
        expect(s.std, r.path).toBeGreaterThanOrEqual(0);
        expect(s.min, r.path).toBeLessThanOrEqual(s.p2);
        expect(s.p2, r.path).toBeLessThanOrEqual(s.p98);
        expect(s.p98, r.path).toBeLessThanOrEqual(s.max);
        expect(s.mean, r.path).toBeGreaterThanOrEqual(s.min - 1e-9);
        expect(s.mean, r.path).toBeLessThanOrEqual(s.max + 1e-9);
      }
      if (r.recognition.sensor === 'sentinel-2') {
        // Winter TOA reflectance over Berlin: between 0 and 1, visible bands mostly 0.05–0.3.
        for (const s of r.stats) {
          expect(s.min).toBeGreaterThanOrEqual(0);
          expect(s.max).toBeLessThanOrEqual(1.2);
        }
      }
    }
    const s2 = byPath.get(S2_STACK) as FileRecord;
    const b04 = s2.stats[s2.bands.indexOf('B04')];
    expect(b04.mean).toBeGreaterThan(0.05);
    expect(b04.mean).toBeLessThan(0.3);
  });

  it('groups files into locations × modalities × dates', () => {
    const loc = (path: string) => catalog.acquisitions.find((a) => a.parts.some((p) => p.path === path) || a.mask?.path === path)?.location;
    const lsts = catalog.locations.find((l) => l.modalities.landsat?.acquisitions.length === 105);
    expect(lsts).toBeDefined();
    expect(lsts?.modalities.landsat.bands).toEqual(['B3', 'B4', 'B5']);
    const lstsAcqs = catalog.acquisitions.filter((a) => a.location === lsts?.id);
    expect(lstsAcqs.every((a) => a.stacked && a.mask?.kind === 'fmask' && a.parts.length === 3)).toBe(true);
    // Dates sorted, all distinct.
    const dates = lsts?.modalities.landsat.dates ?? [];
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(105);
    const peru = catalog.locations.find((l) => l.modalities.landsat?.acquisitions.length === 8);
    expect(peru?.modalities.landsat.dates).toEqual(['1985', '1990', '1995', '2000', '2005', '2010', '2015', '2020']);
    // One S2 location: the 13-band file is used, the 13 per-band files of the same acquisition are reported as duplicates.
    const s2 = catalog.locations.filter((l) => l.modalities.s2);
    expect(s2.length).toBe(1);
    expect(s2[0].modalities.s2.acquisitions.length).toBe(1);
    expect(loc(S2_STACK)).toBe(s2[0].id);
    const dupes = catalog.unused.filter((u) => u.path.includes('/per-band/'));
    expect(dupes.length).toBe(13);
    expect(dupes[0].reason).toMatch(/same s2 acquisition \(2017-02-16T10h\)/);
    // The rasterio files are all in different places.
    const others = ['rasterio/RGB.byte.tif', 'rasterio/shade.tif', 'rasterio/byte.tif', 'rasterio/RGBA.uint16.tif'].map(loc);
    expect(new Set(others).size).toBe(4);
    expect(catalog.locations.length).toBe(7);
    // Every input path is accounted for exactly once.
    const used = new Set(catalog.acquisitions.flatMap((a) => [...a.parts.map((p) => p.path), ...(a.mask ? [a.mask.path] : [])]));
    for (const r of records) expect(used.has(r.path) !== catalog.unused.some((u) => u.path === r.path), r.path).toBe(true);
  });
});

d('windowed reads of the 13-band 1536 × 768 Sentinel-2 file', () => {
  it('fetches and decodes about the window, never the whole file', async () => {
    const src = await sharedSource(S2_STACK);
    const io = newIoStats();
    const file = await RasterFile.open(src, { io });
    const opened = io.bytes;
    // A tile-aligned 512 × 256 window (two 256² tiles) of all 13 uint16 bands.
    const r = await file.readWindow([512, 256, 1024, 512]);
    const windowBytes = 512 * 256 * 13 * 2;
    expect(r.bands.length).toBe(13);
    expect(r.bands.reduce((s, b) => s + b.byteLength, 0)).toBe(windowBytes);
    expect(io.bytesDecoded).toBe(windowBytes);
    const fetched = io.bytes - opened;
    expect(fetched).toBeLessThanOrEqual(2 * windowBytes);
    expect(fetched).toBeLessThan(src.size / 4);
    // An unaligned window still returns exactly the window.
    const before = io.bytesDecoded;
    const u = await file.readWindow([100, 700, 400, 800]);
    expect([u.width, u.height]).toEqual([300, 68]);
    expect(io.bytesDecoded - before).toBe(300 * 68 * 13 * 2);
  });

  it('selecting bands equals slicing them from the full window (geotiff performTiffTests style)', async () => {
    const file = await RasterFile.open(await sharedSource(S2_STACK));
    const all = await file.readWindow([1280, 512, 1536, 768]);
    const some = await file.readWindow([1280, 512, 1536, 768], { bands: [11, 3] });
    expect(Array.from(some.bands[0])).toEqual(Array.from(all.bands[11]));
    expect(Array.from(some.bands[1])).toEqual(Array.from(all.bands[3]));
    // Not all zeros (geotiff's "zero check").
    expect(all.bands[3].some((v) => v !== 0)).toBe(true);
    // A window past the bottom-right edge is clipped to the image.
    const edge = await file.readWindow([1500, 700, 1600, 800]);
    expect([edge.window, edge.width, edge.height]).toEqual([[1500, 700, 1536, 768], 36, 68]);
  });

  it('keeps recently decoded tiles within the DecodeCache budget, with identical pixels', async () => {
    // 4 MB budget: at most 2 MB (one 1.7 MB 13-band tile) per file.
    const cache = new DecodeCache(4 * 2 ** 20);
    const io = newIoStats();
    const file = await RasterFile.open(await sharedSource(S2_STACK), { io });
    const plain = await RasterFile.open(await sharedSource(S2_STACK));
    for (const win of [
      [10, 10, 60, 60],
      [20, 20, 70, 70],
      [300, 300, 340, 340],
      [10, 10, 60, 60],
    ] as const) {
      const a = await file.readWindow(win, { cache, bands: [3, 7] });
      const b = await plain.readWindow(win, { bands: [3, 7] });
      expect(Array.from(a.bands[1])).toEqual(Array.from(b.bands[1]));
      // One file may hold half the budget: a single 256² × 13 × 2-byte tile (1.7 MB).
      expect(cache.bytes).toBeLessThanOrEqual(2 * 2 ** 20);
      expect(cache.bytes).toBeGreaterThan(0);
    }
    cache.clear();
    expect(cache.bytes).toBe(0);
  });

  it('counts only what geotiff asked for through the source', async () => {
    const counter = newByteCounter();
    const src = countingSource(await sharedSource(S2_STACK), counter);
    const { record } = await openAndInspect(src, { sampleBudget: 65536 });
    expect(record.ok).toBe(true);
    // One 256² tile sampled: far less than the 10 MB file was fetched.
    expect(counter.bytes).toBeLessThan(src.size / 5);
  });
});

d('per-band Sentinel-2 files stacked onto 10 m', () => {
  it('equal the 13-band file (GDAL bilinear to 10 m) up to its integer rounding', async () => {
    const per = listSharedFiles('sentinel2-l1c-T33UUU-20170216/per-band');
    const opened = await Promise.all(per.map(async (p) => openAndInspect(await sharedSource(p))));
    const recs = opened.map((o) => o.record as FileRecord);
    const files = new Map(opened.map((o) => [o.record.path, o.file as RasterFile]));
    const cat = buildCatalog(recs);
    expect(cat.acquisitions.length).toBe(1);
    const acq = cat.acquisitions[0];
    expect(acq.bands).toEqual(S2_NAMES);
    expect(acq.stacked).toBe(true);
    expect(acq.gsd).toBe(10);
    expect(acq.sceneId).toBe('T33UUU_20170216T102101');
    const image = new GeoImage(acq, files, new Map(recs.map((r) => [r.path, r])));
    const { record, file } = await openAndInspect(await sharedSource(S2_STACK));
    const stacked = record as FileRecord;
    const gt = stacked.transform as readonly number[];
    // Two windows: the upper-left corner (edge handling) and an interior one not aligned to the 60 m grid.
    for (const [x0, y0, w] of [
      [0, 0, 192],
      [701, 333, 160],
    ]) {
      const target = { crs: stacked.crs!, transform: [gt[0] + x0 * 10, 10, 0, gt[3] - y0 * 10, 0, -10] as const, width: w, height: w };
      const got = await image.read(target, { scaling: identityScaling(13), method: 'bilinear' });
      const ref = await (file as RasterFile).readWindow([x0, y0, x0 + w, y0 + w]);
      expect(got.valid.every((v) => v === 1)).toBe(true);
      for (let b = 0; b < 13; b++) {
        let maxDiff = 0;
        for (let i = 0; i < w * w; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[b * w * w + i] - ref.bands[b][i]));
        // 10 m bands are copies; 20 m and 60 m bands differ only by the stacked file's rounding to integers.
        expect(maxDiff, `${S2_NAMES[b]} at (${x0}, ${y0})`).toBeLessThanOrEqual(['B02', 'B03', 'B04', 'B08'].includes(S2_NAMES[b]) ? 0 : 0.5 + 1e-3);
      }
    }
  });
});
