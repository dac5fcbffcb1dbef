// Parameter layout: aligned non-overlapping views covering every tensor once, MAESTRO-consistent counts and names,
// and deterministic seeded initialisation that follows each tensor's init rule.
import { describe, expect, it } from 'vitest';
import { VIEW_ALIGN } from '../gpu/tensor';
import { buildConfig } from './config';
import { buildParamLayout, decayMask, flatViews, initParams, paramEntry, paramViews, type ParamEntry } from './params';
import { tinyTwoGroupConfig, treesatLike } from './testing/configs';

/** Parameters of one vit-pytorch block of width D and MLP width M. */
const blockCount = (D: number, M: number) => 2 * D + 3 * D * D + D * D + D + 2 * D + D * M + M + M * D + D;

describe('buildParamLayout', () => {
  const config = buildConfig('base', treesatLike);
  const layout = buildParamLayout(config);

  it('places every tensor at an aligned offset, in order, without overlap', () => {
    let end = 0;
    for (const e of layout.entries) {
      expect(e.offset % VIEW_ALIGN).toBe(0);
      expect(e.offset).toBeGreaterThanOrEqual(end);
      expect(e.size).toBe(e.shape.reduce((a, b) => a * b, 1));
      end = e.offset + e.size;
    }
    expect(layout.size % VIEW_ALIGN).toBe(0);
    expect(layout.size).toBeGreaterThanOrEqual(end);
    expect(new Set(layout.entries.map((e) => e.name)).size).toBe(layout.entries.length);
  });

  it('matches MAESTRO medium block sizes (7.09 M encoder, 4.20 M decoder) and the per-group totals', () => {
    expect(blockCount(768, 3072)).toBe(7_085_568);
    expect(blockCount(512, 3072)).toBe(4_200_448);
    const sum = (prefix: string) => layout.entries.filter((e) => e.name.startsWith(prefix)).reduce((s, e) => s + e.size, 0);
    // 3 groups × 9 blocks + 3 inter blocks, each stack with its final LN (method.md §2.9: ≈ 212.6 M).
    expect(sum('enc.') + sum('inter.')).toBe(30 * 7_085_568 + 4 * 2 * 768);
    expect((sum('enc.') + sum('inter.')) / 1e6).toBeCloseTo(212.6, 1);
    expect(sum('dec.')).toBe(3 * (3 * 4_200_448 + 2 * 512));
    // Patch embeddings: conv (P²·C → 768) + bias + GroupNorm affine.
    expect(sum('embed.s2.')).toBe(4 * 10 * 768 + 768 + 2 * 768);
    expect(sum('head.aerial.')).toBe(512 * 400 * 4 + 400 * 4);
    expect(layout.count).toBe(layout.entries.reduce((s, e) => s + e.size, 0));
  });

  it('maps our tensors to MAESTRO state_dict names', () => {
    const t = (name: string) => paramEntry(layout, name).torch;
    expect(t('enc.s2.0.qkv.w')).toEqual({ name: 'encoder.s2.layers.0.0.to_qkv.weight', layout: 'transpose' });
    expect(t('enc.s1.8.fc2.b')).toEqual({ name: 'encoder.s1.layers.8.1.net.4.bias', layout: 'same' });
    expect(t('inter.2.ln2.g')).toEqual({ name: 'encoder_inter.layers.2.1.net.0.weight', layout: 'same' });
    expect(t('inter.ln.b')).toEqual({ name: 'encoder_inter.norm.bias', layout: 'same' });
    expect(t('embed.s1_asc.0.patch.w')).toEqual({ name: 'patch_embed.s1_asc.patchify_bands.0.conv_skip.weight', layout: 'conv-permute' });
    expect(t('embed.s2.0.norm.g')).toEqual({ name: 'patch_embed.s2.patchify_bands.0.norm_skip.weight', layout: 'same' });
    expect(t('enc2dec.aerial.w')).toEqual({ name: 'enc_to_dec.aerial.weight', layout: 'transpose' });
    expect(t('mask.s1_des')).toEqual({ name: 'mask_token.s1_des', layout: 'reshape' });
    expect(t('dec.s2.2.proj.w')).toEqual({ name: 'decoder.s2.layers.2.0.to_out.0.weight', layout: 'transpose' });
    expect(t('head.s2.0.w')).toEqual({ name: 'embed_to_rec.s2.pixelify_bands.0.conv_skip.weight', layout: 'conv1x1-transpose' });
    const torchNames = layout.entries.flatMap((e) => (e.torch ? [e.torch.name] : []));
    expect(new Set(torchNames).size).toBe(torchNames.length);
    // E == Ddec: MAESTRO's enc_to_dec is an Identity, so ours has no counterpart.
    const tiny = buildParamLayout(buildConfig('tiny', treesatLike));
    expect(paramEntry(tiny, 'enc2dec.s2.w').torch).toBeNull();
  });

  it('gives shapes in our (in, out) convention', () => {
    expect(paramEntry(layout, 'enc.s2.0.qkv.w').shape).toEqual([768, 3 * 768]);
    expect(paramEntry(layout, 'enc.s2.0.fc1.w').shape).toEqual([768, 3072]);
    expect(paramEntry(layout, 'dec.s2.0.fc1.w').shape).toEqual([512, 3072]);
    expect(paramEntry(layout, 'embed.aerial.0.patch.w').shape).toEqual([20 * 20 * 4, 768]);
    expect(paramEntry(layout, 'mask.s2').shape).toEqual([1, 512]);
    expect(() => paramEntry(layout, 'enc.s3.0.qkv.w')).toThrow('no parameter named "enc.s3.0.qkv.w"');
  });
});

