/**
 * The MAESTRO masked autoencoder on the GPU: forward, hand-written backward and loss as recorded dispatch lists over
 * hand-written WGSL kernels. It follows mae.ref.ts (the float64 oracle that defines the semantics) step for step:
 *
 *   forwardEncoder:  per (modality m, token group j) patchify → Linear → GroupNorm(1, E) → into the group sequence
 *                    X_g (B, N_g, E) → + [PE ‖ DE] → keep visible tokens (B, K_g, E) → group Transformer
 *                    → inter-group Transformer over all groups' visible tokens → split back
 *   forwardDecoder:  Linear(E, Dd) → scatter to (B, N_g, Dd) with mask tokens at masked positions → + [PE ‖ DE]
 *                    → group decoder Transformer → per segment pixel head Linear(Dd, P²·Cj)
 *   forwardLoss:     targets = patch(-group)-normalised patches; masked L1/L2 per segment, weighted on the CPU
 *   backward:        the same in reverse, every parameter gradient accumulated into one flat buffer
 *
 * Geographic encoding (config.geoEncoding 'gsd' | 'full', A²-MAE-style, geo.ts): per group a constant feature
 * matrix Φ_g (B, N_g, Fg) is uploaded with the batch; the forward adds Φ_g·W (matmul, accumulating) to X_g and to the
 * decoder input, the backward accumulates dW = Φ_gᵀ·dX_g and Φ_gᵀ·dFull_g (matmul, transA) — as mae.ref.ts.
 *
 * Shapes are fixed per graph: batch B and the visible counts K_g (masking gives every sample of a group the same K).
 * Per step the caller uploads pixels, masks, encodings and loss scales (`upload`), then submits forward + backward.
 * Parameters, gradients and AdamW moments are flat buffers in the params.ts layout; activations each own a buffer
 * (see gpu/allocator.ts for why).
 */
import { TensorAllocator } from '../gpu/allocator';
import { createBufferUnchecked } from '../gpu/buffers';
import type { ResourceScope } from '../gpu/scope';
import { viewOf, wholeTensor, type GpuTensor } from '../gpu/tensor';
import type { Dispatch } from '../kernels/dispatch';
import { fillForward } from '../kernels/elementwise';
import { encodingAdd } from '../kernels/encoding';
import { gatherBackward, gatherForward, scatterBackward, scatterForward } from '../kernels/gather';
import { groupNormBackward, groupNormForward } from '../kernels/groupnorm';
import { linearBackward, linearForward } from '../kernels/linear';
import { maskedLossBackward, maskedLossForward } from '../kernels/loss';
import { maskTokenBackward, maskTokenForward } from '../kernels/masktoken';
import { matmulForward } from '../kernels/matmul';
import { patchifyForward } from '../kernels/patchify';
import { rowCopy } from '../kernels/rowcopy';
import { targetNormForward } from '../kernels/targetnorm';
import type { Batch } from '../data/sample';
import { assert } from '../lib/assert';
import { type MaeConfig, gridSize, normGroupsOfTokenGroup, tokenGroupRanges } from './config';
import { encodingTables } from './encodings';
import { geoFeatureMatrices, geoFeatureWidth } from './geo';
import { maskFlags, shuffleIds, type GroupMask } from './masking';
import { buildParamLayout, paramViews, type MaeParams, type ParamLayout } from './params';
import { allocStackScratch, buildStack, type StackScratch, type StackShape } from './transformer';

// ---------------------------------------------------------------------------------------------------------------
// Geometry: where each (modality, token group) segment lies in its fusion-group sequence

export interface Segment {
  /** Modality index (config order) and token group. */
  m: number;
  j: number;
  g: number;
  /** First row of the segment in the group sequence; it spans T·L rows ordered (date, location). */
  start: number;
  T: number;
  L: number;
  /** Channels of the token group and their normalisation groups. */
  bands: number[];
  normGroups: number[];
  /** Values per token: P²·Cj. */
  V: number;
}

