/**
 * Probe metrics on a held-out split: confusion matrix, overall accuracy, per-class IoU and mIoU, per-class and
 * weighted F1 for single-label tasks; per-label and weighted F1 for multi-label tasks; and the chance levels a
 * trivial predictor reaches, so a score can be read against them.
 *
 * Definitions (MAESTRO maestro/train/metric.py, method.md §2.12):
 * - confusion[t·K + p] counts examples of true class t predicted as p (rows = truth, columns = prediction);
 * - IoU_c = TP / (TP + FP + FN); mIoU averages IoU over the classes PRESENT in the ground truth (TP + FN > 0) — a
 *   class that never occurs cannot be scored and does not drag the mean down;
 * - F1_c = 2·TP / (2·TP + FP + FN) (0 when the denominator is 0); weighted F1 = Σ_c support_c·F1_c / Σ_c support_c,
 *   support = TP + FN (scikit-learn `average="weighted"`; MAESTRO's multi-label metric weights labels by their
 *   number of positives, which is the same formula on per-label binary counts).
 * Invariants: all functions are pure; counts are float64 so they can be averaged; a class with no support has
 * IoU/F1 `null` in the per-class lists, never NaN.
 */
import { assert } from '../lib/assert';

/** (K, K) counts, rows = true class, columns = predicted class. */
export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, K: number): Float64Array {
  assert(truth.length === pred.length, () => `confusionMatrix: ${truth.length} labels but ${pred.length} predictions`);
  const c = new Float64Array(K * K); // (K, K)
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = pred[i];
    assert(Number.isInteger(t) && t >= 0 && t < K && Number.isInteger(p) && p >= 0 && p < K, () => `confusionMatrix: label ${t} / prediction ${p} outside 0..${K - 1}`);
    c[t * K + p] += 1;
  }
  return c;
}

export interface ClassMetrics {
  K: number;
  /** Examples scored. */
  count: number;
  /** Fraction of examples whose prediction equals the label. */
  accuracy: number;
  /** IoU per class; null for a class absent from the ground truth (TP + FN = 0). */
  iou: (number | null)[];
  /** Mean IoU over the classes present in the ground truth. */
  mIoU: number;
  /** F1 per class; null for a class absent from the ground truth. */
  f1: (number | null)[];
  /** Support-weighted mean of the per-class F1. */
  weightedF1: number;
  /** Ground-truth examples per class (TP + FN). */
  support: number[];
  /** (K, K) rows = truth, columns = prediction. */
  confusion: number[][];
}

/** Accuracy, IoU, mIoU and F1 from a (K, K) confusion matrix. */
export function classMetrics(confusion: ArrayLike<number>, K: number): ClassMetrics {
  assert(confusion.length === K * K, () => `classMetrics: confusion has ${confusion.length} entries, expected ${K}×${K}`);
  let total = 0;
  let correct = 0;
  const tp = new Float64Array(K);
  const rowSum = new Float64Array(K); // TP + FN
  const colSum = new Float64Array(K); // TP + FP
  for (let t = 0; t < K; t++) {
    for (let p = 0; p < K; p++) {
      const v = confusion[t * K + p];
      total += v;
      rowSum[t] += v;
      colSum[p] += v;
      if (t === p) {
        correct += v;
        tp[t] = v;
      }
    }
  }
  const iou: (number | null)[] = [];
  const f1: (number | null)[] = [];
  let iouSum = 0;
  let present = 0;
  let f1Weighted = 0;
  for (let c = 0; c < K; c++) {
    const fn = rowSum[c] - tp[c];
    const fp = colSum[c] - tp[c];
    if (rowSum[c] === 0) {
      iou.push(null);
      f1.push(null);
      continue;
    }
    const i = tp[c] / (tp[c] + fp + fn);
    const f = 2 * tp[c] + fp + fn > 0 ? (2 * tp[c]) / (2 * tp[c] + fp + fn) : 0;
    iou.push(i);
    f1.push(f);
    iouSum += i;
    present++;
    f1Weighted += rowSum[c] * f;
  }
  const confusionRows = Array.from({ length: K }, (_, t) => Array.from({ length: K }, (_, p) => confusion[t * K + p]));
  return {
    K,
    count: total,
    accuracy: total > 0 ? correct / total : 0,
    iou,
    mIoU: present > 0 ? iouSum / present : 0,
    f1,
    weightedF1: total > 0 ? f1Weighted / total : 0,
    support: Array.from(rowSum),
    confusion: confusionRows,
  };
}

