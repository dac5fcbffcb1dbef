/**
 * The Data section's view of the loaded files, built in the worker: one small FileRow per file (recognition, bands,
 * date, size, GSD, CRS, warnings or the error), the catalog's locations × modalities × dates with WGS84 footprints
 * and the cloudy fraction of each date's observed pixels (from its mask), the modalities available for the model, and what the Dataset
 * made of it all (modalities × dates × size, skipped files and why).
 *
 * Cloud fractions are computed once per mask file (cached by path) from the whole mask decoded at its own
 * resolution, with the same class rules GeoImage applies when training (SCL/Fmask invalid classes, QA_PIXEL bits,
 * generic masks "> 0"), over the observed pixels only (fill values excluded); masks above MASK_PIXEL_LIMIT pixels are
 * not decoded and report null.
 * Invariants: every loaded path appears exactly once in `files`; rows are in loading order; nothing here holds
 * pixels or handles, so a summary can be posted to the page as is.
 * Reference: src/data/catalog.ts (acquisitions, unused), src/data/image.ts (mask rules).
 */
import type { Acquisition, AcquisitionMask, Catalog } from '../../data/catalog';
import type { Dataset } from '../../data/dataset';
import type { RasterFile } from '../../data/raster';
import type { FileRecord, InspectRecord } from '../../data/record';
import type {
  AcquisitionSummary,
  CatalogModality,
  DataOptions,
  DataOrigin,
  DatasetInfo,
  DataSummary,
  FileRow,
  FileUse,
  LocationSummary,
  ModalitySummary,
} from '../protocol/data';
import { compositePresets } from './dataPreview';

/** Masks larger than this are not decoded just to count clouds. */
export const MASK_PIXEL_LIMIT = 16 * 2 ** 20;

export interface SummaryEntry {
  record: InspectRecord;
  origin: DataOrigin;
}

function crsText(r: FileRecord): string | null {
  if (!r.crs) return null;
  return r.crs.epsg ? `EPSG:${r.crs.epsg} ${r.crs.name}` : r.crs.name;
}

/** Where each path went in the catalog. */
function usesOf(catalog: Catalog | null): Map<string, FileUse> {
  const m = new Map<string, FileUse>();
  if (!catalog) return m;
  for (const a of catalog.acquisitions) {
    for (const p of a.parts) m.set(p.path, { kind: 'acquisition', id: a.id });
    if (a.mask) m.set(a.mask.path, { kind: 'mask', id: a.id });
  }
  for (const u of catalog.unused) if (!m.has(u.path)) m.set(u.path, { kind: 'unused', reason: u.reason });
  return m;
}

export function fileRow(e: SummaryEntry, use: FileUse | undefined): FileRow {
  const r = e.record;
  if (!r.ok) return { ok: false, path: r.path, sizeBytes: r.sizeBytes, origin: e.origin, reason: r.reason, error: r.error };
  const rec = r.recognition;
  return {
    ok: true,
    path: r.path,
    sizeBytes: r.sizeBytes,
    origin: e.origin,
    sensor: rec.sensor,
    platform: rec.platform ? `${rec.platform}${rec.instrument ? ` ${rec.instrument}` : ''}` : null,
    level: rec.level,
    modality: rec.modality,
    role: rec.role,
    maskKind: rec.maskKind,
    confidence: rec.confidence,
    reasons: [...rec.reasons],
    bands: [...r.bands],
    bandSource: r.bandSource,
    dtype: r.dtype,
    width: r.width,
    height: r.height,
    gsd: r.gsd,
    crs: crsText(r),
    dateText: r.dateText,
    dateSource: r.dateSource,
    nodata: r.nodata,
    validFraction: r.validFraction,
    scaling: r.scaling.description,
    unit: r.scaling.unit,
    warnings: [...r.warnings],
    corrected: [...r.corrected],
    use: use ?? { kind: 'unused', reason: 'not placed in the catalog' },
  };
}

