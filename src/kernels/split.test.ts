// Unit tests of the limit-fitting planners: chunk starts stay 256-byte aligned for every bound tensor, chunks cover
// the range exactly and fit one binding, 2D grids cover every workgroup within the per-dimension cap, and the matmul
// planner groups batches, splits along M (tile multiples) or along K for transposed A, and refuses what it cannot split.
import { describe, expect, it } from 'vitest';
import { planMatmul } from './matmul';
import { alignUnitsFor, grid2d, splitUnits } from './split';

describe('split planners', () => {
  it('alignUnitsFor makes unit·elems a multiple of 64 for every tensor', () => {
    expect(alignUnitsFor([1])).toBe(64);
    expect(alignUnitsFor([64])).toBe(1);
    expect(alignUnitsFor([40])).toBe(8);
    expect(alignUnitsFor([40, 1])).toBe(64);
    expect(alignUnitsFor([33])).toBe(64);
    expect(alignUnitsFor([96, 48])).toBe(4);
  });

  it('splitUnits covers [0, total) with aligned chunks that fit', () => {
    for (const [total, unit, maxElems, align] of [
      [1000, 1, 256, 64],
      [200, 40, 64 * 40, 8],
      [513, 3, 1000, 64],
      [64, 5, 320, 64],
    ]) {
      const chunks = splitUnits(total, unit, maxElems, align);
      let next = 0;
      for (const c of chunks) {
        expect(c.start).toBe(next);
        expect(c.start % align).toBe(0);
        expect(c.count * unit).toBeLessThanOrEqual(maxElems);
        next += c.count;
      }
      expect(next).toBe(total);
    }
    expect(splitUnits(10, 1, 100, 64)).toEqual([{ start: 0, count: 10 }]);
    expect(splitUnits(0, 1, 100, 64)).toEqual([]);
    expect(() => splitUnits(1000, 33, 1000, 64)).toThrow(/cannot split/);
  });

  it('grid2d covers the workgroups within the per-dimension cap', () => {
    expect(grid2d(5, 65535)).toEqual([5, 1, 1]);
    for (const [groups, cap] of [
      [131072, 65535],
      [7, 3],
      [9, 3],
      [65536, 256],
    ]) {
      const [x, y] = grid2d(groups, cap);
      expect(x).toBeLessThanOrEqual(cap);
      expect(y).toBeLessThanOrEqual(cap);
      expect(x * y).toBeGreaterThanOrEqual(groups);
      expect(x * (y - 1)).toBeLessThan(groups);
    }
    expect(() => grid2d(10, 3)).toThrow(/exceed/);
  });
});

describe('planMatmul', () => {
  const big = { maxBindingElems: 1 << 25, maxWorkgroupsPerDim: 65535 };

  it('keeps a product that fits as one piece', () => {
    expect(planMatmul({ M: 100, N: 100, K: 100, batch: 4 }, big)).toEqual([{ z0: 0, zCount: 4, m0: 0, mCount: 100, k0: 0, kCount: 100 }]);
  });

  it('splits along M in multiples of the 64-row tile', () => {
    const pieces = planMatmul({ M: 1000, N: 64, K: 64 }, { maxBindingElems: 300 * 64, maxWorkgroupsPerDim: 65535 });
    expect(pieces.map((p) => [p.m0, p.mCount])).toEqual([
      [0, 256],
      [256, 256],
      [512, 256],
      [768, 232],
    ]);
  });

  it('splits along K for a transposed A (dW = Xᵀ·dY)', () => {
    const pieces = planMatmul({ M: 32, N: 16, K: 1000, transA: true }, { maxBindingElems: 10_063, maxWorkgroupsPerDim: 65535 });
    expect(pieces.map((p) => [p.k0, p.kCount])).toEqual([
      [0, 312],
      [312, 312],
      [624, 312],
      [936, 64],
    ]);
  });

  it('groups batch items, and caps groups by the grid', () => {
    const pieces = planMatmul({ M: 10, N: 10, K: 10, batch: 7 }, { maxBindingElems: 363, maxWorkgroupsPerDim: 65535 });
    expect(pieces.map((p) => [p.z0, p.zCount])).toEqual([
      [0, 3],
      [3, 3],
      [6, 1],
    ]);
    expect(planMatmul({ M: 10, N: 10, K: 10, batch: 7 }, { maxBindingElems: 1e6, maxWorkgroupsPerDim: 2 }).length).toBe(4);
  });

  it('refuses what it cannot split, with a message', () => {
    expect(() => planMatmul({ M: 10, N: 10, K: 1000, transA: true, transB: true }, { maxBindingElems: 1000, maxWorkgroupsPerDim: 65535 })).toThrow(
      /transA and transB/,
    );
    expect(() => planMatmul({ M: 1000, N: 100, K: 100 }, { maxBindingElems: 5000, maxWorkgroupsPerDim: 65535 })).toThrow(/B \(100×100\)/);
  });
});
