/**
 * Validation loss of the current weights on the dataset's deterministic validation tiles.
 *
 * Choice: a separate forward-only graph (buildMaeGraph with backward: false) that binds the trainer's own parameter
 * buffer, so it always sees the latest weights without a copy, and leaves the training graph's activations,
 * gradients and optimizer state untouched (running the training graph's forward would overwrite the activations
 * the Inspect section may be reading, and it needs the trainer's private graph). Its cost is a second set of
 * forward activations at the validation batch size; if that does not fit, validation is switched off with a note
 * and training goes on.
 *
 * Invariants: the same tiles (0 … n−1, no flips, median date rule: Dataset.tile) and the same masks (seeded per
 * validation batch, independent of the training seed's stream) at every evaluation, so successive values are
 * comparable; n is a multiple of the validation batch so every tile counts once; the loss is the mean of equal-size
 * batch losses, computed exactly as the training loss (lossesFromStats).
 */
import type { Sample } from '../../data/sample';
import { collate, type Batch } from '../../data/sample';
import { withErrorScopes } from '../../gpu/errors';
import { readF32 } from '../../gpu/readback';
import { ResourceScope } from '../../gpu/scope';
import type { GpuTensor } from '../../gpu/tensor';
import { encodeDispatches } from '../../kernels/dispatch';
import { Rng } from '../../lib/rng';
import { groupTokenCounts, type MaeConfig } from '../../model/config';
import { buildMaeGraph, lossesFromStats, type MaeGraph } from '../../model/mae';
import { makeMasks, type GroupMask } from '../../model/masking';
import type { ValidationRow } from '../protocol/train';

/** Where validation samples come from (Dataset in the studio, synthetic samples in tests). */
export interface TileSource {
  readonly tileCount: number;
  tile(i: number): Promise<Sample>;
}

/** RNG stream of validation masks: far from the trainer's streams (1000 + step) so they never coincide. */
const MASK_STREAM = 0x7a11d;

/** How many tiles and batches an evaluation uses: n = batches · B tiles, B ≤ the training batch. */
export function validationPlan(tileCount: number, maxTiles: number, trainBatch: number): { batch: number; batches: number; tiles: number } | null {
  const n = Math.min(tileCount, maxTiles);
  if (n < 1) return null;
  const batch = Math.min(trainBatch, n);
  const batches = Math.floor(n / batch);
  return { batch, batches, tiles: batches * batch };
}

export class ValidationEvaluator {
  private cache: { batch: Batch; masks: GroupMask[] }[] | null = null;

  private constructor(
    private readonly device: GPUDevice,
    private readonly config: MaeConfig,
    private readonly graph: MaeGraph,
    private readonly scope: ResourceScope,
    private readonly source: TileSource,
    private readonly plan: { batch: number; batches: number; tiles: number },
    private readonly seed: number,
  ) {}

  /**
   * Builds the forward-only graph on `params` (the trainer's parameter tensor). Throws a plain message when the
   * source has no tiles or the graph does not fit in GPU memory (the caller switches validation off).
   */
  static async create(device: GPUDevice, config: MaeConfig, params: GpuTensor, source: TileSource, opts: { maxTiles: number; trainBatch: number; seed: number }): Promise<ValidationEvaluator> {
    const plan = validationPlan(source.tileCount, opts.maxTiles, opts.trainBatch);
    if (!plan) throw new Error('the dataset has no validation tiles (its locations are smaller than one sample)');
    const scope = new ResourceScope(device);
    const K = groupTokenCounts(config).map((c) => c.K);
    try {
      const graph = await withErrorScopes(device, 'building the validation graph', () => buildMaeGraph(scope, config, { B: plan.batch, K, params, backward: false }));
      return new ValidationEvaluator(device, config, graph, scope, source, plan, opts.seed);
    } catch (e) {
      scope.dispose();
      throw e;
    }
  }

  get tiles(): number {
    return this.plan.tiles;
  }

  /** Decodes the validation tiles once per run (they never change) and draws their fixed masks. */
  private async inputs(): Promise<{ batch: Batch; masks: GroupMask[] }[]> {
    if (this.cache) return this.cache;
    const out: { batch: Batch; masks: GroupMask[] }[] = [];
    for (let b = 0; b < this.plan.batches; b++) {
      const samples: Sample[] = [];
      for (let i = 0; i < this.plan.batch; i++) samples.push(await this.source.tile(b * this.plan.batch + i));
      const batch = collate(samples);
      // The batch's footprints and dates feed anchor-aware masking; other strategies ignore them.
      out.push({ batch, masks: makeMasks(this.config, this.plan.batch, new Rng(this.seed, MASK_STREAM + b), batch) });
    }
    this.cache = out;
    return out;
  }

  /** Loss of one batch (of the validation batch size) under the weights in the parameter buffer now. */
  async lossOf(batch: Batch, masks: readonly GroupMask[], label = 'validation'): Promise<{ loss: number; modalityLoss: number[] }> {
    this.graph.upload(batch, masks);
    const enc = this.device.createCommandEncoder({ label });
    encodeDispatches(enc, this.graph.forward, `${label} forward`);
    this.device.queue.submit([enc.finish()]);
    const [stats, scales] = await Promise.all([readF32(this.device, this.graph.stats.buffer), readF32(this.device, this.graph.lossScales.buffer)]);
    return lossesFromStats(this.config, this.graph.geometry, stats, scales);
  }

  /** Mean loss over the validation tiles for the weights in the parameter buffer now. */
  async evaluate(step: number): Promise<ValidationRow> {
    const t0 = performance.now();
    const inputs = await this.inputs();
    let loss = 0;
    const modalityLoss = this.config.modalities.map(() => 0);
    for (const { batch, masks } of inputs) {
      const l = await this.lossOf(batch, masks, `validation @${step}`);
      loss += l.loss / inputs.length;
      l.modalityLoss.forEach((v, m) => (modalityLoss[m] += v / inputs.length));
    }
    return { step, loss, modalityLoss, tiles: this.plan.tiles, ms: performance.now() - t0 };
  }

  destroy(): void {
    this.graph.destroy();
    this.scope.dispose();
  }
}