export interface MultiLabelMetrics {
  K: number;
  count: number;
  /** F1 per label (threshold already applied); null for a label with no positive example. */
  f1: (number | null)[];
  /** Positives per label. */
  support: number[];
  /** Σ_label support·F1 / Σ support (MAESTRO MultiLabelMetric "weighted_f1"). */
  weightedF1: number;
  /** Fraction of examples whose whole label set is predicted exactly. */
  exactMatch: number;
  /** Per label: [TP, FP, FN, TN]. */
  counts: [number, number, number, number][];
}

/** truth, pred (R, K) of 0/1 values. */
export function multiLabelMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, K: number): MultiLabelMetrics {
  assert(truth.length === pred.length && truth.length % K === 0, () => `multiLabelMetrics: truth ${truth.length} / pred ${pred.length} values for ${K} labels`);
  const R = truth.length / K;
  const counts: [number, number, number, number][] = Array.from({ length: K }, () => [0, 0, 0, 0]);
  let exact = 0;
  for (let r = 0; r < R; r++) {
    let same = true;
    for (let k = 0; k < K; k++) {
      const t = truth[r * K + k] > 0.5;
      const p = pred[r * K + k] > 0.5;
      if (t !== p) same = false;
      counts[k][t ? (p ? 0 : 2) : p ? 1 : 3] += 1;
    }
    if (same) exact++;
  }
  const f1: (number | null)[] = [];
  const support: number[] = [];
  let weighted = 0;
  let totalSupport = 0;
  for (const [tp, fp, fn] of counts) {
    const s = tp + fn;
    support.push(s);
    if (s === 0) {
      f1.push(null);
      continue;
    }
    const f = (2 * tp) / (2 * tp + fp + fn);
    f1.push(f);
    weighted += s * f;
    totalSupport += s;
  }
  return { K, count: R, f1, support, weightedF1: totalSupport > 0 ? weighted / totalSupport : 0, exactMatch: R > 0 ? exact / R : 0, counts };
}

export interface ChanceLevels {
  /** Always predicting the most frequent class: accuracy = its frequency. */
  majorityAccuracy: number;
  /** mIoU of that predictor: IoU_major = its frequency, every other present class 0. */
  majorityMIoU: number;
  /** Expected mIoU of a predictor drawing classes at random with the label frequencies p_c: mean of p_c / (2 − p_c). */
  priorMIoU: number;
  /** The larger of the two mIoUs: what a probe must beat to have learnt anything. */
  mIoU: number;
}

/** Chance levels from the per-class support (ground-truth counts) of the split being scored. */
export function chanceLevels(support: ArrayLike<number>): ChanceLevels {
  let total = 0;
  let max = 0;
  let present = 0;
  for (let c = 0; c < support.length; c++) {
    total += support[c];
    max = Math.max(max, support[c]);
    if (support[c] > 0) present++;
  }
  if (total === 0 || present === 0) return { majorityAccuracy: 0, majorityMIoU: 0, priorMIoU: 0, mIoU: 0 };
  let prior = 0;
  for (let c = 0; c < support.length; c++) {
    if (support[c] === 0) continue;
    const p = support[c] / total;
    // Expected confusion of independent draws: TP = n·p², FP = FN = n·p·(1 − p) → IoU = p² / (2p − p²).
    prior += p / (2 - p);
  }
  const majorityAccuracy = max / total;
  const majorityMIoU = majorityAccuracy / present;
  const priorMIoU = prior / present;
  return { majorityAccuracy, majorityMIoU, priorMIoU, mIoU: Math.max(majorityMIoU, priorMIoU) };
}

/** Confusion matrix as aligned text rows (truth down, prediction across), with class names. */
export function formatConfusion(confusion: readonly (readonly number[])[], names: readonly string[]): string {
  const w = Math.max(6, ...names.map((n) => n.length), ...confusion.flat().map((v) => String(v).length)) + 1;
  const head = `${'truth\\pred'.padEnd(w)}${names.map((n) => n.padStart(w)).join('')}`;
  const rows = confusion.map((row, t) => `${names[t].padEnd(w)}${row.map((v) => String(v).padStart(w)).join('')}`);
  return [head, ...rows].join('\n');
}
