/**
 * Summed-area validity tables: window counts against a direct count (windows partly or wholly off the grid), when a
 * table is worth building, the byte budget, one build for concurrent callers, and a failed build retried.
 * Reference: validityIndex.ts header.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { SummedArea, ValidityIndex } from './validityIndex';

function directCount(valid: Uint8Array, W: number, H: number, x0: number, y0: number, w: number, h: number): number {
  let n = 0;
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if (x >= 0 && x < W && y >= 0 && y < H) n += valid[y * W + x];
  return n;
}

describe('SummedArea', () => {
  it('counts the valid pixels of any window, clipped to the grid', () => {
    const rng = new Rng(4);
    for (const [W, H] of [
      [1, 1],
      [7, 3],
      [61, 61],
      [130, 17],
    ]) {
      const valid = Uint8Array.from({ length: W * H }, () => (rng.uniform() < 0.7 ? 1 : 0));
      const sat = new SummedArea(valid, W, H);
      for (let k = 0; k < 200; k++) {
        const w = 1 + rng.int(W + 4);
        const h = 1 + rng.int(H + 4);
        const x0 = rng.int(W + 2 * w) - w - 1;
        const y0 = rng.int(H + 2 * h) - h - 1;
        expect(sat.count(x0, y0, w, h), `${W}×${H} at ${x0},${y0} ${w}×${h}`).toBe(directCount(valid, W, H, x0, y0, w, h));
      }
      expect(sat.count(0, 0, W, H)).toBe(valid.reduce((a, b) => a + b, 0));
    }
  });
});

describe('ValidityIndex', () => {
  const mask = (W: number, H: number) => new Uint8Array(W * H).fill(1);

  it('builds one table per owner and key, shared by concurrent callers, and counts its bytes', async () => {
    const index = new ValidityIndex();
    const owner = {};
    let builds = 0;
    const build = async () => {
      builds++;
      return mask(4, 3);
    };
    // A window as large as the grid makes the table worth building at once.
    const [a, b] = await Promise.all([index.table(owner, 'k', 4, 3, 12, build), index.table(owner, 'k', 4, 3, 12, build)]);
    expect(a).toBe(b);
    expect(builds).toBe(1);
    expect(a!.count(0, 0, 4, 3)).toBe(12);
    await index.table(owner, 'other bands', 4, 3, 12, build);
    expect(builds).toBe(2);
    expect(index.bytes).toBe(2 * 5 * 4 * 4);
  });

  it('builds a table only once the windows asked for have cost a whole grid', async () => {
    const index = new ValidityIndex();
    const owner = {};
    let builds = 0;
    const build = async () => {
      builds++;
      return mask(61, 61);
    };
    // A 61 × 61 grid and 32 × 32 windows: the fourth window tips it; other keys and owners count apart.
    const got = [];
    for (let k = 0; k < 4; k++) got.push(await index.table(owner, 'k', 61, 61, 1024, build));
    expect(got.map((t) => t !== null)).toEqual([false, false, false, true]);
    expect(await index.table(owner, 'other bands', 61, 61, 1024, build)).toBeNull();
    expect(await index.table({}, 'k', 61, 61, 1024, build)).toBeNull();
    expect(builds).toBe(1);
  });

  it('declines tables beyond its byte budget (callers then read windows)', async () => {
    const index = new ValidityIndex(100);
    expect(await index.table({}, 'k', 4, 3, 12, async () => mask(4, 3))).not.toBeNull(); // 80 bytes
    expect(await index.table({}, 'k', 4, 3, 12, async () => mask(4, 3))).toBeNull();
    expect(index.bytes).toBe(80);
  });

  it('forgets a failed build, so the next call retries', async () => {
    const index = new ValidityIndex();
    const owner = {};
    await expect(index.table(owner, 'k', 2, 2, 4, async () => Promise.reject(new Error('decode failed')))).rejects.toThrow('decode failed');
    expect(index.bytes).toBe(0);
    expect((await index.table(owner, 'k', 2, 2, 4, async () => mask(2, 2)))!.count(0, 0, 2, 2)).toBe(4);
  });
});
