/**
 * Decoder pool sizing: the core count comes from navigator.hardwareConcurrency, else Node's os.availableParallelism()
 * (Node 20 has no navigator), and the default pool leaves one core to the calling thread.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Pool } from 'geotiff';
import { MAX_DEFAULT_WORKERS, createDecodePool, defaultPoolSize, destroyDecodePool, logicalCores, startDecodePool } from './pool';

describe('logicalCores / defaultPoolSize', () => {
  it('follows os.availableParallelism() in this Node process', () => {
    expect(logicalCores()).toBe(availableParallelism());
    expect(defaultPoolSize()).toBe(Math.max(1, Math.min(MAX_DEFAULT_WORKERS, availableParallelism() - 1)));
  });

  it('prefers navigator.hardwareConcurrency, then node:os through process.getBuiltinModule, then 2', () => {
    const os = (n: number) => ({ getBuiltinModule: (id: string) => (id === 'node:os' ? { availableParallelism: () => n } : undefined) });
    expect(logicalCores({ navigator: { hardwareConcurrency: 12 }, process: os(3) })).toBe(12);
    expect(logicalCores({ process: os(6) })).toBe(6);
    // Older Node without availableParallelism: cpus().length.
    expect(logicalCores({ process: { getBuiltinModule: () => ({ cpus: () => [1, 2, 3] }) } })).toBe(3);
    expect(logicalCores({ navigator: { hardwareConcurrency: 0 }, process: undefined })).toBe(2);
    expect(logicalCores({ process: { getBuiltinModule: () => { throw new Error('no builtins here'); } } })).toBe(2);
    expect(logicalCores({})).toBe(2);
  });

  it('leaves one core to the calling thread, at least 1 and at most 8 workers', () => {
    expect([1, 2, 3, 4, 8, 9, 64].map((c) => defaultPoolSize(c))).toEqual([1, 1, 2, 3, 7, 8, 8]);
  });

  it('starts a pool in Node', async () => {
    const pool = createDecodePool(1);
    expect(pool).not.toBeNull();
    await destroyDecodePool(pool);
  });

  it('decodes inline (no pool) for a size below 1', async () => {
    expect(createDecodePool(0)).toBeNull();
    expect(await startDecodePool(0)).toBeNull();
  });
});

describe('startDecodePool', () => {
  /** A stand-in Pool whose workers answer `decode` with `answer` (never settling when it is 'hang'). */
  const fakePool = (answer: 'hang' | 'wrong' | 'throw') => {
    let destroyed = false;
    const pool = {
      bindParameters: () => ({
        decode: () => (answer === 'hang' ? new Promise<ArrayBuffer>(() => undefined) : answer === 'throw' ? Promise.reject(new Error('worker script failed to load')) : Promise.resolve(new Uint8Array(8).buffer)),
      }),
      destroy: async () => {
        destroyed = true;
      },
    } as unknown as Pool;
    return { pool, destroyed: () => destroyed };
  };

  it('returns a pool whose workers really decode a deflate block', async () => {
    const pool = await startDecodePool(1);
    expect(pool).not.toBeNull();
    const out = new Uint8Array(await pool!.bindParameters(8, { tileWidth: 8, tileHeight: 1, planarConfiguration: 1, bitsPerSample: [8], predictor: 1 } as never).decode(new Uint8Array([120, 156, 99, 100, 98, 102, 97, 101, 99, 231, 0, 0, 0, 128, 0, 37]).buffer));
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await destroyDecodePool(pool);
  });

  it.each(['hang', 'wrong', 'throw'] as const)('falls back to inline decoding (null) and destroys the pool when its workers %s', async (answer) => {
    const fake = fakePool(answer);
    // A pool that never answers would hang here past vitest's test timeout without the probe's own time limit.
    expect(await startDecodePool(2, 200, () => fake.pool)).toBeNull();
    expect(fake.destroyed()).toBe(true);
  });

  it('is null when no pool can be created', async () => {
    expect(await startDecodePool(2, 200, () => null)).toBeNull();
  });
});
