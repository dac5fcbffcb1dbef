// GPU vs reference for the row-block copy: unaligned row offsets, widths not multiple of 4, accumulate, and a
// round trip (concat then split) returning the original blocks.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { rowCopy } from './rowcopy';
import { rowCopyRef, type RowCopyDims } from './rowcopy.ref';

const cases: RowCopyDims[] = [
  { B: 1, R: 1, D: 1, srcRows: 1, srcRow0: 0, dstRows: 1, dstRow0: 0 },
  { B: 3, R: 5, D: 7, srcRows: 5, srcRow0: 0, dstRows: 13, dstRow0: 3 },
  { B: 2, R: 9, D: 33, srcRows: 20, srcRow0: 11, dstRows: 9, dstRow0: 0, accumulate: true },
  { B: 4, R: 70, D: 16, srcRows: 71, srcRow0: 1, dstRows: 150, dstRow0: 77 },
];

describe('rowcopy_forward on GPU', () => {
  for (const d of cases) {
    it(`B=${d.B} R=${d.R} D=${d.D} src@${d.srcRow0}/${d.srcRows} → dst@${d.dstRow0}/${d.dstRows}${d.accumulate ? ' +=' : ''}`, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const rng = new Rng(d.R * 31 + d.D);
        const src = rng.normalArray(d.B * d.srcRows * d.D);
        const dst0 = rng.normalArray(d.B * d.dstRows * d.D);
        const tSrc = await upload('src', src);
        const tDst = await upload('dst', dst0);
        submitDispatches(device, [await rowCopy(scope, { src: tSrc, dst: tDst }, d)]);
        const r = allClose(await read(tDst), rowCopyRef(src, dst0, d), 1e-6, 1e-6);
        expect(r.ok, r.message).toBe(true);
      });
    });
  }

  it('concat of two blocks then split restores them', async () => {
    await gpuCase(async ({ device, scope, upload, zeros, read }) => {
      const rng = new Rng(5);
      const [B, D, Ra, Rb] = [3, 12, 7, 10];
      const a = rng.normalArray(B * Ra * D);
      const b = rng.normalArray(B * Rb * D);
      const ta = await upload('a', a);
      const tb = await upload('b', b);
      const cat = await zeros('cat', [B, Ra + Rb, D]);
      const a2 = await zeros('a2', [B, Ra, D]);
      const b2 = await zeros('b2', [B, Rb, D]);
      const N = Ra + Rb;
      submitDispatches(device, [
        await rowCopy(scope, { src: ta, dst: cat }, { B, R: Ra, D, srcRows: Ra, srcRow0: 0, dstRows: N, dstRow0: 0 }),
        await rowCopy(scope, { src: tb, dst: cat }, { B, R: Rb, D, srcRows: Rb, srcRow0: 0, dstRows: N, dstRow0: Ra }),
        await rowCopy(scope, { src: cat, dst: a2 }, { B, R: Ra, D, srcRows: N, srcRow0: 0, dstRows: Ra, dstRow0: 0 }),
        await rowCopy(scope, { src: cat, dst: b2 }, { B, R: Rb, D, srcRows: N, srcRow0: Ra, dstRows: Rb, dstRow0: 0 }),
      ]);
      expect(allClose(await read(a2), a, 1e-6, 1e-6).ok).toBe(true);
      expect(allClose(await read(b2), b, 1e-6, 1e-6).ok).toBe(true);
    });
  });
});
