/**
 * The catalog: inspected files turned into acquisitions (per-band files stacked, cloud masks paired) and grouped
 * into locations × modalities × dates.
 *
 * Stacking: single-band files whose names carry a band token (`T33UUU_20170216T102101_B05`, `LE7…_b3`, `…_VV`) and
 * share sensor, scene id and date become one acquisition with bands in the sensor's order (B01…B8A…B12; Landsat by
 * number; VV, VH, HH, HV); the finest band's grid is the stack's grid and coarser bands are resampled to it on read.
 * Masks (Fmask, SCL, QA_PIXEL) attach to the image of the same scene id, else the same sensor/date/location.
 * Locations: union-find over acquisitions whose WGS84 footprints overlap by at least `minOverlap` of the smaller.
 * Duplicates (the same modality and date at one location, e.g. a 13-band stack next to its 13 per-band files) keep
 * one acquisition — the single multi-band file — and list the other as unused with the reason.
 * Invariants: every input path appears exactly once, either in an acquisition or in `unused`; within a location and
 * modality, acquisitions are sorted by date and share one band list.
 * Reference: /work/shared/data/README.md (folder layouts); /work/shared/docs/data.md §3.8, §4 (time-series stacking).
 */
import type { AcqDate, Footprint, LonLat } from './sample';
import { compareDates } from './dates';
import { footprintCentre, footprintOverlap } from './georef';
import type { FileRecord, InspectRecord } from './record';
import type { MaskKind, SensorKind } from './recognize';
import { FMASK_INVALID, S2_BANDS, SCL_INVALID } from './sensors';

export interface AcquisitionBand {
  path: string;
  /** 0-based band index in that file. */
  band: number;
  name: string;
  gsd: number;
}

export interface AcquisitionMask {
  path: string;
  kind: MaskKind;
  /** Mask values that make a pixel invalid (clouds, shadows, fill …). For QA_PIXEL: bits, see `qaBits`. */
  invalid: number[];
  /** For bit-packed masks (Landsat QA_PIXEL): a pixel is invalid if any of these bits is set. */
  qaBits: number[] | null;
}

export interface Acquisition {
  id: string;
  location: string;
  modality: string;
  sensor: SensorKind;
  date: AcqDate | null;
  dateText: string | null;
  bands: string[];
  parts: AcquisitionBand[];
  mask: AcquisitionMask | null;
  /** GSD of the stack's grid (its finest band), metres. */
  gsd: number;
  /** The file whose pixel grid the acquisition is read on. */
  gridPath: string;
  footprint: Footprint;
  stacked: boolean;
  sceneId: string | null;
}

/** Every file an acquisition reads: its band files, then its cloud mask (a file may appear twice for a multi-band part). */
export function acquisitionPaths(a: Pick<Acquisition, 'parts' | 'mask'>): string[] {
  return [...a.parts.map((p) => p.path), ...(a.mask ? [a.mask.path] : [])];
}

export interface ModalityEntry {
  bands: string[];
  gsd: number;
  /** Acquisition ids sorted by date. */
  acquisitions: string[];
  dates: (string | null)[];
}

export interface LocationEntry {
  id: string;
  /** Lon/lat bounding box of the union of footprints, as UL, UR, LR, LL. */
  footprint: Footprint;
  centre: LonLat;
  modalities: Record<string, ModalityEntry>;
}

export interface Catalog {
  locations: LocationEntry[];
  acquisitions: Acquisition[];
  unused: { path: string; reason: string }[];
}

export interface CatalogOptions {
  /** Minimum footprint overlap (fraction of the smaller footprint's box) to be the same location (default 0.5). */
  minOverlap?: number;
}

function bandOrder(sensor: SensorKind, name: string): number {
  if (sensor === 'sentinel-2') {
    const i = S2_BANDS.findIndex((b) => b.name === name);
    return i >= 0 ? i : 100;
  }
  if (sensor === 'sentinel-1') {
    const i = ['VV', 'VH', 'HH', 'HV'].indexOf(name);
    return i >= 0 ? i : 100;
  }
  const m = /^B(\d+)$/.exec(name);
  return m ? Number(m[1]) : 100;
}

