/**
 * Evaluate requests and events (the Evaluate section: probes and ablations; handled by train/worker/probeHandlers.ts).
 *
 * Labels: label files cross to the worker as File/Blob handles like data files (`probe.labels.add`); the worker keeps
 * them and answers with a LabelUpdate — what it understood (classes and counts, which loaded images the labels align
 * with) as plain sentences and small lists, plus one problem per refused file. A refused file never changes the
 * labels already accepted, the loaded data or the model.
 * Probe: `probe.run` trains a linear and/or attentive probe on the frozen encoder of the CURRENT weights (the
 * trainer's, else the seeded initial weights) over the validation tiles of the loaded data, and answers with the
 * probe report (accuracy, per-class IoU, mIoU or weighted F1, confusion matrix) — small numbers only.
 * Ablation: `probe.experiment` pre-trains one fresh model per variant × seed (never the user's model), probes each,
 * pushes every finished run as `probe.runDone`, and answers with the summary (mean ± std over seeds per variant).
 * Both push `probe.progress` (a fraction, the phase in words and an ETA) and stop at the next step on `probe.cancel`.
 * Invariants: everything here is JSON-like plain data except the File/Blob handles of `probe.labels.add`.
 */
import type { MaskStrategy, TargetNorm } from '../../model/config';
import type { Factor, Fusion, SummaryRow } from '../../probe/experiment';
import type { HeadKind } from '../../probe/heads';
import type { ChanceLevels, ClassMetrics, MultiLabelMetrics } from '../../probe/metrics';
import type { HeadReport, ProbeReport } from '../../probe/run';
import type { SplitKind } from '../../probe/tasks';
import type { IncomingFile } from './data';

export type { ChanceLevels, ClassMetrics, Factor, Fusion, HeadKind, HeadReport, MaskStrategy, MultiLabelMetrics, ProbeReport, SplitKind, SummaryRow, TargetNorm };

// ---------------------------------------------------------------------------------------------------------------
// Labels

/** One accepted label file as the worker understood it. */
export interface LabelFileInfo {
  path: string;
  /** 'fmask': a Landsat Fmask cloud mask (class names known); 'generic': a raster of class ids; 'tiles': CSV/JSON. */
  kind: 'fmask' | 'generic' | 'tiles';
  /** Raster facts (null for tile-label files). */
  width: number | null;
  height: number | null;
  crs: string | null;
  /** Acquisition date "2008-04-27" (null when none could be read). */
  date: string | null;
  nodata: number | null;
  /** Loaded acquisitions this file labels: overlapping footprint (and the same day for a dated series). */
  alignsWith: number;
}

export interface LabelProblem {
  path: string;
  reason: string;
}

export interface LabelClass {
  /** The raw value (class id, or the label text of a tile-label file). */
  value: string;
  name: string;
  /** Pixels (label rasters) or tiles (tile labels) carrying it. */
  count: number;
}

export interface LabelSummary {
  kind: 'raster' | 'tiles';
  files: LabelFileInfo[];
  /** A series of rasters with distinct dates: each image date takes the raster of the same day. */
  dated: boolean;
  /** Tile labels with several labels on one tile (scored with weighted F1). */
  multiLabel: boolean;
  classes: LabelClass[];
  countUnit: 'pixels' | 'tiles';
  /** Labelled pixels inside the loaded images (rasters) or labelled validation tiles (tile labels). */
  labelled: number;
  /** What was understood, one plain sentence each. */
  facts: string[];
  /** What may make a probe weak or impossible, one plain sentence each. */
  warnings: string[];
}

