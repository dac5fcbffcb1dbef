/**
 * Renders one Sentinel-1 IW GRDH acquisition of the demo scene as σ⁰ in dB (float32), bands VV and VH.
 *
 * Per pixel: area-weighted mixture in linear power of the surfaces inside the 10 m pixel — parcels as soil (wetness
 * from the shared weather, roughness per field) plus green / dry canopy per crop (wheat stems lower VV in spring,
 * maize raises VH in summer), forests (leaf-on/off), water (calm to wind-roughened), roads, and buildings whose
 * double-bounce brightness depends on wall orientation relative to the look direction (so it differs between
 * ascending and descending) → incidence-angle correction (orbits see the area at ~41° and ~35°) → the ~20 m
 * resolution of GRDH (3×3 binomial blur) → noise floor (NESZ) → multiplicative speckle with ENL 4.4, spatially
 * correlated like GRDH speckle (Gamma(0.62) per pixel smoothed by the same 3×3 kernel, which restores ENL ≈ 4.4) →
 * dB. The area is flat (Beauce), so there is no terrain layover or shadow.
 *
 * Invariants: output (C, H, W) with C = 2 (VV, VH); every value finite (σ⁰ floored at 1e-6 before log10); VV > VH on
 * average for every surface type.
 * Reference: ESA Sentinel-1 User Handbook (IW GRDH: 20×22 m resolution, 10 m pixels, ENL 4.4, NESZ −22 … −26 dB);
 * speckle model: Goodman (1976) / Lee & Pottier (2009) ch. 4 (multilook intensity ~ Gamma(L, 1/L)).
 */
import { cropCanopy, deciduousLeafOn } from './phenology';
import {
  BACKSCATTER_DB,
  Crop,
  type CropType,
  S1_ENL,
  S1_INCIDENCE_SLOPE_DB,
  S1_NESZ_DB,
  SURFACE_COUNT,
  Surface,
  type SurfaceType,
  soilBackscatterDb,
  waterBackscatterDb,
} from './surfaces';
import { FastRng, valueNoise } from './hashNoise';
import { S2_GSD, type DemoScene } from './scene';

/** dB → linear power. */
const lin = (db: number) => Math.pow(10, db / 10);

const CANOPY_DB: Record<CropType, readonly [number, number]> = {
  [Crop.WinterWheat]: BACKSCATTER_DB.wheat,
  [Crop.Maize]: BACKSCATTER_DB.maize,
  [Crop.Rapeseed]: BACKSCATTER_DB.rapeseed,
  [Crop.Grassland]: BACKSCATTER_DB.grass,
  [Crop.BareSoil]: BACKSCATTER_DB.grass,
};

/** Binomial 3×3 kernel [1 2 1]ᵀ[1 2 1]/16: sum of squared weights 36/256, the speckle-variance reduction it causes. */
const KERNEL_SQ_SUM = 36 / 256;

export interface Sentinel1Render {
  /** (C, H, W) σ⁰ in dB, C = 2 (VV, VH). */
  db: Float32Array;
}

