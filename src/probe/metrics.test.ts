// Probe metrics against values computed by hand: a 3-class confusion matrix (accuracy, IoU, mIoU over present classes,
// per-class and weighted F1), a class absent from the ground truth, a multi-label case (per-label and weighted F1,
// exact match), and the chance levels of a majority and a prior-matched random predictor.
import { describe, expect, it } from 'vitest';
import { chanceLevels, classMetrics, confusionMatrix, formatConfusion, multiLabelMetrics } from './metrics';

describe('confusionMatrix + classMetrics', () => {
  // truth: 0 0 0 0 1 1 1 2 2 2 ; pred: 0 0 1 2 1 1 0 2 2 1
  const truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const pred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

  it('counts rows = truth, columns = prediction', () => {
    expect([...confusionMatrix(truth, pred, 3)]).toEqual([2, 1, 1, 1, 2, 0, 0, 1, 2]);
  });

  it('gives accuracy, IoU, mIoU and F1 computed by hand', () => {
    const m = classMetrics(confusionMatrix(truth, pred, 3), 3);
    expect(m.count).toBe(10);
    expect(m.accuracy).toBeCloseTo(6 / 10, 12);
    // class 0: TP 2, FP 1 (a 1 predicted 0), FN 2 → IoU 2/5, F1 4/7
    // class 1: TP 2, FP 2, FN 1 → IoU 2/5, F1 4/7
    // class 2: TP 2, FP 1, FN 1 → IoU 2/4, F1 4/6
    expect(m.iou[0]).toBeCloseTo(2 / 5, 12);
    expect(m.iou[1]).toBeCloseTo(2 / 5, 12);
    expect(m.iou[2]).toBeCloseTo(1 / 2, 12);
    expect(m.mIoU).toBeCloseTo((2 / 5 + 2 / 5 + 1 / 2) / 3, 12);
    expect(m.f1[0]).toBeCloseTo(4 / 7, 12);
    expect(m.f1[1]).toBeCloseTo(4 / 7, 12);
    expect(m.f1[2]).toBeCloseTo(4 / 6, 12);
    expect(m.support).toEqual([4, 3, 3]);
    expect(m.weightedF1).toBeCloseTo((4 * (4 / 7) + 3 * (4 / 7) + 3 * (4 / 6)) / 10, 12);
    expect(m.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
  });

  it('leaves a class absent from the ground truth out of mIoU, even when it is predicted', () => {
    // truth 0 0 1 1 ; pred 0 2 1 1 → class 2 has no support: IoU null; class 0 IoU 1/2, class 1 IoU 1.
    const m = classMetrics(confusionMatrix([0, 0, 1, 1], [0, 2, 1, 1], 3), 3);
    expect(m.iou).toEqual([0.5, 1, null]);
    expect(m.mIoU).toBeCloseTo(0.75, 12);
    expect(m.f1[2]).toBeNull();
    expect(m.weightedF1).toBeCloseTo((2 * (2 / 3) + 2 * 1) / 4, 12);
  });

  it('rejects labels outside the class range', () => {
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/outside 0..2/);
  });

  it('formats the matrix with class names', () => {
    const text = formatConfusion([[5, 1], [0, 12]], ['clear', 'cloud']);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(/cloud\s+0\s+12$/);
  });
});

describe('multiLabelMetrics', () => {
  it('weights per-label F1 by positives (MAESTRO weighted_f1)', () => {
    // 4 examples × 3 labels.
    const truth = [1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    const pred = [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0];
    const m = multiLabelMetrics(truth, pred, 3);
    // label 0: truth 1 1 0 1, pred 1 1 0 1 → TP 3 → F1 1, support 3
    // label 1: truth 0 1 1 0, pred 0 1 0 0 → TP 1, FN 1 → F1 2/3, support 2
    // label 2: truth 1 0 0 0, pred 0 1 0 0 → TP 0, FP 1, FN 1 → F1 0, support 1
    expect(m.f1[0]).toBeCloseTo(1, 12);
    expect(m.f1[1]).toBeCloseTo(2 / 3, 12);
    expect(m.f1[2]).toBeCloseTo(0, 12);
    expect(m.support).toEqual([3, 2, 1]);
    expect(m.weightedF1).toBeCloseTo((3 * 1 + 2 * (2 / 3) + 0) / 6, 12);
    expect(m.exactMatch).toBeCloseTo(1 / 4, 12); // only example 3 is predicted exactly
    expect(m.counts[2]).toEqual([0, 1, 1, 2]);
  });

  it('gives null F1 to a label without positives', () => {
    const m = multiLabelMetrics([1, 0, 1, 0], [1, 1, 1, 0], 2);
    expect(m.f1[1]).toBeNull();
    expect(m.weightedF1).toBeCloseTo(1, 12);
  });
});

describe('chanceLevels', () => {
  it('gives the majority and prior-matched random mIoU', () => {
    // frequencies 0.5, 0.3, 0.2 (a class with zero support is ignored)
    const c = chanceLevels([50, 30, 20, 0]);
    expect(c.majorityAccuracy).toBeCloseTo(0.5, 12);
    expect(c.majorityMIoU).toBeCloseTo(0.5 / 3, 12);
    expect(c.priorMIoU).toBeCloseTo((0.5 / 1.5 + 0.3 / 1.7 + 0.2 / 1.8) / 3, 12);
    expect(c.mIoU).toBeCloseTo(Math.max(c.majorityMIoU, c.priorMIoU), 12);
  });

  it('matches the metrics of an actual majority predictor', () => {
    const truth = [0, 0, 0, 1, 2, 2];
    const m = classMetrics(confusionMatrix(truth, truth.map(() => 0), 3), 3);
    const c = chanceLevels(m.support);
    expect(m.accuracy).toBeCloseTo(c.majorityAccuracy, 12);
    expect(m.mIoU).toBeCloseTo(c.majorityMIoU, 12);
  });
});
