/**
 * Opening image data for a trained model: the files are inspected once, then read through Datasets configured to
 * produce exactly the samples the model was built for (same modalities, bands, dates per sample and ground size), as
 * validation tiles (fixed non-overlapping windows, no flips, MAESTRO's evaluation date rule).
 *
 * "All dates": a model takes T dates per sample, while a series may hold many more (105 for the Landsat test
 * series); the evaluation binning then keeps one date per bin. With `allDates`, the first modality's acquisitions are
 * cut into consecutive chunks of T dates, and each chunk is read as its own dataset, so every acquisition is embedded
 * exactly once (the last chunk may be short: its missing dates are padding frames without valid pixels, which probes
 * skip). Other modalities are binned as usual in every chunk.
 * Invariants: one inspection per file whatever the number of chunks (Dataset.fromRecords); sample ids name the window
 * ("loc0:x16:y0") and agree across chunks, which is what splits by tile rely on; each sample knows the files of its
 * location over the WHOLE series (for per-tile labels keyed by file).
 * Reference: src/data/dataset.ts, docs/readme-data.md.
 */
import { acquisitionPaths, buildCatalog, type Catalog } from '../data/catalog';
import { Dataset, type DatasetConfig } from '../data/dataset';
import { compareDates } from '../data/dates';
import { mapLimit, openAndInspect } from '../data/inspect';
import type { Pool } from 'geotiff';
import { DecodeCache, type RasterFile } from '../data/raster';
import type { InspectRecord } from '../data/record';
import type { Sample } from '../data/sample';
import type { ByteSource } from '../data/source';
import { assert } from '../lib/assert';
import type { MaeConfig } from '../model/config';

export interface InspectedData {
  records: InspectRecord[];
  files: Map<string, RasterFile>;
  catalog: Catalog;
  cache: DecodeCache;
  /** The geotiff decoder Pool every read of these files uses (null: decoded on the calling thread). */
  pool: Pool | null;
  /** Files that could not be used, with the reason. */
  problems: string[];
}

/**
 * Inspects every source once (4 at a time), decoding with `pool` (null: on the calling thread). Small files decoded
 * whole for inspection stay in the returned cache for the datasets built on it.
 */
export async function inspectSources(sources: readonly ByteSource[], pool: Pool | null = null): Promise<InspectedData> {
  const cache = new DecodeCache();
  const opened = await mapLimit(sources, 4, (s) => openAndInspect(s, { cache, pool }));
  const files = new Map<string, RasterFile>();
  const problems: string[] = [];
  for (const o of opened) {
    if (o.file && o.record.ok) files.set(o.record.path, o.file);
    else if (!o.record.ok) problems.push(`${o.record.path}: ${o.record.error}`);
  }
  const records = opened.map((o) => o.record);
  return { records, files, catalog: buildCatalog(records), cache, pool, problems };
}

/** The dataset settings that reproduce the model's sample shapes: modalities, bands, dates, ground size. */
export function datasetConfigFor(config: MaeConfig, seed: number): DatasetConfig {
  const m0 = config.modalities[0];
  return {
    modalities: config.modalities.map((m) => m.name),
    bands: Object.fromEntries(config.modalities.map((m) => [m.name, [...m.bands]])),
    numDates: Object.fromEntries(config.modalities.map((m) => [m.name, m.dates])),
    sampleMeters: m0.imageSize * m0.gsd,
    seed,
  };
}

/** Throws a clear message when a dataset does not give the samples `config` expects. */
export function assertMatchesConfig(ds: Dataset, config: MaeConfig): void {
  const problems: string[] = [...ds.warnings.filter((w) => /no usable modality|no location has/.test(w))];
  for (const m of config.modalities) {
    const d = ds.modalities.find((x) => x.name === m.name);
    if (!d) {
      problems.push(`the data has no modality "${m.name}" (found: ${ds.modalities.map((x) => x.name).join(', ') || 'none'})`);
      continue;
    }
    if (d.size !== m.imageSize) problems.push(`"${m.name}" samples are ${d.size} px, the model needs ${m.imageSize} px`);
    if (d.T !== m.dates) problems.push(`"${m.name}" samples have ${d.T} dates, the model needs ${m.dates}`);
    if (d.bands.join(',') !== m.bands.join(',')) problems.push(`"${m.name}" bands are [${d.bands.join(', ')}], the model needs [${m.bands.join(', ')}]`);
  }
  assert(problems.length === 0, () => `the data does not fit the model: ${problems.join('; ')}`);
}