export function renderSentinel1(scene: DemoScene, index: number): Sentinel1Render {
  const acq = scene.s1[index];
  const { size, mix, landscape } = scene;
  const n = size * size;
  const P = landscape.parcels.length;
  const wet = scene.weather.soilWetness(acq.doy);
  const incidence = S1_INCIDENCE_SLOPE_DB * (acq.incidenceDeg - 38);

  // Parcels: cover fractions and the linear σ⁰ of their soil, green canopy and dry vegetation on this date.
  const green = new Float64Array(P); // green (+ flowering) cover, modulated per pixel by crop vigour
  const dry = new Float64Array(P);
  const canopyVv = new Float64Array(P);
  const canopyVh = new Float64Array(P);
  const soilVv = new Float64Array(P);
  const soilVh = new Float64Array(P);
  const dryVv = lin(BACKSCATTER_DB.dryVegetation[0] + incidence);
  const dryVh = lin(BACKSCATTER_DB.dryVegetation[1] + incidence);
  landscape.parcels.forEach((p, k) => {
    const c = cropCanopy(p.crop, acq.doy, p.shiftDays, p.vigour);
    const [svv, svh] = soilBackscatterDb(wet, p.roughnessDb);
    const can = CANOPY_DB[p.crop];
    dry[k] = c.dry;
    green[k] = Math.min(c.green + c.flower, 1 - c.dry);
    canopyVv[k] = lin(can[0] + incidence);
    canopyVh[k] = lin(can[1] + incidence);
    soilVv[k] = lin(svv + incidence);
    soilVh[k] = lin(svh + incidence);
  });

  // Static surfaces on this date (buildings are not incidence-corrected: double bounce depends on orientation).
  const leaf = deciduousLeafOn(acq.doy);
  const forest = (pol: 0 | 1) => leaf * lin(BACKSCATTER_DB.deciduousLeafOn[pol] + incidence) + (1 - leaf) * lin(BACKSCATTER_DB.deciduousLeafOff[pol] + incidence);
  const [wvv, wvh] = waterBackscatterDb(scene.weather.wind(acq.time));
  const [tvv, tvh] = soilBackscatterDb(wet * 0.6, -1);
  const surfaceDb: Record<SurfaceType, [number, number]> = {
    [Surface.Deciduous]: [0, 0], // leaf-on/off mixture in linear power, below
    [Surface.Conifer]: [BACKSCATTER_DB.conifer[0] + incidence, BACKSCATTER_DB.conifer[1] + incidence],
    [Surface.Water]: [wvv, wvh],
    [Surface.Asphalt]: [BACKSCATTER_DB.asphalt[0] + incidence, BACKSCATTER_DB.asphalt[1] + incidence],
    [Surface.Track]: [tvv + incidence, tvh + incidence],
    [Surface.RoofRed]: [BACKSCATTER_DB.building[0], BACKSCATTER_DB.building[1]],
    [Surface.RoofSlate]: [BACKSCATTER_DB.building[0], BACKSCATTER_DB.building[1]],
    [Surface.RoofBright]: [BACKSCATTER_DB.building[0] + 1, BACKSCATTER_DB.building[1]],
    [Surface.Lawn]: [BACKSCATTER_DB.lawn[0] + incidence, BACKSCATTER_DB.lawn[1] + incidence],
  };
  const surfVv = new Float64Array(SURFACE_COUNT);
  const surfVh = new Float64Array(SURFACE_COUNT);
  for (let s = 0; s < SURFACE_COUNT; s++) {
    const [dbVv, dbVh] = surfaceDb[s as SurfaceType];
    surfVv[s] = s === Surface.Deciduous ? forest(0) : lin(dbVv);
    surfVh[s] = s === Surface.Deciduous ? forest(1) : lin(dbVh);
  }
  const isBuilding = (s: number) => s === Surface.RoofRed || s === Surface.RoofSlate || s === Surface.RoofBright;

  // Mixture per pixel (linear power).
  const urbanSeed = scene.seeds.urban[acq.direction === 'ASCENDING' ? 0 : 1];
  const sigVv = new Float32Array(n); // (H, W) linear σ⁰ VV
  const sigVh = new Float32Array(n); // (H, W) linear σ⁰ VH
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const p = j * size + i;
      let a = 0;
      let b = 0;
      for (let e = mix.offsets[p]; e < mix.offsets[p + 1]; e++) {
        const k = mix.keys[e];
        const w = mix.weights[e];
        if (k < P) {
          const g = Math.max(0, Math.min(green[k] * (1 + 0.15 * scene.vigour[p]), 1 - dry[k]));
          const soil = 1 - g - dry[k];
          a += w * (dry[k] * dryVv + g * canopyVv[k] + soil * soilVv[k]);
          b += w * (dry[k] * dryVh + g * canopyVh[k] + soil * soilVh[k]);
        } else if (isBuilding(k - P)) {
          // Wall orientation vs look direction: ±5 dB between blocks, different for each orbit direction.
          const o = Math.pow(10, (5 * valueNoise(((i + 0.5) * S2_GSD) / 60, ((j + 0.5) * S2_GSD) / 60, urbanSeed)) / 10);
          a += w * surfVv[k - P] * o;
          b += w * surfVh[k - P] * Math.sqrt(o);
        } else {
          a += w * surfVv[k - P];
          b += w * surfVh[k - P];
        }
      }
      sigVv[p] = a;
      sigVh[p] = b;
    }
  }

  // ~20 m resolution, noise floor, correlated speckle.
  const rng = new FastRng(scene.seeds.s1Noise[index]);
  const db = new Float32Array(2 * n); // (C, H, W)
  const planes: [Float32Array, number][] = [
    [sigVv, lin(S1_NESZ_DB[0])],
    [sigVh, lin(S1_NESZ_DB[1])],
  ];
  planes.forEach(([sig, nesz], c) => {
    const blurred = blur3(sig, size); // (H, W)
    const raw = new Float32Array(n); // (H, W) independent Gamma(0.62) looks
    const shape = S1_ENL * KERNEL_SQ_SUM;
    for (let p = 0; p < n; p++) raw[p] = rng.gamma(shape) / shape;
    const speckle = blur3(raw, size); // (H, W) correlated speckle, mean 1, ENL ≈ 4.4
    for (let p = 0; p < n; p++) db[c * n + p] = 10 * Math.log10(Math.max(1e-6, (blurred[p] + nesz) * speckle[p]));
  });
  return { db };
}

/** 3×3 binomial blur of a (size, size) plane with edge replication. */
function blur3(src: Float32Array, size: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const w = [0.25, 0.5, 0.25];
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let s = 0;
      for (let d = -1; d <= 1; d++) s += w[d + 1] * src[j * size + Math.min(size - 1, Math.max(0, i + d))];
      tmp[j * size + i] = s;
    }
  }
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let s = 0;
      for (let d = -1; d <= 1; d++) s += w[d + 1] * tmp[Math.min(size - 1, Math.max(0, j + d)) * size + i];
      out[j * size + i] = s;
    }
  }
  return out;
}
