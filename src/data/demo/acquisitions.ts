/**
 * Where and when the demo dataset is "acquired": the area (a synthetic landscape placed on the real Sentinel-2 tile
 * grid over the Beauce plain by the Loir near Bonneval, Eure-et-Loir, France, WGS 84 / UTM 31N), the acquisition
 * calendar of 2021 (Sentinel-2 L2A once a month, Sentinel-1 IW GRDH ascending and descending every 48 days, one
 * summer aerial survey), product names in the real naming conventions, the sun position at each acquisition, and a
 * daily weather series (soil wetness, wind) that the optical and radar renderers share.
 *
 * Invariants: all times are UTC; S2 dates lie on the S2A/S2B 5-day revisit of relative orbit R051 (one date on the
 * neighbouring orbit R094 whose swath edge crosses the area); S1 dates lie on S1A's 12-day repeat cycle; processing
 * baselines are those ESA used on each date in 2021 (02.14, 03.00, 03.01), all before 04.00, so DN = reflectance ×
 * 10000 with no BOA_ADD_OFFSET; product names carry the acquisition date in their first timestamp.
 * Reference: S2 naming: docs data.md §3.8 (MMM_MSIXXX_YYYYMMDDTHHMMSS_Nxxyy_ROOO_Txxxxx_<proc time>); PB history:
 * data.md §3.2 and ESA S2 processing-baseline page; S1 naming (ESA Sentinel-1 SAR User Guide, "Naming Conventions");
 * solar position: NOAA General Solar Position Calculations (Spencer 1971 series).
 */
import type { Rng } from '../../lib/rng';
import { hashUniform } from './hashNoise';

export const DEMO_YEAR = 2021;
/** WGS 84 / UTM zone 31N. */
export const DEMO_EPSG = 32631;
export const DEMO_CRS_NAME = 'WGS 84 / UTM zone 31N';
export const DEMO_MGRS_TILE = '31UCP';
/**
 * Upper-left corner of the area in UTM 31N metres: on the 60 m grid of MGRS tile 31UCP (so the 10, 20 and 60 m S2
 * pixel grids all align with it), ~1 km west of Bonneval (48.18° N, 1.38° E).
 */
export const DEMO_ORIGIN = { x: 378720, y: 5339040 } as const;
export const DEMO_PLACE = 'Beauce plain by the Loir near Bonneval, Eure-et-Loir, France (MGRS 31UCP)';

export interface SunPosition {
  /** Degrees from the zenith. */
  zenithDeg: number;
  /** Degrees clockwise from north. */
  azimuthDeg: number;
}

export interface Sentinel2Acquisition {
  kind: 's2';
  time: Date;
  doy: number;
  spacecraft: 'S2A' | 'S2B';
  relativeOrbit: number;
  baseline: string;
  /** Product name, e.g. S2A_MSIL2A_20210115T105321_N0300_R051_T31UCP_20210115T131245. */
  product: string;
  /** True for the date whose swath edge leaves part of the area without data. */
  swathEdge: boolean;
  sun: SunPosition;
}

export interface Sentinel1Acquisition {
  kind: 's1';
  time: Date;
  doy: number;
  direction: 'ASCENDING' | 'DESCENDING';
  relativeOrbit: number;
  absoluteOrbit: number;
  /** Local incidence angle over the area (degrees). */
  incidenceDeg: number;
  /** Product name, e.g. S1A_IW_GRDH_1SDV_20210104T174112_20210104T174137_036004_04385A_6C1D. */
  product: string;
}

export interface AerialAcquisition {
  kind: 'aerial';
  time: Date;
  doy: number;
  sun: SunPosition;
}

export function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}

function utc(month: number, day: number, h: number, m: number, s: number): Date {
  return new Date(Date.UTC(DEMO_YEAR, month - 1, day, h, m, s));
}

function addDays(d: Date, days: number, h: number, m: number, s: number): Date {
  const t = new Date(d.getTime() + days * 86400000);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), h, m, s));
}

/** 'YYYYMMDDTHHMMSS' as in Sentinel product names. */
export function compactTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/[-:]/g, '');
}

