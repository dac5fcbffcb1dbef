/**
 * Sensor/modality recognition with a confidence and reasons a user can read, plus the sensor conventions that follow
 * from it: band names, default nodata and scaling.
 *
 * Each candidate sensor collects weighted evidence (product ids in the path, band descriptions, band count and
 * dtype, GSD, value ranges) and penalties for contradictions; the best score above 0.3 wins and is clamped to 0..1
 * as the confidence. Nothing matches → a user-named modality (from the file or folder name) with low confidence.
 * Recognised: Sentinel-2 (13/12/10/4-band stacks, L1C/L2A, per-band `…_B02` files), Sentinel-1 (VV/VH, dB or
 * linear, asc/desc from the name), Landsat 4–9 (scene/product ids, Collection 2 scaling), aerial RGB / RGB-NIR,
 * cloud masks (Fmask, S2 SCL, Landsat QA_PIXEL).
 * Invariants: pure functions of plain data (no I/O), so a user correction can re-derive everything deterministically.
 * Reference: /work/shared/docs/data.md §3 (sensor conventions); method.md §2.2 (MAESTRO modality names).
 */
import { bandTokenOf, canonicalS2Band, landsatBandInfo, landsatFromId, S2_BAND_SETS, s2BandInfo, type BandInfo, type BandToken } from './sensors';
import { identityScaling, linearScaling, type Scaling } from './scaling';
import type { BandStats } from './stats';
import type { DType } from './tiffInfo';

export type SensorKind = 'sentinel-2' | 'sentinel-1' | 'landsat' | 'aerial' | 'cloud-mask' | 'generic';
export type MaskKind = 'fmask' | 'scl' | 'qa_pixel' | 'cloud';

export interface Recognition {
  sensor: SensorKind;
  /** Modality key: 's2', 's1', 's1_asc', 's1_des', 'landsat', 'aerial', 'mask', or a user-named one. */
  modality: string;
  role: 'image' | 'mask';
  maskKind: MaskKind | null;
  platform: string | null;
  instrument: string | null;
  level: string | null;
  /** Sentinel-2 processing baseline from the product name ("04.00"), which decides the −1000 DN offset. */
  baseline: string | null;
  s1Units: 'dB' | 'linear' | null;
  orbit: 'ascending' | 'descending' | null;
  /** The id shared by the per-band files of one acquisition ("T33UUU_20170216T102101", "LE70350322008118EDC00"). */
  sceneId: string | null;
  /** Band name carried by a per-band file's name ("B02", "B3", "VV"); null for multi-band files. */
  bandToken: string | null;
  confidence: number;
  reasons: string[];
}

export interface RecognitionInput {
  path: string;
  bandCount: number;
  dtype: DType | 'mixed';
  photometric: number | null;
  alphaBand: number | null;
  bandDescriptions: (string | null)[];
  colorInterp: (string | null)[];
  gsd: number | null;
  /** Raw DN statistics of the sampled pixels (nodata excluded), per band. */
  rawStats: BandStats[] | null;
  /** Distinct values of a single-band integer file when there are at most 32 of them (mask detection). */
  distinctValues: number[] | null;
}

const near = (v: number | null, targets: number[], tol: number) => v !== null && targets.some((t) => Math.abs(v - t) <= tol);

function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

export function stemOf(path: string): string {
  return fileName(path).replace(/\.(tiff?|gtiff)$/i, '');
}

