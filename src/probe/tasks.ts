/**
 * Probe tasks: which token sets are classified, their labels, and the held-out split.
 *
 * A task is `count` sets of N token rows (into the token table) with one label each:
 *   segmentation, static labels  one set per (sample, location of the reference grid): every token of every modality,
 *                                band group and date over that location (MAESTRO pools the dates and modalities of
 *                                a location, method.md §2.12). The reference grid is the finest token grid; a
 *                                coarser modality contributes the token whose cell holds the reference cell's centre
 *                                (nearest; MAESTRO interpolates bilinearly). Label: the reference token's majority.
 *   segmentation, dated labels   one set per (sample, date, location) of one modality: its band-group tokens
 *                                (N = 1 with joint-token fusion, N = #band groups with token-based fusion).
 *   classification               one set per sample: all its tokens; the sample's label(s).
 * Sets whose tokens saw no valid input pixel (padding dates, nodata) are dropped: a probe cannot be asked about
 * pixels the encoder never saw.
 * Splits hold out whole groups of sets, chosen by a seeded shuffle: 'tile' (all sets of a sample window — across
 * date chunks too, since their ids agree), 'date' (all sets of an acquisition date, dated labels), or 'block'
 * (spatial blocks of half a tile side, for a dataset with a single tile). 'auto' picks tile when there are ≥ 4
 * tiles, else date for dated labels, else block.
 */
import { assert } from '../lib/assert';
import { Rng } from '../lib/rng';
import { gridSize, type MaeConfig } from '../model/config';
import type { ProbeExamples } from './fit';
import { dateKey, FMASK_CLASS_NAMES, NO_LABEL } from './labels';
import type { Embedded, TokenTable } from './tokens';

export type SplitKind = 'tile' | 'date' | 'block';
export const SPLIT_KINDS: readonly SplitKind[] = ['tile', 'date', 'block'];

export interface ProbeTask {
  kind: 'segmentation' | 'classification';
  labelKind: 'single' | 'multi';
  classNames: string[];
  /** Tokens per set. */
  N: number;
  count: number;
  /** (count, N) token-table rows. */
  sets: Int32Array;
  /** single: (count) class index; multi: (count, K) 0/1. */
  labels: Int32Array | Float32Array;
  /** Per set: the sample window, the acquisition date (dated labels; else null) and the spatial block. */
  tileKey: string[];
  dateKey: (string | null)[];
  blockKey: string[];
  /** One line saying how the sets were built. */
  description: string;
}

/** Class names for raw label values: user names, Fmask's when the labels are Fmask, else "class <v>". */
export function classNamesFor(values: readonly number[], fmask: boolean, names: ReadonlyMap<number, string> = new Map()): string[] {
  return values.map((v) => names.get(v) ?? (fmask && FMASK_CLASS_NAMES[v] ? FMASK_CLASS_NAMES[v] : `class ${v}`));
}

/** The modality with the finest token grid (most tokens per side); ties: the first. */
export function referenceModality(config: MaeConfig): number {
  let best = 0;
  config.modalities.forEach((m, i) => {
    if (gridSize(m) > gridSize(config.modalities[best])) best = i;
  });
  return best;
}

interface SetBuilder {
  rows: number[][];
  labels: number[];
  tile: string[];
  date: (string | null)[];
  block: string[];
}

function blockOf(sampleId: string, row: number, col: number, grid: number): string {
  const b = Math.max(1, Math.floor(grid / 2));
  return `${sampleId}#${Math.floor(row / b)},${Math.floor(col / b)}`;
}

function finishSegmentation(sb: SetBuilder, N: number, values: number[], classNames: string[], description: string): ProbeTask {
  const index = new Map(values.map((v, i) => [v, i]));
  const count = sb.rows.length;
  const sets = new Int32Array(count * N);
  sb.rows.forEach((r, i) => sets.set(r, i * N));
  return {
    kind: 'segmentation',
    labelKind: 'single',
    classNames,
    N,
    count,
    sets,
    labels: Int32Array.from(sb.labels, (v) => index.get(v)!),
    tileKey: sb.tile,
    dateKey: sb.date,
    blockKey: sb.block,
    description,
  };
}

/**
 * Segmentation sets from per-token raw labels (NO_LABEL where none). `dated` selects per-date sets of modality
 * `modality` (default: the first modality with a labelled token); otherwise per-location sets over everything.
 */
