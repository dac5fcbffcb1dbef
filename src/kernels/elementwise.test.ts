// Reference invariants for the element-wise references: a plain add, a row broadcast (bias / positional embedding),
// rejection of a broadcast that does not divide, scale; and the gradient check tying the broadcast add's backward to
// the column sum: ∂(a + bias)/∂bias summed over rows is columnSumRef(dOut).
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { addRef, scaleRef } from './elementwise.ref';
import { columnSumRef } from './reduce.ref';

describe('addRef / scaleRef', () => {
  it('adds element-wise and broadcasts a row', () => {
    expect([...addRef([1, 2, 3, 4], [10, 20, 30, 40])]).toEqual([11, 22, 33, 44]);
    expect([...addRef([1, 2, 3, 4, 5, 6], [10, 20, 30])]).toEqual([11, 22, 33, 14, 25, 36]);
    expect(() => addRef([1, 2, 3], [1, 2])).toThrow(/does not divide/);
  });

  it('scales', () => {
    expect([...scaleRef([1, -2, 0.5], -2)]).toEqual([-2, 4, -1]);
  });

  it('bias-add backward is (dOut, column sum of dOut): gradient check', () => {
    const [R, C] = [5, 7];
    const rng = new Rng(3);
    const r = gradCheck({
      inputs: [rng.normalArray(R * C), rng.normalArray(C)],
      forward: ([a, b]) => addRef(a, b),
      backward: (_, dOut) => [Float64Array.from(dOut), columnSumRef(dOut, { M: R, N: C })],
      fullJacobian: true,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });
});
