// Whole-graph reference check on a tiny two-fusion-group config (src/model/testing/configs.ts): the hand-written
// backward against central differences of the loss for EVERY parameter tensor (one random direction each, plus
// single elements), for l2 and l1 losses and with/without the inter-group stage; then plain SGD must reduce the loss.
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import type { MaeConfig } from './config';
import { encodingTables, type BatchDates } from './encodings';
import { maeBackwardRef, maeForwardRef, type MaeRefInputs } from './mae.ref';
import { makeMasks } from './masking';
import { buildParamLayout, flatViews, initParams, paramEntry, type ParamLayout } from './params';
import { tinyTwoGroupConfig } from './testing/configs';

interface Setup {
  config: MaeConfig;
  layout: ParamLayout;
  params: Float64Array;
  inputs: MaeRefInputs;
}

/** Random pixels, dates and masks for B samples; parameters from initParams plus jitter. */
function setup(config: MaeConfig, seed = 1, B = 2): Setup {
  const layout = buildParamLayout(config);
  const rng = new Rng(seed);
  // Start from the real initialisation, then jitter every tensor so that no gradient is trivially special
  // (unit gammas, zero biases) and the mask tokens are not symmetric.
  const params = Float64Array.from(initParams(layout, seed));
  for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) params[i] += 0.1 * rng.normal();
  const dates: BatchDates = { B, modalities: {} };
  const pixels = config.modalities.map((m) => {
    dates.modalities[m.name] = {
      dates: Array.from({ length: B }, () => Array.from({ length: m.dates }, () => ({ year: 2019 + rng.int(3), doy: 1 + rng.int(365), hour: rng.int(24) }))),
    };
    return rng.normalArray(B * m.dates * m.bands.length * m.imageSize * m.imageSize);
  });
  const inputs: MaeRefInputs = {
    B,
    pixels,
    masks: makeMasks(config, B, new Rng(seed + 100)),
    encEncodings: encodingTables(config, dates, config.encoder.width),
    decEncodings: encodingTables(config, dates, config.decoder.width),
  };
  return { config, layout, params, inputs };
}

function lossAt(s: Setup, params: Float64Array): number {
  return maeForwardRef(s.config, flatViews(s.config, s.layout, params), s.inputs).loss;
}

function gradientAt(s: Setup, params: Float64Array): { loss: number; grad: Float64Array } {
  const w = flatViews(s.config, s.layout, params);
  const fwd = maeForwardRef(s.config, w, s.inputs);
  const grad = new Float64Array(s.layout.size);
  maeBackwardRef(s.config, w, s.inputs, fwd, flatViews(s.config, s.layout, grad));
  return { loss: fwd.loss, grad };
}

/** Central difference of the loss along V (a direction on the flat array) vs ⟨grad, V⟩. */
function probe(s: Setup, grad: Float64Array, V: Float64Array, eps = 1e-5): { analytic: number; numeric: number; rel: number } {
  let analytic = 0;
  for (let i = 0; i < V.length; i++) analytic += grad[i] * V[i];
  const plus = s.params.map((p, i) => p + eps * V[i]);
  const minus = s.params.map((p, i) => p - eps * V[i]);
  const numeric = (lossAt(s, plus) - lossAt(s, minus)) / (2 * eps);
  const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-9);
  return { analytic, numeric, rel };
}

/**
 * Relative tolerance of a probe. Observed worst cases are ~1e-7 (float64 central differences with eps 1e-5 on a loss
 * of order 1); a wrong or missing gradient term shows up as 1e-1 … 1.
 */
const TOL = 1e-5;

/** Checks every tensor along one random direction; returns failures as readable lines and the worst error. */
function checkAllTensors(s: Setup, grad: Float64Array, seed: number, label: string): string[] {
  const rng = new Rng(seed);
  const bad: string[] = [];
  let worst = 0;
  for (const e of s.layout.entries) {
    const V = new Float64Array(s.layout.size);
    for (let i = 0; i < e.size; i++) V[e.offset + i] = rng.normal();
    const r = probe(s, grad, V);
    worst = Math.max(worst, r.rel);
    if (!(r.rel < TOL) || r.analytic === 0) bad.push(`${e.name}: analytic ${r.analytic} vs numeric ${r.numeric} (rel ${r.rel.toExponential(2)})`);
  }
  console.log(`[mae.ref ${label}] ${s.layout.entries.length} tensors, worst relative error ${worst.toExponential(2)}`);
  return bad;
}

