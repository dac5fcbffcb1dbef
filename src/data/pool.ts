/**
 * Worker decoding: a geotiff.js `Pool` sized to the machine, or null where workers are unavailable.
 *
 * Checked in this repository: `new Pool()` works in browsers and also in Node 20 (geotiff's `web-worker` dependency
 * maps it onto worker_threads with a data: URL), so the pipeline accepts a pool everywhere. Raw (uncompressed) and
 * WebP blocks are always decoded on the calling thread by geotiff itself (`preferWorker: false`). A pool must be
 * destroyed, or its workers keep a Node process alive.
 * Invariants: `createDecodePool` never throws; it returns null and the caller decodes inline.
 * Reference: geotiff.js 3.0.5 `src/pool.js`; /work/shared/docs/data.md §1.10.
 */
import { Pool } from 'geotiff';

export function defaultPoolSize(): number {
  const hc = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  // Leave one core for the UI / training thread.
  return Math.max(1, Math.min(8, hc - 1));
}

/** A decoder pool, or null when this context cannot start workers. */
export function createDecodePool(size = defaultPoolSize()): Pool | null {
  if (typeof Worker === 'undefined' && typeof process === 'undefined') return null;
  try {
    return new Pool(size);
  } catch {
    return null;
  }
}

export async function destroyDecodePool(pool: Pool | null | undefined): Promise<void> {
  if (pool) await pool.destroy();
}
