/**
 * One opened GeoTIFF: validated layout, metadata and georeferencing, and windowed reads of raw pixel values.
 *
 * Large files are only ever read by window (`readRasters({window, samples, pool})`), so memory follows the window,
 * not the file. With a DecodeCache, small files (decoded size ≤ wholeFileLimit, e.g. the 61 × 61 Landsat tiles) are
 * decoded whole once, because re-decoding a 5 KB file per training sample costs more than keeping 22 KB around, and
 * large files keep their recently decoded tiles within the cache's byte budget (training windows overlap tiles).
 * Without a cache nothing is kept. Every failure leaves as a DataError naming the file.
 * Decoding in workers: pass a geotiff `Pool` (see pool.ts); without one, tiles are decoded inline.
 * Invariants: a RawWindow covers exactly the requested window clipped to the image; band arrays are (h, w)
 * row-major in the file's own data type (float16 arrives as Float32Array).
 * Reference: geotiff.js 3.0.5 `GeoTIFFImage.readRasters`; /work/shared/docs/data.md §1.4, §1.13.
 */
import type { GeoTIFF, GeoTIFFImage, Pool } from 'geotiff';
import { DataError, toDataError } from './errors';
import { computeGeoref, type Georef } from './georef';
import type { CrsInfo } from './crs';
import { countingSource, openGeoTiff, type ByteCounter, type ByteSource } from './source';
import { decodedBytesPerValue, readLayout, readMeta, type TiffLayout, type TiffMeta } from './tiffInfo';

export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** I/O accounting shared by all files of a dataset (bench and memory tests read it). */
export interface IoStats extends ByteCounter {
  /** Bytes of decoded pixel arrays returned by geotiff (what readRasters allocated). */
  bytesDecoded: number;
  decodeCalls: number;
  decodeMs: number;
}

export function newIoStats(): IoStats {
  return { bytes: 0, requests: 0, bytesDecoded: 0, decodeCalls: 0, decodeMs: 0 };
}

/** [x0, y0, x1, y1] in pixels, x1/y1 exclusive. */
export type PixelWindow = readonly [number, number, number, number];

export interface RawWindow {
  /** The window actually read: the request clipped to the image (may be empty). */
  window: PixelWindow;
  width: number;
  height: number;
  /** One (height, width) array per requested band, in request order. */
  bands: PixelArray[];
}

/**
 * Bounded memory for decoded pixels shared by all files of a dataset: small files are kept whole; large files keep
 * their recently decoded tiles (geotiff's own per-image tile cache, trimmed here). Least recently used files are
 * evicted first when the total exceeds `maxBytes`.
 */
export class DecodeCache {
  private readonly entries = new Map<RasterFile, { bands: PixelArray[] | null; bytes: number }>();
  private total = 0;

  constructor(
    readonly maxBytes = 256 * 2 ** 20,
    readonly wholeFileLimit = 16 * 2 ** 20,
  ) {}

  get bytes(): number {
    return this.total;
  }

  get(f: RasterFile): PixelArray[] | undefined {
    const e = this.entries.get(f);
    if (!e?.bands) return undefined;
    this.entries.delete(f);
    this.entries.set(f, e);
    return e.bands;
  }

  put(f: RasterFile, bands: PixelArray[]): void {
    this.set(f, bands, bands.reduce((s, b) => s + b.byteLength, 0));
  }

  /** Records that `f` now holds `bytes` of cached tiles. */
  noteTiles(f: RasterFile, bytes: number): void {
    this.set(f, null, bytes);
  }

  private set(f: RasterFile, bands: PixelArray[] | null, bytes: number): void {
    const old = this.entries.get(f);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(f);
    }
    if (bytes > this.maxBytes) {
      if (!bands) f.dropTileCache();
      return;
    }
    this.entries.set(f, { bands, bytes });
    this.total += bytes;
    for (const [k, v] of this.entries) {
      if (this.total <= this.maxBytes || k === f) break;
      this.entries.delete(k);
      this.total -= v.bytes;
      if (!v.bands) k.dropTileCache();
    }
  }

  clear(): void {
    for (const [k, v] of this.entries) if (!v.bands) k.dropTileCache();
    this.entries.clear();
    this.total = 0;
  }
}

export interface OpenOptions {
  signal?: AbortSignal;
  io?: IoStats;
  /** Replaces the CRS read from the geokeys (user correction). */
  crs?: CrsInfo | null;
}

export interface ReadOptions {
  /** 0-based band (sample) indices; default all. */
  bands?: number[];
  signal?: AbortSignal;
  pool?: Pool | null;
  cache?: DecodeCache | null;
}

export class RasterFile {
  private constructor(
    readonly source: ByteSource,
    readonly tiff: GeoTIFF,
    readonly image: GeoTIFFImage,
    readonly layout: TiffLayout,
    readonly meta: TiffMeta,
    readonly georef: Georef,
    private readonly io: IoStats | null,
  ) {}

  get name(): string {
    return this.source.name;
  }

