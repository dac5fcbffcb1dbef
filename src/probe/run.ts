/**
 * One probe evaluation end to end, shared by `npm run probe`, the ablation runner and the tests:
 * embedded samples + labels → task (token sets and labels) → held-out split → for each head (linear, attentive):
 * train on the GPU, predict the held-out sets, score (accuracy, per-class IoU, mIoU, weighted F1, confusion matrix,
 * or per-label/weighted F1 for multi-label tasks) next to the chance levels of the same split.
 * Invariants: the split is computed once and shared by all heads (scores are comparable); every number in the report
 * is plain JSON.
 * Reference: method.md §2.12; metrics.ts for the definitions.
 */
import type { DecodeCache } from '../data/raster';
import { assert } from '../lib/assert';
import { fitProbe, type FitOptions } from './fit';
import type { HeadKind } from './heads';
import { tokenLabels, matchTileLabel, type LabelRaster, type TileLabel } from './labels';
import { chanceLevels, classMetrics, confusionMatrix, formatConfusion, multiLabelMetrics, type ChanceLevels, type ClassMetrics, type MultiLabelMetrics } from './metrics';
import { classificationTask, segmentationTask, splitTask, taskExamples, type ProbeTask, type Split, type SplitKind } from './tasks';
import type { Embedded } from './tokens';

export type ProbeLabels =
  | { kind: 'raster'; rasters: LabelRaster[]; dated: boolean; ignore: ReadonlySet<number>; names: ReadonlyMap<number, string> }
  | { kind: 'tiles'; entries: TileLabel[] };

/** Per embedded sample: its location id and the location's files (for tile labels keyed by location or file). */
export interface SampleOrigins {
  location: string[];
  files: string[][];
}

export interface TaskBuild {
  task: ProbeTask;
  notes: string[];
}

/** The probe task for embedded samples and labels. */
export async function buildTask(emb: Embedded, labels: ProbeLabels, origins: SampleOrigins, cache: DecodeCache): Promise<TaskBuild> {
  const notes: string[] = [];
  if (labels.kind === 'tiles') {
    const per = emb.samples.map((s, i) => matchTileLabel(labels.entries, { id: s.id, location: origins.location[i], files: origins.files[i] }));
    const missing = per.filter((x) => !x).length;
    if (missing) notes.push(`${missing} of ${per.length} tiles have no label in the label file and are left out`);
    return { task: classificationTask(emb, per), notes };
  }
  const tl = await tokenLabels(emb, labels.rasters, { dated: labels.dated, ignore: labels.ignore, cache });
  if (tl.unmatchedDates.length) notes.push(`${tl.unmatchedDates.length} image date(s) have no label raster of the same day (e.g. ${tl.unmatchedDates.slice(0, 3).join(', ')})`);
  const fmask = labels.rasters.every((r) => r.kind === 'fmask');
  return { task: segmentationTask(emb, tl.labels, { dated: labels.dated, fmask, names: labels.names }), notes };
}

export interface HeadReport {
  head: HeadKind;
  /** The main score: mIoU (single-label) or weighted F1 (multi-label). */
  score: number;
  scoreName: 'mIoU' | 'weighted F1';
  single: ClassMetrics | null;
  multi: MultiLabelMetrics | null;
  firstLoss: number;
  lastLoss: number;
  trainMs: number;
  evalMs: number;
}

export interface ProbeReport {
  task: {
    kind: ProbeTask['kind'];
    labelKind: ProbeTask['labelKind'];
    classNames: string[];
    N: number;
    sets: number;
    description: string;
    /** Sets per class over the whole task (single-label) or positives per label (multi-label). */
    classCounts: number[];
  };
  split: { kind: SplitKind; train: number; test: number; trainGroups: number; testGroups: number };
  /** Chance levels of the held-out split (single-label tasks). */
  chance: ChanceLevels | null;
  heads: HeadReport[];
}

export interface ProbeOptions {
  heads: HeadKind[];
  fit: Omit<FitOptions, 'head'>;
  split: SplitKind | 'auto';
  testFraction: number;
  /** Seed of the split (the fit seed is in `fit`). */
  splitSeed: number;
  /** Called before each head is trained (progress: `fit.onStep` then counts that head's steps). */
  onHead?: (head: HeadKind, index: number, count: number) => void;
}

function classCounts(task: ProbeTask): number[] {
  const K = task.classNames.length;
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < task.count; i++) {
    if (task.labelKind === 'single') counts[task.labels[i]]++;
    else for (let k = 0; k < K; k++) counts[k] += task.labels[i * K + k];
  }
  return counts;
}

