// estimateModel against a hand count on a toy config, and its scaling laws (memory and FLOPs linear in B).
import { describe, expect, it } from 'vitest';
import { buildConfig } from './config';
import { estimateModel } from './estimate';
import { buildParamLayout } from './params';
import { treesatLike } from './testing/configs';

describe('estimateModel', () => {
  // One 1-band modality, 4×4 px, patch 2 → N = 4 tokens, round(0.75·4) = 3 masked, K = 1.
  const config = buildConfig('tiny', [{ name: 'x', bands: ['x'], patchSize: 2, imageSize: 4, gsd: 1, dates: 1 }], {
    encoder: { width: 16, heads: 2, groupDepth: 1, interDepth: 0, mlpRatio: 2 },
    decoder: { width: 12, heads: 2, depth: 1, mlpHidden: 20 },
  });

  it('counts FLOPs by hand on a toy config', () => {
    const B = 2;
    const e = estimateModel(config, B);
    expect(e.tokens).toEqual([{ group: 'x', N: 4, K: 1 }]);
    const mm = (r: number, i: number, o: number) => 2 * r * i * o;
    const patch = mm(8, 4, 16); // 8 token rows, 4 values → 16
    const head = mm(8, 12, 4);
    const encBlock = mm(2, 16, 48) + mm(2, 16, 16) + 2 * mm(2, 16, 32);
    const encAttn = 4 * B * 1 * 1 * 16;
    const enc2dec = mm(2, 16, 12);
    const decBlock = mm(8, 12, 36) + mm(8, 12, 12) + 2 * mm(8, 12, 20);
    const decAttn = 4 * B * 4 * 4 * 12;
    expect(e.flops.forward).toBe(patch + head + encBlock + encAttn + enc2dec + decBlock + decAttn);
    expect(e.flops.backward).toBe(patch + 2 * (head + encBlock + encAttn + enc2dec + decBlock + decAttn));
    expect(e.flops.total).toBe(e.flops.forward + e.flops.backward);
  });

  it('counts params, grads and two AdamW moments over the padded layout', () => {
    const e = estimateModel(config, 3);
    const layout = buildParamLayout(config);
    expect(e.params).toBe(layout.count);
    expect(e.flatLength).toBe(layout.size);
    expect(e.bytes.params).toBe(4 * layout.size);
    expect(e.bytes.adam).toBe(8 * layout.size);
    expect(e.bytes.total).toBe(16 * layout.size + e.bytes.activations);
  });

  it('scales activations and FLOPs linearly with the batch', () => {
    const big = buildConfig('small', treesatLike);
    const e2 = estimateModel(big, 2);
    const e6 = estimateModel(big, 6);
    expect(e6.bytes.activations).toBe(3 * e2.bytes.activations);
    expect(e6.flops.total).toBe(3 * e2.flops.total);
    expect(e6.bytes.params).toBe(e2.bytes.params);
  });

  it('grows from tiny to base', () => {
    const [t, s, b] = (['tiny', 'small', 'base'] as const).map((p) => estimateModel(buildConfig(p, treesatLike), 8));
    expect(t.params).toBeLessThan(s.params);
    expect(s.params).toBeLessThan(b.params);
    // Base on TreeSatAI: 3 group encoders (9 blocks) + 3 inter blocks ≈ 212.6 M, 3 decoders ≈ 39.0 M (method.md §2.9).
    expect(b.params / 1e6).toBeGreaterThan(212.6 + 39.0);
    expect(b.params / 1e6).toBeLessThan(212.6 + 39.0 + 3);
  });
});
