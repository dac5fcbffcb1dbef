/**
 * safetensors reader/writer (https://github.com/huggingface/safetensors, format spec in its README):
 *   8 bytes  little-endian u64 N = header length
 *   N bytes  UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, "__metadata__": {str: str} }
 *            (padded with spaces so the data starts 8-byte aligned)
 *   data     tensors back to back; offsets are relative to the start of the data section.
 * Checkpoints use it so weights load in PyTorch (`safetensors.torch.load_file`) and in MAESTRO's trainer after renaming.
 */

export type SafeDtype = 'F32' | 'F16' | 'I32' | 'U32' | 'U8' | 'I64' | 'F64';

export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  /** Raw little-endian bytes. */
  data: Uint8Array;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F16: 2, I32: 4, U32: 4, U8: 1, I64: 8, F64: 8 };

export function f32Tensor(shape: number[], values: Float32Array): SafeTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== values.length) throw new Error(`safetensors: shape [${shape}] holds ${n} values, got ${values.length}`);
  return { dtype: 'F32', shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export function writeSafetensors(tensors: Record<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n * BYTES[t.dtype] !== t.data.byteLength) {
      throw new Error(`safetensors: "${name}" has ${t.data.byteLength} bytes, expected ${n * BYTES[t.dtype]} for ${t.dtype}[${t.shape}]`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const name of names) {
    out.set(tensors[name].data, pos);
    pos += tensors[name].data.byteLength;
  }
  return out;
}

export interface ParsedSafetensors {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** Parses a safetensors file; throws a message naming the problem for truncated or malformed input. */
export function readSafetensors(bytes: Uint8Array): ParsedSafetensors {
  if (bytes.byteLength < 8) throw new Error('Not a safetensors file: shorter than its 8-byte header length.');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.byteLength) throw new Error(`Not a safetensors file (or truncated): header length ${n} exceeds the file size ${bytes.byteLength}.`);
  let header: Record<string, { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new Error('Not a safetensors file: its header is not valid JSON.');
  }
  const dataStart = 8 + n;
  const tensors: Record<string, SafeTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] };
    const [b, end] = e.data_offsets;
    if (!(e.dtype in BYTES)) throw new Error(`safetensors: tensor "${name}" has unsupported dtype ${e.dtype}.`);
    if (dataStart + end > bytes.byteLength || b > end) throw new Error(`safetensors: tensor "${name}" lies beyond the end of the file (truncated?).`);
    // Copy so the result is aligned and independent of the input buffer.
    tensors[name] = { dtype: e.dtype, shape: e.shape, data: bytes.slice(dataStart + b, dataStart + end) };
  }
  return { tensors, metadata };
}

export function tensorToF32(t: SafeTensor): Float32Array {
  if (t.dtype !== 'F32') throw new Error(`expected F32, got ${t.dtype}`);
  return new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4);
}
