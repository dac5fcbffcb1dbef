/**
 * Data-pipeline errors that name the file and the reason in words a user can act on.
 *
 * Invariants: every failure that leaves src/data for one input file is a DataError whose message starts with the
 * file's name, so one bad file in a dropped folder is reported on its own line and never takes the others down.
 * `toDataError` turns the raw exceptions geotiff.js throws (RangeError from DataView, pako's "invalid stored block
 * lengths", "Unknown compression method identifier: N", …) into one of a small set of reasons.
 * Reference: /work/shared/docs/data.md §1.5–§1.7 (codecs and data types geotiff.js 3.0.5 cannot decode).
 */

export type DataErrorReason =
  | 'not-tiff'
  | 'truncated'
  | 'corrupt'
  | 'unsupported-compression'
  | 'unsupported-dtype'
  | 'unsupported-layout'
  | 'no-georef'
  | 'all-nodata'
  | 'empty'
  | 'timeout'
  | 'aborted'
  | 'read-failed';

export class DataError extends Error {
  readonly file: string;
  readonly reason: DataErrorReason;
  /** The message without the file prefix, for UIs that show the file elsewhere. */
  readonly detail: string;

  constructor(file: string, reason: DataErrorReason, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
    this.name = 'DataError';
    this.file = file;
    this.reason = reason;
    this.detail = detail;
  }
}

/** Known file signatures, so "not a TIFF" can say what the file is instead. */
const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20], what: 'a JPEG 2000 (.jp2) file, which geotiff.js cannot decode; convert it with `gdal_translate -of GTiff`' },
  { bytes: [0xff, 0x4f, 0xff, 0x51], what: 'a raw JPEG 2000 codestream (.j2k), which geotiff.js cannot decode; convert it with `gdal_translate -of GTiff`' },
  { bytes: [0x89, 0x48, 0x44, 0x46], what: 'an HDF5 file (convert the dataset to GeoTIFF first)' },
  { bytes: [0x43, 0x44, 0x46], what: 'a NetCDF file (convert the variable to GeoTIFF first)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (unzip it and drop the .tif files inside)' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x3c, 0x3f, 0x78, 0x6d, 0x6c], what: 'an XML document (a .aux.xml or metadata file, not raster data)' },
];

/** Describes the first bytes of a file that is not a TIFF; null when nothing is recognised. */
export function sniffNonTiff(head: Uint8Array): string | null {
  for (const s of SIGNATURES) {
    if (head.length >= s.bytes.length && s.bytes.every((b, i) => head[i] === b)) return s.what;
  }
  return null;
}

export function hexHead(head: Uint8Array, n = 8): string {
  return Array.from(head.subarray(0, n), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

const JPEG2000_CODES = new Set([33003, 33004, 33005, 34712]);

/** Name of a TIFF Compression code as users know it. */
export function compressionName(code: number): string {
  const names: Record<number, string> = {
    1: 'none',
    2: 'CCITT RLE',
    3: 'CCITT G3',
    4: 'CCITT G4',
    5: 'LZW',
    6: 'old-style JPEG',
    7: 'JPEG',
    8: 'Deflate',
    32946: 'Deflate (Adobe)',
    32773: 'PackBits',
    34887: 'LERC',
    34925: 'LZMA',
    50000: 'ZSTD',
    50001: 'WebP',
    50002: 'JPEG XL',
  };
  if (JPEG2000_CODES.has(code)) return 'JPEG 2000';
  return names[code] ?? `code ${code}`;
}

export function isJpeg2000Compression(code: number): boolean {
  return JPEG2000_CODES.has(code);
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Wraps anything thrown while opening or decoding `file` into a DataError. `stage` says what was being done
 * ("opening", "reading tile data") so the message tells the user how far the file got.
 */
export function toDataError(file: string, e: unknown, stage = 'reading'): DataError {
  if (e instanceof DataError) return e;
  const msg = messageOf(e);
  const name = e instanceof Error ? e.name : '';
  if (name === 'AbortError' || /abort/i.test(msg)) return new DataError(file, 'aborted', `${stage} was cancelled`, { cause: e });
  if (/Invalid byte order value|Invalid magic number/.test(msg)) {
    return new DataError(file, 'not-tiff', 'not a TIFF file (the header has no TIFF byte-order mark and magic number)', { cause: e });
  }
  const codec = /Unknown compression method identifier: (\d+)/.exec(msg);
  if (codec) {
    const code = Number(codec[1]);
    return new DataError(file, 'unsupported-compression', `uses ${compressionName(code)} compression (TIFF code ${code}), which geotiff.js cannot decode; re-save it with Deflate, LZW or ZSTD`, { cause: e });
  }
  if (/old style JPEG/i.test(msg)) {
    return new DataError(file, 'unsupported-compression', 'uses old-style JPEG compression (TIFF code 6), which geotiff.js cannot decode; re-save it with `gdal_translate -co COMPRESS=DEFLATE`', { cause: e });
  }
  if (/Unsupported data format\/bitsPerSample/.test(msg)) {
    return new DataError(file, 'unsupported-dtype', 'has a pixel data type geotiff.js cannot decode (64-bit integers, complex numbers or an unusual bit depth)', { cause: e });
  }
  if (/WebImage|createImageBitmap|OffscreenCanvas/.test(msg)) {
    return new DataError(file, 'unsupported-compression', 'uses WebP compression, which can only be decoded in a browser window (not in Node or in this worker)', { cause: e });
  }
  if (e instanceof RangeError || /outside the bounds|Offset is outside|out of range|Invalid typed array length|Array buffer allocation failed/i.test(msg)) {
    return new DataError(file, 'corrupt', `is damaged or truncated: ${stage} ran past the data it points to (${msg})`, { cause: e });
  }
  if (/^(invalid |incorrect |too many |header crc)|unexpected end|corrupted code|Invalid LZW|Bogus entry|Huffman|marker was not found|unknown compression method|need dictionary|data error|Incomplete stream|ZSTD|lerc/i.test(msg)) {
    return new DataError(file, 'corrupt', `has corrupt compressed data: ${stage} failed in the decoder (${msg})`, { cause: e });
  }
  return new DataError(file, 'read-failed', `${stage} failed: ${msg}`, { cause: e });
}

/** Rejects with a 'timeout' DataError when `p` takes longer than `ms`; the timer never keeps the process alive. */
export async function withTimeout<T>(file: string, p: Promise<T>, ms: number, stage: string): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DataError(file, 'timeout', `${stage} took longer than ${(ms / 1000).toFixed(0)} s and was abandoned`)), ms);
    const t = timer as unknown as { unref?: () => void };
    t.unref?.();
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
