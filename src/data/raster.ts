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
import { getDecoder, type BaseDecoder, type DecoderWorker, type GeoTIFF, type GeoTIFFImage, type Pool } from 'geotiff';
import { DataError, toDataError } from './errors';
import { computeGeoref, type Georef } from './georef';
import type { CrsInfo } from './crs';
import { countingSource, openGeoTiff, readAheadSource, type ByteCounter, type ByteSource, type ReadAheadSource } from './source';
import { decodedBytesPerValue, readLayout, readMeta, type TiffLayout, type TiffMeta } from './tiffInfo';

export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** I/O accounting shared by all files of a dataset (bench and memory tests read it). */
export interface IoStats extends ByteCounter {
  /** Bytes of decoded pixel arrays returned by geotiff (what readRasters allocated). */
  bytesDecoded: number;
  decodeCalls: number;
  decodeMs: number;
  /** When present, every decode is appended here (the bench replays exactly these reads with plain geotiff). */
  log?: DecodeRecord[];
}

/** One decode of a file: what `readRasters({ window, samples })` would have been asked for. */
export interface DecodeRecord {
  /** The file's ByteSource name. */
  file: string;
  window: PixelWindow;
  bands: number[];
}

export function newIoStats(withLog = false): IoStats {
  return { bytes: 0, requests: 0, bytesDecoded: 0, decodeCalls: 0, decodeMs: 0, ...(withLog ? { log: [] } : {}) };
}

/** [x0, y0, x1, y1] in pixels, x1/y1 exclusive. */
export type PixelWindow = readonly [number, number, number, number];

/** A RawWindow whose pixel (r, c) of band k is bands[k][offset + r·stride + c] (see RasterFile.readRegion). */
export interface RawRegion extends RawWindow {
  offset: number;
  stride: number;
}

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

/** Compressions whose decoded blocks hold plain samples in the file's layout (the fast window assembly handles them). */
const PLAIN_BLOCK_CODECS = new Set([1, 5, 8, 32946, 32773, 50000]);
/** geotiff's Pool decodes these on the calling thread anyway (`preferWorker: false`): raw and WebP. */
const INLINE_CODECS = new Set([1, 50001]);
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type TypedCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => PixelArray;

/** How the fast path reads this file's blocks; null when geotiff's own readRasters must do it. */
interface BlockPlan {
  tileWidth: number;
  tileHeight: number;
  samplesPerPixel: number;
  planar: 1 | 2;
  /** Per sample: the typed array over a decoded block (same type readRasters returns for it). */
  ctors: TypedCtor[];
  /** Big-endian file: multi-byte samples are byte-swapped into a copy of the block before they are read. */
  swap: boolean;
}

/** `Ctor` over `block`, whose samples are in the file's byte order (swapped into a copy when that is big-endian). */
function blockView(block: ArrayBufferLike, Ctor: TypedCtor, swap: boolean): PixelArray {
  const bpe = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const n = Math.floor(block.byteLength / bpe);
  if (!swap || bpe === 1) return new Ctor(block, 0, n);
  const src = new Uint8Array(block, 0, n * bpe);
  const dst = new Uint8Array(n * bpe);
  for (let i = 0; i < dst.length; i += bpe) for (let j = 0; j < bpe; j++) dst[i + j] = src[i + bpe - 1 - j];
  return new Ctor(dst.buffer, 0, n);
}

interface DecoderBinding {
  compression: number;
  params: unknown;
  inline: BaseDecoder;
}

/** Decoder classes by compression, learned from geotiff's getDecoder (which imports the codec module on every call). */
const decoderClasses = new Map<number, new (params: unknown) => BaseDecoder>();

/** A decoder instance for `params` (what geotiff's getDecoder returns), without a module import once the class is known. */
async function inlineDecoder(compression: number, params: unknown): Promise<BaseDecoder> {
  const Known = decoderClasses.get(compression);
  if (Known) return new Known(params);
  const d = await getDecoder(compression, params as Parameters<typeof getDecoder>[1]);
  if (PLAIN_BLOCK_CODECS.has(compression)) decoderClasses.set(compression, d.constructor as new (params: unknown) => BaseDecoder);
  return d;
}

/** The message a DataView read past the end of a block throws (what geotiff's readRasters raises for short blocks). */
const OUT_OF_BOUNDS = 'Offset is outside the bounds of the DataView';

export class RasterFile {
  private constructor(
    readonly source: ByteSource,
    readonly tiff: GeoTIFF,
    readonly image: GeoTIFFImage,
    readonly layout: TiffLayout,
    readonly meta: TiffMeta,
    readonly georef: Georef,
    private readonly io: IoStats | null,
    private readonly ahead: ReadAheadSource | null,
  ) {}

  get name(): string {
    return this.source.name;
  }

