/**
 * Training a probe head on frozen features, on the GPU: mini-batches of token sets → head forward (heads.ts) →
 * logits read back → loss and its gradient on the CPU (loss.ts) → gradient uploaded → head backward → AdamW (the
 * fused kernel over the head's flat parameter buffer). Then predictions for the held-out sets.
 *
 * Determinism: the batch order is a seeded epoch-wise shuffle (Rng(seed, 91)) and the parameters a seeded init, so
 * one seed gives one result on one adapter. The learning rate follows a one-cycle schedule (src/train/schedule.ts;
 * MAESTRO probes with OneCycleLR too, method.md §2.13) with 10 % warm-up. Weight decay applies to every parameter
 * (MAESTRO, quirk 6).
 * The linear head's input is the mean over each set's tokens, standardised per channel with training-split
 * statistics (see `standardize`); the attentive head sees the raw tokens (its first op is a LayerNorm).
 * Invariants: the graph has a fixed batch R (min(batch, train sets)); the last evaluation batch is padded with copies
 * of its first set and the padding's outputs are dropped; features are never modified (frozen encoder).
 */
import { readF32 } from '../gpu/readback';
import { ResourceScope } from '../gpu/scope';
import { createBufferUnchecked } from '../gpu/buffers';
import { wholeTensor } from '../gpu/tensor';
import { adamwUpdate, createAdamwStepBuffer, writeAdamwStep } from '../kernels/adamw';
import { submitDispatches } from '../kernels/dispatch';
import { assert } from '../lib/assert';
import { Rng } from '../lib/rng';
import { learningRate } from '../train/schedule';
import { buildHeadGraph, initHeadParams, type HeadKind, type HeadSpec } from './heads';
import { argmaxRows, bceWithLogits, softmaxCrossEntropy } from './loss';

/** Labelled token sets: `count` sets of N tokens of width E. */
export interface ProbeExamples {
  /** 'single': one class per set (cross-entropy); 'multi': a 0/1 vector per set (BCE, weighted F1). */
  labelKind: 'single' | 'multi';
  K: number;
  N: number;
  E: number;
  count: number;
  /** (count, N, E) frozen features. */
  features: Float32Array;
  /** single: (count) class ids; multi: (count, K) 0/1. */
  labels: Int32Array | Float32Array;
}

export interface FitOptions {
  head: HeadKind;
  /** Optimizer steps. */
  steps: number;
  /** Sets per step. */
  batch: number;
  /** Peak learning rate. */
  lr: number;
  weightDecay: number;
  seed: number;
  /** AttentiveReduce heads (default 8 as MAESTRO, or the largest divisor of E below 8). */
  heads?: number;
  /** Called after every training step (the studio's progress bar). */
  onStep?: (step: number, steps: number) => void;
  /** Checked before every step: an aborted signal stops the fit there and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const DEFAULT_FIT: Omit<FitOptions, 'head' | 'seed'> = { steps: 300, batch: 64, lr: 3e-3, weightDecay: 0.01 };

export interface FitResult {
  head: HeadKind;
  /** Loss of every step. */
  losses: number[];
  /** Predicted class per test set (single), or 0/1 per test set and class (multi, threshold 0.5 on σ). */
  predictions: Int32Array | Uint8Array;
  /** Trained head parameters (headLayout order). */
  params: Float32Array;
  trainMs: number;
  evalMs: number;
}

/** MAESTRO uses 8 heads; narrower features get the largest head count ≤ 8 that divides E. */
export function defaultHeads(E: number): number {
  for (let h = 8; h > 1; h--) if (E % h === 0) return h;
  return 1;
}

/** (count, N, E) → (count, E) mean over each set's tokens (the linear probe's pooling), accumulated in float64. */
export function meanPool(features: Float32Array, count: number, N: number, E: number): Float32Array {
  const out = new Float32Array(count * E); // (count, E)
  const acc = new Float64Array(E);
  for (let r = 0; r < count; r++) {
    acc.fill(0);
    for (let n = 0; n < N; n++) {
      const o = (r * N + n) * E;
      for (let e = 0; e < E; e++) acc[e] += features[o + e];
    }
    for (let e = 0; e < E; e++) out[r * E + e] = acc[e] / N;
  }
  return out;
}

/**
 * Per-channel standardisation of pooled features (count, E) in place, with the mean and standard deviation of the
 * TRAINING sets: MAE's linear probe puts a BatchNorm without affine parameters in front of its linear layer for the
 * same reason (frozen features have very different scales per channel, which slows plain SGD/Adam on a linear map).
 * It is a fixed affine map of the input, so the probe stays linear.
 */
export function standardize(x: Float32Array, count: number, E: number, train: ArrayLike<number>): Float32Array {
  const mean = new Float64Array(E);
  const sq = new Float64Array(E);
  for (let i = 0; i < train.length; i++) {
    const o = train[i] * E;
    for (let e = 0; e < E; e++) {
      mean[e] += x[o + e];
      sq[e] += x[o + e] * x[o + e];
    }
  }
  for (let e = 0; e < E; e++) {
    mean[e] /= train.length;
    sq[e] = 1 / Math.sqrt(Math.max(sq[e] / train.length - mean[e] * mean[e], 0) + 1e-5);
  }
  for (let r = 0; r < count; r++) for (let e = 0; e < E; e++) x[r * E + e] = (x[r * E + e] - mean[e]) * sq[e];
  return x;
}

