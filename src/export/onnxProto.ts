/**
 * A minimal ONNX protobuf writer: the seven messages an inference graph needs (ModelProto, GraphProto, NodeProto,
 * TensorProto with raw_data, ValueInfoProto with symbolic dims, AttributeProto, OperatorSetIdProto), encoded by hand
 * in the protobuf wire format so the studio can write .onnx files with no dependency.
 *
 * Invariants:
 * - Field numbers and wire types are those of onnx/onnx.proto (IR v8/v9); comments name each field.
 * - Repeated scalars (dims, ints, floats) are written unpacked, the proto2 default of onnx.proto; every protobuf
 *   parser accepts that form.
 * - int64 values go through BigInt so negative numbers (Slice ends, Reshape −1) take the ten-byte two's-complement
 *   varint protobuf requires; only safe integers are accepted.
 * - Tensor payloads are little-endian `raw_data` (the byte order ONNX specifies for raw_data).
 * Reference: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto, https://protobuf.dev/programming-guides/encoding/.
 */
import { assert } from '../lib/assert';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export type OnnxDataType = typeof ONNX_FLOAT | typeof ONNX_INT64;

export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  dims: readonly number[];
  /** Little-endian element bytes (float32 or int64). */
  raw: Uint8Array;
}

export type OnnxAttribute =
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'floats'; value: readonly number[] }
  | { name: string; kind: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
  /** Operator domain; '' = the default ai.onnx domain. */
  domain?: string;
}

/** A dimension is a fixed size or a symbolic name such as 'batch'. */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: readonly OnnxDim[];
  doc?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  doc?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  doc?: string;
  graph: OnnxGraph;
  /** ModelProto.metadata_props (string → string). */
  metadata?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
export const WIRE = { VARINT: WIRE_VARINT, FIXED64: WIRE_FIXED64, LEN: WIRE_LEN, FIXED32: WIRE_FIXED32 } as const;

const utf8 = new TextEncoder();
/** Scratch chunk size of ProtoWriter; payloads above a quarter of it are referenced, not copied. */
const SCRATCH = 1024;
const F32_SCRATCH = new DataView(new ArrayBuffer(4));

