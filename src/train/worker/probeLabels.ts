/**
 * The Evaluate section's labels in the worker: which label files were accepted, and what the studio understood of
 * them against the loaded data (classes and their counts, which acquisitions they align with), in plain sentences.
 *
 * Accepting files (`addLabelFiles`): .csv/.tsv/.txt/.json files are per-tile labels (src/probe/labels.ts
 * parseTileLabels); anything else must be a georeferenced raster of class ids (band 1). A raster is refused when it
 * cannot be opened, is not georeferenced, or holds values that are not class ids (non-integers or more than
 * MAX_CLASSES distinct values: an image dropped by mistake). Rasters accumulate (the same path replaces the older
 * file); a tile-label file replaces the previous tile labels; a drop of the other kind replaces the labels, saying so.
 * A drop that yields nothing usable changes nothing.
 * Summaries (`summarizeLabels`) are recomputed on every request, so they follow data loaded after the labels.
 * Rasters: class counts are label pixels inside the footprints of the loaded locations (nodata and pixels outside do
 * not count); without loaded data, the whole raster (or a centred excerpt of a large one). Alignment: an acquisition
 * is labelled by a raster whose extent overlaps its footprint — for a dated series, on the same day.
 */
import { acquisitionPaths, type Acquisition, type Catalog } from '../../data/catalog';
import { transformer, WGS84 } from '../../data/crs';
import type { Dataset } from '../../data/dataset';
import { formatDate } from '../../data/dates';
import { crsToPixel } from '../../data/georef';
import type { PixelWindow } from '../../data/raster';
import type { Footprint } from '../../data/sample';
import { blobSource } from '../../data/source';
import { dateKey, isDatedSeries, matchTileLabel, openLabelRasters, parseTileLabels, type LabelRaster, type TileLabel } from '../../probe/labels';
import type { ProbeLabels, SampleOrigins } from '../../probe/run';
import { classNamesFor } from '../../probe/tasks';
import type { IncomingFile } from '../protocol/data';
import type { LabelClass, LabelFileInfo, LabelProblem, LabelSummary } from '../protocol/probe';

/** More distinct values than this and a raster is taken for an image, not a class map. */
export const MAX_CLASSES = 255;
/** Rasters up to this many pixels are read whole when no data is loaded; larger ones through a centred excerpt. */
const WHOLE_READ_PIXELS = 4_000_000;
const EXCERPT = 1024;
export const TILE_LABEL_EXT = /\.(csv|tsv|txt|json)$/i;

export type LabelSet = { kind: 'raster'; rasters: LabelRaster[] } | { kind: 'tiles'; path: string; entries: TileLabel[] };

export interface LabelAddResult {
  set: LabelSet | null;
  problems: LabelProblem[];
  messages: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fmt = (n: number) => n.toLocaleString('en-US');
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Value counts of a band (finite values other than nodata), and whether any is not an integer. */
function countValues(values: ArrayLike<number>, nodata: number | null, into: Map<number, number>): { nonInteger: boolean } {
  let nonInteger = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v === nodata) continue;
    if (!Number.isInteger(v)) nonInteger = true;
    into.set(v, (into.get(v) ?? 0) + 1);
  }
  return { nonInteger };
}

/** The raster whole, or a centred excerpt when it is large. */
function ownWindow(r: LabelRaster): PixelWindow {
  if (r.width * r.height <= WHOLE_READ_PIXELS) return [0, 0, r.width, r.height];
  const x0 = Math.max(0, Math.floor((r.width - EXCERPT) / 2));
  const y0 = Math.max(0, Math.floor((r.height - EXCERPT) / 2));
  return [x0, y0, Math.min(r.width, x0 + EXCERPT), Math.min(r.height, y0 + EXCERPT)];
}

/** Why a raster is not a class map, or null when its values are class ids. */
async function classMapProblem(r: LabelRaster): Promise<string | null> {
  const win = await r.file.readWindow(ownWindow(r), { bands: [r.band] });
  const counts = new Map<number, number>();
  const { nonInteger } = countValues(win.bands[0], r.nodata, counts);
  if (nonInteger) return 'its values are not whole numbers, so they are not class ids (is it an image rather than a label map?)';
  if (counts.size > MAX_CLASSES) return `it holds ${fmt(counts.size)} different values, too many for class ids (is it an image rather than a label map?)`;
  if (counts.size === 0) return 'it has no labelled pixel (every pixel is nodata)';
  return null;
}

/**
 * Opens and checks dropped label files and merges them into `current` (see the header). Never throws for a bad
 * file: each refused file becomes a problem naming it.
 */
