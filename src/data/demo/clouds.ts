/**
 * Clouds, their shadows, thin cirrus and haze for each Sentinel-2 date.
 *
 * A cumulus field is fractal noise over ground coordinates, thresholded at the quantile that gives the date's planned
 * cloud cover exactly; opacity ramps up from the thin cloud edge (where real masks miss clouds) to the opaque core.
 * Shadows are the same field displaced by the cloud height along the sun's azimuth, h·tan(zenith) metres away from
 * the sun (several km in winter, so clouds outside the area cast shadows into it). Cirrus is a faint, streaky veil.
 *
 * Invariants: the fraction of pixels with opacity ≥ CLOUD_OPACITY_MASKED equals the planned cover (up to ties); the
 * plan has at least three nearly clear dates (< 2 %), one date above 50 %, and a mean cover of 15–23 %; more cloud
 * falls in winter; shadow opacity ≤ 1 and cirrus opacity ≤ 0.08.
 * Reference: cloud-shadow geometry as in Fmask (Zhu & Woodcock 2012, Remote Sens. Environ. 118, §2.2.3).
 */
import type { Rng } from '../../lib/rng';
import { fbm } from './hashNoise';
import type { SunPosition } from './acquisitions';

/** Opacity from which a pixel counts as cloud (SCL 8/9); the thinner halo below is left unmasked, as in real SCL. */
export const CLOUD_OPACITY_MASKED = 0.3;
/** Opacity from which a cloud is "high probability" (SCL 9). */
export const CLOUD_OPACITY_HIGH = 0.65;

export interface CloudPlan {
  /** Planned fraction of the area covered by (masked) cloud. */
  cover: number;
  /** Cloud base height (m). */
  heightM: number;
  /** Residual aerosol reflectance in blue after atmospheric correction. */
  haze: number;
  cirrus: boolean;
  seed: number;
}

/** Cover fractions for the twelve dates, largest given to the cloudiest (winter-most) months. */
const COVER_LADDER = [0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.02, 0.005, 0, 0];

export function planClouds(rng: Rng, doys: readonly number[]): CloudPlan[] {
  const wintery = doys.map((d, i) => ({ i, score: Math.cos((2 * Math.PI * (d - 15)) / 365) + 0.9 * (rng.uniform() * 2 - 1) }));
  wintery.sort((a, b) => b.score - a.score);
  const plans = new Array<CloudPlan>(doys.length);
  wintery.forEach(({ i }, rank) => {
    const base = COVER_LADDER[Math.min(rank, COVER_LADDER.length - 1)];
    plans[i] = {
      cover: base * (0.85 + 0.3 * rng.uniform()),
      heightM: 700 + 1800 * rng.uniform(),
      haze: 0.012 * rng.uniform(),
      cirrus: rng.uniform() < 0.3,
      seed: rng.nextU32(),
    };
  });
  return plans;
}

export interface CloudField {
  /** (H, W) cloud opacity in [0, 1]. */
  opacity: Float32Array;
  /** (H, W) cloud core thickness in [0, 1] (brightens the cloud top). */
  core: Float32Array;
  /** (H, W) shadow opacity in [0, 1]. */
  shadow: Float32Array;
  /** (H, W) cirrus opacity in [0, 0.08]. */
  cirrus: Float32Array;
  /** (H, W) haze multiplier around 1 (haze varies slowly across the area). */
  haze: Float32Array;
}

/**
 * Renders the cloud field of one date on the (size × size) grid of `gsd`-metre pixels. `sun` sets the shadow
 * displacement.
 */
export function renderClouds(plan: CloudPlan, sun: SunPosition, size: number, gsd: number): CloudField {
  const n = size * size;
  const opacity = new Float32Array(n);
  const core = new Float32Array(n);
  const shadow = new Float32Array(n);
  const cirrus = new Float32Array(n);
  const haze = new Float32Array(n);
  const scale = 900; // m: cumulus cells of a few hundred metres to ~2 km
  const density = (x: number, y: number) => fbm(x, y, scale, plan.seed, 5, 0.55);

  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) haze[j * size + i] = 1 + 0.3 * fbm((i + 0.5) * gsd, (j + 0.5) * gsd, 2500, plan.seed ^ 0x68e31da4, 2);
  }
  if (plan.cirrus) {
    // Streaks: noise stretched 3× along a random wind direction.
    const a = (plan.seed % 360) * (Math.PI / 180);
    const ca = Math.cos(a);
    const sa = Math.sin(a);
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const x = (i + 0.5) * gsd;
        const y = (j + 0.5) * gsd;
        const c = fbm((x * ca + y * sa) / 3, -x * sa + y * ca, 400, plan.seed ^ 0x1b873593, 3);
        cirrus[j * size + i] = Math.min(0.08, Math.max(0, (c - 0.25) * 0.3));
      }
    }
  }
  if (plan.cover <= 0) return { opacity, core, shadow, cirrus, haze };

  const d = new Float32Array(n); // (H, W) cumulus density
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) d[j * size + i] = density((i + 0.5) * gsd, (j + 0.5) * gsd);
  const sorted = Float32Array.from(d).sort();
  const threshold = sorted[Math.min(n - 1, Math.floor((1 - plan.cover) * n))];
  let mean = 0;
  for (let k = 0; k < n; k++) mean += d[k];
  mean /= n;
  let variance = 0;
  for (let k = 0; k < n; k++) variance += (d[k] - mean) ** 2;
  const ramp = 0.6 * Math.sqrt(variance / n) + 1e-6;
  // Opacity reaches CLOUD_OPACITY_MASKED exactly at the quantile threshold, 1 at threshold + 0.7·ramp.
  const toOpacity = (v: number) => Math.min(1, Math.max(0, (v - threshold) / ramp + CLOUD_OPACITY_MASKED));
  for (let k = 0; k < n; k++) {
    opacity[k] = toOpacity(d[k]);
    core[k] = Math.min(1, Math.max(0, (d[k] - threshold) / (2 * ramp)));
  }

  // The shadow of the cloud at c falls at c + s, with s pointing away from the sun, |s| = h·tan(zenith).
  const reach = plan.heightM * Math.tan((Math.min(sun.zenithDeg, 80) * Math.PI) / 180);
  const az = (sun.azimuthDeg * Math.PI) / 180;
  const sx = -reach * Math.sin(az); // east
  const sy = reach * Math.cos(az); // south (image y)
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) shadow[j * size + i] = toOpacity(density((i + 0.5) * gsd - sx, (j + 0.5) * gsd - sy));
  }
  return { opacity, core, shadow, cirrus, haze };
}