/** A dataset over all inspected files with the model's sample shapes (pre-training and plain evaluation). */
export async function datasetFor(data: InspectedData, config: MaeConfig, seed: number): Promise<Dataset> {
  const ds = await Dataset.fromRecords(data.records, data.files, datasetConfigFor(config, seed), { cache: data.cache, pool: data.pool });
  assertMatchesConfig(ds, config);
  return ds;
}

export interface EvalSamples {
  samples: Sample[];
  /** Per sample: its chunk (0 without allDates), location id and the location's files over the whole series. */
  chunk: number[];
  location: string[];
  files: string[][];
  /** Number of datasets read (date chunks). */
  chunks: number;
  warnings: string[];
}

/** Validation tiles of every chunk (see the header). */
export async function evaluationSamples(data: InspectedData, config: MaeConfig, opts: { allDates: boolean; seed: number; maxSamples?: number }): Promise<EvalSamples> {
  const m0 = config.modalities[0];
  const full = data.catalog;
  // Files of each full-series location: per-tile labels keyed by any file apply to every chunk.
  const locationFiles = new Map<string, string[]>();
  for (const a of full.acquisitions) {
    const list = locationFiles.get(a.location) ?? [];
    list.push(...acquisitionPaths(a));
    locationFiles.set(a.location, list);
  }
  const fullLocationOf = new Map<string, string>();
  for (const [loc, paths] of locationFiles) for (const p of paths) fullLocationOf.set(p, loc);

  let subsets: InspectRecord[][] = [data.records];
  if (opts.allDates) {
    const acqs = full.acquisitions.filter((a) => a.modality === m0.name && a.date);
    const keys = [...new Map(acqs.map((a) => [a.dateText ?? '', a.date!])).entries()].sort((a, b) => compareDates(a[1], b[1])).map(([k]) => k);
    if (keys.length > m0.dates) {
      subsets = [];
      for (let c = 0; c < keys.length; c += m0.dates) {
        const inChunk = new Set(keys.slice(c, c + m0.dates));
        const excluded = new Set(acqs.filter((a) => !inChunk.has(a.dateText ?? '')).flatMap(acquisitionPaths));
        subsets.push(data.records.filter((r) => !excluded.has(r.path)));
      }
    }
  }
  const out: EvalSamples = { samples: [], chunk: [], location: [], files: [], chunks: subsets.length, warnings: [] };
  for (const [c, records] of subsets.entries()) {
    const ds = await Dataset.fromRecords(records, data.files, datasetConfigFor(config, opts.seed), { cache: data.cache, pool: data.pool });
    assertMatchesConfig(ds, config);
    if (c === 0) out.warnings.push(...ds.warnings);
    const chunkLocationFiles = new Map<string, string[]>();
    for (const a of ds.catalog.acquisitions) chunkLocationFiles.set(a.location, [...(chunkLocationFiles.get(a.location) ?? []), ...acquisitionPaths(a)]);
    for (let i = 0; i < ds.tileCount; i++) {
      if (opts.maxSamples !== undefined && out.samples.length >= opts.maxSamples) break;
      const sample = await ds.tile(i);
      const loc = sample.id.split(':')[0];
      const anyFile = chunkLocationFiles.get(loc)?.[0];
      const fullLoc = (anyFile && fullLocationOf.get(anyFile)) ?? loc;
      out.samples.push(sample);
      out.chunk.push(c);
      out.location.push(fullLoc);
      out.files.push(locationFiles.get(fullLoc) ?? chunkLocationFiles.get(loc) ?? []);
    }
  }
  assert(out.samples.length > 0, () => `no evaluation tile could be read (${out.warnings.join('; ') || 'no usable location'})`);
  return out;
}