/** Whether a mask value flags the pixel (the rule GeoImage.applyMask uses when training). */
export function maskFlags(mask: Pick<AcquisitionMask, 'invalid' | 'qaBits'>, v: number): boolean {
  if (mask.qaBits) return mask.qaBits.some((b) => (v & (1 << b)) !== 0);
  if (mask.invalid.length === 0) return v > 0;
  return mask.invalid.includes(v);
}

/**
 * Whether a mask value means "no observation" rather than cloud: Fmask 255 (fill, e.g. Landsat 7 SLC-off stripes),
 * SCL 0 (no data) and 1 (saturated/defective), QA_PIXEL bit 0 (fill). Generic masks have no fill value.
 */
export function maskFill(mask: Pick<AcquisitionMask, 'kind'>, v: number): boolean {
  switch (mask.kind) {
    case 'fmask':
      return v === 255;
    case 'scl':
      return v === 0 || v === 1;
    case 'qa_pixel':
      return (v & 1) !== 0;
    default:
      return false;
  }
}

/**
 * Fraction of a mask file's observed pixels (not fill) that the mask flags as cloud or shadow; null when the file is
 * too large, unreadable or has no observed pixel. Fill is left out so a striped Landsat 7 date is not called cloudy.
 */
export async function cloudFraction(mask: AcquisitionMask, file: RasterFile | undefined, record: FileRecord | undefined): Promise<number | null> {
  if (!file || !record) return null;
  const { width, height } = file.layout;
  if (width * height > MASK_PIXEL_LIMIT) return null;
  try {
    const raw = await file.readWindow([0, 0, width, height], { bands: [record.bandIndices[0] ?? 0] });
    const a = raw.bands[0];
    let observed = 0;
    let cloudy = 0;
    for (let i = 0; i < a.length; i++) {
      if (maskFill(mask, a[i])) continue;
      observed++;
      if (maskFlags(mask, a[i])) cloudy++;
    }
    return observed > 0 ? cloudy / observed : null;
  } catch {
    return null;
  }
}

/** Fills `cache` (mask path → fraction) for every paired mask of the catalog not yet measured. */
export async function measureMasks(catalog: Catalog, files: ReadonlyMap<string, RasterFile>, records: ReadonlyMap<string, FileRecord>, cache: Map<string, number | null>): Promise<void> {
  for (const a of catalog.acquisitions) {
    if (!a.mask || cache.has(a.mask.path)) continue;
    cache.set(a.mask.path, await cloudFraction(a.mask, files.get(a.mask.path), records.get(a.mask.path)));
  }
}

function acquisitionSummary(a: Acquisition, records: ReadonlyMap<string, FileRecord>, masks: ReadonlyMap<string, number | null>): AcquisitionSummary {
  const files = [...new Set(a.parts.map((p) => p.path))];
  const fractions = files.map((p) => records.get(p)?.validFraction ?? 1);
  return {
    id: a.id,
    dateText: a.dateText,
    date: a.date ? { ...a.date } : null,
    footprint: a.footprint,
    gsd: a.gsd,
    files,
    maskPath: a.mask?.path ?? null,
    cloudFraction: a.mask ? (masks.get(a.mask.path) ?? null) : null,
    validFraction: fractions.reduce((s, f) => s + f, 0) / Math.max(1, fractions.length),
  };
}

function locationsOf(catalog: Catalog, records: ReadonlyMap<string, FileRecord>, masks: ReadonlyMap<string, number | null>): LocationSummary[] {
  const acqById = new Map(catalog.acquisitions.map((a) => [a.id, a]));
  return catalog.locations.map((l) => ({
    id: l.id,
    centre: l.centre,
    footprint: l.footprint,
    modalities: Object.entries(l.modalities).map(([name, e]): ModalitySummary => {
      const acqs = e.acquisitions.map((id) => acqById.get(id) as Acquisition);
      const first = acqs[0];
      const rec = first ? records.get(first.gridPath) : undefined;
      const commons = e.bands.map((b) => {
        const part = first?.parts.find((p) => p.name === b);
        const r = part ? records.get(part.path) : undefined;
        return r?.bandInfo[Math.max(0, r.bandIndices.indexOf(part?.band ?? 0))]?.common ?? null;
      });
      const sensor = first?.sensor ?? rec?.recognition.sensor ?? 'generic';
      return {
        name,
        sensor,
        bands: [...e.bands],
        gsd: e.gsd,
        acquisitions: acqs.map((a) => acquisitionSummary(a, records, masks)),
        composites: compositePresets(sensor, e.bands, commons),
      };
    }),
  }));
}

