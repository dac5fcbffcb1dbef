/**
 * Corrupted variants of real files, made in memory: truncated at many points, bytes flipped at seeded random
 * positions, and directory offsets pointed past the end, into the header, or back at themselves (a cycle that makes
 * geotiff's own getImageCount() loop forever). Every variant must end quickly in either a good record or a
 * FailedRecord with a known reason and a message that starts with the file name — never another exception, never a
 * hang (each inspection runs under a timeout), and never at the expense of the good files inspected with it.
 * Reference: data.md §1.13 (tracker issues: OOM, RangeError on damaged files).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { DataError } from './errors';
import { inspectFile, inspectFiles } from './inspect';
import { RasterFile } from './raster';
import type { InspectRecord } from './record';
import { bufferSource } from './source';
import { sharedBytes, sharedDataAvailable } from './testing/sharedData';

const S2_B02 = 'sentinel2-l1c-T33UUU-20170216/per-band/T33UUU_20170216T102101_B02.tif';
const LSTS_B3 = 'landsat-lsts-105dates/LE70350322008118EDC00/LE70350322008118EDC00_b3.tif';
const SHADE = 'rasterio/shade.tif';

const KNOWN = new Set(['not-tiff', 'truncated', 'corrupt', 'unsupported-compression', 'unsupported-dtype', 'unsupported-layout', 'all-nodata', 'empty', 'timeout', 'read-failed']);

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Byte position of the entry's value/offset field. */
  fieldAt: number;
  value: number;
}

/** The entries of the first IFD of a little-endian classic TIFF. */
function ifdEntries(b: Uint8Array): { ifdAt: number; entries: Entry[] } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(v.getUint16(0, true)).toBe(0x4949);
  const ifdAt = v.getUint32(4, true);
  const n = v.getUint16(ifdAt, true);
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const e = ifdAt + 2 + i * 12;
    entries.push({ tag: v.getUint16(e, true), type: v.getUint16(e + 2, true), count: v.getUint32(e + 4, true), fieldAt: e + 8, value: v.getUint32(e + 8, true) });
  }
  return { ifdAt, entries };
}

