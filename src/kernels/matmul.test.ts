// Reference invariants for the matmul CPU oracle: it must agree with an independent formulation (dot products of
// explicit rows and columns) and the transpose flags must mean what they say.
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng';
import { matmulRef } from './matmul.ref';

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
