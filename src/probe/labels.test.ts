// Label alignment and parsing: majority votes (ties, ignored values), per-token majorities on a label image, a
// GeoTIFF label raster in UTM read back on a sample footprint (pixel-exact on a shared grid, shifted windows, nodata
// and ignored values, outside the raster), dated-series detection, and the CSV/JSON tile-label formats with key
// matching by sample id, location id and file.
import { describe, expect, it } from 'vitest';
import { crsFromEpsg } from '../data/crs';
import { footprintOf } from '../data/georef';
import { DecodeCache } from '../data/raster';
import { bufferSource } from '../data/source';
import { writeTiff } from '../data/testing/tiffWriter';
import { isDatedSeries, keyMatchesFile, majority, matchTileLabel, NO_LABEL, openLabelRasters, parseTileLabels, sampleLabelGrid, tokenMajority, type LabelRaster } from './labels';

describe('majority votes', () => {
  it('picks the most frequent value, the smaller one on ties, and ignores negatives', () => {
    expect(majority([3, 1, 3, 1, 2])).toBe(1);
    expect(majority([4, 4, 2, -1, -1, -1])).toBe(4);
    expect(majority([-1, -1])).toBe(NO_LABEL);
  });

  it('gives each P×P token of an (H, H) image its majority', () => {
    // H = 4, P = 2: tokens (0,0) = {1,1,1,2}, (0,1) = {3,3,-1,-1}, (1,0) = {-1 ×4}, (1,1) = {0,5,5,0}
    const img = [1, 1, 3, 3, 1, 2, -1, -1, -1, -1, 0, 5, -1, -1, 5, 0];
    expect([...tokenMajority(img, 4, 2)]).toEqual([1, 3, NO_LABEL, 0]);
  });
});

async function utmLabelRaster(): Promise<LabelRaster> {
  // 10×8 px at 30 m in UTM 13N, value = 10·row + col, with nodata 255 at (row 0, col 0).
  const W = 10;
  const H = 8;
  const values = Array.from({ length: W * H }, (_, i) => (i === 0 ? 255 : 10 * Math.floor(i / W) + (i % W)));
  const bytes = await writeTiff({ width: W, height: H, bands: [values], dtype: 'uint8', geo: { pixelScale: [30, 30], tiepoint: [336375, 4462425], epsg: 32613 }, nodata: '255' });
  const { rasters, problems } = await openLabelRasters([bufferSource(bytes, 'labels/classes_2010.tif')]);
  expect(problems).toEqual([]);
  return rasters[0];
}

describe('sampleLabelGrid', () => {
  const crs = crsFromEpsg(32613)!;
  const gt = [336375, 30, 0, 4462425, 0, -30] as const;

  it('reads the label pixels under the sample on a shared grid, nodata and ignored values excluded', async () => {
    const r = await utmLabelRaster();
    expect(r.nodata).toBe(255);
    // A 4×4 px window starting at column 0, row 0 (covers the nodata pixel).
    const grid = await sampleLabelGrid(r, footprintOf(crs, gt, 0, 0, 4, 4), 4, new Set([12]), new DecodeCache());
    expect([...grid]).toEqual([NO_LABEL, 1, 2, 3, 10, 11, NO_LABEL, 13, 20, 21, 22, 23, 30, 31, 32, 33]);
  });

  it('follows a shifted window and samples a coarser model grid at pixel centres', async () => {
    const r = await utmLabelRaster();
    // 6×6 px of ground from column 3, row 2, seen by the model as 2×2 pixels of 90 m: centres at +1.5 px and +4.5 px,
    // i.e. label columns 4 and 7, rows 3 and 6 (nearest label pixel).
    const grid = await sampleLabelGrid(r, footprintOf(crs, gt, 3, 2, 9, 8), 2, new Set(), new DecodeCache());
    expect([...grid]).toEqual([34, 37, 64, 67]);
  });

  it('leaves pixels outside the raster unlabelled', async () => {
    const r = await utmLabelRaster();
    const grid = await sampleLabelGrid(r, footprintOf(crs, gt, 8, 6, 12, 10), 4, new Set(), new DecodeCache());
    expect([...grid]).toEqual([68, 69, NO_LABEL, NO_LABEL, 78, 79, NO_LABEL, NO_LABEL, ...new Array(8).fill(NO_LABEL)]);
  });
});