/** Trains and scores every requested head on one split of `task`. */
export async function runProbes(device: GPUDevice, emb: Embedded, task: ProbeTask, opts: ProbeOptions): Promise<ProbeReport> {
  assert(opts.heads.length > 0, 'probe: no head requested');
  const split: Split = splitTask(task, opts.split, opts.testFraction, opts.splitSeed);
  const ex = taskExamples(task, emb.tokens);
  const K = task.classNames.length;
  const truthSingle = task.labelKind === 'single' ? Int32Array.from(split.test, (i) => task.labels[i]) : null;
  const truthMulti = task.labelKind === 'multi' ? Float32Array.from({ length: split.test.length * K }, (_, j) => task.labels[split.test[Math.floor(j / K)] * K + (j % K)]) : null;
  const chance = truthSingle ? chanceLevels(classMetrics(confusionMatrix(truthSingle, truthSingle, K), K).support) : null;
  const heads: HeadReport[] = [];
  for (const [index, head] of opts.heads.entries()) {
    opts.onHead?.(head, index, opts.heads.length);
    const r = await fitProbe(device, ex, split.train, split.test, { ...opts.fit, head });
    const single = truthSingle ? classMetrics(confusionMatrix(truthSingle, r.predictions, K), K) : null;
    const multi = truthMulti ? multiLabelMetrics(truthMulti, r.predictions, K) : null;
    heads.push({
      head,
      score: single ? single.mIoU : multi!.weightedF1,
      scoreName: single ? 'mIoU' : 'weighted F1',
      single,
      multi,
      firstLoss: r.losses[0],
      lastLoss: r.losses[r.losses.length - 1],
      trainMs: r.trainMs,
      evalMs: r.evalMs,
    });
  }
  return {
    task: { kind: task.kind, labelKind: task.labelKind, classNames: task.classNames, N: task.N, sets: task.count, description: task.description, classCounts: classCounts(task) },
    split: { kind: split.kind, train: split.train.length, test: split.test.length, trainGroups: split.trainGroups, testGroups: split.testGroups },
    chance,
    heads,
  };
}

const pct = (v: number | null) => (v === null ? '   –  ' : `${(100 * v).toFixed(1).padStart(5)}%`);

/** Human-readable report: task, split, chance levels, then per head the scores, per-class table and confusion. */
export function formatProbeReport(r: ProbeReport): string {
  const lines: string[] = [];
  lines.push(`task        ${r.task.kind}, ${r.task.labelKind === 'multi' ? 'multi-label' : 'single-label'}, ${r.task.sets} sets of ${r.task.N} token(s)`);
  lines.push(`            ${r.task.description}`);
  lines.push(`classes     ${r.task.classNames.map((c, i) => `${c} (${r.task.classCounts[i]})`).join(', ')}`);
  lines.push(`split       by ${r.split.kind}: ${r.split.train} training sets (${r.split.trainGroups} groups), ${r.split.test} held-out sets (${r.split.testGroups} groups)`);
  if (r.chance) lines.push(`chance      majority class: accuracy ${pct(r.chance.majorityAccuracy)}, mIoU ${pct(r.chance.majorityMIoU)}; random with the class frequencies: mIoU ${pct(r.chance.priorMIoU)}`);
  for (const h of r.heads) {
    lines.push('');
    if (h.single) {
      const m = h.single;
      lines.push(`${h.head.padEnd(10)}  accuracy ${pct(m.accuracy)}  mIoU ${pct(m.mIoU)}  weighted F1 ${pct(m.weightedF1)}   (loss ${h.firstLoss.toFixed(3)} → ${h.lastLoss.toFixed(3)}, ${(h.trainMs / 1000).toFixed(1)} s)`);
      const w = Math.max(8, ...r.task.classNames.map((c) => c.length)) + 2;
      lines.push(`  ${'class'.padEnd(w)}${'IoU'.padStart(8)}${'F1'.padStart(8)}${'support'.padStart(9)}`);
      r.task.classNames.forEach((c, k) => lines.push(`  ${c.padEnd(w)}${pct(m.iou[k]).padStart(8)}${pct(m.f1[k]).padStart(8)}${String(m.support[k]).padStart(9)}`));
      lines.push('  confusion (rows: truth, columns: prediction)');
      lines.push(
        formatConfusion(m.confusion, r.task.classNames)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    } else if (h.multi) {
      const m = h.multi;
      lines.push(`${h.head.padEnd(10)}  weighted F1 ${pct(m.weightedF1)}  exact match ${pct(m.exactMatch)}   (loss ${h.firstLoss.toFixed(3)} → ${h.lastLoss.toFixed(3)}, ${(h.trainMs / 1000).toFixed(1)} s)`);
      r.task.classNames.forEach((c, k) => {
        const [tp, fp, fn, tn] = m.counts[k];
        lines.push(`  ${c.padEnd(16)} F1 ${pct(m.f1[k])}  TP ${tp}  FP ${fp}  FN ${fn}  TN ${tn}`);
      });
    }
  }
  return lines.join('\n');
}
