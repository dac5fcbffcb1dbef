// Reference invariants: the date channels of one date are the same for every location and token group; the
// position channels repeat for every date. (The add is constant, so there is no backward to check.)
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { encodingAddRef } from './encoding.ref';

describe('encodingAddRef', () => {
  it('adds pe per grid cell and de per (sample, date)', () => {
    const d = { B: 2, R: 2 * 3 * 4, D: 12, L: 4, T: 3 }; // 2 token groups
    const rng = new Rng(1);
    const pe = rng.normalArray(d.L * (d.D - 8));
    const de = rng.normalArray(d.B * d.T * 8);
    const out = encodingAddRef(new Float64Array(d.B * d.R * d.D), pe, de, d);
    const tok = (b: number, j: number, t: number, l: number) => out.subarray((b * d.R + (j * d.T + t) * d.L + l) * d.D, (b * d.R + (j * d.T + t) * d.L + l + 1) * d.D);
    expect([...tok(1, 1, 2, 3).subarray(0, 4)]).toEqual([...pe.subarray(12, 16)]);
    expect([...tok(1, 0, 2, 0).subarray(4)]).toEqual([...de.subarray((1 * 3 + 2) * 8, (1 * 3 + 3) * 8)]);
    expect([...tok(0, 1, 1, 2).subarray(4)]).toEqual([...tok(0, 0, 1, 0).subarray(4)]);
  });
});
