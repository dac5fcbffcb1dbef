// The training loop on the GPU against float64: 20 AdamW steps of the whole graph give the same loss sequence as the
// CPU reference graph + CPU AdamW on the same batches and masks; same seed ⇒ same losses; a resumed run continues
// exactly; an injected NaN stops training, names the tensor and keeps the weights.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { adamwRef } from '../kernels/adamw.ref';
import { encodingTables } from '../model/encodings';
import { maeBackwardRef, maeForwardRef } from '../model/mae.ref';
import { buildParamLayout, initParams, flatViews } from '../model/params';
import { randomBatch } from '../model/testing/batches';
import { tinyTwoGroupConfig } from '../model/testing/configs';
import { learningRate } from './schedule';
import { NonFiniteLossError, Trainer, DEFAULT_OPTIMIZER, type BatchSource, type TrainerOptions } from './trainer';

const config = tinyTwoGroupConfig({ loss: 'l2' });
const B = 2;

/** A deterministic synthetic source: the batch depends only on the rng it is given. */
const source: BatchSource = { batch: async (rng, b) => randomBatch(config, b, rng.nextU32()) };

const opts = (steps: number): TrainerOptions => ({
  config,
  batchSize: B,
  seed: 7,
  optimizer: { ...DEFAULT_OPTIMIZER, schedule: { kind: 'one-cycle', options: { maxLr: 3e-3, totalSteps: steps, pctStart: 0.2, divFactor: 10, finalDivFactor: 10 } }, weightDecay: 0.01 },
});

describe('Trainer on GPU', () => {
  it('20 AdamW steps match the float64 reference graph + AdamW loss for loss', async () => {
    await gpuCase(async ({ device }) => {
      const steps = 20;
      const o = opts(steps);
      const trainer = await Trainer.create(device, o, source);
      const layout = buildParamLayout(config);
      let param: Float64Array = Float64Array.from(initParams(layout, o.seed));
      let m: Float64Array = new Float64Array(layout.size);
      let v: Float64Array = new Float64Array(layout.size);
      const gpuLosses: number[] = [];
      const refLosses: number[] = [];
      try {
        for (let s = 0; s < steps; s++) {
          const { batch, masks } = await trainer.inputsFor(s);
          const inputs = {
            B,
            pixels: config.modalities.map((mod) => batch.modalities[mod.name].data),
            masks,
            encEncodings: encodingTables(config, batch, config.encoder.width),
            decEncodings: encodingTables(config, batch, config.decoder.width),
          };
          const w = flatViews(config, layout, param);
          const fwd = maeForwardRef(config, w, inputs);
          const grad = new Float64Array(layout.size);
          maeBackwardRef(config, w, inputs, fwd, flatViews(config, layout, grad));
          const o2 = o.optimizer;
          const lr = learningRate(o2.schedule, s);
          ({ param, m, v } = adamwRef({ param, grad, m, v }, { lr, beta1: o2.beta1, beta2: o2.beta2, eps: o2.eps, weightDecay: o2.weightDecay, step: s + 1 }));
          refLosses.push(fwd.loss);
          gpuLosses.push((await trainer.trainStep()).loss);
        }
      } finally {
        trainer.destroy();
      }
      console.log(`[trainer] GPU losses ${gpuLosses.map((l) => l.toFixed(5)).join(' ')}`);
      console.log(`[trainer] ref losses ${refLosses.map((l) => l.toFixed(5)).join(' ')}`);
      gpuLosses.forEach((l, i) => expect(Math.abs(l - refLosses[i]) / refLosses[i], `step ${i + 1}`).toBeLessThan(1e-3));
      expect(gpuLosses[steps - 1]).toBeLessThan(gpuLosses[0]);
    });
  });

  it('is deterministic for a seed, and a resumed run continues exactly', async () => {
    await gpuCase(async ({ device }) => {
      const run = async (n: number) => {
        const t = await Trainer.create(device, opts(8), source);
        const losses: number[] = [];
        for (let i = 0; i < n; i++) losses.push((await t.trainStep()).loss);
        return { t, losses };
      };
      const a = await run(6);
      const b = await run(3);
      const snap = await b.t.snapshot();
      b.t.destroy();
      const c = await Trainer.create(device, opts(8), source);
      c.restore({ ...snap, step: 3 });
      const resumed = [...b.losses];
      for (let i = 0; i < 3; i++) resumed.push((await c.trainStep()).loss);
      a.t.destroy();
      c.destroy();
      expect(b.losses).toEqual(a.losses.slice(0, 3));
      expect(resumed).toEqual(a.losses);
    });
  });

  it('stops on a NaN, names the tensor and keeps the last good weights', async () => {
    await gpuCase(async ({ device }) => {
      const t = await Trainer.create(device, opts(8), source);
      try {
        await t.trainStep();
        const before = (await t.snapshot()).params;
        const layout = buildParamLayout(config);
        const victim = layout.entries.find((e) => e.name.includes('fc1.w'))!;
        const poisoned = before.slice();
        poisoned[victim.offset + 3] = NaN;
        device.queue.writeBuffer(t.params.buffer, 0, poisoned);
        const err = await t.trainStep().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NonFiniteLossError);
        expect((err as NonFiniteLossError).step).toBe(2);
        expect((err as NonFiniteLossError).tensor).toBe(`parameter ${victim.name}`);
        expect(t.step).toBe(1);
        const after = (await t.snapshot()).params;
        // No update was applied: every other weight is exactly as before.
        expect(after.filter((x, i) => i !== victim.offset + 3 && x !== before[i]).length).toBe(0);
      } finally {
        t.destroy();
      }
    });
  });
});