  /** Opens and validates a file; throws DataError. */
  static async open(src: ByteSource, opts: OpenOptions = {}): Promise<RasterFile> {
    const io = opts.io ?? null;
    const counted = io ? countingSource(src, io) : src;
    // Header, directory, offset tables (and all of a small file) in one read; see readAheadSource.
    const ahead = readAheadSource(counted);
    const tiff = await openGeoTiff(ahead, opts.signal);
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
    return new RasterFile(ahead, tiff, image, layout, meta, georef, io, ahead);
  }

  /**
   * Drops the bytes kept from opening (the first 64 KB, or all of a small file); later reads fetch from the source.
   * Inspection calls it once the file's record is built, so an open dataset does not hold them.
   */
  releaseReadAhead(): void {
    this.ahead?.release();
  }

  /** Reads `win` (clipped to the image) for the given bands. */
  async readWindow(win: PixelWindow, opts: ReadOptions = {}): Promise<RawWindow> {
    const r = await this.readRegion(win, opts);
    if (r.offset === 0 && r.stride === r.width) return { window: r.window, width: r.width, height: r.height, bands: r.bands };
    const { width: w, height: h, offset, stride } = r;
    const out = r.bands.map((src) => {
      const dst = new (src.constructor as new (n: number) => PixelArray)(w * h);
      for (let y = 0; y < h; y++) dst.set(src.subarray(offset + y * stride, offset + y * stride + w), y * w);
      return dst;
    });
    return { window: r.window, width: w, height: h, bands: out };
  }

  /**
   * Like readWindow, but a window of a file held whole in the cache comes back in place, without a copy: pixel (r, c)
   * of band k is bands[k][offset + r·stride + c]. The arrays may be the cache's own: read-only for the caller.
   */
  async readRegion(win: PixelWindow, opts: ReadOptions = {}): Promise<RawRegion> {
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
    if (w === 0 || h === 0) return { window: clipped, width: w, height: h, bands: bands.map(() => new Float32Array(0)), offset: 0, stride: w };

    const cache = opts.cache ?? null;
    if (cache && this.layout.decodedBytes <= cache.wholeFileLimit) {
      let whole = cache.get(this);
      if (!whole) {
        whole = await this.decode([0, 0, W, H], Array.from({ length: this.layout.bandCount }, (_, i) => i), opts);
        cache.put(this, whole);
      }
      return { window: clipped, width: w, height: h, bands: bands.map((b) => whole[b]), offset: y0 * W + x0, stride: W };
    }
    if (!cache) return { window: clipped, width: w, height: h, bands: await this.decode(clipped, bands, opts), offset: 0, stride: w };
    // Large file with a cache: let geotiff keep decoded tiles, then trim to this file's share of the budget.
    if (!this.image.tiles) this.image.tiles = [];
    try {
      return { window: clipped, width: w, height: h, bands: await this.decode(clipped, bands, opts), offset: 0, stride: w };
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
      const plan = this.blockPlan();
      if (plan) {
        result = await this.assemble(plan, win, bands, opts);
      } else {
        // A copy of `bands`: geotiff pushes into an empty samples array (data.md §1.12 quirk 3).
        const r = await this.image.readRasters({ window: [...win], samples: [...bands], pool: opts.pool ?? null, signal: opts.signal, interleave: false });
        result = Array.from(r as unknown as PixelArray[]);
      }
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
      this.io.log?.push({ file: this.name, window: [...win], bands: [...bands] });
    }
    return result;
  }

  private plan: BlockPlan | null | undefined;

  /**
   * The fast path applies (on a little-endian host) to files whose samples are whole 8/16/32/64-bit values of one
   * width (pixel-interleaved) or any widths (band-separate), compressed with a codec whose decoded block is the plain
   * sample layout; big-endian blocks are byte-swapped. Float16, n-bit, JPEG, LERC and WebP files use readRasters.
   */
  private blockPlan(): BlockPlan | null {
    if (this.plan !== undefined) return this.plan;
    this.plan = null;
    const im = this.image;
    const { compression, planar, bandCount } = this.layout;
    if (!HOST_LITTLE_ENDIAN || !PLAIN_BLOCK_CODECS.has(compression)) return null;
    const ctors: TypedCtor[] = [];
    const bits: number[] = [];
    for (let s = 0; s < bandCount; s++) {
      const format = im.getSampleFormat(s);
      const nb = im.getBitsPerSample(s);
      if (!(format === 1 || format === 2 || format === 3) || !(nb === 8 || nb === 16 || nb === 32 || nb === 64)) return null;
      if (format !== 3 && nb === 64) return null;
      const probe = im.getArrayForSample(s, 0) as PixelArray;
      if (probe.BYTES_PER_ELEMENT * 8 !== nb) return null;
      ctors.push(probe.constructor as TypedCtor);
      bits.push(nb);
    }
    if (planar === 1 && bits.some((b) => b !== bits[0])) return null;
    this.plan = { tileWidth: im.getTileWidth(), tileHeight: im.getTileHeight(), samplesPerPixel: bandCount, planar, ctors, swap: !im.littleEndian };
    return this.plan;
  }

