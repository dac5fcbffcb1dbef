/**
 * Node-side inputs of the probe tools (the embed/probe/experiment CLIs and the real-data tests): reading a checkpoint
 * directory, resolving label paths into label rasters or a tile-label file, and opening the image files with the
 * label files left out (a folder such as the Landsat series holds both: its Fmask files are labels, not bands).
 * Node only (node:fs); never imported by code that runs in the browser.
 *
 * Label paths: one .csv/.json/.tsv/.txt file = tile labels; otherwise GeoTIFF label rasters — files named explicitly
 * are always labels, files found inside folders only when their base name matches `match` (default: Fmask, SCL,
 * label, class, mask, gt, landcover names).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'geotiff';
import { collectFiles, fileSources } from '../cli/files';
import { loadCheckpoint, type LoadedCheckpoint } from '../export/checkpoint';
import { inspectSources, type InspectedData } from './data';
import { isDatedSeries, openLabelRasters, parseTileLabels } from './labels';
import type { ProbeLabels } from './run';

/** state.json + model.safetensors of a training run (src/train/checkpoint.ts layout). */
export async function readCheckpointDir(dir: string): Promise<LoadedCheckpoint> {
  let state: string;
  let model: Buffer;
  try {
    [state, model] = await Promise.all([readFile(path.join(dir, 'state.json'), 'utf8'), readFile(path.join(dir, 'model.safetensors'))]);
  } catch (e) {
    throw new Error(`cannot read the checkpoint in ${dir}: ${e instanceof Error ? e.message : String(e)} (expected state.json and model.safetensors)`, { cause: e });
  }
  return loadCheckpoint(state, new Uint8Array(model.buffer, model.byteOffset, model.byteLength));
}

export const DEFAULT_LABEL_MATCH = '(^|[_.-])(fmask|scl|labels?|class(es)?|mask|gt|landcover)([_.-]|$)';

export interface LabelOptions {
  match?: string;
  dated?: 'auto' | 'dated' | 'static';
  ignore?: number[];
  classes?: Record<string, string>;
}

export interface LoadedLabels {
  labels: ProbeLabels;
  /** Absolute paths of the label files (left out of the image data). */
  files: Set<string>;
  notes: string[];
}

export async function loadLabels(paths: readonly string[], opts: LabelOptions = {}): Promise<LoadedLabels> {
  if (paths.length === 1 && /\.(csv|tsv|txt|json)$/i.test(paths[0])) {
    const text = await readFile(paths[0], 'utf8');
    return { labels: { kind: 'tiles', entries: parseTileLabels(text, paths[0]) }, files: new Set([path.resolve(paths[0])]), notes: [] };
  }
  const re = new RegExp(opts.match ?? DEFAULT_LABEL_MATCH, 'i');
  const explicit = new Set<string>();
  const chosen: string[] = [];
  for (const p of paths) {
    const c = await collectFiles([p]);
    if (c.missing.length) throw new Error(`label path ${p} does not exist`);
    const single = c.files.length === 1 && c.files[0] === p;
    for (const f of c.files) {
      const stem = path.basename(f).replace(/\.[^.]+$/, '');
      if (single || re.test(stem)) {
        chosen.push(f);
        if (single) explicit.add(f);
      }
    }
  }
  if (chosen.length === 0) throw new Error(`no label raster found in ${paths.join(', ')} (files inside folders must match /${re.source}/i; give --label-match)`);
  const { rasters, problems } = await openLabelRasters(await fileSources(chosen));
  if (rasters.length === 0) throw new Error(`none of the label files could be used: ${problems.join('; ')}`);
  const dated = isDatedSeries(rasters, opts.dated ?? 'auto');
  const names = new Map(Object.entries(opts.classes ?? {}).map(([k, v]) => [Number(k), v]));
  return {
    labels: { kind: 'raster', rasters, dated, ignore: new Set(opts.ignore ?? []), names },
    files: new Set(chosen.map((f) => path.resolve(f))),
    notes: [`${rasters.length} label raster(s), ${dated ? 'dated (one per acquisition)' : 'static'}`, ...problems],
  };
}

/**
 * Inspects the image files under `paths`, leaving out `exclude` (absolute paths, e.g. the label files); `pool` decodes
 * them and every later read of them (null: on the calling thread; the caller owns and destroys it).
 */
export async function loadImages(paths: readonly string[], exclude: ReadonlySet<string> = new Set(), pool: Pool | null = null): Promise<{ data: InspectedData; files: string[]; missing: string[] }> {
  const c = await collectFiles(paths);
  const files = c.files.filter((f) => !exclude.has(path.resolve(f)));
  if (files.length === 0) throw new Error(`no image files found in ${paths.join(', ')}${exclude.size ? ' (after leaving out the label files)' : ''}`);
  return { data: await inspectSources(await fileSources(files), pool), files, missing: c.missing };
}
