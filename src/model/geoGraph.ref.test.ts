// Whole-graph float64 reference with the A²-MAE-style switches on (method.md §7): a two-source image set (S2-like
// 10 m, 2 dates ‖ Landsat-like 30 m, separate fusion groups) with anchor masks, the full geographic encoding and
// ground positions. The hand-written backward against central differences of the loss for EVERY parameter tensor,
// including the learned geo maps; zero maps reproduce the graph without the encoding.
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import type { MaeConfig } from './config';
import { maeBackwardRef, maeForwardRef, type MaeRefInputs } from './mae.ref';
import { makeMasks } from './masking';
import { buildParamLayout, flatViews, initParams, paramEntry, type ParamLayout } from './params';
import { imageSetBatch, refInputs, twoSourceConfig } from './testing/imageSets';

interface Setup {
  config: MaeConfig;
  layout: ParamLayout;
  params: Float64Array;
  inputs: MaeRefInputs;
}

function setup(config: MaeConfig, seed: number, B = 2): Setup {
  const layout = buildParamLayout(config);
  const rng = new Rng(seed);
  const params = Float64Array.from(initParams(layout, seed));
  // Jitter every tensor (the geo maps start at zero) so that no gradient is trivially special.
  for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) params[i] += 0.1 * rng.normal();
  const batch = imageSetBatch(config, B, seed + 1);
  const masks = makeMasks(config, B, new Rng(seed + 2), batch);
  return { config, layout, params, inputs: refInputs(config, batch, masks) };
}

const lossAt = (s: Setup, p: Float64Array) => maeForwardRef(s.config, flatViews(s.config, s.layout, p), s.inputs).loss;

function gradient(s: Setup): Float64Array {
  const w = flatViews(s.config, s.layout, s.params);
  const grad = new Float64Array(s.layout.size);
  maeBackwardRef(s.config, w, s.inputs, maeForwardRef(s.config, w, s.inputs), flatViews(s.config, s.layout, grad));
  return grad;
}

/** Worst relative error of ⟨grad, V⟩ against central differences over one random direction per tensor. */
function checkAll(s: Setup, grad: Float64Array, seed: number): string[] {
  const rng = new Rng(seed);
  const bad: string[] = [];
  let worst = 0;
  for (const e of s.layout.entries) {
    const V = new Float64Array(s.layout.size);
    for (let i = 0; i < e.size; i++) V[e.offset + i] = rng.normal();
    let analytic = 0;
    for (let i = 0; i < V.length; i++) analytic += grad[i] * V[i];
    const eps = 1e-5;
    const numeric = (lossAt(s, s.params.map((p, i) => p + eps * V[i])) - lossAt(s, s.params.map((p, i) => p - eps * V[i]))) / (2 * eps);
    const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-9);
    worst = Math.max(worst, rel);
    if (!(rel < 1e-5) || analytic === 0) bad.push(`${e.name}: analytic ${analytic} vs numeric ${numeric} (rel ${rel.toExponential(2)})`);
  }
  console.log(`[geo graph ref] ${s.layout.entries.length} tensors, worst relative error ${worst.toExponential(2)}`);
  return bad;
}

describe('whole-graph reference with anchor masks, geo encoding and ground positions', () => {
  it('full geo (lat/lon + GSD), ground positions, l2: every parameter gradient matches central differences', () => {
    const s = setup(twoSourceConfig({ loss: 'l2', positions: 'ground' }), 1);
    expect(s.layout.entries.slice(-2).map((e) => e.name)).toEqual(['geo.enc.w', 'geo.dec.w']);
    const bad = checkAll(s, gradient(s), 3);
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('gsd-only geo, pooled positions, l1, one sample', () => {
    const s = setup(twoSourceConfig({ geoEncoding: 'gsd' }), 4, 1);
    const bad = checkAll(s, gradient(s), 5);
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('the geo map changes the loss, and zero maps reproduce the graph without geo encoding', () => {
    const s = setup(twoSourceConfig({ loss: 'l2' }), 6);
    const zeroed = Float64Array.from(s.params);
    for (const name of ['geo.enc.w', 'geo.dec.w']) {
      const e = paramEntry(s.layout, name);
      zeroed.fill(0, e.offset, e.offset + e.size);
    }
    const off = twoSourceConfig({ loss: 'l2', geoEncoding: 'off' });
    const offLayout = buildParamLayout(off);
    const offLoss = maeForwardRef(off, flatViews(off, offLayout, zeroed.subarray(0, offLayout.size)), { ...s.inputs, geo: undefined }).loss;
    expect(lossAt(s, zeroed)).toBe(offLoss);
    expect(Math.abs(lossAt(s, s.params) - offLoss)).toBeGreaterThan(1e-4);
  });
});
