// The demo GeoTIFF encoder must produce files geotiff.js reads back exactly: pixels (every dtype, edge tiles, windows
// across tile borders), georeferencing tags, geokeys, nodata, GDAL band descriptions and items, and DateTime. It is
// cross-checked against geotiff.js's own `writeArrayBuffer` on a small image (same pixels, same CRS and origin).
import { describe, expect, it } from 'vitest';
import { fromArrayBuffer, writeArrayBuffer } from 'geotiff';
import { encodeGeoTiff, gdalMetadataXml, tiffDateTime, type GeoReference, type RasterArray } from './geotiffEncoder';

const geo: GeoReference = { epsg: 32631, citation: 'WGS 84 / UTM zone 31N', originX: 378720, originY: 5339040, pixelSize: 10 };

/** (C, H, W) ramp that makes every band, row and column distinguishable. */
function ramp<T extends RasterArray>(make: (n: number) => T, C: number, H: number, W: number, f: (b: number, y: number, x: number) => number): T {
  const a = make(C * H * W);
  for (let b = 0; b < C; b++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a[(b * H + y) * W + x] = f(b, y, x);
  return a;
}

async function readBack(buf: ArrayBuffer) {
  const tiff = await fromArrayBuffer(buf);
  expect(await tiff.getImageCount()).toBe(1);
  return tiff.getImage();
}

describe('encodeGeoTiff', () => {
  const cases: Array<[string, RasterArray, number, number, number]> = [
    ['uint16 10 bands 37×23 (partial tiles)', ramp((n) => new Uint16Array(n), 10, 23, 37, (b, y, x) => 1000 * b + 37 * y + x + 1), 10, 23, 37],
    ['float32 2 bands 40×33', ramp((n) => new Float32Array(n), 2, 33, 40, (b, y, x) => -25 + 0.25 * b + 0.01 * (y * 40 + x)), 2, 33, 40],
    ['uint8 4 bands 50×50', ramp((n) => new Uint8Array(n), 4, 50, 50, (b, y, x) => (b * 60 + y + x) % 256), 4, 50, 50],
    ['uint8 1 band 16×16 (one exact tile)', ramp((n) => new Uint8Array(n), 1, 16, 16, (_b, y, x) => y * 16 + x), 1, 16, 16],
  ];
  for (const [name, data, C, H, W] of cases) {
    it(`round-trips ${name} through geotiff.js`, async () => {
      const image = await readBack(encodeGeoTiff({ width: W, height: H, bands: C, data, geo, tileSize: 16 }));
      expect([image.getWidth(), image.getHeight(), image.getSamplesPerPixel()]).toEqual([W, H, C]);
      expect(image.getTileWidth()).toBe(16);
      const bits = data instanceof Uint8Array ? 8 : data instanceof Uint16Array ? 16 : 32;
      const format = data instanceof Float32Array ? 3 : 1;
      for (let b = 0; b < C; b++) {
        expect(image.getBitsPerSample(b)).toBe(bits);
        expect(image.getSampleFormat(b)).toBe(format);
      }
      const rasters = (await image.readRasters()) as unknown as RasterArray[];
      for (let b = 0; b < C; b++) {
        expect(rasters[b].constructor).toBe(data.constructor);
        expect(Array.from(rasters[b])).toEqual(Array.from(data.subarray(b * H * W, (b + 1) * H * W)));
      }
    });
  }

  it('reads a window across tile borders and a band subset correctly', async () => {
    const [C, H, W] = [3, 45, 70];
    const data = ramp((n) => new Uint16Array(n), C, H, W, (b, y, x) => 10000 * b + 100 * y + x);
    const image = await readBack(encodeGeoTiff({ width: W, height: H, bands: C, data, geo, tileSize: 16 }));
    const [x0, y0, x1, y1] = [13, 9, 51, 40];
    const win = (await image.readRasters({ window: [x0, y0, x1, y1], samples: [2, 0] })) as unknown as Uint16Array[];
    for (const [k, b] of [[0, 2], [1, 0]]) {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) expect(win[k][(y - y0) * (x1 - x0) + (x - x0)]).toBe(10000 * b + 100 * y + x);
    }
  });

  it('writes georeferencing, geokeys, nodata, GDAL metadata and DateTime as GDAL does', async () => {
    const when = new Date(Date.UTC(2021, 5, 18, 10, 53, 21));
    const image = await readBack(
      encodeGeoTiff({
        width: 20,
        height: 12,
        bands: 2,
        data: new Float32Array(480).fill(-12.5),
        geo,
        noData: -9999,
        bandDescriptions: ['VV', 'VH'],
        bandMetadata: [{ POLARISATION: 'VV' }, { POLARISATION: 'VH' }],
        metadata: { ORBIT_DIRECTION: 'ASCENDING', NOTE: 'a < b & "c"' },
        dateTime: when,
        imageDescription: 'synthetic test',
      }),
    );
    const fd = image.getFileDirectory();
    expect(Array.from(fd.getValue('ModelPixelScale') as ArrayLike<number>)).toEqual([10, 10, 0]);
    expect(await image.getTiePoints()).toEqual([{ i: 0, j: 0, k: 0, x: 378720, y: 5339040, z: 0 }]);
    expect(image.getOrigin()).toEqual([378720, 5339040, 0]);
    expect(image.getBoundingBox()).toEqual([378720, 5339040 - 120, 378720 + 200, 5339040]);
    expect(image.pixelIsArea()).toBe(true);
    expect(image.getGeoKeys()).toEqual({
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      GTCitationGeoKey: 'WGS 84 / UTM zone 31N',
      GeogCitationGeoKey: 'WGS 84',
      GeogAngularUnitsGeoKey: 9102,
      ProjectedCSTypeGeoKey: 32631,
      ProjLinearUnitsGeoKey: 9001,
    });
    expect(image.getGDALNoData()).toBe(-9999);
    expect(await image.getGDALMetadata(null)).toEqual({ ORBIT_DIRECTION: 'ASCENDING', NOTE: 'a &lt; b &amp; &quot;c&quot;' });
    expect(await image.getGDALMetadata(0)).toEqual({ POLARISATION: 'VV', DESCRIPTION: 'VV' });
    expect(await image.getGDALMetadata(1)).toEqual({ POLARISATION: 'VH', DESCRIPTION: 'VH' });
    expect(String(await fd.loadValue('DateTime')).replace(/\0$/, '')).toBe('2021:06:18 10:53:21');
    expect(String(await fd.loadValue('ImageDescription')).replace(/\0$/, '')).toBe('synthetic test');
  });

  it('pads edge tiles with the nodata value', async () => {
    const buf = encodeGeoTiff({ width: 5, height: 3, bands: 1, data: new Uint16Array(15).fill(7), geo, noData: 0, tileSize: 16 });
    const image = await readBack(buf);
    // Outside the image a window is filled by the reader; inside every value must be ours.
    const r = (await image.readRasters()) as unknown as Uint16Array[];
    expect(Array.from(r[0])).toEqual(new Array(15).fill(7));
    expect(image.getGDALNoData()).toBe(0);
  });

  it('agrees with geotiff.js writeArrayBuffer on pixels and georeferencing', async () => {
    const [C, H, W] = [3, 17, 29];
    const data = ramp((n) => new Uint16Array(n), C, H, W, (b, y, x) => 7 * b + 3 * y + x);
    const interleaved = new Uint16Array(C * H * W);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let b = 0; b < C; b++) interleaved[(y * W + x) * C + b] = data[(b * H + y) * W + x];
    const theirs = await readBack(
      writeArrayBuffer(interleaved, {
        width: W,
        height: H,
        SamplesPerPixel: C,
        BitsPerSample: [16, 16, 16],
        PhotometricInterpretation: 1,
        ModelPixelScale: [10, 10, 0],
        ModelTiepoint: [0, 0, 0, geo.originX, geo.originY, 0],
        ProjectedCSTypeGeoKey: 32631,
        GTModelTypeGeoKey: 1,
        GTRasterTypeGeoKey: 1,
      }),
    );
    const ours = await readBack(encodeGeoTiff({ width: W, height: H, bands: C, data, geo }));
    expect(ours.getBoundingBox()).toEqual(theirs.getBoundingBox());
    expect(ours.getGeoKeys()?.ProjectedCSTypeGeoKey).toBe(theirs.getGeoKeys()?.ProjectedCSTypeGeoKey);
    const a = (await ours.readRasters()) as unknown as Uint16Array[];
    const b = (await theirs.readRasters()) as unknown as Uint16Array[];
    for (let k = 0; k < C; k++) expect(Array.from(a[k])).toEqual(Array.from(b[k]));
  });

  it('rejects inconsistent input with a message naming the problem', () => {
    expect(() => encodeGeoTiff({ width: 4, height: 4, bands: 2, data: new Uint8Array(16), geo })).toThrow(/expected bands·height·width = 2·4·4 = 32/);
    expect(() => encodeGeoTiff({ width: 4, height: 4, bands: 1, data: new Uint8Array(16), geo, tileSize: 20 })).toThrow(/multiple of 16/);
    expect(() => encodeGeoTiff({ width: 4, height: 4, bands: 1, data: new Uint8Array(16), geo, bandDescriptions: ['a', 'b'] })).toThrow(/2 entries for 1 bands/);
    expect(() => encodeGeoTiff({ width: 4, height: 4, bands: 1, data: new Uint8Array(16), geo, imageDescription: 'σ⁰' })).toThrow(/7-bit/);
  });

  it('formats TIFF DateTime in UTC and builds GDAL XML with bands in order', () => {
    expect(tiffDateTime(new Date(Date.UTC(2021, 0, 5, 5, 6, 7)))).toBe('2021:01:05 05:06:07');
    const xml = gdalMetadataXml({ A: '1' }, ['B02', 'B03'], undefined);
    expect(xml.indexOf('sample="0"')).toBeLessThan(xml.indexOf('sample="1"'));
    expect(xml).toContain('<Item name="A">1</Item>');
  });
});
