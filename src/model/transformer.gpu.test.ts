// GPU transformer stack vs the float64 reference (transformer.ref.ts): output, input gradient and every parameter
// gradient, for stacks of 0, 1 and 2 blocks with widths and token counts that are not multiples of any tile size.
// Parameters and gradients live in one flat buffer each, as in the training graph.
import { describe, expect, it } from 'vitest';
import { TensorAllocator } from '../gpu/allocator';
import { createBufferFrom } from '../gpu/buffers';
import { gpuCase } from '../gpu/testing/harness';
import { viewOf, VIEW_ALIGN, type GpuTensor } from '../gpu/tensor';
import { submitDispatches } from '../kernels/dispatch';
import { allClose } from '../lib/allclose';
import { Rng } from '../lib/rng';
import type { TransformerParams } from './params';
import { transformerBackwardRef, transformerForwardRef, type RefTransformer } from './transformer.ref';
import { allocStackScratch, buildStack } from './transformer';

interface Leaf {
  offset: number;
  shape: number[];
}

/** Lays a stack's tensors out in one flat array (64-aligned), like params.ts does for the whole model. */
function layout(depth: number, D: number, M: number) {
  let off = 0;
  const leaf = (...shape: number[]): Leaf => {
    const l = { offset: off, shape };
    off += Math.ceil(shape.reduce((a, b) => a * b, 1) / VIEW_ALIGN) * VIEW_ALIGN;
    return l;
  };
  const norm = () => ({ g: leaf(D), b: leaf(D) });
  const stack: TransformerParams<Leaf> = {
    blocks: Array.from({ length: depth }, () => ({
      ln1: norm(),
      qkv: leaf(D, 3 * D),
      proj: { w: leaf(D, D), b: leaf(D) },
      ln2: norm(),
      fc1: { w: leaf(D, M), b: leaf(M) },
      fc2: { w: leaf(M, D), b: leaf(D) },
    })),
    ln: norm(),
  };
  return { stack, size: off };
}

function mapStack<A, B>(s: TransformerParams<A>, f: (a: A) => B): TransformerParams<B> {
  const n = (x: { g: A; b: A }) => ({ g: f(x.g), b: f(x.b) });
  const l = (x: { w: A; b: A }) => ({ w: f(x.w), b: f(x.b) });
  return {
    blocks: s.blocks.map((b) => ({ ln1: n(b.ln1), qkv: f(b.qkv), proj: l(b.proj), ln2: n(b.ln2), fc1: l(b.fc1), fc2: l(b.fc2) })),
    ln: n(s.ln),
  };
}

function leaves<A>(s: TransformerParams<A>): A[] {
  const out: A[] = [];
  mapStack(s, (a) => out.push(a));
  return out;
}

const cases = [
  { depth: 0, B: 2, N: 5, D: 12, NH: 2, M: 24 },
  { depth: 1, B: 2, N: 7, D: 16, NH: 2, M: 32 },
  { depth: 2, B: 3, N: 11, D: 24, NH: 3, M: 44 },
];

describe('GPU transformer stack vs reference', () => {
  for (const c of cases) {
    it(`depth ${c.depth}, (B, N, D) = (${c.B}, ${c.N}, ${c.D}), ${c.NH} heads, MLP ${c.M}`, async () => {
      await gpuCase(async ({ device, scope, upload, read }) => {
        const { B, N, D, NH, M, depth } = c;
        const rng = new Rng(depth * 100 + N);
        const { stack: lay, size } = layout(depth, D, M);
        const flat = new Float64Array(size);
        for (const l of leaves(lay)) {
          const n = l.shape.reduce((a, b) => a * b, 1);
          for (let i = 0; i < n; i++) flat[l.offset + i] = rng.normal() * (l.shape.length === 1 ? 0.3 : 0.4) + (l.shape.length === 1 && l.offset % 2 === 0 ? 1 : 0);
        }
        const x = rng.normalArray(B * N * D);
        const dOut = rng.normalArray(B * N * D);
        const refW: RefTransformer = mapStack(lay, (l) => flat.slice(l.offset, l.offset + l.shape.reduce((a, b) => a * b, 1)));
        const refG: RefTransformer = mapStack(lay, (l) => new Float64Array(l.shape.reduce((a, b) => a * b, 1)));
        const dims = { B, N, D, NH, M, eps: 1e-5 };
        const fwd = transformerForwardRef(x, refW, dims);
        const dxRef = transformerBackwardRef(dOut, refW, refG, fwd.acts, dims);

        const pBuf = scope.track(await createBufferFrom(device, 'params', Float32Array.from(flat)));
        const gBuf = scope.track(await createBufferFrom(device, 'grads', new Float32Array(size)));
        const view = (buf: GPUBuffer) => (l: Leaf): GpuTensor => viewOf(buf, l.offset, l.shape, `${buf.label}@${l.offset}`);
        const alloc = new TensorAllocator(device, 'test');
        try {
          const shape = { B, N, D, NH, M, eps: 1e-5 };
          const scratch = allocStackScratch(alloc, 'scratch', shape);
          const dOutT = await upload('dOut', dOut);
          const dIn = alloc.tensor('dIn', [B, N, D]);
          const st = await buildStack(scope, alloc, 'stack', mapStack(lay, view(pBuf)), mapStack(lay, view(gBuf)), shape, scratch, { dOut: dOutT, dIn });
          device.queue.writeBuffer(st.input.buffer, 0, Float32Array.from(x));
          submitDispatches(device, [...st.forward, ...st.backward]);
          const out = allClose(await read(st.out), fwd.out, 2e-4, 2e-3);
          expect(out.ok, `forward: ${out.message}`).toBe(true);
          const dx = allClose(await read(dIn), dxRef, 2e-4, 5e-3);
          expect(dx.ok, `dx: ${dx.message}`).toBe(true);
          const grads = await read({ buffer: gBuf, offset: 0, size, shape: [size], label: 'grads' });
          const gl = leaves(lay);
          const rl = leaves(refG);
          gl.forEach((l, i) => {
            const n = l.shape.reduce((a, b) => a * b, 1);
            const r = allClose(grads.subarray(l.offset, l.offset + n), rl[i], 3e-4, 5e-3);
            expect(r.ok, `gradient leaf ${i} (shape ${l.shape}): ${r.message}`).toBe(true);
          });
        } finally {
          alloc.destroy();
        }
      });
    });
  }
});
