/**
 * Surface reflectance of every spectral key of the landscape on one day: parcels as a linear mixture of soil, green
 * canopy, dry vegetation and flowers with their crop calendar's cover fractions; static surfaces from their
 * endmembers with seasonal effects (deciduous leaf-on, lawn dryness, spring water turbidity, wet soil and roads).
 * Shared by the Sentinel-2 and aerial renderers, so both sensors see the same fields on the same day.
 *
 * Invariants: values are surface reflectance per S2_BANDS band; per-pixel modulation (crop vigour v and soil texture
 * t, both in [-1, 1]) only rescales cover fractions within [0, 1] and keeps them a partition with soil.
 * Reference: linear spectral mixing (Adams et al. 1986, JGR 91(B8)); soil darkening with moisture (Lobell & Asner
 * 2002, SSSAJ 66) — strongest in SWIR, as in SPECTRA.wetSoilFactor.
 */
import type { Landscape } from './landscape';
import { cropCanopy, deciduousLeafOn, lawnCanopy } from './phenology';
import { NB, SPECTRA, SURFACE_COUNT, Surface } from './surfaces';

export interface ReflectanceTable {
  /** Number of parcels; keys < P are parcels. */
  P: number;
  /** (P, NB) soil reflectance of each parcel on this day (albedo and wetness applied). */
  soil: Float64Array;
  /** (P, 3) green, dry, flower cover fractions of each parcel on this day. */
  cover: Float64Array;
  /** (SURFACE_COUNT, NB) reflectance of each static surface on this day. */
  surface: Float64Array;
}

/** Bare-soil reflectance for a soil wetness in [0, 1] and an albedo multiplier. */
export function soilReflectance(wetness: number, brightness: number, out: Float64Array, at = 0): void {
  for (let b = 0; b < NB; b++) out[at + b] = SPECTRA.drySoil[b] * brightness * (1 - wetness * (1 - SPECTRA.wetSoilFactor[b]));
}

export function reflectanceTable(land: Landscape, doy: number, wetness: number): ReflectanceTable {
  const P = land.parcels.length;
  const soil = new Float64Array(P * NB);
  const cover = new Float64Array(P * 3);
  land.parcels.forEach((p, k) => {
    soilReflectance(wetness, p.soilBrightness, soil, k * NB);
    const c = cropCanopy(p.crop, doy, p.shiftDays, p.vigour);
    cover[k * 3] = c.green;
    cover[k * 3 + 1] = c.dry;
    cover[k * 3 + 2] = c.flower;
  });

  const surface = new Float64Array(SURFACE_COUNT * NB);
  const leaf = deciduousLeafOn(doy);
  const lawn = lawnCanopy(doy);
  const lawnSoil = new Float64Array(NB);
  soilReflectance(wetness, 0.9, lawnSoil);
  // Spring floods carry silt: water is brighter in the visible around March.
  const turbidity = 1 + 0.25 * Math.exp(-(((doy - 80) / 40) ** 2));
  const wetDarkening = 1 - 0.08 * wetness;
  for (let b = 0; b < NB; b++) {
    const set = (s: number, v: number) => (surface[s * NB + b] = v);
    set(Surface.Deciduous, leaf * SPECTRA.deciduousLeafOn[b] + (1 - leaf) * SPECTRA.deciduousLeafOff[b]);
    set(Surface.Conifer, SPECTRA.conifer[b]);
    set(Surface.Water, SPECTRA.water[b] * (b < 4 ? turbidity : 1));
    set(Surface.Asphalt, SPECTRA.asphalt[b] * wetDarkening);
    set(Surface.Track, SPECTRA.track[b] * (1 - 0.6 * wetness * (1 - SPECTRA.wetSoilFactor[b])));
    set(Surface.RoofRed, SPECTRA.roofRed[b] * wetDarkening);
    set(Surface.RoofSlate, SPECTRA.roofSlate[b] * wetDarkening);
    set(Surface.RoofBright, SPECTRA.roofBright[b] * wetDarkening);
    set(Surface.Lawn, lawn.green * SPECTRA.greenCanopy[b] + lawn.dry * SPECTRA.dryVegetation[b] + (1 - lawn.green - lawn.dry) * lawnSoil[b]);
  }
  return { P, soil, cover, surface };
}

const VEGETATED_SURFACE = new Uint8Array(SURFACE_COUNT);
VEGETATED_SURFACE[Surface.Deciduous] = 1;
VEGETATED_SURFACE[Surface.Conifer] = 1;
VEGETATED_SURFACE[Surface.Lawn] = 1;

/** All S2_BANDS indices, for accumulateReflectance. */
export const ALL_BANDS: readonly number[] = Array.from({ length: NB }, (_, b) => b);

/**
 * out[i] += weight × reflectance of `key` in band bands[i], with crop vigour `v` and soil texture `t` (both in
 * [-1, 1]) applied: vigour changes the green cover of parcels by up to ±15 % (and the canopy density of trees and
 * lawns by ±4 %), texture the soil albedo by ±6 %. `bands` selects the S2_BANDS to evaluate (the aerial camera needs 4).
 */
export function accumulateReflectance(table: ReflectanceTable, key: number, v: number, t: number, weight: number, out: Float64Array, bands: readonly number[] = ALL_BANDS): void {
  if (key < table.P) {
    const g0 = table.cover[key * 3];
    const d = table.cover[key * 3 + 1];
    const f = table.cover[key * 3 + 2];
    const g = Math.max(0, Math.min(g0 * (1 + 0.15 * v), 1 - d - f));
    const s = (1 - g - d - f) * (1 + 0.06 * t);
    const o = key * NB;
    for (let i = 0; i < bands.length; i++) {
      const b = bands[i];
      out[i] += weight * (s * table.soil[o + b] + g * SPECTRA.greenCanopy[b] + d * SPECTRA.dryVegetation[b] + f * SPECTRA.rapeseedFlowers[b]);
    }
    return;
  }
  const s = key - table.P;
  const m = VEGETATED_SURFACE[s] ? 1 + 0.04 * v : s === Surface.Track ? 1 + 0.03 * t : 1;
  const o = s * NB;
  for (let i = 0; i < bands.length; i++) out[i] += weight * m * table.surface[o + bands[i]];
}