  /** Opens and validates a file; throws DataError. */
  static async open(src: ByteSource, opts: OpenOptions = {}): Promise<RasterFile> {
    const io = opts.io ?? null;
    const counted = io ? countingSource(src, io) : src;
    const tiff = await openGeoTiff(counted, opts.signal);
    let image: GeoTIFFImage;
    try {
      image = await tiff.getImage(0);
    } catch (e) {
      throw toDataError(src.name, e, 'reading the first image directory');
    }
    let layout: TiffLayout;
    try {
      layout = await readLayout(src.name, tiff, image, src.size);
    } catch (e) {
      throw toDataError(src.name, e, 'reading the image layout');
    }
    const meta = await readMeta(image, layout);
    let keys: Record<string, unknown> | null = null;
    try {
      keys = image.getGeoKeys() as Record<string, unknown> | null;
    } catch (e) {
      meta.warnings.push(`GeoKeyDirectory is damaged: ${e instanceof Error ? e.message : String(e)}`);
    }
    const georef = computeGeoref(image.fileDirectory as never, keys, layout.width, layout.height, opts.crs ?? null);
    return new RasterFile(counted, tiff, image, layout, meta, georef, io);
  }

  /** Reads `win` (clipped to the image) for the given bands. */
  async readWindow(win: PixelWindow, opts: ReadOptions = {}): Promise<RawWindow> {
    const { width: W, height: H } = this.layout;
    const bands = opts.bands ?? Array.from({ length: this.layout.bandCount }, (_, i) => i);
    for (const b of bands) {
      if (!(Number.isInteger(b) && b >= 0 && b < this.layout.bandCount)) throw new DataError(this.name, 'read-failed', `band index ${b} is out of range (the file has ${this.layout.bandCount} bands)`);
    }
    const x0 = Math.max(0, Math.floor(win[0]));
    const y0 = Math.max(0, Math.floor(win[1]));
    const x1 = Math.min(W, Math.ceil(win[2]));
    const y1 = Math.min(H, Math.ceil(win[3]));
    const w = Math.max(0, x1 - x0);
    const h = Math.max(0, y1 - y0);
    const clipped: PixelWindow = [x0, y0, x0 + w, y0 + h];
    if (w === 0 || h === 0) return { window: clipped, width: w, height: h, bands: bands.map(() => new Float32Array(0)) };

    const cache = opts.cache ?? null;
    if (cache && this.layout.decodedBytes <= cache.wholeFileLimit) {
      let whole = cache.get(this);
      if (!whole) {
        whole = await this.decode([0, 0, W, H], Array.from({ length: this.layout.bandCount }, (_, i) => i), opts);
        cache.put(this, whole);
      }
      if (w === W && h === H) return { window: clipped, width: w, height: h, bands: bands.map((b) => whole[b]) };
      const out = bands.map((b) => {
        const src = whole[b];
        const dst = new (src.constructor as new (n: number) => PixelArray)(w * h);
        for (let r = 0; r < h; r++) dst.set(src.subarray((y0 + r) * W + x0, (y0 + r) * W + x0 + w), r * w);
        return dst;
      });
      return { window: clipped, width: w, height: h, bands: out };
    }
    if (!cache) return { window: clipped, width: w, height: h, bands: await this.decode(clipped, bands, opts) };
    // Large file with a cache: let geotiff keep decoded tiles, then trim to this file's share of the budget.
    if (!this.image.tiles) this.image.tiles = [];
    try {
      return { window: clipped, width: w, height: h, bands: await this.decode(clipped, bands, opts) };
    } finally {
      this.trimTiles(cache);
    }
  }

  private cachedTiles: number[] = [];

  /** Bytes of one decoded block as geotiff caches it (all bands for pixel-interleaved files). */
  private blockBytes(): number {
    const { blockWidth, blockHeight, planar, dtypes } = this.layout;
    const perPixel = planar === 1 ? dtypes.reduce((s, d) => s + decodedBytesPerValue(d), 0) : Math.max(...dtypes.map(decodedBytesPerValue));
    return blockWidth * blockHeight * perPixel;
  }

  private trimTiles(cache: DecodeCache): void {
    const tiles = this.image.tiles;
    if (!tiles) return;
    const known = new Set(this.cachedTiles);
    for (const k of Object.keys(tiles)) {
      const i = Number(k);
      if (!known.has(i)) this.cachedTiles.push(i);
    }
    const per = this.blockBytes();
    const cap = Math.max(per, Math.floor(cache.maxBytes / 2));
    while (this.cachedTiles.length * per > cap) {
      const oldest = this.cachedTiles.shift() as number;
      delete tiles[oldest];
    }
    cache.noteTiles(this, this.cachedTiles.length * per);
  }

  /** Forgets decoded tiles (called by DecodeCache when evicting this file). */
  dropTileCache(): void {
    this.cachedTiles = [];
    if (this.image.tiles) this.image.tiles = [];
  }

  private async decode(win: PixelWindow, bands: number[], opts: ReadOptions): Promise<PixelArray[]> {
    const t0 = performance.now();
    let result: PixelArray[];
    try {
      // A copy of `bands`: geotiff pushes into an empty samples array (data.md §1.12 quirk 3).
      const r = await this.image.readRasters({ window: [...win], samples: [...bands], pool: opts.pool ?? null, signal: opts.signal, interleave: false });
      result = Array.from(r as unknown as PixelArray[]);
    } catch (e) {
      throw toDataError(this.name, e, `decoding window [${win.join(', ')}]`);
    }
    const expected = (win[2] - win[0]) * (win[3] - win[1]);
    if (result.length !== bands.length || result.some((a) => a.length !== expected)) {
      throw new DataError(this.name, 'corrupt', `decoding window [${win.join(', ')}] returned arrays of the wrong size (damaged tiles?)`);
    }
    if (this.io) {
      this.io.bytesDecoded += result.reduce((s, a) => s + a.byteLength, 0);
      this.io.decodeCalls += 1;
      this.io.decodeMs += performance.now() - t0;
    }
    return result;
  }

  async close(): Promise<void> {
    await this.tiff.close();
  }
}
