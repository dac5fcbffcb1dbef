// Splitting logic shared by the patchify/groupnorm/targetnorm/gather/loss kernels: chunks must cover every item
// once and fit the binding limit with alignment slack; windows must open on 256-byte boundaries; grids must stay
// under the per-dimension workgroup limit and cover every workgroup.
import { describe, expect, it } from 'vitest';
import { VIEW_ALIGN, type GpuTensor } from '../gpu/tensor';
import { planChunks, windowOf } from './bindingChunks';
import { grid2d } from './split';

function fakeTensor(offset: number, size: number): GpuTensor {
  return { buffer: { label: 'fake', size: (offset + size) * 4 } as GPUBuffer, offset, size, shape: [size], label: 'fake' };
}

describe('planChunks', () => {
  it('covers every item exactly once and fits each binding with alignment slack', () => {
    for (const [total, per, max] of [
      [10, [7, 3], 100],
      [1000, [130], 4096],
      [5, [64], 64 + 63],
      [3, [1000], 1 << 20],
    ] as const) {
      const chunks = planChunks(total, per, max, 'test');
      let next = 0;
      for (const c of chunks) {
        expect(c.start).toBe(next);
        expect(c.count).toBeGreaterThan(0);
        for (const e of per) expect(c.count * e + VIEW_ALIGN - 1).toBeLessThanOrEqual(max);
        next += c.count;
      }
      expect(next).toBe(total);
    }
  });

  it('keeps everything in one chunk when it fits', () => {
    expect(planChunks(8, [10, 20], 1 << 20, 'test')).toEqual([{ start: 0, count: 8 }]);
  });

  it('refuses an item that cannot fit one binding, naming the kernel', () => {
    expect(() => planChunks(2, [100], 120, 'patchify_forward')).toThrow(/patchify_forward: one item needs 100/);
  });

  it('returns no chunk for zero items', () => {
    expect(planChunks(0, [4], 1000, 'test')).toEqual([]);
  });
});

describe('windowOf', () => {
  it('opens the binding at a 256-byte boundary and reports the slack', () => {
    const t = fakeTensor(128, 10_000);
    for (const start of [0, 1, 63, 64, 65, 777]) {
      const w = windowOf(t, start, 100);
      expect(w.binding.offset! % 256).toBe(0);
      expect(w.binding.offset! / 4 + w.base).toBe(128 + start);
      expect(w.base).toBeGreaterThanOrEqual(0);
      expect(w.base).toBeLessThan(VIEW_ALIGN);
      expect(w.binding.size).toBe((w.base + 100) * 4);
    }
  });

  it('refuses a range outside the tensor', () => {
    expect(() => windowOf(fakeTensor(0, 10), 5, 6)).toThrow(/overruns/);
  });
});

describe('grid2d on large workgroup counts (deviceGrid)', () => {
  it('stays within the per-dimension limit and covers n with few surplus workgroups', () => {
    for (const n of [0, 1, 65535, 65536, 200_000, 65535 * 3 + 1, 10_000_000]) {
      const [x, y, z] = grid2d(n, 65535);
      expect(z).toBe(1);
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y).toBeGreaterThanOrEqual(n);
      expect(x * y - n).toBeLessThan(Math.max(y, 1));
    }
    expect(grid2d(100, 65535)).toEqual([100, 1, 1]);
    expect(grid2d(10, 4)).toEqual([4, 3, 1]);
  });
});