  private binding: Promise<DecoderBinding> | null = null;

  /**
   * The decoder readRasters would use, found once per file: geotiff's own parameter lookup runs through a
   * zero-pixel readRasters whose "pool" only records what it is given. One decoder instance then serves every block
   * of the file (geotiff's readRasters fetches the decoder module again on every call).
   */
  private decoderBinding(): Promise<DecoderBinding> {
    this.binding ??= (async () => {
      let compression = 1;
      let params: unknown = null;
      const recorder = {
        bindParameters(c: number, p: unknown): DecoderWorker {
          compression = c;
          params = p;
          return { decode: async () => new ArrayBuffer(0) } as unknown as DecoderWorker;
        },
      };
      await this.image.readRasters({ window: [0, 0, 0, 0], samples: [0], pool: recorder as unknown as Pool, interleave: false });
      return { compression, params, inline: await inlineDecoder(compression, params) };
    })();
    this.binding.catch(() => {
      this.binding = null;
    });
    return this.binding;
  }

  /**
   * readRasters({ window, samples, interleave: false }) with the same blocks (image.getTileOrStrip: geotiff's fetch,
   * decoder or Pool, tile cache and empty-block fill), copied into the output with typed-array loops instead of one
   * DataView call per value. Byte-identical to readRasters (raster.test.ts checks it on every real file).
   */
  private async assemble(plan: BlockPlan, win: PixelWindow, bands: number[], opts: ReadOptions): Promise<PixelArray[]> {
    const im = this.image;
    const { width: W, height: H } = this.layout;
    const { tileWidth: tw, tileHeight: th, samplesPerPixel: spp, planar, ctors, swap } = plan;
    const [x0, y0, x1, y1] = win;
    const w = x1 - x0;
    const out = bands.map((b) => im.getArrayForSample(b, w * (y1 - y0)) as PixelArray);
    const binding = await this.decoderBinding();
    const pool = opts.pool ?? null;
    const decoder: DecoderWorker | BaseDecoder = pool && !INLINE_CODECS.has(binding.compression) ? pool.bindParameters(binding.compression, binding.params as never) : binding.inline;
    const minXT = Math.max(Math.floor(x0 / tw), 0);
    const maxXT = Math.min(Math.ceil(x1 / tw), Math.ceil(W / tw));
    const minYT = Math.max(Math.floor(y0 / th), 0);
    const maxYT = Math.min(Math.ceil(y1 / th), Math.ceil(H / th));
    const copy = (src: PixelArray, tx: number, ty: number, k: number, stride: number, offset: number) => {
      const dst = out[k];
      const firstLine = ty * th;
      const firstCol = tx * tw;
      const blockHeight = im.getBlockHeight(ty);
      const ya = Math.max(y0, firstLine);
      const yb = Math.min(y1, firstLine + blockHeight, H);
      const xa = Math.max(x0, firstCol);
      const xb = Math.min(x1, firstCol + tw, W);
      if (yb <= ya || xb <= xa) return;
      const last = ((yb - 1 - firstLine) * tw + (xb - 1 - firstCol)) * stride + offset;
      if (last >= src.length) throw new RangeError(OUT_OF_BOUNDS);
      const n = xb - xa;
      for (let y = ya; y < yb; y++) {
        const si = ((y - firstLine) * tw + (xa - firstCol)) * stride + offset;
        const di = (y - y0) * w + (xa - x0);
        if (stride === 1) dst.set(src.subarray(si, si + n), di);
        else for (let i = 0; i < n; i++) dst[di + i] = src[si + i * stride];
      }
    };
    const jobs: Promise<void>[] = [];
    for (let ty = minYT; ty < maxYT; ty++) {
      for (let tx = minXT; tx < maxXT; tx++) {
        if (planar === 1) {
          jobs.push(
            im.getTileOrStrip(tx, ty, 0, decoder, opts.signal).then((t) => {
              // Pixel-interleaved samples share one width, hence one view (one swap) for every band.
              const src = blockView(t.data, ctors[bands[0]], swap);
              for (let k = 0; k < bands.length; k++) copy(src, tx, ty, k, spp, bands[k]);
            }),
          );
        } else {
          for (let k = 0; k < bands.length; k++) {
            jobs.push(im.getTileOrStrip(tx, ty, bands[k], decoder, opts.signal).then((t) => copy(blockView(t.data, ctors[bands[k]], swap), tx, ty, k, 1, 0)));
          }
        }
      }
    }
    await Promise.all(jobs);
    return out;
  }

  async close(): Promise<void> {
    await this.tiff.close();
  }
}
