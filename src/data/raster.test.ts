/**
 * RasterFile's own window assembly (typed-array copies of geotiff's decoded blocks) against geotiff's readRasters:
 * byte-identical arrays of the same type for every real file of ../shared/data and for synthetic files covering the
 * layouts the fast path takes (tiles/strips, pixel/band interleaved, 8–64-bit, predictor, PackBits) and those it
 * leaves to readRasters (float16); decoding in a worker Pool gives the same bytes as decoding inline; readRegion is
 * readWindow without the copy; readAheadSource serves the head of a file from one read.
 */
import { GeoTIFF } from 'geotiff';
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { createDecodePool, destroyDecodePool } from './pool';
import { DecodeCache, RasterFile, newIoStats, type PixelArray, type PixelWindow } from './raster';
import { bufferSource, readAheadSource, toGeotiffSource, type ByteSource } from './source';
import { listSharedFiles, sharedDataAvailable, sharedSource } from './testing/sharedData';
import { writeTiff, type WriterDType } from './testing/tiffWriter';

/** Plain geotiff on its own GeoTIFF object: the reference. */
async function reference(src: ByteSource, win: PixelWindow, bands: number[]): Promise<PixelArray[]> {
  const tiff = await GeoTIFF.fromSource(toGeotiffSource(src));
  const image = await tiff.getImage(0);
  return Array.from((await image.readRasters({ window: [...win], samples: [...bands], interleave: false })) as unknown as PixelArray[]);
}

function sameBytes(a: PixelArray[], b: PixelArray[], what: string): void {
  expect(a.length, what).toBe(b.length);
  a.forEach((x, k) => {
    expect(x.constructor.name, `${what} band ${k} type`).toBe(b[k].constructor.name);
    expect(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength)), `${what} band ${k}`).toBe(true);
  });
}

/** A few windows of a W × H image: whole, interior, crossing block edges, one pixel, the last row and column. */
function windowsOf(W: number, H: number, rng: Rng): PixelWindow[] {
  const out: PixelWindow[] = [[0, 0, W, H], [W - 1, H - 1, W, H], [0, H - 1, W, H], [W - 1, 0, W, H]];
  for (let i = 0; i < 4; i++) {
    const x0 = rng.int(W);
    const y0 = rng.int(H);
    out.push([x0, y0, x0 + 1 + rng.int(W - x0), y0 + 1 + rng.int(H - y0)]);
  }
  return out;
}

function bandSets(n: number, rng: Rng): number[][] {
  const all = Array.from({ length: n }, (_, i) => i);
  const sets = [all, [n - 1], [...all].reverse()];
  if (n > 2) sets.push([rng.int(n), rng.int(n), 0]);
  return sets;
}

describe('window assembly vs readRasters (synthetic layouts)', () => {
  const cases: { name: string; dtype: WriterDType; planar?: 1 | 2; tile?: number; rowsPerStrip?: number; compression?: number; predictor?: 1 | 2; bands: number }[] = [
    { name: 'uint8 interleaved tiles deflate', dtype: 'uint8', planar: 1, tile: 16, compression: 8, bands: 3 },
    { name: 'int8 band-separate strips', dtype: 'int8', planar: 2, rowsPerStrip: 7, bands: 2 },
    { name: 'uint16 interleaved strips predictor', dtype: 'uint16', planar: 1, rowsPerStrip: 5, compression: 8, predictor: 2, bands: 4 },
    { name: 'int16 band-separate tiles packbits', dtype: 'int16', planar: 2, tile: 16, compression: 32773, bands: 3 },
    { name: 'uint32 single band tiles', dtype: 'uint32', tile: 32, compression: 8, bands: 1 },
    { name: 'int32 interleaved', dtype: 'int32', planar: 1, bands: 2 },
    { name: 'float32 band-separate deflate', dtype: 'float32', planar: 2, tile: 16, compression: 8, bands: 2 },
    { name: 'float64 interleaved tiles', dtype: 'float64', planar: 1, tile: 16, bands: 2 },
    { name: 'float16 (readRasters path)', dtype: 'float16', planar: 1, tile: 16, bands: 2 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const rng = new Rng(11);
      const [W, H] = [37, 29];
      const signed = c.dtype.startsWith('int') || c.dtype.startsWith('float');
      const max = { uint8: 255, int8: 127, uint16: 65535, int16: 32767, uint32: 4e9, int32: 2e9, float16: 1000, float32: 1e6, float64: 1e9 }[c.dtype as string] ?? 255;
      const bands = Array.from({ length: c.bands }, () => Array.from({ length: W * H }, () => {
        const v = rng.uniform() * max * (signed && rng.uniform() < 0.5 ? -1 : 1);
        return c.dtype.startsWith('float') ? v : Math.trunc(v);
      }));
      const bytes = await writeTiff({ width: W, height: H, bands, dtype: c.dtype, planar: c.planar, tile: c.tile, rowsPerStrip: c.rowsPerStrip, compression: c.compression, predictor: c.predictor, geo: { pixelScale: [10, 10], tiepoint: [500000, 4000000], epsg: 32631 } });
      const src = bufferSource(bytes, `synthetic/${c.name}.tif`);
      const file = await RasterFile.open(src);
      for (const win of windowsOf(W, H, rng)) {
        for (const b of bandSets(c.bands, rng)) {
          sameBytes((await file.readWindow(win, { bands: b })).bands, await reference(src, win, b), `${c.name} ${win.join(',')} bands ${b.join(',')}`);
        }
      }
    });
  }

  it('readRegion returns the cached whole file in place, readWindow the same pixels copied', async () => {
    const W = 20;
    const H = 12;
    const band = Array.from({ length: W * H }, (_, i) => i);
    const src = bufferSource(await writeTiff({ width: W, height: H, bands: [band], dtype: 'uint16', geo: { pixelScale: [10, 10], tiepoint: [0, 0], epsg: 32631 } }), 'region.tif');
    const file = await RasterFile.open(src);
    const cache = new DecodeCache();
    const region = await file.readRegion([3, 2, 9, 7], { cache });
    expect([region.width, region.height, region.offset, region.stride]).toEqual([6, 5, 2 * W + 3, W]);
    expect(region.bands[0].length).toBe(W * H);
    const copy = await file.readWindow([3, 2, 9, 7], { cache });
    for (let r = 0; r < 5; r++) for (let c = 0; c < 6; c++) expect(copy.bands[0][r * 6 + c]).toBe(region.bands[0][region.offset + r * region.stride + c]);
    expect(copy.bands[0][0]).toBe(2 * W + 3);
  });
});

