/**
 * Scaling from stored digital numbers to model input units, per sensor or MAESTRO-style.
 *
 * value = post(DN · scale[c] + offset[c]) / normFac, with post ∈ {none, dB = 10·log10(max(x, 1e-10)),
 * ln = ln(max(x, 1e-10))}. Sensor conventions (the 'sensor' mode):
 *   Sentinel-2: reflectance = DN / 10000, or (DN − 1000) / 10000 for processing baseline ≥ 04.00 (product name N04xx+);
 *   Sentinel-1: dB kept as stored; linear backscatter converted to dB after resampling (average in linear, show in dB);
 *   Landsat Collection 2 L2: SR = DN · 2.75e-5 − 0.2, ST = DN · 0.00341802 + 149 K; pre-collection LEDAPS SR = DN / 10000;
 *   8-bit imagery: DN / 255; GDAL SCALE/OFFSET metadata when the file has it.
 * MAESTRO mode ({kind: 'constant' | 'log', normFac}) applies ln (if 'log') and /normFac to the raw DN, as
 * `maestro/dataset` does (method.md §2.3, e.g. S2 /10000, S1 ln then /5, aerial /255).
 * Invariants: scaling is a pure per-pixel function; masks (Fmask, SCL) are never scaled.
 * Reference: /work/shared/docs/data.md §3.2, §3.6, §3.7; method.md §2.2–§2.3.
 */

export type ScalingPost = 'none' | 'dB' | 'ln';

export interface Scaling {
  scale: number[];
  offset: number[];
  post: ScalingPost;
  normFac: number;
  /** Unit of the values handed to the model, e.g. 'reflectance', 'dB', 'DN/255'. */
  unit: string;
  /** One sentence saying which convention was applied and why. */
  description: string;
}

/** What the user picks per modality: the sensor's physical units, or MAESTRO constant/log scaling of raw DN. */
export type ScalingMode = 'sensor' | { kind: 'constant'; normFac: number } | { kind: 'log'; normFac: number };

export function identityScaling(C: number, description = 'no scaling'): Scaling {
  return { scale: new Array<number>(C).fill(1), offset: new Array<number>(C).fill(0), post: 'none', normFac: 1, unit: 'DN', description };
}

export function linearScaling(C: number, scale: number, offset: number, unit: string, description: string): Scaling {
  return { scale: new Array<number>(C).fill(scale), offset: new Array<number>(C).fill(offset), post: 'none', normFac: 1, unit, description };
}

/** MAESTRO scaling of raw DN: optional ln, then / normFac. */
export function maestroScaling(C: number, mode: Exclude<ScalingMode, 'sensor'>): Scaling {
  if (!(mode.normFac > 0)) throw new Error(`MAESTRO scaling needs normFac > 0, got ${mode.normFac}`);
  return {
    scale: new Array<number>(C).fill(1),
    offset: new Array<number>(C).fill(0),
    post: mode.kind === 'log' ? 'ln' : 'none',
    normFac: mode.normFac,
    unit: mode.kind === 'log' ? `ln(DN)/${mode.normFac}` : `DN/${mode.normFac}`,
    description: `MAESTRO ${mode.kind} scaling: ${mode.kind === 'log' ? 'ln(max(DN, 1e-10))' : 'DN'} / ${mode.normFac}`,
  };
}

/** Selects/reorders the per-band parts of a scaling to match a band subset (indices into the original bands). */
export function selectScaling(s: Scaling, indices: number[]): Scaling {
  return { ...s, scale: indices.map((i) => s.scale[i]), offset: indices.map((i) => s.offset[i]) };
}

/** The scaled value of one DN in band c (for stats and tests; bulk paths inline the same arithmetic). */
export function scaleValue(s: Scaling, c: number, dn: number): number {
  let v = dn * s.scale[c] + s.offset[c];
  if (s.post === 'dB') v = 10 * Math.log10(Math.max(v, 1e-10));
  else if (s.post === 'ln') v = Math.log(Math.max(v, 1e-10));
  return v / s.normFac;
}

/** Applies the affine part in place on (C, HW) physical values (before resampling). */
export function applyAffine(s: Scaling, data: Float32Array, C: number, HW: number): void {
  for (let c = 0; c < C; c++) {
    const a = s.scale[c];
    const b = s.offset[c];
    if (a === 1 && b === 0) continue;
    const base = c * HW;
    for (let i = 0; i < HW; i++) data[base + i] = data[base + i] * a + b;
  }
}

/** Applies post + normFac in place on (C, HW) values after resampling; invalid pixels are set to 0. */
export function applyPost(s: Scaling, data: Float32Array, C: number, HW: number, valid: Uint8Array): void {
  const inv = 1 / s.normFac;
  const post = s.post;
  for (let c = 0; c < C; c++) {
    const base = c * HW;
    // One loop per post step (the step is the same for every pixel); the arithmetic is scaleValue's.
    if (post === 'none') {
      if (inv === 1) {
        for (let i = 0; i < HW; i++) if (!valid[i]) data[base + i] = 0;
      } else {
        for (let i = 0; i < HW; i++) data[base + i] = valid[i] ? data[base + i] * inv : 0;
      }
    } else if (post === 'dB') {
      for (let i = 0; i < HW; i++) data[base + i] = valid[i] ? 10 * Math.log10(Math.max(data[base + i], 1e-10)) * inv : 0;
    } else {
      for (let i = 0; i < HW; i++) data[base + i] = valid[i] ? Math.log(Math.max(data[base + i], 1e-10)) * inv : 0;
    }
  }
}
