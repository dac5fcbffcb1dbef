/**
 * Pure view data for the Evaluate panels, derived from the worker's small replies: the confusion-matrix heatmap
 * (counts with their share of the true class, so colours compare classes of very different sizes), the per-class
 * rows of a probe, the ablation table (mean ± std per variant and head, with the score of every seed) and the bars
 * of the ablation chart (mean with a ± std whisker, clipped to [0, 1]).
 * Invariants: no state, no I/O; scores stay fractions in [0, 1] here (the panels format percentages).
 */
import type { ClassMetrics, ExperimentResult, ExperimentRunRow, HeadKind, LabelSummary, SummaryRow } from '../train/protocol/probe';

export interface ConfusionCell {
  count: number;
  /** count / all sets of the true class (0 when the class has none). */
  rowShare: number;
}

export interface ConfusionView {
  classNames: string[];
  /** [truth][prediction]. */
  cells: ConfusionCell[][];
  /** Sets per true class. */
  support: number[];
  total: number;
}

export function confusionView(m: Pick<ClassMetrics, 'confusion'>, classNames: readonly string[]): ConfusionView {
  const support = m.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  return {
    classNames: [...classNames],
    cells: m.confusion.map((row, t) => row.map((count) => ({ count, rowShare: support[t] > 0 ? count / support[t] : 0 }))),
    support,
    total: support.reduce((a, b) => a + b, 0),
  };
}

export interface ClassRow {
  name: string;
  iou: number | null;
  f1: number | null;
  /** Held-out sets of the class. */
  support: number;
}

export function classRows(m: ClassMetrics, classNames: readonly string[]): ClassRow[] {
  return classNames.map((name, k) => ({ name, iou: m.iou[k], f1: m.f1[k], support: m.support[k] }));
}

/** Label classes with their share of the labelled pixels or tiles. */
export function labelClassShares(l: LabelSummary): { name: string; value: string; count: number; share: number }[] {
  const total = l.classes.reduce((a, c) => a + c.count, 0);
  return l.classes.map((c) => ({ name: c.name, value: c.value, count: c.count, share: total > 0 ? c.count / total : 0 }));
}

export interface AblationRow {
  variant: string;
  head: HeadKind;
  scoreName: string;
  mean: number;
  std: number;
  n: number;
  /** Score per seed of the experiment (null: that seed did not finish). */
  perSeed: (number | null)[];
  /** Mean accuracy over seeds (null for multi-label tasks). */
  accuracy: number | null;
  pretrainLoss: number;
  /** mean − base mean for the same head (0 for the base itself; null without a base row). */
  delta: number | null;
}

const scoreOf = (r: ExperimentRunRow, head: HeadKind) => r.scores.find((s) => s.head === head)?.score ?? null;

export function ablationRows(summary: readonly SummaryRow[], runs: readonly ExperimentRunRow[], seeds: readonly number[]): AblationRow[] {
  return summary.map((s) => {
    const base = summary.find((b) => b.variant === 'base' && b.head === s.head);
    return {
      variant: s.variant,
      head: s.head,
      scoreName: s.scoreName,
      mean: s.mean,
      std: s.std,
      n: s.n,
      perSeed: seeds.map((seed) => {
        const r = runs.find((x) => x.variant === s.variant && x.seed === seed);
        return r ? scoreOf(r, s.head) : null;
      }),
      accuracy: Number.isFinite(s.accuracy) ? s.accuracy : null,
      pretrainLoss: s.pretrainLoss,
      delta: base ? s.mean - base.mean : null,
    };
  });
}

export interface AblationBar {
  label: string;
  variant: string;
  head: HeadKind;
  mean: number;
  /** The whisker: mean ∓ std clipped to [0, 1]. */
  lo: number;
  hi: number;
  n: number;
}

export interface AblationChartData {
  bars: AblationBar[];
  /** Top of the value axis: the largest whisker rounded up to a tenth (at least 0.1, at most 1). */
  top: number;
  scoreName: string;
  /** Chance level of the held-out split (single-label tasks), for a reference line. */
  chance: number | null;
}

export function ablationChart(result: Pick<ExperimentResult, 'summary' | 'chance'>): AblationChartData {
  const heads = new Set(result.summary.map((s) => s.head));
  const bars = result.summary.map((s) => ({
    label: heads.size > 1 ? `${s.variant} · ${s.head}` : s.variant,
    variant: s.variant,
    head: s.head,
    mean: s.mean,
    lo: Math.max(0, s.mean - s.std),
    hi: Math.min(1, s.mean + s.std),
    n: s.n,
  }));
  const peak = Math.max(0, ...bars.map((b) => b.hi), result.chance?.mIoU ?? 0);
  return { bars, top: Math.min(1, Math.max(0.1, Math.ceil(peak * 10 - 1e-9) / 10)), scoreName: result.summary[0]?.scoreName ?? 'score', chance: result.chance ? result.chance.mIoU : null };
}
