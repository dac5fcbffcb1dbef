// Reference invariants for erf and the exact GELU: erf/erfc agree with independently published float64 values
// (CPython math.erf/erfc), are odd/complementary and continuous across the series/continued-fraction switch, erf's
// derivative is 2/√π·e^(−x²), GELU hits known values, and geluBackwardRef passes a central-difference gradient check.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { erfcRef, erfRef, geluBackwardRef, geluForwardRef } from './gelu.ref';

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('erfRef / erfcRef', () => {
  // [x, erf(x), erfc(x)] from CPython 3 math.erf / math.erfc (correctly rounded to ~1 ulp).
  const table: [number, number, number][] = [
    [1e-8, 1.1283791670955126e-8, 0.9999999887162083],
    [1e-3, 0.0011283787909692365, 0.9988716212090307],
    [0.1, 0.1124629160182849, 0.8875370839817152],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [0.8, 0.7421009647076605, 0.2578990352923395],
    [1, 0.8427007929497149, 0.15729920705028513],
    [1.5, 0.9661051464753108, 0.033894853524689274],
    [2, 0.9953222650189527, 0.004677734981047265],
    [3, 0.9999779095030014, 2.2090496998585438e-5],
    [4, 0.9999999845827421, 1.541725790028002e-8],
    [5, 0.9999999999984626, 1.5374597944280351e-12],
    [-0.3, -0.3286267594591274, 1.3286267594591274],
  ];
  it('matches published values to ~1e-14 relative', () => {
    for (const [x, e, c] of table) {
      expect(relErr(erfRef(x), e), `erf(${x})`).toBeLessThan(1e-14);
      expect(relErr(erfcRef(x), c), `erfc(${x})`).toBeLessThan(1e-13);
    }
    expect(relErr(erfcRef(10), 2.088487583762545e-45)).toBeLessThan(1e-13);
    expect(relErr(erfcRef(26), 5.663192408856143e-296)).toBeLessThan(1e-12);
  });

  it('is odd, complementary and continuous at the expansion switch (x = 1)', () => {
    for (const x of [0.2, 0.99, 1, 1.7, 3.3]) {
      expect(erfRef(-x)).toBe(-erfRef(x));
      expect(erfRef(x) + erfcRef(x)).toBeCloseTo(1, 15);
      expect(erfcRef(-x)).toBeCloseTo(2 - erfcRef(x), 15);
    }
    expect(relErr(erfRef(1 - 1e-12), erfRef(1 + 1e-12))).toBeLessThan(1e-11);
    expect(erfRef(0)).toBe(0);
    expect(Number.isNaN(erfRef(NaN))).toBe(true);
  });

  it("has derivative 2/√π·e^(−x²)", () => {
    for (const x of [-2.5, -0.7, 0, 0.4, 0.999, 1.3, 2.2]) {
      const h = 1e-5;
      const numeric = (erfRef(x + h) - erfRef(x - h)) / (2 * h);
      expect(relErr(numeric, (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))).toBeLessThan(1e-8);
    }
  });
});

describe('geluForwardRef / geluBackwardRef', () => {
  it('hits known values (x·Φ(x) and its derivative, from CPython math.erfc)', () => {
    const x = [-3, -1, 0.5, 1, 2];
    const y = [-0.004049694094890287, -0.15865525393145707, 0.34573123063700656, 0.8413447460685429, 1.9544997361036416];
    const dy = [-0.011945647204183927, -0.08331547058768629, 0.8674951246561629, 1.0833154705876864, 1.085231801078197];
    const got = geluForwardRef(x);
    const gotD = geluBackwardRef(x, [1, 1, 1, 1, 1]);
    x.forEach((_, i) => {
      expect(relErr(got[i], y[i])).toBeLessThan(1e-14);
      expect(relErr(gotD[i], dy[i])).toBeLessThan(1e-14);
    });
  });

  it('keeps relative accuracy in the negative tail and tends to the identity for large x', () => {
    // GELU(−10) = −10·Φ(−10) = −10·7.619853024160593e-24 (Φ(−10) from CPython 0.5·erfc(10/√2)).
    expect(relErr(geluForwardRef([-10])[0], -7.619853024160593e-23)).toBeLessThan(1e-12);
    expect(geluForwardRef([12])[0]).toBe(12);
  });

  it('backward passes a gradient check (random projections and full Jacobian)', () => {
    const x = new Rng(5).normalArray(40, 2);
    const r = gradCheck({
      inputs: [x],
      forward: ([a]) => geluForwardRef(a),
      backward: ([a], d) => [geluBackwardRef(a, d)],
      fullJacobian: true,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  });
});
