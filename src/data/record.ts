/**
 * The inspect record: everything the pipeline understood about one file, as plain JSON-serialisable data, and the
 * user-correction path that edits it.
 *
 * A record is what the UI shows, what `inspect --json` prints and what the catalog groups; it is plain data so it can
 * cross a worker boundary and be saved with a dataset. Corrections (sensor, modality, bands, date, nodata, CRS,
 * scaling) are applied by `applyCorrection`, which re-derives every dependent field (modality → scaling, CRS →
 * footprint and GSD, date → date text) and records what was overridden.
 * Invariants: `ok: false` records carry only identity + error; `bands.length` equals the spectral band count (alpha
 * excluded) and every per-band array has that length.
 * Reference: /work/shared/docs/data.md §6 (what to handle explicitly).
 */
import type { AcqDate, Footprint } from './sample';
import type { DataErrorReason } from './errors';
import { crsFromEpsg, crsFromProj4, type CrsInfo } from './crs';
import { footprintCentre, footprintOf, gsdOf, type GeoTransform } from './georef';
import { dayOfYear, formatDate, type DatePrecision, type DateSource } from './dates';
import { bandNamesFor, nodataFor, sensorScaling, type BandNameSource, type Recognition, type RecognitionInput, type SensorKind } from './recognize';
import { maestroScaling, type Scaling, type ScalingMode } from './scaling';
import type { BandInfo } from './sensors';
import type { BandStats } from './stats';
import type { DType } from './tiffInfo';

export interface FileRecord {
  ok: true;
  path: string;
  sizeBytes: number;
  width: number;
  height: number;
  /** Bands in the file, alpha included. */
  bandCount: number;
  dtype: DType | 'mixed';
  dtypes: DType[];
  compression: string;
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  planar: 1 | 2;
  imageCount: number;
  alphaBand: number | null;
  /** Spectral band names (alpha excluded) and their file band indices. */
  bands: string[];
  bandIndices: number[];
  bandInfo: BandInfo[];
  bandSource: BandNameSource;
  nodata: number | null;
  nodataSource: 'GDAL_NODATA' | 'sensor-convention' | 'none' | 'user';
  fileNodataRaw: string | null;
  metadataScale: number[];
  metadataOffset: number[];
  crs: CrsInfo | null;
  transform: GeoTransform | null;
  rotated: boolean;
  gsd: number | null;
  gsdX: number | null;
  gsdY: number | null;
  footprint: Footprint | null;
  date: AcqDate | null;
  dateText: string | null;
  datePrecision: DatePrecision | null;
  dateSource: DateSource | null;
  datePattern: string | null;
  recognition: Recognition;
  /** Recognition inputs kept so corrections can re-derive conventions without reopening the file. */
  recognitionInput: RecognitionInput;
  scaling: Scaling;
  /** Fraction of sampled pixels that are valid (not nodata, not alpha-masked, finite). */
  validFraction: number;
  sampledPixels: number;
  /** Per spectral band, in scaled (model input) units. */
  stats: BandStats[];
  /** Per spectral band, in stored DN. */
  rawStats: BandStats[];
  warnings: string[];
  /** Fields the user overrode, by name. */
  corrected: string[];
}

export interface FailedRecord {
  ok: false;
  path: string;
  sizeBytes: number;
  reason: DataErrorReason;
  error: string;
}

export type InspectRecord = FileRecord | FailedRecord;

/** A user correction: any subset of these fields. */
export interface Correction {
  sensor?: SensorKind;
  modality?: string;
  role?: 'image' | 'mask';
  bands?: string[];
  /** "YYYY-MM-DD", "YYYY-MM-DDTHH" or an AcqDate. */
  date?: string | AcqDate;
  nodata?: number | null;
  epsg?: number;
  proj4?: string;
  scaling?: ScalingMode;
}

function parseUserDate(d: string | AcqDate): { date: AcqDate; precision: DatePrecision } {
  if (typeof d !== 'string') {
    if (!(d.doy >= 1 && d.doy <= 366 && d.hour >= 0 && d.hour <= 23)) throw new Error(`invalid date ${JSON.stringify(d)}`);
    return { date: { ...d }, precision: 'day' };
  }
  const m = /^(\d{4})(?:-(\d{2})-(\d{2})(?:T(\d{2}))?)?$/.exec(d.trim());
  if (!m) throw new Error(`date "${d}" is not YYYY, YYYY-MM-DD or YYYY-MM-DDTHH`);
  const year = Number(m[1]);
  if (!m[2]) return { date: { year, doy: 182, hour: 0 }, precision: 'year' };
  const doy = dayOfYear(year, Number(m[2]), Number(m[3]));
  if (doy === null) throw new Error(`date "${d}" does not exist`);
  const hour = m[4] ? Number(m[4]) : 0;
  if (hour > 23) throw new Error(`hour in "${d}" is out of range`);
  return { date: { year, doy, hour }, precision: m[4] ? 'second' : 'day' };
}

