/**
 * The fflate deflate decoder against geotiff's own (pako) decoder on zlib streams made by node:zlib: the same bytes
 * for whole blocks, short last strips, stored (level 0) blocks and predictor 2; a longer stream keeps its first block
 * of bytes; a damaged stream fails with geotiff's error; block sizes from the decoder parameters.
 */
import { deflateSync } from 'node:zlib';
import { getDecoder, type BaseDecoder } from 'geotiff';
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { blockCapacity, FflateDeflateDecoder, type BlockDecoderParams } from './deflate';

const params = (o: Partial<BlockDecoderParams> = {}): BlockDecoderParams => ({ tileWidth: 16, tileHeight: 8, predictor: 1, bitsPerSample: [16, 16], planarConfiguration: 1, ...o });

/** Smooth-ish 16-bit samples (compressible like imagery), as bytes. */
function block(bytes: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const v = new Uint16Array(Math.ceil(bytes / 2));
  let x = 3000;
  for (let i = 0; i < v.length; i++) v[i] = x = Math.max(0, Math.min(65535, x + Math.round((rng.uniform() - 0.5) * 200)));
  return new Uint8Array(v.buffer, 0, bytes);
}

const zlib = (b: Uint8Array, level = 6): ArrayBuffer => {
  const z = deflateSync(b, { level });
  return z.buffer.slice(z.byteOffset, z.byteOffset + z.byteLength) as ArrayBuffer;
};

async function pair(p: BlockDecoderParams): Promise<{ ours: FflateDeflateDecoder; theirs: BaseDecoder; fellBack: () => number }> {
  let fallbacks = 0;
  const theirs = (await getDecoder(8, p as never)) as BaseDecoder;
  const ours = FflateDeflateDecoder.for(p, async () => {
    fallbacks++;
    return theirs;
  });
  if (!ours) throw new Error('no fflate decoder for these parameters');
  return { ours, theirs, fellBack: () => fallbacks };
}

const bytesOf = (b: ArrayBufferLike) => Buffer.from(new Uint8Array(b));

describe('blockCapacity', () => {
  it('is width × height × bytes per pixel (interleaved) or of the widest sample (band-separate)', () => {
    expect(blockCapacity(params())).toBe(16 * 8 * 4);
    expect(blockCapacity(params({ bitsPerSample: [8, 8, 8], tileWidth: 61, tileHeight: 61 }))).toBe(61 * 61 * 3);
    expect(blockCapacity(params({ bitsPerSample: [16, 8, 32], planarConfiguration: 2 }))).toBe(16 * 8 * 4);
    expect(blockCapacity(params({ bitsPerSample: 16 }))).toBe(16 * 8 * 2);
  });
  it('is null for samples that are not whole bytes, so geotiff keeps those blocks', () => {
    expect(blockCapacity(params({ bitsPerSample: [12] }))).toBeNull();
    expect(blockCapacity(params({ bitsPerSample: [1] }))).toBeNull();
    expect(blockCapacity(params({ bitsPerSample: [] }))).toBeNull();
    expect(FflateDeflateDecoder.for(params({ bitsPerSample: [4, 4] }), async () => ({}) as BaseDecoder)).toBeNull();
  });
});

describe('FflateDeflateDecoder', () => {
  it('decodes whole blocks to the bytes geotiff decodes, at every compression level (stored blocks included)', async () => {
    const p = params();
    const { ours, theirs, fellBack } = await pair(p);
    for (const level of [0, 1, 6, 9]) {
      for (let seed = 0; seed < 4; seed++) {
        const raw = block(16 * 8 * 4, seed);
        const z = zlib(raw, level);
        const got = await ours.decodeBlock(z.slice(0));
        expect(bytesOf(got).equals(bytesOf(await theirs.decodeBlock(z.slice(0)))), `level ${level} seed ${seed}`).toBe(true);
        expect(bytesOf(got).equals(Buffer.from(raw))).toBe(true);
      }
    }
    expect(fellBack()).toBe(0);
  });

  it('returns a short last strip at its own length, and applies predictor 2 like geotiff', async () => {
    const { ours, theirs } = await pair(params({ tileWidth: 37, tileHeight: 5, bitsPerSample: [16], predictor: 2 }));
    const short = block(37 * 3 * 2, 7);
    const got = await ours.decodeBlock(zlib(short));
    expect(got.byteLength).toBe(short.byteLength);
    expect(bytesOf(got).equals(Buffer.from(short))).toBe(true);
    const whole = zlib(block(37 * 5 * 2, 8));
    expect(bytesOf(await ours.decode(whole.slice(0))).equals(bytesOf(await theirs.decode(whole.slice(0))))).toBe(true);
  });

  it('keeps the first block of bytes of a stream longer than a block (nothing reads past it)', async () => {
    const { ours, theirs } = await pair(params());
    for (const level of [0, 6]) {
      const long = zlib(block(16 * 8 * 4 + 300, 3), level);
      const got = new Uint8Array(await ours.decodeBlock(long.slice(0)));
      const ref = new Uint8Array(await theirs.decodeBlock(long.slice(0)));
      expect(got.length).toBeGreaterThanOrEqual(16 * 8 * 4);
      expect(Buffer.from(got.subarray(0, 16 * 8 * 4)).equals(Buffer.from(ref.subarray(0, 16 * 8 * 4))), `level ${level}`).toBe(true);
    }
  });

  it('hands a stream it cannot inflate to geotiff, which fails with its own error', async () => {
    const { ours, theirs, fellBack } = await pair(params());
    const bad = new Uint8Array(zlib(block(512, 1)));
    bad[0] = 0x12; // not a zlib header
    const theirError = await Promise.resolve()
      .then(() => theirs.decodeBlock(bad.slice().buffer))
      .then(() => null, (e: unknown) => String(e));
    expect(theirError).not.toBeNull();
    await expect(ours.decodeBlock(bad.slice().buffer)).rejects.toThrow();
    await ours.decodeBlock(bad.slice().buffer).catch((e: unknown) => expect(String(e)).toBe(theirError));
    expect(fellBack()).toBe(2);
    const cut = new Uint8Array(zlib(block(512, 2))).slice(0, 40);
    await ours.decodeBlock(cut.buffer).catch(() => undefined);
    expect(fellBack()).toBe(3);
  });
});