function maskOf(r: FileRecord): AcquisitionMask {
  const kind = r.recognition.maskKind ?? 'cloud';
  if (kind === 'fmask') return { path: r.path, kind, invalid: [...FMASK_INVALID], qaBits: null };
  if (kind === 'scl') return { path: r.path, kind, invalid: [...SCL_INVALID], qaBits: null };
  // QA_PIXEL bits 0 fill, 1 dilated cloud, 2 cirrus, 3 cloud, 4 cloud shadow (data.md §3.5).
  if (kind === 'qa_pixel') return { path: r.path, kind, invalid: [], qaBits: [0, 1, 2, 3, 4] };
  // A generic cloud mask: 0 = clear, anything else = cloud (MAESTRO's "mask > 0" rule).
  return { path: r.path, kind, invalid: [], qaBits: null };
}

function unionBox(fps: Footprint[]): Footprint {
  const lons = fps.flatMap((f) => f.map((p) => p.lon));
  const lats = fps.flatMap((f) => f.map((p) => p.lat));
  const w = Math.min(...lons);
  const e = Math.max(...lons);
  const s = Math.min(...lats);
  const n = Math.max(...lats);
  return [
    { lon: w, lat: n },
    { lon: e, lat: n },
    { lon: e, lat: s },
    { lon: w, lat: s },
  ];
}

const sameInstant = (a: AcqDate | null, b: AcqDate | null) => (a === null && b === null) || (a !== null && b !== null && a.year === b.year && a.doy === b.doy && a.hour === b.hour);

