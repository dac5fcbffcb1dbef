// Whole-graph parity: the GPU MAE (mae.ts, WGSL kernels) against the float64 reference (mae.ref.ts) on the tiny
// two-fusion-group config — a multi-date modality with three normalisation groups and two token groups, plus a
// fusion group of two modalities with different grids — with one inter-group block: the loss, the per-modality
// losses and EVERY parameter gradient must match.
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { gpuCase } from '../gpu/testing/harness';
import { wholeTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import type { MaeConfig } from './config';
import { encodingTables } from './encodings';
import { buildMaeGraph, lossesFromStats } from './mae';
import { maeBackwardRef, maeForwardRef } from './mae.ref';
import { makeMasks } from './masking';
import { buildParamLayout, flatViews, initParams } from './params';
import { randomBatch } from './testing/batches';
import { tinyTwoGroupConfig } from './testing/configs';

async function parity(config: MaeConfig, B: number, seed: number) {
  await gpuCase(async ({ device, scope, read }) => {
    const layout = buildParamLayout(config);
    const rng = new Rng(seed);
    const params = Float64Array.from(initParams(layout, seed));
    // Jitter so that no gradient is special (unit gammas, zero biases); keep padding at zero.
    for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) params[i] = Math.fround(params[i] + 0.1 * rng.normal());
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

      const grad = await read(graph.grads);
      const bad: string[] = [];
      let worst = 0;
      for (const e of layout.entries) {
        const g = grad.subarray(e.offset, e.offset + e.size);
        const r = gradRef.subarray(e.offset, e.offset + e.size);
        // Relative to the tensor's gradient scale: tiny entries of a tensor are compared in absolute terms.
        const scale = Math.max(...r.map(Math.abs), 1e-12);
        const rep = allClose(g, r, 1e-3 * scale, 1e-3);
        let maxRel = 0;
        for (let i = 0; i < g.length; i++) maxRel = Math.max(maxRel, Math.abs(g[i] - r[i]) / scale);
        worst = Math.max(worst, maxRel);
        if (!rep.ok) bad.push(`${e.name} ${JSON.stringify(e.shape)}: ${rep.message}`);
      }
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
