/**
 * Everything the demo renderers share for one (seed, size, aerial GSD): the landscape and its rasterisation, the
 * per-10 m-pixel area fractions (mixed pixels), the within-field texture fields, the weather, the acquisition
 * calendar with cloud plans, the georeferencing, and the seeds of every per-file noise stream.
 *
 * Invariants: a scene is a pure function of its options (the top-level Rng from src/lib/rng.ts is consumed in a fixed
 * order); the 10 m grid and the aerial grid cover exactly the same ground square (size·10 m), with the same
 * upper-left corner DEMO_ORIGIN; the aerial GSD divides 10 m, so each 10 m pixel is an integer block of aerial pixels.
 */
import proj4 from 'proj4';
import { Rng } from '../../lib/rng';
import { assert } from '../../lib/assert';
import {
  aerialAcquisition,
  DEMO_CRS_NAME,
  DEMO_EPSG,
  DEMO_ORIGIN,
  sentinel1Acquisitions,
  sentinel2Acquisitions,
  Weather,
  type AerialAcquisition,
  type Sentinel1Acquisition,
  type Sentinel2Acquisition,
} from './acquisitions';
import { planClouds, type CloudPlan } from './clouds';
import { fbm } from './hashNoise';
import { Landscape, mixing, rasterizeLandscape, type FineRaster, type Mixing } from './landscape';
import type { GeoReference } from './geotiffEncoder';

export const S2_GSD = 10;
export const DEFAULT_SEED = 1;
export const DEFAULT_SIZE = 256;
export const DEFAULT_AERIAL_GSD = 2;
export const MIN_SIZE = 32;
export const MAX_SIZE = 1024;
/** Aerial GSDs (m) that divide the 10 m grid into whole blocks. */
export const AERIAL_GSDS = [1, 2, 2.5, 5, 10] as const;

export interface DemoSceneOptions {
  /** Any integer; the same seed gives the same bytes. Default 1. */
  seed?: number;
  /** Sentinel pixels per side at 10 m (the area is size·10 m square). Default 256 (2.56 km). */
  size?: number;
  /** Aerial ground sampling distance in metres, one of AERIAL_GSDS. Default 2. */
  aerialGsd?: number;
}

export interface DemoScene {
  seed: number;
  /** Sentinel pixels per side. */
  size: number;
  aerialGsd: number;
  /** Aerial pixels per 10 m pixel side. */
  fineFactor: number;
  /** WGS 84 longitude / latitude of the area centre. */
  centre: { lon: number; lat: number };
  geo10m: GeoReference;
  geoAerial: GeoReference;
  landscape: Landscape;
  /** The landscape at the aerial GSD: (size·f)² keys and classes. */
  fine: FineRaster;
  /** Per-10 m-pixel key fractions, majority labels and purity. */
  mix: Mixing;
  /** (size, size) crop-vigour field in [-1, 1] at 10 m pixel centres. */
  vigour: Float32Array;
  /** (size, size) soil-texture field in [-1, 1] at 10 m pixel centres. */
  soilTexture: Float32Array;
  weather: Weather;
  s2: Sentinel2Acquisition[];
  clouds: CloudPlan[];
  s1: Sentinel1Acquisition[];
  aerial: AerialAcquisition;
  seeds: { vigour: number; soil: number; s2Noise: number[]; s1Noise: number[]; aerialNoise: number; urban: number[] };
}

export function validateSceneOptions(o: DemoSceneOptions): Required<DemoSceneOptions> {
  const seed = o.seed ?? DEFAULT_SEED;
  const size = o.size ?? DEFAULT_SIZE;
  const aerialGsd = o.aerialGsd ?? DEFAULT_AERIAL_GSD;
  assert(Number.isSafeInteger(seed), () => `seed must be an integer, got ${seed}`);
  assert(Number.isInteger(size) && size >= MIN_SIZE && size <= MAX_SIZE, () => `size must be an integer in [${MIN_SIZE}, ${MAX_SIZE}] pixels, got ${size}`);
  assert((AERIAL_GSDS as readonly number[]).includes(aerialGsd), () => `aerialGsd must be one of ${AERIAL_GSDS.join(', ')} m, got ${aerialGsd}`);
  return { seed, size, aerialGsd };
}

/** Fills (size, size) with a fractal field sampled at 10 m pixel centres. */
function field(size: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) out[j * size + i] = fbm((i + 0.5) * S2_GSD, (j + 0.5) * S2_GSD, scale, seed, 3);
  return out;
}

export function buildDemoScene(options: DemoSceneOptions = {}): DemoScene {
  const { seed, size, aerialGsd } = validateSceneOptions(options);
  const rng = new Rng(BigInt.asUintN(64, BigInt(seed)));
  const extent = size * S2_GSD;
  const fineFactor = Math.round(S2_GSD / aerialGsd);
  const utm = `+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs`;
  const [lon, lat] = proj4(utm, 'WGS84', [DEMO_ORIGIN.x + extent / 2, DEMO_ORIGIN.y - extent / 2]);
  const centre = { lon, lat };

  const landscape = new Landscape(rng, extent);
  const fine = rasterizeLandscape(landscape, size * fineFactor, aerialGsd);
  const mix = mixing(fine, size);
  const weather = new Weather(rng);
  const s2 = sentinel2Acquisitions(rng, centre);
  const clouds = planClouds(
    rng,
    s2.map((a) => a.doy),
  );
  const s1 = sentinel1Acquisitions(rng);
  const aerial = aerialAcquisition(centre);
  const seeds = {
    vigour: rng.nextU32(),
    soil: rng.nextU32(),
    s2Noise: s2.map(() => rng.nextU32()),
    s1Noise: s1.map(() => rng.nextU32()),
    aerialNoise: rng.nextU32(),
    urban: [rng.nextU32(), rng.nextU32()],
  };
  const geo10m: GeoReference = { epsg: DEMO_EPSG, citation: DEMO_CRS_NAME, originX: DEMO_ORIGIN.x, originY: DEMO_ORIGIN.y, pixelSize: S2_GSD };
  return {
    seed,
    size,
    aerialGsd,
    fineFactor,
    centre,
    geo10m,
    geoAerial: { ...geo10m, pixelSize: aerialGsd },
    landscape,
    fine,
    mix,
    vigour: field(size, 70, seeds.vigour),
    soilTexture: field(size, 40, seeds.soil),
    weather,
    s2,
    clouds,
    s1,
    aerial,
    seeds,
  };
}