export interface Geometry {
  /** [g] full sequence lengths. */
  N: number[];
  /** [m] first row of modality m in its group sequence. */
  offset: number[];
  groupOf: number[];
  segments: Segment[];
}

export function maeGeometry(config: MaeConfig): Geometry {
  const segments: Segment[] = [];
  const offset = new Array<number>(config.modalities.length).fill(0);
  const groupOf = new Array<number>(config.modalities.length).fill(0);
  const N = config.groups.map((grp, g) => {
    let n = 0;
    for (const name of grp.modalities) {
      const m = config.modalities.findIndex((x) => x.name === name);
      const mod = config.modalities[m];
      const L = gridSize(mod) ** 2;
      offset[m] = n;
      groupOf[m] = g;
      tokenGroupRanges(mod).forEach(([c0, c1], j) => {
        segments.push({
          m,
          j,
          g,
          start: n + j * mod.dates * L,
          T: mod.dates,
          L,
          bands: Array.from({ length: c1 - c0 }, (_, i) => c0 + i),
          normGroups: normGroupsOfTokenGroup(mod, j),
          V: mod.patchSize * mod.patchSize * (c1 - c0),
        });
      });
      n += mod.tokenGroups.length * mod.dates * L;
    }
    return n;
  });
  return { N, offset, groupOf, segments };
}

/** Loss weights per segment: ∂loss/∂ℓ_seg = (w_m/Σw)·(n_seg/n_m) (mae.ref.ts), from the masked counts known on the CPU. */
export function segmentLossScales(config: MaeConfig, geo: Geometry, masks: readonly GroupMask[]): Float32Array<ArrayBuffer> {
  const weights = config.modalities.map((mod) => mod.dates * gridSize(mod) ** 2);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const counts = geo.segments.map((s) => {
    const flags = maskFlags(masks[s.g]);
    const N = geo.N[s.g];
    let n = 0;
    for (let b = 0; b < masks[s.g].B; b++) for (let r = 0; r < s.T * s.L; r++) n += flags[b * N + s.start + r];
    return n * s.V;
  });
  const perModality = config.modalities.map((_, m) => geo.segments.reduce((a, s, i) => a + (s.m === m ? counts[i] : 0), 0));
  return Float32Array.from(geo.segments.map((s, i) => (perModality[s.m] === 0 ? 0 : (weights[s.m] / wSum) * (counts[i] / perModality[s.m]))));
}

// ---------------------------------------------------------------------------------------------------------------
// The graph

export interface SegmentTensors {
  patches: GpuTensor; // (B·T·L, V)
  target: GpuTensor; // (B·T·L, V)
  pred: GpuTensor; // (B·T·L, V)
  rowMask: GpuTensor; // (B·T·L) 1 = masked
}

export interface GroupInputs {
  ids: GpuTensor; // u32 (B, N): visible tokens first (ascending), then masked (ascending)
  masked: GpuTensor; // (B, N) 1 = masked
}

export interface MaeGraph {
  config: MaeConfig;
  layout: ParamLayout;
  geometry: Geometry;
  B: number;
  /** [g] visible tokens per sample. */
  K: number[];
  params: GpuTensor; // (layout.size)
  grads: GpuTensor; // (layout.size)
  paramViews: MaeParams<GpuTensor>;
  pixels: GpuTensor[]; // [m] (B, T, C, H, W)
  groups: GroupInputs[];
  segments: SegmentTensors[];
  /** [g] (B, K_g, E) encoder features after the inter-group stage (all tokens when K = N). */
  encoderOut: GpuTensor[];
  /** (2·segments): per segment the masked-mean loss and the masked row count, written by the forward. */
  stats: GpuTensor;
  /** (segments): loss scale of each segment (w_m/Σw · n_seg/n_m), read by the backward. */
  lossScales: GpuTensor;
  /** Zero the gradients, then everything up to the per-segment losses. */
  forward: Dispatch[];
  /** From the losses back to every parameter gradient. */
  backward: Dispatch[];
  /** Bytes of activations and scratch (parameters, gradients and moments not included). */
  activationBytes: number;
  /** Every activation and input tensor in allocation (≈ graph) order, for diagnostics such as the NaN report. */
  activations(): [string, GpuTensor][];
  /** Writes one batch and its masks into the input tensors (queue writes; submit the dispatches afterwards). */
  upload(batch: Batch, masks: readonly GroupMask[]): void;
  destroy(): void;
}