export async function addLabelFiles(current: LabelSet | null, files: readonly IncomingFile[]): Promise<LabelAddResult> {
  const problems: LabelProblem[] = [];
  const messages: string[] = [];
  const tables = files.filter((f) => TILE_LABEL_EXT.test(f.path));
  const rasterFiles = files.filter((f) => !TILE_LABEL_EXT.test(f.path));

  if (tables.length > 0 && rasterFiles.length > 0) {
    for (const f of tables) problems.push({ path: f.path, reason: 'label rasters and a tile-label file were dropped together; drop the tile-label file on its own to use it instead' });
  } else if (tables.length > 1) {
    for (const f of tables.slice(1)) problems.push({ path: f.path, reason: `only one tile-label file is used at a time (${tables[0].path} was read)` });
  }
  if (tables.length > 0 && rasterFiles.length === 0) {
    const f = tables[0];
    let entries: TileLabel[];
    try {
      entries = parseTileLabels(await f.file.text(), f.path);
    } catch (e) {
      problems.push({ path: f.path, reason: message(e).replace(`${f.path}: `, '').replace(`${f.path}:`, 'line ') });
      return { set: current, problems, messages };
    }
    if (current?.kind === 'raster') messages.push(`The ${plural(current.rasters.length, 'label raster')} were replaced by the tile labels of ${f.path}.`);
    else if (current?.kind === 'tiles') messages.push(`The tile labels of ${current.path} were replaced by those of ${f.path}.`);
    messages.push(`Read ${plural(entries.length, 'tile label')} from ${f.path}.`);
    return { set: { kind: 'tiles', path: f.path, entries }, problems, messages };
  }
  if (rasterFiles.length === 0) return { set: current, problems, messages };

  const opened = await openLabelRasters(rasterFiles.map((f) => blobSource(f.file, f.path)));
  // Problems read "path: reason" (and the reason may name the path again): the panel shows the path apart.
  const unprefixed = (text: string, path: string): string => (text.startsWith(`${path}: `) ? unprefixed(text.slice(path.length + 2), path) : text);
  for (const f of rasterFiles) {
    const p = opened.problems.find((x) => x.startsWith(`${f.path}: `));
    if (p) problems.push({ path: f.path, reason: unprefixed(p, f.path) });
  }
  const accepted: LabelRaster[] = [];
  for (const r of opened.rasters) {
    let why: string | null;
    try {
      why = await classMapProblem(r);
    } catch (e) {
      why = `its pixels could not be read (${message(e)})`;
    }
    if (why) problems.push({ path: r.name, reason: why });
    else accepted.push(r);
  }
  if (accepted.length === 0) return { set: current, problems, messages };
  if (current?.kind === 'tiles') messages.push(`The tile labels of ${current.path} were replaced by the label rasters.`);
  const kept = current?.kind === 'raster' ? current.rasters.filter((r) => !accepted.some((a) => a.name === r.name)) : [];
  const replaced = current?.kind === 'raster' ? current.rasters.length - kept.length : 0;
  messages.push(`Added ${plural(accepted.length, 'label raster')}${replaced ? ` (${replaced} replacing files of the same name)` : ''}.`);
  return { set: { kind: 'raster', rasters: [...kept, ...accepted] }, problems, messages };
}

// ---------------------------------------------------------------------------------------------------------------
// What the labels are for the probe

/** The probe's view of the labels (static or dated rasters with their nodata; or tile labels). */
export function probeLabelsOf(set: LabelSet): ProbeLabels {
  if (set.kind === 'tiles') return { kind: 'tiles', entries: set.entries };
  return { kind: 'raster', rasters: set.rasters, dated: isDatedSeries(set.rasters), ignore: new Set(), names: new Map() };
}

/** Per validation tile of `dataset`: its location id and the paths of that location's files (for tile labels keyed by file). */
export function sampleOrigins(catalog: Catalog, sampleIds: readonly string[]): SampleOrigins {
  const files = new Map<string, string[]>();
  for (const a of catalog.acquisitions) files.set(a.location, [...(files.get(a.location) ?? []), ...acquisitionPaths(a)]);
  const location = sampleIds.map((id) => id.split(':')[0]);
  return { location, files: location.map((l) => files.get(l) ?? []) };
}

/** The ids validation tiles get (src/data/dataset.ts buildSample): "loc0:x16:y0". */
export function tileIds(dataset: Dataset): string[] {
  return dataset.validationTiles().map((t) => `${t.location}:x${Math.round(t.col)}:y${Math.round(t.row)}`);
}