/**
 * Appends protobuf fields as a list of byte chunks: small writes (tags, varints, names) fill a scratch chunk, large
 * payloads (raw_data) are kept BY REFERENCE, and a nested message is appended as tag + length + the child's chunks.
 * Lengths are known bottom-up, so nothing is patched and the payload bytes are copied exactly once, by `finish()`
 * into one buffer of the exact size — a 850 MB model needs about its own size in extra memory, not a multiple.
 * Invariant: referenced payloads must not change before `finish()` (encodeOnnxModel is synchronous).
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private cur = new Uint8Array(SCRATCH);
  private curLen = 0;
  private total = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.total;
  }

  private flush(): void {
    if (this.curLen === 0) return;
    this.parts.push(this.cur.subarray(0, this.curLen));
    this.cur = new Uint8Array(SCRATCH);
    this.curLen = 0;
  }

  private byte(b: number): void {
    if (this.curLen === this.cur.length) this.flush();
    this.cur[this.curLen++] = b;
    this.total++;
  }

  /** Unsigned base-128 varint of a non-negative BigInt < 2^64. */
  private varintBig(v: bigint): void {
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  /** int64 / int32 / enum / bool as a varint; negatives as 64-bit two's complement (ten bytes), as protobuf requires. */
  varint(v: number): void {
    assert(Number.isSafeInteger(v), () => `protobuf varint: ${v} is not a safe integer`);
    if (v >= 0) {
      // Number arithmetic is exact below 2^53, so only negatives need BigInt.
      while (v >= 0x80) {
        this.byte((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.byte(v);
    } else this.varintBig(BigInt.asUintN(64, BigInt(v)));
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Appends bytes: copied when small, referenced when large. */
  bytes(data: Uint8Array): void {
    if (data.length <= SCRATCH / 4) {
      for (let i = 0; i < data.length; i++) this.byte(data[i]);
      return;
    }
    this.flush();
    this.parts.push(data);
    this.total += data.length;
  }

  /** Appends another writer's bytes (by reference). */
  private append(w: ProtoWriter): void {
    w.flush();
    this.flush();
    for (const p of w.parts) this.parts.push(p);
    this.total += w.total;
  }

  // Fields ------------------------------------------------------------------------------------------------------

  int(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, WIRE_FIXED32);
    F32_SCRATCH.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.byte(F32_SCRATCH.getUint8(i));
  }

  /** A bytes/string field; `data` is referenced when large (see the class comment). */
  lenDelimited(field: number, data: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.bytes(data);
  }

  string(field: number, s: string): void {
    this.lenDelimited(field, utf8.encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): void {
    const w = new ProtoWriter();
    build(w);
    this.tag(field, WIRE_LEN);
    this.varint(w.length);
    this.append(w);
  }

  /** One buffer of exactly `length` bytes. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ONNX messages (field numbers from onnx.proto)

/** AttributeProto.AttributeType. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  const elem = t.dataType === ONNX_FLOAT ? 4 : 8;
  const n = t.dims.reduce((a, b) => a * b, 1);
  assert(t.raw.length === n * elem, () => `ONNX tensor "${t.name}": ${t.raw.length} bytes for dims [${t.dims.join(', ')}] of ${elem}-byte elements`);
  for (const d of t.dims) w.int(1, d); // dims
  w.int(2, t.dataType); // data_type
  w.string(8, t.name); // name
  w.lenDelimited(9, t.raw); // raw_data
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name); // name
  w.int(20, ATTR_TYPE[a.kind]); // type
  switch (a.kind) {
    case 'float':
      w.float(2, a.value); // f
      break;
    case 'int':
      w.int(3, a.value); // i
      break;
    case 'string':
      w.string(4, a.value); // s
      break;
    case 'tensor':
      w.message(5, (m) => writeTensor(m, a.value)); // t
      break;
    case 'floats':
      for (const v of a.value) w.float(7, v); // floats
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v); // ints
      break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i); // input
  for (const o of n.outputs) w.string(2, o); // output
  w.string(3, n.name); // name
  w.string(4, n.opType); // op_type
  for (const a of n.attributes ?? []) w.message(5, (m) => writeAttribute(m, a)); // attribute
  if (n.domain) w.string(7, n.domain); // domain
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name); // name
  w.message(2, (type) =>
    // TypeProto.tensor_type
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType); // elem_type
      tensor.message(2, (shape) => {
        for (const d of v.shape)
          shape.message(1, (dim) => {
            // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
            if (typeof d === 'number') dim.int(1, d);
            else dim.string(2, d);
          });
      });
    }),
  );
  if (v.doc) w.string(3, v.doc); // doc_string
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n)); // node
  w.string(2, g.name); // name
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t)); // initializer
  if (g.doc) w.string(10, g.doc); // doc_string
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v)); // input
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v)); // output
}

/** Serialises a model to .onnx bytes. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion); // ir_version
  w.string(2, model.producerName); // producer_name
  w.string(3, model.producerVersion); // producer_version
  if (model.doc) w.string(6, model.doc); // doc_string
  w.message(7, (m) => writeGraph(m, model.graph)); // graph
  for (const o of model.opsets)
    w.message(8, (m) => {
      // OperatorSetIdProto
      if (o.domain) m.string(1, o.domain);
      m.int(2, o.version);
    });
  for (const [key, value] of Object.entries(model.metadata ?? {}))
    w.message(14, (m) => {
      // StringStringEntryProto
      m.string(1, key);
      m.string(2, value);
    });
  const bytes = w.finish();
  // protobuf (and so every ONNX loader) refuses messages of 2 GiB or more; such models need external data.
  assert(bytes.length < 2 ** 31, () => `ONNX model of ${bytes.length} bytes exceeds protobuf's 2 GiB limit`);
  return bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// Tensor payload helpers

/**
 * A float32 tensor. A Float32Array is used IN PLACE on little-endian hosts (its bytes are already raw_data; no copy
 * of the model's weights), so it must not change until the model is encoded; other inputs are converted.
 */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): OnnxTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  assert(values.length === n, () => `ONNX tensor "${name}": ${values.length} values for dims [${dims.join(', ')}]`);
  if (values instanceof Float32Array && littleEndian()) return { name, dataType: ONNX_FLOAT, dims: [...dims], raw: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  const raw = new Uint8Array(Float32Array.from(values).buffer);
  if (!littleEndian()) swapBytes(raw, 4);
  return { name, dataType: ONNX_FLOAT, dims: [...dims], raw };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): OnnxTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  assert(values.length === n, () => `ONNX tensor "${name}": ${values.length} values for dims [${dims.join(', ')}]`);
  const raw = new Uint8Array(8 * n);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => {
    assert(Number.isSafeInteger(v), () => `ONNX int64 tensor "${name}": ${v} is not a safe integer`);
    dv.setBigInt64(8 * i, BigInt(v), true);
  });
  return { name, dataType: ONNX_INT64, dims: [...dims], raw };
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function swapBytes(raw: Uint8Array, size: number): void {
  for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
}
