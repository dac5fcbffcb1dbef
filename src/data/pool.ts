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
 * A pool whose workers cannot start (a browser that forbids nested or blob: workers) would leave geotiff's decode
 * promises pending forever, so `startDecodePool` first decodes a known deflate block through it and falls back to
 * inline decoding (null) when that fails or takes more than a few seconds.
 * Invariants: `createDecodePool` and `startDecodePool` never throw; they return null and the caller decodes inline.
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

/** A decoder pool of `size` workers, or null when `size` < 1 (decode inline) or this context cannot start workers. */
export function createDecodePool(size = defaultPoolSize()): Pool | null {
  if (!(size >= 1)) return null;
  if (typeof Worker === 'undefined' && typeof process === 'undefined') return null;
  try {
    return new Pool(Math.floor(size));
  } catch {
    return null;
  }
}

export async function destroyDecodePool(pool: Pool | null | undefined): Promise<void> {
  if (pool) await pool.destroy();
}

/** zlib deflate of the bytes 1…8 (node:zlib deflateSync), decoded through a new pool to prove its workers run. */
const PROBE_BLOCK = [120, 156, 99, 100, 98, 102, 97, 101, 99, 231, 0, 0, 0, 128, 0, 37];
const DEFLATE = 8;

/**
 * A decoder pool whose workers are known to decode: `createDecodePool(size)`, then one deflate block decoded through
 * it within `timeoutMs`. Null (decode inline) when `size` < 1, no worker can start, or the probe fails.
 */
export async function startDecodePool(size = defaultPoolSize(), timeoutMs = 10000, create: (size: number) => Pool | null = createDecodePool): Promise<Pool | null> {
  const pool = create(size);
  if (!pool) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const decoder = pool.bindParameters(DEFLATE, { tileWidth: 8, tileHeight: 1, planarConfiguration: 1, bitsPerSample: [8], predictor: 1 } as never);
    const decoded = await Promise.race([
      decoder.decode(new Uint8Array(PROBE_BLOCK).buffer),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('decoder workers did not answer')), timeoutMs);
      }),
    ]);
    const bytes = new Uint8Array(decoded);
    if (bytes.length !== 8 || bytes.some((b, i) => b !== i + 1)) throw new Error('decoder workers returned wrong bytes');
    return pool;
  } catch {
    await pool.destroy().catch(() => undefined);
    return null;
  } finally {
    clearTimeout(timer);
  }
}
