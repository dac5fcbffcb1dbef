/**
 * A small GeoTIFF writer for tests: any data type geotiff.js reads (and some it must refuse: int64, complex),
 * strips or tiles, pixel- or band-interleaved, no compression / Deflate / PackBits, optional horizontal predictor,
 * and GeoTIFF/GDAL tags (pixel scale + tie point or a transformation matrix, geokeys, GDAL_NODATA, GDAL_METADATA,
 * DateTime). `compression` may also be set to a code whose data is stored raw, to exercise "unsupported codec" paths.
 *
 * Deflate uses the platform's CompressionStream('deflate') (zlib format, what TIFF code 8 expects), so the writer
 * runs in Node ≥ 18 and browsers alike and the tests need no extra dependency.
 * Invariants: little-endian classic TIFF; tags sorted by id; the IFD sits right after the 8-byte header and every
 * block after it, so truncating the file cuts pixel data first (what the truncation tests rely on).
 * Reference: TIFF 6.0 spec §2 (structure), §14 (predictor), §9 (PackBits); GeoTIFF 1.1 geokey directory.
 */

export type WriterDType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float16' | 'float32' | 'float64' | 'int64' | 'uint64';

export interface WriteTiffOptions {
  width: number;
  height: number;
  /** One (H, W) array per band. */
  bands: ArrayLike<number>[];
  dtype: WriterDType;
  /** Tile size (multiple of 16); strips when absent. */
  tile?: number;
  rowsPerStrip?: number;
  planar?: 1 | 2;
  compression?: number;
  predictor?: 1 | 2;
  photometric?: number;
  /** ExtraSamples values for bands beyond the photometric ones (default 0 = unspecified). */
  extraSamples?: number[];
  geo?: {
    pixelScale?: [number, number];
    tiepoint?: [number, number];
    transformation?: number[];
    epsg?: number;
    geographic?: boolean;
    projectionGeoKey?: number;
    pixelIsPoint?: boolean;
    citation?: string;
  };
  nodata?: string;
  gdalMetadata?: string;
  dateTime?: string;
}

const DTYPES: Record<WriterDType, { bits: number; format: number }> = {
  uint8: { bits: 8, format: 1 },
  int8: { bits: 8, format: 2 },
  uint16: { bits: 16, format: 1 },
  int16: { bits: 16, format: 2 },
  uint32: { bits: 32, format: 1 },
  int32: { bits: 32, format: 2 },
  float16: { bits: 16, format: 3 },
  float32: { bits: 32, format: 3 },
  float64: { bits: 64, format: 3 },
  int64: { bits: 64, format: 2 },
  uint64: { bits: 64, format: 1 },
};

/** IEEE 754 binary16 bits of a number (round to nearest even on the mantissa). */
export function toFloat16Bits(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >> (1 - e);
    return sign | ((mant + 0x1000) >> 13);
  }
  const h = sign | (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) return h + 1;
  return h;
}

function writeValue(view: DataView, off: number, dtype: WriterDType, v: number): void {
  switch (dtype) {
    case 'uint8':
      view.setUint8(off, v);
      break;
    case 'int8':
      view.setInt8(off, v);
      break;
    case 'uint16':
      view.setUint16(off, v, true);
      break;
    case 'int16':
      view.setInt16(off, v, true);
      break;
    case 'uint32':
      view.setUint32(off, v, true);
      break;
    case 'int32':
      view.setInt32(off, v, true);
      break;
    case 'float16':
      view.setUint16(off, toFloat16Bits(v), true);
      break;
    case 'float32':
      view.setFloat32(off, v, true);
      break;
    case 'float64':
      view.setFloat64(off, v, true);
      break;
    case 'int64':
      view.setBigInt64(off, BigInt(Math.round(v)), true);
      break;
    case 'uint64':
      view.setBigUint64(off, BigInt(Math.round(v)), true);
      break;
  }
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** PackBits with literal runs only (valid, if not compact). */
function packBits(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 128) {
    const n = Math.min(128, data.length - i);
    out.push(n - 1);
    for (let k = 0; k < n; k++) out.push(data[i + k]);
  }
  return Uint8Array.from(out);
}

