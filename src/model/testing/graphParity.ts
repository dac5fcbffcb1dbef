/**
 * Shared pieces of the whole-graph parity tests (mae.gpu.test.ts, geoGraph.gpu.test.ts): weights that make no
 * gradient special, and the per-tensor comparison of GPU gradients with the float64 reference.
 */
import { allClose } from '../../lib/allclose';
import { Rng } from '../../lib/rng';
import { initParams, type ParamLayout } from '../params';

/**
 * The seeded initialisation plus 0.1·N(0, 1) jitter on every parameter (unit gammas, zero biases and zero-initialised
 * maps would make some gradients special), rounded to f32 so the GPU and the reference see the same weights.
 * Returns (layout.size) float64 values; the padding between tensors stays zero.
 */
export function jitteredParams(layout: ParamLayout, seed: number): Float64Array {
  const rng = new Rng(seed);
  const params = Float64Array.from(initParams(layout, seed));
  for (const e of layout.entries) for (let i = e.offset; i < e.offset + e.size; i++) params[i] = Math.fround(params[i] + 0.1 * rng.normal());
  return params;
}

/**
 * Compares every parameter tensor's gradient, relative to that tensor's largest reference gradient (tiny entries are
 * compared in absolute terms): `bad` lists the tensors outside 1e-3, `worst` is the largest relative error seen.
 */
export function compareGradients(layout: ParamLayout, grad: Float32Array, gradRef: Float64Array): { bad: string[]; worst: number } {
  const bad: string[] = [];
  let worst = 0;
  for (const e of layout.entries) {
    const g = grad.subarray(e.offset, e.offset + e.size);
    const r = gradRef.subarray(e.offset, e.offset + e.size);
    const scale = Math.max(...r.map(Math.abs), 1e-12);
    const rep = allClose(g, r, 1e-3 * scale, 1e-3);
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - r[i]) / scale);
    if (!rep.ok) bad.push(`${e.name} ${JSON.stringify(e.shape)}: ${rep.message}`);
  }
  return { bad, worst };
}