/** Lower-case words of the path (folders included) for keyword evidence. */
function tokens(path: string): string[] {
  return path.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

interface Candidate {
  sensor: SensorKind;
  score: number;
  reasons: string[];
  extra: Partial<Recognition>;
}

function candidate(sensor: SensorKind): Candidate {
  return { sensor, score: 0, reasons: [], extra: {} };
}

function add(c: Candidate, w: number, why: string): void {
  c.score += w;
  c.reasons.push(w >= 0 ? why : `but ${why}`);
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Name for an unrecognised raster's modality: the file stem without dates, else the folder name. */
export function userModalityName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const strip = (s: string) => slug(s.replace(/\.(tiff?|gtiff)$/i, '').replace(/(19|20)\d{2}([-_]?\d{2}){0,2}(T\d{6})?/g, ''));
  for (let i = parts.length - 1; i >= 0; i--) {
    const s = strip(parts[i]);
    if (s && !/^\d+$/.test(s)) return s;
  }
  return 'raster';
}

function s2Candidate(inp: RecognitionInput, tok: BandToken | null, words: string[]): Candidate {
  const c = candidate('sentinel-2');
  const product = /S2([A-D])_MSI(L1C|L2A|L1B)(?:_\d{8}T\d{6}_N(\d{2})(\d{2}))?/i.exec(inp.path);
  if (product) {
    add(c, 0.6, `the path has a Sentinel-2 product id (${product[0].slice(0, 10)})`);
    c.extra.platform = `Sentinel-2${product[1].toUpperCase()}`;
    c.extra.level = product[2].toUpperCase();
  }
  const baseline = /_N(\d{2})(\d{2})_/.exec(inp.path);
  if (baseline && (product || tok?.kind === 'sentinel-2')) c.extra.baseline = `${baseline[1]}.${baseline[2]}`;
  if (/MSIL2A|_L2A_/i.test(inp.path)) c.extra.level = 'L2A';
  else if (/MSIL1C|_L1C_/i.test(inp.path)) c.extra.level ??= 'L1C';
  if (tok?.kind === 'sentinel-2' && /(^|_)T\d{2}[A-Z]{3}(_|$)/i.test(tok.sceneId)) {
    add(c, 0.6, `per-band Sentinel-2 file name (tile ${/T\d{2}[A-Z]{3}/i.exec(tok.sceneId)?.[0]}, band ${tok.band})`);
  } else if (tok?.kind === 'sentinel-2') add(c, 0.2, `band token ${tok.band} in the file name`);
  if (words.some((w) => w === 's2' || w === 'sentinel2' || w === 'sentinel') || /sentinel[-_ ]?2/i.test(inp.path)) add(c, 0.25, 'the path mentions Sentinel-2');
  const desc = inp.bandDescriptions.filter((d): d is string => !!d);
  if (desc.length === inp.bandCount && desc.length > 0) {
    const canon = desc.map(canonicalS2Band);
    if (canon.every((b) => b !== null)) add(c, 0.3, `band descriptions are Sentinel-2 band names (${desc.slice(0, 3).join(', ')}${desc.length > 3 ? ', …' : ''})`);
    else c.score -= 0.05;
  } else if (S2_BAND_SETS[inp.bandCount] && inp.bandCount >= 10 && (inp.dtype === 'uint16' || inp.dtype === 'int16')) {
    add(c, 0.15, `${inp.bandCount} ${inp.dtype} bands match the Sentinel-2 set "${S2_BAND_SETS[inp.bandCount].label}"`);
  }
  if (tok?.kind === 'sentinel-2') {
    const native = s2BandInfo(tok.band)?.nativeGsd ?? null;
    if (native !== null && near(inp.gsd, [native], native * 0.05)) add(c, 0.15, `GSD ${fmtGsd(inp.gsd)} is ${tok.band}'s native ${native} m`);
  } else if (near(inp.gsd, [10, 20, 60], 0.6)) add(c, 0.1, `GSD ${fmtGsd(inp.gsd)} is a Sentinel-2 resolution`);
  if (inp.gsd !== null && (inp.gsd < 5 || inp.gsd > 70) && c.score > 0) add(c, -0.2, `GSD ${fmtGsd(inp.gsd)} is not a Sentinel-2 resolution`);
  if (inp.dtype === 'uint8' && c.score > 0) add(c, -0.1, 'the data are 8-bit (Sentinel-2 DN are 16-bit)');
  return c;
}

function s1Candidate(inp: RecognitionInput, tok: BandToken | null, words: string[]): Candidate {
  const c = candidate('sentinel-1');
  const product = /S1([A-D])_[A-Z0-9]{2}_/i.exec(inp.path);
  if (product) {
    add(c, 0.6, `the path has a Sentinel-1 product id (${product[0].slice(0, 6)}…)`);
    c.extra.platform = `Sentinel-1${product[1].toUpperCase()}`;
  }
  if (words.some((w) => w === 's1' || w === 'sentinel1' || w === 'sar') || /sentinel[-_ ]?1/i.test(inp.path)) add(c, 0.25, 'the path mentions Sentinel-1 / SAR');
  const pols = inp.bandDescriptions.filter((d): d is string => !!d && /^(VV|VH|HH|HV)$/i.test(d.trim()));
  if (pols.length > 0) add(c, 0.3, `band descriptions are polarisations (${pols.join(', ')})`);
  else if (tok?.kind === 'sentinel-1') add(c, 0.3, `polarisation ${tok.band} in the file name`);
  if (inp.dtype === 'float32' && c.score > 0) add(c, 0.1, 'float32 backscatter');
  const m = inp.rawStats?.[0];
  if (m && m.count > 0 && c.score > 0) {
    if (m.mean < 0 && m.min > -100) {
      c.extra.s1Units = 'dB';
      add(c, 0.1, `values are negative (mean ${m.mean.toFixed(1)}): backscatter in dB`);
    } else if (inp.dtype === 'float32' || inp.dtype === 'float64') {
      c.extra.s1Units = 'linear';
      c.reasons.push(`values are non-negative (mean ${m.mean.toPrecision(3)}): linear backscatter`);
    }
  }
  if (/(^|[^a-z])(asc|ascending)([^a-z]|$)/i.test(inp.path)) c.extra.orbit = 'ascending';
  else if (/(^|[^a-z])(des|desc|descending)([^a-z]|$)/i.test(inp.path)) c.extra.orbit = 'descending';
  return c;
}

function landsatCandidate(inp: RecognitionInput, tok: BandToken | null, words: string[]): Candidate {
  const c = candidate('landsat');
  const coll = /L([COTEM])0(\d)_(L1TP|L1GT|L1GS|L2SP|L2SR)_\d{6}_\d{8}_\d{8}_(\d{2})_(T1|T2|RT)/i.exec(inp.path);
  const pre = /(?:^|[^A-Z0-9])(L[COTEM]\d)\d{6}\d{7}[A-Z]{3}\d{2}/i.exec(inp.path);
  if (coll) {
    const id = landsatFromId(coll[0]);
    add(c, 0.6, `the path has a Landsat Collection ${Number(coll[4])} product id (${coll[0].slice(0, 4)}, ${coll[3]})`);
    c.extra.platform = id?.platform ?? null;
    c.extra.instrument = id?.instrument ?? null;
    c.extra.level = `C${Number(coll[4])} ${coll[3].toUpperCase()}`;
  } else if (pre) {
    const id = landsatFromId(pre[1]);
    add(c, 0.6, `the path has a Landsat scene id (${pre[1].toUpperCase()}…: ${id?.platform ?? 'Landsat'} ${id?.instrument ?? ''})`);
    c.extra.platform = id?.platform ?? null;
    c.extra.instrument = id?.instrument ?? null;
  }
  if (words.some((w) => w.startsWith('landsat'))) add(c, 0.3, 'the path mentions Landsat');
  if (tok?.kind === 'landsat') add(c, 0.1, `band ${tok.band} in the file name`);
  if (near(inp.gsd, [30], 1.5)) add(c, 0.1, `GSD ${fmtGsd(inp.gsd)} is Landsat's 30 m`);
  return c;
}

function aerialCandidate(inp: RecognitionInput, words: string[]): Candidate {
  const c = candidate('aerial');
  if (words.some((w) => ['aerial', 'ortho', 'orthophoto', 'naip', 'bdortho', 'orthoimage', 'airborne', 'uav', 'drone'].includes(w)) || /(^|[\\/])m_\d{7}_/i.test(inp.path)) {
    add(c, 0.4, 'the path names aerial imagery (aerial/ortho/NAIP)');
  }
  const spectral = inp.bandCount - (inp.alphaBand !== null ? 1 : 0);
  if ((spectral === 3 || spectral === 4) && inp.gsd !== null && inp.gsd <= 5) {
    add(c, 0.35, `${spectral} bands${inp.alphaBand !== null ? ' + alpha' : ''} at ${fmtGsd(inp.gsd)}: RGB${spectral === 4 ? '-NIR' : ''} at aerial resolution`);
    if (inp.dtype === 'uint8') add(c, 0.1, '8-bit values');
  }
  return c;
}

function maskCandidate(inp: RecognitionInput, tok: BandToken | null): Candidate {
  const c = candidate('cloud-mask');
  const name = stemOf(inp.path).toLowerCase();
  const single = inp.bandCount === 1 && (inp.dtype === 'uint8' || inp.dtype === 'uint16' || inp.dtype === 'int16');
  const vals = inp.distinctValues;
  if (/fmask/.test(name)) {
    c.extra.maskKind = 'fmask';
    add(c, 0.6, '"fmask" in the file name');
    if (single && vals && vals.every((v) => (v >= 0 && v <= 4) || v === 255)) add(c, 0.3, `values ${vals.join(', ')} are Fmask classes (0 clear, 1 water, 2 shadow, 3 snow, 4 cloud, 255 fill)`);
  } else if (tok?.kind === 'mask' && /^SCL$/i.test(tok.band)) {
    c.extra.maskKind = 'scl';
    add(c, 0.6, '"SCL" (Sentinel-2 scene classification) in the file name');
    if (single && vals && vals.every((v) => v >= 0 && v <= 11)) add(c, 0.3, 'values are SCL classes 0–11');
  } else if (/qa_pixel|pixel_qa/.test(name)) {
    c.extra.maskKind = 'qa_pixel';
    add(c, 0.7, '"QA_PIXEL" (Landsat quality bits) in the file name');
  } else if (tok?.kind === 'mask') {
    c.extra.maskKind = 'cloud';
    add(c, 0.5, `"${tok.band}" in the file name`);
  }
  if (c.score > 0 && !single) add(c, -0.4, `a cloud mask has one integer band, this file has ${inp.bandCount} ${inp.dtype} bands`);
  if (c.score > 0 && tok) c.extra.sceneId = tok.sceneId;
  return c;
}

function fmtGsd(g: number | null): string {
  if (g === null) return 'unknown';
  return g >= 10 ? `${g.toFixed(0)} m` : `${g.toPrecision(3)} m`;
}

/** Recognises the sensor and modality of one file. */
export function recognize(inp: RecognitionInput): Recognition {
  const stem = stemOf(inp.path);
  const tok = bandTokenOf(stem);
  const words = tokens(inp.path);
  const cands = [s2Candidate(inp, tok, words), s1Candidate(inp, tok, words), landsatCandidate(inp, tok, words), aerialCandidate(inp, words), maskCandidate(inp, tok)];
  const mask = cands[cands.length - 1];
  cands.sort((a, b) => b.score - a.score);
  // A mask token in the name ("…_fmask", "…_SCL") decides the role even when the scene id scores the sensor higher:
  // the file belongs to that sensor's scene but holds classes, not reflectance.
  if (mask.score >= 0.6) {
    const scene = cands.find((c) => c !== mask && c.score >= 0.3);
    if (scene) {
      mask.reasons.push(`it belongs to a ${scene.sensor} scene (${scene.reasons[0]})`);
      mask.extra.platform = scene.extra.platform ?? null;
      mask.extra.instrument = scene.extra.instrument ?? null;
    }
    cands.splice(cands.indexOf(mask), 1);
    // The scene's own score is context here, not a competing reading of the file.
    cands.forEach((c, i) => (cands[i] = { ...c, score: Math.min(c.score, 0.29) }));
    cands.unshift(mask);
  }
  const best = cands[0];
  const base: Recognition = {
    sensor: 'generic',
    modality: userModalityName(inp.path),
    role: 'image',
    maskKind: null,
    platform: null,
    instrument: null,
    level: null,
    baseline: null,
    s1Units: null,
    orbit: null,
    sceneId: null,
    bandToken: null,
    confidence: 0.3,
    reasons: [],
  };
  if (best.score < 0.3 - 1e-9) {
    if (inp.photometric === 2 && inp.bandCount >= 3) base.modality = 'rgb';
    base.reasons.push(
      `no sensor-specific evidence${best.score > 0 ? ` (best guess ${best.sensor} scored only ${best.score.toFixed(2)})` : ''}: treated as a user-named modality "${base.modality}"${inp.photometric === 2 ? ' (PhotometricInterpretation RGB)' : ''}; rename it if needed`,
    );
    return base;
  }
  const r: Recognition = { ...base, ...best.extra, sensor: best.sensor, confidence: Math.max(0, Math.min(1, best.score)), reasons: best.reasons };
  const runnerUp = cands[1];
  if (runnerUp.score >= 0.3 && best.score - runnerUp.score < 0.15) {
    r.confidence = Math.max(0, r.confidence - 0.2);
    r.reasons.push(`ambiguous: ${runnerUp.sensor} scored ${runnerUp.score.toFixed(2)} (${runnerUp.reasons[0]})`);
  }
  switch (best.sensor) {
    case 'sentinel-2':
      r.modality = 's2';
      if (tok?.kind === 'sentinel-2') {
        r.sceneId = tok.sceneId;
        r.bandToken = tok.band;
      }
      break;
    case 'sentinel-1':
      r.modality = r.orbit === 'ascending' ? 's1_asc' : r.orbit === 'descending' ? 's1_des' : 's1';
      r.s1Units ??= inp.dtype === 'float32' || inp.dtype === 'float64' ? 'linear' : null;
      if (tok?.kind === 'sentinel-1') {
        r.sceneId = tok.sceneId;
        r.bandToken = tok.band;
      }
      break;
    case 'landsat':
      r.modality = 'landsat';
      if (tok?.kind === 'landsat') {
        r.sceneId = tok.sceneId;
        r.bandToken = tok.band;
      }
      break;
    case 'aerial':
      r.modality = 'aerial';
      break;
    case 'cloud-mask':
      r.role = 'mask';
      r.modality = 'mask';
      break;
    default:
      break;
  }
  if (r.sensor === 'cloud-mask' && !r.sceneId) r.sceneId = stem.replace(/[_.-]?(fmask|scl|qa_pixel|pixel_qa|cloud_?mask|clouds?)$/i, '');
  if (r.sensor === 'landsat' && !r.sceneId) {
    const pre = /(L[COTEM]\d\d{6}\d{7}[A-Z]{3}\d{2})/i.exec(stem);
    if (pre) r.sceneId = pre[1];
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Conventions derived from a recognition

export type BandNameSource = 'gdal-description' | 'file-name' | 'sensor-convention' | 'color-interp' | 'photometric' | 'index' | 'user';

/** Spectral band names (alpha excluded) and where they came from. */
export function bandNamesFor(rec: Recognition, inp: RecognitionInput): { bands: string[]; infos: BandInfo[]; source: BandNameSource; warnings: string[] } {
  const warnings: string[] = [];
  const spectralIdx = Array.from({ length: inp.bandCount }, (_, i) => i).filter((i) => i !== inp.alphaBand);
  const n = spectralIdx.length;
  let bands: string[] | null = null;
  let source: BandNameSource = 'index';
  const desc = spectralIdx.map((i) => inp.bandDescriptions[i]);
  if (rec.bandToken && n === 1) {
    bands = [rec.bandToken];
    source = 'file-name';
  } else if (desc.every((d) => d && d.trim()) && new Set(desc).size === n) {
    bands = desc.map((d) => (d as string).trim());
    source = 'gdal-description';
    if (rec.sensor === 'sentinel-2') bands = bands.map((b) => canonicalS2Band(b) ?? b);
    if (rec.sensor === 'sentinel-1') bands = bands.map((b) => (/^(VV|VH|HH|HV)$/i.test(b) ? b.toUpperCase() : b));
  } else if (rec.sensor === 'sentinel-2' && S2_BAND_SETS[n]) {
    bands = [...S2_BAND_SETS[n].bands];
    source = 'sensor-convention';
    warnings.push(`band names assumed from the band count: ${S2_BAND_SETS[n].label}`);
  } else if (rec.sensor === 'sentinel-1' && n === 2) {
    bands = ['VV', 'VH'];
    source = 'sensor-convention';
    warnings.push('band names assumed: VV, VH (the usual dual-pol order)');
  } else if (rec.sensor === 'cloud-mask') {
    bands = [rec.maskKind ?? 'mask'];
    source = 'sensor-convention';
  } else {
    const ci = spectralIdx.map((i) => inp.colorInterp[i]?.toLowerCase() ?? null);
    if (ci.every((c) => c && c !== 'undefined' && c !== 'gray' && c !== 'grey') && new Set(ci).size === n) {
      bands = ci as string[];
      source = 'color-interp';
    } else if (inp.photometric === 2 && n >= 3) {
      bands = ['red', 'green', 'blue', ...Array.from({ length: n - 3 }, (_, i) => (n === 4 && i === 0 ? 'nir' : `band${i + 4}`))];
      source = 'photometric';
    }
  }
  if (!bands) bands = Array.from({ length: n }, (_, i) => `band${i + 1}`);
  const infos = bands.map((b): BandInfo => {
    if (rec.sensor === 'sentinel-2') return s2BandInfo(b) ?? { name: b, common: null, wavelengthNm: null, nativeGsd: null };
    if (rec.sensor === 'landsat' && /^B\d{1,2}$/.test(b)) return landsatBandInfo(Number(b.slice(1)), (rec.instrument as never) ?? null);
    return { name: b, common: ['red', 'green', 'blue', 'nir'].includes(b) ? b : null, wavelengthNm: null, nativeGsd: null };
  });
  return { bands, infos, source, warnings };
}

/** The nodata value to use: the file's GDAL_NODATA, else the sensor's convention (S2 and Landsat C2: DN 0). */
export function nodataFor(rec: Recognition, fileNodata: number | null, dtype: DType | 'mixed'): { nodata: number | null; source: 'GDAL_NODATA' | 'sensor-convention' | 'none'; reason: string | null } {
  if (fileNodata !== null) return { nodata: fileNodata, source: 'GDAL_NODATA', reason: null };
  const integer = dtype !== 'float32' && dtype !== 'float64' && dtype !== 'float16' && dtype !== 'mixed';
  if (rec.sensor === 'sentinel-2' && integer) return { nodata: 0, source: 'sensor-convention', reason: 'no GDAL_NODATA tag: DN 0 taken as nodata (Sentinel-2 NO_DATA convention)' };
  if (rec.sensor === 'landsat' && rec.level?.startsWith('C2') && integer) return { nodata: 0, source: 'sensor-convention', reason: 'no GDAL_NODATA tag: DN 0 taken as fill (Landsat Collection 2)' };
  if (rec.maskKind === 'fmask') return { nodata: 255, source: 'sensor-convention', reason: 'Fmask fill value 255' };
  return { nodata: null, source: 'none', reason: null };
}

function dtypeMax(dtype: DType | 'mixed'): number | null {
  if (dtype === 'mixed' || dtype.startsWith('float')) return null;
  if (dtype.startsWith('uint')) return 2 ** Number(dtype.slice(4)) - 1;
  return 2 ** (Number(dtype.slice(3)) - 1) - 1;
}

/**
 * The sensor-convention scaling for C spectral bands. `metaScale`/`metaOffset` are GDAL SCALE/OFFSET per band
 * (1/0 when absent); when any differs from 1/0 they win, because the producer stated them explicitly.
 */
export function sensorScaling(rec: Recognition, inp: RecognitionInput, C: number, metaScale: number[], metaOffset: number[]): Scaling {
  const isFloat = inp.dtype === 'float32' || inp.dtype === 'float64' || inp.dtype === 'float16';
  const p98 = Math.max(...(inp.rawStats ?? []).map((s) => (Number.isFinite(s.p98) ? s.p98 : -Infinity)), -Infinity);
  if (rec.role === 'mask') return identityScaling(C, 'mask classes are not scaled');
  if (metaScale.some((s) => s !== 1) || metaOffset.some((o) => o !== 0)) {
    return { scale: metaScale.slice(0, C), offset: metaOffset.slice(0, C), post: 'none', normFac: 1, unit: 'physical', description: 'SCALE/OFFSET from the file\'s GDAL metadata' };
  }
  switch (rec.sensor) {
    case 'sentinel-2': {
      if (isFloat && p98 <= 3) return identityScaling(C, 'floating-point values already look like reflectance (0…1)');
      const b = rec.baseline ? Number(rec.baseline) : null;
      if (b !== null && b >= 4) {
        return linearScaling(C, 1e-4, -0.1, 'reflectance', `Sentinel-2 reflectance = (DN − 1000) / 10000: processing baseline ${rec.baseline} ≥ 04.00 adds a −1000 offset`);
      }
      return linearScaling(C, 1e-4, 0, 'reflectance', `Sentinel-2 reflectance = DN / 10000${b !== null ? ` (baseline ${rec.baseline} < 04.00, no offset)` : ''}`);
    }
    case 'sentinel-1':
      if (rec.s1Units === 'dB') return { ...identityScaling(C, 'Sentinel-1 backscatter kept in dB as stored'), unit: 'dB' };
      return { ...identityScaling(C, 'Sentinel-1 linear backscatter converted to dB after resampling (10·log10)'), post: 'dB', unit: 'dB' };
    case 'landsat': {
      if (rec.level?.includes('L2')) {
        if (rec.bandToken && /^B1[01]$/.test(rec.bandToken)) return linearScaling(C, 0.00341802, 149, 'K', 'Landsat Collection 2 surface temperature = DN · 0.00341802 + 149 K');
        return linearScaling(C, 2.75e-5, -0.2, 'reflectance', 'Landsat Collection 2 surface reflectance = DN · 2.75e-5 − 0.2');
      }
      if (inp.dtype === 'uint8') return linearScaling(C, 1 / 255, 0, 'DN/255', '8-bit Landsat product (already stretched): DN / 255');
      if (isFloat) return identityScaling(C, 'floating-point Landsat values kept as stored');
      if (inp.dtype === 'int16' && p98 <= 16000) return linearScaling(C, 1e-4, 0, 'reflectance', 'int16 values within 0…10000: pre-collection (LEDAPS/ESPA) surface reflectance × 10000 → DN / 10000');
      const max = dtypeMax(inp.dtype) ?? 1;
      return linearScaling(C, 1 / max, 0, `DN/${max}`, `Landsat Level-1 DN without calibration metadata: divided by the ${inp.dtype} maximum ${max}`);
    }
    default: {
      if (isFloat) return identityScaling(C, 'floating-point values kept as stored');
      const max = dtypeMax(inp.dtype);
      if (max === null) return identityScaling(C, 'mixed data types: kept as stored');
      return linearScaling(C, 1 / max, 0, `DN/${max}`, `no sensor convention: DN divided by the ${inp.dtype} maximum ${max}`);
    }
  }
}
