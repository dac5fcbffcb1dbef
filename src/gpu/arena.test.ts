import { describe, expect, it } from 'vitest';
import { planArena } from './arena';

describe('planArena', () => {
  it('aligns every tensor to 64 elements and packs in order', () => {
    const p = planArena('params', [
      { name: 'a', shape: [3, 5] },
      { name: 'b', shape: [64] },
      { name: 'c', shape: [1] },
    ], 1 << 20);
    expect(p.tensors.map((t) => [t.buffer, t.offset])).toEqual([[0, 0], [0, 64], [0, 128]]);
    expect(p.bufferElems).toEqual([192]);
  });
  it('starts a new buffer instead of straddling the limit, and refuses a tensor larger than a buffer', () => {
    const p = planArena('acts', [
      { name: 'x', shape: [100] },
      { name: 'y', shape: [100] },
    ], 150);
    expect(p.tensors.map((t) => [t.buffer, t.offset])).toEqual([[0, 0], [1, 0]]);
    expect(() => planArena('acts', [{ name: 'huge', shape: [1000] }], 150)).toThrow(/huge.*exceeds/);
    expect(() => planArena('acts', [{ name: 'x', shape: [1] }, { name: 'x', shape: [1] }], 150)).toThrow(/duplicate/);
  });
  it('gives every tensor its own buffer when separate', () => {
    const p = planArena('acts', [{ name: 'x', shape: [3] }, { name: 'y', shape: [5] }], 1 << 20, { separate: true });
    expect(p.tensors.map((t) => [t.buffer, t.offset])).toEqual([[0, 0], [1, 0]]);
    expect(p.bufferElems).toEqual([64, 64]);
  });
});