export function buildCatalog(records: readonly InspectRecord[], opts: CatalogOptions = {}): Catalog {
  const minOverlap = opts.minOverlap ?? 0.5;
  const unused: { path: string; reason: string }[] = [];
  const usable: FileRecord[] = [];
  for (const r of records) {
    if (!r.ok) unused.push({ path: r.path, reason: r.error });
    else if (!r.transform || !r.crs || !r.footprint || r.gsd === null) unused.push({ path: r.path, reason: `${r.path}: has no usable georeferencing (geotransform + CRS), so it cannot be placed on the ground next to other files` });
    else if (r.rotated) unused.push({ path: r.path, reason: `${r.path}: its pixel grid is rotated; rotated grids are not resampled (warp it north-up with gdalwarp first)` });
    else usable.push(r);
  }
  const images = usable.filter((r) => r.recognition.role === 'image');
  const masks = usable.filter((r) => r.recognition.role === 'mask');

  // --- per-band stacking -------------------------------------------------------------------------------------
  const draft: Omit<Acquisition, 'location' | 'id'>[] = [];
  const perBand = new Map<string, FileRecord[]>();
  for (const r of images) {
    const rec = r.recognition;
    if (rec.bandToken && rec.sceneId && r.bands.length === 1) {
      const key = `${rec.sensor}|${rec.modality}|${rec.sceneId}|${r.dateText ?? '?'}`;
      perBand.set(key, [...(perBand.get(key) ?? []), r]);
    } else {
      draft.push({
        modality: rec.modality,
        sensor: rec.sensor,
        date: r.date,
        dateText: r.dateText,
        bands: [...r.bands],
        parts: r.bands.map((name, i) => ({ path: r.path, band: r.bandIndices[i], name, gsd: r.gsd as number })),
        mask: null,
        gsd: r.gsd as number,
        gridPath: r.path,
        footprint: r.footprint as Footprint,
        stacked: false,
        sceneId: rec.sceneId,
      });
    }
  }
  for (const group of perBand.values()) {
    const byBand = new Map<string, FileRecord>();
    for (const r of [...group].sort((a, b) => (a.gsd as number) - (b.gsd as number))) {
      const name = r.bands[0];
      const kept = byBand.get(name);
      if (kept) unused.push({ path: r.path, reason: `${r.path}: band ${name} of scene ${r.recognition.sceneId} is already provided by ${kept.path} at a finer GSD` });
      else byBand.set(name, r);
    }
    const sensor = group[0].recognition.sensor;
    const parts = [...byBand.values()].sort((a, b) => bandOrder(sensor, a.bands[0]) - bandOrder(sensor, b.bands[0]));
    const finest = parts.reduce((m, r) => ((r.gsd as number) < (m.gsd as number) ? r : m), parts[0]);
    draft.push({
      modality: group[0].recognition.modality,
      sensor,
      date: finest.date,
      dateText: finest.dateText,
      bands: parts.map((r) => r.bands[0]),
      parts: parts.map((r) => ({ path: r.path, band: r.bandIndices[0], name: r.bands[0], gsd: r.gsd as number })),
      mask: null,
      gsd: finest.gsd as number,
      gridPath: finest.path,
      footprint: unionBox(parts.map((r) => r.footprint as Footprint)),
      stacked: parts.length > 1,
      sceneId: group[0].recognition.sceneId,
    });
  }

  // --- mask pairing --------------------------------------------------------------------------------------------
  for (const m of masks) {
    const bySceneId = draft.filter((a) => a.sceneId && m.recognition.sceneId && a.sceneId === m.recognition.sceneId);
    const byDate = draft.filter((a) => a.date && m.date && sameInstant(a.date, m.date) && footprintOverlap(a.footprint, m.footprint as Footprint) >= minOverlap);
    const target = bySceneId[0] ?? (byDate.length === 1 ? byDate[0] : undefined);
    if (!target) {
      unused.push({ path: m.path, reason: `${m.path}: cloud mask without a matching image (no image with scene id ${m.recognition.sceneId ?? '?'} or the same date and footprint)` });
    } else if (target.mask) {
      unused.push({ path: m.path, reason: `${m.path}: ${target.gridPath} already has the mask ${target.mask.path}` });
    } else {
      target.mask = maskOf(m);
    }
  }

  // --- locations by footprint overlap --------------------------------------------------------------------------
  const parent = draft.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < draft.length; i++) {
    for (let j = i + 1; j < draft.length; j++) {
      if (find(i) !== find(j) && footprintOverlap(draft[i].footprint, draft[j].footprint) >= minOverlap) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, number[]>();
  draft.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
  const firstPath = (idx: number[]) => idx.map((i) => draft[i].gridPath).sort()[0];
  const ordered = [...groups.values()].sort((a, b) => (firstPath(a) < firstPath(b) ? -1 : 1));

  const acquisitions: Acquisition[] = [];
  const locations: LocationEntry[] = [];
  ordered.forEach((idx, li) => {
    const locId = `loc${li}`;
    const modalities: Record<string, ModalityEntry> = {};
    const byModality = new Map<string, Omit<Acquisition, 'location' | 'id'>[]>();
    for (const i of idx) byModality.set(draft[i].modality, [...(byModality.get(draft[i].modality) ?? []), draft[i]]);
    for (const [mod, list] of [...byModality.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      // Multi-band single files first, so a duplicate per-band stack is the one dropped.
      list.sort((a, b) => Number(a.stacked) - Number(b.stacked) || (a.gridPath < b.gridPath ? -1 : 1));
      const kept: Omit<Acquisition, 'location' | 'id'>[] = [];
      for (const a of list) {
        const dup = kept.find((k) => sameInstant(k.date, a.date) && k.date !== null);
        if (dup) {
          for (const p of new Set(acquisitionPaths(a))) {
            unused.push({ path: p, reason: `${p}: same ${mod} acquisition (${a.dateText}) as ${dup.gridPath}, which is used instead` });
          }
          continue;
        }
        kept.push(a);
      }
      // One band list per modality and location: the most common one wins.
      const counts = new Map<string, number>();
      for (const a of kept) counts.set(a.bands.join(','), (counts.get(a.bands.join(',')) ?? 0) + 1);
      const major = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const consistent = kept.filter((a) => {
        if (a.bands.join(',') === major) return true;
        for (const p of new Set(a.parts.map((x) => x.path))) unused.push({ path: p, reason: `${p}: its bands [${a.bands.join(', ')}] differ from the other ${mod} dates at ${locId} [${major}]` });
        if (a.mask) unused.push({ path: a.mask.path, reason: `${a.mask.path}: its image was left out (band mismatch)` });
        return false;
      });
      consistent.sort((a, b) => (a.date && b.date ? compareDates(a.date, b.date) : a.date ? -1 : b.date ? 1 : 0) || (a.gridPath < b.gridPath ? -1 : 1));
      const ids: string[] = [];
      for (const a of consistent) {
        const id = `${locId}/${mod}/${a.dateText ?? 'undated'}${a.sceneId ? `/${a.sceneId}` : ''}`;
        acquisitions.push({ ...a, id, location: locId });
        ids.push(id);
      }
      modalities[mod] = { bands: major.split(','), gsd: Math.min(...consistent.map((a) => a.gsd)), acquisitions: ids, dates: consistent.map((a) => a.dateText) };
    }
    const fp = unionBox(idx.map((i) => draft[i].footprint));
    locations.push({ id: locId, footprint: fp, centre: footprintCentre(fp), modalities });
  });
  return { locations, acquisitions, unused };
}
