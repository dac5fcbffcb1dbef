// GPU vs float64 reference for patchify / unpatchify over shapes whose sizes are not multiples of the 256-invocation
// workgroup, band subsets in arbitrary order, accumulation of several band groups into one image, a tiny artificial
// binding limit (several chunks with unaligned window starts) and, under WebGPU's DEFAULT limits, an input larger
// than one 128 MiB binding that also needs more than 65535 workgroups. Pure data movement: results must be exact.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { patchifyBackward, patchifyForward, unpatchify, type PatchifyDims } from './patchify';
import { patchifyRef, unpatchifyRef } from './patchify.ref';

const cases: PatchifyDims[] = [
  { B: 1, T: 1, C: 1, H: 2, W: 2, P: 1 },
  { B: 2, T: 3, C: 3, H: 6, W: 9, P: 3 },
  { B: 1, T: 2, C: 5, H: 10, W: 15, P: 5, bands: [4, 1, 2] },
  { B: 3, T: 1, C: 4, H: 16, W: 16, P: 16 },
  { B: 2, T: 2, C: 13, H: 12, W: 8, P: 2, bands: [1, 2, 3, 7, 4, 5, 6, 8, 11, 12] },
];

const numel = (d: PatchifyDims) => d.B * d.T * d.C * d.H * d.W;
const patchNumel = (d: PatchifyDims) => d.B * d.T * d.H * d.W * (d.bands?.length ?? d.C);
const name = (d: PatchifyDims) => `(${d.B},${d.T},${d.C},${d.H},${d.W}) P=${d.P}${d.bands ? ` bands [${d.bands.join(',')}]` : ''}`;
/** Random values already rounded to f32, so copies compare exactly with the float64 reference. */
const f32Normal = (rng: Rng, n: number) => rng.normalArray(n).map(Math.fround);