/** Scaling for a record's current recognition, or the MAESTRO mode when one is given. */
export function scalingForRecord(r: FileRecord, mode: ScalingMode = 'sensor'): Scaling {
  const C = r.bands.length;
  if (mode !== 'sensor') return maestroScaling(C, mode);
  const idx = r.bandIndices;
  return sensorScaling(
    r.recognition,
    r.recognitionInput,
    C,
    idx.map((i) => r.metadataScale[i] ?? 1),
    idx.map((i) => r.metadataOffset[i] ?? 0),
  );
}

/**
 * Returns a new record with the correction applied and dependent fields re-derived. Stats computed with the old
 * nodata or scaling are flagged in `warnings` (re-inspect the file to refresh them).
 */
export function applyCorrection(rec: FileRecord, c: Correction): FileRecord {
  const r: FileRecord = structuredClone(rec);
  const corrected = new Set(r.corrected);
  const note = (k: string) => corrected.add(k);
  if (c.sensor !== undefined || c.role !== undefined) {
    const sensor = c.sensor ?? r.recognition.sensor;
    r.recognition = {
      ...r.recognition,
      sensor,
      role: c.role ?? (sensor === 'cloud-mask' ? 'mask' : 'image'),
      confidence: 1,
      reasons: [...r.recognition.reasons, `set to ${sensor} by the user`],
    };
    if (sensor === 'sentinel-1' && r.recognition.s1Units === null) {
      const m = r.rawStats[0];
      r.recognition.s1Units = m && m.count > 0 && m.mean < 0 ? 'dB' : 'linear';
    }
    if (c.modality === undefined) {
      r.recognition.modality =
        sensor === 'sentinel-2' ? 's2' : sensor === 'sentinel-1' ? (r.recognition.orbit === 'ascending' ? 's1_asc' : r.recognition.orbit === 'descending' ? 's1_des' : 's1') : sensor === 'landsat' ? 'landsat' : sensor === 'aerial' ? 'aerial' : sensor === 'cloud-mask' ? 'mask' : r.recognition.modality;
    }
    if (c.bands === undefined && r.bandSource !== 'gdal-description' && r.bandSource !== 'file-name') {
      const derived = bandNamesFor(r.recognition, r.recognitionInput);
      if (derived.bands.length === r.bands.length) {
        r.bands = derived.bands;
        r.bandInfo = derived.infos;
        r.bandSource = derived.source;
      }
    }
    const nd = nodataFor(r.recognition, r.nodataSource === 'GDAL_NODATA' || r.nodataSource === 'user' ? r.nodata : null, r.dtype);
    if (r.nodataSource !== 'user' && nd.nodata !== r.nodata) {
      r.nodata = nd.nodata;
      r.nodataSource = nd.source;
      r.warnings.push('nodata changed with the sensor: stats were computed with the previous nodata; re-inspect to refresh them');
    }
    note(c.sensor !== undefined ? 'sensor' : 'role');
  }
  if (c.modality !== undefined) {
    if (!/^[a-z][a-z0-9_]*$/.test(c.modality)) throw new Error(`modality "${c.modality}" must be lower-case letters, digits and _`);
    r.recognition = { ...r.recognition, modality: c.modality, reasons: [...r.recognition.reasons, `modality named "${c.modality}" by the user`] };
    note('modality');
  }
  if (c.bands !== undefined) {
    if (c.bands.length !== r.bands.length) throw new Error(`${c.bands.length} band names given for ${r.bands.length} bands`);
    if (new Set(c.bands).size !== c.bands.length) throw new Error('band names must be unique');
    r.bands = [...c.bands];
    r.bandInfo = c.bands.map((name, i) => ({ ...r.bandInfo[i], name }));
    r.bandSource = 'user';
    note('bands');
  }
  if (c.date !== undefined) {
    const { date, precision } = parseUserDate(c.date);
    r.date = date;
    r.datePrecision = precision;
    r.dateSource = 'user';
    r.datePattern = 'set by the user';
    r.dateText = formatDate(date, precision);
    note('date');
  }
  if (c.nodata !== undefined) {
    r.nodata = c.nodata;
    r.nodataSource = c.nodata === null ? 'none' : 'user';
    r.warnings.push('nodata set by the user: stats and valid fraction were computed with the previous nodata; re-inspect to refresh them');
    note('nodata');
  }
  if (c.epsg !== undefined || c.proj4 !== undefined) {
    const crs = c.proj4 !== undefined ? crsFromProj4(c.proj4) : crsFromEpsg(c.epsg as number, 'set by the user');
    if (!crs) throw new Error(`EPSG:${c.epsg} has no built-in definition; give a proj4 string instead`);
    r.crs = crs;
    if (r.transform) {
      const fp = footprintOf(crs, r.transform, 0, 0, r.width, r.height);
      r.footprint = fp;
      const g = gsdOf(crs, r.transform, footprintCentre(fp).lat);
      r.gsdX = g.gsdX;
      r.gsdY = g.gsdY;
      r.gsd = Math.sqrt(g.gsdX * g.gsdY);
    }
    note('crs');
  }
  if (c.scaling !== undefined || corrected.has('sensor') || corrected.has('role')) {
    r.scaling = scalingForRecord(r, c.scaling ?? 'sensor');
    if (c.scaling !== undefined) note('scaling');
    r.warnings.push('scaling changed: stats are in the previous units; re-inspect to refresh them');
  }
  r.corrected = [...corrected];
  return r;
}