export interface LabelUpdate {
  labels: LabelSummary | null;
  /** Files of the last request that were not taken, each with the reason. */
  problems: LabelProblem[];
  /** Outcomes of the last request ("Added 4 label rasters."). */
  messages: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Context, settings, results

export interface ProbeWeightsInfo {
  /** 'trained': the training run's current weights; 'initial': the seeded initialisation (nothing trained yet). */
  source: 'trained' | 'initial';
  step: number;
  /** One plain sentence for the panel. */
  note: string;
}

export interface FactorValue {
  value: TargetNorm | Fusion | MaskStrategy;
  /** Whether a variant with this value can be built for the current model and data. */
  available: boolean;
  /** Why not (null when available). */
  reason: string | null;
}

export interface FactorChoice {
  factor: Factor;
  label: string;
  /** The current model's own value: the base variant every other value is compared with. */
  base: TargetNorm | Fusion | MaskStrategy;
  values: FactorValue[];
}

export interface ProbeContext {
  /** Why nothing can run yet (no data, no valid model), in words; null when ready. */
  missing: string | null;
  weights: ProbeWeightsInfo | null;
  /** Validation tiles of the loaded data: the samples that are embedded and split. */
  tiles: number;
  /** "landsat: 3 bands, 4 dates, 16 px" per modality. */
  samples: string[];
  labels: LabelSummary | null;
  factors: FactorChoice[];
}

export interface ProbeSettings {
  heads: HeadKind[];
  /** Probe training steps per head. */
  steps: number;
  split: SplitKind | 'auto';
  /** Share of the split groups held out, in (0, 1). */
  testFraction: number;
  /** Validation tiles embedded at most (spread evenly over all tiles when there are more). */
  maxTiles: number;
}

export interface ProbeTimings {
  embedMs: number;
  probeMs: number;
  totalMs: number;
}

export interface ProbeResult {
  report: ProbeReport;
  /** Notes from building the task ("2 image dates have no label raster of the same day"). */
  notes: string[];
  weights: ProbeWeightsInfo;
  /** Validation tiles embedded (of `tilesTotal`). */
  tiles: number;
  tilesTotal: number;
  ms: ProbeTimings;
}

export type ProbeRunReply = { status: 'done'; result: ProbeResult } | { status: 'cancelled' };

export interface ExperimentSettings {
  /** Values to compare with the base, per factor (the base value itself is always run). */
  values: { targetNorm: TargetNorm[]; fusion: Fusion[]; masking: MaskStrategy[] };
  /** Seeds 0 … seeds − 1. */
  seeds: number;
  pretrainSteps: number;
  pretrainBatch: number;
  /** Peak learning rate of the one-cycle pre-training schedule. */
  pretrainLr: number;
  probe: ProbeSettings;
}

export interface VariantInfo {
  name: string;
  targetNorm: TargetNorm;
  fusion: Fusion;
  masking: MaskStrategy;
}

/** One finished variant × seed run, small enough for the store. */
export interface ExperimentRunRow {
  variant: string;
  seed: number;
  scores: { head: HeadKind; scoreName: HeadReport['scoreName']; score: number; accuracy: number | null }[];
  pretrainLoss: { first: number; last: number };
  /** Wall time of the run and its parts (pre-training includes building the model). */
  ms: number;
  phaseMs: { pretrain: number; embed: number; probe: number };
}

export interface ExperimentResult {
  variants: VariantInfo[];
  seeds: number[];
  /** Finished runs in order (all of them unless cancelled). */
  runs: ExperimentRunRow[];
  /** Per variant and head: mean, sample std, min, max over seeds (src/probe/experiment.ts summarize). */
  summary: SummaryRow[];
  chance: ChanceLevels | null;
  cancelled: boolean;
  ms: number;
  pretrainSteps: number;
  probeSteps: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

export interface ProbeProgress {
  job: 'probe' | 'experiment';
  /** What is running, in words ("Pre-training targetNorm=patch, seed 0"). */
  phase: string;
  /** Work units done / total over the whole job (any unit: the bar shows the fraction). */
  done: number;
  total: number;
  etaSeconds: number | null;
  /** Experiments: the run in progress (0-based index). */
  run: { index: number; total: number; variant: string; seed: number } | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

export type ProbeRequest =
  | { kind: 'probe.context' }
  | { kind: 'probe.labels.add'; files: IncomingFile[] }
  | { kind: 'probe.labels.clear' }
  | { kind: 'probe.run'; settings: ProbeSettings }
  | { kind: 'probe.experiment'; settings: ExperimentSettings }
  /** Stops the probe or experiment in progress at its next step; answers whether one was running. */
  | { kind: 'probe.cancel' };

/** Reply types per request kind. */
export interface ProbeReplies {
  'probe.context': ProbeContext;
  'probe.labels.add': LabelUpdate;
  'probe.labels.clear': LabelUpdate;
  'probe.run': ProbeRunReply;
  'probe.experiment': ExperimentResult;
  'probe.cancel': boolean;
}

export type ProbeEvent = { kind: 'probe.progress'; progress: ProbeProgress | null } | { kind: 'probe.runDone'; run: ExperimentRunRow };
