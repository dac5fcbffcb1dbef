/**
 * Worker decoding: a geotiff.js `Pool` sized to the machine, or null where workers are unavailable.
 *
 * Checked in this repository: `new Pool()` works in browsers and also in Node 20 (geotiff's `web-worker` dependency
 * maps it onto worker_threads with a data: URL), so the pipeline accepts a pool everywhere. Raw (uncompressed) and
 * WebP blocks are always decoded on the calling thread by geotiff itself (`preferWorker: false`). A pool must be
 * destroyed, or its workers keep a Node process alive.
 * Core count: `navigator.hardwareConcurrency` in browsers (and Node ≥ 21); in Node 20, which has no `navigator`,
 * `os.availableParallelism()` reached through `process.getBuiltinModule` (Node ≥ 20.16) — a runtime lookup, not an
 * import, so the browser build never sees `node:os`.
 * Invariants: `createDecodePool` never throws; it returns null and the caller decodes inline.
 * Reference: geotiff.js 3.0.5 `src/pool.js`; /work/shared/docs/data.md §1.10.
 */
import { Pool } from 'geotiff';

/** Most workers a default pool starts: one calling thread cannot feed (assemble windows for) many more. */
export const MAX_DEFAULT_WORKERS = 8;

interface NodeOs {
  availableParallelism?: () => number;
  cpus?: () => unknown[];
}

type ProcessLike = { getBuiltinModule?: (id: string) => unknown } | undefined;

/** Logical cores of this runtime: hardwareConcurrency, else Node's os.availableParallelism(), else 2. */
export function logicalCores(env: { navigator?: { hardwareConcurrency?: number }; process?: ProcessLike } = globalThis as never): number {
  const hc = env.navigator?.hardwareConcurrency;
  if (typeof hc === 'number' && hc >= 1) return Math.floor(hc);
  try {
    const os = env.process?.getBuiltinModule?.('node:os') as NodeOs | undefined;
    const n = os?.availableParallelism?.() ?? os?.cpus?.().length;
    if (typeof n === 'number' && n >= 1) return Math.floor(n);
  } catch {
    // A runtime without node:os: fall through.
  }
  return 2;
}

/** Workers of the default pool: every core but one (left for the UI / training thread), at least 1, at most 8. */
export function defaultPoolSize(cores = logicalCores()): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, cores - 1));
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