/** Horizontal differencing per row and sample, in place on little-endian integer samples of `bytes` width. */
function applyPredictor(block: Uint8Array, rowLen: number, rows: number, spp: number, bytes: number): void {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const get = (o: number) => (bytes === 1 ? view.getUint8(o) : bytes === 2 ? view.getUint16(o, true) : view.getUint32(o, true));
  const set = (o: number, v: number) => (bytes === 1 ? view.setUint8(o, v & 0xff) : bytes === 2 ? view.setUint16(o, v & 0xffff, true) : view.setUint32(o, v >>> 0, true));
  for (let r = 0; r < rows; r++) {
    for (let x = rowLen - 1; x >= 1; x--) {
      for (let s = 0; s < spp; s++) {
        const o = ((r * rowLen + x) * spp + s) * bytes;
        const prev = ((r * rowLen + x - 1) * spp + s) * bytes;
        set(o, get(o) - get(prev));
      }
    }
  }
}

interface Tag {
  id: number;
  type: 2 | 3 | 4 | 12;
  values: number[] | string;
}

export async function writeTiff(o: WriteTiffOptions): Promise<Uint8Array> {
  const { width: W, height: H, bands } = o;
  const spp = bands.length;
  const dt = DTYPES[o.dtype];
  const bytes = dt.bits / 8;
  const planar = o.planar ?? 1;
  const compression = o.compression ?? 1;
  const predictor = o.predictor ?? 1;
  const tiled = o.tile !== undefined;
  const bw = tiled ? (o.tile as number) : W;
  const bh = tiled ? (o.tile as number) : Math.min(H, o.rowsPerStrip ?? H);
  const across = Math.ceil(W / bw);
  const down = Math.ceil(H / bh);

  // Raw blocks in file order.
  const blocks: Uint8Array[] = [];
  const planes = planar === 2 ? spp : 1;
  for (let p = 0; p < planes; p++) {
    for (let ty = 0; ty < down; ty++) {
      for (let tx = 0; tx < across; tx++) {
        const rows = tiled ? bh : Math.min(bh, H - ty * bh);
        const sp = planar === 2 ? 1 : spp;
        const block = new Uint8Array(bw * rows * sp * bytes);
        const view = new DataView(block.buffer);
        for (let r = 0; r < rows; r++) {
          const y = ty * bh + r;
          for (let c = 0; c < bw; c++) {
            const x = tx * bw + c;
            for (let s = 0; s < sp; s++) {
              const band = planar === 2 ? p : s;
              const v = y < H && x < W ? bands[band][y * W + x] : 0;
              writeValue(view, ((r * bw + c) * sp + s) * bytes, o.dtype, v);
            }
          }
        }
        if (predictor === 2) applyPredictor(block, bw, rows, sp, bytes);
        blocks.push(compression === 8 ? await deflate(block) : compression === 32773 ? packBits(block) : block);
      }
    }
  }

  const tags: Tag[] = [
    { id: 256, type: 4, values: [W] },
    { id: 257, type: 4, values: [H] },
    { id: 258, type: 3, values: new Array<number>(spp).fill(dt.bits) },
    { id: 259, type: 3, values: [compression] },
    { id: 262, type: 3, values: [o.photometric ?? 1] },
    { id: 277, type: 3, values: [spp] },
    { id: 284, type: 3, values: [planar] },
    { id: 339, type: 3, values: new Array<number>(spp).fill(dt.format) },
  ];
  if (predictor !== 1) tags.push({ id: 317, type: 3, values: [predictor] });
  const photoBands = (o.photometric ?? 1) === 2 ? 3 : 1;
  if (spp > photoBands) tags.push({ id: 338, type: 3, values: o.extraSamples ?? new Array<number>(spp - photoBands).fill(0) });
  if (tiled) {
    tags.push({ id: 322, type: 4, values: [bw] }, { id: 323, type: 4, values: [bh] });
  } else tags.push({ id: 278, type: 4, values: [bh] });
  if (o.dateTime) tags.push({ id: 306, type: 2, values: o.dateTime });
  const g = o.geo;
  if (g) {
    if (g.transformation) tags.push({ id: 34264, type: 12, values: g.transformation });
    else {
      const [sx, sy] = g.pixelScale ?? [1, 1];
      const [x, y] = g.tiepoint ?? [0, 0];
      tags.push({ id: 33550, type: 12, values: [sx, sy, 0] }, { id: 33922, type: 12, values: [0, 0, 0, x, y, 0] });
    }
    const keys: number[][] = [
      [1024, 0, 1, g.geographic ? 2 : 1],
      [1025, 0, 1, g.pixelIsPoint ? 2 : 1],
    ];
    if (g.geographic) keys.push([2048, 0, 1, g.epsg ?? 4326]);
    else if (g.epsg !== undefined) keys.push([3072, 0, 1, g.epsg]);
    if (g.projectionGeoKey !== undefined) keys.push([3074, 0, 1, g.projectionGeoKey]);
    keys.sort((a, b) => a[0] - b[0]);
    tags.push({ id: 34735, type: 3, values: [1, 1, 0, keys.length, ...keys.flat()] });
  }
  if (o.gdalMetadata) tags.push({ id: 42112, type: 2, values: o.gdalMetadata });
  if (o.nodata !== undefined) tags.push({ id: 42113, type: 2, values: o.nodata });
  const offsetsTag: Tag = { id: tiled ? 324 : 273, type: 4, values: new Array<number>(blocks.length).fill(0) };
  const countsTag: Tag = { id: tiled ? 325 : 279, type: 4, values: blocks.map((b) => b.length) };
  tags.push(offsetsTag, countsTag);
  tags.sort((a, b) => a.id - b.id);

  const sizeOf = (t: Tag) => (t.type === 2 ? (t.values as string).length + 1 : (t.values as number[]).length * (t.type === 3 ? 2 : t.type === 4 ? 4 : 8));
  const ifdSize = 2 + tags.length * 12 + 4;
  let extra = 0;
  const extraAt = new Map<Tag, number>();
  for (const t of tags) {
    const n = sizeOf(t);
    if (n > 4) {
      extraAt.set(t, 8 + ifdSize + extra);
      extra += n + (n % 2);
    }
  }
  let dataAt = 8 + ifdSize + extra;
  (offsetsTag.values as number[]).forEach((_, i) => {
    (offsetsTag.values as number[])[i] = dataAt;
    dataAt += blocks[i].length;
  });
  const out = new Uint8Array(dataAt);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49]);
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true);
  view.setUint16(8, tags.length, true);
  const put = (t: Tag, at: number) => {
    if (t.type === 2) {
      const s = t.values as string;
      for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i) & 0xff;
      out[at + s.length] = 0;
      return;
    }
    (t.values as number[]).forEach((v, i) => {
      if (t.type === 3) view.setUint16(at + i * 2, v, true);
      else if (t.type === 4) view.setUint32(at + i * 4, v, true);
      else view.setFloat64(at + i * 8, v, true);
    });
  };
  tags.forEach((t, i) => {
    const e = 10 + i * 12;
    const count = t.type === 2 ? (t.values as string).length + 1 : (t.values as number[]).length;
    view.setUint16(e, t.id, true);
    view.setUint16(e + 2, t.type, true);
    view.setUint32(e + 4, count, true);
    const ext = extraAt.get(t);
    if (ext !== undefined) {
      view.setUint32(e + 8, ext, true);
      put(t, ext);
    } else put(t, e + 8);
  });
  view.setUint32(10 + tags.length * 12, 0, true);
  (offsetsTag.values as number[]).forEach((off, i) => out.set(blocks[i], off));
  return out;
}