export function segmentationTask(emb: Embedded, tokenLabel: Int32Array, opts: { dated: boolean; modality?: number; fmask?: boolean; names?: ReadonlyMap<number, string> }): ProbeTask {
  const { config, tokens: t, samples } = emb;
  assert(tokenLabel.length === t.count, () => `segmentationTask: ${tokenLabel.length} token labels for ${t.count} tokens`);
  const sb: SetBuilder = { rows: [], labels: [], tile: [], date: [], block: [] };
  let N: number;
  let description: string;
  if (opts.dated) {
    let m = opts.modality ?? -1;
    if (m < 0) for (let i = 0; i < t.count && m < 0; i++) if (tokenLabel[i] !== NO_LABEL) m = t.modality[i];
    assert(m >= 0, 'segmentation: no token has a label (do the label dates match the image dates, and the footprints overlap?)');
    const mod = config.modalities[m];
    N = mod.tokenGroups.length;
    const grid = gridSize(mod);
    for (let s = 0; s < samples.length; s++) {
      const bySlot = new Map<number, number[]>();
      for (let i = s * t.perSample; i < (s + 1) * t.perSample; i++) {
        if (t.modality[i] !== m) continue;
        const slot = (t.dateIndex[i] * grid + t.row[i]) * grid + t.col[i];
        let list = bySlot.get(slot);
        if (!list) bySlot.set(slot, (list = []));
        list.push(i);
      }
      for (const rows of bySlot.values()) {
        const label = tokenLabel[rows[0]];
        if (label === NO_LABEL || !rows.some((i) => t.valid[i] > 0)) continue;
        sb.rows.push(rows);
        sb.labels.push(label);
        sb.tile.push(samples[s].id);
        sb.date.push(dateKey({ year: t.year[rows[0]], doy: t.doy[rows[0]], hour: 0 }));
        sb.block.push(blockOf(samples[s].id, t.row[rows[0]], t.col[rows[0]], grid));
      }
    }
    description = `one set per (tile, date, location) of modality "${mod.name}": its ${N} band-group token(s); label = majority of the token's ${mod.patchSize}×${mod.patchSize} pixels on that date`;
  } else {
    const ref = referenceModality(config);
    const gRef = gridSize(config.modalities[ref]);
    for (let s = 0; s < samples.length; s++) {
      const base = s * t.perSample;
      // Token rows of this sample by (modality, band group, date, row, col).
      const at = new Map<string, number>();
      for (let i = base; i < base + t.perSample; i++) at.set(`${t.modality[i]}:${t.bandGroup[i]}:${t.dateIndex[i]}:${t.row[i]}:${t.col[i]}`, i);
      for (let row = 0; row < gRef; row++) {
        for (let col = 0; col < gRef; col++) {
          const rows: number[] = [];
          let label = NO_LABEL;
          config.modalities.forEach((mod, m) => {
            const g = gridSize(mod);
            const r = Math.floor(((row + 0.5) / gRef) * g);
            const c = Math.floor(((col + 0.5) / gRef) * g);
            for (let j = 0; j < mod.tokenGroups.length; j++) {
              for (let d = 0; d < mod.dates; d++) {
                const i = at.get(`${m}:${j}:${d}:${r}:${c}`)!;
                rows.push(i);
                if (m === ref && label === NO_LABEL) label = tokenLabel[i];
              }
            }
          });
          if (label === NO_LABEL || !rows.some((i) => t.valid[i] > 0)) continue;
          sb.rows.push(rows);
          sb.labels.push(label);
          sb.tile.push(samples[s].id);
          sb.date.push(null);
          sb.block.push(blockOf(samples[s].id, row, col, gRef));
        }
      }
    }
    N = config.modalities.reduce((a, m) => a + m.tokenGroups.length * m.dates, 0);
    description = `one set per (tile, location) of the ${gRef}×${gRef} "${config.modalities[ref].name}" token grid: all ${N} tokens over it (modalities × band groups × dates); label = majority of the reference token's pixels`;
  }
  assert(sb.rows.length > 0, 'segmentation: no token has both a label and valid input pixels');
  const values = [...new Set(sb.labels)].sort((a, b) => a - b);
  assert(values.length >= 2, () => `segmentation: every labelled set has the same label (${values[0]}), so there is nothing to probe${opts.dated ? ' (with dated labels, embed every acquisition: --all-dates)' : ''}`);
  return finishSegmentation(sb, N, values, classNamesFor(values, opts.fmask ?? false, opts.names), description);
}

