/**
 * The bench helper on a small real subset (12 Landsat scenes = 48 files): both measurements are positive and
 * consistent (the plain baseline decodes every whole image; the pipeline's decoded bytes include those whole small
 * files once, thanks to its cache), inline and with a geotiff worker Pool (which runs in Node too).
 */
import { describe, expect, it } from 'vitest';
import { benchPreparation } from './bench';
import { createDecodePool, destroyDecodePool } from './pool';
import { listSharedFiles, sharedDataAvailable, sharedSource } from './testing/sharedData';

describe.skipIf(!sharedDataAvailable())('benchPreparation', () => {
  it('reports pipeline and plain readRasters timings and decoded MB, inline and with workers', async () => {
    const files = listSharedFiles('landsat-lsts-105dates').slice(0, 48);
    const sources = await Promise.all(files.map(sharedSource));
    const inline = await benchPreparation(sources, { samples: 8, config: { numDates: 4 } });
    // 12 scenes × (3 int16 bands + 1 uint8 mask) of 61 × 61 px, decoded whole by the plain baseline.
    const wholeMB = (12 * (3 * 2 + 1) * 61 * 61) / 2 ** 20;
    expect(inline.plain.decodedMB).toBeCloseTo(wholeMB, 6);
    expect(inline.plain.failed).toBe(0);
    expect(inline.pipeline.samples).toBe(8);
    expect(inline.pipeline.modalities).toEqual(['landsat']);
    expect(inline.pipeline.decodedMB).toBeGreaterThanOrEqual(wholeMB - 1e-9);
    expect(inline.pipeline.seconds).toBeGreaterThan(0);
    expect(inline.pipeline.samplesPerSecond).toBeGreaterThan(0);
    const pool = createDecodePool(2);
    expect(pool).not.toBeNull();
    try {
      const workers = await benchPreparation(sources.slice(0, 16), { samples: 2, config: { numDates: 2 }, pool });
      expect(workers.pool).toBe('workers');
      expect(workers.plain.decodedMB).toBeCloseTo((4 * 7 * 61 * 61) / 2 ** 20, 6);
    } finally {
      await destroyDecodePool(pool);
    }
  }, 60_000);
});
