/**
 * The forward-only inspection engine against the float64 whole-graph reference (mae.ref.ts): predictions, targets
 * and loss at several masking ratios, on the seeded initialisation and on weights copied from another buffer (as from
 * a trainer); graphs evicted from the LRU cache and passes started concurrently must not change any result.
 */
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../../gpu/buffers';
import { gpuCase } from '../../gpu/testing/harness';
import { wholeTensor } from '../../gpu/tensor';
import { allClose } from '../../lib/allclose';
import { Rng } from '../../lib/rng';
import type { MaeConfig } from '../../model/config';
import { encodingTables } from '../../model/encodings';
import { lossesFromStats, maeGeometry, segmentLossScales } from '../../model/mae';
import { maeForwardRef } from '../../model/mae.ref';
import { makeMasks } from '../../model/masking';
import { buildParamLayout, flatViews, initParams } from '../../model/params';
import { randomBatch } from '../../model/testing/batches';
import { tinyTwoGroupConfig } from '../../model/testing/configs';
import { InspectEngine, type ForwardResult, type WeightsSource } from './inspectEngine';

const atRatio = (config: MaeConfig, ratio: number): MaeConfig => ({ ...config, masking: { ...config.masking, ratio } });

/** Compares one engine pass with the reference on `params` (float64 of the same f32 values). */
function expectMatchesReference(config: MaeConfig, params: Float32Array, ratio: number, maskSeed: number, got: ForwardResult) {
  const batch = randomBatch(config, 1, 21);
  const masks = makeMasks(atRatio(config, ratio), 1, new Rng(maskSeed));
  const layout = buildParamLayout(config);
  const ref = maeForwardRef(config, flatViews(config, layout, Float64Array.from(params)), {
    B: 1,
    pixels: config.modalities.map((m) => batch.modalities[m.name].data),
    masks,
    encEncodings: encodingTables(config, batch, config.encoder.width),
    decEncodings: encodingTables(config, batch, config.decoder.width),
  });
  const geo = maeGeometry(config);
  const { loss } = lossesFromStats(config, geo, got.stats, segmentLossScales(config, geo, masks));
  expect(Math.abs(loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-4);
  geo.segments.forEach((s, i) => {
    const out = got.outputs![i];
    const target = allClose(out.target, ref.target[s.m][s.j], 1e-4, 1e-3);
    const pred = allClose(out.pred, ref.pred[s.m][s.j], 1e-4, 1e-3);
    expect(target.ok, `segment ${i} target: ${target.message}`).toBe(true);
    expect(pred.ok, `segment ${i} pred: ${pred.message}`).toBe(true);
  });
}

describe('InspectEngine', () => {
  it('matches the reference on the seeded initialisation at several ratios, through LRU evictions', async () => {
    await gpuCase(async ({ device }) => {
      const config = tinyTwoGroupConfig();
      const batch = randomBatch(config, 1, 21);
      const engine = new InspectEngine(device, 2);
      const init: () => WeightsSource = () => ({ kind: 'init', seed: 4 });
      const params = initParams(buildParamLayout(config), 4);
      try {
        // Four distinct visible counts: more than the cache (2 graphs) holds, and the first ratio comes back after eviction.
        for (const ratio of [0.5, 0.1, 0.75, 0.9, 0.5]) {
          const masks = makeMasks(atRatio(config, ratio), 1, new Rng(7));
          const got = await engine.forward(config, batch, masks, init, true);
          expectMatchesReference(config, params, ratio, 7, got);
        }
      } finally {
        engine.destroy();
      }
    });
  });

  it('copies the weights of a trainer-like tensor before every pass and reads only loss statistics when asked', async () => {
    await gpuCase(async ({ device, scope }) => {
      const config = tinyTwoGroupConfig({ loss: 'l2' });
      const layout = buildParamLayout(config);
      const rng = new Rng(5);
      const trained = initParams(layout, 9);
      for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) trained[i] += 0.05 * rng.normal();
      const buf = scope.track(await createBufferFrom(device, 'trainer.params', trained));
      const tensor: () => WeightsSource = () => ({ kind: 'tensor', params: wholeTensor(buf, [layout.size], 'trainer.params') });
      const batch = randomBatch(config, 1, 21);
      const engine = new InspectEngine(device);
      try {
        // First on the initialisation, then on the copied weights: the copy must replace the initial values.
        const masks = makeMasks(atRatio(config, 0.5), 1, new Rng(3));
        await engine.forward(config, batch, masks, () => ({ kind: 'init', seed: 0 }), false);
        const got = await engine.forward(config, batch, masks, tensor, true);
        expectMatchesReference(config, trained, 0.5, 3, got);
        const statsOnly = await engine.forward(config, batch, masks, tensor, false);
        expect(statsOnly.outputs).toBeNull();
        expect([...statsOnly.stats]).toEqual([...got.stats]);
        // The trainer's weights change (a training step): the next pass sees the new values.
        trained.fill(0, layout.entries[0].offset, layout.entries[0].offset + layout.entries[0].size);
        device.queue.writeBuffer(buf, 0, trained.buffer as ArrayBuffer, trained.byteOffset, trained.byteLength);
        expectMatchesReference(config, trained, 0.5, 3, await engine.forward(config, batch, masks, tensor, true));
      } finally {
        engine.destroy();
      }
    });
  });

  it('gives every concurrent pass its own results', async () => {
    await gpuCase(async ({ device }) => {
      const config = tinyTwoGroupConfig();
      const batch = randomBatch(config, 1, 21);
      const engine = new InspectEngine(device);
      const init: () => WeightsSource = () => ({ kind: 'init', seed: 4 });
      try {
        const cases = [
          { ratio: 0.5, seed: 1 },
          { ratio: 0.5, seed: 2 },
          { ratio: 0.25, seed: 3 },
        ];
        const run = (c: (typeof cases)[number]) => engine.forward(config, batch, makeMasks(atRatio(config, c.ratio), 1, new Rng(c.seed)), init, true);
        const together = await Promise.all(cases.map(run));
        const params = initParams(buildParamLayout(config), 4);
        together.forEach((got, i) => expectMatchesReference(config, params, cases[i].ratio, cases[i].seed, got));
      } finally {
        engine.destroy();
      }
    });
  });
});