/** Solar zenith and azimuth at `time` (UTC) for a point on the ground (NOAA general solar position). */
export function sunPosition(time: Date, latDeg: number, lonDeg: number): SunPosition {
  const doy = dayOfYear(time);
  const hours = time.getUTCHours() + time.getUTCMinutes() / 60 + time.getUTCSeconds() / 3600;
  const g = ((2 * Math.PI) / 365) * (doy - 1 + (hours - 12) / 24);
  const eqTimeMin = 229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 - 0.399912 * Math.cos(g) + 0.070257 * Math.sin(g) - 0.006758 * Math.cos(2 * g) + 0.000907 * Math.sin(2 * g) - 0.002697 * Math.cos(3 * g) + 0.00148 * Math.sin(3 * g);
  const trueSolarMin = hours * 60 + eqTimeMin + 4 * lonDeg;
  const ha = ((trueSolarMin / 4 - 180) * Math.PI) / 180;
  const lat = (latDeg * Math.PI) / 180;
  const cosZ = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(ha);
  const zenith = Math.acos(Math.min(1, Math.max(-1, cosZ)));
  const az = Math.atan2(Math.sin(ha), Math.cos(ha) * Math.sin(lat) - Math.tan(decl) * Math.cos(lat)) + Math.PI;
  return { zenithDeg: (zenith * 180) / Math.PI, azimuthDeg: (((az * 180) / Math.PI) % 360 + 360) % 360 };
}

