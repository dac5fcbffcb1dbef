/**
 * Renders one Sentinel-2 L2A acquisition of the demo scene: 10 bands of surface reflectance as uint16 DN
 * (reflectance × 10000), plus an SCL-like scene classification.
 *
 * Pipeline per pixel: area-weighted mixture of the surfaces inside the 10 m pixel → cloud shadow (direct light
 * removed, less in blue) → residual haze → cloud and cirrus → the 20 m bands (B05–B07, B8A, B11, B12) averaged over
 * 2×2 blocks and replicated, as a 20 m band resampled onto the 10 m grid looks → sensor noise (σ = 0.0015 + 0.6 % of
 * the signal, one draw per 20 m block for the 20 m bands) → DN, clamped to [1, 65535] so 0 stays nodata. One
 * date (swath edge of the neighbouring orbit) has no data east of a slanted line: DN 0 in every band, SCL 0.
 * SCL is derived from the rendered pixels the way Sen2Cor's thresholds work, not copied from the truth:
 * 9/8 cloud (high/medium, by opacity), 3 shadow, 10 cirrus, 6 water (dark NIR), 4 vegetation (NDVI > 0.35), else 5.
 *
 * Invariants: output (C, H, W) with C = 10 in S2_BANDS order; valid DN ∈ [1, 65535]; nodata DN = 0 exactly where
 * SCL = 0; the thin cloud halo (opacity < CLOUD_OPACITY_MASKED) is brightened but not flagged, as real masks miss it.
 * Reference: S2 L2A SCL classes: docs data.md §3.5; DN scaling: data.md §3.2 (PB < 04.00: no offset).
 */
import { BAND, NB, S2_NATIVE_GSD, SPECTRA } from './surfaces';
import { accumulateReflectance, reflectanceTable } from './reflectance';
import { CLOUD_OPACITY_HIGH, CLOUD_OPACITY_MASKED, renderClouds } from './clouds';
import { FastRng } from './hashNoise';
import { S2_GSD, type DemoScene } from './scene';

/** SCL class codes used by the demo (Sen2Cor L2A convention). */
export const SCL = { NoData: 0, CloudShadow: 3, Vegetation: 4, NotVegetated: 5, Water: 6, CloudMedium: 8, CloudHigh: 9, Cirrus: 10 } as const;

export interface Sentinel2Render {
  /** (C, H, W) DN = reflectance × 10000; 0 = nodata. */
  dn: Uint16Array;
  /** (H, W) scene classification. */
  scl: Uint8Array;
  /** Fraction of valid pixels flagged as cloud (SCL 8 or 9). */
  cloudFraction: number;
  /** Fraction of pixels without data. */
  nodataFraction: number;
}

/** The swath edge of orbit R094: nodata east of a line tilted ~12° from north, ~28 % of the area. */
function outsideSwath(i: number, j: number, size: number): boolean {
  return i + Math.tan((12 * Math.PI) / 180) * (j - size / 2) > 0.72 * size;
}

