/**
 * Tolerance comparison used by every GPU-vs-reference test: |actual − expected| ≤ atol + rtol·|expected|
 * (numpy/tinygrad convention). Returns a report instead of a boolean so a failing test can say where and by how much.
 */
export interface CloseReport {
  ok: boolean;
  count: number;
  mismatches: number;
  maxAbsErr: number;
  maxRelErr: number;
  /** The first mismatching index, or -1. */
  firstBad: number;
  message: string;
}

type Numeric = ArrayLike<number>;

export function allClose(actual: Numeric, expected: Numeric, atol = 1e-5, rtol = 1e-4): CloseReport {
  if (actual.length !== expected.length) {
    return {
      ok: false,
      count: 0,
      mismatches: Math.max(actual.length, expected.length),
      maxAbsErr: Infinity,
      maxRelErr: Infinity,
      firstBad: 0,
      message: `length mismatch: actual ${actual.length} vs expected ${expected.length}`,
    };
  }
  let mismatches = 0;
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let firstBad = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const bad = !(err <= atol + rtol * Math.abs(e)) || Number.isNaN(a) !== Number.isNaN(e);
    if (Number.isFinite(err)) {
      maxAbsErr = Math.max(maxAbsErr, err);
      if (e !== 0) maxRelErr = Math.max(maxRelErr, err / Math.abs(e));
    }
    if (bad) {
      mismatches++;
      if (firstBad < 0) firstBad = i;
    }
  }
  const ok = mismatches === 0;
  const message = ok
    ? `all ${actual.length} close (max abs ${maxAbsErr.toExponential(2)}, max rel ${maxRelErr.toExponential(2)})`
    : `${mismatches}/${actual.length} values differ (atol ${atol}, rtol ${rtol}); first at [${firstBad}]: ` +
      `actual ${actual[firstBad]} vs expected ${expected[firstBad]}; max abs err ${maxAbsErr.toExponential(3)}`;
  return { ok, count: actual.length, mismatches, maxAbsErr, maxRelErr, firstBad, message };
}
