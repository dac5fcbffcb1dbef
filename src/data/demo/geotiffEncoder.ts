/**
 * A small GeoTIFF encoder for the demo dataset: classic little-endian TIFF, tiled, uncompressed, pixel-interleaved,
 * with the georeferencing and GDAL tags real products carry (ModelPixelScale, ModelTiepoint, GeoKeyDirectory with
 * ProjectedCSTypeGeoKey, GDAL_NODATA, GDAL_METADATA band descriptions and dataset items, TIFF DateTime).
 *
 * Why not geotiff.js `writeArrayBuffer` (3.0.5, checked in node_modules/geotiff/dist-module/geotiffwriter.js): it has
 * no type for GDAL_METADATA (42112) and throws "unknown type of tag", so band descriptions cannot be written; it
 * encodes the IFD into a fixed 1000-byte buffer and silently truncates longer ones; it cannot tile; and it copies
 * pixels one DataView per value (~0.36 µs per value measured, ~6 s for the default demo dataset). The tests read
 * every file written here back with geotiff.js and compare with `writeArrayBuffer` output on small images.
 *
 * Invariants: tags are sorted by code (TIFF 6.0 §2); every ASCII value is NUL-terminated and 7-bit; each tile's data
 * starts at a multiple of its sample size so the pixels are written through typed-array views; edge tiles are padded
 * with the nodata value (or 0). Input pixels are band-sequential (C, H, W).
 * Reference: TIFF 6.0 (Adobe 1992) §2, §15 (tiles); OGC GeoTIFF 1.1 (19-008r4) §7; GDAL GTiff driver (GDAL_METADATA,
 * GDAL_NODATA tags).
 */
import { assert, assertInteger } from '../../lib/assert';

export type RasterArray = Uint8Array | Uint16Array | Float32Array;

/** North-up georeferencing in a projected CRS with square pixels. */
export interface GeoReference {
  /** EPSG code of the projected CRS (e.g. 32631 = WGS 84 / UTM zone 31N). */
  epsg: number;
  /** Human-readable CRS name written to GTCitationGeoKey, e.g. 'WGS 84 / UTM zone 31N'. */
  citation: string;
  /** Easting / northing of the upper-left corner of the upper-left pixel (PixelIsArea), in metres. */
  originX: number;
  originY: number;
  /** Pixel size in metres. */
  pixelSize: number;
}

export interface GeoTiffSpec {
  width: number;
  height: number;
  bands: number;
  /** (C, H, W) band-sequential pixels, C = bands. */
  data: RasterArray;
  geo: GeoReference;
  /** Written as GDAL_NODATA; also the padding of edge tiles. */
  noData?: number;
  /** One per band: GDAL band DESCRIPTION items (what `gdalinfo` shows as "Description"). */
  bandDescriptions?: readonly string[];
  /** Dataset-level GDAL metadata items (default domain). */
  metadata?: Readonly<Record<string, string>>;
  /** Per-band GDAL metadata items (besides DESCRIPTION), one record per band. */
  bandMetadata?: readonly Readonly<Record<string, string>>[];
  /** Acquisition time written to TIFF DateTime (306) as 'YYYY:MM:DD HH:MM:SS' (UTC). */
  dateTime?: Date;
  /** TIFF ImageDescription (270). */
  imageDescription?: string;
  /** Tile edge in pixels, a multiple of 16 (default: 256, or less for small images). */
  tileSize?: number;
}

const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_DOUBLE = 12;
const TYPE_SIZE: Record<number, number> = { [TYPE_ASCII]: 1, [TYPE_SHORT]: 2, [TYPE_LONG]: 4, [TYPE_DOUBLE]: 8 };

interface Tag {
  code: number;
  type: number;
  values: number[] | string;
}

const SOFTWARE = 'EO-MAE Studio synthetic demo generator';

/** TIFF DateTime format 'YYYY:MM:DD HH:MM:SS' in UTC. */
export function tiffDateTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** GDAL_METADATA XML in the layout GDAL writes (dataset items first, then per-band items with sample/role). */
export function gdalMetadataXml(
  metadata: Readonly<Record<string, string>>,
  bandDescriptions: readonly string[] | undefined,
  bandMetadata: readonly Readonly<Record<string, string>>[] | undefined,
): string {
  const lines = ['<GDALMetadata>'];
  for (const [k, v] of Object.entries(metadata)) lines.push(`  <Item name="${xmlEscape(k)}">${xmlEscape(v)}</Item>`);
  const nBands = Math.max(bandDescriptions?.length ?? 0, bandMetadata?.length ?? 0);
  for (let b = 0; b < nBands; b++) {
    for (const [k, v] of Object.entries(bandMetadata?.[b] ?? {})) {
      lines.push(`  <Item name="${xmlEscape(k)}" sample="${b}">${xmlEscape(v)}</Item>`);
    }
    const desc = bandDescriptions?.[b];
    if (desc !== undefined) lines.push(`  <Item name="DESCRIPTION" sample="${b}" role="description">${xmlEscape(desc)}</Item>`);
  }
  lines.push('</GDALMetadata>');
  return lines.join('\n');
}