export function renderSentinel2(scene: DemoScene, index: number): Sentinel2Render {
  const acq = scene.s2[index];
  const plan = scene.clouds[index];
  const { size, mix, landscape } = scene;
  const n = size * size;
  const table = reflectanceTable(landscape, acq.doy, scene.weather.soilWetness(acq.doy));
  const rho = new Float32Array(NB * n); // (C, H, W) reflectance

  // Surface reflectance: area-weighted mixture of the surfaces in each pixel.
  const acc = new Float64Array(NB); // (C) one pixel's spectrum
  for (let p = 0; p < n; p++) {
    acc.fill(0);
    for (let e = mix.offsets[p]; e < mix.offsets[p + 1]; e++) accumulateReflectance(table, mix.keys[e], scene.vigour[p], scene.soilTexture[p], mix.weights[e], acc);
    for (let b = 0; b < NB; b++) rho[b * n + p] = acc[b];
  }

  // Atmosphere and clouds.
  const cl = renderClouds(plan, acq.sun, size, S2_GSD);
  for (let p = 0; p < n; p++) {
    const a = cl.opacity[p];
    const s = cl.shadow[p];
    const hz = plan.haze * cl.haze[p];
    const top = 0.85 + 0.15 * cl.core[p];
    for (let b = 0; b < NB; b++) {
      const ground = rho[b * n + p] * (1 - s * SPECTRA.shadowDepth[b]) + hz * SPECTRA.haze[b];
      rho[b * n + p] = (1 - a) * ground + a * SPECTRA.cloud[b] * top + cl.cirrus[p] * SPECTRA.cirrus[b];
    }
  }

  // 20 m bands: the detector integrates 2×2 of our 10 m pixels (ground, shadows and clouds alike); the stacked
  // product replicates each 20 m value over its four 10 m pixels.
  for (let b = 0; b < NB; b++) if (S2_NATIVE_GSD[b] === 20) blockAverage(rho.subarray(b * n, (b + 1) * n), size);

  // Sensor noise (per native pixel) and quantisation.
  const rng = new FastRng(scene.seeds.s2Noise[index]);
  const dn = new Uint16Array(NB * n); // (C, H, W)
  for (let b = 0; b < NB; b++) {
    const block = S2_NATIVE_GSD[b] / S2_GSD;
    const plane = rho.subarray(b * n, (b + 1) * n);
    for (let J = 0; J < size; J += block) {
      for (let I = 0; I < size; I += block) {
        const z = rng.approxNormal();
        for (let j = J; j < Math.min(size, J + block); j++) {
          for (let i = I; i < Math.min(size, I + block); i++) {
            const v = plane[j * size + i];
            const r = v + z * (0.0015 + 0.006 * v);
            dn[b * n + j * size + i] = Math.min(65535, Math.max(1, Math.round(r * 10000)));
          }
        }
      }
    }
  }

  // Scene classification and nodata.
  const scl = new Uint8Array(n); // (H, W)
  let clouds = 0;
  let nodata = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const p = j * size + i;
      if (acq.swathEdge && outsideSwath(i, j, size)) {
        for (let b = 0; b < NB; b++) dn[b * n + p] = 0;
        scl[p] = SCL.NoData;
        nodata++;
        continue;
      }
      const red = dn[BAND.B04 * n + p];
      const nir = dn[BAND.B08 * n + p];
      const green = dn[BAND.B03 * n + p];
      let c: number;
      if (cl.opacity[p] >= CLOUD_OPACITY_HIGH) c = SCL.CloudHigh;
      else if (cl.opacity[p] >= CLOUD_OPACITY_MASKED) c = SCL.CloudMedium;
      else if (cl.shadow[p] >= 0.3) c = SCL.CloudShadow;
      else if (cl.cirrus[p] > 0.03) c = SCL.Cirrus;
      else if (nir < 600 && green > nir) c = SCL.Water;
      else if ((nir - red) / (nir + red) > 0.35) c = SCL.Vegetation;
      else c = SCL.NotVegetated;
      if (c === SCL.CloudHigh || c === SCL.CloudMedium) clouds++;
      scl[p] = c;
    }
  }
  return { dn, scl, cloudFraction: clouds / Math.max(1, n - nodata), nodataFraction: nodata / n };
}

/** In place: replaces each 2×2 block of a (size, size) plane by its mean (partial blocks at odd edges too). */
function blockAverage(plane: Float32Array, size: number): void {
  for (let J = 0; J < size; J += 2) {
    for (let I = 0; I < size; I += 2) {
      const j1 = Math.min(size, J + 2);
      const i1 = Math.min(size, I + 2);
      let s = 0;
      for (let j = J; j < j1; j++) for (let i = I; i < i1; i++) s += plane[j * size + i];
      const m = s / ((j1 - J) * (i1 - I));
      for (let j = J; j < j1; j++) for (let i = I; i < i1; i++) plane[j * size + i] = m;
    }
  }
}
