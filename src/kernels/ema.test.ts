import { describe, expect, it } from 'vitest';
import { emaUpdateRef } from './ema.ref';

describe('emaUpdateRef', () => {
  it('moves the average towards the parameters by (1 − decay)', () => {
    const [a, b] = emaUpdateRef([0, 10], [10, 10], 0.9);
    expect(a).toBeCloseTo(1, 12);
    expect(b).toBeCloseTo(10, 12);
    expect([...emaUpdateRef([3], [7], 1)]).toEqual([3]);
    expect([...emaUpdateRef([3], [7], 0)]).toEqual([7]);
  });
});