/** The pixel window of `fp` in the raster (clipped), or null when they do not overlap. */
function footprintWindow(r: LabelRaster, fp: Footprint): PixelWindow | null {
  const toLabel = transformer(WGS84, r.crs);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of fp) {
    const [x, y] = toLabel(c.lon, c.lat);
    const [col, row] = crsToPixel(r.transform, x, y);
    x0 = Math.min(x0, col);
    y0 = Math.min(y0, row);
    x1 = Math.max(x1, col);
    y1 = Math.max(y1, row);
  }
  const w: PixelWindow = [Math.max(0, Math.floor(x0)), Math.max(0, Math.floor(y0)), Math.min(r.width, Math.ceil(x1)), Math.min(r.height, Math.ceil(y1))];
  return w[2] > w[0] && w[3] > w[1] ? w : null;
}

const dayText = (a: { date: { year: number; doy: number; hour: number } | null; dateText?: string | null }) => (a.date ? formatDate(a.date) : (a.dateText ?? 'undated'));

function rasterInfo(r: LabelRaster, acqs: readonly Acquisition[], dated: boolean): LabelFileInfo {
  const aligned = acqs.filter((a) => (!dated || (a.date && r.date && dateKey(a.date) === dateKey(r.date))) && footprintWindow(r, a.footprint) !== null);
  return {
    path: r.name,
    kind: r.kind,
    width: r.width,
    height: r.height,
    crs: r.crs.epsg ? `EPSG:${r.crs.epsg} ${r.crs.name}` : r.crs.name,
    date: r.date ? formatDate(r.date) : null,
    nodata: r.nodata,
    alignsWith: aligned.length,
  };
}

async function summarizeRasters(rasters: readonly LabelRaster[], dataset: Dataset | null): Promise<LabelSummary> {
  const dated = isDatedSeries(rasters);
  const catalog = dataset?.catalog ?? null;
  const used = new Set(dataset?.modalities.map((m) => m.name) ?? []);
  const acqs = catalog ? catalog.acquisitions.filter((a) => used.has(a.modality)) : [];
  const files = rasters.map((r) => rasterInfo(r, acqs, dated));
  const counts = new Map<number, number>();
  const facts: string[] = [];
  const warnings: string[] = [];
  const fmask = rasters.every((r) => r.kind === 'fmask');

  // Class counts: inside the loaded locations when there are any, else over each raster itself.
  const locations = catalog?.locations ?? [];
  let region: 'locations' | 'rasters' = locations.length ? 'locations' : 'rasters';
  if (region === 'locations' && !rasters.some((r) => locations.some((l) => footprintWindow(r, l.footprint)))) region = 'rasters';
  for (const r of rasters) {
    const windows = region === 'locations' ? locations.map((l) => footprintWindow(r, l.footprint)).filter((w): w is PixelWindow => w !== null) : [ownWindow(r)];
    for (const w of windows) countValues((await r.file.readWindow(w, { bands: [r.band] })).bands[0], r.nodata, counts);
  }
  const values = [...counts.keys()].sort((a, b) => a - b);
  const names = classNamesFor(values, fmask);
  const classes: LabelClass[] = values.map((v, i) => ({ value: String(v), name: names[i], count: counts.get(v)! }));
  const labelled = classes.reduce((a, c) => a + c.count, 0);

  const n = rasters.length;
  facts.push(
    `${plural(n, 'label raster')}${fmask ? `, recognised as Landsat Fmask cloud mask${n === 1 ? '' : 's'}` : ' of class ids'}: ` +
      (dated ? 'one per acquisition date, so each image date is labelled by the raster of the same day.' : n === 1 ? 'one map used for every date.' : 'used together as one map for every date (not a dated series).'),
  );
  const nodata = [...new Set(rasters.map((r) => r.nodata).filter((v): v is number => v !== null))];
  facts.push(
    `${fmt(labelled)} labelled pixels in ${plural(classes.length, 'class', 'classes')} ${region === 'locations' ? 'inside the loaded images' : rasters.some((r) => r.width * r.height > WHOLE_READ_PIXELS) ? 'in the rasters (a centred excerpt of the large ones)' : 'in the rasters'}` +
      `${nodata.length ? `; nodata (${nodata.join(', ')}) is not a class` : ''}.`,
  );
  if (!catalog || acqs.length === 0) {
    warnings.push('No images are loaded yet: the alignment with the images is checked once data is loaded in the Data section.');
  } else {
    const labelledAcqs = acqs.filter((a) => rasters.some((r) => (!dated || (a.date && r.date && dateKey(a.date) === dateKey(r.date))) && footprintWindow(r, a.footprint)));
    const mods = [...new Set(acqs.map((a) => a.modality))].join(', ');
    facts.push(`Aligned with ${labelledAcqs.length} of ${plural(acqs.length, 'loaded acquisition')} (${mods}) by footprint${dated ? ' and date' : ''}.`);
    const lonely = files.filter((f) => f.alignsWith === 0);
    if (lonely.length) warnings.push(`${plural(lonely.length, 'label raster')} label${lonely.length === 1 ? 's' : ''} none of the loaded images${dated ? ' (no image of the same day and place)' : ' (no overlap)'}: ${lonely.slice(0, 3).map((f) => f.path).join(', ')}${lonely.length > 3 ? ', …' : ''}.`);
    if (dated) {
      const missing = [...new Set(acqs.filter((a) => !labelledAcqs.includes(a)).map((a) => dayText(a)))];
      if (missing.length) warnings.push(`${plural(missing.length, 'image date')} ${missing.length === 1 ? 'has' : 'have'} no label raster of the same day (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); ${missing.length === 1 ? 'it is' : 'they are'} left out of the probe.`);
    }
    // An Fmask loaded as data too masks its cloudy pixels as invalid input: fully cloudy patches leave the probe.
    const base = (p: string) => p.split('/').pop() ?? p;
    const asMask = new Set(catalog.acquisitions.flatMap((a) => (a.mask ? [base(a.mask.path)] : [])));
    const both = rasters.filter((r) => asMask.has(base(r.name)));
    if (both.length) warnings.push(`${plural(both.length, 'label file')} ${both.length === 1 ? 'is' : 'are'} also loaded in the Data section as a cloud mask (${base(both[0].name)}${both.length > 1 ? ', …' : ''}): the pixels it masks are invalid input, so fully masked patches cannot be probed. Remove the mask files from the Data section to probe those classes too.`);
  }
  if (classes.length === 1) warnings.push(`Only one class (${classes[0].name}) occurs${region === 'locations' ? ' inside the loaded images' : ''}: a probe needs at least two.`);
  if (classes.length === 0 && region === 'locations') warnings.push('No label pixel falls inside the loaded images.');
  return { kind: 'raster', files, dated, multiLabel: false, classes, countUnit: 'pixels', labelled, facts, warnings };
}

