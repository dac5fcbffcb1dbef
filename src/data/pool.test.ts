/**
 * Decoder pool sizing: the core count comes from navigator.hardwareConcurrency, else Node's os.availableParallelism()
 * (Node 20 has no navigator), and the default pool leaves one core to the calling thread.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_DEFAULT_WORKERS, createDecodePool, defaultPoolSize, destroyDecodePool, logicalCores } from './pool';

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
});
