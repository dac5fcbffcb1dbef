/** Cloud-mask arithmetic of the date strips: which values are cloud, which are fill (no observation). */
import { describe, expect, it } from 'vitest';
import { FMASK_INVALID, SCL_INVALID } from '../../data/sensors';
import { datasetInfo, maskFill, maskFlags } from './dataSummary';

describe('cloud masks', () => {
  it('flags the classes training masks out, and tells fill apart from cloud', () => {
    const fmask = { kind: 'fmask' as const, invalid: [...FMASK_INVALID], qaBits: null };
    expect([0, 1, 2, 3, 4, 255].map((v) => maskFlags(fmask, v))).toEqual([false, false, true, false, true, true]);
    expect([2, 4, 255].map((v) => maskFill(fmask, v))).toEqual([false, false, true]);
    const scl = { kind: 'scl' as const, invalid: [...SCL_INVALID], qaBits: null };
    expect([0, 1, 3, 4, 8, 9, 10, 11].map((v) => maskFlags(scl, v))).toEqual([true, true, true, false, true, true, true, false]);
    expect([0, 1, 3, 9].map((v) => maskFill(scl, v))).toEqual([true, true, false, false]);
    const qa = { kind: 'qa_pixel' as const, invalid: [], qaBits: [0, 1, 2, 3, 4] };
    expect([0b1, 0b1000, 0b100000].map((v) => maskFlags(qa, v))).toEqual([true, true, false]);
    expect([0b1, 0b1000].map((v) => maskFill(qa, v))).toEqual([true, false]);
    const generic = { kind: 'cloud' as const, invalid: [], qaBits: null };
    expect([0, 1, 200].map((v) => maskFlags(generic, v))).toEqual([false, true, true]);
    expect(maskFill(generic, 0)).toBe(false);
  });

  it('reports a dataset that could not be built as not ready, with the reason', () => {
    expect(datasetInfo(null, 'numDates for s2 must be an integer ≥ 1, got 0')).toMatchObject({ ready: false, problem: 'numDates for s2 must be an integer ≥ 1, got 0', modalities: [] });
  });
});