function summarizeTiles(path: string, entries: readonly TileLabel[], dataset: Dataset | null): LabelSummary {
  const multiLabel = entries.some((e) => e.labels.length > 1);
  const facts: string[] = [];
  const warnings: string[] = [];
  const counts = new Map<string, number>();
  let labelled = 0;
  facts.push(`Tile labels from ${path}: ${plural(entries.length, 'entry', 'entries')}${multiLabel ? ', several labels on some tiles (multi-label: scored with weighted F1)' : ', one label per tile'}.`);
  if (dataset && dataset.tileCount > 0) {
    const ids = tileIds(dataset);
    const origins = sampleOrigins(dataset.catalog, ids);
    const hits = new Set<string>();
    ids.forEach((id, i) => {
      const labels = matchTileLabel(entries, { id, location: origins.location[i], files: origins.files[i] });
      if (!labels) return;
      labelled++;
      for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      const entry = entries.find((e) => e.labels === labels);
      if (entry) hits.add(entry.key);
    });
    facts.push(`${labelled} of ${plural(ids.length, 'validation tile')} of the loaded data ${labelled === 1 ? 'is' : 'are'} labelled.`);
    const unused = entries.filter((e) => !hits.has(e.key));
    if (unused.length) warnings.push(`${plural(unused.length, 'key')} name${unused.length === 1 ? 's' : ''} no validation tile, location or loaded file: ${unused.slice(0, 3).map((e) => `"${e.key}"`).join(', ')}${unused.length > 3 ? ', …' : ''}. Keys are tile ids (${ids[0]}), location ids (${ids[0].split(':')[0]}) or file names.`);
    if (labelled === 0) warnings.push('No validation tile is labelled, so there is nothing to probe.');
  } else {
    for (const e of entries) for (const l of e.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    labelled = entries.length;
    warnings.push('No images are loaded yet: which tiles the keys name is checked once data is loaded in the Data section.');
  }
  const classes: LabelClass[] = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true })).map(([v, c]) => ({ value: v, name: v, count: c }));
  if (classes.length === 1) warnings.push(`Every labelled tile has the same label ("${classes[0].name}"): a probe needs at least two.`);
  const info: LabelFileInfo = { path, kind: 'tiles', width: null, height: null, crs: null, date: null, nodata: null, alignsWith: labelled };
  return { kind: 'tiles', files: [info], dated: false, multiLabel, classes, countUnit: 'tiles', labelled, facts, warnings };
}

/** What the labels are against the loaded data (see the header); `dataset` null when nothing usable is loaded. */
export async function summarizeLabels(set: LabelSet, dataset: Dataset | null): Promise<LabelSummary> {
  return set.kind === 'tiles' ? summarizeTiles(set.path, set.entries, dataset) : summarizeRasters(set.rasters, dataset);
}