export interface BuildOptions {
  B: number;
  /** Visible tokens per group (GroupMask.K); all batches run through this graph must have these counts. */
  K: number[];
  /** Existing flat parameter / gradient buffers (e.g. shared with the optimizer); allocated when absent. */
  params?: GpuTensor;
  grads?: GpuTensor;
  /** Record the backward (false for an inference-only graph). */
  backward?: boolean;
  /** Encoder only (feature extraction, ONNX parity): no decoder, heads, losses or backward. Use K = N for no masking. */
  encoderOnly?: boolean;
}

export async function buildMaeGraph(scope: ResourceScope, config: MaeConfig, opts: BuildOptions): Promise<MaeGraph> {
  const { device } = scope;
  const { B } = opts;
  const layout = buildParamLayout(config);
  const geo = maeGeometry(config);
  const G = config.groups.length;
  const E = config.encoder.width;
  const Dd = config.decoder.width;
  assert(opts.K.length === G, () => `buildMaeGraph: ${opts.K.length} visible counts for ${G} fusion groups`);
  opts.K.forEach((k, g) => assert(k >= 1 && k <= geo.N[g], () => `buildMaeGraph: group "${config.groups[g].name}" needs 1 ≤ K ≤ ${geo.N[g]}, got ${k}`));
  const encoderOnly = opts.encoderOnly ?? false;
  const withBackward = !encoderOnly && (opts.backward ?? true);

  const alloc = new TensorAllocator(device, 'mae');
  const flat = (label: string) => wholeTensor(scope.track(createBufferUnchecked(device, { label, size: layout.size * 4 })), [layout.size], label);
  const params = opts.params ?? flat('params');
  const grads = opts.grads ?? flat('grads');
  const pv = paramViews(config, layout, (e) => viewOf(params.buffer, params.offset + e.offset, e.shape, `params:${e.name}`));
  const gv = paramViews(config, layout, (e) => viewOf(grads.buffer, grads.offset + e.offset, e.shape, `grads:${e.name}`));

  // ---- inputs
  const pixels = config.modalities.map((mod) => alloc.tensor(`in.${mod.name}.pixels`, [B, mod.dates, mod.bands.length, mod.imageSize, mod.imageSize]));
  const groups: GroupInputs[] = config.groups.map((grp, g) => ({
    ids: alloc.tensor(`in.${grp.name}.ids`, [B, geo.N[g]]),
    masked: alloc.tensor(`in.${grp.name}.masked`, [B, geo.N[g]]),
  }));
  const tables = (D: number, which: string) =>
    config.modalities.map((mod) => ({
      pos: alloc.tensor(`in.${mod.name}.${which}.pos`, [gridSize(mod) ** 2, D - 8]),
      date: alloc.tensor(`in.${mod.name}.${which}.date`, [B, mod.dates, 8]),
    }));
  const encTables = tables(E, 'enc');
  const decTables = tables(Dd, 'dec');
  const Fg = geoFeatureWidth(config.geoEncoding);
  const geoF = Fg > 0 ? config.groups.map((grp, g) => alloc.tensor(`in.${grp.name}.geo`, [B, geo.N[g], Fg])) : null; // [g] (B, N_g, Fg)
  const nSeg = geo.segments.length;
  const stats = alloc.tensor('loss.stats', [2 * nSeg]);
  const lossScales = alloc.tensor('loss.scales', [nSeg]);

  const forward: Dispatch[] = [];
  const backward: Dispatch[] = [];
  if (withBackward) forward.push(...(await fillForward(scope, { out: grads }, { n: layout.size })));

  // ---- forwardEncoder: patch embeddings into the group sequences
  const X = config.groups.map((grp, g) => alloc.tensor(`enc.${grp.name}.X`, [B, geo.N[g], E]));
  const segs: (SegmentTensors & { emb: GpuTensor; gn: { out: GpuTensor; mean: GpuTensor; rstd: GpuTensor } })[] = [];
  for (const s of geo.segments) {
    const mod = config.modalities[s.m];
    const R = B * s.T * s.L;
    const name = `${mod.name}.${s.j}`;
    const t = {
      patches: alloc.tensor(`embed.${name}.patches`, [R, s.V]),
      emb: alloc.tensor(`embed.${name}.emb`, [R, E]),
      gn: { out: alloc.tensor(`embed.${name}.gn`, [R, E]), mean: alloc.tensor(`embed.${name}.mean`, [B * s.T]), rstd: alloc.tensor(`embed.${name}.rstd`, [B * s.T]) },
      target: alloc.tensor(`loss.${name}.target`, [R, s.V]),
      pred: alloc.tensor(`head.${name}.pred`, [R, s.V]),
      rowMask: alloc.tensor(`loss.${name}.mask`, [R]),
    };
    segs.push(t);
    const p = pv.embed[s.m][s.j];
    const dims = { B, T: s.T, C: mod.bands.length, H: mod.imageSize, W: mod.imageSize, P: mod.patchSize, bands: s.bands };
    forward.push(
      ...(await patchifyForward(scope, { x: pixels[s.m], patches: t.patches }, dims)),
      ...(await linearForward(scope, { x: t.patches, w: p.patch.w, b: p.patch.b, y: t.emb }, { M: R, K: s.V, N: E })),
      ...(await groupNormForward(scope, { x: t.emb, gamma: p.norm.g, beta: p.norm.b, out: t.gn.out, mean: t.gn.mean, rstd: t.gn.rstd }, { S: B * s.T, L: s.L, E, eps: config.groupNormEps })),
      await rowCopy(scope, { src: t.gn.out, dst: X[s.g] }, { B, R: s.T * s.L, D: E, srcRows: s.T * s.L, srcRow0: 0, dstRows: geo.N[s.g], dstRow0: s.start }),
    );
    if (!encoderOnly) forward.push(...(await targetNormForward(scope, { patches: t.patches, out: t.target }, { R, P: mod.patchSize, C: s.bands.length, mode: config.targetNorm, groups: s.normGroups })));
  }
  for (let m = 0; m < config.modalities.length; m++) {
    const mod = config.modalities[m];
    const g = geo.groupOf[m];
    const L = gridSize(mod) ** 2;
    const R = mod.tokenGroups.length * mod.dates * L;
    forward.push(await encodingAdd(scope, { pe: encTables[m].pos, de: encTables[m].date, x: X[g] }, { B, R, D: E, L, T: mod.dates, rows: geo.N[g], row0: geo.offset[m] }));
  }
  // Geographic addend: X_g (B·N_g, E) += Φ_g (B·N_g, Fg) · W_enc (Fg, E).
  if (geoF && pv.geo)
    for (let g = 0; g < G; g++) forward.push(...(await matmulForward(scope, { a: geoF[g], b: pv.geo.enc, out: X[g] }, { M: B * geo.N[g], N: E, K: Fg, accumulate: true })));

  // ---- group encoders on the visible tokens
  const scratches = new Map<string, StackScratch>();
  const scratchFor = (shape: StackShape) => {
    const key = `${shape.B}x${shape.N}x${shape.D}x${shape.NH}x${shape.M}`;
    let s = scratches.get(key);
    if (!s) scratches.set(key, (s = allocStackScratch(alloc, `scratch.${key}`, shape)));
    return s;
  };
  const encShape = (N: number): StackShape => ({ B, N, D: E, NH: config.encoder.heads, M: E * config.encoder.mlpRatio, eps: config.lnEps });
  const decShape = (N: number): StackShape => ({ B, N, D: Dd, NH: config.decoder.heads, M: config.decoder.mlpHidden, eps: config.lnEps });

  const encStacks = [];
  const dVis = config.groups.map((grp, g) => alloc.tensor(`enc.${grp.name}.dVis`, [B, opts.K[g], E]));
  const dEncOut = config.groups.map((grp, g) => alloc.tensor(`enc.${grp.name}.dOut`, [B, opts.K[g], E]));
  for (let g = 0; g < G; g++) {
    const K = opts.K[g];
    const st = await buildStack(scope, alloc, `enc.${config.groups[g].name}`, pv.encoder[g], gv.encoder[g], encShape(K), scratchFor(encShape(K)), {
      dOut: dEncOut[g],
      dIn: dVis[g],
    });
    forward.push(...(await gatherForward(scope, { x: X[g], ids: groups[g].ids, out: st.input }, { B, N: geo.N[g], K, D: E, idsStride: geo.N[g] })));
    forward.push(...st.forward);
    encStacks.push(st);
  }

  // ---- inter-group blocks over the concatenation of all visible tokens
  const Ktot = opts.K.reduce((a, b) => a + b, 0);
  const kStart = opts.K.map((_, g) => opts.K.slice(0, g).reduce((a, b) => a + b, 0));
  let encOut: GpuTensor[] = encStacks.map((s) => s.out);
  let interBackward: Dispatch[] = [];
  if (pv.inter && gv.inter) {
    const dZ = alloc.tensor('inter.dOut', [B, Ktot, E]);
    const dZin = alloc.tensor('inter.dIn', [B, Ktot, E]);
    const st = await buildStack(scope, alloc, 'inter', pv.inter, gv.inter, encShape(Ktot), scratchFor(encShape(Ktot)), { dOut: dZ, dIn: dZin });
    for (let g = 0; g < G; g++)
      forward.push(await rowCopy(scope, { src: encStacks[g].out, dst: st.input }, { B, R: opts.K[g], D: E, srcRows: opts.K[g], srcRow0: 0, dstRows: Ktot, dstRow0: kStart[g] }));
    forward.push(...st.forward);
    const split = config.groups.map((grp, g) => alloc.tensor(`inter.${grp.name}.out`, [B, opts.K[g], E]));
    for (let g = 0; g < G; g++)
      forward.push(await rowCopy(scope, { src: st.out, dst: split[g] }, { B, R: opts.K[g], D: E, srcRows: Ktot, srcRow0: kStart[g], dstRows: opts.K[g], dstRow0: 0 }));
    encOut = split;
    // Backward of the split/concat: gather the groups' gradients into dZ, run the stack, split dZin into dEncOut.
    const gatherD: Dispatch[] = [];
    const splitD: Dispatch[] = [];
    for (let g = 0; g < G; g++) {
      gatherD.push(await rowCopy(scope, { src: dEncOut[g], dst: dZ }, { B, R: opts.K[g], D: E, srcRows: opts.K[g], srcRow0: 0, dstRows: Ktot, dstRow0: kStart[g] }));
      splitD.push(await rowCopy(scope, { src: dZin, dst: dEncOut[g] }, { B, R: opts.K[g], D: E, srcRows: Ktot, srcRow0: kStart[g], dstRows: opts.K[g], dstRow0: 0 }));
    }
    interBackward = [...gatherD, ...st.backward, ...splitD];
  }

  // ---- forwardDecoder
  const decBackward: Dispatch[][] = [];
  const tokenGrad = encoderOnly ? null : alloc.tensor('mask.dToken', [Dd]);
  for (let g = 0; g < (encoderOnly ? 0 : G); g++) {
    const dToken = tokenGrad!;
    const K = opts.K[g];
        const N = geo.N[g];
    const name = config.groups[g].name;
    const d = alloc.tensor(`enc2dec.${name}.out`, [B, K, Dd]);
    const dD = alloc.tensor(`enc2dec.${name}.dOut`, [B, K, Dd]);
    const dDecOut = alloc.tensor(`dec.${name}.dOut`, [B, N, Dd]);
    const dFull = alloc.tensor(`dec.${name}.dFull`, [B, N, Dd]);
    const st = await buildStack(scope, alloc, `dec.${name}`, pv.decoder[g], gv.decoder[g], decShape(N), scratchFor(decShape(N)), { dOut: dDecOut, dIn: dFull });
    forward.push(
      ...(await linearForward(scope, { x: encOut[g], w: pv.encToDec[g].w, b: pv.encToDec[g].b, y: d }, { M: B * K, K: E, N: Dd })),
      ...(await scatterForward(scope, { src: d, ids: groups[g].ids, out: st.input }, { B, N, K, D: Dd })),
    );
    const segBackward: Dispatch[] = [];
    const tokenBackward: Dispatch[] = [];
    for (const s of geo.segments) {
      if (s.g !== g) continue;
      const mod = config.modalities[s.m];
      const R = s.T * s.L;
      forward.push(await maskTokenForward(scope, { token: pv.maskToken[s.m], masked: groups[g].masked, y: st.input }, { B, R, D: Dd, rows: N, row0: s.start, tokenRow: s.j }));
      const scratch = alloc.tensor(`mask.${mod.name}.${s.j}.rows`, [B * R, Dd]);
      tokenBackward.push(
        ...(await maskTokenBackward(scope, { dY: dFull, masked: groups[g].masked, scratch, dToken }, { B, R, D: Dd, rows: N, row0: s.start })),
        await rowCopy(scope, { src: dToken, dst: gv.maskToken[s.m] }, { B: 1, R: 1, D: Dd, srcRows: 1, srcRow0: 0, dstRows: mod.tokenGroups.length, dstRow0: s.j, accumulate: true }),
      );
    }
    for (let m = 0; m < config.modalities.length; m++) {
      if (geo.groupOf[m] !== g) continue;
      const mod = config.modalities[m];
      const L = gridSize(mod) ** 2;
      forward.push(await encodingAdd(scope, { pe: decTables[m].pos, de: decTables[m].date, x: st.input }, { B, R: mod.tokenGroups.length * mod.dates * L, D: Dd, L, T: mod.dates, rows: N, row0: geo.offset[m] }));
    }
    const geoDecBackward: Dispatch[] = [];
    if (geoF && pv.geo && gv.geo) {
      // Decoder input (B·N, Dd) += Φ_g · W_dec; backward dW_dec += Φ_gᵀ · dFull.
      forward.push(...(await matmulForward(scope, { a: geoF[g], b: pv.geo.dec, out: st.input }, { M: B * N, N: Dd, K: Fg, accumulate: true })));
      geoDecBackward.push(...(await matmulForward(scope, { a: geoF[g], b: dFull, out: gv.geo.dec }, { M: Fg, N: Dd, K: B * N, transA: true, accumulate: true })));
    }
    forward.push(...st.forward);

    // ---- pixel heads and losses of this group's segments
    for (const [i, s] of geo.segments.entries()) {
      if (s.g !== g) continue;
      const mod = config.modalities[s.m];
      const R = s.T * s.L;
      const t = segs[i];
      const headIn = alloc.tensor(`head.${mod.name}.${s.j}.in`, [B, R, Dd]);
      const dHeadIn = alloc.tensor(`head.${mod.name}.${s.j}.dIn`, [B, R, Dd]);
      const dPred = alloc.tensor(`head.${mod.name}.${s.j}.dPred`, [B * R, s.V]);
      const h = pv.head[s.m][s.j];
      const lossDims = { R: B * R, V: s.V, kind: config.loss, statsOffset: 2 * i };
      forward.push(
        await rowCopy(scope, { src: st.out, dst: headIn }, { B, R, D: Dd, srcRows: N, srcRow0: s.start, dstRows: R, dstRow0: 0 }),
        ...(await linearForward(scope, { x: headIn, w: h.w, b: h.b, y: t.pred }, { M: B * R, K: Dd, N: s.V })),
        ...(await maskedLossForward(scope, { pred: t.pred, target: t.target, mask: t.rowMask, stats }, lossDims)),
      );
      segBackward.push(
        ...(await maskedLossBackward(scope, { pred: t.pred, target: t.target, mask: t.rowMask, stats, scale: lossScales, dPred }, { ...lossDims, scaleOffset: i })),
        ...(await linearBackward(scope, { x: headIn, w: h.w, dy: dPred, dx: dHeadIn, dw: gv.head[s.m][s.j].w, db: gv.head[s.m][s.j].b }, { M: B * R, K: Dd, N: s.V, accumulate: true })),
        await rowCopy(scope, { src: dHeadIn, dst: dDecOut }, { B, R, D: Dd, srcRows: R, srcRow0: 0, dstRows: N, dstRow0: s.start }),
      );
    }
    // Backward of the decoder side of this group: heads → decoder → mask tokens → un-mask → enc→dec.
    decBackward.push([
      ...segBackward,
      ...st.backward,
      ...geoDecBackward,
      ...tokenBackward,
      ...(await scatterBackward(scope, { dOut: dFull, ids: groups[g].ids, dSrc: dD }, { B, N, K, D: Dd })),
      ...(await linearBackward(scope, { x: encOut[g], w: pv.encToDec[g].w, dy: dD, dx: dEncOut[g], dw: gv.encToDec[g].w, db: gv.encToDec[g].b }, { M: B * K, K: E, N: Dd, accumulate: true })),
    ]);
  }

  // ---- backward: decoders, inter-group stage, encoders, embeddings
  if (withBackward) {
    for (const d of decBackward) backward.push(...d);
    backward.push(...interBackward);
    for (let g = 0; g < G; g++) {
      const dX = alloc.tensor(`enc.${config.groups[g].name}.dX`, [B, geo.N[g], E]);
      backward.push(...encStacks[g].backward);
      backward.push(...(await gatherBackward(scope, { dOut: dVis[g], ids: groups[g].ids, dx: dX }, { B, N: geo.N[g], K: opts.K[g], D: E })));
      if (geoF && gv.geo) backward.push(...(await matmulForward(scope, { a: geoF[g], b: dX, out: gv.geo.enc }, { M: Fg, N: E, K: B * geo.N[g], transA: true, accumulate: true })));
      for (const [i, s] of geo.segments.entries()) {
        if (s.g !== g) continue;
        const t = segs[i];
        const R = B * s.T * s.L;
        const p = pv.embed[s.m][s.j];
        const gp = gv.embed[s.m][s.j];
        const dGn = alloc.tensor(`embed.${config.modalities[s.m].name}.${s.j}.dGn`, [R, E]);
        const dEmb = alloc.tensor(`embed.${config.modalities[s.m].name}.${s.j}.dEmb`, [R, E]);
        backward.push(
          await rowCopy(scope, { src: dX, dst: dGn }, { B, R: s.T * s.L, D: E, srcRows: geo.N[g], srcRow0: s.start, dstRows: s.T * s.L, dstRow0: 0 }),
          ...(await groupNormBackward(scope, { x: t.emb, gamma: p.norm.g, mean: t.gn.mean, rstd: t.gn.rstd, dOut: dGn, dx: dEmb, dGamma: gp.norm.g, dBeta: gp.norm.b }, { S: B * s.T, L: s.L, E, eps: config.groupNormEps, accumulate: true })),
          ...(await linearBackward(scope, { x: t.patches, w: p.patch.w, dy: dEmb, dw: gp.patch.w, db: gp.patch.b }, { M: R, K: s.V, N: E, accumulate: true })),
        );
      }
    }
  }

  const upload = (batch: Batch, masks: readonly GroupMask[]) => {
    assert(batch.B === B, () => `graph was built for batch ${B}, got ${batch.B}`);
    const q = device.queue;
    config.modalities.forEach((mod, m) => {
      const mb = batch.modalities[mod.name];
      assert(mb, () => `batch has no modality "${mod.name}"`);
      assert(mb.T === mod.dates && mb.C === mod.bands.length && mb.H === mod.imageSize && mb.W === mod.imageSize, () => `modality "${mod.name}" batch is (${mb.T},${mb.C},${mb.H},${mb.W}), config expects (${mod.dates},${mod.bands.length},${mod.imageSize},${mod.imageSize})`);
      q.writeBuffer(pixels[m].buffer, 0, mb.data.buffer, mb.data.byteOffset, mb.data.byteLength);
    });
    masks.forEach((mk, g) => {
      assert(mk.K === opts.K[g] && mk.B === B, () => `mask of group "${config.groups[g].name}" has K=${mk.K}, graph expects ${opts.K[g]}`);
      q.writeBuffer(groups[g].ids.buffer, 0, new Uint32Array(shuffleIds(mk)));
      q.writeBuffer(groups[g].masked.buffer, 0, Float32Array.from(maskFlags(mk)));
    });
    geo.segments.forEach((s, i) => {
      const flags = maskFlags(masks[s.g]);
      const N = geo.N[s.g];
      const R = s.T * s.L;
      const rm = new Float32Array(B * R);
      for (let b = 0; b < B; b++) for (let r = 0; r < R; r++) rm[b * R + r] = flags[b * N + s.start + r];
      q.writeBuffer(segs[i].rowMask.buffer, 0, rm);
    });
    q.writeBuffer(lossScales.buffer, 0, segmentLossScales(config, geo, masks));
    const write = (dst: { pos: GpuTensor; date: GpuTensor }[], D: number) =>
      encodingTables(config, batch, D).forEach((t, m) => {
        q.writeBuffer(dst[m].pos.buffer, 0, Float32Array.from(t.pos));
        q.writeBuffer(dst[m].date.buffer, 0, Float32Array.from(t.date));
      });
    write(encTables, E);
    write(decTables, Dd);
    if (geoF) geoFeatureMatrices(config, batch).forEach((f, g) => q.writeBuffer(geoF[g].buffer, 0, Float32Array.from(f)));
  };

  return {
    config,
    layout,
    geometry: geo,
    B,
    K: [...opts.K],
    params,
    grads,
    paramViews: pv,
    pixels,
    groups,
    segments: segs.map(({ patches, target, pred, rowMask }) => ({ patches, target, pred, rowMask })),
    encoderOut: encOut,
    stats,
    lossScales,
    forward,
    backward,
    activationBytes: alloc.bytes,
    activations: () => alloc.names().map((n) => [n, alloc.get(n)]),
    upload,
    destroy: () => alloc.destroy(),
  };
}

/** Total loss and per-modality losses from the read-back stats (mae.ref.ts: Σ_m w_m ℓ_m / Σ w_m). */
export function lossesFromStats(config: MaeConfig, geo: Geometry, stats: Float32Array, scales: Float32Array): { loss: number; modalityLoss: number[] } {
  let loss = 0;
  const modalityLoss = config.modalities.map(() => 0);
  const weights = config.modalities.map((mod) => mod.dates * gridSize(mod) ** 2);
  const wSum = weights.reduce((a, b) => a + b, 0);
  geo.segments.forEach((s, i) => {
    const contribution = scales[i] * stats[2 * i];
    loss += contribution;
    modalityLoss[s.m] += contribution * (wSum / weights[s.m]);
  });
  return { loss, modalityLoss };
}
