/**
 * The training loop of one MAE on one GPU device, shared by the browser worker and the Node CLI.
 *
 * One step = upload a batch and its masks → forward + backward (one submit) → read back the per-segment losses and
 * the gradient norm → if finite: (clip,) AdamW, (EMA,) else stop with a NaN report and leave the weights untouched.
 * Reading the loss every step costs one round trip, and buys the NaN guard (weights never see a non-finite update)
 * and live metrics.
 *
 * Determinism: all randomness is counter-based — the batch and the masks of step s come from Rng(seed, stream s),
 * so the same seed gives the same loss sequence on the same adapter, and a resumed run (which only needs the step
 * counter) continues exactly as an uninterrupted one.
 */
import { readF32 } from '../gpu/readback';
import { ResourceScope } from '../gpu/scope';
import { createBufferUnchecked } from '../gpu/buffers';
import { wholeTensor, type GpuTensor } from '../gpu/tensor';
import { adamwUpdate, createAdamwStepBuffer, writeAdamwStep } from '../kernels/adamw';
import { encodeDispatches, type Dispatch } from '../kernels/dispatch';
import { emaUpdate } from '../kernels/ema';
import { clipGradNormUpdate, globalNormForward } from '../kernels/reduce';
import type { Batch } from '../data/sample';
import { Rng } from '../lib/rng';
import type { MaeConfig } from '../model/config';
import { buildMaeGraph, lossesFromStats, type MaeGraph } from '../model/mae';
import { makeMasks, type GroupMask } from '../model/masking';
import { buildParamLayout, initParams, type ParamLayout } from '../model/params';
import { learningRate, type LrSchedule } from './schedule';

/** Where batches come from: deterministic in (rng stream) so runs are reproducible and resumable. */
export interface BatchSource {
  batch(rng: Rng, B: number): Promise<Batch>;
}

export interface OptimizerOptions {
  schedule: LrSchedule;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Exclude biases, norms and mask tokens from weight decay (MAE); MAESTRO decays everything (default false). */
  noDecayGroups: boolean;
  /** Global-norm gradient clipping, or null (MAESTRO: none). */
  clipNorm: number | null;
  /** EMA decay of the weights, or null for no EMA. */
  emaDecay: number | null;
}

export interface TrainerOptions {
  config: MaeConfig;
  batchSize: number;
  seed: number;
  optimizer: OptimizerOptions;
  /** Reuse the masks of step 0 at every step (memorisation checks); normal training draws new masks each step. */
  fixedMasks?: boolean;
}

export const DEFAULT_OPTIMIZER: OptimizerOptions = {
  schedule: { kind: 'one-cycle', options: { maxLr: 1e-3, totalSteps: 1000, pctStart: 0.2, divFactor: 1000, finalDivFactor: 1e4 } },
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.01,
  noDecayGroups: false,
  clipNorm: null,
  emaDecay: null,
};

export interface StepMetrics {
  /** 1-based number of the optimizer step just taken. */
  step: number;
  loss: number;
  /** Per modality, in config order. */
  modalityLoss: number[];
  gradNorm: number;
  lr: number;
  /** Tokens the encoder saw (visible) and the decoder reconstructed, per step. */
  tokens: number;
  ms: number;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly tensor: string,
    readonly loss: number,
  ) {
    super(`Training stopped at step ${step}: the loss became ${loss} (first non-finite tensor: ${tensor}). The weights of step ${step - 1} are kept.`);
    this.name = 'NonFiniteLossError';
  }
}

/** Fixed shapes per graph: every batch of a run has B samples and the config's exact masked counts. */
function visibleCounts(config: MaeConfig, B: number): number[] {
  return makeMasks(config, B, new Rng(0)).map((m) => m.K);
}

export class Trainer {
  readonly layout: ParamLayout;
  /** Optimizer steps taken so far. */
  step = 0;
  private stepBuf!: GpuTensor;
  private m!: GpuTensor;
  private v!: GpuTensor;
  private ema: GpuTensor | null = null;
  private norm!: GpuTensor;
  /** Global gradient norm, recorded after the backward so it is read back with the loss. */
  private normPass: Dispatch[] = [];
  /** Clipping, AdamW and EMA: submitted only when the loss and the norm are finite. */
  private update: Dispatch[] = [];
  private graph!: MaeGraph;

