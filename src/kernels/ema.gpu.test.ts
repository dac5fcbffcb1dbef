// GPU vs reference for the weight EMA, on lengths that are not multiples of the workgroup, and with a binding
// split forced by a small maxBindingBytes.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { submitDispatches } from './dispatch';
import { emaUpdate } from './ema';
import { emaUpdateRef } from './ema.ref';

describe('ema_update on GPU', () => {
  for (const [n, decay, maxBindingBytes] of [
    [1, 0.5, undefined],
    [1000, 0.9, undefined],
    [5000, 0.999, 4096],
  ] as const) {
    it(`n=${n} decay=${decay}${maxBindingBytes ? ` split at ${maxBindingBytes} B` : ''}`, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const rng = new Rng(n);
        const ema = rng.normalArray(n);
        const param = rng.normalArray(n);
        const tEma = await upload('ema', ema);
        submitDispatches(device, await emaUpdate(scope, { param: await upload('param', param), ema: tEma }, { n, decay }, { maxBindingBytes }));
        const r = allClose(await read(tEma), emaUpdateRef(ema, param, decay), 1e-6, 1e-5);
        expect(r.ok, r.message).toBe(true);
      });
    });
  }
});
