/**
 * Data types, layouts and codecs, on files written in memory by testing/tiffWriter.ts: every data type geotiff.js
 * decodes round-trips through RasterFile (strips and tiles, pixel- and band-interleaved, raw / Deflate / PackBits,
 * horizontal predictor); what it cannot decode (int64, uint64, JPEG 2000, old-style JPEG, LZMA, WebP in Node) and
 * what is not a TIFF (PNG, JPEG 2000 .jp2) is refused up front with a message naming the file and the reason.
 * ZSTD, LERC and JPEG are registered in geotiff.js but no encoder is available here, so they are not round-tripped.
 * Reference: data.md §1.5–§1.7 (codecs, data types, layouts).
 */
import { describe, expect, it } from 'vitest';
import { buildCatalog } from './catalog';
import { DataError } from './errors';
import { inspectFile, inspectFiles } from './inspect';
import { RasterFile } from './raster';
import { bufferSource } from './source';
import { toFloat16Bits, writeTiff, type WriteTiffOptions, type WriterDType } from './testing/tiffWriter';

const W = 37;
const H = 29;

function pattern(dtype: WriterDType, band: number): number[] {
  return Array.from({ length: W * H }, (_, i) => {
    const base = (i * 7 + band * 13) % 200;
    switch (dtype) {
      case 'int8':
        return base - 100;
      case 'int16':
        return (base - 100) * 300;
      case 'int32':
        return (base - 100) * 1_000_003;
      case 'uint16':
        return base * 300;
      case 'uint32':
        return base * 20_000_000;
      case 'float16':
      case 'float32':
      case 'float64':
        return (base - 100) / 8;
      default:
        return base;
    }
  });
}

const geo: WriteTiffOptions['geo'] = { pixelScale: [10, 10], tiepoint: [500000, 4000000], epsg: 32631 };

async function open(o: Omit<WriteTiffOptions, 'width' | 'height'>, name = 'synthetic.tif'): Promise<RasterFile> {
  return RasterFile.open(bufferSource(await writeTiff({ width: W, height: H, ...o }), name));
}

describe('data types and layouts round-trip through RasterFile', () => {
  const dtypes: WriterDType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float16', 'float32', 'float64'];
  const layouts: { name: string; o: Partial<WriteTiffOptions> }[] = [
    { name: 'strips, raw', o: { rowsPerStrip: 5 } },
    { name: 'tiles 16, Deflate', o: { tile: 16, compression: 8 } },
    { name: 'tiles 16, band-separate, PackBits', o: { tile: 16, planar: 2, compression: 32773 } },
  ];
  for (const dtype of dtypes) {
    for (const l of layouts) {
      it(`${dtype}, ${l.name}`, async () => {
        const bands = [pattern(dtype, 0), pattern(dtype, 1), pattern(dtype, 2)];
        const f = await open({ bands, dtype, geo, ...l.o });
        expect(f.layout.dtype).toBe(dtype);
        expect(f.layout.bandCount).toBe(3);
        const r = await f.readWindow([3, 2, 30, 27], { bands: [2, 0] });
        const expectAt = (b: number, x: number, y: number) => {
          const v = bands[b][y * W + x];
          if (dtype === 'float16') {
            // Compare through the half-float bit pattern the writer stored.
            return toFloat16Bits(v);
          }
          return dtype === 'float32' ? Math.fround(v) : v;
        };
        for (const [k, b] of [
          [0, 2],
          [1, 0],
        ]) {
          for (let y = 2; y < 27; y++) {
            for (let x = 3; x < 30; x++) {
              const got = r.bands[k][(y - 2) * 27 + (x - 3)];
              expect(dtype === 'float16' ? toFloat16Bits(got) : got).toBe(expectAt(b, x, y));
            }
          }
        }
      });
    }
  }

  it('integer data with the horizontal predictor (tiled Deflate + predictor 2, as GDAL writes Sentinel-2 COGs)', async () => {
    const bands = [pattern('uint16', 0), pattern('uint16', 1)];
    const f = await open({ bands, dtype: 'uint16', tile: 16, compression: 8, predictor: 2, geo });
    const r = await f.readWindow([0, 0, W, H]);
    expect(Array.from(r.bands[1])).toEqual(bands[1]);
  });

  it('reads the GDAL tags: nodata, band descriptions, scale/offset, DateTime, alpha band', async () => {
    const xml =
      '<GDALMetadata><Item name="DESCRIPTION" sample="0" role="description">B04</Item><Item name="DESCRIPTION" sample="1" role="description">B08</Item>' +
      '<Item name="SCALE" sample="0" role="scale">0.0001</Item><Item name="OFFSET" sample="0" role="offset">-0.1</Item><Item name="ACQUISITIONDATETIME">2021-06-03T10:40:21Z</Item></GDALMetadata>';
    const bands = [pattern('uint16', 0), pattern('uint16', 1), Array.from({ length: W * H }, (_, i) => (i % 3 === 0 ? 0 : 255))];
    const src = bufferSource(await writeTiff({ width: W, height: H, bands, dtype: 'uint16', geo, nodata: '0', gdalMetadata: xml, dateTime: '2022:01:01 00:00:00', extraSamples: [0, 2] }), 'field/plot_a.tif');
    const r = await inspectFile(src);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.alphaBand).toBe(2);
    expect(r.bands).toEqual(['B04', 'B08']);
    expect(r.bandSource).toBe('gdal-description');
    expect(r.nodata).toBe(0);
    expect(r.metadataScale[0]).toBe(0.0001);
    expect(r.scaling.description).toMatch(/GDAL metadata/);
    // The GDAL acquisition time wins over the TIFF DateTime (often the processing time).
    expect(r.dateText).toBe('2021-06-03T10h');
    expect(r.dateSource).toBe('gdal-metadata');
    // A third of the pixels are transparent in the alpha band.
    expect(r.validFraction).toBeLessThan(0.7);
  });

  it('a float file with GDAL_NODATA=nan: NaN pixels are nodata, the others stay valid', async () => {
    const band = Array.from({ length: W * H }, (_, i) => (i % 4 === 0 ? NaN : 0.1 + i / (W * H)));
    const src = bufferSource(await writeTiff({ width: W, height: H, bands: [band], dtype: 'float32', geo, nodata: 'nan' }), 'field/ndvi_nan.tif');
    const r = await inspectFile(src);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Number.isNaN(r.nodata)).toBe(true);
    expect(r.validFraction).toBeGreaterThan(0.6);
    expect(r.validFraction).toBeLessThan(0.9);
  });
});

