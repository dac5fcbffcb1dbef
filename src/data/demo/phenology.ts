/**
 * Crop calendars of the demo landscape (northern France, Beauce): for each crop type and day of year, the fractions
 * of a parcel covered by green canopy, dry (senescent / residue) vegetation and rapeseed flowers; the rest is soil.
 * Also the leaf-on fraction of deciduous trees and the state of urban lawns.
 *
 * Invariants: every fraction lies in [0, 1] and green + dry + flower ≤ 1 for every crop and day; calendars are
 * periodic over the year (day 366 ≡ day 1) and piecewise linear between keyframes, so a per-parcel shift in days
 * (sowing / harvest / mowing date differences between farms) moves the whole curve.
 * Reference: typical calendars for the Paris basin (Agreste "calendrier cultural"; winter wheat harvest mid-July,
 * rapeseed flowering mid-April and harvest early July, maize sown late April and harvested in October, first grass
 * cut in early June), as seen in S2 NDVI profiles (e.g. Veloso et al. 2017, Remote Sens. Environ. 199).
 */
import { Crop, type CropType } from './surfaces';

export interface CanopyState {
  /** Green canopy cover fraction. */
  green: number;
  /** Senescent vegetation / residue cover fraction. */
  dry: number;
  /** Rapeseed flower cover fraction (yellow canopy top). */
  flower: number;
}

/** Keyframes [day of year, green, dry, flower]; sorted by day; interpolated linearly and periodically. */
type Keyframes = readonly (readonly [number, number, number, number])[];

const CALENDARS: Record<CropType, Keyframes> = {
  // Sown in October, tillers over winter, stem elongation Mar–Apr, heading mid-May, ripening from mid-June,
  // harvested mid-July; stubble then ploughing in late August.
  [Crop.WinterWheat]: [
    [1, 0.25, 0, 0],
    [40, 0.28, 0, 0],
    [75, 0.4, 0, 0],
    [100, 0.62, 0, 0],
    [130, 0.9, 0, 0],
    [152, 0.9, 0.05, 0],
    [168, 0.6, 0.35, 0],
    [185, 0.15, 0.8, 0],
    [196, 0.05, 0.85, 0],
    [199, 0.02, 0.45, 0],
    [230, 0.06, 0.3, 0],
    [245, 0.02, 0.08, 0],
    [285, 0, 0, 0],
    [300, 0.05, 0, 0],
    [335, 0.16, 0, 0],
    [366, 0.25, 0, 0],
  ],
  // Bare (residue from last autumn) until sowing in late April; canopy closes in July, peaks in August, dries in
  // September; harvested in mid-October, leaving stalks.
  [Crop.Maize]: [
    [1, 0, 0.15, 0],
    [95, 0, 0.1, 0],
    [118, 0, 0, 0],
    [145, 0.04, 0, 0],
    [165, 0.18, 0, 0],
    [182, 0.5, 0, 0],
    [198, 0.8, 0, 0],
    [215, 0.95, 0, 0],
    [242, 0.88, 0.08, 0],
    [258, 0.6, 0.32, 0],
    [274, 0.3, 0.6, 0],
    [286, 0.12, 0.7, 0],
    [289, 0, 0.28, 0],
    [366, 0, 0.15, 0],
  ],
  // Sown late August, green all winter, flowering mid/late April (yellow), pods in May, dry in June, harvested
  // early July; volunteers regrow briefly before the next crop.
  [Crop.Rapeseed]: [
    [1, 0.45, 0, 0],
    [50, 0.45, 0, 0],
    [80, 0.62, 0, 0],
    [100, 0.78, 0, 0.05],
    [110, 0.4, 0, 0.55],
    [122, 0.45, 0, 0.45],
    [135, 0.85, 0, 0.05],
    [158, 0.7, 0.2, 0],
    [175, 0.25, 0.68, 0],
    [186, 0.05, 0.75, 0],
    [189, 0.02, 0.4, 0],
    [215, 0.12, 0.2, 0],
    [232, 0, 0.05, 0],
    [250, 0.05, 0, 0],
    [285, 0.35, 0, 0],
    [330, 0.45, 0, 0],
    [366, 0.45, 0, 0],
  ],
  // Permanent meadow: green all year, growth peak in May, first cut early June, regrowth, summer dryness in August.
  [Crop.Grassland]: [
    [1, 0.62, 0.1, 0],
    [60, 0.64, 0.08, 0],
    [100, 0.8, 0.04, 0],
    [140, 0.93, 0.02, 0],
    [158, 0.93, 0.03, 0],
    [161, 0.42, 0.32, 0],
    [190, 0.66, 0.15, 0],
    [225, 0.58, 0.28, 0],
    [260, 0.7, 0.12, 0],
    [300, 0.76, 0.06, 0],
    [366, 0.62, 0.1, 0],
  ],
  // Ploughed / fallow fields: mostly bare, sparse weeds in summer.
  [Crop.BareSoil]: [
    [1, 0.04, 0.02, 0],
    [120, 0.07, 0.02, 0],
    [175, 0.16, 0.05, 0],
    [235, 0.12, 0.12, 0],
    [300, 0.05, 0.04, 0],
    [366, 0.04, 0.02, 0],
  ],
};

function interpolate(frames: Keyframes, doy: number, component: 1 | 2 | 3): number {
  const d = (((doy - 1) % 365) + 365) % 365 + 1; // periodic in [1, 366)
  for (let i = 1; i < frames.length; i++) {
    const [d1] = frames[i];
    if (d <= d1) {
      const d0 = frames[i - 1][0];
      const t = d1 === d0 ? 1 : (d - d0) / (d1 - d0);
      return frames[i - 1][component] + t * (frames[i][component] - frames[i - 1][component]);
    }
  }
  return frames[frames.length - 1][component];
}

/**
 * Canopy state of a parcel of `crop` on day `doy`, for a farm whose calendar runs `shiftDays` late (negative: early)
 * and whose crop reaches `vigour` (0..1) of the nominal green cover.
 */
export function cropCanopy(crop: CropType, doy: number, shiftDays = 0, vigour = 1): CanopyState {
  const frames = CALENDARS[crop];
  const d = doy - shiftDays;
  const green = interpolate(frames, d, 1) * vigour;
  const dry = interpolate(frames, d, 2);
  const flower = interpolate(frames, d, 3) * vigour;
  // Keep the cover fractions a partition with soil even at extreme vigour / shifts.
  const sum = green + dry + flower;
  return sum > 1 ? { green: green / sum, dry: dry / sum, flower: flower / sum } : { green, dry, flower };
}

/** Leaf-on fraction of deciduous trees: bud burst around 25 April, leaf fall around 25 October. */
export function deciduousLeafOn(doy: number): number {
  const up = 1 / (1 + Math.exp(-(doy - 115) / 6));
  const down = 1 / (1 + Math.exp(-(doy - 298) / 8));
  return Math.min(1, Math.max(0, up - down));
}

/** Urban lawns: green all year, a little dry grass in late summer. */
export function lawnCanopy(doy: number): CanopyState {
  const summer = Math.exp(-(((doy - 225) / 30) ** 2));
  return { green: 0.72 - 0.12 * summer, dry: 0.08 + 0.14 * summer, flower: 0 };
}