export async function fitProbe(device: GPUDevice, ex: ProbeExamples, train: Int32Array, test: Int32Array, opts: FitOptions): Promise<FitResult> {
  assert(train.length > 0, 'probe: the training split is empty');
  assert(ex.features.length === ex.count * ex.N * ex.E, () => `probe: ${ex.features.length} feature values for ${ex.count}×${ex.N}×${ex.E}`);
  const R = Math.max(1, Math.min(opts.batch, train.length));
  const NH = opts.heads ?? defaultHeads(ex.E);
  const spec: HeadSpec = { kind: opts.head, E: ex.E, K: ex.K, N: ex.N, R, NH, eps: 1e-5 };
  const rowLen = opts.head === 'linear' ? ex.E : ex.N * ex.E;
  const source = opts.head === 'linear' ? standardize(meanPool(ex.features, ex.count, ex.N, ex.E), ex.count, ex.E, train) : ex.features;
  const scope = new ResourceScope(device);
  const graph = await buildHeadGraph(scope, spec, initHeadParams(spec, opts.seed));
  try {
    const n = graph.layout.size;
    const moment = (label: string) => wholeTensor(scope.track(createBufferUnchecked(device, { label, size: n * 4 })), [n], label);
    const m = moment('probe.adamw.m');
    const v = moment('probe.adamw.v');
    const stepBuf = createAdamwStepBuffer(scope, 'probe.adamw.step');
    const hyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: opts.weightDecay };
    const update = await adamwUpdate(scope, { param: graph.params, grad: graph.grads, m, v, step: stepBuf }, { n, ...hyper });
    const input = new Float32Array(R * rowLen); // (R, rowLen)
    const fill = (idx: ArrayLike<number>, start: number, count: number) => {
      for (let r = 0; r < R; r++) {
        const i = idx[start + (r < count ? r : 0)];
        input.set(source.subarray(i * rowLen, (i + 1) * rowLen), r * rowLen);
      }
      device.queue.writeBuffer(graph.input.buffer, 0, input);
    };
    const schedule = { kind: 'one-cycle' as const, options: { maxLr: opts.lr, totalSteps: opts.steps, pctStart: 0.1, divFactor: 10, finalDivFactor: 100 } };

    // ---- training
    const t0 = performance.now();
    const rng = new Rng(opts.seed, 91);
    let order = rng.permutation(train.length);
    let cursor = 0;
    const batchIdx = new Int32Array(R);
    const labels = ex.labelKind === 'single' ? new Int32Array(R) : new Float32Array(R * ex.K);
    const losses: number[] = [];
    for (let s = 0; s < opts.steps; s++) {
      opts.signal?.throwIfAborted();
      for (let r = 0; r < R; r++) {
        if (cursor === order.length) {
          order = rng.permutation(train.length);
          cursor = 0;
        }
        batchIdx[r] = train[order[cursor++]];
      }
      fill(batchIdx, 0, R);
      for (let r = 0; r < R; r++) {
        if (ex.labelKind === 'single') labels[r] = ex.labels[batchIdx[r]];
        else labels.set(ex.labels.subarray(batchIdx[r] * ex.K, (batchIdx[r] + 1) * ex.K), r * ex.K);
      }
      submitDispatches(device, graph.forward, `probe forward ${s + 1}`);
      const logits = await readF32(device, graph.logits.buffer, 0, R * ex.K);
      const { loss, dLogits } = ex.labelKind === 'single' ? softmaxCrossEntropy(logits, labels, { R, K: ex.K }) : bceWithLogits(logits, labels, { R, K: ex.K });
      assert(Number.isFinite(loss), () => `probe: the loss became ${loss} at step ${s + 1}`);
      losses.push(loss);
      device.queue.writeBuffer(graph.dLogits.buffer, 0, Float32Array.from(dLogits));
      writeAdamwStep(device, stepBuf, hyper, { lr: learningRate(schedule, s), step: s + 1 });
      submitDispatches(device, [...graph.backward, ...update], `probe backward ${s + 1}`);
      opts.onStep?.(s + 1, opts.steps);
    }
    const params = await readF32(device, graph.params.buffer, 0, n);
    const trainMs = performance.now() - t0;

    // ---- held-out predictions
    const t1 = performance.now();
    const predictions = ex.labelKind === 'single' ? new Int32Array(test.length) : new Uint8Array(test.length * ex.K);
    for (let start = 0; start < test.length; start += R) {
      const count = Math.min(R, test.length - start);
      fill(test, start, count);
      submitDispatches(device, graph.forward, 'probe predict');
      const logits = await readF32(device, graph.logits.buffer, 0, R * ex.K);
      if (ex.labelKind === 'single') predictions.set(argmaxRows(logits, { R: count, K: ex.K }), start);
      else for (let i = 0; i < count * ex.K; i++) predictions[start * ex.K + i] = logits[i] > 0 ? 1 : 0;
    }
    return { head: opts.head, losses, predictions, params, trainMs, evalMs: performance.now() - t1 };
  } finally {
    graph.destroy();
    scope.dispose();
  }
}
