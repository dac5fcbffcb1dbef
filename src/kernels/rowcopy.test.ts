// The row copy's reference: a known small case, and its backward (the copy the other way) checked by finite differences.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { rowCopyRef } from './rowcopy.ref';

describe('rowCopyRef', () => {
  it('copies rows into place per batch item', () => {
    // src (2, 1, 2) → dst (2, 3, 2) at row 1
    const out = rowCopyRef([1, 2, 3, 4], new Float64Array(12), { B: 2, R: 1, D: 2, srcRows: 1, srcRow0: 0, dstRows: 3, dstRow0: 1 });
    expect([...out]).toEqual([0, 0, 1, 2, 0, 0, 0, 0, 3, 4, 0, 0]);
  });
  it('has the reverse copy as its backward', () => {
    const d = { B: 2, R: 3, D: 4, srcRows: 5, srcRow0: 1, dstRows: 7, dstRow0: 2 };
    const src = new Rng(2).normalArray(d.B * d.srcRows * d.D);
    const r = gradCheck({
      inputs: [src],
      forward: ([s]) => rowCopyRef(s, new Float64Array(d.B * d.dstRows * d.D), d),
      backward: (_x, dOut) => [
        rowCopyRef(dOut, new Float64Array(d.B * d.srcRows * d.D), { ...d, srcRows: d.dstRows, srcRow0: d.dstRow0, dstRows: d.srcRows, dstRow0: d.srcRow0 }),
      ],
      fullJacobian: true,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });
});
