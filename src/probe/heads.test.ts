// Probe head references and CPU losses: AttentiveReduce passes central-difference gradient checks for its input and
// every parameter (random projections, and a full Jacobian on a tiny shape); its invariants hold (softmax weights sum
// to 1 per head, a single token gets weight 1 and gives LN(v), the result does not depend on token order); mean
// pooling and the classifier match hand computations; cross-entropy and BCE-with-logits match known values and pass
// gradient checks, and ignored rows contribute nothing.
import { describe, expect, it } from 'vitest';
import { layernormForwardRef } from '../kernels/layernorm.ref';
import { matmulRef } from '../kernels/matmul.ref';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { attentiveReduceBackwardRef, attentiveReduceForwardRef, attentiveWeightsRef, classifierForwardRef, meanPoolRef, type AttentiveRefDims, type AttentiveRefParams } from './heads.ref';
import { argmaxRows, bceWithLogits, softmaxCrossEntropy } from './loss';

function randomParams(E: number, rng: Rng): AttentiveRefParams {
  return {
    ln1g: rng.uniformArray(E, 0.5, 1.5),
    ln1b: rng.normalArray(E, 0.1),
    wkv: rng.normalArray(E * 2 * E, 0.5),
    q: rng.normalArray(E),
    ln2g: rng.uniformArray(E, 0.5, 1.5),
    ln2b: rng.normalArray(E, 0.1),
  };
}

const PARAM_KEYS = ['ln1g', 'ln1b', 'wkv', 'q', 'ln2g', 'ln2b'] as const;

function checkAttentive(dims: AttentiveRefDims, seed: number, fullJacobian: boolean) {
  const rng = new Rng(seed);
  const p = randomParams(dims.E, rng);
  const x = rng.normalArray(dims.R * dims.N * dims.E);
  const unpack = (inputs: Float64Array[]): AttentiveRefParams => Object.fromEntries(PARAM_KEYS.map((k, i) => [k, inputs[i + 1]])) as unknown as AttentiveRefParams;
  return gradCheck(
    {
      inputs: [x, ...PARAM_KEYS.map((k) => Float64Array.from(p[k]))],
      forward: (inputs) => attentiveReduceForwardRef(inputs[0], unpack(inputs), dims),
      backward: (inputs, dOut) => {
        const g = attentiveReduceBackwardRef(inputs[0], unpack(inputs), dOut, dims);
        return [g.dx, g.ln1g, g.ln1b, g.wkv, g.q, g.ln2g, g.ln2b];
      },
      fullJacobian,
      seed: seed + 1,
    },
    1e-5,
  );
}

