/**
 * GraphBuilder: records ONNX nodes and initializers with unique value names, and hides the two opset differences the
 * encoder export meets (ReduceMean's axes are an attribute before opset 18 and an input from 18 on; the Gelu operator
 * exists from opset 20, below it GELU is written with Erf).
 *
 * Invariants: every value name is produced once (generated names carry a running counter); initializers are
 * deduplicated by name (asking twice for the same name returns it, so shared constants such as Reshape shapes are
 * stored once); integer shape/axes constants are int64 initializers, as ONNX requires.
 * Reference: https://onnx.ai/onnx/operators/ (operator signatures per opset).
 */
import { assert } from '../lib/assert';
import { floatTensor, int64Tensor, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxProto';

export class GraphBuilder {
  readonly opset: number;
  private readonly nodes: OnnxNode[] = [];
  private readonly inits = new Map<string, OnnxTensor>();
  private counter = 0;

  constructor(opset: number) {
    assert(Number.isInteger(opset) && opset >= 17, () => `ONNX opset ${opset} is not supported (LayerNormalization needs ≥ 17)`);
    this.opset = opset;
  }

  /** A fresh value name derived from `hint`. */
  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** Adds a node; returns its outputs (fresh names from `hint` unless `outputs` are given). */
  node(opType: string, inputs: readonly string[], opts: { hint?: string; attrs?: OnnxAttribute[]; outputs?: string[]; nOut?: number } = {}): string[] {
    const hint = opts.hint ?? opType;
    const outputs = opts.outputs ?? Array.from({ length: opts.nOut ?? 1 }, () => this.fresh(hint));
    this.nodes.push({ opType, name: this.fresh(`n.${hint}`), inputs, outputs, attributes: opts.attrs });
    return outputs;
  }

  /** Single-output node. */
  op(opType: string, inputs: readonly string[], hint?: string, attrs?: OnnxAttribute[]): string {
    return this.node(opType, inputs, { hint, attrs })[0];
  }

  /** A float32 initializer (stored once per name). */
  floatInit(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    if (!this.inits.has(name)) this.inits.set(name, floatTensor(name, dims, values));
    return name;
  }

  /** An int64 initializer, named by its values so identical constants are shared. */
  int64Const(values: readonly number[]): string {
    const name = `const.i64[${values.join(',')}]`;
    if (!this.inits.has(name)) this.inits.set(name, int64Tensor(name, [values.length], values));
    return name;
  }

  /** An int64 scalar constant (rank 0), e.g. a Gather index. */
  int64Scalar(v: number): string {
    const name = `const.i64(${v})`;
    if (!this.inits.has(name)) this.inits.set(name, int64Tensor(name, [], [v]));
    return name;
  }

  /** A float32 scalar constant (rank 0). */
  scalar(v: number): string {
    const name = `const.f32(${v})`;
    if (!this.inits.has(name)) this.inits.set(name, floatTensor(name, [], [v]));
    return name;
  }

  // Operators -----------------------------------------------------------------------------------------------------

  reshape(x: string, shape: readonly number[], hint = 'reshape'): string {
    return this.op('Reshape', [x, this.int64Const(shape)], hint);
  }

  transpose(x: string, perm: readonly number[], hint = 'transpose'): string {
    return this.op('Transpose', [x], hint, [{ name: 'perm', kind: 'ints', value: perm }]);
  }

  /** x[..., starts:ends, ...] along `axes`. */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], hint = 'slice'): string {
    return this.op('Slice', [x, this.int64Const(starts), this.int64Const(ends), this.int64Const(axes)], hint);
  }

  concat(xs: readonly string[], axis: number, hint = 'concat'): string {
    if (xs.length === 1) return xs[0];
    return this.op('Concat', xs, hint, [{ name: 'axis', kind: 'int', value: axis }]);
  }

  /** Mean over `axes`, dimensions kept. */
  reduceMean(x: string, axes: readonly number[], hint = 'mean'): string {
    const keep: OnnxAttribute = { name: 'keepdims', kind: 'int', value: 1 };
    if (this.opset >= 18) return this.op('ReduceMean', [x, this.int64Const(axes)], hint, [keep]);
    return this.op('ReduceMean', [x], hint, [{ name: 'axes', kind: 'ints', value: axes }, keep]);
  }

  /** LayerNormalization over the last axis (opset 17): (x − μ)/sqrt(σ² + eps)·γ + β, biased variance. */
  layerNorm(x: string, gamma: string, beta: string, eps: number, hint = 'ln'): string {
    return this.op('LayerNormalization', [x, gamma, beta], hint, [
      { name: 'axis', kind: 'int', value: -1 },
      { name: 'epsilon', kind: 'float', value: eps },
    ]);
  }

  /** Exact GELU x·Φ(x): the Gelu operator (opset ≥ 20, approximate='none') or ½·x·(1 + erf(x/√2)). */
  gelu(x: string, hint = 'gelu'): string {
    if (this.opset >= 20) return this.op('Gelu', [x], hint, [{ name: 'approximate', kind: 'string', value: 'none' }]);
    const e = this.op('Erf', [this.op('Mul', [x, this.scalar(Math.SQRT1_2)], `${hint}.scaled`)], `${hint}.erf`);
    const onePlus = this.op('Add', [e, this.scalar(1)], `${hint}.1p`);
    return this.op('Mul', [this.op('Mul', [x, onePlus], `${hint}.x1p`), this.scalar(0.5)], hint);
  }

  /** The recorded graph. */
  build(name: string, inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[], doc?: string): OnnxGraph {
    return { name, nodes: [...this.nodes], initializers: [...this.inits.values()], inputs, outputs, doc };
  }
}
