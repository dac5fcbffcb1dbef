// Whole-graph parity with the A²-MAE-style switches on (method.md §7): the GPU MAE (mae.ts, WGSL kernels) against the
// float64 reference (mae.ref.ts) on a two-source image set — S2-like 10 m (4 bands, 2 dates, 6×6 tokens) and
// Landsat-like 30 m (3 bands, 1 date, 2×2 tokens) in separate fusion groups, samples at random places on the globe —
// with anchor-aware masks and the learned geographic map (forward Φ·W into encoder and decoder inputs, backward
// dW = Φᵀ·dX on the matmul kernel): the loss, the per-modality losses and EVERY parameter gradient must match.
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import { Rng } from '../lib/rng';
import type { MaeConfig } from './config';
import { buildMaeGraph, lossesFromStats } from './mae';
import { maeBackwardRef, maeForwardRef } from './mae.ref';
import { makeMasks } from './masking';
import { buildParamLayout, flatViews } from './params';
import { compareGradients, jitteredParams } from './testing/graphParity';
import { imageSetBatch, refInputs, twoSourceConfig } from './testing/imageSets';

async function parity(config: MaeConfig, B: number, seed: number) {
  await gpuCase(async ({ device, scope, read }) => {
    const layout = buildParamLayout(config);
    const params = jitteredParams(layout, seed);
    const batch = imageSetBatch(config, B, seed + 1);
    const masks = makeMasks(config, B, new Rng(seed + 2), batch);
    expect(masks[0].anchors).toHaveLength(B);

    const inputs = refInputs(config, batch, masks);
    // The reference sees the f32-rounded features the GPU gets.
    inputs.geo = inputs.geo!.map((f) => Float64Array.from(Float32Array.from(f)));
    const w = flatViews(config, layout, params);
    const fwd = maeForwardRef(config, w, inputs);
    const gradRef = new Float64Array(layout.size);
    maeBackwardRef(config, w, inputs, fwd, flatViews(config, layout, gradRef));

    const pBuf = scope.track(await createBufferFrom(device, 'params', Float32Array.from(params)));
    const graph = await buildMaeGraph(scope, config, { B, K: masks.map((m) => m.K), params: wholeTensor(pBuf, [layout.size], 'params') });
    try {
      graph.upload(batch, masks);
      submitDispatches(device, [...graph.forward, ...graph.backward]);
      const { loss, modalityLoss } = lossesFromStats(config, graph.geometry, await read(graph.stats), await read(graph.lossScales));
      console.log(`[geo graph gpu] ${config.geoEncoding} geo, ${config.positions} positions: loss ${loss} (reference ${fwd.loss})`);
      expect(Math.abs(loss - fwd.loss) / Math.abs(fwd.loss)).toBeLessThan(1e-4);
      modalityLoss.forEach((l, m) => expect(Math.abs(l - fwd.modalityLoss[m])).toBeLessThan(1e-4 * Math.max(1, Math.abs(fwd.modalityLoss[m]))));

      const { bad, worst } = compareGradients(layout, await read(graph.grads), gradRef);
      const geoScale = (name: string) => {
        const e = layout.entries.find((x) => x.name === name)!;
        return Math.max(...gradRef.subarray(e.offset, e.offset + e.size).map(Math.abs));
      };
      expect(geoScale('geo.enc.w')).toBeGreaterThan(0);
      expect(geoScale('geo.dec.w')).toBeGreaterThan(0);
      console.log(`[geo graph gpu] ${layout.entries.length} parameter tensors, worst gradient error ${worst.toExponential(2)} of the tensor's largest gradient`);
      expect(bad, bad.join('\n')).toEqual([]);
    } finally {
      graph.destroy();
    }
  });
}

describe('GPU MAE graph vs float64 reference on a two-source image set (anchor masks, geographic encoding)', () => {
  it('full geo encoding (lat/lon + GSD), pooled positions, l2, inter-group block', async () => {
    await parity(twoSourceConfig({ loss: 'l2' }), 2, 11);
  });
  it('GSD-only geo encoding, ground positions, l1, no inter-group stage', async () => {
    await parity(twoSourceConfig({ geoEncoding: 'gsd', positions: 'ground', encoder: { width: 16, heads: 2, groupDepth: 2, interDepth: 0, mlpRatio: 2 } }), 2, 23);
  });
});