describe.skipIf(!sharedDataAvailable())('window assembly vs readRasters (every real file)', () => {
  it('is byte-identical to readRasters for whole images, windows and band subsets, and Pool decoding equals inline', async () => {
    const rng = new Rng(5);
    const pool = createDecodePool(2);
    expect(pool).not.toBeNull();
    try {
      const files = listSharedFiles('').filter((p) => !p.includes('landsat-lsts-105dates') || /LE70350322008118EDC00/.test(p));
      let checked = 0;
      for (const path of files) {
        const src = await sharedSource(path);
        let file: RasterFile;
        try {
          file = await RasterFile.open(src);
        } catch {
          continue; // refused files (all-nodata is still opened; unsupported layouts are not) have nothing to read
        }
        const { width: W, height: H, bandCount } = file.layout;
        for (const win of windowsOf(W, H, rng).slice(0, 3)) {
          for (const b of bandSets(bandCount, rng).slice(0, 2)) {
            const ref = await reference(src, win, b);
            const inline = (await file.readWindow(win, { bands: b })).bands;
            const workers = (await file.readWindow(win, { bands: b, pool })).bands;
            sameBytes(inline, ref, `${path} ${win.join(',')} [${b.join(',')}] inline`);
            sameBytes(workers, inline, `${path} ${win.join(',')} [${b.join(',')}] Pool vs inline`);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    } finally {
      await destroyDecodePool(pool);
    }
  }, 120_000);

  it('gives the same pixels through the tile cache, and counts one decode per read in the IoStats log', async () => {
    const path = listSharedFiles('sentinel2-l1c-T33UUU-20170216').find((p) => p.endsWith('_13bands_10m.tif'))!;
    const io = newIoStats(true);
    const file = await RasterFile.open(await sharedSource(path), { io });
    const cache = new DecodeCache();
    const a = await file.readWindow([250, 250, 270, 262], { bands: [3, 1], cache });
    const b = await file.readWindow([250, 250, 270, 262], { bands: [3, 1], cache });
    sameBytes(a.bands, b.bands, 'cached tiles');
    sameBytes(a.bands, await reference(await sharedSource(path), [250, 250, 270, 262], [3, 1]), 'vs readRasters');
    expect(io.log).toEqual([
      { file: path, window: [250, 250, 270, 262], bands: [3, 1] },
      { file: path, window: [250, 250, 270, 262], bands: [3, 1] },
    ]);
    expect(io.decodeCalls).toBe(2);
  });
});

describe('readAheadSource', () => {
  function counted(bytes: Uint8Array) {
    const inner = bufferSource(bytes, 'f.tif');
    const calls: [number, number][] = [];
    return { calls, src: { name: inner.name, size: inner.size, read: (o: number, l: number, s?: AbortSignal) => (calls.push([o, l]), inner.read(o, l, s)) } as ByteSource };
  }

  it('serves reads inside the head from one read, as copies, clamped like the source', async () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
    const { calls, src } = counted(bytes);
    const ra = readAheadSource(src, 64);
    const a = new Uint8Array(await ra.read(10, 5));
    const b = new Uint8Array(await ra.read(0, 64));
    expect(Array.from(a)).toEqual([10, 11, 12, 13, 14]);
    expect(b[63]).toBe(63);
    expect(calls).toEqual([[0, 64]]);
    // A read past the head goes to the source.
    expect(Array.from(new Uint8Array(await ra.read(60, 10)))).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
    expect(calls.length).toBe(2);
    // Copies: detaching one answer (as a Pool transfer does) leaves the next intact.
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(Array.from(new Uint8Array(await ra.read(10, 5)))).toEqual([10, 11, 12, 13, 14]);
    ra.release();
    await ra.read(0, 4);
    expect(calls.length).toBe(3);
  });

  it('holds all of a small file and clamps at its end', async () => {
    const { calls, src } = counted(Uint8Array.from({ length: 30 }, (_, i) => i));
    const ra = readAheadSource(src);
    expect(new Uint8Array(await ra.read(0, 1024)).length).toBe(30);
    expect(Array.from(new Uint8Array(await ra.read(28, 10)))).toEqual([28, 29]);
    expect(new Uint8Array(await ra.read(40, 10)).length).toBe(0);
    expect(calls).toEqual([[0, 30]]);
  });

  it('retries the head after a failed read', async () => {
    let fail = true;
    const inner = bufferSource(new Uint8Array(10), 'x.tif');
    const ra = readAheadSource({ name: 'x.tif', size: 10, read: async (o, l) => (fail ? Promise.reject(new Error('flaky')) : inner.read(o, l)) });
    await expect(ra.read(0, 4)).rejects.toThrow('flaky');
    fail = false;
    expect(new Uint8Array(await ra.read(0, 4)).length).toBe(4);
  });
});
