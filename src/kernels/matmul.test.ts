// Reference invariants for the matmul CPU oracle: it must agree with an independent formulation (dot products of
// explicit rows and columns) and the transpose flags must mean what they say; the linear layer's backward reference
// passes a central-difference gradient check against y = x·W + b.
import { describe, expect, it } from 'vitest';
import { gradCheck } from '../lib/gradcheck';
import { Rng } from '../lib/rng';
import { linearBackwardRef, matmulRef } from './matmul.ref';

function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
  return t;
}

describe('matmulRef', () => {
  it('computes a known 2×3 · 3×2 product with bias', () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8, 9, 10, 11, 12];
    expect([...matmulRef(a, b, { M: 2, N: 2, K: 3 }, [1, -1])]).toEqual([59, 63, 140, 153]);
  });

  it('honours transA / transB and batch', () => {
    const rng = new Rng(1);
    const [M, N, K, B] = [5, 7, 3, 2];
    const a = rng.normalArray(B * M * K);
    const b = rng.normalArray(B * K * N);
    const plain = matmulRef(a, b, { M, N, K, batch: B });
    const aT = new Float64Array(B * M * K);
    const bT = new Float64Array(B * K * N);
    for (let z = 0; z < B; z++) {
      aT.set(transpose(a.subarray(z * M * K, (z + 1) * M * K), M, K), z * M * K);
      bT.set(transpose(b.subarray(z * K * N, (z + 1) * K * N), K, N), z * K * N);
    }
    const viaT = matmulRef(aT, bT, { M, N, K, batch: B, transA: true, transB: true });
    for (let i = 0; i < plain.length; i++) expect(viaT[i]).toBeCloseTo(plain[i], 12);
  });
});

describe('linearBackwardRef', () => {
  const check = (M: number, K: number, N: number, fullJacobian: boolean) => {
    const rng = new Rng(M * 100 + K * 10 + N);
    return gradCheck({
      inputs: [rng.normalArray(M * K), rng.normalArray(K * N), rng.normalArray(N)],
      forward: ([x, w, b]) => matmulRef(x, w, { M, N, K }, b),
      backward: ([x, w], dy) => {
        const { dx, dw, db } = linearBackwardRef(x, w, dy, { M, K, N });
        return [dx, dw, db];
      },
      fullJacobian,
    });
  };

  it('passes a gradient check for x, W and b (random projections)', () => {
    const r = check(7, 5, 9, false);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('passes a full-Jacobian gradient check on a tiny shape', () => {
    const r = check(2, 3, 2, true);
    expect(r.ok, r.details.join('\n')).toBe(true);
  });

  it('equals the transposed products dy·Wᵀ and xᵀ·dy and the column sum of dy', () => {
    const [M, K, N] = [4, 3, 5];
    const rng = new Rng(11);
    const [x, w, dy] = [rng.normalArray(M * K), rng.normalArray(K * N), rng.normalArray(M * N)];
    const { dx, dw, db } = linearBackwardRef(x, w, dy, { M, K, N });
    const dxT = matmulRef(dy, w, { M, N: K, K: N, transB: true });
    const dwT = matmulRef(x, dy, { M: K, N, K: M, transA: true });
    dx.forEach((v, i) => expect(v).toBeCloseTo(dxT[i], 12));
    dw.forEach((v, i) => expect(v).toBeCloseTo(dwT[i], 12));
    for (let n = 0; n < N; n++) expect(db[n]).toBeCloseTo([0, 1, 2, 3].reduce((s, m) => s + dy[m * N + n], 0), 12);
  });
});
