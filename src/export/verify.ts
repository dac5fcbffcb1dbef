/**
 * Checking an exported encoder against the float64 definition: a synthetic batch (N(0,1) pixels, random acquisition
 * dates and places), the reference features (encoder.ref.ts = mae.ref.ts with every token visible), and max |Δ| per fusion group.
 * Used by the export CLI's --verify and by the parity tests.
 *
 * Invariant: the synthetic batch is a deterministic function of (config, B, seed) (PCG32 stream `seed`).
 * Cost: the reference is plain float64 JavaScript (O(B·N²·E) attention and O(B·N·E²) linears per block), seconds for
 * the tiny preset at small images, minutes for 'base' at MAESTRO image sizes.
 */
import type { AcqDate, Batch, Footprint, ModalityBatch } from '../data/sample';
import { Rng } from '../lib/rng';
import type { MaeConfig } from '../model/config';
import { encodingTables } from '../model/encodings';
import { geoFeatureMatrices } from '../model/geo';
import { EARTH_RADIUS_M } from '../model/geoSphere';
import { buildParamLayout, flatViews } from '../model/params';
import { encoderForwardRef } from './encoder.ref';
import { encoderFeeds } from './encoderFeeds';
import { createEncoderSession, type OrtModule, type OrtProviders, runEncoderSession } from './ortEncoder';

/**
 * A north-up footprint of `metres` × `metres` centred on (lon, lat) (UL, UR, LR, LL), in degrees on a sphere: enough
 * for the geographic features, which only need the token centres on the Earth.
 */
function squareFootprint(lon: number, lat: number, metres: number): Footprint {
  const dLat = (metres / 2 / EARTH_RADIUS_M) * (180 / Math.PI);
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  return [
    { lon: lon - dLon, lat: lat + dLat },
    { lon: lon + dLon, lat: lat + dLat },
    { lon: lon + dLon, lat: lat - dLat },
    { lon: lon - dLon, lat: lat - dLat },
  ];
}

/**
 * B samples of N(0, 1) pixels and random dates (2018–2023, any day and hour) for every modality of the config, each
 * sample at a random place (|lat| ≤ 70°) with one footprint shared by its modalities (their ground size: the first
 * modality's imageSize · gsd), drawn from a second PCG32 stream so the pixels and dates do not depend on it.
 */
export function syntheticBatch(config: MaeConfig, B: number, seed: number): Batch {
  const rng = new Rng(seed);
  const placeRng = new Rng(seed, 55);
  const m0 = config.modalities[0];
  const places = Array.from({ length: B }, () => squareFootprint(-180 + 360 * placeRng.uniform(), -70 + 140 * placeRng.uniform(), m0.imageSize * m0.gsd));
  const modalities: Record<string, ModalityBatch> = {};
  for (const m of config.modalities) {
    const [T, C, H] = [m.dates, m.bands.length, m.imageSize];
    const dates: AcqDate[][] = Array.from({ length: B }, () => Array.from({ length: T }, () => ({ year: 2018 + rng.int(6), doy: 1 + rng.int(365), hour: rng.int(24) })));
    modalities[m.name] = {
      modality: m.name,
      bands: [...m.bands],
      gsd: m.gsd,
      B,
      T,
      C,
      H,
      W: H,
      data: Float32Array.from(rng.normalArray(B * T * C * H * H)), // (B, T, C, H, W)
      valid: new Uint8Array(B * T * H * H).fill(1), // (B, T, H, W)
      dates,
      footprints: places,
    };
  }
  return { B, ids: Array.from({ length: B }, (_, b) => `synthetic-${seed}-${b}`), modalities };
}

/** [g] (B, N_g, E) float64 reference features of `batch` under the flat parameters. */
export function referenceFeatures(config: MaeConfig, params: Float32Array, batch: Batch): Float64Array[] {
  const layout = buildParamLayout(config);
  const w = flatViews(config, layout, Float64Array.from(params));
  return encoderForwardRef(config, w, {
    B: batch.B,
    pixels: config.modalities.map((m) => batch.modalities[m.name].data),
    encEncodings: encodingTables(config, batch, config.encoder.width),
    geo: w.geo ? geoFeatureMatrices(config, batch) : undefined,
  });
}

/** max |a − b| over two equally long arrays (Infinity when the lengths differ or a difference is NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Infinity;
    if (d > m) m = d;
  }
  return m;
}

export interface VerifyReport {
  /** [g] max |ONNX − float64| over the group's features. */
  maxAbsDiff: number[];
  sessionMs: number;
  runMs: number;
  referenceMs: number;
}

/** Runs the ONNX bytes on a synthetic batch and compares every output with the float64 reference. */
export async function verifyEncoderOnnx(
  ort: OrtModule,
  bytes: Uint8Array,
  config: MaeConfig,
  params: Float32Array,
  opts: { B?: number; seed?: number; providers?: OrtProviders } = {},
): Promise<VerifyReport> {
  const batch = syntheticBatch(config, opts.B ?? 1, opts.seed ?? 1);
  const t0 = performance.now();
  const session = await createEncoderSession(ort, bytes, opts.providers ?? ['wasm']);
  const t1 = performance.now();
  try {
    const got = await runEncoderSession(ort, session, config, encoderFeeds(config, batch));
    const t2 = performance.now();
    const want = referenceFeatures(config, params, batch);
    const t3 = performance.now();
    return { maxAbsDiff: got.map((g, i) => maxAbsDiff(g, want[i])), sessionMs: t1 - t0, runMs: t2 - t1, referenceMs: t3 - t2 };
  } finally {
    await session.release();
  }
}