describe('isDatedSeries', () => {
  const fake = (date: { year: number; doy: number } | null) => ({ date: date && { ...date, hour: 0 } }) as LabelRaster;
  it('is dated only for ≥ 2 rasters with distinct dates (auto), or when forced', () => {
    expect(isDatedSeries([fake({ year: 2008, doy: 118 }), fake({ year: 2008, doy: 134 })])).toBe(true);
    expect(isDatedSeries([fake({ year: 2020, doy: 182 })])).toBe(false);
    expect(isDatedSeries([fake({ year: 2008, doy: 118 }), fake({ year: 2008, doy: 118 })])).toBe(false);
    expect(isDatedSeries([fake(null), fake({ year: 2008, doy: 1 })])).toBe(false);
    expect(isDatedSeries([fake({ year: 2020, doy: 182 })], 'dated')).toBe(true);
  });
});

describe('tile labels', () => {
  it('parses CSV with a header, separators and multi-labels', () => {
    const text = 'file,label\n# comment\nscene_a/b3.tif,forest\n"loc1";water|urban\nloc0:x16:y0\tcrop\n';
    expect(parseTileLabels(text)).toEqual([
      { key: 'scene_a/b3.tif', labels: ['forest'] },
      { key: 'loc1', labels: ['water', 'urban'] },
      { key: 'loc0:x16:y0', labels: ['crop'] },
    ]);
  });

  it('parses both JSON shapes and reports bad entries', () => {
    expect(parseTileLabels('{"a.tif": "forest", "loc2": ["crop", 3]}')).toEqual([
      { key: 'a.tif', labels: ['forest'] },
      { key: 'loc2', labels: ['crop', '3'] },
    ]);
    expect(parseTileLabels('[{"file": "x/y.tif", "label": 1}, {"location": "loc0", "labels": ["a", "b"]}]')).toEqual([
      { key: 'x/y.tif', labels: ['1'] },
      { key: 'loc0', labels: ['a', 'b'] },
    ]);
    expect(() => parseTileLabels('[{"label": 1}]', 'l.json')).toThrow(/l.json: entry 0 has no "key"/);
    expect(() => parseTileLabels('just one column\n', 'l.csv')).toThrow(/l.csv:1/);
  });

  it('matches keys to files by path, path end, base name and folder', () => {
    const f = 'data/landsat/LT50350322008238PAC01/LT50350322008238PAC01_b3.tif';
    expect(keyMatchesFile(f, f)).toBe(true);
    expect(keyMatchesFile('LT50350322008238PAC01/LT50350322008238PAC01_b3.tif', f)).toBe(true);
    expect(keyMatchesFile('LT50350322008238PAC01_b3.tif', f)).toBe(true);
    expect(keyMatchesFile('landsat/', f)).toBe(true);
    expect(keyMatchesFile('data', f)).toBe(true);
    expect(keyMatchesFile('PAC01_b3.tif', f)).toBe(false);
    expect(keyMatchesFile('landsat-peru', f)).toBe(false);
  });

  it('resolves a sample by id first, then location, then file', () => {
    const entries = parseTileLabels('loc0:x0:y0,a\nloc0,b\nsite_c,c\n');
    expect(matchTileLabel(entries, { id: 'loc0:x0:y0', location: 'loc0', files: [] })).toEqual(['a']);
    expect(matchTileLabel(entries, { id: 'loc0:x16:y0', location: 'loc0', files: [] })).toEqual(['b']);
    expect(matchTileLabel(entries, { id: 'loc1:x0:y0', location: 'loc1', files: ['in/site_c/img.tif'] })).toEqual(['c']);
    expect(matchTileLabel(entries, { id: 'loc2:x0:y0', location: 'loc2', files: ['in/site_d/img.tif'] })).toBeNull();
  });
});
