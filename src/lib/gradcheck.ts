/**
 * Central-difference gradient check for float64 CPU references (llm.c "fakeloss", tinygrad gradcheck).
 *
 * For a function out = f(x₀, x₁, …) with a hand-written backward, we use the scalar L = Σ out·R for a fixed random
 * R, so dL/dout = R. For each input i and a random direction V, the directional derivative ⟨∇ᵢL, V⟩ from the
 * backward must equal (L(xᵢ + εV) − L(xᵢ − εV)) / 2ε. Random projections test every element at once; `fullJacobian`
 * additionally probes each element individually for tiny shapes.
 */
import { Rng } from './rng';

export interface GradCheckSpec {
  /** Inputs to differentiate (float64). Not modified. */
  inputs: Float64Array[];
  /** The reference forward: any output length. */
  forward: (inputs: Float64Array[]) => Float64Array;
  /** The reference backward: given dOut, the gradient for each input (same lengths as inputs; null = not checked). */
  backward: (inputs: Float64Array[], dOut: Float64Array) => (Float64Array | null)[];
  eps?: number;
  seed?: number;
  /** Also check every element separately (O(n) forwards: tiny shapes only). */
  fullJacobian?: boolean;
}

export interface GradCheckResult {
  ok: boolean;
  /** Worst relative error |analytic − numeric| / max(|analytic|, |numeric|, 1e-8) over all probes. */
  maxRelErr: number;
  details: string[];
}

export function gradCheck(spec: GradCheckSpec, tol = 1e-6): GradCheckResult {
  const eps = spec.eps ?? 1e-6;
  const rng = new Rng(spec.seed ?? 12345);
  const out0 = spec.forward(spec.inputs);
  const R = rng.normalArray(out0.length);
  const L = (inputs: Float64Array[]) => {
    const o = spec.forward(inputs);
    let s = 0;
    for (let i = 0; i < o.length; i++) s += o[i] * R[i];
    return s;
  };
  const grads = spec.backward(spec.inputs, R);
  const details: string[] = [];
  let maxRelErr = 0;
  const probe = (i: number, V: Float64Array, label: string) => {
    const g = grads[i]!;
    let analytic = 0;
    for (let k = 0; k < V.length; k++) analytic += g[k] * V[k];
    const plus = spec.inputs.map((x, j) => (j === i ? x.map((v, k) => v + eps * V[k]) : x));
    const minus = spec.inputs.map((x, j) => (j === i ? x.map((v, k) => v - eps * V[k]) : x));
    const numeric = (L(plus) - L(minus)) / (2 * eps);
    const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-8);
    maxRelErr = Math.max(maxRelErr, rel);
    if (rel > tol) details.push(`${label}: analytic ${analytic} vs numeric ${numeric} (rel ${rel.toExponential(2)})`);
  };
  spec.inputs.forEach((x, i) => {
    if (!grads[i]) return;
    if (grads[i]!.length !== x.length) {
      details.push(`input ${i}: gradient length ${grads[i]!.length} ≠ input length ${x.length}`);
      maxRelErr = Infinity;
      return;
    }
    for (let p = 0; p < 3; p++) probe(i, rng.normalArray(x.length), `input ${i} random direction ${p}`);
    if (spec.fullJacobian) {
      for (let k = 0; k < x.length; k++) {
        const V = new Float64Array(x.length);
        V[k] = 1;
        probe(i, V, `input ${i} element ${k}`);
      }
    }
  });
  return { ok: details.length === 0, maxRelErr, details };
}