function sampleFormatOf(data: RasterArray): { bits: number; format: number } {
  if (data instanceof Uint8Array) return { bits: 8, format: 1 };
  if (data instanceof Uint16Array) return { bits: 16, format: 1 };
  return { bits: 32, format: 3 };
}

/** GDAL writes integers plainly and floats with enough digits to round-trip. */
function formatNoData(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  return Number.isInteger(v) ? String(v) : String(Math.fround(v));
}

function assertAscii(name: string, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    assert(c > 0 && c < 128, () => `${name}: TIFF ASCII values must be 7-bit without NUL, got char code ${c} at ${i}`);
  }
}

function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Encodes one georeferenced raster as a GeoTIFF file. */
export function encodeGeoTiff(spec: GeoTiffSpec): ArrayBuffer {
  const { width: W, height: H, bands: C, data, geo } = spec;
  assertInteger('width', W, 1);
  assertInteger('height', H, 1);
  assertInteger('bands', C, 1);
  assert(data.length === C * H * W, () => `data has ${data.length} values, expected bands·height·width = ${C}·${H}·${W} = ${C * H * W}`);
  assert(geo.pixelSize > 0, () => `pixelSize must be > 0, got ${geo.pixelSize}`);
  assert(spec.bandDescriptions === undefined || spec.bandDescriptions.length === C, () => `bandDescriptions has ${spec.bandDescriptions?.length} entries for ${C} bands`);
  assert(spec.bandMetadata === undefined || spec.bandMetadata.length === C, () => `bandMetadata has ${spec.bandMetadata?.length} entries for ${C} bands`);
  // Pixels are copied through typed-array views, which use host byte order; every browser/Node target is little-endian.
  assert(hostIsLittleEndian(), 'encodeGeoTiff needs a little-endian host');

  const tile = spec.tileSize ?? Math.min(256, Math.ceil(Math.max(W, H) / 16) * 16);
  assert(Number.isInteger(tile) && tile >= 16 && tile % 16 === 0, () => `tileSize must be a positive multiple of 16 (TIFF 6.0 §15), got ${tile}`);
  const { bits, format } = sampleFormatOf(data);
  const bytesPerSample = bits / 8;
  const tilesAcross = Math.ceil(W / tile);
  const tilesDown = Math.ceil(H / tile);
  const nTiles = tilesAcross * tilesDown;
  const tileBytes = tile * tile * C * bytesPerSample;

  const citation = `${geo.citation}|WGS 84|`;
  assertAscii('CRS citation', citation);
  const geoKeys = [
    1, 1, 0, 7, // version 1.1.0, 7 keys
    1024, 0, 1, 1, // GTModelTypeGeoKey = projected
    1025, 0, 1, 1, // GTRasterTypeGeoKey = PixelIsArea
    1026, 34737, geo.citation.length + 1, 0, // GTCitationGeoKey
    2049, 34737, 7, geo.citation.length + 1, // GeogCitationGeoKey 'WGS 84'
    2054, 0, 1, 9102, // GeogAngularUnitsGeoKey = degree
    3072, 0, 1, geo.epsg, // ProjectedCSTypeGeoKey
    3076, 0, 1, 9001, // ProjLinearUnitsGeoKey = metre
  ];

  const tags: Tag[] = [
    { code: 256, type: TYPE_LONG, values: [W] },
    { code: 257, type: TYPE_LONG, values: [H] },
    { code: 258, type: TYPE_SHORT, values: new Array<number>(C).fill(bits) },
    { code: 259, type: TYPE_SHORT, values: [1] }, // no compression
    { code: 262, type: TYPE_SHORT, values: [1] }, // BlackIsZero: bands are measurements, not display colours
    { code: 277, type: TYPE_SHORT, values: [C] },
    { code: 284, type: TYPE_SHORT, values: [1] }, // chunky (GDAL's default INTERLEAVE=PIXEL)
    { code: 305, type: TYPE_ASCII, values: SOFTWARE },
    { code: 322, type: TYPE_SHORT, values: [tile] },
    { code: 323, type: TYPE_SHORT, values: [tile] },
    { code: 324, type: TYPE_LONG, values: new Array<number>(nTiles).fill(0) }, // TileOffsets, filled below
    { code: 325, type: TYPE_LONG, values: new Array<number>(nTiles).fill(tileBytes) },
    { code: 339, type: TYPE_SHORT, values: new Array<number>(C).fill(format) },
    { code: 33550, type: TYPE_DOUBLE, values: [geo.pixelSize, geo.pixelSize, 0] },
    { code: 33922, type: TYPE_DOUBLE, values: [0, 0, 0, geo.originX, geo.originY, 0] },
    { code: 34735, type: TYPE_SHORT, values: geoKeys },
    { code: 34737, type: TYPE_ASCII, values: citation },
  ];
  // Extra samples beyond the first are plain data channels (0 = unspecified), not alpha.
  if (C > 1) tags.push({ code: 338, type: TYPE_SHORT, values: new Array<number>(C - 1).fill(0) });
  if (spec.imageDescription !== undefined) tags.push({ code: 270, type: TYPE_ASCII, values: spec.imageDescription });
  if (spec.dateTime !== undefined) tags.push({ code: 306, type: TYPE_ASCII, values: tiffDateTime(spec.dateTime) });
  const hasGdalMetadata = spec.bandDescriptions !== undefined || spec.bandMetadata !== undefined || (spec.metadata && Object.keys(spec.metadata).length > 0);
  if (hasGdalMetadata) tags.push({ code: 42112, type: TYPE_ASCII, values: gdalMetadataXml(spec.metadata ?? {}, spec.bandDescriptions, spec.bandMetadata) });
  if (spec.noData !== undefined) tags.push({ code: 42113, type: TYPE_ASCII, values: formatNoData(spec.noData) });
  tags.sort((a, b) => a.code - b.code);

  // Layout: header (8) · IFD · out-of-line tag values · padding · tiles.
  const count = (t: Tag) => (typeof t.values === 'string' ? t.values.length + 1 : t.values.length);
  const ifdOffset = 8;
  const ifdSize = 2 + 12 * tags.length + 4;
  let extra = ifdOffset + ifdSize;
  const valueOffsets = new Map<Tag, number>();
  for (const t of tags) {
    if (typeof t.values === 'string') assertAscii(`tag ${t.code}`, t.values);
    const size = count(t) * TYPE_SIZE[t.type];
    if (size > 4) {
      valueOffsets.set(t, extra);
      extra += size + (size & 1); // word boundary (TIFF 6.0 §2)
    }
  }
  const dataStart = Math.ceil(extra / 16) * 16;
  const total = dataStart + nTiles * tileBytes;
  assert(total < 2 ** 32, () => `GeoTIFF of ${total} bytes exceeds classic TIFF's 4 GiB; use smaller rasters`);
  const offsetsTag = tags.find((t) => t.code === 324) as Tag;
  offsetsTag.values = Array.from({ length: nTiles }, (_, i) => dataStart + i * tileBytes);

  const buf = new ArrayBuffer(total);
  const view = new DataView(buf);
  const bytes = new Uint8Array(buf);
  bytes[0] = 0x49; // 'II' little-endian
  bytes[1] = 0x49;
  view.setUint16(2, 42, true);
  view.setUint32(4, ifdOffset, true);
  view.setUint16(ifdOffset, tags.length, true);
  tags.forEach((t, i) => {
    const entry = ifdOffset + 2 + 12 * i;
    const n = count(t);
    view.setUint16(entry, t.code, true);
    view.setUint16(entry + 2, t.type, true);
    view.setUint32(entry + 4, n, true);
    const at = valueOffsets.get(t) ?? entry + 8;
    if (valueOffsets.has(t)) view.setUint32(entry + 8, at, true);
    writeValues(view, bytes, at, t);
  });
  view.setUint32(ifdOffset + 2 + 12 * tags.length, 0, true); // no next IFD

  writeTiles(buf, dataStart, spec, tile, tilesAcross, tilesDown);
  return buf;
}

