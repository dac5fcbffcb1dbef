/**
 * The embeddings file written by `npm run embed`: one safetensors file (readable by `safetensors.numpy.load_file`
 * or `safetensors.torch.load_file`) with one row per token:
 *
 *   features    F32 (T, E)   encoder output of the token (after the inter-group stage and its final LayerNorm)
 *   lonlat      F64 (T, 2)   WGS84 longitude, latitude of the token centre (degrees)
 *   sample      I32 (T)      index into metadata.samples (the sample window; ids like "loc0:x16:y0")
 *   modality    I32 (T)      index into metadata.modalities
 *   group       I32 (T)      index into metadata.groups (fusion group)
 *   band_group  I32 (T)      token band group (0 with joint-token fusion)
 *   date_index  I32 (T)      date slot t within the sample
 *   date        I32 (T, 2)   acquisition year, day of year
 *   grid        I32 (T, 2)   token row, column in the modality's token grid
 *   valid       F32 (T)      fraction of the token's input pixels that were valid
 *   pca_rgba    U8  (T, 4)   PCA → RGB colour per token, one PCA per (modality, band group, date) (pca.ts)
 * Metadata key "eo-mae-embeddings": JSON {format, width, modalities [{name, bands, patchSize, imageSize, gsd,
 * dates, tokenGroups}], groups, samples [{id, footprint}], checkpoint, step}.
 * Invariant: decodeEmbeddings(encodeEmbeddings(x)) returns the same arrays (round trip is tested).
 */
import type { Footprint } from '../data/sample';
import { f32Tensor, readSafetensors, writeSafetensors, type SafeDtype, type SafeTensor } from '../lib/safetensors';
import type { MaeConfig } from '../model/config';
import type { Embedded, TokenTable } from './tokens';

export const EMBEDDINGS_FORMAT = 'eo-mae-embeddings/1';
const META_KEY = 'eo-mae-embeddings';

export interface EmbeddingsMeta {
  format: typeof EMBEDDINGS_FORMAT;
  width: number;
  modalities: { name: string; bands: string[]; patchSize: number; imageSize: number; gsd: number; dates: number; tokenGroups: number[] }[];
  groups: { name: string; modalities: string[] }[];
  samples: { id: string; footprint: Footprint }[];
  checkpoint: string | null;
  step: number | null;
}

type Typed = Int32Array | Float64Array | Float32Array | Uint8Array | Uint8ClampedArray;
const tensor = (dtype: SafeDtype, shape: number[], a: Typed): SafeTensor => ({ dtype, shape, data: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });

function interleave<A extends Int32Array | Float64Array>(make: new (n: number) => A, a: ArrayLike<number>, b: ArrayLike<number>): A {
  const out = new make(a.length * 2);
  for (let i = 0; i < a.length; i++) {
    out[2 * i] = a[i];
    out[2 * i + 1] = b[i];
  }
  return out;
}

export function embeddingsMeta(config: MaeConfig, emb: Embedded, extra: { checkpoint?: string | null; step?: number | null } = {}): EmbeddingsMeta {
  return {
    format: EMBEDDINGS_FORMAT,
    width: emb.tokens.E,
    modalities: config.modalities.map((m) => ({ name: m.name, bands: [...m.bands], patchSize: m.patchSize, imageSize: m.imageSize, gsd: m.gsd, dates: m.dates, tokenGroups: [...m.tokenGroups] })),
    groups: config.groups.map((g) => ({ name: g.name, modalities: [...g.modalities] })),
    samples: emb.samples.map((s) => ({ id: s.id, footprint: s.footprint })),
    checkpoint: extra.checkpoint ?? null,
    step: extra.step ?? null,
  };
}

export function encodeEmbeddings(emb: Embedded, opts: { pcaRgba?: Uint8ClampedArray; checkpoint?: string | null; step?: number | null } = {}): Uint8Array {
  const t = emb.tokens;
  const T = t.count;
  const tensors: Record<string, SafeTensor> = {
    features: f32Tensor([T, t.E], t.features),
    lonlat: tensor('F64', [T, 2], interleave(Float64Array, t.lon, t.lat)),
    sample: tensor('I32', [T], t.sample),
    modality: tensor('I32', [T], t.modality),
    group: tensor('I32', [T], t.group),
    band_group: tensor('I32', [T], t.bandGroup),
    date_index: tensor('I32', [T], t.dateIndex),
    date: tensor('I32', [T, 2], interleave(Int32Array, t.year, t.doy)),
    grid: tensor('I32', [T, 2], interleave(Int32Array, t.row, t.col)),
    valid: f32Tensor([T], t.valid),
  };
  if (opts.pcaRgba) tensors.pca_rgba = tensor('U8', [T, 4], opts.pcaRgba);
  return writeSafetensors(tensors, { [META_KEY]: JSON.stringify(embeddingsMeta(emb.config, emb, opts)) });
}

export interface DecodedEmbeddings {
  meta: EmbeddingsMeta;
  tokens: TokenTable;
  pcaRgba: Uint8Array | null;
}

export function decodeEmbeddings(bytes: Uint8Array, name = 'embeddings'): DecodedEmbeddings {
  const { tensors, metadata } = readSafetensors(bytes);
  const metaText = metadata[META_KEY];
  if (!metaText) throw new Error(`${name}: a safetensors file, but not an EO-MAE Studio embeddings file (no "${META_KEY}" metadata)`);
  const meta = JSON.parse(metaText) as EmbeddingsMeta;
  if (meta.format !== EMBEDDINGS_FORMAT) throw new Error(`${name}: format ${JSON.stringify(meta.format)}, expected ${EMBEDDINGS_FORMAT}`);
  const get = (k: string) => {
    const x = tensors[k];
    if (!x) throw new Error(`${name}: tensor "${k}" is missing`);
    return x;
  };
  const i32 = (k: string) => new Int32Array(get(k).data.buffer, get(k).data.byteOffset, get(k).data.byteLength / 4);
  const f32 = (k: string) => new Float32Array(get(k).data.buffer, get(k).data.byteOffset, get(k).data.byteLength / 4);
  const lonlat = new Float64Array(get('lonlat').data.buffer, get('lonlat').data.byteOffset, get('lonlat').data.byteLength / 8);
  const date = i32('date');
  const grid = i32('grid');
  const sample = i32('sample');
  const T = sample.length;
  const even = <A extends Int32Array | Float64Array>(make: new (n: number) => A, a: A, k: number) => {
    const out = new make(T);
    for (let i = 0; i < T; i++) out[i] = a[2 * i + k];
    return out;
  };
  const group = i32('group');
  const perSample = T / Math.max(1, meta.samples.length);
  const groupOffset: number[] = [];
  for (let i = 0; i < perSample; i++) if (groupOffset.length === group[i]) groupOffset.push(i);
  const tokens: TokenTable = {
    E: meta.width,
    perSample,
    groupOffset,
    count: T,
    features: f32('features'),
    sample,
    modality: i32('modality'),
    group,
    bandGroup: i32('band_group'),
    dateIndex: i32('date_index'),
    year: even(Int32Array, date, 0),
    doy: even(Int32Array, date, 1),
    row: even(Int32Array, grid, 0),
    col: even(Int32Array, grid, 1),
    lon: even(Float64Array, lonlat, 0),
    lat: even(Float64Array, lonlat, 1),
    valid: f32('valid'),
  };
  return { meta, tokens, pcaRgba: tensors.pca_rgba ? tensors.pca_rgba.data : null };
}
