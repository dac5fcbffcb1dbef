// Reference checks for mask-token placement: the forward writes the token exactly at masked rows of the range, and
// the backward (token gradient) passes a finite-difference check.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { maskTokenBackwardRef, maskTokenForwardRef } from './masktoken.ref';

describe('mask token reference', () => {
  const d = { B: 2, R: 3, D: 4, rows: 6, row0: 2 };
  const masked = Float64Array.from({ length: d.B * d.rows }, (_, i) => (i % 3 === 0 ? 1 : 0));
  it('writes the token only at masked rows inside the range', () => {
    const y = new Float64Array(d.B * d.rows * d.D).fill(7);
    const out = maskTokenForwardRef(y, [1, 2, 3, 4], masked, d);
    for (let b = 0; b < d.B; b++)
      for (let r = 0; r < d.rows; r++) {
        const row = b * d.rows + r;
        const inRange = r >= d.row0 && r < d.row0 + d.R;
        expect([...out.subarray(row * d.D, row * d.D + d.D)]).toEqual(inRange && masked[row] ? [1, 2, 3, 4] : [7, 7, 7, 7]);
      }
  });
  it('has a token gradient that matches finite differences', () => {
    const rng = new Rng(4);
    const y = rng.normalArray(d.B * d.rows * d.D);
    const r = gradCheck({
      inputs: [rng.normalArray(d.D), y],
      forward: ([tok, yy]) => maskTokenForwardRef(yy, tok, masked, d),
      backward: (_x, dOut) => {
        const g = maskTokenBackwardRef(dOut, masked, d);
        return [g.dToken, g.dY];
      },
      fullJacobian: true,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });
});