describe('attentiveReduce reference', () => {
  it('passes a gradient check for x and every parameter (random projections)', () => {
    const r = checkAttentive({ R: 3, N: 5, E: 8, NH: 2, eps: 1e-5 }, 7, false);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('passes a gradient check with one head per 2 channels (8 heads, as MAESTRO)', () => {
    const r = checkAttentive({ R: 2, N: 3, E: 16, NH: 8, eps: 1e-5 }, 9, false);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('passes a full-Jacobian gradient check on a tiny shape', () => {
    const r = checkAttentive({ R: 2, N: 2, E: 4, NH: 2, eps: 1e-5 }, 11, true);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('has softmax weights summing to 1 per set and head', () => {
    const dims = { R: 2, N: 6, E: 8, NH: 4, eps: 1e-5 };
    const rng = new Rng(3);
    const a = attentiveWeightsRef(rng.normalArray(2 * 6 * 8), randomParams(8, rng), dims);
    for (let rh = 0; rh < 2 * 4; rh++) {
      let s = 0;
      for (let n = 0; n < 6; n++) s += a[rh * 6 + n];
      expect(s).toBeCloseTo(1, 12);
    }
  });

  it('gives LayerNorm₂(v) for a single token and ignores token order', () => {
    const E = 8;
    const rng = new Rng(5);
    const p = randomParams(E, rng);
    const x = rng.normalArray(E);
    const one = attentiveReduceForwardRef(x, p, { R: 1, N: 1, E, NH: 2, eps: 1e-5 });
    const xn = layernormForwardRef(x, p.ln1g, p.ln1b, { R: 1, D: E, eps: 1e-5 }).out;
    const v = matmulRef(xn, p.wkv, { M: 1, N: 2 * E, K: E }).subarray(E);
    const expected = layernormForwardRef(v, p.ln2g, p.ln2b, { R: 1, D: E, eps: 1e-5 }).out;
    one.forEach((y, i) => expect(y).toBeCloseTo(expected[i], 12));

    const N = 4;
    const set = rng.normalArray(N * E);
    const perm = [2, 0, 3, 1];
    const shuffled = new Float64Array(N * E);
    perm.forEach((src, dst) => shuffled.set(set.subarray(src * E, (src + 1) * E), dst * E));
    const a = attentiveReduceForwardRef(set, p, { R: 1, N, E, NH: 2, eps: 1e-5 });
    const b = attentiveReduceForwardRef(shuffled, p, { R: 1, N, E, NH: 2, eps: 1e-5 });
    a.forEach((y, i) => expect(b[i]).toBeCloseTo(y, 12));
  });
});

describe('mean pooling and classifier references', () => {
  it('average the tokens of each set and apply x·W + b', () => {
    // 2 sets of 2 tokens, E = 2.
    const pooled = meanPoolRef([1, 2, 3, 4, -1, 0, 1, 2], { R: 2, N: 2, E: 2 });
    expect([...pooled]).toEqual([2, 3, 0, 1]);
    const logits = classifierForwardRef(pooled, [1, 0, 0, 1, 1, -1], [0.5, 0, -0.5], { R: 2, E: 2, K: 3 });
    // W (2, 3) = [[1, 0, 0], [1, 1, -1]] → row 0: [2+3, 3, -3] + b
    expect([...logits]).toEqual([5.5, 3, -3.5, 1.5, 1, -1.5]);
  });
});

describe('probe losses (CPU)', () => {
  it('cross-entropy of equal logits is log K; the gradient is softmax − one-hot over R', () => {
    const r = softmaxCrossEntropy([0, 0, 0, 0], [1, 0], { R: 2, K: 2 });
    expect(r.loss).toBeCloseTo(Math.log(2), 12);
    expect([...r.dLogits]).toEqual([0.25, -0.25, -0.25, 0.25]);
  });

  it('ignores rows with a negative label', () => {
    const a = softmaxCrossEntropy([1, 2, 3, 9, 9, 9], [2, -1], { R: 2, K: 3 });
    const b = softmaxCrossEntropy([1, 2, 3], [2], { R: 1, K: 3 });
    expect(a.loss).toBeCloseTo(b.loss, 12);
    expect([...a.dLogits.subarray(3)]).toEqual([0, 0, 0]);
  });

  it('cross-entropy and BCE pass gradient checks', () => {
    const rng = new Rng(21);
    const [R, K] = [4, 5];
    const labels = [0, 3, 4, 1];
    const ce = gradCheck({ inputs: [rng.normalArray(R * K, 2)], forward: ([z]) => Float64Array.of(softmaxCrossEntropy(z, labels, { R, K }).loss), backward: ([z], d) => [softmaxCrossEntropy(z, labels, { R, K }).dLogits.map((g) => g * d[0])] });
    expect(ce.ok, ce.details.join('\n')).toBe(true);
    const targets = Array.from({ length: R * K }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const bce = gradCheck({ inputs: [rng.normalArray(R * K, 2)], forward: ([z]) => Float64Array.of(bceWithLogits(z, targets, { R, K }).loss), backward: ([z], d) => [bceWithLogits(z, targets, { R, K }).dLogits.map((g) => g * d[0])] });
    expect(bce.ok, bce.details.join('\n')).toBe(true);
  });

  it('BCE of a zero logit is log 2 whatever the target', () => {
    expect(bceWithLogits([0, 0], [1, 0], { R: 1, K: 2 }).loss).toBeCloseTo(Math.log(2), 12);
  });

  it('argmax picks the first maximum of each row', () => {
    expect([...argmaxRows([0, 2, 2, 5, 1, 0], { R: 2, K: 3 })]).toEqual([1, 0]);
  });
});