function expectCleanFailure(r: InspectRecord, name: string, reasons?: string[]): void {
  expect(r.ok, name).toBe(false);
  if (r.ok) return;
  expect(KNOWN.has(r.reason), `${name}: ${r.reason}`).toBe(true);
  if (reasons) expect(reasons, `${name}: ${r.error}`).toContain(r.reason);
  expect(r.error.startsWith(`${name}: `), r.error).toBe(true);
  expect(r.error).not.toMatch(/undefined|\[object/);
}

const d = describe.skipIf(!sharedDataAvailable());

d('truncated files', () => {
  for (const file of [S2_B02, LSTS_B3, SHADE]) {
    it(`${file} cut at 11 points`, async () => {
      const bytes = sharedBytes(file);
      const cuts = [0, 3, 7, 8, 100, 1000, Math.floor(bytes.length * 0.1), Math.floor(bytes.length * 0.5), Math.floor(bytes.length * 0.9), bytes.length - 100, bytes.length - 1];
      const srcs = cuts.map((n) => bufferSource(bytes.slice(0, n), `cut${n}.tif`));
      const recs = await inspectFiles(srcs, { timeoutMs: 10_000 });
      recs.forEach((r, i) => {
        const name = `cut${cuts[i]}.tif`;
        if (cuts[i] === 0) expectCleanFailure(r, name, ['empty']);
        else if (cuts[i] < 8) expectCleanFailure(r, name, ['truncated', 'not-tiff']);
        else expectCleanFailure(r, name, ['truncated', 'corrupt']);
      });
      // Cutting only pixel data says so in words.
      const last = recs[recs.length - 1];
      if (!last.ok) expect(last.error).toMatch(/truncated|damaged/);
    }, 60_000);
  }
});

d('flipped bytes', () => {
  it('30 seeded variants of two files: each ends as a record or a named failure, within the timeout', async () => {
    const rng = new Rng(2024);
    for (const file of [LSTS_B3, S2_B02]) {
      const base = sharedBytes(file);
      const srcs = Array.from({ length: 15 }, (_, k) => {
        const b = base.slice();
        const flips = 1 + rng.int(8);
        for (let i = 0; i < flips; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
        return bufferSource(b, `flip${k}.tif`);
      });
      const recs = await inspectFiles(srcs, { timeoutMs: 10_000 });
      recs.forEach((r, k) => {
        if (!r.ok) expectCleanFailure(r, `flip${k}.tif`);
        else expect(r.width).toBeGreaterThan(0);
      });
    }
  }, 120_000);

  it('a flipped byte inside compressed tile data is reported as corrupt data', async () => {
    const base = sharedBytes(LSTS_B3);
    const { entries } = ifdEntries(base);
    const offsets = entries.find((e) => e.tag === 273 || e.tag === 324) as Entry;
    const counts = entries.find((e) => e.tag === 279 || e.tag === 325) as Entry;
    expect(offsets.count).toBe(1);
    const b = base.slice();
    b[offsets.value + Math.floor(counts.value / 2)] ^= 0xff;
    const r = await inspectFile(bufferSource(b, 'flipped.tif'));
    expectCleanFailure(r, 'flipped.tif', ['corrupt']);
    if (!r.ok) expect(r.error).toMatch(/corrupt compressed data|damaged/);
  });
});

d('wrong offsets', () => {
  const variants: { name: string; edit: (b: Uint8Array, v: DataView, e: Entry[], ifdAt: number) => void; reasons: string[] }[] = [
    { name: 'first IFD past the end', edit: (b, v) => v.setUint32(4, b.length + 10, true), reasons: ['truncated'] },
    { name: 'first IFD inside the header', edit: (_b, v) => v.setUint32(4, 2, true), reasons: ['corrupt'] },
    {
      name: 'tile offset past the end',
      edit: (b, v, e) => {
        const off = e.find((x) => x.tag === 324) as Entry;
        v.setUint32(off.count === 1 ? off.fieldAt : off.value, b.length + 5000, true);
      },
      reasons: ['truncated'],
    },
    {
      name: 'tile table moved past the end',
      edit: (b, v, e) => {
        const off = e.find((x) => x.tag === 324) as Entry;
        if (off.count > 1) v.setUint32(off.fieldAt, b.length + 64, true);
        else v.setUint32(off.fieldAt, b.length + 64, true);
      },
      reasons: ['truncated', 'corrupt'],
    },
    {
      name: 'next-IFD pointer looping back to the first IFD',
      edit: (_b, v, e, ifdAt) => v.setUint32(ifdAt + 2 + e.length * 12, ifdAt, true),
      reasons: [],
    },
    {
      name: 'image width 2^31',
      edit: (_b, v, e) => {
        const w = e.find((x) => x.tag === 256) as Entry;
        if (w.type === 3) v.setUint16(w.fieldAt, 65535, true);
        else v.setUint32(w.fieldAt, 2 ** 31, true);
      },
      reasons: ['corrupt', 'truncated'],
    },
  ];
  for (const file of [S2_B02, SHADE]) {
    for (const vt of variants) {
      it(`${file}: ${vt.name}`, async () => {
        const b = sharedBytes(file).slice();
        const v = new DataView(b.buffer);
        const { ifdAt, entries } = ifdEntries(b);
        vt.edit(b, v, entries, ifdAt);
        const r = await inspectFile(bufferSource(b, 'edited.tif'), { timeoutMs: 10_000 });
        if (vt.reasons.length === 0) {
          // The cycle is harmless once it is detected: the file reads normally.
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.imageCount).toBe(1);
        } else expectCleanFailure(r, 'edited.tif', vt.reasons);
      }, 30_000);
    }
  }
});

d('a tile pointing into the header', () => {
  async function firstTileRead(file: string): Promise<unknown> {
    const b = sharedBytes(file).slice();
    const v = new DataView(b.buffer);
    const off = ifdEntries(b).entries.find((x) => x.tag === 324) as Entry;
    v.setUint32(off.value, 8, true);
    const f = await RasterFile.open(bufferSource(b, 'edited.tif'));
    return f.readWindow([0, 0, 64, 64]);
  }
  it('is corrupt data in a Deflate file (found when that tile is read, not before)', async () => {
    const e = await firstTileRead(S2_B02).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).reason).toBe('corrupt');
    expect((e as DataError).message).toMatch(/^edited\.tif: has corrupt compressed data: decoding window \[0, 0, 64, 64\]/);
  });
  it('cannot be detected in an uncompressed file: the bytes are read as pixels, without a crash', async () => {
    const r = (await firstTileRead(SHADE)) as { width: number };
    expect(r.width).toBe(64);
  });
});

d('one bad file never affects the others', () => {
  it('good, truncated, not-a-TIFF, good', async () => {
    const good = sharedBytes(LSTS_B3);
    const recs = await inspectFiles([
      bufferSource(good, 'a/LE70350322008118EDC00_b3.tif'),
      bufferSource(good.slice(0, good.length >> 1), 'b/broken.tif'),
      bufferSource(new TextEncoder().encode('GIF89a...'), 'c/picture.tif'),
      bufferSource(good, 'd/LE70350322008118EDC00_b3.tif'),
    ]);
    expect(recs.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(recs[2].ok ? '' : recs[2].error).toMatch(/^c\/picture\.tif: is not a TIFF: it is a GIF image/);
    const [a, , , b] = recs;
    if (a.ok && b.ok) expect(a.stats).toEqual(b.stats);
  });
});
