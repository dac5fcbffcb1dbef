/**
 * Deflate blocks decoded on the calling thread with fflate into a buffer of the block's known size, in place of
 * geotiff's pako decoder (which grows 64 KB output chunks and a 32 KB window per call, then flattens them).
 *
 * Why: a folder of small files (the 105-date Landsat series: 420 files of one 61 × 61 block each) spends most of its
 * decode time in per-call set-up and garbage; with the output size known up front fflate allocates only the result.
 * Measured in Node on this repository's 2-core VM: the 420 Landsat files decode in 36 ms instead of 44 ms, and the
 * whole preparation of the 13-band Sentinel-2 scene (uint16, predictor 2) takes 15–18 % less time (docs/readme-data.md).
 * Semantics kept from geotiff's DeflateDecoder: the same bytes for every valid zlib stream (predictors are applied by
 * geotiff's BaseDecoder.decode, as before); a stream fflate refuses is handed to geotiff's own decoder, so broken
 * data fails with readRasters' error. A stream longer than a whole block is cut at the block size (readRasters never
 * reads past it); a shorter one (the last strip of a strip-organised file) comes back at its own length.
 * Not verified here: the zlib Adler-32 trailer (pako checks it; a corruption that still inflates gives wrong pixels
 * instead of an error). Worker Pools keep geotiff's decoder: this runs only where blocks are decoded inline.
 * Reference: RFC 1950/1951; geotiff.js 3.0.5 src/compression/{basedecoder,deflate}.js; fflate 0.8 unzlibSync.
 */
import { unzlibSync } from 'fflate';
import { BaseDecoder } from 'geotiff';

/** What geotiff's getDecoderParameters gives a decoder (geotiff's BaseDecoderParameters). */
export interface BlockDecoderParams {
  tileWidth: number;
  tileHeight: number;
  predictor: number;
  bitsPerSample: number | ArrayLike<number>;
  planarConfiguration: number;
}

/** Bytes of one whole decoded block: every sample of a pixel (interleaved) or the widest one (band-separate). */
export function blockCapacity(p: BlockDecoderParams): number | null {
  const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
  if (bits.length === 0 || bits.some((b) => !(b > 0 && b % 8 === 0))) return null;
  const perPixel = p.planarConfiguration === 2 ? Math.max(...bits) / 8 : bits.reduce((s, b) => s + b / 8, 0);
  const n = p.tileWidth * p.tileHeight * perPixel;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export class FflateDeflateDecoder extends BaseDecoder {
  private readonly capacity: number;

  /** `fallback`: geotiff's own decoder for the same parameters, for the streams fflate refuses. */
  constructor(
    params: BlockDecoderParams,
    private readonly fallback: () => Promise<BaseDecoder>,
  ) {
    super(params as never);
    this.capacity = blockCapacity(params) ?? 0;
  }

  /** A decoder for `params`, or null when the block size cannot be known (n-bit samples). */
  static for(params: BlockDecoderParams, fallback: () => Promise<BaseDecoder>): FflateDeflateDecoder | null {
    return blockCapacity(params) === null ? null : new FflateDeflateDecoder(params, fallback);
  }

  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const out = new Uint8Array(this.capacity);
    let got: Uint8Array;
    try {
      got = unzlibSync(new Uint8Array(buffer), { out });
    } catch {
      return (await this.fallback()).decodeBlock(buffer);
    }
    return got.length === out.length ? out.buffer : out.slice(0, got.length).buffer;
  }
}
