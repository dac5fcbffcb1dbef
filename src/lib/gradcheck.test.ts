import { describe, expect, it } from 'vitest';
import { gradCheck } from './gradcheck';
import { Rng } from './rng';

describe('gradCheck', () => {
  const x = new Rng(3).normalArray(6);
  const forward = ([a]: Float64Array[]) => a.map((v) => v * v * v);
  it('accepts a correct backward', () => {
    const r = gradCheck({ inputs: [x], forward, backward: ([a], d) => [a.map((v, i) => 3 * v * v * d[i])], fullJacobian: true });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });
  it('rejects a wrong backward', () => {
    const r = gradCheck({ inputs: [x], forward, backward: ([a], d) => [a.map((v, i) => 2 * v * v * d[i])] });
    expect(r.ok).toBe(false);
  });
});
