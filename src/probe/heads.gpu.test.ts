// Probe heads on the GPU vs the float64 references: logits of the linear and attentive heads, and every parameter
// gradient after a backward from random logit gradients, over shapes with set sizes N that are not multiples of the
// attention tiles (N = 1, 5, 37), 8 heads of size 2 and 3 as MAESTRO, and widths that are not multiples of the matmul
// tile; the linear head once under WebGPU's default limits (the heads add no kernel of their own: the attention
// kernels' own tests cover their splitting). Then short trainings (fitProbe) on synthetic separable sets must reach
// high held-out accuracy for both heads and on a multi-label task, which exercises loss, backward and AdamW together.
import { describe, expect, it } from 'vitest';
import { gpuCase } from '../gpu/testing/harness';
import { submitDispatches } from '../kernels/dispatch';
import { linearBackwardRef } from '../kernels/matmul.ref';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import { fitProbe, type ProbeExamples } from './fit';
import { buildHeadGraph, headLayout, type HeadSpec } from './heads';
import { attentiveReduceBackwardRef, attentiveReduceForwardRef, classifierForwardRef, type AttentiveRefParams } from './heads.ref';

function randomFlat(spec: HeadSpec, rng: Rng): Float32Array {
  const layout = headLayout(spec);
  const flat = new Float32Array(layout.size);
  for (const e of layout.entries) {
    const v = flat.subarray(e.offset, e.offset + e.size);
    for (let i = 0; i < v.length; i++) v[i] = e.name.endsWith('.g') ? 0.5 + rng.uniform() : rng.normal() * (e.name === 'q' ? 1 : 0.3);
  }
  return flat;
}

function slice(spec: HeadSpec, flat: ArrayLike<number>, name: string): Float64Array {
  const e = headLayout(spec).entries.find((x) => x.name === name)!;
  return Float64Array.from({ length: e.size }, (_, i) => flat[e.offset + i]);
}

async function compare(spec: HeadSpec, seed: number, limits: 'adapter' | 'default' = 'adapter') {
  await gpuCase(async ({ device, scope, read }) => {
    const rng = new Rng(seed);
    const flat = randomFlat(spec, rng);
    const rows = spec.kind === 'linear' ? spec.R : spec.R * spec.N;
    const x = Float32Array.from(rng.normalArray(rows * spec.E)); // (rows, E)
    const dLogits = Float32Array.from(rng.normalArray(spec.R * spec.K)); // (R, K)
    const graph = await buildHeadGraph(scope, spec, flat);
    try {
      device.queue.writeBuffer(graph.input.buffer, 0, x);
      submitDispatches(device, graph.forward);
      const logits = await read(graph.logits);
      device.queue.writeBuffer(graph.dLogits.buffer, 0, dLogits);
      submitDispatches(device, graph.backward);
      const grads = await read(graph.grads);

      const w = slice(spec, flat, 'cls.w');
      const b = slice(spec, flat, 'cls.b');
      const P: AttentiveRefParams | null =
        spec.kind === 'attentive'
          ? { ln1g: slice(spec, flat, 'ln1.g'), ln1b: slice(spec, flat, 'ln1.b'), wkv: slice(spec, flat, 'wkv'), q: slice(spec, flat, 'q'), ln2g: slice(spec, flat, 'ln2.g'), ln2b: slice(spec, flat, 'ln2.b') }
          : null;
      const dims = { R: spec.R, N: spec.N, E: spec.E, NH: spec.NH, eps: spec.eps };
      const z = P ? attentiveReduceForwardRef(x, P, dims) : Float64Array.from(x); // (R, E)
      const expectedLogits = classifierForwardRef(z, w, b, { R: spec.R, E: spec.E, K: spec.K });
      const tol = (len: number) => ({ atol: 2e-5 * Math.sqrt(len), rtol: 2e-4 * Math.sqrt(len) });
      let t = tol(spec.E);
      let r = allClose(logits, expectedLogits, t.atol, t.rtol);
      expect(r.ok, `logits: ${r.message}`).toBe(true);

      const cls = linearBackwardRef(z, w, dLogits, { M: spec.R, K: spec.E, N: spec.K });
      t = tol(spec.R);
      r = allClose(slice(spec, grads, 'cls.w'), cls.dw, t.atol, t.rtol);
      expect(r.ok, `cls.w: ${r.message}`).toBe(true);
      r = allClose(slice(spec, grads, 'cls.b'), cls.db, t.atol, t.rtol);
      expect(r.ok, `cls.b: ${r.message}`).toBe(true);
      if (P) {
        const ref = attentiveReduceBackwardRef(x, P, cls.dx, dims);
        t = tol(spec.R * spec.N * spec.E);
        for (const [name, expected] of [
          ['ln2.g', ref.ln2g],
          ['ln2.b', ref.ln2b],
          ['q', ref.q],
          ['wkv', ref.wkv],
          ['ln1.g', ref.ln1g],
          ['ln1.b', ref.ln1b],
        ] as const) {
          r = allClose(slice(spec, grads, name), expected, t.atol, t.rtol);
          expect(r.ok, `${name}: ${r.message}`).toBe(true);
        }
      }
    } finally {
      graph.destroy();
    }
  }, limits);
}