  private constructor(
    readonly device: GPUDevice,
    readonly opts: TrainerOptions,
    readonly source: BatchSource,
    private readonly scope: ResourceScope,
  ) {
    this.layout = buildParamLayout(opts.config);
  }

  static async create(device: GPUDevice, opts: TrainerOptions, source: BatchSource, initial?: Float32Array): Promise<Trainer> {
    const t = new Trainer(device, opts, source, new ResourceScope(device));
    await t.build(initial ?? initParams(t.layout, opts.seed));
    return t;
  }

  get config(): MaeConfig {
    return this.opts.config;
  }

  get params(): GpuTensor {
    return this.graph.params;
  }

  /** Bytes allocated on the GPU: parameters, gradients, moments (+EMA), activations and scratch. */
  get allocatedBytes(): number {
    const flat = this.layout.size * 4;
    return flat * (4 + (this.ema ? 1 : 0)) + this.graph.activationBytes;
  }

  private flat(label: string, data?: Float32Array): GpuTensor {
    const buf = this.scope.track(createBufferUnchecked(this.device, { label, size: this.layout.size * 4 }));
    if (data) this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return wholeTensor(buf, [this.layout.size], label);
  }

  private async build(initial: Float32Array): Promise<void> {
    const { config, batchSize: B, optimizer: o } = this.opts;
    const n = this.layout.size;
    const params = this.flat('params', initial);
    this.graph = await buildMaeGraph(this.scope, config, { B, K: visibleCounts(config, B), params });
    this.m = this.flat('adamw.m');
    this.v = this.flat('adamw.v');
    this.stepBuf = createAdamwStepBuffer(this.scope);
    this.norm = wholeTensor(this.scope.track(createBufferUnchecked(this.device, { label: 'grad-norm', size: 4 })), [1], 'grad-norm');
    let decayMask: GpuTensor | undefined;
    if (o.noDecayGroups) {
      const mask = new Float32Array(n);
      for (const e of this.layout.entries) if (e.decay) mask.fill(1, e.offset, e.offset + e.size);
      decayMask = this.flat('adamw.decay-mask', mask);
    }
    const grads = this.graph.grads;
    this.normPass = await globalNormForward(this.scope, { grads, out: this.norm });
    this.update = [
      ...(o.clipNorm ? await clipGradNormUpdate(this.scope, { grads, norm: this.norm }, { maxNorm: o.clipNorm }) : []),
      ...(await adamwUpdate(this.scope, { param: params, grad: grads, m: this.m, v: this.v, step: this.stepBuf, decayMask }, { n, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay })),
    ];
    if (o.emaDecay !== null) {
      this.ema = this.flat('ema', initial);
      this.update.push(...(await emaUpdate(this.scope, { param: params, ema: this.ema }, { n, decay: o.emaDecay })));
    }
  }

  /** The RNG stream of step s: batches and masks are drawn from it (see the file header). */
  rngFor(step: number): Rng {
    return new Rng(this.opts.seed, 1000 + step);
  }

  /** The batch and masks step `s` (0-based) trains on. */
  async inputsFor(step: number): Promise<{ batch: Batch; masks: GroupMask[] }> {
    const rng = this.rngFor(step);
    const batch = await this.source.batch(rng, this.opts.batchSize);
    // The batch carries footprints and dates: anchor-aware masking needs them (other strategies ignore them).
    const masks = makeMasks(this.config, this.opts.batchSize, this.opts.fixedMasks ? this.rngFor(-1) : rng, batch);
    return { batch, masks };
  }

