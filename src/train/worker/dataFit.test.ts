/** The fit check: the largest activation against the binding limit, the total against the budget, software speed. */
import { describe, expect, it } from 'vitest';
import type { AdapterReport } from '../../gpu/capabilities';
import { buildConfig } from '../../model/config';
import { estimateModel } from '../../model/estimate';
import { checkFit, largestActivation } from './dataFit';

function adapter(maxStorageBufferBindingSize: number, maxBufferSize: number, isSoftware = false, name = 'test gpu'): AdapterReport {
  return { name, isSoftware, limits: { maxStorageBufferBindingSize, maxBufferSize } } as unknown as AdapterReport;
}

const config = buildConfig('tiny', [{ name: 's2', bands: Array.from({ length: 10 }, (_, i) => `b${i}`), patchSize: 4, imageSize: 32, gsd: 10, dates: 4 }]);

describe('fit on the GPU', () => {
  it('finds the largest activation: the decoder MLP over all tokens for this config', () => {
    const B = 8;
    const N = 4 * 8 * 8; // dates · grid²
    const big = largestActivation(config, B);
    expect(big.bytes).toBe(B * N * config.decoder.mlpHidden * 4);
    expect(big.what).toMatch(/decoder's MLP/);
  });

  it('fits on a roomy GPU, refuses a tensor above the binding limit, and a total above the budget', () => {
    const B = 8;
    const est = estimateModel(config, B);
    const roomy = checkFit(config, est, B, adapter(2 ** 30, 2 ** 32));
    expect(roomy.verdict).toBe('fits');
    expect(roomy.messages[0]).toMatch(/^Fits/);
    const big = largestActivation(config, B).bytes;
    const small = checkFit(config, est, B, adapter(big - 4, 2 ** 32));
    expect(small.verdict).toBe('no-fit');
    expect(small.messages[0]).toMatch(/Will not fit: .* more than this GPU's limit/);
    const tiny = checkFit(config, est, B, adapter(2 ** 30, Math.floor(est.bytes.total / 2) - 1));
    expect(tiny.verdict).toBe('no-fit');
    expect(tiny.messages.join(' ')).toMatch(/at least .* of GPU memory/);
    const tight = checkFit(config, est, B, adapter(2 ** 30, Math.ceil(est.bytes.total * 0.75)));
    expect(tight.verdict).toBe('tight');
  });

  it('estimates the step time on a software adapter and calls a minutes-long step tight', () => {
    const B = 64;
    const est = estimateModel(config, B);
    const sw = checkFit(config, est, B, adapter(2 ** 30, 2 ** 32, true, 'google swiftshader — software'));
    expect(sw.softwareStepSeconds).toBeCloseTo(est.flops.total / 0.4e9, 6);
    if (sw.softwareStepSeconds! > 60) expect(sw.verdict).toBe('tight');
    expect(sw.messages.join(' ')).toMatch(/software GPU: one step takes roughly/);
    const lp = checkFit(config, est, B, adapter(2 ** 30, 2 ** 32, true, 'llvmpipe'));
    expect(lp.softwareStepSeconds).toBeCloseTo(est.flops.total / 2e9, 6);
    expect(checkFit(config, est, B, adapter(2 ** 30, 2 ** 32)).softwareStepSeconds).toBeNull();
  });
});
