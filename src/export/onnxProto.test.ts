// The hand-written ONNX protobuf writer: wire-format details checked byte for byte (varints incl. negative int64,
// fixed32 floats, length-delimited nesting), a whole ModelProto decoded field by field with an independent minimal
// decoder written here from the protobuf encoding spec, and a hand-built graph run by onnxruntime-web (wasm).
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './onnxGraph';
import { encodeOnnxModel, floatTensor, int64Tensor, ONNX_FLOAT, ProtoWriter } from './onnxProto';

/** One decoded field: varints as BigInt (two's complement kept), fixed32 as raw bytes, LEN as bytes. */
interface Field {
  field: number;
  wire: number;
  value: bigint | Uint8Array;
}

function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    const byte = b[pos++];
    v |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (byte < 0x80) return [v, pos];
  }
}

function decode(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < b.length) {
    const [key, p] = readVarint(b, pos);
    pos = p;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, q] = readVarint(b, pos);
      out.push({ field, wire, value: v });
      pos = q;
    } else if (wire === 2) {
      const [len, q] = readVarint(b, pos);
      out.push({ field, wire, value: b.subarray(q, q + Number(len)) });
      pos = q + Number(len);
    } else if (wire === 5) {
      out.push({ field, wire, value: b.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  expect(pos).toBe(b.length);
  return out;
}

const all = (fs: Field[], n: number) => fs.filter((f) => f.field === n);
const one = (fs: Field[], n: number) => {
  const xs = all(fs, n);
  expect(xs.length, `field ${n}`).toBe(1);
  return xs[0].value;
};
const str = (v: bigint | Uint8Array) => new TextDecoder().decode(v as Uint8Array);
const sub = (v: bigint | Uint8Array) => decode(v as Uint8Array);

describe('ProtoWriter wire format', () => {
  it('encodes varints, negative int64 and fixed32 floats as the protobuf spec says', () => {
    const w = new ProtoWriter();
    w.int(1, 150); // the spec's example: 08 96 01
    w.int(2, 0);
    w.int(3, -1); // int64 −1: ten bytes ff ff ff ff ff ff ff ff ff 01
    w.int(4, 2 ** 40);
    w.float(5, 1.5);
    w.string(6, 'é');
    const bytes = Array.from(w.finish());
    expect(bytes.slice(0, 3)).toEqual([0x08, 0x96, 0x01]);
    expect(bytes.slice(3, 5)).toEqual([0x10, 0x00]);
    expect(bytes.slice(5, 16)).toEqual([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const f = decode(new Uint8Array(bytes));
    expect(one(f, 4)).toBe(2n ** 40n);
    expect(new DataView((one(f, 5) as Uint8Array).slice().buffer).getFloat32(0, true)).toBe(1.5);
    expect(Array.from(one(f, 6) as Uint8Array)).toEqual([0xc3, 0xa9]);
    expect(() => w.int(7, 2 ** 60)).toThrow(/safe integer/);
  });

  it('writes a ModelProto whose fields decode back to what was given', () => {
    const bytes = encodeOnnxModel({
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producerName: 'p',
      producerVersion: 'v',
      metadata: { k: 'val' },
      graph: {
        name: 'g',
        nodes: [{ opType: 'Reshape', name: 'n0', inputs: ['x', 'shape'], outputs: ['y'], attributes: [{ name: 'allowzero', kind: 'int', value: 0 }] }],
        initializers: [int64Tensor('shape', [2], [-1, 6]), floatTensor('w', [2], [0.25, -2])],
        inputs: [{ name: 'x', elemType: ONNX_FLOAT, shape: ['batch', 2, 3] }],
        outputs: [{ name: 'y', elemType: ONNX_FLOAT, shape: ['batch', 6] }],
      },
    });
    const model = decode(bytes);
    expect(one(model, 1)).toBe(8n); // ir_version
    expect(str(one(model, 2))).toBe('p');
    const opset = sub(one(model, 8));
    expect(one(opset, 2)).toBe(17n);
    expect(all(opset, 1)).toEqual([]); // default domain omitted
    const meta = sub(one(model, 14));
    expect([str(one(meta, 1)), str(one(meta, 2))]).toEqual(['k', 'val']);
    const graph = sub(one(model, 7));
    expect(str(one(graph, 2))).toBe('g');
    const node = sub(one(graph, 1));
    expect(all(node, 1).map((f) => str(f.value))).toEqual(['x', 'shape']);
    expect(str(one(node, 4))).toBe('Reshape');
    const attr = sub(one(node, 5));
    expect([str(one(attr, 1)), one(attr, 20), one(attr, 3)]).toEqual(['allowzero', 2n, 0n]); // type INT
    const [shapeT, wT] = all(graph, 5).map((f) => sub(f.value));
    expect(all(shapeT, 1).map((f) => f.value)).toEqual([2n]); // dims
    expect(one(shapeT, 2)).toBe(7n); // INT64
    const raw = one(shapeT, 9) as Uint8Array;
    expect(new DataView(raw.slice().buffer).getBigInt64(0, true)).toBe(-1n);
    expect(Array.from(new Float32Array((one(wT, 9) as Uint8Array).slice().buffer))).toEqual([0.25, -2]);
    const input = sub(one(graph, 11));
    const tensorType = sub(one(sub(one(input, 2)), 1));
    expect(one(tensorType, 1)).toBe(1n); // FLOAT
    const dims = all(sub(one(tensorType, 2)), 1).map((d) => sub(d.value));
    expect(str(one(dims[0], 2))).toBe('batch'); // dim_param
    expect([one(dims[1], 1), one(dims[2], 1)]).toEqual([2n, 3n]); // dim_value
  });
});

describe('GraphBuilder graphs run in onnxruntime-web', () => {
  it.each([17, 20])('opset %i: Reshape(-1) → LayerNormalization → GELU → ReduceMean with a symbolic batch', async (opset) => {
    ort.env.wasm.numThreads = 1;
    const gb = new GraphBuilder(opset);
    const x = gb.reshape('x', [-1, 4], 'flat'); // (b, 4)
    const ln = gb.layerNorm(x, gb.floatInit('g', [4], [1, 2, 3, 4]), gb.floatInit('b', [4], [0, 0, 0, 1]), 1e-5);
    const y = gb.reduceMean(gb.gelu(ln), [1]); // (b, 1)
    gb.node('Identity', [y], { outputs: ['y'] });
    const bytes = encodeOnnxModel({
      irVersion: opset >= 20 ? 9 : 8,
      opsets: [{ domain: '', version: opset }],
      producerName: 'test',
      producerVersion: '0',
      graph: gb.build('t', [{ name: 'x', elemType: ONNX_FLOAT, shape: ['batch', 2, 2] }], [{ name: 'y', elemType: ONNX_FLOAT, shape: ['batch', 1] }]),
    });
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const input = [1, 2, 3, 4, -1, 0, 0, 5];
    const res = await session.run({ x: new ort.Tensor('float32', Float32Array.from(input), [2, 2, 2]) });
    const got = Array.from(res.y.data as Float32Array);
    // float64 expectation written out: LayerNorm per row of 4, affine, exact GELU ½·v·(1 + erf(v/√2)), mean.
    const erf = (z: number) => {
      // Abramowitz–Stegun 7.1.6 series; 60 terms are exact to double precision for the |z| < 3 met here.
      let term = z;
      let sum = z;
      for (let n = 0; n < 60; n++) {
        term *= (2 * z * z) / (2 * n + 3);
        sum += term;
      }
      return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
    };
    const want = [0, 1].map((r) => {
      const row = input.slice(4 * r, 4 * r + 4);
      const mu = row.reduce((a, v) => a + v, 0) / 4;
      const rstd = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mu) ** 2, 0) / 4 + 1e-5);
      const ln = row.map((v, i) => (v - mu) * rstd * [1, 2, 3, 4][i] + [0, 0, 0, 1][i]);
      return ln.reduce((a, v) => a + 0.5 * v * (1 + erf(v / Math.SQRT2)), 0) / 4;
    });
    expect(res.y.dims).toEqual([2, 1]);
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(1e-5));
    await session.release();
  });
});
