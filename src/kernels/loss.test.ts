// Reference invariants for the masked reconstruction loss (MAE forward_loss; MAESTRO compute_loss_rec): hand-worked
// L1/L2 values, only masked rows count, 0 when nothing is masked, the mean is over values (not rows), and gradient
// checks of dPred including the modality-weight scale.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { maskedLossBackwardRef, maskedLossForwardRef, type MaskedLossKind } from './loss.ref';

describe('maskedLossForwardRef', () => {
  const pred = [1, 2, 3, 4, 5, 6];
  const target = [0, 4, 3, 1, 5, 9];
  it('averages |e| or e² over the values of masked rows only', () => {
    // rows (V = 2): e = [1, −2], [0, 3], [0, −3]; rows 0 and 2 masked.
    expect(maskedLossForwardRef(pred, target, [1, 0, 1], { R: 3, V: 2, kind: 'l1' })).toBeCloseTo((1 + 2 + 0 + 3) / 4, 14);
    expect(maskedLossForwardRef(pred, target, [1, 0, 1], { R: 3, V: 2, kind: 'l2' })).toBeCloseTo((1 + 4 + 0 + 9) / 4, 14);
  });
  it('is 0 when no row is masked, whatever the error', () => {
    expect(maskedLossForwardRef(pred, target, [0, 0, 0], { R: 3, V: 2, kind: 'l1' })).toBe(0);
    expect([...maskedLossBackwardRef(pred, target, [0, 0, 0], { R: 3, V: 2, kind: 'l2' })]).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('gives zero gradient on visible rows and sign(0) = 0 for L1', () => {
    const d = maskedLossBackwardRef(pred, target, [1, 0, 1], { R: 3, V: 2, kind: 'l1' }, 2);
    expect([...d]).toEqual([0.5, -0.5, 0, 0, 0, -0.5]);
  });
});

describe('maskedLossBackwardRef', () => {
  const check = (kind: MaskedLossKind, R: number, V: number, seed: number, fullJacobian: boolean) => {
    const rng = new Rng(seed);
    const pred = rng.normalArray(R * V);
    const target = rng.normalArray(R * V);
    const mask = Float64Array.from({ length: R }, () => (rng.uniform() < 0.6 ? 1 : 0));
    mask[0] = 1;
    const scale = 0.37;
    const r = gradCheck({
      inputs: [pred],
      forward: ([p]) => Float64Array.of(scale * maskedLossForwardRef(p, target, mask, { R, V, kind })),
      backward: ([p], dOut) => [maskedLossBackwardRef(p, target, mask, { R, V, kind }, scale * dOut[0])],
      fullJacobian,
    });
    expect(r.ok, r.details.join('\n')).toBe(true);
  };
  for (const kind of ['l1', 'l2'] as const) {
    it(`${kind}: gradient check with a modality scale (random projections)`, () => check(kind, 12, 7, 40, false));
    it(`${kind}: full Jacobian on a tiny shape`, () => check(kind, 3, 2, 41, true));
  }
});
