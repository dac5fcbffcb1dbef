/**
 * Data and model-configuration requests, handled in the studio worker, and the getters the Train and Inspect
 * handlers use: `currentDataset(state)` and `currentConfig(state)`.
 *
 * The worker keeps every loaded file (its Blob handle, its inspect record — possibly corrected — and the opened
 * RasterFile), the Dataset built from all of them, and the model configuration reconciled with that dataset.
 * Requests that change the data run one at a time (a queue), so a correction never interleaves with an inspection;
 * previews and cancellation bypass the queue. After every change the Dataset is rebuilt from all records: adding
 * files never drops loaded ones, a file that fails is reported on its own row and skipped, and a failed rebuild keeps
 * the files and reports why. The dataset and its configuration are replaced together, so the getters always see a
 * matching pair.
 * Invariants: replies are plain data (DataUpdate/ConfigReport/PreviewReply); progress events are throttled to 10 per
 * second plus the final one, and a null progress event always follows the end of a long operation.
 * Reference: src/train/protocol/data.ts; src/data/{inspect,dataset,record}.ts; src/train/datasetConfig.ts.
 */
import type { Pool } from 'geotiff';
import { buildCatalog, type Catalog } from '../../data/catalog';
import { Dataset, type DatasetConfig } from '../../data/dataset';
import { mapLimit, openAndInspect } from '../../data/inspect';
import { defaultPoolSize, startDecodePool } from '../../data/pool';
import { DecodeCache, type RasterFile } from '../../data/raster';
import { applyCorrection, type FileRecord, type InspectRecord } from '../../data/record';
import { blobSource } from '../../data/source';
import { ProgressMeter } from '../../lib/progress';
import { PRESETS, type MaeConfig, type PresetName } from '../../model/config';
import { estimateModel } from '../../model/estimate';
import type {
  ConfigReport,
  DataOptions,
  DataOrigin,
  DataProgress,
  DataReplies,
  DataRequest,
  DataUpdate,
  IncomingFile,
} from '../protocol/data';
import type { WorkerState } from './context';
import { allProblems, applyPreset, datasetProblems, defaultConfig, normaliseConfig, parseImportedConfig, reconcileConfig } from './dataConfig';
import { generateDemoFiles } from './dataDemo';
import { checkFit } from './dataFit';
import { renderPreview } from './dataPreview';
import { buildSummary, measureMasks } from './dataSummary';

interface Entry {
  path: string;
  blob: Blob;
  origin: DataOrigin;
  record: InspectRecord;
  raster: RasterFile | null;
}

interface DataState {
  entries: Map<string, Entry>;
  options: DataOptions;
  dataset: Dataset | null;
  catalog: Catalog | null;
  buildError: string | null;
  /** The configuration; kept when data is cleared so the user's choices survive as the template for new data. */
  config: MaeConfig | null;
  configNotes: string[];
  /** Problems that prevented building any configuration (e.g. a dataset too small to mask). */
  configBuildProblems: string[];
  batchSize: number;
  cache: DecodeCache;
  /**
   * The geotiff decoder Pool of every read (inspection, samples, previews): started at the first read and kept for the
   * worker's life (undefined: not started yet; resolves to null when decoding stays on this worker's thread).
   */
  pool?: Promise<Pool | null>;
  /** Decoder worker threads once the pool has started (0: decoding on this worker's thread); null before. */
  decoderWorkers: number | null;
  masks: Map<string, number | null>;
  queue: Promise<void>;
  abort: AbortController | null;
}

const DEFAULT_OPTIONS: DataOptions = { modalities: null, numDates: {}, sampleMeters: null };
/** Files inspected at once: their reads overlap, and their compressed blocks keep the decoder Pool busy. */
const INSPECT_CONCURRENCY = 4;

function dataOf(state: WorkerState): DataState {
  if (!state.data) {
    const d: DataState = {
      entries: new Map(),
      options: structuredClone(DEFAULT_OPTIONS),
      dataset: null,
      catalog: null,
      buildError: null,
      config: null,
      configNotes: [],
      configBuildProblems: [],
      batchSize: 8,
      cache: new DecodeCache(),
      decoderWorkers: null,
      masks: new Map(),
      queue: Promise.resolve(),
      abort: null,
    };
    state.data = d;
  }
  return state.data as DataState;
}

/** The data's decoder Pool: every core but one (src/data/pool.ts), or null where this worker cannot start workers. */
function decodePoolOf(d: DataState): Promise<Pool | null> {
  if (!d.pool) {
    const size = defaultPoolSize();
    d.pool = startDecodePool(size).then((pool) => {
      d.decoderWorkers = pool ? size : 0;
      return pool;
    });
  }
  return d.pool;
}

