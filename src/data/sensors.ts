/**
 * Sensor conventions: band names, native GSDs, central wavelengths and the band tokens found in per-band file names.
 *
 * Sentinel-2 MSI: 13 bands B01…B12 with B8A after B08 (L1C), 12 without B10 (L2A), the SatMAE/MAESTRO 10-band set
 * (B01, B09, B10 dropped) and the 4 10-m bands. Landsat band numbers mean different things per instrument
 * (B4 is NIR on TM/ETM+ but red on OLI), so names are kept as in the files and a common name is attached.
 * Invariants: band names are upper-case canonical (`B02`, `B8A`, `VV`); S2_BANDS is in the standard product order.
 * Reference: /work/shared/docs/data.md §3.1 (S2 table), §3.3 (SatMAE groups), §3.6 (S1), §3.7 (Landsat).
 */

export interface BandInfo {
  name: string;
  /** Common name used by STAC eo:bands: blue, green, red, nir, swir1 … */
  common: string | null;
  /** Central wavelength in nanometres, when known. */
  wavelengthNm: number | null;
  /** Native ground sampling distance in metres, when fixed by the sensor. */
  nativeGsd: number | null;
}

export const S2_BANDS: readonly BandInfo[] = [
  { name: 'B01', common: 'coastal', wavelengthNm: 442.7, nativeGsd: 60 },
  { name: 'B02', common: 'blue', wavelengthNm: 492.4, nativeGsd: 10 },
  { name: 'B03', common: 'green', wavelengthNm: 559.8, nativeGsd: 10 },
  { name: 'B04', common: 'red', wavelengthNm: 664.6, nativeGsd: 10 },
  { name: 'B05', common: 'rededge1', wavelengthNm: 704.1, nativeGsd: 20 },
  { name: 'B06', common: 'rededge2', wavelengthNm: 740.5, nativeGsd: 20 },
  { name: 'B07', common: 'rededge3', wavelengthNm: 782.8, nativeGsd: 20 },
  { name: 'B08', common: 'nir', wavelengthNm: 832.8, nativeGsd: 10 },
  { name: 'B8A', common: 'nir08', wavelengthNm: 864.7, nativeGsd: 20 },
  { name: 'B09', common: 'nir09', wavelengthNm: 945.1, nativeGsd: 60 },
  { name: 'B10', common: 'cirrus', wavelengthNm: 1373.5, nativeGsd: 60 },
  { name: 'B11', common: 'swir16', wavelengthNm: 1613.7, nativeGsd: 20 },
  { name: 'B12', common: 'swir22', wavelengthNm: 2202.4, nativeGsd: 20 },
];

const S2_NAMES = S2_BANDS.map((b) => b.name);