describe('paramViews', () => {
  it('reaches every entry exactly once', () => {
    const config = tinyTwoGroupConfig();
    const layout = buildParamLayout(config);
    const seen: string[] = [];
    const views = paramViews(config, layout, (e: ParamEntry) => (seen.push(e.name), e.name));
    expect(seen.sort()).toEqual(layout.entries.map((e) => e.name).sort());
    expect(views.embed[0].length).toBe(2); // 'A' has two token band groups
    expect(views.head[2][0]).toEqual({ w: 'head.B2.0.w', b: 'head.B2.0.b' });
    expect(views.maskToken).toEqual(['mask.A', 'mask.B1', 'mask.B2']);
    expect(views.inter?.blocks.length).toBe(1);
  });

  it('views alias the flat array', () => {
    const config = tinyTwoGroupConfig();
    const layout = buildParamLayout(config);
    const flat = new Float64Array(layout.size);
    const v = flatViews(config, layout, flat);
    v.encoder[1].blocks[0].qkv[5] = 7;
    expect(flat[paramEntry(layout, 'enc.B.0.qkv.w').offset + 5]).toBe(7);
    expect(() => flatViews(config, layout, new Float64Array(3))).toThrow(/flat parameter array has 3 elements/);
  });
});

describe('initParams', () => {
  const config = tinyTwoGroupConfig();
  const layout = buildParamLayout(config);

  it('is deterministic per seed', () => {
    expect(initParams(layout, 7)).toEqual(initParams(layout, 7));
    expect(initParams(layout, 7)).not.toEqual(initParams(layout, 8));
  });

  it('follows each init rule and leaves padding at zero', () => {
    const flat = initParams(buildParamLayout(buildConfig('tiny', treesatLike)), 1);
    const big = buildParamLayout(buildConfig('tiny', treesatLike));
    let covered = 0;
    for (const e of big.entries) {
      const v = flat.subarray(e.offset, e.offset + e.size);
      covered += e.size;
      if (e.init.kind === 'zeros') expect(v.every((x) => x === 0)).toBe(true);
      if (e.init.kind === 'ones') expect(v.every((x) => x === 1)).toBe(true);
      if (e.init.kind === 'xavier') {
        const a = Math.sqrt(6 / (e.init.fanIn + e.init.fanOut));
        expect(v.every((x) => Math.abs(x) <= a)).toBe(true);
        if (e.size > 10_000) {
          // U(−a, a) has variance a²/3.
          const variance = v.reduce((s, x) => s + x * x, 0) / e.size;
          expect(variance / ((a * a) / 3)).toBeCloseTo(1, 1);
        }
      }
      if (e.init.kind === 'normal') {
        const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / e.size);
        expect(std).toBeGreaterThan(0.8);
        expect(std).toBeLessThan(1.2);
      }
    }
    const nonzero = flat.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);
    expect(nonzero).toBeLessThanOrEqual(covered);
    for (let i = 1; i < big.entries.length; i++) {
      const prevEnd = big.entries[i - 1].offset + big.entries[i - 1].size;
      expect(flat.subarray(prevEnd, big.entries[i].offset).every((x) => x === 0)).toBe(true);
    }
  });

  it('marks only matrices for weight decay', () => {
    const mask = decayMask(layout);
    for (const e of layout.entries) {
      expect(e.decay).toBe(e.shape.length === 2 && !e.name.startsWith('mask.'));
      expect(mask[e.offset]).toBe(e.decay ? 1 : 0);
    }
  });
});