function writeValues(view: DataView, bytes: Uint8Array, at: number, t: Tag): void {
  if (typeof t.values === 'string') {
    for (let i = 0; i < t.values.length; i++) bytes[at + i] = t.values.charCodeAt(i);
    bytes[at + t.values.length] = 0;
    return;
  }
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    if (t.type === TYPE_SHORT) view.setUint16(at + 2 * i, v[i], true);
    else if (t.type === TYPE_LONG) view.setUint32(at + 4 * i, v[i], true);
    else view.setFloat64(at + 8 * i, v[i], true);
  }
}

/** Copies (C, H, W) band-sequential pixels into chunky tiles (row, column, band), padding edges with nodata. */
function writeTiles(buf: ArrayBuffer, dataStart: number, spec: GeoTiffSpec, tile: number, tilesAcross: number, tilesDown: number): void {
  const { width: W, height: H, bands: C, data } = spec;
  const plane = W * H;
  const total = tilesAcross * tilesDown * tile * tile * C;
  const out =
    data instanceof Uint8Array ? new Uint8Array(buf, dataStart, total) : data instanceof Uint16Array ? new Uint16Array(buf, dataStart, total) : new Float32Array(buf, dataStart, total);
  const pad = spec.noData ?? 0;
  if (pad !== 0) out.fill(pad);
  let o = 0;
  for (let ty = 0; ty < tilesDown; ty++) {
    for (let tx = 0; tx < tilesAcross; tx++) {
      for (let r = 0; r < tile; r++) {
        const y = ty * tile + r;
        if (y >= H) {
          o += (tile - r) * tile * C;
          break;
        }
        const x0 = tx * tile;
        const xs = Math.min(tile, W - x0);
        for (let c = 0; c < xs; c++) {
          const src = y * W + x0 + c;
          for (let b = 0; b < C; b++) out[o++] = data[b * plane + src];
        }
        o += (tile - xs) * C;
      }
    }
  }
}