/** ESA processing baseline in force on a 2021 acquisition date (all before 04.00: no radiometric offset). */
function baselineFor(time: Date): string {
  if (time < utc(1, 26, 0, 0, 0)) return 'N0214';
  if (time < utc(6, 30, 0, 0, 0)) return 'N0300';
  return 'N0301';
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Twelve monthly Sentinel-2 L2A acquisitions: one of the two R051 passes (S2A and S2B alternate every 5 days) around
 * the 15th of each month; September comes from the neighbouring orbit R094, whose swath edge crosses the area.
 */
export function sentinel2Acquisitions(rng: Rng, centre: { lat: number; lon: number }): Sentinel2Acquisition[] {
  const first = utc(1, 5, 0, 0, 0); // an S2A pass of R051
  const out: Sentinel2Acquisition[] = [];
  for (let month = 1; month <= 12; month++) {
    const target = utc(month, 15, 0, 0, 0);
    // One of the two passes around the 15th (S2A and S2B alternate, so either platform may be chosen).
    const k = Math.floor((target.getTime() - first.getTime()) / (5 * 86400000)) + rng.int(2);
    const swathEdge = month === 9;
    // Datastrip start times over this tile vary by tens of seconds from pass to pass.
    const sec = 21 + rng.int(40);
    const day = addDays(first, 5 * k + (swathEdge ? 3 : 0), 0, 0, 0);
    const time = swathEdge ? addDays(day, 0, 11, 3, sec) : addDays(day, 0, 10, 53, sec);
    const spacecraft = k % 2 === 0 ? 'S2A' : 'S2B';
    const relativeOrbit = swathEdge ? 94 : 51;
    const baseline = baselineFor(time);
    const processed = new Date(time.getTime() + (3600 + rng.int(7200)) * 1000);
    const product = `${spacecraft}_MSIL2A_${compactTime(time)}_${baseline}_R${pad(relativeOrbit, 3)}_T${DEMO_MGRS_TILE}_${compactTime(processed)}`;
    out.push({ kind: 's2', time, doy: dayOfYear(time), spacecraft, relativeOrbit, baseline, product, swathEdge, sun: sunPosition(time, centre.lat, centre.lon) });
  }
  return out;
}

/** S1A absolute orbit number on a 2021 date: 175 orbits per 12-day cycle, ~35 948 on 1 January 2021. */
function s1aAbsoluteOrbit(time: Date, relativeOrbit: number): number {
  const days = (time.getTime() - utc(1, 1, 0, 0, 0).getTime()) / 86400000;
  const estimate = Math.round(35948 + (days * 175) / 12);
  // Relative = ((absolute − 73) mod 175) + 1 for S1A: take the nearest absolute orbit with the requested relative one.
  const rel = (a: number) => ((((a - 73) % 175) + 175) % 175) + 1;
  const delta = (((relativeOrbit - rel(estimate)) % 175) + 175) % 175;
  return estimate + (delta > 87 ? delta - 175 : delta);
}

/**
 * Eight ascending (evening, R059, ~41° incidence) and eight descending (morning, R008, ~35°) S1A IW GRDH dual-pol
 * (VV+VH) acquisitions, every fourth 12-day cycle (48 days) from early January.
 */
export function sentinel1Acquisitions(rng: Rng): Sentinel1Acquisition[] {
  const out: Sentinel1Acquisition[] = [];
  const passes = [
    { direction: 'ASCENDING' as const, first: utc(1, 4, 17, 41, 12), relativeOrbit: 59, incidenceDeg: 41.2 },
    { direction: 'DESCENDING' as const, first: utc(1, 8, 5, 50, 47), relativeOrbit: 8, incidenceDeg: 35.4 },
  ];
  for (const p of passes) {
    for (let i = 0; i < 8; i++) {
      const base = addDays(p.first, 48 * i, p.first.getUTCHours(), p.first.getUTCMinutes(), p.first.getUTCSeconds());
      const time = new Date(base.getTime() + (rng.int(5) - 2) * 1000);
      const stop = new Date(time.getTime() + 25000);
      const absoluteOrbit = s1aAbsoluteOrbit(time, p.relativeOrbit);
      // Mission data-take ids grow by ~0x80 per day for S1A in 2021.
      const datatake = 0x0437f0 + Math.round(((time.getTime() - utc(1, 1, 0, 0, 0).getTime()) / 86400000) * 128) + rng.int(16);
      const uid = rng.int(0x10000);
      const product = `S1A_IW_GRDH_1SDV_${compactTime(time)}_${compactTime(stop)}_${pad(absoluteOrbit, 6)}_${hex(datatake, 6)}_${hex(uid, 4)}`;
      out.push({ kind: 's1', time, doy: dayOfYear(time), direction: p.direction, relativeOrbit: p.relativeOrbit, absoluteOrbit, incidenceDeg: p.incidenceDeg, product });
    }
  }
  return out;
}

/** The aerial survey: a clear mid-June day around solar noon (as national orthophoto campaigns fly). */
export function aerialAcquisition(centre: { lat: number; lon: number }): AerialAcquisition {
  const time = utc(6, 18, 11, 42, 0);
  return { kind: 'aerial', time, doy: dayOfYear(time), sun: sunPosition(time, centre.lat, centre.lon) };
}

/**
 * Daily weather for the year: rain events (more frequent in winter) wet the soil, which dries with a time constant of
 * ~12 days in winter and ~4 days in summer. Soil wetness is in [0, 1); wind in [0, 1) roughens open water for S1.
 */
export class Weather {
  private readonly wetness: Float64Array;
  private readonly windSeed: number;

  constructor(rng: Rng) {
    this.wetness = new Float64Array(367);
    this.windSeed = rng.nextU32();
    let m = 1.2; // start of January: wet
    for (let d = 1; d <= 366; d++) {
      const season = Math.cos((2 * Math.PI * (d - 15)) / 365); // +1 mid-January, −1 mid-July
      const pRain = 0.3 + 0.08 * season;
      const tau = 8 + 4 * season;
      m *= Math.exp(-1 / tau);
      if (rng.uniform() < pRain) m += -Math.log(1 - rng.uniform()) * 0.35;
      this.wetness[d] = 1 - Math.exp(-m);
    }
  }

  /** Surface soil wetness on a day of year, in [0, 1). */
  soilWetness(doy: number): number {
    return this.wetness[Math.min(366, Math.max(1, Math.round(doy)))];
  }

  /** Wind over water at an acquisition time, in [0, 1). */
  wind(time: Date): number {
    return hashUniform(Math.floor(time.getTime() / 3600000), 7, this.windSeed);
  }
}