describe('refusals name the file and the reason', () => {
  const cases: { name: string; o: Partial<WriteTiffOptions>; reason: string; message: RegExp }[] = [
    { name: 'int64', o: { dtype: 'int64' }, reason: 'unsupported-dtype', message: /64-bit signed integers \(int64\), which geotiff\.js cannot decode/ },
    { name: 'uint64', o: { dtype: 'uint64' }, reason: 'unsupported-dtype', message: /64-bit unsigned integers/ },
    { name: 'JPEG 2000 in TIFF (34712)', o: { compression: 34712 }, reason: 'unsupported-compression', message: /JPEG 2000 compression \(TIFF code 34712\)/ },
    { name: 'Aperio JPEG 2000 (33005)', o: { compression: 33005 }, reason: 'unsupported-compression', message: /JPEG 2000/ },
    { name: 'old-style JPEG (6)', o: { compression: 6 }, reason: 'unsupported-compression', message: /old-style JPEG/ },
    { name: 'LZMA (34925)', o: { compression: 34925 }, reason: 'unsupported-compression', message: /LZMA compression \(TIFF code 34925\)/ },
    { name: 'WebP (50001) in Node', o: { compression: 50001 }, reason: 'unsupported-compression', message: /WebP/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const bytes = await writeTiff({ width: 8, height: 8, bands: [new Array<number>(64).fill(3)], dtype: 'uint16', geo, ...c.o });
      const r = await inspectFile(bufferSource(bytes, `bad/${c.name}.tif`));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe(c.reason);
      expect(r.error.startsWith(`bad/${c.name}.tif: `)).toBe(true);
      expect(r.error).toMatch(c.message);
    });
  }

  it('not a TIFF: PNG, JPEG 2000, plain text, empty', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const jp2 = Uint8Array.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]);
    const txt = new TextEncoder().encode('hello, this is not an image');
    const recs = await inspectFiles([bufferSource(png, 'a.png'), bufferSource(jp2, 'T33UUU_20170216T102101_B02.jp2'), bufferSource(txt, 'notes.tif'), bufferSource(new Uint8Array(0), 'empty.tif')]);
    expect(recs.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['not-tiff', 'not-tiff', 'not-tiff', 'empty']);
    expect(recs[0].ok ? '' : recs[0].error).toMatch(/^a\.png: is not a TIFF: it is a PNG image/);
    expect(recs[1].ok ? '' : recs[1].error).toMatch(/JPEG 2000 \(\.jp2\) file, which geotiff\.js cannot decode; convert it with `gdal_translate -of GTiff`/);
    expect(recs[2].ok ? '' : recs[2].error).toMatch(/starts with bytes 68 65 6C 6C/);
  });

  it('a file without georeferencing is understood but kept out of the catalog with a reason', async () => {
    const r = await inspectFile(bufferSource(await writeTiff({ width: 8, height: 8, bands: [pattern('uint8', 0).slice(0, 64)], dtype: 'uint8' }), 'photo.tif'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.footprint).toBeNull();
    expect(r.warnings.join(' ')).toMatch(/not georeferenced/);
    const cat = buildCatalog([r]);
    expect(cat.locations).toEqual([]);
    expect(cat.unused[0].reason).toMatch(/^photo\.tif: has no usable georeferencing/);
  });

  it('band index out of range is a DataError naming the file', async () => {
    const f = await open({ bands: [pattern('uint8', 0)], dtype: 'uint8', geo }, 'one-band.tif');
    await expect(f.readWindow([0, 0, 4, 4], { bands: [1] })).rejects.toThrow(DataError);
    await expect(f.readWindow([0, 0, 4, 4], { bands: [1] })).rejects.toThrow(/^one-band\.tif: band index 1 is out of range/);
  });
});