describe('probe heads on GPU vs float64 references', () => {
  it('linear head (R=7, E=20, K=3)', () => compare({ kind: 'linear', E: 20, K: 3, N: 1, R: 7, NH: 1, eps: 1e-5 }, 1));
  it('attentive head, 5 tokens per set, 8 heads of size 2 (R=3, E=16, K=4)', () => compare({ kind: 'attentive', E: 16, K: 4, N: 5, R: 3, NH: 8, eps: 1e-5 }, 2));
  it('attentive head, one token per set, 8 heads of size 3 (R=4, E=24, K=5)', () => compare({ kind: 'attentive', E: 24, K: 5, N: 1, R: 4, NH: 8, eps: 1e-5 }, 3));
  it('attentive head, 37 tokens per set, 4 heads (R=5, E=32, K=3)', () => compare({ kind: 'attentive', E: 32, K: 3, N: 37, R: 5, NH: 4, eps: 1e-5 }, 4));
  it('linear head under WebGPU default limits (R=9, E=12, K=2)', () => compare({ kind: 'linear', E: 12, K: 2, N: 1, R: 9, NH: 1, eps: 1e-5 }, 5, 'default'));
});

/** Sets of N tokens; the class is written (×3) along a class direction into ONE random token of the set. */
function syntheticSets(count: number, N: number, E: number, K: number, seed: number, multi: boolean): ProbeExamples {
  const rng = new Rng(seed);
  const features = Float32Array.from(rng.normalArray(count * N * E, 0.5)); // (count, N, E)
  const labels = multi ? new Float32Array(count * K) : new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const classes = multi ? Array.from({ length: K }, (_, k) => k).filter(() => rng.uniform() < 0.4) : [rng.int(K)];
    for (const c of classes) {
      const n = rng.int(N);
      features[(r * N + n) * E + c] += 3;
      if (multi) labels[r * K + c] = 1;
      else labels[r] = c;
    }
  }
  return { labelKind: multi ? 'multi' : 'single', K, N, E, count, features, labels };
}

function split(count: number): { train: Int32Array; test: Int32Array } {
  const idx = Int32Array.from({ length: count }, (_, i) => i);
  return { train: idx.filter((i) => i % 4 !== 0), test: idx.filter((i) => i % 4 === 0) };
}

describe('fitProbe on synthetic token sets', () => {
  // Small batches and 2 heads keep the attentive runs affordable on SwiftShader (every step runs the tiled attention
  // kernels on R·NH sets; a set of 3 tokens uses a small corner of each tile).
  for (const head of ['linear', 'attentive'] as const) {
    it(`${head} head learns a separable 4-class task`, async () => {
      const ex = syntheticSets(240, 3, 16, 4, 10, false);
      const { train, test } = split(ex.count);
      const opts = head === 'linear' ? { steps: 80, batch: 32, lr: 5e-2 } : { steps: 40, batch: 16, lr: 2e-2, heads: 2 };
      const result = await gpuCase(({ device }) => fitProbe(device, ex, train, test, { head, weightDecay: 0.01, seed: 1, ...opts }));
      const correct = [...result.predictions].filter((p, i) => p === ex.labels[test[i]]).length;
      const acc = correct / test.length;
      console.log(`[probe ${head}] loss ${result.losses[0].toFixed(3)} → ${result.losses.at(-1)!.toFixed(3)}, held-out accuracy ${acc.toFixed(3)}, ${result.trainMs.toFixed(0)} ms`);
      expect(result.losses.at(-1)!).toBeLessThan(0.5 * result.losses[0]);
      expect(acc).toBeGreaterThan(0.85);
    });
  }

  it('learns a multi-label task (BCE, threshold 0.5; the loss path is the same for both heads)', async () => {
    const ex = syntheticSets(240, 3, 16, 3, 11, true);
    const { train, test } = split(ex.count);
    const result = await gpuCase(({ device }) => fitProbe(device, ex, train, test, { head: 'linear', steps: 80, batch: 32, lr: 5e-2, weightDecay: 0.01, seed: 2 }));
    let right = 0;
    test.forEach((r, i) => {
      for (let k = 0; k < ex.K; k++) right += result.predictions[i * ex.K + k] === ex.labels[r * ex.K + k] ? 1 : 0;
    });
    const acc = right / (test.length * ex.K);
    console.log(`[probe multi-label] loss ${result.losses[0].toFixed(3)} → ${result.losses.at(-1)!.toFixed(3)}, per-label accuracy ${acc.toFixed(3)}`);
    expect(acc).toBeGreaterThan(0.85);
  });
});
