/**
 * The bench helper on a small real subset (12 Landsat scenes = 48 files): the measurements are positive and
 * consistent — the pipeline decodes each small file once, whole (inspection and sampling share its cache), the
 * same-reads baseline replays exactly those decodes, the whole-file baseline decodes every image — inline and with
 * a geotiff worker Pool (which runs in Node too).
 */
import { describe, expect, it } from 'vitest';
import { benchPreparation } from './bench';
import { createDecodePool, destroyDecodePool } from './pool';
import { listSharedFiles, sharedDataAvailable, sharedSource } from './testing/sharedData';

describe.skipIf(!sharedDataAvailable())('benchPreparation', () => {
  it('reports pipeline and plain readRasters timings and decoded MB, inline and with workers', async () => {
    const files = listSharedFiles('landsat-lsts-105dates').slice(0, 48);
    const sources = await Promise.all(files.map(sharedSource));
    const inline = await benchPreparation(sources, { samples: 8, config: { numDates: 4 }, cores: 2 });
    // 12 scenes × (3 int16 bands + 1 uint8 mask) of 61 × 61 px, decoded whole by the whole-file baseline.
    const wholeMB = (12 * (3 * 2 + 1) * 61 * 61) / 2 ** 20;
    expect(inline.whole?.decodedMB).toBeCloseTo(wholeMB, 6);
    expect(inline.whole?.failed).toBe(0);
    // The same-reads baseline decodes exactly what the pipeline decoded: each small file once, whole.
    expect(inline.plain.decodedMB).toBeCloseTo(inline.pipeline.decodedMB, 9);
    expect(inline.plain.reads).toBe(inline.pipeline.decodeCalls);
    expect(inline.plain.files).toBe(48);
    expect(inline.plain.failed).toBe(0);
    expect(inline.ratio).toBeCloseTo(inline.plain.seconds / inline.pipeline.seconds, 12);
    // Node has a CPU clock: utilisation is CPU time over (wall × the 2 cores given).
    expect(inline.pipeline.cpuSeconds).toBeGreaterThan(0);
    expect(inline.pipeline.utilisation).toBeCloseTo((inline.pipeline.cpuSeconds as number) / (inline.pipeline.seconds * 2), 12);
    expect(inline.cores).toBe(2);
    expect(inline.pipeline.samples).toBe(8);
    expect(inline.pipeline.modalities).toEqual(['landsat']);
    expect(inline.pipeline.decodedMB).toBeCloseTo(wholeMB, 6);
    expect(inline.pipeline.seconds).toBeGreaterThan(0);
    expect(inline.pipeline.samplesPerSecond).toBeGreaterThan(0);
    const pool = createDecodePool(2);
    expect(pool).not.toBeNull();
    try {
      const workers = await benchPreparation(sources.slice(0, 16), { samples: 2, config: { numDates: 2 }, pool });
      expect(workers.pool).toBe('workers');
      expect(workers.whole?.decodedMB).toBeCloseTo((4 * 7 * 61 * 61) / 2 ** 20, 6);
      expect(workers.plain.decodedMB).toBeCloseTo(workers.pipeline.decodedMB, 9);
    } finally {
      await destroyDecodePool(pool);
    }
  }, 60_000);
});
