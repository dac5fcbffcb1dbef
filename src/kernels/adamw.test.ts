// Reference invariants for AdamW: a hand-computed first step, pure decoupled decay when the gradient is zero, the
// decay mask, agreement over many steps with llm.c's gpt2_update formulation
// (p −= lr·(m̂/(sqrt(v̂) + eps) + wd·p)), and inputs left untouched.
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { adamwRef } from './adamw.ref';

const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.05 };

describe('adamwRef', () => {
  it('takes a known first step', () => {
    // m = 0.1·g, v = 0.05·g², m̂ = g, v̂ = g² → update ≈ lr·sign(g); decay 1e-3·0.05·p first.
    const r = adamwRef({ param: [1, -2], grad: [0.5, -4], m: [0, 0], v: [0, 0] }, { ...hyper, step: 1 });
    expect(r.m[0]).toBeCloseTo(0.05, 15);
    expect(r.v[1]).toBeCloseTo(0.05 * 16, 13);
    expect(r.param[0]).toBeCloseTo(1 * (1 - 5e-5) - 1e-3 * (0.5 / (0.5 + 1e-8)), 14);
    expect(r.param[1]).toBeCloseTo(-2 * (1 - 5e-5) + 1e-3 * (4 / (4 + 1e-8)), 14);
  });

  it('only decays (multiplicatively) when the gradient and moments are zero, and honours the mask', () => {
    const mask = Uint8Array.from([1, 0, 1]);
    const r = adamwRef({ param: [2, 3, -1], grad: [0, 0, 0], m: [0, 0, 0], v: [0, 0, 0] }, { ...hyper, step: 7, decayMask: mask });
    expect([...r.param]).toEqual([2 * (1 - 5e-5), 3, -1 * (1 - 5e-5)]);
  });

  it("matches llm.c's gpt2_update formulation over 20 steps and leaves its inputs unchanged", () => {
    const n = 50;
    const rng = new Rng(4);
    let a: { param: Float64Array; m: Float64Array; v: Float64Array } = { param: rng.normalArray(n), m: new Float64Array(n), v: new Float64Array(n) };
    const b = { param: Float64Array.from(a.param), m: new Float64Array(n), v: new Float64Array(n) };
    for (let t = 1; t <= 20; t++) {
      const grad = rng.normalArray(n);
      const lr = 1e-2 * (1 - t / 40); // a changing schedule
      a = adamwRef({ ...a, grad }, { ...hyper, lr, step: t });
      for (let i = 0; i < n; i++) {
        b.m[i] = hyper.beta1 * b.m[i] + (1 - hyper.beta1) * grad[i];
        b.v[i] = hyper.beta2 * b.v[i] + (1 - hyper.beta2) * grad[i] ** 2;
        const mHat = b.m[i] / (1 - hyper.beta1 ** t);
        const vHat = b.v[i] / (1 - hyper.beta2 ** t);
        b.param[i] -= lr * (mHat / (Math.sqrt(vHat) + hyper.eps) + hyper.weightDecay * b.param[i]);
      }
    }
    for (let i = 0; i < n; i++) {
      expect(a.param[i]).toBeCloseTo(b.param[i], 13);
      expect(a.m[i]).toBeCloseTo(b.m[i], 14);
      expect(a.v[i]).toBeCloseTo(b.v[i], 14);
    }
    const state = { param: [1], grad: [1], m: [0.5], v: [0.25] };
    adamwRef(state, { ...hyper, step: 3 });
    expect(state).toEqual({ param: [1], grad: [1], m: [0.5], v: [0.25] });
  });
});
