/**
 * What a TIFF file's directory says before any pixel is decoded: layout (size, bands, data type, compression, tiling),
 * and GDAL metadata (nodata, band descriptions, scale/offset, dates). Refuses files geotiff.js cannot decode with a
 * reason, up front, instead of letting a decoder fail halfway through a training run.
 *
 * Checks done here: data types geotiff.js 3.0.5 decodes (u/int 8–32, n-bit unsigned, float 16/32/64; int64 and
 * complex refused), registered codecs (JPEG 2000, old-style JPEG, JPEG XL, LZMA refused; WebP only where
 * createImageBitmap + a canvas exist), plausible dimensions, and that every tile/strip lies inside the file — the
 * check that turns a truncated download into "truncated at byte N" rather than a RangeError deep in a decoder.
 * Invariants: `readLayout` throws only DataError; `readMeta` never throws (bad metadata becomes warnings).
 * Reference: TIFF 6.0 spec; GDAL GTiff driver (GDAL_NODATA 42113, GDAL_METADATA 42112); /work/shared/docs/data.md §1.5–§1.9.
 */
import type { GeoTIFF, GeoTIFFImage } from 'geotiff';
import { DataError, compressionName, isJpeg2000Compression } from './errors';

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float16' | 'float32' | 'float64' | `uint${number}`;

export interface TiffLayout {
  width: number;
  height: number;
  bandCount: number;
  /** Data type of each band (they may differ). */
  dtypes: DType[];
  /** The single dtype name when all bands agree, otherwise 'mixed'. */
  dtype: DType | 'mixed';
  compression: number;
  compressionName: string;
  predictor: number;
  planar: 1 | 2;
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  blockCount: number;
  photometric: number | null;
  /** 0-based index of an alpha band (ExtraSamples 1 or 2), which becomes a validity mask, not a spectral band. */
  alphaBand: number | null;
  /** Number of IFDs in the file (full resolution + overviews + any other pages). */
  imageCount: number;
  bigTiff: boolean;
  /** Bytes one full decode of all bands would take (what a whole-file read allocates). */
  decodedBytes: number;
}

export interface TiffMeta {
  nodata: number | null;
  nodataRaw: string | null;
  bandDescriptions: (string | null)[];
  colorInterp: (string | null)[];
  bandScale: number[];
  bandOffset: number[];
  /** Dataset-level GDAL metadata items (all domains), e.g. TIFFTAG_DATETIME, AREA_OR_POINT. */
  datasetMetadata: Record<string, string>;
  /** TIFF DateTime tag (306) without the trailing NUL, e.g. "2017:02:16 10:21:01". */
  dateTime: string | null;
  warnings: string[];
}

const MAX_DIM = 1 << 20;

export function dtypeOf(sampleFormat: number, bits: number): DType | null {
  if (sampleFormat === 1 || sampleFormat === 4) {
    if (bits === 8 || bits === 16 || bits === 32) return `uint${bits}` as DType;
    if (bits >= 1 && bits < 32) return `uint${bits}`;
    return null;
  }
  if (sampleFormat === 2) return bits === 8 || bits === 16 || bits === 32 ? (`int${bits}` as DType) : null;
  if (sampleFormat === 3) return bits === 16 || bits === 32 || bits === 64 ? (`float${bits}` as DType) : null;
  return null;
}

/** Bytes per decoded value as geotiff.js returns it (float16 comes back as Float32Array, n-bit as the next size up). */
export function decodedBytesPerValue(dtype: DType): number {
  switch (dtype) {
    case 'uint8':
    case 'int8':
      return 1;
    case 'uint16':
    case 'int16':
      return 2;
    case 'float64':
      return 8;
    case 'uint32':
    case 'int32':
    case 'float32':
    case 'float16':
      return 4;
    default: {
      const n = Number(dtype.slice(4));
      return n <= 8 ? 1 : n <= 16 ? 2 : 4;
    }
  }
}

/** Inclusive value range of an integer dtype; null for floats. */
export function integerRange(dtype: DType): [number, number] | null {
  switch (dtype) {
    case 'int8':
      return [-128, 127];
    case 'int16':
      return [-32768, 32767];
    case 'int32':
      return [-2147483648, 2147483647];
    case 'float16':
    case 'float32':
    case 'float64':
      return null;
    default:
      return [0, 2 ** Number(dtype.slice(4)) - 1];
  }
}

function arr(v: unknown): number[] {
  if (v == null) return [];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number>, Number);
  return [Number(v)];
}

type FD = GeoTIFFImage['fileDirectory'];

async function tagNumbers(fd: FD, name: string): Promise<number[]> {
  if (!fd.hasTag(name as never)) return [];
  return arr(await fd.loadValue(name as never));
}