function catalogModalities(catalog: Catalog): CatalogModality[] {
  const out = new Map<string, CatalogModality>();
  const sensorOf = new Map(catalog.acquisitions.map((a) => [`${a.location}|${a.modality}`, a.sensor]));
  for (const l of catalog.locations) {
    for (const [name, e] of Object.entries(l.modalities)) {
      const n = e.acquisitions.length;
      const m = out.get(name);
      if (!m) out.set(name, { name, sensor: sensorOf.get(`${l.id}|${name}`) ?? 'generic', bands: [...e.bands], locations: 1, minDates: n, maxDates: n });
      else {
        m.locations++;
        m.minDates = Math.min(m.minDates, n);
        m.maxDates = Math.max(m.maxDates, n);
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function datasetInfo(ds: Dataset | null, buildError: string | null): DatasetInfo {
  if (!ds) {
    return { ready: false, problem: buildError ?? 'no dataset', modalities: [], sampleMeters: 0, locations: [], validationTiles: 0, warnings: [], errors: [] };
  }
  const ready = ds.modalities.length > 0 && ds.locationIds.length > 0;
  return {
    ready,
    problem: ready ? null : `nothing to train on: ${ds.warnings.join('; ') || 'no usable files'}`,
    modalities: ds.modalities.map((m) => ({ name: m.name, bands: [...m.bands], normGroups: m.normGroups ? [...m.normGroups] : null, gsd: m.gsd, size: m.size, T: m.T, scalingDescription: m.scalingDescription, unit: m.unit })),
    sampleMeters: ds.sampleMeters,
    locations: ds.locationIds,
    validationTiles: ds.tileCount,
    warnings: [...ds.warnings],
    errors: ds.errors.map((e) => ({ file: e.file, reason: e.reason, message: e.message })),
  };
}

/** The whole summary. `catalog` is the dataset's catalog (or one built for the records when the dataset failed). */
export function buildSummary(
  entries: readonly SummaryEntry[],
  catalog: Catalog | null,
  ds: Dataset | null,
  buildError: string | null,
  options: DataOptions,
  masks: ReadonlyMap<string, number | null>,
  decoderWorkers: number | null = null,
): DataSummary {
  const uses = usesOf(catalog);
  const records = new Map<string, FileRecord>();
  for (const e of entries) if (e.record.ok) records.set(e.record.path, e.record);
  const files = entries.map((e) => fileRow(e, uses.get(e.record.path)));
  const ok = files.filter((f) => f.ok).length;
  return {
    files,
    locations: catalog ? locationsOf(catalog, records, masks) : [],
    catalogModalities: catalog ? catalogModalities(catalog) : [],
    unused: catalog ? catalog.unused.filter((u) => records.has(u.path)).map((u) => ({ ...u })) : [],
    dataset: entries.length === 0 ? null : datasetInfo(ds, buildError),
    options: { modalities: options.modalities ? [...options.modalities] : null, numDates: { ...options.numDates }, sampleMeters: options.sampleMeters },
    counts: {
      files: files.length,
      ok,
      failed: files.length - ok,
      demo: entries.filter((e) => e.origin === 'demo').length,
      user: entries.filter((e) => e.origin === 'user').length,
      bytes: entries.reduce((s, e) => s + e.record.sizeBytes, 0),
    },
    decoderWorkers,
  };
}