describe('maeForwardRef / maeBackwardRef on two fusion groups', () => {
  const B = 2;
  const s = setup(tinyTwoGroupConfig({ loss: 'l2' }), 1, B);
  const { loss, grad } = gradientAt(s, s.params);

  it('produces a finite loss from every modality, with predictions and masks of the right shapes', () => {
    const fwd = maeForwardRef(s.config, flatViews(s.config, s.layout, s.params), s.inputs);
    expect(Number.isFinite(loss)).toBe(true);
    expect(fwd.loss).toBe(loss);
    expect(fwd.modalityLoss.every((l) => l > 0)).toBe(true);
    // w_m = T·L: A 3·4, B1 2·9, B2 2·4.
    expect(loss).toBeCloseTo((12 * fwd.modalityLoss[0] + 18 * fwd.modalityLoss[1] + 8 * fwd.modalityLoss[2]) / 38, 14);
    // (B·T·L, P²·Cj): A has token groups of 2 and 3 bands, B2 has 3×3 patches of 2 bands.
    expect(fwd.pred[0].map((p) => p.length)).toEqual([B * 12 * 4 * 2, B * 12 * 4 * 3]);
    expect(fwd.pred[2][0].length).toBe(B * 8 * 9 * 2);
    const masked = fwd.rowMask.flat().reduce((n, m) => n + m.reduce((a, v) => a + v, 0), 0);
    expect(masked).toBe(B * (18 + 20)); // round(0.75·24) in group A, round(0.75·26) = 20 (half to even) in group B
    const w = flatViews(s.config, s.layout, s.params);
    expect(() => maeForwardRef(s.config, w, { ...s.inputs, pixels: [new Float64Array(3), ...s.inputs.pixels.slice(1)] })).toThrow(/pixels of "A" have 3 values/);
    expect(() => maeForwardRef(s.config, w, { ...s.inputs, masks: s.inputs.masks.slice(1) })).toThrow('1 masks for 2 fusion groups');
  });

  it('matches central differences for every parameter tensor (random direction each)', () => {
    const bad = checkAllTensors(s, grad, 7, 'l2 patch-group');
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('matches central differences for individual elements', () => {
    const names = ['embed.A.1.patch.w', 'embed.B2.0.norm.g', 'enc.A.0.qkv.w', 'inter.0.fc1.b', 'enc2dec.B.w', 'mask.A', 'mask.B2', 'dec.B.0.proj.w', 'dec.A.ln.b', 'head.B1.0.w'];
    const bad: string[] = [];
    for (const name of names) {
      const e = paramEntry(s.layout, name);
      for (const k of [0, Math.floor(e.size / 2) + 1, e.size - 1]) {
        const V = new Float64Array(s.layout.size);
        V[e.offset + k] = 1;
        const r = probe(s, grad, V);
        if (!(r.rel < TOL)) bad.push(`${name}[${k}]: ${r.analytic} vs ${r.numeric}`);
      }
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('leaves the padding between tensors with zero gradient', () => {
    let end = 0;
    for (const e of s.layout.entries) {
      expect(grad.subarray(end, e.offset).every((v) => v === 0)).toBe(true);
      end = e.offset + e.size;
    }
  });
});

// One sample each: the batch axis is covered above, these exercise other branches of the graph.
describe('other graph variants', () => {
  it('l1 loss with whole-token target normalisation', () => {
    const s = setup(tinyTwoGroupConfig({ loss: 'l1', targetNorm: 'patch' }), 2, 1);
    const { grad } = gradientAt(s, s.params);
    const bad = checkAllTensors(s, grad, 8, 'l1 patch');
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('no inter-group stage, two group blocks, no date encoding, raw targets', () => {
    const base = tinyTwoGroupConfig({ loss: 'l2', targetNorm: 'none' });
    const config: MaeConfig = { ...base, encoder: { ...base.encoder, groupDepth: 2, interDepth: 0 }, dateEncoding: { ...base.dateEncoding, enabled: false } };
    const s = setup(config, 3, 1);
    expect(s.layout.entries.some((e) => e.name.startsWith('inter.'))).toBe(false);
    const { grad } = gradientAt(s, s.params);
    const bad = checkAllTensors(s, grad, 9, 'no inter, l2 none');
    expect(bad, bad.join('\n')).toEqual([]);
  });
});

describe('training', () => {
  it('plain SGD steps reduce the loss on a fixed batch and mask', () => {
    const s = setup(tinyTwoGroupConfig(), 4); // default l1 + patch-group, as pre-training runs
    const lr = 0.05;
    const losses: number[] = [];
    let params = s.params;
    for (let step = 0; step < 6; step++) {
      const { loss, grad } = gradientAt(s, params);
      losses.push(loss);
      params = params.map((p, i) => p - lr * grad[i]);
    }
    for (let i = 1; i < losses.length; i++) expect(losses[i], losses.join(', ')).toBeLessThan(losses[i - 1]);
    expect(losses[losses.length - 1]).toBeLessThan(0.97 * losses[0]);
  });
});
