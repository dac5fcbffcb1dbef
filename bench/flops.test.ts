// Unit tests of the work counts (bench/flops.ts) against hand-computed values, so a rate is never off by a factor.
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../src/model/config';
import { attentionFlops, encoderForwardFlops, fmaFlops, geluBytes, gigaPerSecond, layernormBytes, matmulFlops } from './flops';

describe('work counts', () => {
  it('matmul: 2·M·N·K per product', () => {
    expect(matmulFlops(2, 3, 4)).toBe(48);
    expect(matmulFlops(1024, 1024, 1024)).toBe(2 * 1024 ** 3);
    expect(matmulFlops(2, 3, 4, 5)).toBe(240);
  });

  it('attention: forward 4·B·NH·N²·HS, forward+backward 3.5× forward', () => {
    const s = { B: 2, NH: 4, N: 441, HS: 32 };
    expect(attentionFlops(s, 'forward')).toBe(4 * 2 * 4 * 441 * 441 * 32);
    expect(attentionFlops(s, 'forward+backward')).toBe(3.5 * attentionFlops(s, 'forward'));
  });

  it('LayerNorm and GELU bytes: each tensor read or written once, f32', () => {
    // forward: x, out (R·D) + gamma, beta (D) + mean, rstd (R)
    expect(layernormBytes(10, 8, 'forward')).toBe(4 * (2 * 80 + 2 * 8 + 2 * 10));
    // backward: x, dOut, dx (R·D) + gamma, dGamma, dBeta (D) + mean, rstd (R)
    expect(layernormBytes(10, 8, 'backward')).toBe(4 * (3 * 80 + 3 * 8 + 2 * 10));
    expect(geluBytes(100, 'forward')).toBe(800);
    expect(geluBytes(100, 'backward')).toBe(1200);
  });

  it('FMA micro-kernel: 2 FLOPs per lane of every vec4 fma', () => {
    expect(fmaFlops({ threads: 256, iterations: 16, chains: 8, unroll: 4 })).toBe(256 * 16 * 8 * 4 * 4 * 2);
  });

  it('rates: work per ms → G-units per second', () => {
    expect(gigaPerSecond(2e9, 1000)).toBe(2);
    expect(gigaPerSecond(1e6, 1)).toBe(1);
  });

  it('encoder forward: patch embedding + per-group blocks + inter-group blocks over all tokens', () => {
    // Group a: 2 bands, 2 dates, 4 px, patch 2 → 2·4 = 8 tokens of V = 8; group b: 1 band, 1 date, 4 px, patch 2
    // → 4 tokens of V = 4. E = 8, MLP 16, 1 block per group, 1 inter-group block over 12 tokens.
    const config = buildConfig(
      'tiny',
      [
        { name: 'a', bands: ['x', 'y'], patchSize: 2, imageSize: 4, gsd: 10, dates: 2 },
        { name: 'b', bands: ['z'], patchSize: 2, imageSize: 4, gsd: 10, dates: 1 },
      ],
      { encoder: { width: 8, heads: 2, groupDepth: 1, interDepth: 1, mlpRatio: 2 }, decoder: { width: 8, heads: 2, depth: 1, mlpHidden: 8 } },
    );
    const B = 3;
    const block = (N: number) => 2 * B * N * (8 * 24 + 8 * 8 + 8 * 16 + 16 * 8) + 4 * B * N * N * 8;
    const embed = 2 * B * 8 * 8 * 8 + 2 * B * 4 * 4 * 8;
    expect(encoderForwardFlops(config, B)).toBe(embed + block(8) + block(4) + block(12));
  });
});