/** Classification sets (one per sample) from per-sample label lists (null = unlabelled sample, left out). */
export function classificationTask(emb: Embedded, sampleLabels: readonly (readonly string[] | null)[]): ProbeTask {
  const { tokens: t, samples } = emb;
  assert(sampleLabels.length === samples.length, () => `classificationTask: ${sampleLabels.length} label lists for ${samples.length} samples`);
  const used = samples.map((_, s) => s).filter((s) => sampleLabels[s] && sampleLabels[s]!.length > 0);
  assert(used.length > 0, 'classification: no sample matched a key of the label file');
  const classNames = [...new Set(used.flatMap((s) => sampleLabels[s]!))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const index = new Map(classNames.map((c, i) => [c, i]));
  assert(classNames.length >= 2, () => `classification: every labelled tile has the same label ("${classNames[0]}"), so there is nothing to probe`);
  const multi = used.some((s) => sampleLabels[s]!.length > 1);
  const K = classNames.length;
  const N = t.perSample;
  const sets = new Int32Array(used.length * N);
  const labels = multi ? new Float32Array(used.length * K) : new Int32Array(used.length);
  used.forEach((s, i) => {
    for (let n = 0; n < N; n++) sets[i * N + n] = s * N + n;
    for (const c of sampleLabels[s]!) {
      if (multi) labels[i * K + index.get(c)!] = 1;
      else labels[i] = index.get(c)!;
    }
  });
  return {
    kind: 'classification',
    labelKind: multi ? 'multi' : 'single',
    classNames,
    N,
    count: used.length,
    sets,
    labels,
    tileKey: used.map((s) => samples[s].id),
    dateKey: used.map(() => null),
    blockKey: used.map((s) => samples[s].id),
    description: `one set per tile: all ${N} tokens; ${multi ? 'multi-label' : 'one label'} per tile from the label file`,
  };
}

/** (count, N, E) features of the task's sets, gathered from the token table. */
export function taskExamples(task: ProbeTask, t: TokenTable): ProbeExamples {
  const E = t.E;
  const features = new Float32Array(task.count * task.N * E);
  for (let i = 0; i < task.count * task.N; i++) {
    const row = task.sets[i];
    features.set(t.features.subarray(row * E, (row + 1) * E), i * E);
  }
  return { labelKind: task.labelKind, K: task.classNames.length, N: task.N, E, count: task.count, features, labels: task.labels };
}

export interface Split {
  kind: SplitKind;
  train: Int32Array;
  test: Int32Array;
  /** Distinct groups held out / kept. */
  testGroups: number;
  trainGroups: number;
}

/** Resolves 'auto' (see the header). */
export function chooseSplit(task: ProbeTask, kind: SplitKind | 'auto'): SplitKind {
  if (kind !== 'auto') return kind;
  if (new Set(task.tileKey).size >= 4) return 'tile';
  if (task.dateKey.some((d) => d !== null) && new Set(task.dateKey).size >= 2) return 'date';
  return 'block';
}

/** Seeded group split: ceil(fraction · groups) groups (at least 1, at most groups − 1) go to the test side. */
export function splitTask(task: ProbeTask, kind: SplitKind | 'auto', testFraction: number, seed: number): Split {
  const k = chooseSplit(task, kind);
  const keys = k === 'tile' ? task.tileKey : k === 'block' ? task.blockKey : task.dateKey.map((d) => d ?? '');
  assert(k !== 'date' || task.dateKey.every((d) => d !== null), 'split "date" needs dated labels (one label raster per acquisition)');
  const groups = [...new Set(keys)].sort();
  assert(groups.length >= 2, () => `split "${k}": only ${groups.length} group(s) of sets; need at least 2 (use another --split, or smaller samples for more tiles)`);
  assert(testFraction > 0 && testFraction < 1, () => `test fraction must be in (0, 1), got ${testFraction}`);
  const nTest = Math.min(groups.length - 1, Math.max(1, Math.ceil(testFraction * groups.length)));
  const perm = new Rng(seed, 313).permutation(groups.length);
  const testSet = new Set(Array.from(perm.subarray(0, nTest), (i) => groups[i]));
  const train: number[] = [];
  const test: number[] = [];
  keys.forEach((key, i) => (testSet.has(key) ? test : train).push(i));
  return { kind: k, train: Int32Array.from(train), test: Int32Array.from(test), testGroups: nTest, trainGroups: groups.length - nTest };
}
