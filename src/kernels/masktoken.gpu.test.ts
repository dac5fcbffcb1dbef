// GPU vs reference for mask-token placement and its gradient, with ranges not aligned to anything.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { maskTokenBackward, maskTokenForward } from './masktoken';
import { maskTokenBackwardRef, maskTokenForwardRef } from './masktoken.ref';

const cases = [
  { B: 1, R: 1, D: 1, rows: 1, row0: 0 },
  { B: 3, R: 7, D: 13, rows: 20, row0: 5 },
  { B: 2, R: 70, D: 40, rows: 150, row0: 80 },
];

describe('masktoken on GPU', () => {
  for (const d of cases) {
    it(`B=${d.B} R=${d.R} D=${d.D} rows ${d.row0}…/${d.rows}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(d.R + d.D);
        const y = rng.normalArray(d.B * d.rows * d.D);
        const tok = rng.normalArray(d.D);
        const masked = Float64Array.from({ length: d.B * d.rows }, () => (rng.uniform() < 0.6 ? 1 : 0));
        const dY = rng.normalArray(d.B * d.rows * d.D);
        const dTok0 = rng.normalArray(d.D);
        const ty = await upload('y', y);
        const tMasked = await upload('masked', masked);
        const tdTok = await upload('dTok', dTok0);
        submitDispatches(device, [
          // The modality holds two tokens; this segment uses row 1.
          await maskTokenForward(scope, { token: await upload('tok', [...rng.normalArray(d.D), ...tok]), masked: tMasked, y: ty }, { ...d, tokenRow: 1 }),
          ...(await maskTokenBackward(scope, { dY: await upload('dY', dY), masked: tMasked, scratch: await zeros('scratch', [d.B * d.R, d.D]), dToken: tdTok }, { ...d, accumulate: true })),
        ]);
        const f = allClose(await read(ty), maskTokenForwardRef(y, tok, masked, d), 1e-6, 1e-6);
        expect(f.ok, f.message).toBe(true);
        const want = maskTokenBackwardRef(dY, masked, d).dToken.map((v, i) => v + dTok0[i]);
        const g = allClose(await read(tdTok), want, 1e-4, 1e-4);
        expect(g.ok, g.message).toBe(true);
      });
    });
  }
});
