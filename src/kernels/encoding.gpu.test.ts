// GPU vs reference for the encoding add over widths/grids that are not multiples of the workgroup size.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { encodingAdd } from './encoding';
import { encodingAddRef } from './encoding.ref';

const cases = [
  { B: 1, R: 1, D: 12, L: 1, T: 1 },
  { B: 3, R: 2 * 5 * 9, D: 20, L: 9, T: 5 },
  { B: 2, R: 3 * 49, D: 136, L: 49, T: 3 },
  { B: 3, R: 2 * 4, D: 16, L: 4, T: 2, rows: 29, row0: 13 },
];

describe('encoding_forward on GPU', () => {
  for (const d of cases) {
    it(`B=${d.B} R=${d.R} D=${d.D} L=${d.L} T=${d.T}${d.row0 ? ` rows ${d.row0}…/${d.rows}` : ''}`, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const rng = new Rng(d.R + d.D);
        const x = rng.normalArray(d.B * (d.rows ?? d.R) * d.D);
        const pe = rng.normalArray(d.L * (d.D - 8));
        const de = rng.normalArray(d.B * d.T * 8);
        const tx = await upload('x', x);
        submitDispatches(device, [await encodingAdd(scope, { pe: await upload('pe', pe), de: await upload('de', de), x: tx }, d)]);
        const r = allClose(await read(tx), encodingAddRef(x, pe, de, d), 1e-6, 1e-6);
        expect(r.ok, r.message).toBe(true);
      });
    });
  }
});
