// Whole-graph parity: the GPU MAE (mae.ts, WGSL kernels) against the float64 reference (mae.ref.ts) on the tiny
// two-fusion-group config — a multi-date modality with three normalisation groups and two token groups, plus a
// fusion group of two modalities with different grids — with one inter-group block: the loss, the per-modality
// losses and EVERY parameter gradient must match.
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import { Rng } from '../lib/rng';
import type { MaeConfig } from './config';
import { encodingTables } from './encodings';
import { buildMaeGraph, lossesFromStats } from './mae';
import { maeBackwardRef, maeForwardRef } from './mae.ref';
import { makeMasks } from './masking';
import { buildParamLayout, flatViews } from './params';
import { compareGradients, jitteredParams } from './testing/graphParity';
import { randomBatch } from './testing/batches';
import { tinyTwoGroupConfig } from './testing/configs';

async function parity(config: MaeConfig, B: number, seed: number) {
  await gpuCase(async ({ device, scope, read }) => {
    const layout = buildParamLayout(config);
    const params = jitteredParams(layout, seed);
    const batch = randomBatch(config, B, seed + 1);
    const masks = makeMasks(config, B, new Rng(seed + 2));

    // Reference, in float64 on the same (f32-representable) inputs.
    const inputs = {
      B,
      pixels: config.modalities.map((m) => batch.modalities[m.name].data),
      masks,
      encEncodings: encodingTables(config, batch, config.encoder.width),
      decEncodings: encodingTables(config, batch, config.decoder.width),
    };
    const w = flatViews(config, layout, params);
    const fwd = maeForwardRef(config, w, inputs);
    const gradRef = new Float64Array(layout.size);
    maeBackwardRef(config, w, inputs, fwd, flatViews(config, layout, gradRef));

    const pBuf = scope.track(await createBufferFrom(device, 'params', Float32Array.from(params)));
    const graph = await buildMaeGraph(scope, config, { B, K: masks.map((m) => m.K), params: wholeTensor(pBuf, [layout.size], 'params') });
    try {
      graph.upload(batch, masks);
      submitDispatches(device, [...graph.forward, ...graph.backward]);
      const stats = await read(graph.stats);
      const scales = await read(graph.lossScales);
      const { loss, modalityLoss } = lossesFromStats(config, graph.geometry, stats, scales);
      console.log(`[mae gpu] loss ${loss} (reference ${fwd.loss}); modality losses ${modalityLoss.map((l) => l.toFixed(5)).join(', ')}`);
      expect(Math.abs(loss - fwd.loss) / Math.abs(fwd.loss)).toBeLessThan(1e-4);
      modalityLoss.forEach((l, m) => expect(Math.abs(l - fwd.modalityLoss[m])).toBeLessThan(1e-4 * Math.max(1, Math.abs(fwd.modalityLoss[m]))));

      const { bad, worst } = compareGradients(layout, await read(graph.grads), gradRef);
      console.log(`[mae gpu] ${layout.entries.length} parameter tensors, worst gradient error ${worst.toExponential(2)} of the tensor's largest gradient`);
      expect(bad, bad.join('\n')).toEqual([]);
    } finally {
      graph.destroy();
    }
  });
}

describe('GPU MAE graph vs float64 reference', () => {
  it('two fusion groups + inter-group block, l2, patch-group targets: loss and every gradient', async () => {
    await parity(tinyTwoGroupConfig({ loss: 'l2' }), 2, 11);
  });
  it('l1 loss, whole-patch targets, no inter-group stage', async () => {
    await parity(tinyTwoGroupConfig({ loss: 'l1', targetNorm: 'patch', encoder: { interDepth: 0, groupDepth: 2 } }), 2, 23);
  });
});
