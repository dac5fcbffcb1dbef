/**
 * Renders the demo's aerial RGB-NIR orthophoto (one clear mid-June survey) at the scene's aerial GSD, uint8.
 *
 * The same surfaces and crop calendars as Sentinel-2 (bands B04, B03, B02, B08 stand in for the camera's R, G, B, NIR
 * channels), with what only a metre-scale image shows: tree crowns and gaps, tramlines in cereal and rapeseed fields
 * (every 24 m along the field's long axis), roof-to-roof brightness differences, building shadows cast away from the
 * sun, and the fine-scale texture of soil and canopy. Digital numbers follow an 8-bit camera tone curve
 * DN = 255·(ρ/ρ_sat)^(1/1.5) (ρ_sat 0.45 in the visible, 0.7 in NIR) plus 1.2 DN noise, clamped to [1, 255] so 0 stays
 * nodata.
 *
 * Invariants: output (C, H, W) with C = 4 in order Red, Green, Blue, NIR and H = W = size·fineFactor; the image is
 * cloud-free; every DN ∈ [1, 255].
 * Reference: MAESTRO / FLAIR aerial convention: 4 bands R, G, B, NIR in file order, 8-bit, scaled by /255 (docs
 * method.md §2.2).
 */
import { accumulateReflectance, reflectanceTable } from './reflectance';
import { BAND, Crop, LandCover, Surface } from './surfaces';
import { cropCanopy } from './phenology';
import { FastRng, valueNoise } from './hashNoise';
import { S2_GSD, type DemoScene } from './scene';

export const AERIAL_BANDS = ['Red', 'Green', 'Blue', 'NIR'] as const;
/** S2_BANDS index standing in for each aerial channel (B04, B03, B02, B08). */
const FROM_S2: readonly number[] = [BAND.B04, BAND.B03, BAND.B02, BAND.B08];
const SATURATION = [0.45, 0.45, 0.45, 0.7] as const;
const GAMMA = 1.5;
const TRAMLINE_SPACING = 24;
const TRAMLINE_WIDTH = 0.6;

/** Bilinear sample of a (size, size) field given at 10 m pixel centres, at ground point (x, y). */
function bilinear(fieldArr: Float32Array, size: number, x: number, y: number): number {
  const fx = Math.min(size - 1, Math.max(0, x / S2_GSD - 0.5));
  const fy = Math.min(size - 1, Math.max(0, y / S2_GSD - 0.5));
  const i0 = Math.floor(fx);
  const j0 = Math.floor(fy);
  const i1 = Math.min(size - 1, i0 + 1);
  const j1 = Math.min(size - 1, j0 + 1);
  const tx = fx - i0;
  const ty = fy - j0;
  const a = fieldArr[j0 * size + i0] + (fieldArr[j0 * size + i1] - fieldArr[j0 * size + i0]) * tx;
  const b = fieldArr[j1 * size + i0] + (fieldArr[j1 * size + i1] - fieldArr[j1 * size + i0]) * tx;
  return a + (b - a) * ty;
}

export interface AerialRender {
  /** (C, H, W) uint8 DN, C = 4 (Red, Green, Blue, NIR). */
  dn: Uint8Array;
}