function canDecodeWebP(): boolean {
  return typeof createImageBitmap !== 'undefined' && (typeof document !== 'undefined' || typeof OffscreenCanvas !== 'undefined');
}

/**
 * Number of IFDs, following next-IFD links with a cap and cycle detection: a damaged file whose next-IFD pointer
 * loops back would make geotiff's own `getImageCount()` spin forever. A broken link after image 0 ends the count.
 */
async function countImages(tiff: GeoTIFF, fileSize: number, cap = 256): Promise<number> {
  const seen = new Set<number>([tiff.firstIFDOffset]);
  let count = 0;
  try {
    for (let i = 0; i < cap; i++) {
      const ifd = await tiff.requestIFD(i);
      count = i + 1;
      const next = ifd.nextIFDByteOffset;
      if (!next || next >= fileSize || seen.has(next)) break;
      seen.add(next);
    }
  } catch {
    // Image 0 was already parsed by the caller; a damaged later directory only ends the count.
  }
  return Math.max(1, count);
}

/**
 * Reads and validates the structure of image 0. `fileSize` bounds the tile/strip offsets.
 * Throws DataError('unsupported-*' | 'truncated' | 'corrupt').
 */
export async function readLayout(file: string, tiff: GeoTIFF, image: GeoTIFFImage, fileSize: number): Promise<TiffLayout> {
  const fd = image.fileDirectory;
  const width = image.getWidth();
  const height = image.getHeight();
  if (!(width > 0 && height > 0 && width <= MAX_DIM && height <= MAX_DIM)) {
    throw new DataError(file, 'corrupt', `has implausible dimensions ${width} × ${height} pixels (directory damaged?)`);
  }
  const bandCount = image.getSamplesPerPixel();
  if (!(bandCount >= 1 && bandCount <= 4096)) throw new DataError(file, 'corrupt', `has an implausible band count ${bandCount}`);
  const bits = await tagNumbers(fd, 'BitsPerSample');
  const formats = await tagNumbers(fd, 'SampleFormat');
  const dtypes: DType[] = [];
  for (let b = 0; b < bandCount; b++) {
    const nb = bits[b] ?? bits[0] ?? 1;
    const sf = formats[b] ?? formats[0] ?? 1;
    const dt = dtypeOf(sf, nb);
    if (!dt) {
      const what =
        sf === 2 && nb === 64
          ? '64-bit signed integers (int64)'
          : (sf === 1 || sf === 4) && nb === 64
            ? '64-bit unsigned integers (uint64)'
            : sf === 5 || sf === 6
              ? `complex ${sf === 5 ? 'integer' : 'float'} samples`
              : `${nb}-bit samples of format ${sf}`;
      throw new DataError(file, 'unsupported-dtype', `band ${b + 1} holds ${what}, which geotiff.js cannot decode; convert it (e.g. \`gdal_translate -ot Int32\` or \`-ot Float64\`)`);
    }
    dtypes.push(dt);
  }
  const compression = fd.hasTag('Compression') ? Number(fd.getValue('Compression')) : 1;
  if (isJpeg2000Compression(compression)) {
    throw new DataError(file, 'unsupported-compression', `uses JPEG 2000 compression (TIFF code ${compression}), which geotiff.js cannot decode; re-save with \`gdal_translate -co COMPRESS=DEFLATE\``);
  }
  if (compression === 6) {
    throw new DataError(file, 'unsupported-compression', 'uses old-style JPEG compression (TIFF code 6), which geotiff.js cannot decode; re-save with `gdal_translate -co COMPRESS=DEFLATE`');
  }
  const supported = new Set([1, 5, 7, 8, 32946, 32773, 34887, 50000, 50001]);
  if (!supported.has(compression)) {
    throw new DataError(file, 'unsupported-compression', `uses ${compressionName(compression)} compression (TIFF code ${compression}), which geotiff.js cannot decode; re-save with Deflate, LZW or ZSTD`);
  }
  if (compression === 50001 && !canDecodeWebP()) {
    throw new DataError(file, 'unsupported-compression', 'uses WebP compression, which geotiff.js decodes only where createImageBitmap and a canvas exist (a browser window), not in Node');
  }
  const predictor = fd.hasTag('Predictor') ? Number(await fd.loadValue('Predictor')) : 1;
  if (predictor !== 1) {
    const nb = bits.length ? bits : [8];
    if (nb.some((b) => b % 8 !== 0 || b !== nb[0])) {
      throw new DataError(file, 'unsupported-layout', `uses predictor ${predictor} with bit depths [${nb.join(', ')}]; geotiff.js needs whole bytes and the same depth in every band`);
    }
    if (predictor !== 2 && predictor !== 3) throw new DataError(file, 'unsupported-layout', `uses unknown predictor ${predictor}`);
  }
  const planarRaw = fd.hasTag('PlanarConfiguration') ? Number(fd.getValue('PlanarConfiguration')) : 1;
  if (planarRaw !== 1 && planarRaw !== 2) throw new DataError(file, 'corrupt', `has an invalid PlanarConfiguration ${planarRaw}`);
  const planar = planarRaw as 1 | 2;
  const tiled = !fd.hasTag('StripOffsets');
  const blockWidth = image.getTileWidth();
  const blockHeight = image.getTileHeight();
  if (!(blockWidth >= 1 && blockHeight >= 1 && Number.isFinite(blockWidth) && Number.isFinite(blockHeight))) {
    throw new DataError(file, 'corrupt', `has an invalid ${tiled ? 'tile' : 'strip'} size ${blockWidth} × ${blockHeight}`);
  }
  const across = Math.ceil(width / blockWidth);
  const down = Math.ceil(height / blockHeight);
  const blockCount = across * down * (planar === 2 ? bandCount : 1);
  const offsetsTag = tiled ? 'TileOffsets' : 'StripOffsets';
  const countsTag = tiled ? 'TileByteCounts' : 'StripByteCounts';
  if (!fd.hasTag(offsetsTag as never) || !fd.hasTag(countsTag as never)) {
    throw new DataError(file, 'corrupt', `has no ${offsetsTag}/${countsTag}: the pixel data cannot be located`);
  }
  let offsets: number[];
  let counts: number[];
  try {
    offsets = await tagNumbers(fd, offsetsTag);
    counts = await tagNumbers(fd, countsTag);
  } catch (e) {
    throw new DataError(file, 'truncated', `is truncated or damaged: its ${offsetsTag} table cannot be read (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (offsets.length < blockCount || counts.length < blockCount) {
    throw new DataError(file, 'corrupt', `lists ${Math.min(offsets.length, counts.length)} ${tiled ? 'tiles' : 'strips'} but a ${width} × ${height} image with ${blockWidth} × ${blockHeight} blocks needs ${blockCount}`);
  }
  let beyond = 0;
  let firstBeyond = -1;
  for (let i = 0; i < blockCount; i++) {
    if (counts[i] === 0) continue;
    if (offsets[i] < 8 || !Number.isFinite(offsets[i]) || !Number.isFinite(counts[i])) {
      throw new DataError(file, 'corrupt', `has an invalid offset ${offsets[i]} for ${tiled ? 'tile' : 'strip'} ${i}`);
    }
    if (offsets[i] + counts[i] > fileSize) {
      beyond++;
      if (firstBeyond < 0) firstBeyond = i;
    }
  }
  if (beyond > 0) {
    const end = offsets[firstBeyond] + counts[firstBeyond];
    throw new DataError(file, 'truncated', `is truncated: ${beyond} of ${blockCount} ${tiled ? 'tiles' : 'strips'} lie past the end of the file (${tiled ? 'tile' : 'strip'} ${firstBeyond} needs bytes up to ${end}, the file has ${fileSize})`);
  }
  const extra = await tagNumbers(fd, 'ExtraSamples');
  const photometric = fd.hasTag('PhotometricInterpretation') ? Number(await fd.loadValue('PhotometricInterpretation')) : null;
  let alphaBand: number | null = null;
  const firstExtra = bandCount - extra.length;
  extra.forEach((kind, i) => {
    if ((kind === 1 || kind === 2) && alphaBand === null) alphaBand = firstExtra + i;
  });
  const imageCount = await countImages(tiff, fileSize);
  const decodedBytes = width * height * dtypes.reduce((s, d) => s + decodedBytesPerValue(d), 0);
  return {
    width,
    height,
    bandCount,
    dtypes,
    dtype: dtypes.every((d) => d === dtypes[0]) ? dtypes[0] : 'mixed',
    compression,
    compressionName: compressionName(compression),
    predictor,
    planar,
    tiled,
    blockWidth,
    blockHeight,
    blockCount,
    photometric,
    alphaBand,
    imageCount,
    bigTiff: Boolean((tiff as unknown as { bigTiff?: boolean }).bigTiff),
    decodedBytes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GDAL metadata

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}

export interface GdalItem {
  name: string;
  value: string;
  sample: number | null;
  role: string | null;
  domain: string | null;
}

/** Parses GDAL_METADATA XML (`<GDALMetadata><Item name=".." sample="0" role="..">value</Item>…`). */
export function parseGdalMetadata(xml: string): GdalItem[] {
  const items: GdalItem[] = [];
  const re = /<Item\s+([^>]*?)\s*(?:\/>|>([\s\S]*?)<\/Item>)/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = unescapeXml(a[2]);
    if (!attrs.name) continue;
    items.push({
      name: attrs.name,
      value: unescapeXml(m[2] ?? '').trim(),
      sample: attrs.sample !== undefined ? Number(attrs.sample) : null,
      role: attrs.role ?? null,
      domain: attrs.domain ?? null,
    });
  }
  return items;
}

/**
 * Parses GDAL_NODATA for a dtype. Returns null (with a warning) for values the dtype cannot hold, e.g. -9999 on a
 * uint8 Fmask band (seen in eo-box and MAESTRO files), because such a value can never match a pixel.
 */
export function parseNodata(raw: string | null, dtypes: DType[]): { value: number | null; warning: string | null } {
  if (raw == null) return { value: null, warning: null };
  const text = raw.replace(/\0/g, '').trim();
  if (text === '') return { value: null, warning: null };
  const lower = text.toLowerCase();
  const v = lower === 'nan' || lower === '-nan' ? NaN : lower === 'inf' ? Infinity : lower === '-inf' ? -Infinity : Number(text);
  if (Number.isNaN(v) && !/nan/.test(lower)) return { value: null, warning: `GDAL_NODATA "${text}" is not a number; ignored` };
  for (const dt of dtypes) {
    const range = integerRange(dt);
    if (!range) continue;
    if (!Number.isFinite(v) || !Number.isInteger(v) || v < range[0] || v > range[1]) {
      return { value: null, warning: `GDAL_NODATA ${text} cannot occur in ${dt} data (range ${range[0]}…${range[1]}); ignored` };
    }
  }
  if (dtypes.some((d) => d === 'float32' || d === 'float16') && Number.isFinite(v) && Math.abs(v) > 3.4028234663852886e38 * 1.0000001) {
    return { value: null, warning: `GDAL_NODATA ${text} is outside the float32 range; ignored` };
  }
  if (dtypes.some((d) => d === 'float32') && Number.isFinite(v)) {
    // float32 pixels hold Math.fround(v): compare against that, or -3.4028e38-style nodata never matches.
    return { value: Math.fround(v), warning: null };
  }
  return { value: v, warning: null };
}

function tiffText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.replace(/\0+$/g, '').trim();
  return t === '' ? null : t;
}

/** GDAL metadata, nodata and date tags of image 0; problems become warnings. */
export async function readMeta(image: GeoTIFFImage, layout: TiffLayout): Promise<TiffMeta> {
  const fd = image.fileDirectory;
  const warnings: string[] = [];
  const n = layout.bandCount;
  const meta: TiffMeta = {
    nodata: null,
    nodataRaw: null,
    bandDescriptions: new Array<string | null>(n).fill(null),
    colorInterp: new Array<string | null>(n).fill(null),
    bandScale: new Array<number>(n).fill(1),
    bandOffset: new Array<number>(n).fill(0),
    datasetMetadata: {},
    dateTime: null,
    warnings,
  };
  if (fd.hasTag('GDAL_NODATA')) {
    const raw = tiffText(fd.getValue('GDAL_NODATA'));
    meta.nodataRaw = raw;
    const parsed = parseNodata(raw, layout.dtypes);
    meta.nodata = parsed.value;
    if (parsed.warning) warnings.push(parsed.warning);
  }
  if (fd.hasTag('GDAL_METADATA')) {
    try {
      const xml = String(await fd.loadValue('GDAL_METADATA'));
      for (const item of parseGdalMetadata(xml)) {
        if (item.sample === null) {
          meta.datasetMetadata[item.domain ? `${item.domain}:${item.name}` : item.name] = item.value;
          continue;
        }
        const b = item.sample;
        if (!(b >= 0 && b < n)) continue;
        const key = item.name.toUpperCase();
        if (key === 'DESCRIPTION' && item.value) meta.bandDescriptions[b] = item.value;
        else if (key === 'COLORINTERP' && item.value) meta.colorInterp[b] = item.value;
        else if (key === 'SCALE' && Number.isFinite(Number(item.value)) && item.value !== '') meta.bandScale[b] = Number(item.value);
        else if (key === 'OFFSET' && Number.isFinite(Number(item.value)) && item.value !== '') meta.bandOffset[b] = Number(item.value);
      }
    } catch (e) {
      warnings.push(`GDAL_METADATA could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (fd.hasTag('DateTime')) {
    try {
      meta.dateTime = tiffText(await fd.loadValue('DateTime'));
    } catch (e) {
      warnings.push(`DateTime tag could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return meta;
}