/** Runs data-changing work one request at a time. */
function serial<T>(d: DataState, fn: () => Promise<T>): Promise<T> {
  const run = d.queue.then(fn, fn);
  d.queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

function isReady(ds: Dataset | null): ds is Dataset {
  return ds !== null && ds.modalities.length > 0 && ds.locationIds.length > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The getters shared with the Train and Inspect handlers

/** The Dataset built from every loaded file; throws a plain-language error when there is nothing to train on. */
export function currentDataset(state: WorkerState): Dataset {
  const d = state.data as DataState | null;
  if (!d || d.entries.size === 0) throw new Error('No data is loaded: add GeoTIFF files in the Data section, or load the demo dataset.');
  const ds: Dataset | null = d.dataset;
  if (!isReady(ds)) {
    const why = d.buildError ?? ((d.dataset as Dataset | null)?.warnings.join('; ') || 'none of the loaded files can be used');
    throw new Error(`The loaded files give nothing to train on (${why}). Check the Data section.`);
  }
  return ds;
}

/** The model configuration matching currentDataset; throws a plain-language error naming its problems. */
export function currentConfig(state: WorkerState): MaeConfig {
  const ds = currentDataset(state);
  const d = state.data as DataState;
  if (!d.config) throw new Error(`No model configuration could be built for this dataset: ${d.configBuildProblems.join('; ') || 'unknown reason'}.`);
  const problems = allProblems(d.config, ds.modalities);
  if (problems.length) throw new Error(`The model configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix ${problems.length === 1 ? 'it' : 'them'} in the Model section: ${problems.join('; ')}`);
  return d.config;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

function progress(state: WorkerState, phase: DataProgress['phase'], label: string, total: number, cancellable: boolean) {
  const meter = new ProgressMeter(total, 4);
  let last = 0;
  const post = (done: number, current: string | null, force = false) => {
    const now = performance.now();
    if (!force && now - last < 100) return;
    last = now;
    const snap = meter.snapshot(done);
    state.post({ kind: 'data.progress', progress: { phase, label, done, total, etaSeconds: snap.etaSeconds, current, cancellable } });
  };
  post(0, null, true);
  return {
    tick(done: number, current: string | null) {
      meter.tick(done);
      post(done, current, done === total);
    },
  };
}

function endProgress(state: WorkerState): void {
  state.post({ kind: 'data.progress', progress: null });
}

// ---------------------------------------------------------------------------------------------------------------
// Loading, correcting, removing

function cleanPath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\/+/, '').replace(/\/{2,}/g, '/');
}

/** A path not yet loaded: same-named files from different drops go under "upload-2/", "upload-3/" … */
function freePath(d: DataState, path: string, taken: Set<string>): string {
  if (!d.entries.has(path) && !taken.has(path)) return path;
  for (let k = 2; ; k++) {
    const p = `upload-${k}/${path}`;
    if (!d.entries.has(p) && !taken.has(p)) return p;
  }
}

async function addFilesNow(state: WorkerState, incoming: readonly IncomingFile[], origin: DataOrigin, messages: string[]): Promise<void> {
  const d = dataOf(state);
  const fresh: { path: string; blob: Blob }[] = [];
  const taken = new Set<string>();
  /** This batch's files by the path they were given (to spot the same file dropped twice at once). */
  const asGiven = new Map<string, Blob>();
  let duplicates = 0;
  for (const f of incoming) {
    const path = cleanPath(f.path || (f.file as File).name || 'file');
    // Same path and size as a loaded file: the same file dropped again (a different file gets its own path).
    const prior = d.entries.get(path)?.blob ?? asGiven.get(path);
    if (prior && prior.size === f.file.size) {
      duplicates++;
      continue;
    }
    asGiven.set(path, f.file);
    const p = freePath(d, path, taken);
    taken.add(p);
    fresh.push({ path: p, blob: f.file });
  }
  if (duplicates) messages.push(`${duplicates} file${duplicates === 1 ? ' was' : 's were'} already loaded and ${duplicates === 1 ? 'was' : 'were'} skipped.`);
  if (fresh.length === 0) return;
  const abort = new AbortController();
  d.abort = abort;
  const bar = progress(state, 'inspect', `Inspecting ${fresh.length} file${fresh.length === 1 ? '' : 's'}`, fresh.length, true);
  let done = 0;
  try {
    const results = await mapLimit(fresh, INSPECT_CONCURRENCY, async (f) => {
      if (abort.signal.aborted) return null;
      try {
        // The dataset's decode cache: a small file inspected here is not decoded again when samples are built.
        const r = await openAndInspect(blobSource(f.blob, f.path), { signal: abort.signal, cache: d.cache, pool: await decodePoolOf(d) });
        return { ...f, ...r };
      } catch (e) {
        if (abort.signal.aborted) return null;
        throw e;
      } finally {
        bar.tick(++done, f.path);
      }
    });
    let skipped = 0;
    for (const r of results) {
      if (!r) {
        skipped++;
        continue;
      }
      d.entries.set(r.path, { path: r.path, blob: r.blob, origin, record: r.record, raster: r.file });
    }
    if (skipped) messages.push(`Inspection cancelled: ${skipped} file${skipped === 1 ? ' was' : 's were'} not added.`);
    const failed = results.filter((r) => r && !r.record.ok).length;
    if (failed) messages.push(`${failed} file${failed === 1 ? '' : 's'} could not be used; ${failed === 1 ? 'its row says' : 'their rows say'} why.`);
  } finally {
    if (d.abort === abort) d.abort = null;
  }
}

/**
 * In the studio, a modality the user has not configured gets at most STUDIO_MAX_DATES dates and samples are
 * STUDIO_SAMPLE_PIXELS pixels of the coarsest modality: a first run must take seconds per step even on a software
 * adapter (the demo's 12 Sentinel-2 dates at 32 px made a tiny-preset step take minutes on SwiftShader). The Model
 * section raises both; the CLI keeps the data pipeline's defaults (16 dates, 32 px).
 */
export const STUDIO_MAX_DATES = 4;
export const STUDIO_SAMPLE_PIXELS = 16;

/** Modalities and dates options restricted to what the catalog has (a removed modality must not block the dataset). */
function effectiveOptions(options: DataOptions, catalog: Catalog): DatasetConfig {
  const names = new Set(catalog.locations.flatMap((l) => Object.keys(l.modalities)));
  const mods = options.modalities?.filter((m) => names.has(m)) ?? [];
  const numDates = Object.fromEntries(Object.entries(options.numDates).filter(([m, t]) => names.has(m) && Number.isInteger(t) && t >= 1));
  return {
    modalities: mods.length ? mods : undefined,
    numDates,
    maxDates: STUDIO_MAX_DATES,
    samplePixels: STUDIO_SAMPLE_PIXELS,
    sampleMeters: options.sampleMeters !== null && options.sampleMeters > 0 ? options.sampleMeters : undefined,
  };
}

/** Rebuilds the Dataset from every record and reconciles the configuration; swaps both in together. */
async function rebuild(state: WorkerState): Promise<void> {
  const d = dataOf(state);
  const entries = [...d.entries.values()];
  if (entries.length === 0) {
    d.dataset = null;
    d.catalog = null;
    d.buildError = null;
    d.configNotes = [];
    d.configBuildProblems = [];
    return;
  }
  const records: InspectRecord[] = entries.map((e) => e.record);
  const files = new Map<string, RasterFile>();
  const recordMap = new Map<string, FileRecord>();
  for (const e of entries) {
    if (e.raster && e.record.ok) {
      files.set(e.path, e.raster);
      recordMap.set(e.path, e.record);
    }
  }
  const bar = progress(state, 'dataset', 'Building the dataset', 1, false);
  let dataset: Dataset | null = null;
  let catalog: Catalog;
  let buildError: string | null = null;
  try {
    const probe = buildCatalog(records);
    dataset = await Dataset.fromRecords(records, files, effectiveOptions(d.options, probe), { cache: d.cache, pool: await decodePoolOf(d) });
    catalog = dataset.catalog;
  } catch (e) {
    buildError = e instanceof Error ? e.message : String(e);
    catalog = buildCatalog(records);
  }
  await measureMasks(catalog, files, recordMap, d.masks);
  const mods = isReady(dataset) ? dataset.modalities : [];
  const rec = reconcileConfig(d.config, mods);
  bar.tick(1, null);
  d.dataset = dataset;
  d.catalog = catalog;
  d.buildError = buildError;
  if (rec.config) d.config = rec.config;
  d.configNotes = rec.notes;
  d.configBuildProblems = rec.config ? [] : rec.problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Replies

async function configReport(state: WorkerState, notes: string[] = []): Promise<ConfigReport> {
  const d = dataOf(state);
  const ds = d.dataset;
  const presets = structuredClone(PRESETS) as ConfigReport['presets'];
  if (!isReady(ds) || !d.config) return { config: null, problems: d.configBuildProblems, estimate: null, fit: null, notes: [...d.configNotes, ...notes], presets };
  const problems = allProblems(d.config, ds.modalities);
  const estimate = problems.length === 0 ? estimateModel(d.config, d.batchSize) : null;
  let fit: ConfigReport['fit'] = null;
  const extra: string[] = [];
  if (estimate) {
    try {
      const ctx = await state.device();
      fit = checkFit(d.config, estimate, d.batchSize, ctx.report);
    } catch (e) {
      extra.push(`The fit on this GPU cannot be checked: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { config: structuredClone(d.config), problems, estimate, fit, notes: [...d.configNotes, ...notes, ...extra], presets };
}

async function update(state: WorkerState, messages: string[]): Promise<DataUpdate> {
  const d = dataOf(state);
  const entries = [...d.entries.values()].map((e) => ({ record: e.record, origin: e.origin }));
  return { summary: buildSummary(entries, d.catalog, d.dataset, d.buildError, d.options, d.masks, d.decoderWorkers), model: await configReport(state), messages };
}

// ---------------------------------------------------------------------------------------------------------------
// Request handlers

async function loadDemo(state: WorkerState, onlyIfEmpty: boolean): Promise<DataReplies['data.loadDemo']> {
  const d = dataOf(state);
  if (onlyIfEmpty && d.entries.size > 0) return { ...(await update(state, [])), skipped: true };
  const abort = new AbortController();
  d.abort = abort;
  const messages: string[] = [];
  try {
    let bar: ReturnType<typeof progress> | null = null;
    const files = await generateDemoFiles((done, total, name) => {
      bar ??= progress(state, 'demo', 'Generating the demo dataset', total, false);
      bar.tick(done, name);
    }, abort.signal);
    if (d.abort === abort) d.abort = null;
    await addFilesNow(
      state,
      files.map((f) => ({ file: new Blob([f.bytes], { type: 'image/tiff' }), path: `demo/${f.name}` })),
      'demo',
      messages,
    );
    await rebuild(state);
  } finally {
    if (d.abort === abort) d.abort = null;
    endProgress(state);
  }
  return { ...(await update(state, messages)), skipped: false };
}

async function setConfig(state: WorkerState, draft: MaeConfig, preset: PresetName | undefined, batchSize: number): Promise<ConfigReport> {
  const d = dataOf(state);
  if (Number.isInteger(batchSize) && batchSize >= 1) d.batchSize = batchSize;
  const mods = isReady(d.dataset) ? d.dataset.modalities : [];
  let c: MaeConfig = draft;
  const notes: string[] = [];
  try {
    // A draft made before the latest data change (its modalities differ) is carried over to the new dataset.
    if (mods.length && datasetProblems(c, mods).length) {
      const rec = reconcileConfig(c, mods);
      if (rec.config) c = rec.config;
    }
    if (preset) {
      const r = applyPreset(c, preset, mods);
      c = r.config;
      notes.push(...r.notes);
    } else c = normaliseConfig(c);
  } catch {
    // A malformed draft is kept as sent: configProblems names what is wrong with it.
  }
  d.config = c;
  d.configNotes = [];
  return configReport(state, notes);
}

async function importConfig(state: WorkerState, text: string, batchSize: number): Promise<DataUpdate> {
  const d = dataOf(state);
  const parsed = parseImportedConfig(text);
  if (!parsed.config) throw new Error(`The configuration was not imported: ${parsed.problems.join('; ')}`);
  if (Number.isInteger(batchSize) && batchSize >= 1) d.batchSize = batchSize;
  const imported = parsed.config;
  const messages: string[] = [];
  const names = new Set(d.catalog?.locations.flatMap((l) => Object.keys(l.modalities)) ?? []);
  const known = imported.modalities.filter((m) => names.has(m.name));
  const unknown = imported.modalities.filter((m) => !names.has(m.name)).map((m) => m.name);
  if (unknown.length) messages.push(`Not in the loaded data, ignored: ${unknown.join(', ')}.`);
  if (known.length) {
    d.options = {
      modalities: known.map((m) => m.name),
      numDates: Object.fromEntries(known.map((m) => [m.name, m.dates])),
      sampleMeters: known[0].imageSize * known[0].gsd,
    };
  }
  d.config = imported;
  try {
    await rebuild(state);
  } finally {
    endProgress(state);
  }
  if (d.entries.size === 0) messages.push('No data is loaded yet: the settings apply as soon as files are added.');
  messages.unshift(`Imported the configuration (${imported.preset} preset, ${imported.modalities.length} modalit${imported.modalities.length === 1 ? 'y' : 'ies'}).`);
  return update(state, messages);
}

export async function handleDataRequest(state: WorkerState, req: DataRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  const d = dataOf(state);
  switch (req.kind) {
    case 'data.addFiles':
      return {
        value: await serial(d, async () => {
          const messages: string[] = [];
          try {
            await addFilesNow(state, req.files, 'user', messages);
            await rebuild(state);
          } finally {
            endProgress(state);
          }
          return update(state, messages);
        }),
      };
    case 'data.removeFile':
      return {
        value: await serial(d, async () => {
          const e = d.entries.get(req.path);
          if (!e) throw new Error(`${req.path} is not loaded`);
          d.entries.delete(req.path);
          d.masks.delete(req.path);
          try {
            await rebuild(state);
          } finally {
            endProgress(state);
          }
          return update(state, [`Removed ${req.path}.`]);
        }),
      };
    case 'data.removeDemo':
      return {
        value: await serial(d, async () => {
          const demo = [...d.entries.values()].filter((e) => e.origin === 'demo');
          for (const e of demo) {
            d.entries.delete(e.path);
            d.masks.delete(e.path);
          }
          try {
            await rebuild(state);
          } finally {
            endProgress(state);
          }
          return update(state, [`Removed the ${demo.length} demo file${demo.length === 1 ? '' : 's'}.`]);
        }),
      };
    case 'data.clear':
      return {
        value: await serial(d, async () => {
          const n = d.entries.size;
          d.entries.clear();
          d.masks.clear();
          d.cache.clear();
          d.options = structuredClone(DEFAULT_OPTIONS);
          await rebuild(state);
          return update(state, [`Removed all ${n} file${n === 1 ? '' : 's'}.`]);
        }),
      };
    case 'data.cancel': {
      const running = d.abort !== null;
      d.abort?.abort();
      return { value: running };
    }
    case 'data.correct':
      return {
        value: await serial(d, async () => {
          const e = d.entries.get(req.path);
          if (!e) throw new Error(`${req.path} is not loaded`);
          if (!e.record.ok) throw new Error(`${req.path} could not be read, so there is nothing to correct`);
          e.record = applyCorrection(e.record, req.correction);
          try {
            await rebuild(state);
          } finally {
            endProgress(state);
          }
          return update(state, []);
        }),
      };
    case 'data.loadDemo':
      return { value: await serial(d, () => loadDemo(state, req.onlyIfEmpty)) };
    case 'data.preview': {
      const acq = d.catalog?.acquisitions.find((a) => a.id === req.acquisition);
      if (!acq) throw new Error(`no acquisition "${req.acquisition}" is loaded`);
      const files = new Map<string, RasterFile>();
      const records = new Map<string, FileRecord>();
      for (const e of d.entries.values()) {
        if (e.raster && e.record.ok) {
          files.set(e.path, e.raster);
          records.set(e.path, e.record);
        }
      }
      const { reply, transfer } = await renderPreview(acq, files, records, req.tiles, req.maxSize, await decodePoolOf(d));
      return { value: reply, transfer };
    }
    case 'data.setOptions':
      return {
        value: await serial(d, async () => {
          d.options = structuredClone(req.options);
          try {
            await rebuild(state);
          } finally {
            endProgress(state);
          }
          return update(state, []);
        }),
      };
    case 'data.setConfig':
      return { value: await serial(d, () => setConfig(state, req.config, req.preset, req.batchSize)) };
    case 'data.resetConfig':
      return {
        value: await serial(d, async () => {
          if (Number.isInteger(req.batchSize) && req.batchSize >= 1) d.batchSize = req.batchSize;
          const mods = isReady(d.dataset) ? d.dataset.modalities : [];
          if (mods.length === 0) throw new Error('Load data first: the model settings are derived from the dataset.');
          const preset = d.config && d.config.preset !== 'custom' ? d.config.preset : 'tiny';
          const r = defaultConfig(preset, mods);
          if (r.config) d.config = r.config;
          d.configBuildProblems = r.problems;
          d.configNotes = [];
          return configReport(state, ['Model settings reset to the defaults for this dataset.']);
        }),
      };
    case 'data.importConfig':
      return { value: await serial(d, () => importConfig(state, req.text, req.batchSize)) };
    default:
      throw new Error(`unknown request ${(req as { kind: string }).kind}`);
  }
}