export function renderAerial(scene: DemoScene): AerialRender {
  const { fine, landscape, size, aerial } = scene;
  const nf = fine.n;
  const gsd = fine.gsd;
  const nPix = nf * nf;
  const P = landscape.parcels.length;
  const table = reflectanceTable(landscape, aerial.doy, scene.weather.soilWetness(aerial.doy));
  const seed = scene.seeds.aerialNoise;
  const rng = new FastRng(seed);
  const acc = new Float64Array(4); // (C) one pixel's reflectance in the camera's bands
  const soil = new Float64Array(4); // (C) the same pixel without canopy (tramlines)
  const rho = new Float32Array(4 * nPix); // (C, H, W) reflectance

  // Tramlines are visible while a cereal / rapeseed canopy stands; inside them the soil shows (a table with no cover).
  const tramlined = landscape.parcels.map((p) => {
    const c = cropCanopy(p.crop, aerial.doy, p.shiftDays);
    return (p.crop === Crop.WinterWheat || p.crop === Crop.Rapeseed) && c.green + c.dry > 0.4;
  });
  const axisSin = landscape.parcels.map((p) => Math.sin(p.axis));
  const axisCos = landscape.parcels.map((p) => Math.cos(p.axis));
  const bareTable = { ...table, cover: new Float64Array(table.cover.length) };

  for (let j = 0; j < nf; j++) {
    const y = (j + 0.5) * gsd;
    for (let i = 0; i < nf; i++) {
      const x = (i + 0.5) * gsd;
      const p = j * nf + i;
      const key = fine.keys[p];
      const v = bilinear(scene.vigour, size, x, y) + 0.25 * valueNoise(x / 6, y / 6, seed);
      const t = bilinear(scene.soilTexture, size, x, y) + 0.3 * valueNoise(x / 5, y / 5, seed ^ 0x2545f491);
      acc.fill(0);
      accumulateReflectance(table, key, v, t, 1, acc, FROM_S2);
      let m = 1;
      if (key < P) {
        if (tramlined[key]) {
          // Distance across the field's long axis; a 0.6 m wheel track covers that fraction of the pixel it crosses.
          const d = (((-x * axisSin[key] + y * axisCos[key]) % TRAMLINE_SPACING) + TRAMLINE_SPACING) % TRAMLINE_SPACING;
          if (Math.abs(d - TRAMLINE_SPACING / 2) < gsd / 2) {
            const cover = Math.min(1, TRAMLINE_WIDTH / gsd);
            soil.fill(0);
            accumulateReflectance(bareTable, key, 0, t, 1, soil, FROM_S2);
            for (let c = 0; c < 4; c++) acc[c] = (1 - cover) * acc[c] + cover * soil[c];
          }
        }
      } else {
        const s = key - P;
        if (s === Surface.Deciduous || s === Surface.Conifer) m = 1 + 0.3 * valueNoise(x / 3.5, y / 3.5, seed ^ 0x61c88647); // crowns and gaps
        else if (s === Surface.RoofRed || s === Surface.RoofSlate || s === Surface.RoofBright) m = 1 + 0.1 * valueNoise(x / 14, y / 14, seed ^ 0x7f4a7c15);
      }
      for (let c = 0; c < 4; c++) rho[c * nPix + p] = m * acc[c];
    }
  }

  applyBuildingShadows(scene, rho);

  // Tone curve through a lookup table at 1e-4 reflectance steps (far finer than one DN) instead of a pow per value.
  const dn = new Uint8Array(4 * nPix); // (C, H, W)
  for (let c = 0; c < 4; c++) {
    const steps = Math.ceil(SATURATION[c] * 1e4);
    const lut = new Float32Array(steps + 1);
    for (let k = 0; k <= steps; k++) lut[k] = 255 * Math.pow(Math.min(1, k / 1e4 / SATURATION[c]), 1 / GAMMA);
    for (let p = 0; p < nPix; p++) {
      const k = Math.min(steps, Math.max(0, Math.round(rho[c * nPix + p] * 1e4)));
      const v = lut[k] + 1.2 * rng.approxNormal();
      dn[c * nPix + p] = Math.min(255, Math.max(1, Math.round(v)));
    }
  }
  return { dn };
}

/**
 * Darkens ground pixels in the shadow of buildings: a pixel is shaded if a building lies within h / tan(elevation)
 * towards the sun (h = 7 m for houses, 9 m for industrial sheds). Only diffuse skylight (~35 %) remains.
 */
function applyBuildingShadows(scene: DemoScene, rho: Float32Array): void {
  const { fine, landscape, aerial } = scene;
  const nf = fine.n;
  const nPix = nf * nf;
  const elevation = ((90 - aerial.sun.zenithDeg) * Math.PI) / 180;
  const az = (aerial.sun.azimuthDeg * Math.PI) / 180;
  const towardsSunX = Math.sin(az); // east
  const towardsSunY = -Math.cos(az); // image y points south
  const bright = landscape.surfaceKey(Surface.RoofBright);
  const maxReach = 9 / Math.tan(elevation);
  const steps = Math.ceil(maxReach / fine.gsd);
  for (let j = 0; j < nf; j++) {
    for (let i = 0; i < nf; i++) {
      const p = j * nf + i;
      if (fine.classes[p] === LandCover.Building) continue;
      for (let s = 1; s <= steps; s++) {
        const d = s * fine.gsd;
        const bi = Math.round(i + (towardsSunX * d) / fine.gsd);
        const bj = Math.round(j + (towardsSunY * d) / fine.gsd);
        if (bi < 0 || bj < 0 || bi >= nf || bj >= nf) break;
        const q = bj * nf + bi;
        if (fine.classes[q] !== LandCover.Building) continue;
        const height = fine.keys[q] === bright ? 9 : 7;
        if (d <= height / Math.tan(elevation)) {
          for (let c = 0; c < 4; c++) rho[c * nPix + p] *= 0.35;
        }
        break;
      }
    }
  }
}