/** Known S2 band sets by band count, in file order. */
export const S2_BAND_SETS: Record<number, { bands: string[]; label: string }> = {
  13: { bands: S2_NAMES, label: 'all 13 bands (L1C order)' },
  12: { bands: S2_NAMES.filter((b) => b !== 'B10'), label: '12 bands without B10 (L2A order)' },
  10: { bands: ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'], label: '10 bands without B01, B09, B10 (SatMAE/MAESTRO set)' },
  4: { bands: ['B02', 'B03', 'B04', 'B08'], label: 'the four 10 m bands B02, B03, B04, B08' },
};

/**
 * Default S2 training bands, ordered so MAESTRO's positional norm groups [4, 4, 2] are the SatMAE groups
 * {B02, B03, B04, B08} (10 m), {B05, B06, B07, B8A} (red edge), {B11, B12} (SWIR).
 */
export const S2_TRAINING_BANDS = ['B02', 'B03', 'B04', 'B08', 'B05', 'B06', 'B07', 'B8A', 'B11', 'B12'];
export const S2_NORM_GROUPS = [4, 4, 2];

/** Canonical S2 band name for "B2", "b02", "B8a", "band_8A" …; null when not an S2 band. */
export function canonicalS2Band(s: string): string | null {
  const m = /^(?:band[_ ]?)?B?0?(1[0-2]|[1-9]|8A)$/i.exec(s.trim());
  if (!m) return null;
  const n = m[1].toUpperCase();
  return n === '8A' ? 'B8A' : `B${n.padStart(2, '0')}`;
}

export function s2BandInfo(name: string): BandInfo | undefined {
  return S2_BANDS.find((b) => b.name === name);
}

export type LandsatInstrument = 'MSS' | 'TM' | 'ETM+' | 'OLI' | 'OLI-2';

const LANDSAT_COMMON: Record<'TM' | 'OLI', Record<number, [string, number]>> = {
  // Thematic Mapper / ETM+ band numbers.
  TM: { 1: ['blue', 485], 2: ['green', 560], 3: ['red', 660], 4: ['nir', 830], 5: ['swir1', 1650], 6: ['lwir', 11450], 7: ['swir2', 2215], 8: ['pan', 710] },
  // OLI / OLI-2 band numbers (B10/B11 are TIRS).
  OLI: { 1: ['coastal', 443], 2: ['blue', 482], 3: ['green', 561], 4: ['red', 655], 5: ['nir', 865], 6: ['swir1', 1609], 7: ['swir2', 2201], 8: ['pan', 590], 9: ['cirrus', 1373], 10: ['lwir11', 10895], 11: ['lwir12', 12005] },
};

/** Band info for a Landsat band number on an instrument (TM and ETM+ share numbering; so do OLI and OLI-2). */
export function landsatBandInfo(bandNumber: number, instrument: LandsatInstrument | null): BandInfo {
  const family = instrument === 'OLI' || instrument === 'OLI-2' ? 'OLI' : instrument ? 'TM' : null;
  const entry = family ? LANDSAT_COMMON[family][bandNumber] : undefined;
  const nativeGsd = entry ? (entry[0] === 'pan' ? 15 : entry[0].startsWith('lwir') ? (family === 'OLI' ? 100 : 120) : 30) : null;
  return { name: `B${bandNumber}`, common: entry?.[0] ?? null, wavelengthNm: entry?.[1] ?? null, nativeGsd };
}

/** Landsat platform and instrument from a scene/product id prefix such as "LE7", "LT05", "LC08". */
export function landsatFromId(id: string): { platform: string; instrument: LandsatInstrument } | null {
  const m = /^L([COTEM])0?(\d)/i.exec(id);
  if (!m) return null;
  const sat = Number(m[2]);
  const code = m[1].toUpperCase();
  const instrument: LandsatInstrument | null =
    code === 'M' ? 'MSS' : code === 'T' ? 'TM' : code === 'E' ? 'ETM+' : code === 'C' || code === 'O' ? (sat >= 9 ? 'OLI-2' : 'OLI') : null;
  if (!instrument || sat < 1 || sat > 9) return null;
  return { platform: `Landsat ${sat}`, instrument };
}

/** A band token at the end of a per-band file name, and what kind of product it belongs to. */
export interface BandToken {
  kind: 'sentinel-2' | 'landsat' | 'sentinel-1' | 'mask';
  band: string;
  /** The file stem without the band token: the id shared by all bands of one acquisition. */
  sceneId: string;
  /** Resolution suffix of S2 L2A files, e.g. 20 for "_B05_20m". */
  resolution: number | null;
}

/** Recognises `…_B02`, `…_B8A_20m`, `…_b3`, `…_SR_B4`, `…_VV`, `…_fmask`, `…_SCL`, `…_QA_PIXEL` at the end of a stem. */
export function bandTokenOf(stem: string): BandToken | null {
  let m = /^(.*?)[_.-](fmask|scl|qa_pixel|pixel_qa|cloud_?mask|cloudmask|clouds?)(?:[_.-](\d{2})m)?$/i.exec(stem);
  if (m) return { kind: 'mask', band: m[2].toUpperCase(), sceneId: m[1], resolution: m[3] ? Number(m[3]) : null };
  m = /^(.*?)[_.-](VV|VH|HH|HV)$/i.exec(stem);
  if (m) return { kind: 'sentinel-1', band: m[2].toUpperCase(), sceneId: m[1], resolution: null };
  m = /^(.*?)[_.-]B(0[1-9]|1[0-2]|8A)(?:[_.-](\d{2})m)?$/i.exec(stem);
  if (m && /(^|_)T\d{2}[A-Z]{3}(_|$)|S2[A-D]_|MSIL/i.test(m[1])) {
    return { kind: 'sentinel-2', band: canonicalS2Band(m[2]) as string, sceneId: m[1], resolution: m[3] ? Number(m[3]) : null };
  }
  m = /^(.*?)[_.-](?:SR_|ST_)?B(\d{1,2})$/i.exec(stem);
  if (m && /L[COTEM]\d|LANDSAT/i.test(m[1])) return { kind: 'landsat', band: `B${Number(m[2])}`, sceneId: m[1], resolution: null };
  m = /^(.*?)[_.-]B(0[1-9]|1[0-2]|8A)(?:[_.-](\d{2})m)?$/i.exec(stem);
  if (m) return { kind: 'sentinel-2', band: canonicalS2Band(m[2]) as string, sceneId: m[1], resolution: m[3] ? Number(m[3]) : null };
  return null;
}

/** Sentinel-2 scene classification (SCL) classes that are not clear ground: no data, saturated, shadows, clouds, cirrus. */
export const SCL_INVALID = [0, 1, 3, 8, 9, 10];
/** Fmask classes that are not clear observations: 2 cloud shadow, 4 cloud, 255 fill (0 clear land, 1 water, 3 snow stay valid). */
export const FMASK_INVALID = [2, 4, 255];
