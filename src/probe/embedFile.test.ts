// The embeddings file (safetensors): every per-token array, the PCA colours and the metadata survive a round trip;
// a safetensors file of something else is refused with a clear message.
import { describe, expect, it } from 'vitest';
import { f32Tensor, writeSafetensors } from '../lib/safetensors';
import { decodeEmbeddings, encodeEmbeddings } from './embedFile';
import { pcaRgbPerImage } from './pca';
import { tinyEmbedded } from './testing/tokens';

describe('embeddings file', () => {
  it('round-trips features, positions, dates, grid cells, validity, PCA colours and metadata', () => {
    const emb = tinyEmbedded();
    const pcaRgba = pcaRgbPerImage(emb.tokens);
    const bytes = encodeEmbeddings(emb, { pcaRgba, checkpoint: 'runs/x', step: 12 });
    const d = decodeEmbeddings(bytes);
    const t = emb.tokens;
    for (const k of ['features', 'sample', 'modality', 'group', 'bandGroup', 'dateIndex', 'year', 'doy', 'row', 'col', 'lon', 'lat', 'valid'] as const) {
      expect([...d.tokens[k]], k).toEqual([...t[k]]);
    }
    expect(d.tokens.perSample).toBe(8);
    expect(d.tokens.groupOffset).toEqual([0]);
    expect([...d.pcaRgba!]).toEqual([...pcaRgba]);
    expect(d.meta.samples.map((s) => s.id)).toEqual(['loc0:x0:y0', 'loc0:x4:y0']);
    expect(d.meta.modalities[0]).toMatchObject({ name: 'm', patchSize: 2, imageSize: 4, dates: 2 });
    expect(d.meta.checkpoint).toBe('runs/x');
    expect(d.meta.step).toBe(12);
  });

  it('refuses a safetensors file without embeddings metadata', () => {
    const other = writeSafetensors({ w: f32Tensor([2], Float32Array.of(1, 2)) }, { format: 'something else' });
    expect(() => decodeEmbeddings(other, 'model.safetensors')).toThrow(/model.safetensors: .*not an EO-MAE Studio embeddings file/);
  });
});
