// The TF.js peer of the train suite is the same computation as our model: on TF.js's cpu backend its loss and every
// parameter gradient match the float64 whole-graph reference (src/model/mae.ref.ts) for the same weights, batch and
// masks, and one step() is exactly AdamW (src/kernels/adamw.ref.ts) with the reference gradient.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamwRef } from '../../src/kernels/adamw.ref';
import { Rng } from '../../src/lib/rng';
import { buildConfig, type ConfigOverrides, type MaeConfig } from '../../src/model/config';
import { encodingTables } from '../../src/model/encodings';
import { maeBackwardRef, maeForwardRef } from '../../src/model/mae.ref';
import { makeMasks } from '../../src/model/masking';
import { buildParamLayout, flatViews, initParams } from '../../src/model/params';
import { randomBatch } from '../../src/model/testing/batches';
import { createTfjsMae, tfjsMaeUnsupported, type AdamwHyper } from './tfjsMae';

/** One modality, 5 bands in normalisation groups [2, 2, 1], 3 dates, 4 px, patch 2: N = 12 tokens, K = 3. */
function tinyConfig(overrides: ConfigOverrides = {}): MaeConfig {
  return buildConfig('tiny', [{ name: 'm', bands: ['a', 'b', 'c', 'd', 'e'], normGroups: [2, 2, 1], patchSize: 2, imageSize: 4, gsd: 10, dates: 3 }], {
    encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 1, mlpRatio: 2 },
    decoder: { width: 12, heads: 2, depth: 1, mlpHidden: 20 },
    ...overrides,
  });
}

const HYPER: AdamwHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.05 };
const B = 2;

/** Weights (seeded init plus jitter, so no norm is exactly the identity), batch, masks and the float64 reference. */
function fixture(config: MaeConfig, seed: number) {
  const layout = buildParamLayout(config);
  const params = initParams(layout, seed);
  const rng = new Rng(seed + 1);
  for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) params[i] += 0.05 * rng.normal();
  const batch = randomBatch(config, B, seed + 2);
  const masks = makeMasks(config, B, new Rng(seed + 3));
  const w = flatViews(config, layout, Float64Array.from(params));
  const inputs = {
    B,
    pixels: [batch.modalities[config.modalities[0].name].data],
    masks,
    encEncodings: encodingTables(config, batch, config.encoder.width),
    decEncodings: encodingTables(config, batch, config.decoder.width),
  };
  const fwd = maeForwardRef(config, w, inputs);
  const grad = new Float64Array(layout.size);
  maeBackwardRef(config, w, inputs, fwd, flatViews(config, layout, grad));
  return { layout, params, batch, masks, refLoss: fwd.loss, refGrad: grad };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TF.js peer model vs the float64 reference', () => {
  for (const [label, overrides] of [
    ['l1 loss, patch-group targets, inter-group block', {}],
    ['l2 loss, whole-patch targets, no inter-group block', { loss: 'l2', targetNorm: 'patch', encoder: { width: 16, heads: 2, groupDepth: 2, interDepth: 0, mlpRatio: 2 } }],
  ] as const) {
    it(`same loss and gradients (${label})`, async () => {
      const config = tinyConfig(overrides as ConfigOverrides);
      const f = fixture(config, 11);
      const model = createTfjsMae(config, f.params, f.batch, f.masks, HYPER);
      try {
        const { loss, grads } = model.grads();
        expect(Math.abs((await loss.data())[0] - f.refLoss) / f.refLoss).toBeLessThan(1e-5);
        let scale = 0;
        for (const x of f.refGrad) scale = Math.max(scale, Math.abs(x));
        expect(scale).toBeGreaterThan(0);
        for (const e of f.layout.entries) {
          const g = await grads.get(e.name)!.data();
          const ref = f.refGrad.subarray(e.offset, e.offset + e.size);
          let worst = 0;
          for (let i = 0; i < e.size; i++) worst = Math.max(worst, Math.abs(g[i] - ref[i]));
          expect(worst / scale, e.name).toBeLessThan(1e-4);
        }
        tf.dispose([loss, ...grads.values()]);
      } finally {
        model.dispose();
      }
    });
  }

  it('one step is AdamW with decoupled weight decay on every parameter', async () => {
    const config = tinyConfig();
    const f = fixture(config, 23);
    const model = createTfjsMae(config, f.params, f.batch, f.masks, HYPER);
    try {
      const loss = await model.step();
      expect(Math.abs(loss - f.refLoss) / f.refLoss).toBeLessThan(1e-5);
      const zeros = new Float64Array(f.layout.size);
      const ref = adamwRef({ param: f.params, grad: f.refGrad, m: zeros, v: zeros }, { ...HYPER, step: 1 });
      let checked = 0;
      for (const e of f.layout.entries) {
        const p = await model.variables.get(e.name)!.data();
        for (let i = 0; i < e.size; i++) {
          const j = e.offset + i;
          // Adam's first step is lr·sign(g) (ε aside): exact where the gradient's sign is unambiguous in float32,
          // at most 2·lr apart where the true gradient is ~0 and rounding may flip it.
          const tol = Math.abs(f.refGrad[j]) > 1e-5 ? 2e-6 : 2 * HYPER.lr + 1e-6;
          expect(Math.abs(p[i] - ref.param[j]), `${e.name}[${i}]`).toBeLessThan(tol);
          if (tol < 1e-5) checked++;
        }
      }
      expect(checked / f.layout.count).toBeGreaterThan(0.9);
    } finally {
      model.dispose();
    }
  });

  it('names what it does not implement', () => {
    const twoMods = buildConfig('tiny', [
      { name: 'a', bands: ['x'], patchSize: 2, imageSize: 4, gsd: 10, dates: 2 },
      { name: 'b', bands: ['y'], patchSize: 2, imageSize: 4, gsd: 10, dates: 2 },
    ]);
    expect(tfjsMaeUnsupported(twoMods)).toMatch(/one fusion group of one modality/);
    const bandGroups = buildConfig('tiny', [{ name: 'a', bands: ['x', 'y'], normGroups: [1, 1], tokenGroups: [1, 1], patchSize: 2, imageSize: 4, gsd: 10, dates: 2 }]);
    expect(tfjsMaeUnsupported(bandGroups)).toMatch(/one token band group/);
    expect(tfjsMaeUnsupported(tinyConfig())).toBeNull();
  });
});