  /** Runs one optimizer step. Throws NonFiniteLossError (weights untouched) when the loss is not finite. */
  async trainStep(): Promise<StepMetrics> {
    const t0 = performance.now();
    const s = this.step;
    const { batch, masks } = await this.inputsFor(s);
    const lr = learningRate(this.opts.optimizer.schedule, s);
    this.graph.upload(batch, masks);
    const enc = this.device.createCommandEncoder({ label: `step ${s + 1}` });
    encodeDispatches(enc, [...this.graph.forward, ...this.graph.backward, ...this.normPass], 'forward+backward');
    this.device.queue.submit([enc.finish()]);
    const [stats, scales, norm] = await Promise.all([readF32(this.device, this.graph.stats.buffer), readF32(this.device, this.graph.lossScales.buffer), readF32(this.device, this.norm.buffer)]);
    const { loss, modalityLoss } = lossesFromStats(this.config, this.graph.geometry, stats, scales);
    if (!Number.isFinite(loss) || !Number.isFinite(norm[0])) {
      throw new NonFiniteLossError(s + 1, await this.firstNonFinite(), Number.isFinite(loss) ? norm[0] : loss);
    }
    writeAdamwStep(this.device, this.stepBuf, this.opts.optimizer, { lr, step: s + 1 });
    const upd = this.device.createCommandEncoder({ label: `update ${s + 1}` });
    encodeDispatches(upd, this.update, 'optimizer');
    this.device.queue.submit([upd.finish()]);
    this.step = s + 1;
    const tokens = this.opts.batchSize * this.graph.geometry.N.reduce((a, b) => a + b, 0);
    return { step: this.step, loss, modalityLoss, gradNorm: norm[0], lr, tokens, ms: performance.now() - t0 };
  }

  /** Names the first tensor holding a NaN/Inf: parameters first (by layout order), then activations in graph order. */
  private async firstNonFinite(): Promise<string> {
    const p = await readF32(this.device, this.graph.params.buffer);
    for (const e of this.layout.entries) {
      for (let i = e.offset; i < e.offset + e.size; i++) if (!Number.isFinite(p[i])) return `parameter ${e.name}`;
    }
    for (const [name, t] of this.graph.activations()) {
      const a = await readF32(this.device, t.buffer, t.offset, t.size);
      if (a.some((x) => !Number.isFinite(x))) return `activation ${name}`;
    }
    const g = await readF32(this.device, this.graph.grads.buffer);
    for (const e of this.layout.entries) {
      for (let i = e.offset; i < e.offset + e.size; i++) if (!Number.isFinite(g[i])) return `gradient of ${e.name}`;
    }
    return 'none found (the loss reduction itself overflowed)';
  }

  /** Current weights, AdamW moments and EMA as host arrays (for checkpoints). */
  async snapshot(): Promise<{ params: Float32Array; m: Float32Array; v: Float32Array; ema: Float32Array | null }> {
    const [params, m, v] = await Promise.all([readF32(this.device, this.graph.params.buffer), readF32(this.device, this.m.buffer), readF32(this.device, this.v.buffer)]);
    const ema = this.ema ? await readF32(this.device, this.ema.buffer) : null;
    return { params, m, v, ema };
  }

  /** Restores weights, moments, EMA and the step counter (checkpoint resume). */
  restore(s: { params: Float32Array; m: Float32Array; v: Float32Array; ema: Float32Array | null; step: number }): void {
    const n = this.layout.size;
    for (const [name, a] of Object.entries({ params: s.params, m: s.m, v: s.v })) {
      if (a.length !== n) throw new Error(`checkpoint ${name} has ${a.length} values, this model needs ${n}`);
    }
    const q = this.device.queue;
    q.writeBuffer(this.graph.params.buffer, 0, s.params.buffer, s.params.byteOffset, s.params.byteLength);
    q.writeBuffer(this.m.buffer, 0, s.m.buffer, s.m.byteOffset, s.m.byteLength);
    q.writeBuffer(this.v.buffer, 0, s.v.buffer, s.v.byteOffset, s.v.byteLength);
    if (this.ema) {
      const e = s.ema ?? s.params;
      q.writeBuffer(this.ema.buffer, 0, e.buffer, e.byteOffset, e.byteLength);
    }
    this.step = s.step;
  }

  destroy(): void {
    this.graph.destroy();
    this.scope.dispose();
  }
}