describe('patchify on GPU', () => {
  for (const d of cases) {
    it(`forward and backward ${name(d)}`, async () => {
      await gpuCase(async ({ device, scope, upload, zeros, read }) => {
        const rng = new Rng(d.C * 100 + d.H + d.W);
        const x = f32Normal(rng, numel(d));
        const xT = await upload('x', x);
        const patches = await zeros('patches', [patchNumel(d)]);
        submitDispatches(device, await patchifyForward(scope, { x: xT, patches }, d));
        const fwd = allClose(await read(patches), patchifyRef(x, d), 0, 0);
        expect(fwd.ok, fwd.message).toBe(true);

        const dPatches = f32Normal(rng, patchNumel(d));
        const dx = await zeros('dx', [numel(d)]);
        submitDispatches(device, await patchifyBackward(scope, { dPatches: await upload('dPatches', dPatches), dx }, d));
        const bwd = allClose(await read(dx), unpatchifyRef(dPatches, d), 0, 0);
        expect(bwd.ok, bwd.message).toBe(true);
      });
    });
  }

  it('unpatchifies two band groups into one image (second with accumulate onto a non-zero image)', async () => {
    await gpuCase(async ({ device, scope, upload, zeros, read }) => {
      const base = { B: 2, T: 2, C: 5, H: 6, W: 4, P: 2 };
      const g1 = { ...base, bands: [0, 3] };
      const g2 = { ...base, bands: [4, 1, 2] };
      const rng = new Rng(50);
      const x = f32Normal(rng, numel(base));
      const xT = await upload('x', x);
      const p1 = await zeros('p1', [patchNumel(g1)]);
      const p2 = await zeros('p2', [patchNumel(g2)]);
      const image = await zeros('image', [numel(base)]);
      const prior = f32Normal(rng, numel(base));
      const accImage = await upload('accImage', prior);
      submitDispatches(device, [
        ...(await patchifyForward(scope, { x: xT, patches: p1 }, g1)),
        ...(await patchifyForward(scope, { x: xT, patches: p2 }, g2)),
        ...(await unpatchify(scope, { patches: p1, image }, g1)),
        ...(await unpatchify(scope, { patches: p2, image }, g2)),
        ...(await unpatchify(scope, { patches: p2, image: accImage }, { ...g2, accumulate: true })),
      ]);
      const whole = allClose(await read(image), x, 0, 0);
      expect(whole.ok, whole.message).toBe(true);
      const g2only = unpatchifyRef(patchifyRef(x, g2), g2);
      const acc = allClose(await read(accImage), prior.map((v, i) => v + g2only[i]), 1e-6, 1e-6);
      expect(acc.ok, acc.message).toBe(true);
    });
  });

  it('splits samples over several dispatches under a tiny binding limit (unaligned windows)', async () => {
    await gpuCase(async ({ device, scope, upload, zeros, read }) => {
      // 162 image values per sample (not a multiple of 64): 2 samples per binding → 3 chunks with offset slack.
      const d = { B: 3, T: 2, C: 3, H: 6, W: 9, P: 3, bands: [2, 0] };
      const opts = { maxBindingBytes: (2 * 162 + 63) * 4 };
      const rng = new Rng(51);
      const x = f32Normal(rng, numel(d));
      const patches = await zeros('patches', [patchNumel(d)]);
      const fwd = await patchifyForward(scope, { x: await upload('x', x), patches }, d, opts);
      expect(fwd.length).toBe(3);
      submitDispatches(device, fwd);
      const f = allClose(await read(patches), patchifyRef(x, d), 0, 0);
      expect(f.ok, f.message).toBe(true);
      const dx = await zeros('dx', [numel(d)]);
      const bwd = await unpatchify(scope, { patches, image: dx }, d, opts);
      expect(bwd.length).toBe(3);
      submitDispatches(device, bwd);
      const b = allClose(await read(dx), unpatchifyRef(patchifyRef(x, d), d), 0, 0);
      expect(b.ok, b.message).toBe(true);
    });
  });

  it('DEFAULT limits: a 138 MB raster (> one 128 MiB binding, > 65535 workgroups) patchifies exactly', async () => {
    await gpuCase(async ({ ctx, device, scope, upload, zeros, read }) => {
      // 33 dates × 4 bands × 512² = 34.6 M values: more than maxStorageBufferBindingSize / 4 = 33.5 M.
      const d = { B: 1, T: 33, C: 4, H: 512, W: 512, P: 16, bands: [3, 1, 0] };
      expect(numel(d) * 4).toBeGreaterThan(ctx.device.limits.maxStorageBufferBindingSize);
      // Values encode their own index (exact in f32 below 2^24 after the modulo), so checking needs no reference copy.
      const x = new Float32Array(numel(d));
      for (let i = 0; i < x.length; i++) x[i] = i % 16_777_213;
      const xT = await upload('x', x);
      const patches = await zeros('patches', [patchNumel(d)]);
      const dispatches = await patchifyForward(scope, { x: xT, patches }, d);
      // Two chunks of ≤ 31 dates; 31 × 3 × 512² outputs = 95 k workgroups of 256 → a 2-D grid.
      expect(dispatches.length).toBeGreaterThan(1);
      expect(dispatches[0].workgroups[1]).toBeGreaterThan(1);
      submitDispatches(device, dispatches);
      const got = await read(patches);
      const expected = patchifyRef(x, d);
      const r = allClose(got, expected, 0, 0);
      expect(r.ok, r.message).toBe(true);

      // And back: unpatchify the band group into a zeroed image (also > one binding); band 2 must stay zero.
      const image = await zeros('image', [numel(d)]);
      const back = await unpatchify(scope, { patches, image }, d);
      expect(back.length).toBeGreaterThan(1);
      expect(back[0].workgroups[1]).toBeGreaterThan(1);
      submitDispatches(device, back);
      const img = await read(image);
      const plane = d.H * d.W;
      let bad = 0;
      for (let s = 0; s < d.T; s++) {
        for (let c = 0; c < d.C; c++) {
          const keep = c !== 2;
          for (let i = 0, at = (s * d.C + c) * plane; i < plane; i++, at++) if (img[at] !== (keep ? x[at] : 0)) bad++;
        }
      }
      expect(bad).toBe(0);
    }, 'default');
  });
});
