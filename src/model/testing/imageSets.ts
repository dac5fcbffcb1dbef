/**
 * Multi-source image-set fixtures for the A²-MAE-style tests (method.md §7): configs with an S2-like 10 m modality
 * and a Landsat-like 30 m modality (different bands, dates and grids, separate fusion groups) covering the same
 * ground, and synthetic batches whose samples lie at random places on the globe with north-up square footprints.
 * Test-only; nothing in src imports it outside tests.
 */
import type { AcqDate, Batch, Footprint, LonLat, ModalityBatch } from '../../data/sample';
import { Rng } from '../../lib/rng';
import { buildConfig, type ConfigOverrides, type MaeConfig } from '../config';
import { encodingTables } from '../encodings';
import { geoFeatureMatrices } from '../geo';
import { EARTH_RADIUS_M } from '../geoSphere';
import type { MaeRefInputs } from '../mae.ref';
import type { GroupMask } from '../masking';

/**
 * 's2' (4 bands, 10 m, 12 px, patch 2 → 6×6 tokens of 20 m, 2 dates) and 'landsat' (3 bands, 30 m, 4 px, patch 2 →
 * 2×2 tokens of 60 m, 1 date): both 120 m across, one fusion group each; widths as tinyTwoGroupConfig, so the float64
 * whole graph runs in milliseconds. Anchor masking and the full geo encoding unless overridden.
 */
export function twoSourceConfig(overrides: ConfigOverrides = {}): MaeConfig {
  return buildConfig(
    'tiny',
    [
      { name: 's2', bands: ['B2', 'B3', 'B4', 'B8'], normGroups: [2, 2], patchSize: 2, imageSize: 12, gsd: 10, dates: 2 },
      { name: 'landsat', bands: ['red', 'nir', 'swir1'], patchSize: 2, imageSize: 4, gsd: 30, dates: 1 },
    ],
    {
      encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 1, mlpRatio: 2 },
      decoder: { width: 12, heads: 2, depth: 1, mlpHidden: 20 },
      masking: { strategy: 'anchor' },
      geoEncoding: 'full',
      ...overrides,
    },
  );
}

/** A larger set for mask statistics: 's2' 24 px (12×12 tokens of 20 m, `s2Dates` dates) + 'landsat' 8 px (4×4 tokens
 * of 60 m, 1 date), 240 m across. */
export function twoSourceStatsConfig(s2Dates = 1, overrides: ConfigOverrides = {}): MaeConfig {
  return buildConfig(
    'tiny',
    [
      { name: 's2', bands: ['B2', 'B3', 'B4', 'B8'], patchSize: 2, imageSize: 24, gsd: 10, dates: s2Dates },
      { name: 'landsat', bands: ['red', 'nir', 'swir1'], patchSize: 2, imageSize: 8, gsd: 30, dates: 1 },
    ],
    { masking: { strategy: 'anchor' }, ...overrides },
  );
}

const DEG = 180 / Math.PI;

/** North-up square footprint (UL, UR, LR, LL) of side `metres` centred at `c` (local flat-Earth offsets). */
export function squareFootprint(c: LonLat, metres: number, shiftEastMetres = 0): Footprint {
  const dLat = (metres / 2 / EARTH_RADIUS_M) * DEG;
  const cosLat = Math.max(1e-6, Math.cos(c.lat / DEG));
  const dLon = (metres / 2 / (EARTH_RADIUS_M * cosLat)) * DEG;
  const sLon = (shiftEastMetres / (EARTH_RADIUS_M * cosLat)) * DEG;
  const lon = c.lon + sLon;
  return [
    { lon: lon - dLon, lat: c.lat + dLat },
    { lon: lon + dLon, lat: c.lat + dLat },
    { lon: lon + dLon, lat: c.lat - dLat },
    { lon: lon - dLon, lat: c.lat - dLat },
  ];
}

export interface ImageSetOptions {
  /** Shift of each modality's footprint east of the sample's (metres), e.g. { landsat: 15 }; default none. */
  shiftMetres?: Record<string, number>;
  /** Fixed sample centre; default random (|lat| ≤ 70°). */
  centre?: LonLat;
  /** Dates within this many days of a random base date (default 200). */
  dateSpreadDays?: number;
}

/** Random N(0, 1) pixels, random places and dates: every modality of a sample covers the same ground (± shifts). */
export function imageSetBatch(config: MaeConfig, B: number, seed: number, opts: ImageSetOptions = {}): Batch {
  const rng = new Rng(seed);
  const centres: LonLat[] = Array.from({ length: B }, () => opts.centre ?? { lon: -180 + 360 * rng.uniform(), lat: -70 + 140 * rng.uniform() });
  const base: AcqDate[] = Array.from({ length: B }, () => ({ year: 2018 + rng.int(4), doy: 1 + rng.int(150), hour: 10 }));
  const spread = opts.dateSpreadDays ?? 200;
  const modalities: Record<string, ModalityBatch> = {};
  for (const m of config.modalities) {
    const [T, C, H] = [m.dates, m.bands.length, m.imageSize];
    const side = m.imageSize * m.gsd;
    modalities[m.name] = {
      modality: m.name,
      bands: [...m.bands],
      gsd: m.gsd,
      B,
      T,
      C,
      H,
      W: H,
      data: Float32Array.from(rng.normalArray(B * T * C * H * H)),
      valid: new Uint8Array(B * T * H * H).fill(1),
      dates: base.map((d) => Array.from({ length: T }, () => ({ year: d.year, doy: d.doy + rng.int(spread), hour: 10 + rng.int(3) }))),
      footprints: centres.map((c) => squareFootprint(c, side, opts.shiftMetres?.[m.name] ?? 0)),
    };
  }
  return { B, ids: Array.from({ length: B }, (_, b) => `imageset-${seed}-${b}`), modalities };
}

/** The whole-graph reference inputs of a batch and its masks: pixels, encoder/decoder tables and geo features. */
export function refInputs(config: MaeConfig, batch: Batch, masks: readonly GroupMask[]): MaeRefInputs {
  return {
    B: batch.B,
    pixels: config.modalities.map((m) => batch.modalities[m.name].data),
    masks,
    encEncodings: encodingTables(config, batch, config.encoder.width),
    decEncodings: encodingTables(config, batch, config.decoder.width),
    geo: geoFeatureMatrices(config, batch),
  };
}
