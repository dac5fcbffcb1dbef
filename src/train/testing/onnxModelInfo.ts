/**
 * A minimal, independent reader of an ONNX ModelProto for tests (the encoder handler's GPU test and the e2e test of
 * the downloaded file): IR version, opset imports, producer, graph inputs/outputs with element type and shape
 * (symbolic dims as their names), node and initializer counts, metadata. Written from onnx/onnx.proto field numbers and
 * the protobuf wire format, NOT from src/export/onnxProto.ts, so a writer bug cannot hide in a shared decoder.
 * Throws on anything that is not well-formed protobuf (a truncated file, an HTML page served instead of the model).
 * Test-only: imports nothing.
 */

export interface OnnxValueSummary {
  name: string;
  /** TensorProto.DataType (1 = float32). */
  elemType: number;
  shape: (number | string)[];
}

export interface OnnxModelSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  graphName: string;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  nodes: number;
  initializers: number;
  metadata: Record<string, string>;
}

interface Field {
  field: number;
  wire: number;
  int: bigint;
  bytes: Uint8Array;
}

function varint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++];
    v |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (byte < 0x80) return [v, pos];
  }
  throw new Error('varint longer than 10 bytes');
}

function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  const none = new Uint8Array(0);
  let pos = 0;
  while (pos < b.length) {
    const [key, p] = varint(b, pos);
    pos = p;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new Error('field number 0');
    if (wire === 0) {
      const [v, q] = varint(b, pos);
      out.push({ field, wire, int: v, bytes: none });
      pos = q;
    } else if (wire === 2) {
      const [len, q] = varint(b, pos);
      const end = q + Number(len);
      if (end > b.length) throw new Error(`field ${field} runs past the end`);
      out.push({ field, wire, int: 0n, bytes: b.subarray(q, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > b.length) throw new Error(`field ${field} runs past the end`);
      out.push({ field, wire, int: 0n, bytes: b.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const first = (fs: Field[], n: number) => fs.find((f) => f.field === n);
const signed = (v: bigint) => Number(BigInt.asIntN(64, v));

function valueInfo(b: Uint8Array): OnnxValueSummary {
  const f = fields(b);
  const name = text(first(f, 1)?.bytes ?? new Uint8Array(0));
  const type = first(f, 2);
  const tensor = type ? first(fields(type.bytes), 1) : undefined; // TypeProto.tensor_type
  const tf = tensor ? fields(tensor.bytes) : [];
  const elemType = Number(first(tf, 1)?.int ?? 0n);
  const shapeField = first(tf, 2);
  const shape = shapeField
    ? fields(shapeField.bytes)
        .filter((d) => d.field === 1)
        .map((d) => {
          const df = fields(d.bytes);
          const value = first(df, 1);
          const param = first(df, 2);
          return value ? signed(value.int) : text(param?.bytes ?? new Uint8Array(0));
        })
    : [];
  return { name, elemType, shape };
}

/** Reads the summary of ONNX model bytes. */
export function readOnnxModel(bytes: Uint8Array): OnnxModelSummary {
  const m = fields(bytes);
  const graph = first(m, 7);
  if (!first(m, 1) || !graph) throw new Error('not an ONNX ModelProto (no ir_version or graph)');
  const g = fields(graph.bytes);
  const metadata: Record<string, string> = {};
  for (const e of m.filter((f) => f.field === 14)) {
    const ef = fields(e.bytes);
    metadata[text(first(ef, 1)?.bytes ?? new Uint8Array(0))] = text(first(ef, 2)?.bytes ?? new Uint8Array(0));
  }
  return {
    irVersion: Number(first(m, 1)!.int),
    opsets: m
      .filter((f) => f.field === 8)
      .map((o) => {
        const of = fields(o.bytes);
        return { domain: text(first(of, 1)?.bytes ?? new Uint8Array(0)), version: Number(first(of, 2)?.int ?? 0n) };
      }),
    producer: text(first(m, 2)?.bytes ?? new Uint8Array(0)),
    graphName: text(first(g, 2)?.bytes ?? new Uint8Array(0)),
    inputs: g.filter((f) => f.field === 11).map((f) => valueInfo(f.bytes)),
    outputs: g.filter((f) => f.field === 12).map((f) => valueInfo(f.bytes)),
    nodes: g.filter((f) => f.field === 1).length,
    initializers: g.filter((f) => f.field === 5).length,
    metadata,
  };
}
